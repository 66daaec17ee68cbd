"""The template's two sheets for xlwings: Python校验 (the functions at work) and xlwings.conf.

Python校验 calls XLG_STATUS, XLG_TEXT, XLG_LAST_YEAR and XLG_CHECK on the template's defined names.
Each formula is written as a dynamic array formula (so Excel spills it and adds no implicit ``@``)
together with the value Python computes for it, so a viewer without the add-in still sees
real results; Excel itself shows #NAME? until the functions are available. The hidden
xlwings.conf sheet names the module the add-in imports the functions from.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..core.gb2021 import REQUESTS, TABLES
from ..core.model import Report
from ..core.prior import CARRIED_FROM
from . import functions
from .functions import CHECK, LAST_YEAR, STATUS, TEXT, report_arguments
from .layout import LAYOUT
from .reason_sheet import NAME as REASONS

TITLE = "Python 校验（需要 xlwings 加载项）"
NOTE = (
    "本表的公式（XLG_ 开头）由 Python 计算，需要安装 xlwings 加载项并导入函数，见 docs/excel.md。"
    "没有加载项时这些单元格显示 #NAME?，不影响填报，“校验”表的原生公式照常工作。"
    "打开文件前看到的是生成本工作簿时算出的结果。"
)
STATUS_LABEL = "校验结论"
TEXT_LABEL = "{sheet}（文字）"
PRIOR_LABEL = "上年“四、结转下年度继续办理”（XLG_LAST_YEAR）"
CHECK_LABEL = "校验问题"
CHECK_HEADERS = ("规则", "单元格", "说明")
PRIOR_LATER = "（在 Excel 中读取上年工作簿）"
CONF_HINT = "xlwings 加载项读取本表：UDF Modules 是 XLG_ 函数所在的 Python 模块。请勿改动。"

CARRIED_ROW = CARRIED_FROM  # last year's 四、结转下年度继续办理 is this year's 二、上年结转
LABEL_COL, VALUE_COL, WIDE_LAST_COL = 0, 1, 3
CHARS_PER_LINE = 48  # a wrapped paragraph across B:D, for the row height


def formula(name: str, *extra: str) -> str:
    """A report function over the defined names, with extra arguments after them."""
    return f"={name}({','.join((report_arguments(), *extra))})"


def prior_formula() -> str:
    """Last year's row 四 of table 三, spilled downwards beside the column names. The column is
    given as "" (the whole row) rather than left out: LibreOffice misreads an empty argument."""
    return (f'=TRANSPOSE({LAST_YEAR}(xlg_prior,"{REQUESTS.id}","{CARRIED_ROW}","",'
            f'xlg_org,xlg_year))')


def prior_value(report: Report) -> Any:
    """What the LAST_YEAR formula shows before Excel runs it: its message when no prior is named."""
    if not (report.meta.get("prior") or "").strip():
        return functions.FAILED.format(message=functions.NO_PRIOR)
    return PRIOR_LATER


def write_udf_sheet(ws, report: Report, cell_formats) -> None:
    """Fill the Python校验 sheet; ``cell_formats`` holds the writer's title, note, header, label, plain."""
    report = replace(report, where=LAYOUT.where())  # findings name cells, as in Excel
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 70)
    ws.merge_range(0, 0, 0, WIDE_LAST_COL, TITLE, cell_formats.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, WIDE_LAST_COL, NOTE, cell_formats.note)
    ws.set_row(1, 44)
    r = 3
    ws.write_string(r, LABEL_COL, STATUS_LABEL, cell_formats.header)
    _cell(ws, r, formula(STATUS, REASONS), functions.status(report), cell_formats.label)
    for table in TABLES:
        r += 1
        text = functions.text(report, table.id)
        ws.write_string(r, LABEL_COL, TEXT_LABEL.format(sheet=table.sheet), cell_formats.header)
        ws.merge_range(r, VALUE_COL, r, WIDE_LAST_COL, None, cell_formats.label)
        _cell(ws, r, formula(TEXT, f'"{table.id}"'), text, cell_formats.label)
        ws.set_row(r, 15 * (len(text) // CHARS_PER_LINE + 1) + 4)
    r += 2
    ws.merge_range(r, LABEL_COL, r, VALUE_COL, PRIOR_LABEL, cell_formats.header)
    for i, col in enumerate(REQUESTS.row(CARRIED_ROW).columns):
        ws.write_string(r + 1 + i, LABEL_COL, col.label, cell_formats.label)
    _cell(ws, r + 1, prior_formula(), prior_value(report), cell_formats.plain)
    ws.set_row(r + 1, 32)  # room for a two-line message in the first cell
    r += 2 + len(REQUESTS.row(CARRIED_ROW).columns)
    ws.write_string(r, LABEL_COL, CHECK_LABEL, cell_formats.header)
    for j, head in enumerate(CHECK_HEADERS):
        ws.write_string(r, VALUE_COL + j, head, cell_formats.header)
    _spill(ws, r + 1, formula(CHECK, REASONS), functions.check_table(report), cell_formats.plain)
    ws.freeze_panes(3, 0)
    ws.set_paper(9)  # A4, landscape, one page wide: as the other sheets print
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})


def _cell(ws, r: int, text: str, value: Any, cell_format) -> None:
    """A one-value function: a one-cell dynamic array formula with its value."""
    ws.write_dynamic_array_formula(r, VALUE_COL, r, VALUE_COL, text, cell_format, value)


def _spill(ws, r: int, text: str, rows: list[list[str]], cell_format) -> None:
    """A spilling function: the formula in the first cell and the values it spills, as Excel
    saves them (the spilled cells hold plain values)."""
    last_row, last_col = r + len(rows) - 1, VALUE_COL + max(len(x) for x in rows) - 1
    ws.write_dynamic_array_formula(r, VALUE_COL, last_row, last_col, text, cell_format,
                                   rows[0][0])
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            if (i, j) != (0, 0):
                ws.write_string(r + i, VALUE_COL + j, value, cell_format)


def write_conf_sheet(ws) -> None:
    """The hidden xlwings.conf sheet: keys in A, values in B, from A1 without a header (that is
    how the add-in reads it); the hint sits in D, outside what it reads."""
    ws.write_string(0, 0, "UDF Modules")
    ws.write_string(0, 1, functions.UDF_MODULE)
    ws.write_string(0, 3, CONF_HINT)
    ws.set_column(0, 1, 24)
    ws.hide()
