"""What each Excel function returns for a report: plain values Excel can show.

Pure: no xlwings, no Excel. ``udfs`` converts Excel's arguments and calls these; the template
writer calls them too, to store beside each formula the value it shows before Excel recalculates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import errors
from ..core.findings import SUMMARY_OK, Finding, summary
from ..core.gb2021 import REQUESTS, TABLES, Column, Row, Table
from ..core.model import Invalid, Report, Value
from ..core.reasons import collect, explain
from ..core.rules import RULES_BY_ID, check

#: The module the xlwings add-in imports (the ``UDF Modules`` setting of xlwings.conf).
UDF_MODULE = "xlgbreport.excel.udfs"
#: Excel names of the functions; the Python function is the same name in lower case. None may
#: equal a defined name of the template, whatever the case (hence not XLG_PRIOR: xlg_prior is the
#: 封面 cell): LibreOffice, for one, then reads the call as the name.
CHECK, STATUS, LAST_YEAR, TEXT = "XLG_CHECK", "XLG_STATUS", "XLG_LAST_YEAR", "XLG_TEXT"

ALL_PASS = SUMMARY_OK
FAILED = "✘ {message}"  # how a function shows a problem in its cell
NO_PRIOR = errors.NO_PRIOR + "：封面没有填写上年工作簿（路径或所在文件夹）"
NO_TABLE = "没有“{table}”这张表：可填 {choices}"
NO_ROW = "“{table}”中没有“{row}”这一行"
#: The defined names a function takes, in argument order: cover fields, then the tables.
META_NAMES: tuple[str, ...] = ("xlg_org", "xlg_year")
TABLE_NAMES: tuple[str, ...] = tuple(f"xlg_{t.id}" for t in TABLES)
ARGUMENT_NAMES: tuple[str, ...] = META_NAMES + TABLE_NAMES


class ArgumentError(ValueError):
    """An argument a clerk gave that does not fit; the message says why, in Chinese."""


NO_COLUMN = "“{row}”没有“{column}”这一列"


def report_arguments() -> str:
    """The arguments every report function takes in the template: the defined names."""
    return ",".join(ARGUMENT_NAMES)


def check_table(report: Report) -> list[list[str]]:
    """One row per finding: [规则, 单元格, 说明]; or one cell ``✔ 全部通过``. Excel passes the
    tables, not the text sections: their check is on the 校验 sheet."""
    findings = _findings(report)
    if not findings:
        return [[ALL_PASS]]
    return [[_title(f), f.ref, f.shown] for f in findings]


def _findings(report: Report) -> list[Finding]:
    """The tables' findings, warnings explained by the report's 核实说明."""
    return explain(check(report, text=False), report.reasons)[0]


def with_reasons(report: Report, rows: Any) -> Report:
    """``report`` with the 核实说明 in ``rows`` (the xlg_reasons range: 规则, 单元格, 说明)."""
    if isinstance(rows, (list, tuple)):
        report.reasons = collect(tuple(row)[:3] for row in rows
                                 if isinstance(row, (list, tuple)) and len(row) >= 3)
    return report


def _title(finding: Finding) -> str:
    rule = RULES_BY_ID.get(finding.rule)
    return rule.title if rule else finding.rule


def status(report: Report) -> str:
    """One line: ``✘ 3 处错误，1 处提示`` or ``✔ 全部通过``."""
    return summary(_findings(report))


def text(report: Report, part: Any = None) -> str:
    """The narrative paragraph of one table, named as in :func:`lookup` (default: table 三)."""
    from ..core import narrative  # with Jinja2: not imported by every command that names UDF_MODULE

    return narrative.paragraph(report, REQUESTS.id if _blank(part) else _table(part).id)


def lookup(report: Report, table: Any, row: Any, column: Any = None) -> Any:
    """A cell of a report (or its whole row when no column is named), as Excel shows it.

    Tables, rows and columns are named by id, sheet or label as a clerk might write them;
    a number typed for a row id (4, 3.1) is read as the id."""
    t = _table(table)
    r = _row(t, row)
    if _blank(column):
        return [[excel(report.value((t.id, r.id, c.id))) for c in r.columns]]
    c = _column(t, r, column)
    return excel(report.value((t.id, r.id, c.id)))


def excel(value: Value) -> Any:
    """A report value as a cell shows it: a blank stays empty (never 0), text as it was."""
    if value is None:
        return ""
    if isinstance(value, Invalid):
        return value.raw
    if isinstance(value, Decimal):
        return float(value)
    return value


def _name(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).split())


def _blank(value: Any) -> bool:
    return value is None or _name(value) == ""


def _table(name: Any) -> Table:
    wanted = _name(name)
    for t in TABLES:
        if wanted in (t.id, t.sheet, t.title):
            return t
    raise ArgumentError(NO_TABLE.format(table=name, choices="、".join(t.sheet for t in TABLES)))


def _row(table: Table, name: Any) -> Row:
    wanted = _name(name)
    for r in table.rows:
        if wanted in (r.id, r.label, r.title):
            return r
    raise ArgumentError(NO_ROW.format(table=table.sheet, row=name))


def _column(table: Table, row: Row, name: Any) -> Column:
    wanted = _name(name)
    for c in row.columns:
        if wanted in (c.id, c.label):
            return c
    raise ArgumentError(NO_COLUMN.format(row=row.title, column=name))
