"""Write the template workbook, empty or filled with a report, with XlsxWriter.

XlsxWriter writes each formula together with its computed value, so viewers and value-only
readers see totals and verdicts before any spreadsheet recalculates. Strings from a report
(org names, texts) are always written as strings, never as formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from .. import errors
from ..core.findings import summary_line
from ..core.gb2021 import APPEALS, PROACTIVE, REPORT_TITLE, REQUESTS, SCHEMA, CellKey
from ..core.model import Invalid, Report, is_number, parts
from ..core.rules import ValueInvalid, check
from ..errors import OutputError
from ..files import atomic, vba_project
from ..files.vba_project import VbaProject
from . import headers, reason_sheet, udf_sheets
from .formulas import (
    FAIL,
    WARN,
    check_rows,
    derived_formula,
    excel_value,
    number_for_excel,
    summary_formula,
    value_areas,
    value_formats,
)
from .layout import (
    APPEALS_DATA_ROW,
    CHECK_SHEET,
    CONF_SHEET,
    COVER_SHEET,
    LAYOUT,
    PROACTIVE_WIDTH,
    REASON_SHEET,
    REQUESTS_FIRST_ROW,
    REQUESTS_LABEL_COLS,
    TEXT_SHEET,
    UDF_SHEET,
    Layout,
    layout_for,
    proactive_rows,
)

GUIDE = (
    "填写说明：黄色格为待填（没有请填 0，不要留空）；灰蓝色格为自动合计，不要改写；"
    "红色格表示数字不平衡或无效，详见“校验”表。"
)
CHECK_HINT = "本表由公式自动计算，无需填写。“待填”表示相关单元格尚未填全。"
CHECK_HEADERS = ("规则", "检查", "位置", "应为", "实为", "结果", "说明", "处数", "核实说明")
DV_COUNT = {"title": "请输入整数", "message": "请填写不小于 0 的整数；没有请填 0。"}
DV_AMOUNT = {"title": "请输入金额", "message": "单位：万元，可带小数，不小于 0。"}
DV_YEAR = {"title": "请输入年份", "message": "报告所属年度，例如 2025。"}
PRIOR_REFERENCE = "上年{label}（参考）"  # e.g. 上年现行有效件数（参考）, beside this year's
FIXED_TIME = datetime(2021, 1, 1)  # document properties stay the same build after build


class _Formats:
    """The cell formats of the template, made once per workbook."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter",
                "text_wrap": True}
        self.title = wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True,
                                    "align": "center", "valign": "vcenter"})
        self.header = wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#D9D9D9"})
        self.label = wb.add_format({**base, "align": "left"})
        self.center_label = wb.add_format({**base, "align": "center"})
        self.count = wb.add_format({**base, "align": "center", "locked": False})
        self.amount = wb.add_format({**base, "align": "center", "locked": False})
        self.derived = wb.add_format({**base, "align": "center", "bold": True, "bg_color": "#DDEBF7"})
        self.input = wb.add_format({**base, "align": "left", "locked": False})
        self.text = wb.add_format({**base, "align": "left", "valign": "top", "locked": False})
        self.note = wb.add_format({"font_size": 9, "italic": True, "text_wrap": True,
                                   "valign": "top"})
        self.plain = wb.add_format({**base, "align": "left"})
        self.red = wb.add_format({"bg_color": "#FF7C80", "font_color": "#9C0006"})
        self.amber = wb.add_format({"bg_color": "#FFD966", "font_color": "#7F6000"})
        self.yellow = wb.add_format({"bg_color": "#FFF2CC"})
        self._amounts: dict[int, Any] = {}
        self._wb = wb
        self._base = base

    def amount_with(self, places: int):
        """The fee shown with as many decimals as it was given (and read back with them)."""
        if places not in self._amounts:
            number_format = "0" if places == 0 else "0." + "0" * places
            self._amounts[places] = self._wb.add_format(
                {**self._base, "align": "center", "locked": False, "num_format": number_format})
        return self._amounts[places]


