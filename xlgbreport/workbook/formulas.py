"""The check rules compiled to native Excel formulas, for the 校验 sheet and conditional formats.

Every formula here is built from a rule's declaration (``rules.Equation`` and friends) and the
layout, never typed by hand; beside each formula is the value Excel would compute for a given
report, so that written workbooks carry totals and verdicts before any recalculation. Tests
evaluate these formulas with an independent engine and compare them with ``rules.check``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from string import Formatter
from typing import Any, NamedTuple

from xlsxwriter.utility import xl_rowcol_to_cell

from ..core.findings import SUMMARY_BAD, SUMMARY_EXPLAINED, SUMMARY_NO_ERRORS, SUMMARY_OK, SUMMARY_WARN
from ..core.gb2021 import SCHEMA, TABLES, CellKey, Table
from ..core.model import Invalid, Report, is_number, parts
from ..core.rules import (
    EQUATION_RULES,
    Equation,
    MetaMissing,
    MetaYear,
    TextLength,
    TextMissing,
    ValueBlank,
    ValueInvalid,
)
from ..core.tables import Kind
from .layout import LAYOUT, Area, Layout, ranges, sum_formula

PASS, FAIL, INCOMPLETE, WARN = "✔", "✘", "待填", "提示"
BLANK_SUMMARY = "{table}：{n} 个单元格为空"
INVALID_SUMMARY = "{table}：{n} 个单元格不是有效数字（文本、错误值、负数或小数）"
WIDE_SPACES = ("\u3000", "\xa0")  # full-width (Chinese input) and no-break (pasted) spaces
#: ISFORMULA (Excel 2013+, WPS, LibreOffice) as the file stores it; where it is unknown (Excel
#: 2010 shows #NAME?), a total is taken for the template's formula.
ISFORMULA = "IFERROR(_xlfn.ISFORMULA({ref}),TRUE)"


# --- what Excel holds in a cell -----------------------------------------------------

def excel_value(report: Report, key: CellKey) -> Any:
    """What Excel shows in the cell once the template's formulas are calculated."""
    if key in report.cells:
        value = report.cells[key]
        return value.raw if isinstance(value, Invalid) else value
    if parts(key):  # an absent total is the template's SUM formula
        return shown_total(lambda k: excel_value(report, k), key)
    return None


def shown_total(shown: Callable[[CellKey], Any], key: CellKey) -> Any:
    """What the template's SUM formula in a derived cell shows, given what each of the cells it
    reads shows: the numbers among them (blank and text count as 0: SUM skips them)."""
    return sum((v for v in map(shown, parts(key)) if is_number(v)), 0)


def derived_formula(key: CellKey, layout: Layout = LAYOUT) -> str:
    """The template formula of a derived cell (a total)."""
    home = layout.cells[key][0]
    return "=" + sum_formula([layout.cells[k] for k in parts(key)], home)


# --- the 校验 sheet -----------------------------------------------------------------

class Shown(NamedTuple):
    """What a 校验 row shows for a report; ``count`` is how many findings its rule gives there."""

    expected: Any
    actual: Any
    status: str
    message: str
    # a field named as tuple.count shadows that method: mypy's complaint, harmless here (the
    # rows are indexed and read by name, never asked .count(x)); the name is read in writer.py
    count: int  # type: ignore[assignment]


#: A row's 处数 when it stands for one finding: 1 when it fails or warns.
ONE = f'=IF(OR({{status}}="{FAIL}",{{status}}="{WARN}"),1,0)'


@dataclass(frozen=True)
class CheckRow:
    """One row of the 校验 sheet: formulas and, for a given report, their values."""

    rule: str
    title: str
    where: str
    expected: str  # formula
    actual: str  # formula
    status: str  # formula giving PASS, FAIL or INCOMPLETE
    message: str  # formula giving the Chinese message when FAIL
    values: Callable[[Report], Shown]
    highlight: tuple[CellKey, ...] = ()
    failing: str = ""  # condition formula on the highlighted cells' sheet, for red fill
    count: str = ONE  # formula: the number of findings the row stands for (处数)


