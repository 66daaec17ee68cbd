"""The workbook's buttons, run by the xlwings add-in (``RunPython``) in the open workbook.

- 校验 (:func:`check_book`): the command line's checks (texts and last year included) in one
  message box: the verdict and the first problems, each with its cell.
- 结转上年数据 (:func:`carry_over_prior`): fills 二、上年结转 of table 三 from last year's
  四、结转下年度继续办理, last year's workbook being the path or folder named on 封面.
- 生成报告 (:func:`generate_report`): writes the report drafted from the numbers (Markdown, see
  ``narrative``) and the Word report with the official tables (``render``) next to the workbook.
- 生成对比报告 (:func:`generate_comparison`): the Word two-year comparison (``xlgbreport compare``)
  next to the workbook, against last year's workbook named on 封面.

Both read the open workbook through its defined names (so inserted rows do not matter), call the
same core as the command line, and end with one Chinese message box. Cells are written only by
the carry-over, and only the carried input cells; what last year left blank is not written.
Reading or writing files needs the add-in's local Python: xlwings Lite cannot run these.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import errors
from .. import rendering as render
from ..actions import carry, prior_source, validation
from ..actions.report import write_draft
from ..core import prior
from ..core.findings import summary
from ..core.gb2021 import REQUESTS, SCHEMA, TABLES_BY_ID, TEXT_SECTIONS
from ..core.model import Report
from ..errors import InputError, XlgbreportError
from ..files import cells
from ..rendering import compare as comparison
from ..workbook import functions, reason_sheet
from ..workbook.functions import ARGUMENT_NAMES, ArgumentError
from ..workbook.layout import LAYOUT, row_name
from . import log as excel_log
from .ranges import report_from_ranges

TITLE = "xlgbreport"
CARRIED = "已从上年工作簿（{source}）结转 {n} 个单元格到“{row}”。"
LEFT_BLANK = "上年有 {n} 格为空或不是数字，没有结转，请核实后填写。"
#: What a clerk can do when last year's workbook does not match (there is no --force here).
REMEDY = "（请核对封面“上年工作簿”所填的文件）"
NOT_TEMPLATE = "本工作簿缺少名称 {name}，不是本模板的工作簿。"
NOT_SAVED = "请先把本工作簿保存到本机文件夹，报告会生成在它旁边。"
WROTE = "已生成 {path}"
KEPT = "（{path} 已存在且内容不同，没有覆盖）"
MAX_SHOWN = 12  # problems listed in the message box; the 校验 sheet has them all
MORE_FINDINGS = "另有 {n} 处，见“校验”表。"


def check_book(book: Any = None) -> str:
    """Button 校验. Returns the message it showed."""
    return _run(_check, book)


def carry_over_prior(book: Any = None) -> str:
    """Button 结转上年数据. Returns the message it showed (for tests and logs)."""
    return _run(_carry_over, book)


def generate_report(book: Any = None) -> str:
    """Button 生成报告: the Markdown draft beside the workbook. Returns the message it showed."""
    return _run(_generate, book)


def generate_comparison(book: Any = None) -> str:
    """Button 生成对比报告: the Word comparison with last year beside the workbook."""
    return _run(_compare, book)


def _run(action: Callable[[Any], str], book: Any) -> str:
    """Run a button's action; whatever happens, the clerk gets one Chinese message box."""
    book = book if book is not None else _caller()
    try:
        message = action(book)
    except XlgbreportError as exc:
        message = exc.message
    except ArgumentError as exc:
        message = str(exc)
    except Exception as exc:  # the last guard before a clerk's screen
        message = errors.INTERNAL.format(error=type(exc).__name__,
                                         log=excel_log.record(action.__name__))
    book.app.alert(message, TITLE)
    return message


def _check(book: Any) -> str:
    this = read_book(book)
    this.where = LAYOUT.where()  # findings name cells, as in Excel
    try:  # last year, where the 封面 names it, adds the cross-year checks, as on the command line
        last = prior_source.resolve(this, saved_path(book), None, [])
    except InputError:
        last = None
    findings, _ = validation.check(this, last)  # warnings explained by the 核实说明, as validate does
    lines = [summary(findings)] + [f"{f.ref} {f.shown}" for f in findings[:MAX_SHOWN]]
    if len(findings) > MAX_SHOWN:
        lines.append(MORE_FINDINGS.format(n=len(findings) - MAX_SHOWN))
    return "\n".join(lines)


def _carry_over(book: Any) -> str:
    """The command line's plan (``actions.carry``), written into the open workbook's cells."""
    this = read_book(book)
    last = carry.find_last(this, saved_path(book), None, [])
    decided = carry.plan(this, last, remedy=REMEDY)
    for (table, row, column), value in decided.numbers.items():
        columns = [c.id for c in TABLES_BY_ID[table].row(row).columns]
        _named(book, row_name(table, row))[0, columns.index(column)].value = _excel(value)
    message = CARRIED.format(source=_who(last), n=len(decided.numbers),
                             row=REQUESTS.row(prior.CARRIED_TO).label)
    return message + (LEFT_BLANK.format(n=len(decided.left)) if decided.left else "")


def _who(report: Report) -> str:
    year = f"{report.year} 年度" if report.year is not None else "年度未填"
    return f"{report.org or '机关名称未填'} {year}"


def _generate(book: Any) -> str:
    path = saved_path(book)
    if path is None:
        return NOT_SAVED
    this = read_book(book)
    lines = []
    for made in (write_draft(path, this), render.write_word(path, this)):
        lines.append(WROTE.format(path=made.path) + (KEPT.format(path=made.kept.name) if made.kept else ""))
    return "\n".join(lines)


def _compare(book: Any) -> str:
    path = saved_path(book)
    if path is None:
        return NOT_SAVED
    made = comparison.write_word(path, read_book(book))
    return WROTE.format(path=made.path) + (KEPT.format(path=made.kept.name) if made.kept else "")


def read_book(book: Any) -> Report:
    """The open workbook's report, read through its defined names as the functions read it."""
    values = [_named(book, name).options(ndim=2, err_to_str=True).value for name in ARGUMENT_NAMES]
    report = report_from_ranges(*values)
    report.meta = {f.id: cells.text(_named(book, f"xlg_{f.id}").value)
                   for f in SCHEMA.meta if f.id not in ("org", "year")}
    report.text = {f.id: cells.text(_named(book, f"xlg_text_{f.id}").value) for f in TEXT_SECTIONS}
    try:
        rows = book.names[reason_sheet.NAME].refers_to_range.options(ndim=2).value
    except Exception:  # a workbook from before the 核实说明 sheet: no reasons
        rows = None
    return functions.with_reasons(report, rows)


def _named(book: Any, name: str) -> Any:
    try:
        return book.names[name].refers_to_range
    except Exception:  # xlwings raises what the platform raises for a missing name
        raise ArgumentError(NOT_TEMPLATE.format(name=name)) from None


def _excel(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def saved_path(book: Any) -> Path | None:
    """The workbook's file, or None when it is not saved in a local folder (new, or online)."""
    path = Path(str(book.fullname or ""))
    return path if path.is_absolute() and path.parent.is_dir() else None


def _caller() -> Any:
    import xlwings

    return xlwings.Book.caller()