def write(path: str | Path, report: Report | None = None, layout: Layout = LAYOUT,
          reference: dict[CellKey, Any] | None = None, vba: VbaProject | None = None,
          sheets: Callable[[xlsxwriter.Workbook], None] | None = None, *,
          overwrite: bool = False) -> None:
    """Write ``report`` (or an empty template) to ``path``, atomically (``files.atomic``);
    without ``overwrite`` an existing file is refused.

    ``reference`` holds last year's values shown beside this year's (``layout.reference``);
    ``vba`` a VBA project carried into an .xlsm, with the buttons drawn on 封面; ``sheets``
    adds sheets of its own after the template's (a consolidation's 汇总状态 and 指标)."""
    report = report or Report()
    refuse_without_template(report)
    atomic.write(path, lambda tmp: _build(str(tmp), report, layout, reference or {}, vba, sheets),
                 overwrite=overwrite)


def refuse_without_template(report: Report, source: str | Path | None = None) -> None:
    """Only a report of the template's format can be written as its workbook: a 2019 report's
    table 二 and 三 have other rows, and nothing may be guessed into 2021's."""
    if layout_for(report.format) is None:
        raise OutputError(source, errors.NO_TEMPLATE, name=report.format.name,
                         source=report.format.source)


def _build(path: str, report: Report, layout: Layout, reference: dict[CellKey, Any],
           vba: VbaProject | None, sheets: Callable[[xlsxwriter.Workbook], None] | None = None
           ) -> None:
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_numbers": False,
                                    "strings_to_urls": False})
    wb.set_properties({"title": REPORT_TITLE, "created": FIXED_TIME, "author": "xlgbreport"})
    fmt = _Formats(wb)
    _cover(wb.add_worksheet(COVER_SHEET), report, layout, fmt)
    _proactive(wb.add_worksheet(PROACTIVE.sheet), report, layout, fmt)
    _reference(wb.get_worksheet_by_name(PROACTIVE.sheet), reference, layout, fmt)
    _requests(wb.add_worksheet(REQUESTS.sheet), report, layout, fmt)
    _appeals(wb.add_worksheet(APPEALS.sheet), report, layout, fmt)
    _text(wb.add_worksheet(TEXT_SHEET), report, layout, fmt)
    _checks(wb.add_worksheet(CHECK_SHEET), report, layout, fmt)
    reason_sheet.write_reason_sheet(wb.add_worksheet(REASON_SHEET),
                                    reason_sheet.rows(report.reasons, _placed_findings(report, layout)), fmt)
    wb.define_name(reason_sheet.NAME, "=" + reason_sheet.AREA.ref())
    udf_sheets.write_udf_sheet(wb.add_worksheet(UDF_SHEET), report, fmt)
    udf_sheets.write_conf_sheet(wb.add_worksheet(CONF_SHEET))
    if sheets is not None:
        sheets(wb)
    for name, area in layout.names.items():
        wb.define_name(name, "=" + area.ref())
    if vba is not None:
        vba_project.embed(wb, vba)
        vba_project.draw_buttons(wb.get_worksheet_by_name(COVER_SHEET), _buttons_row(layout), 0)
    wb.close()


def _placed_findings(report: Report, layout: Layout) -> list:
    """The report's findings naming cells of this workbook (a report from JSON has no places)."""
    return check(replace(report, where=layout.where()))


def _buttons_row(layout: Layout) -> int:
    """The cover's row for the buttons: below the guide (see :func:`_cover`)."""
    return max(r for _, (r, _) in layout.meta.values()) + 6


def _protect(ws) -> None:
    """Protected without a password: a clerk cannot type over a total by accident."""
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})


def _a4(ws, landscape: bool = False) -> None:
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)


def _cover(ws, report: Report, layout: Layout, fmt: _Formats) -> None:
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 60)
    ws.set_row(0, 36)
    ws.merge_range(0, 0, 0, 1, REPORT_TITLE, fmt.title)
    for f in SCHEMA.meta:
        _, (r, c) = layout.meta[f.id]
        ws.write_string(r, c - 1, f.label, fmt.label)
        value: Any = {"org": report.org, "year": report.year}.get(f.id, report.meta.get(f.id))
        _write_value(ws, r, c, value, fmt.input)
    _, (yr, yc) = layout.meta["year"]
    ws.data_validation(yr, yc, yr, yc, {"validate": "integer", "criteria": "between",
                                        "minimum": 2008, "maximum": 2100,
                                        "input_title": DV_YEAR["title"],
                                        "input_message": DV_YEAR["message"],
                                        "error_title": DV_YEAR["title"],
                                        "error_message": DV_YEAR["message"]})
    last = max(r for _, (r, _) in layout.meta.values())
    ws.merge_range(last + 2, 0, last + 4, 1, GUIDE, fmt.note)
    _a4(ws)
    _protect(ws)