def _shown(expected: Any, actual: Any, status: str, message: str) -> Shown:
    """A row that stands for one finding (an equation, a cover field, a text section)."""
    return Shown(expected, actual, status, message, int(status in (FAIL, WARN)))


def _sum(keys: tuple[CellKey, ...], home: str, layout: Layout) -> str:
    return sum_formula([layout.cells[k] for k in keys], home)


def _text_expr(template: str, args: dict[str, str]) -> str:
    """A message template as an Excel string expression: literals joined with ``&`` to args."""
    pieces = []
    for literal, name, _spec, _conv in Formatter().parse(template):
        if literal:
            pieces.append('"' + literal.replace('"', '""') + '"')
        if name is not None:
            pieces.append(args[name])
    return "&".join(pieces)


def _equation_row(eq: Equation, home: str, layout: Layout) -> CheckRow:
    support = eq.support
    count = f"COUNT({','.join(ranges([layout.cells[k] for k in support], home))})"
    expected = _sum(eq.expected, home, layout)
    actual = _sum(eq.actual, home, layout)
    args = {name: ('"' + arg.replace('"', '""') + '"' if isinstance(arg, str)
                   else _sum(arg, home, layout)) for name, arg in eq.args}
    status = (f'IF({count}<{len(support)},"{INCOMPLETE}",'
              f'IF({expected}={actual},"{PASS}","{FAIL}"))')
    message = _text_expr(eq.rule.template, args)
    eq_sheet = layout.cells[eq.at][0]
    failing = (f"AND({_count_local(support, eq_sheet, layout)}={len(support)},"
               f"{_sum(eq.expected, eq_sheet, layout)}<>{_sum(eq.actual, eq_sheet, layout)})")

    def values(report: Report) -> Shown:
        xs = [excel_value(report, k) for k in eq.expected]
        ys = [excel_value(report, k) for k in eq.actual]
        e = sum((x for x in xs if is_number(x)), 0)
        a = sum((y for y in ys if is_number(y)), 0)
        if not all(is_number(excel_value(report, k)) for k in support):
            return _shown(e, a, INCOMPLETE, "")
        found = eq.evaluate(report)
        return _shown(e, a, (FAIL if found else PASS), (found.message if found else ""))

    return CheckRow(eq.rule.id, eq.rule.title, layout.a1(eq.at), "=" + expected, "=" + actual,
                    "=" + status, f'=IF({_cell("status")}="{FAIL}",{message},"")', values,
                    eq.highlight, failing)


def _count_local(keys: tuple[CellKey, ...], home: str, layout: Layout) -> str:
    return f"COUNT({','.join(ranges([layout.cells[k] for k in keys], home))})"


def table_areas(table: Table, layout: Layout = LAYOUT) -> list[Area]:
    """The value cells of a table as rectangles (one per row), for COUNTBLANK and formats."""
    out = []
    for row in table.rows:
        cells = [layout.cells[(table.id, row.id, c.id)] for c in row.columns]
        out.append(Area(cells[0][0], cells[0][1], cells[-1][1]))
    return _merge_rows(out)


def _merge_rows(areas: list[Area]) -> list[Area]:
    """Stack rows of equal width into taller rectangles (D5:J29 rather than 25 rows)."""
    merged: list[Area] = []
    for a in areas:
        prev = merged[-1] if merged else None
        if (prev and prev.sheet == a.sheet and prev.first[1] == a.first[1]
                and prev.last[1] == a.last[1] and prev.last[0] + 1 == a.first[0]):
            merged[-1] = Area(a.sheet, prev.first, a.last)
        else:
            merged.append(a)
    return merged


class ValueArea(NamedTuple):
    """Cells of a table that ``value.invalid`` judges alike: inputs or totals, of one kind."""

    area: Area
    derived: bool
    kind: Kind  # count or amount
    signed: bool


