"""The report's prose generated from its numbers: a paragraph per table and a Markdown draft.

Pure core: a :class:`Report` in, text out. The wording lives in jinja2 templates shipped inside
the package (the top-level ``templates/`` folder, installed as ``xlgbreport.templates``), so they
are found the same way from a checkout and from an installed wheel; names of rows and columns come from the schema. Nothing
is guessed: a table with a blank or non-numeric cell, or with an error, gets a sentence saying
so instead of a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import shown
from .findings import Severity
from .model import Number, Report, ReportView, is_number
from .prior import compare
from .rules import check
from .tables import REPORT_TITLE, CellKey, Role, Row, Table, TableId

PROACTIVE, REQUESTS, APPEALS = TableId

INCOMPLETE = "“{title}”尚未填写完整（{n} 个单元格为空或不是数字），暂不生成本段文字。"
HAS_ERRORS = "“{title}”有 {n} 处错误，请先按校验结果改正，再生成本段文字。"
NO_TEXT = "（尚未填写）"
THIS_YEAR = "本年度"
YEAR = "{year}年"

_ENUM = re.compile(r"^(（[一二三四五六七八九十]+）|\d+\.)")
_NOTE = re.compile(r"（[^（）]*）$")


def short(label: str) -> str:
    """A label as prose names it: （二）部分公开（区分处理的…） → 部分公开; 1.重复申请 → 重复申请."""
    return _NOTE.sub("", _ENUM.sub("", label))


@cache
def _env() -> jinja2.Environment:
    """Sandboxed like every template (``rendering.sandbox``): these are ours, but the rule has
    no exceptions to audit."""
    env = ImmutableSandboxedEnvironment(loader=jinja2.PackageLoader("xlgbreport.templates", "."),
                                       undefined=jinja2.StrictUndefined, trim_blocks=True,
                                       lstrip_blocks=True, keep_trailing_newline=False, autoescape=False)
    env.filters["md"] = shown.markdown
    env.filters["md_line"] = shown.markdown_line
    return env


def paragraph(report: Report, table_id: str = REQUESTS, prior: Report | None = None) -> str:
    """The paragraph for one table (``proactive``, ``requests`` or ``appeals``); with last
    year's report, table 三 also says how new applications changed (比上年增减)."""
    schema = report.format.schema
    table = schema.table(table_id)
    view = report.computed()
    missing = [k for k in _keys(table) if (k in report.cells or not schema.is_derived(k))
               and view.number(k) is None]
    if missing:
        return INCOMPLETE.format(title=table.title, n=len(missing))
    errors = [f for f in check(report) if f.table == table.id and f.severity is Severity.ERROR]
    if errors:
        return HAS_ERRORS.format(title=table.title, n=len(errors))
    context = _CONTEXT[table.id](view, table)
    if table.id == REQUESTS:
        context["change"] = _new_change(report, prior)
    text = _env().get_template(f"{table.id}.txt.j2").render(when=_when(report), **context)
    return text.replace("\n", "")


def markdown(report: Report, prior: Report | None = None) -> str:
    """The report as a Markdown draft: the text sections as written, the tables as paragraphs."""
    schema = report.format.schema
    texts = {f.id: f.label for f in schema.text}
    sections = [(texts["overview"], report.text.get("overview") or NO_TEXT)]
    sections += [(t.title, paragraph(report, t.id, prior)) for t in schema.tables]
    sections += [(texts[k], report.text.get(k) or NO_TEXT) for k in ("problems", "other_matters")]
    who = (report.org or "") + (_when(report) if isinstance(report.year, int) else "")
    return _env().get_template("draft.md.j2").render(heading=who + REPORT_TITLE,
                                                      sections=sections).strip() + "\n"


def _new_change(report: Report, prior: Report | None) -> Number | None:
    """This year's new applications minus last year's, when last year is the year before and
    its count is known (a wrong or blank last year gives no comparison, not a guess)."""
    if prior is None or not isinstance(report.year, int) or prior.year != report.year - 1:
        return None
    new = report.format.schema.table(REQUESTS).role(Role.NEW)
    return compare(report, prior)[(REQUESTS.value, new.id, _total(new))].delta


def _when(report: Report) -> str:
    return YEAR.format(year=report.year) if isinstance(report.year, int) else THIS_YEAR


def _keys(table: Table) -> list[CellKey]:
    return [(table.id, r.id, c.id) for r, c in table.cells()]


def number(value: object) -> str:
    """A number as prose writes it: 3, 1.5, 0 (a fee of 0.0000 is 0)."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if Decimal(text) == 0 else text
    return str(value)


def _total(row: Row) -> str:
    return next(c.id for c in row.columns if c.derived)


def _n(report: ReportView, key: CellKey) -> Number:
    value = report.number(key)
    assert is_number(value), key  # paragraph() has made sure every cell is a number
    return value


def _result_groups(table: Table) -> tuple[tuple[str, tuple[Row, ...]], ...]:
    """（一）…（六）: each group of result rows under its label (a row without a group is one)."""
    groups: dict[str, list[Row]] = {}
    for r in table.with_role(Role.RESULT):
        groups.setdefault(r.parents[1] if len(r.parents) > 1 else r.label, []).append(r)
    return tuple((label, tuple(rows)) for label, rows in groups.items())


def _requests(report: ReportView, table: Table) -> dict:
    def row(role_or_row: Role | Row, column: str | None = None) -> Number:
        r = table.role(role_or_row) if isinstance(role_or_row, Role) else role_or_row
        return _n(report, (table.id, r.id, column or _total(r)))

    persons = [c for c in table.columns if not c.derived and not c.parents]
    orgs = [c for c in table.columns if not c.derived and c.parents]
    applicants = [(c.label, row(Role.NEW, c.id)) for c in persons]
    applicants.append((orgs[0].parents[0], sum(row(Role.NEW, c.id) for c in orgs)))
    results = []
    for label, rows in _result_groups(table):
        count = sum(row(r) for r in rows)
        if count:
            details = [(short(r.label), row(r)) for r in rows if len(rows) > 1 and row(r)]
            results.append((short(label), count, details))
    return {"new": row(Role.NEW), "carried": row(Role.CARRIED_OVER), "applicants": applicants,
            "results": results, "done": row(Role.RESULTS_TOTAL),
            "next": row(Role.CARRIED_FORWARD)}


def _proactive(report: ReportView, table: Table) -> dict:
    value = lambda r, c: number(_n(report, (table.id, r.id, c)))  # noqa: E731
    documents = [(r.label, value(r, "issued"), value(r, "repealed"), value(r, "in_force"))
                 for r in table.with_role(Role.DOCUMENTS)]
    decisions = [(r.label, value(r, "decisions")) for r in table.with_role(Role.DECISIONS)]
    fees = table.with_role(Role.FEES)
    return {"documents": documents, "decisions": decisions,
            "fees": [(r.label, value(r, "amount")) for r in fees]}


def _appeals(report: ReportView, table: Table) -> dict:
    groups = []
    for r in table.with_role(Role.APPEAL):
        name = f"{r.parents[0]}（{r.label}）" if r.parents else r.label
        total = _n(report, (table.id, r.id, _total(r)))
        details = [(c.label, _n(report, (table.id, r.id, c.id))) for c in r.columns
                   if not c.derived and _n(report, (table.id, r.id, c.id))]
        groups.append((name, total, details))
    return {"groups": groups, "total": sum(n for _, n, _ in groups)}


_CONTEXT: dict[str, Callable[[ReportView, Table], dict]] = {REQUESTS: _requests, PROACTIVE: _proactive, APPEALS: _appeals}