def _table_title(ws, title: str, width: int, fmt: _Formats) -> None:
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, width - 1, title, fmt.title)


def _write_value(ws, r: int, c: int, value: Any, cell_format) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, cell_format)
    elif isinstance(value, Invalid):
        ws.write_string(r, c, value.raw, cell_format)
    elif isinstance(value, str):
        ws.write_string(r, c, value, cell_format)
    else:
        ws.write_number(r, c, number_for_excel(value), cell_format)


def _cells(ws, report: Report, keys: list[CellKey], layout: Layout, fmt: _Formats) -> None:
    """Write the value cells: inputs as given, totals as the template formula with its value."""
    for key in keys:
        _, (r, c) = layout.cells[key]
        extra = layout.widths.get(key, 0)
        if extra:
            ws.merge_range(r, c, r, c + extra, None, fmt.count)
        if SCHEMA.is_derived(key) and (key not in report.cells or _formula_holds(report, key)):
            ws.write_formula(r, c, derived_formula(key, layout), fmt.derived,
                             number_for_excel(excel_value(report, key)))
            continue
        value = report.cells.get(key)
        cell_format = fmt.derived if SCHEMA.is_derived(key) else fmt.count
        if key[2] == "amount":
            exponent = value.as_tuple().exponent if isinstance(value, Decimal) else 0
            places = -exponent if isinstance(exponent, int) else 0  # a str: NaN or Infinity
            cell_format = fmt.amount_with(max(places, 0)) if value is not None else fmt.amount
        _write_value(ws, r, c, value, cell_format)


def _formula_holds(report: Report, key: CellKey) -> bool:
    """A given total that is the sum of its parts, all numbers, is written as the template's
    formula: the workbook stays live (a JSON carries totals) and shows the same number. Not an
    invalid one (a negative sum): the workbook keeps what ``value.invalid`` reports, as given."""
    given = report.cells[key]
    keys = parts(key)
    numbers = [n for n in map(report.number, keys) if n is not None]
    return (is_number(given) and len(numbers) == len(keys)
            and given == sum(numbers)
            and ValueInvalid().problem(key, given) is None)


def _validate_counts(ws, areas, fmt: _Formats, amount: bool = False) -> None:
    for a in areas:
        options = ({"validate": "decimal", "criteria": ">=", "value": 0, **_dv(DV_AMOUNT)}
                   if amount else
                   {"validate": "integer", "criteria": ">=", "value": 0, **_dv(DV_COUNT)})
        ws.data_validation(*a.first, *a.last, options)


def _dv(text: dict[str, str]) -> dict[str, str]:
    return {"input_title": text["title"], "input_message": text["message"],
            "error_title": text["title"], "error_message": text["message"]}


def _table_formats(ws, table, layout: Layout, fmt: _Formats) -> None:
    """Blank cells yellow, cells value.invalid finds red (``excel_formulas.value_formats``);
    data validation on the inputs: counts whole and not negative, the fee not negative."""
    fills = {"blank": fmt.yellow, "invalid": fmt.red}
    for area, condition, kind in value_formats(table, layout):
        ws.conditional_format(*area.first, *area.last, {"type": "formula", "criteria": "=" + condition,
                                                        "format": fills[kind]})
    for v in value_areas(table, layout):
        if not v.derived:
            _validate_counts(ws, [v.area], fmt, amount=v.kind == "amount")


def _proactive(ws, report: Report, layout: Layout, fmt: _Formats) -> None:
    width = 1 + PROACTIVE_WIDTH
    _table_title(ws, PROACTIVE.title, width, fmt)
    ws.set_column(0, 0, 22)
    ws.set_column(1, width - 1, 16)
    _draw(ws, headers.proactive(layout), fmt)
    _cells(ws, report, [(PROACTIVE.id, r.id, c.id) for r, c in PROACTIVE.cells()], layout, fmt)
    _table_formats(ws, PROACTIVE, layout, fmt)
    _equation_formats(ws, PROACTIVE.sheet, layout, fmt)
    ws.freeze_panes(1, 0)
    _a4(ws)
    _protect(ws)