def value_areas(table: Table, layout: Layout = LAYOUT) -> list[ValueArea]:
    """The table's cells as rectangles of one kind each: per row, runs of cells alike (input or
    total, count or amount, signed or not), stacked where rows line up."""
    runs: dict[tuple[bool, Kind, bool], list[Area]] = {}
    for row in table.rows:
        cells = [((SCHEMA.is_derived(k), c.kind, c.signed), layout.cells[k])
                 for c in row.columns for k in [(table.id, row.id, c.id)]]
        for alike, run in groupby(cells, key=itemgetter(0)):
            (sheet, first), *rest = (cell for _, cell in run)
            runs.setdefault(alike, []).append(Area(sheet, first, rest[-1][1] if rest else first))
    return sorted((ValueArea(a, *alike) for alike, areas in runs.items() for a in _merge_rows(areas)),
                  key=lambda v: (v.area.first, v.area.last))


def invalid_term(ref: str, kind: Kind, signed: bool = False) -> str:
    """1 where ``ValueInvalid`` finds a problem in the cell ``ref`` (in ``SUMPRODUCT``: in each
    cell of a range), else 0: text, an error value, a negative number, a fraction for a count.

    IF does not map over a range in older Excel, so the tests are made of parts that cannot fail
    themselves (IS… of a failed computation is FALSE): 1/(x−ABS(x)) is a number only for a
    negative x, 1/(x−INT(ABS(x))) only for a negative or fractional one, 1/(x−INT(x)) only for
    a fraction."""
    if kind == "amount":
        wrong = None if signed else f"{ref}-ABS({ref})"
    else:
        wrong = f"{ref}-INT({ref})" if signed else f"{ref}-INT(ABS({ref}))"
    bad = f"+ISNUMBER({ref})*ISNUMBER(1/({wrong}))" if wrong else ""
    return f"ISTEXT({ref})+ISERROR({ref}){bad}"


def _given_term(ref: str, kind: Kind, signed: bool = False) -> str:
    """A total's term: only a value typed over the formula is the report's (a computed total is
    not checked: its parts are)."""
    return f"IF({ISFORMULA.format(ref=ref)},0,{invalid_term(ref, kind, signed)})"


def value_formats(table: Table, layout: Layout = LAYOUT) -> list[tuple[Area, str, str]]:
    """The table's value formats (area, condition on its top-left cell, "blank" or "invalid"):
    yellow where ``value.blank`` counts, red where ``value.invalid`` does; the same terms as the
    校验 rows, so the colours and the counts cannot part."""
    out = [(a, f"ISBLANK({_corner(a)})", "blank") for a in table_areas(table, layout)]
    for v in value_areas(table, layout):
        term = (_given_term if v.derived else invalid_term)(_corner(v.area), v.kind, v.signed)
        out.append((v.area, f"{term}>0", "invalid"))
    return out


def _corner(area: Area) -> str:
    return xl_rowcol_to_cell(*area.first)


def _blank_row(table: Table, layout: Layout) -> CheckRow:
    areas = table_areas(table, layout)
    count = "+".join(f"COUNTBLANK({a.ref()})" for a in areas)
    message = _text_expr(BLANK_SUMMARY, {"table": f'"{table.sheet}"', "n": _cell("expected")})

    def values(report: Report) -> Shown:
        n = sum(1 for f in ValueBlank().check(report) if f.table == table.id)
        return Shown(n, 0, (FAIL if n else PASS),
                     (BLANK_SUMMARY.format(table=table.sheet, n=n) if n else ""), n)

    return CheckRow(ValueBlank.id, ValueBlank.title, table.sheet, "=" + count, "=0",
                    f'=IF({_cell("expected")}>0,"{FAIL}","{PASS}")',
                    f'=IF({_cell("status")}="{FAIL}",{message},"")', values,
                    count="=" + _cell("expected"))


def _invalid_row(table: Table, layout: Layout) -> CheckRow:
    """value.invalid's count: its findings, one per cell (an input, or a total typed over)."""
    terms = []
    for v in value_areas(table, layout):
        if not v.derived:
            terms.append(f"SUMPRODUCT({invalid_term(v.area.ref(), v.kind, v.signed)})")
            continue
        (r0, c0), (r1, c1) = v.area.first, v.area.last
        terms += [_given_term(Area(v.area.sheet, (r, c), (r, c)).ref(absolute=False), v.kind, v.signed)
                  for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    message = _text_expr(INVALID_SUMMARY, {"table": f'"{table.sheet}"', "n": _cell("expected")})

    def values(report: Report) -> Shown:
        n = sum(1 for f in ValueInvalid().check(report) if f.table == table.id)
        return Shown(n, 0, (FAIL if n else PASS),
                     (INVALID_SUMMARY.format(table=table.sheet, n=n) if n else ""), n)

    return CheckRow(ValueInvalid.id, ValueInvalid.title, table.sheet, "=" + "+".join(terms), "=0",
                    f'=IF({_cell("expected")}>0,"{FAIL}","{PASS}")',
                    f'=IF({_cell("status")}="{FAIL}",{message},"")', values,
                    count="=" + _cell("expected"))


def _meta_rows(layout: Layout) -> list[CheckRow]:
    labels = {f.id: f.label for f in SCHEMA.meta}
    rows = []
    for fid in ("org", "year"):
        sheet, pos = layout.meta[fid]
        ref = Area(sheet, pos, pos).ref()
        message = MetaMissing.template.format(field=labels[fid])

        def values(report: Report, fid: str = fid):
            found = [f for f in MetaMissing().check(report) if f.args_dict["field"] == labels[fid]]
            return _shown(None, None, (FAIL if found else PASS), (found[0].message if found else ""))

        test = _only_spaces(ref) if fid == "org" else f"ISBLANK({ref})"
        rows.append(CheckRow(MetaMissing.id, MetaMissing.title, ref.replace("$", ""), "", "",
                             f'=IF({test},"{FAIL}","{PASS}")',
                             f'=IF({_cell("status")}="{FAIL}","{message}","")', values))
    sheet, pos = layout.meta["year"]
    ref = Area(sheet, pos, pos).ref()
    ok = f"AND({ref}=INT({ref}),{ref}>={MetaYear.FIRST},{ref}<={MetaYear.LAST})"
    year_label = labels["year"]

    def year_values(report: Report):
        if report.year is None:
            return _shown(None, None, INCOMPLETE, "")
        found = list(MetaYear().check(report))
        return _shown(None, None, (FAIL if found else PASS), (found[0].message if found else ""))

    message = _text_expr(MetaYear.template, {"field": f'"{year_label}"', "value": ref})
    rows.append(CheckRow(MetaYear.id, MetaYear.title, ref.replace("$", ""), "", "",
                         f'=IF(ISBLANK({ref}),"{INCOMPLETE}",IF(ISNUMBER({ref}),'
                         f'IF({ok},"{PASS}","{FAIL}"),"{FAIL}"))',
                         f'=IF({_cell("status")}="{FAIL}",{message},"")', year_values))
    return rows


def _text_rows(layout: Layout) -> list[CheckRow]:
    """text.missing on the report alone: a section empty or only "无" (a warning)."""
    rule = TextMissing()
    labels = {f.id: f.label for f in SCHEMA.text}
    rows = []
    for section in rule.SECTIONS:
        sheet, pos = layout.text[section]
        ref = Area(sheet, pos, pos).ref()
        text = _squeezed(ref, rule.SPACES)
        nothing = ",".join(f'{text}="{t}"' for t in sorted(rule.NOTHING_TEXTS))
        empty_msg = rule.template.format(section=labels[section], problem=rule.EMPTY)
        head, tail = rule.NOTHING.split("{text}")
        nothing_msg = _text_expr(rule.template, {
            "section": f'"{labels[section]}"',
            "problem": f'"{head}"&{text}&"{tail}"'})

        def values(report: Report, label: str = labels[section]):
            found = [f for f in rule.check(report) if f.args_dict["section"] == label]
            return _shown(None, None, (WARN if found else PASS), (found[0].message if found else ""))

        rows.append(CheckRow(rule.id, rule.title, ref.replace("$", ""), "", "",
                             f'=IF(OR(LEN({text})=0,{nothing}),"{WARN}","{PASS}")',
                             f'=IF(LEN({text})=0,"{empty_msg}",'
                             f'IF({_cell("status")}="{WARN}",{nothing_msg},""))', values))
    return rows + [_length_row(layout)]


def _length_row(layout: Layout) -> CheckRow:
    """text.length: 一 counted as ``TextLength`` counts it (no spaces, no control characters)."""
    rule = TextLength()
    sheet, pos = layout.text[rule.SECTION]
    ref = Area(sheet, pos, pos).ref()
    count = f"LEN({_squeezed(ref, TextMissing.SPACES)})"
    message = _text_expr(rule.template, {"section": f'"{SCHEMA.label(rule.SECTION)}"', "n": count})

    def values(report: Report):
        found = list(rule.check(report))
        return _shown(None, None, (WARN if found else PASS), (found[0].message if found else ""))

    return CheckRow(rule.id, rule.title, ref.replace("$", ""), "", "",
                    f'=IF({count}>{rule.LIMIT},"{WARN}","{PASS}")',
                    f'=IF({_cell("status")}="{WARN}",{message},"")', values)


def _squeezed(ref: str, spaces: tuple[str, ...]) -> str:
    """The text without ``spaces`` and control characters (CLEAN), as ``TextMissing.squeeze``."""
    text = f"CLEAN({ref})"
    for space in spaces:
        text = f'SUBSTITUTE({text},"{space}","")'
    return text


def summary_formula(errors: str, warnings: str, explained: str = "0") -> str:
    """The 校验 sheet's headline as a formula of the error, open warning and explained warning
    counts: the command line's verdict (``findings.summary_line``), from the same templates."""
    warned = f'IF({warnings}=0,"",{_text_expr(SUMMARY_WARN, {"warnings": warnings})})'
    told = f'IF({explained}=0,"",{_text_expr(SUMMARY_EXPLAINED, {"explained": explained})})'
    bad = _text_expr(SUMMARY_BAD, {"errors": errors})
    return (f'=IF({errors}=0,IF({warnings}+{explained}=0,"{SUMMARY_OK}",'
            f'"{SUMMARY_NO_ERRORS}"&{warned}&{told}),{bad}&{warned}&{told})')


def _only_spaces(ref: str) -> str:
    """True when a cell is empty or only white space, as ``str.strip`` sees it: TRIM removes
    only ASCII spaces, so full-width and no-break spaces become spaces and CLEAN drops tabs."""
    text = ref
    for space in WIDE_SPACES:
        text = f'SUBSTITUTE({text},"{space}"," ")'
    return f"LEN(TRIM(CLEAN({text})))=0"


# Placeholders for same-row references on the 校验 sheet; the writer substitutes the row.
def _cell(column: str) -> str:
    return "{" + column + "}"


def check_rows(home: str, layout: Layout = LAYOUT) -> list[CheckRow]:
    """Every row of the 校验 sheet, in rule order; ``home`` is the 校验 sheet's name."""
    rows = _meta_rows(layout)
    for table in TABLES:
        rows.append(_blank_row(table, layout))
        rows.append(_invalid_row(table, layout))
    for rule in EQUATION_RULES:
        for eq in rule.declared():
            rows.append(_equation_row(eq, home, layout))
    return rows + _text_rows(layout)


def number_for_excel(value: Any) -> Any:
    """Decimals as floats for the file; Excel holds doubles."""
    return float(value) if isinstance(value, Decimal) else value