def _reference(ws, reference: dict[CellKey, Any], layout: Layout, fmt: _Formats) -> None:
    """Last year's values beside this year's, headed above the first one of each block."""
    headed: set[tuple[int, int]] = set()
    for r, _block, rows in proactive_rows():
        for row in rows:
            for col in row.columns:
                key = (PROACTIVE.id, row.id, col.id)
                if key not in reference or key not in layout.reference:
                    continue
                _, (rr, cc) = layout.reference[key]
                if (r, cc) not in headed:
                    ws.set_column(cc, cc, 26)  # the label on one line
                    ws.write_string(r + 1, cc, PRIOR_REFERENCE.format(label=col.label), fmt.header)
                    headed.add((r, cc))
                _write_value(ws, rr, cc, reference[key], fmt.derived)


def _requests(ws, report: Report, layout: Layout, fmt: _Formats) -> None:
    cols = REQUESTS.rows[0].columns
    width = REQUESTS_LABEL_COLS + len(cols)
    _table_title(ws, REQUESTS.title, width, fmt)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 34)
    ws.set_column(REQUESTS_LABEL_COLS, width - 1, 9)
    grid = headers.requests(layout)
    for r in range(REQUESTS_FIRST_ROW, grid.bottom + 1):
        ws.set_row(r, 30 if r in grid.tall_rows else 18)
    _draw(ws, grid, fmt)
    _cells(ws, report, [(REQUESTS.id, r.id, c.id) for r, c in REQUESTS.cells()], layout, fmt)
    _table_formats(ws, REQUESTS, layout, fmt)
    _equation_formats(ws, REQUESTS.sheet, layout, fmt)
    ws.freeze_panes(REQUESTS_FIRST_ROW, REQUESTS_LABEL_COLS)
    ws.repeat_rows(0, REQUESTS_FIRST_ROW - 1)
    _a4(ws, landscape=True)
    _protect(ws)


def _draw(ws, grid: headers.Grid, fmt: _Formats) -> None:
    """The table's header and label cells, merged where they span."""
    styles = {"header": fmt.header, "label": fmt.label, "centered": fmt.center_label}
    for span in grid.spans:
        if span.merged:
            ws.merge_range(span.top, span.left, span.bottom, span.right, span.text,
                           styles[span.style])
        else:
            ws.write_string(span.top, span.left, span.text, styles[span.style])


def _appeals(ws, report: Report, layout: Layout, fmt: _Formats) -> None:
    width = sum(len(r.columns) for r in APPEALS.rows)
    _table_title(ws, APPEALS.title, width, fmt)
    ws.set_column(0, width - 1, 7.5)
    _draw(ws, headers.appeals(layout), fmt)
    ws.set_row(APPEALS_DATA_ROW - 1, 30)  # the field labels, on two lines
    ws.set_row(APPEALS_DATA_ROW, 22)
    _cells(ws, report, [(APPEALS.id, r.id, c.id) for r, c in APPEALS.cells()], layout, fmt)
    _table_formats(ws, APPEALS, layout, fmt)
    _equation_formats(ws, APPEALS.sheet, layout, fmt)
    ws.freeze_panes(APPEALS_DATA_ROW, 0)
    _a4(ws, landscape=True)
    _protect(ws)


def _text(ws, report: Report, layout: Layout, fmt: _Formats) -> None:
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 90)
    _table_title(ws, "文字说明（一、五、六部分）", 2, fmt)
    ws.write_string(1, 0, "部分", fmt.header)
    ws.write_string(1, 1, "正文", fmt.header)
    for f in SCHEMA.text:
        _, (r, c) = layout.text[f.id]
        ws.write_string(r, c - 1, f.label, fmt.center_label)
        _write_value(ws, r, c, report.text.get(f.id), fmt.text)
        ws.set_row(r, 180)
    _a4(ws)
    _protect(ws)


def _equation_formats(ws, sheet: str, layout: Layout, fmt: _Formats) -> None:
    """Cells of an equation that does not hold turn red, computed in the sheet itself."""
    for row in check_rows(CHECK_SHEET, layout):
        if not row.highlight or layout.cells[row.highlight[0]][0] != sheet:
            continue
        for key in row.highlight:  # one format per cell: multi-range formats render unevenly
            pos = layout.cells[key][1]
            ws.conditional_format(*pos, *pos, {"type": "formula", "criteria": "=" + row.failing,
                                               "format": fmt.red})


def _local(formula: str, here: dict[str, str]) -> str:
    """Fill the same-row placeholders ({status}, {expected}) of a 校验 formula."""
    for name, ref in here.items():
        formula = formula.replace("{" + name + "}", ref)
    return formula


def _checks(ws, report: Report, layout: Layout, fmt: _Formats) -> None:
    rows = check_rows(CHECK_SHEET, layout)
    first = 3
    last = first + len(rows) - 1
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 18)
    ws.set_column(3, 5, 8)
    ws.set_column(6, 6, 60)
    ws.set_column(7, 7, 6)
    ws.set_column(8, 8, 40)
    wide = len(CHECK_HEADERS) - 1
    statuses, counts, told = (f"{c}{first + 1}:{c}{last + 1}" for c in "FHI")
    computed = [row.values(report) for row in rows]
    reasons = [reason_sheet.shown(report.reasons, row.rule, row.where, v.status == WARN)
               if reason_sheet.is_warning(row.rule) else None for row, v in zip(rows, computed, strict=True)]
    errors, warnings = (sum(v.count for v in computed if v.status == s) for s in (FAIL, WARN))
    explained = sum(v.count for v, why in zip(computed, reasons, strict=True) if why)
    ws.write_string(0, 0, "校验结果", fmt.title)
    ws.merge_range(0, 1, 0, wide, None, fmt.title)
    n_err, n_warn = (f'SUMIF({statuses},"{s}",{counts})' for s in (FAIL, WARN))
    n_told = f'SUMPRODUCT(({statuses}="{WARN}")*(LEN({told})>0)*{counts})'
    ws.write_formula(0, 1, summary_formula(n_err, f"({n_warn}-{n_told})", n_told), fmt.title,
                     summary_line(errors, warnings - explained, explained))
    ws.merge_range(1, 0, 1, wide, CHECK_HINT, fmt.note)
    for j, h in enumerate(CHECK_HEADERS):
        ws.write_string(2, j, h, fmt.header)
    for i, (row, shown, why) in enumerate(zip(rows, computed, reasons, strict=True)):
        r = first + i
        here = {"expected": f"D{r + 1}", "status": f"F{r + 1}"}

        ws.write_string(r, 0, row.rule, fmt.plain)
        ws.write_string(r, 1, row.title, fmt.plain)
        ws.write_string(r, 2, row.where, fmt.plain)
        for c, formula, value in ((3, row.expected, shown.expected), (4, row.actual, shown.actual),
                                  (5, row.status, shown.status), (6, row.message, shown.message),
                                  (7, row.count, shown.count)):
            if formula:
                ws.write_formula(r, c, _local(formula, here), fmt.plain,
                                 "" if value is None else number_for_excel(value))
            else:
                ws.write_blank(r, c, None, fmt.plain)
        if why is None:  # an error's row: errors cannot be explained away
            ws.write_blank(r, 8, None, fmt.plain)
        else:
            ws.write_formula(r, 8, reason_sheet.lookup_formula(row.rule, row.where, f"F{r + 1}", WARN),
                             fmt.plain, why)
    ws.conditional_format(first, 5, last, 5, {"type": "cell", "criteria": "==",
                                              "value": f'"{FAIL}"', "format": fmt.red})
    ws.conditional_format(first, 5, last, 5, {"type": "cell", "criteria": "==",
                                              "value": f'"{WARN}"', "format": fmt.amber})
    ws.freeze_panes(first, 0)
    ws.repeat_rows(first - 1)  # the column headers on every printed page
    ws.autofilter(first - 1, 0, last, wide)
    _a4(ws, landscape=True)
    _protect(ws)
