"""The 图表 sheet: native Excel charts of the main figures per body (XlsxWriter charts), over a
small data block on the same sheet, so the charts follow if a clerk corrects a figure there."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import quote_sheetname, xl_col_to_name

from ..core.gb2021 import APPEALS, LITIGATION_ROWS, REVIEW_ROWS
from ..core.indicators import INDICATORS_BY_ID
from ..core.model import Computed, Report
from ..files import paths as file_paths
from . import printing

CHART_SHEET = "图表"
#: Bodies drawn; a chart of more is unreadable (the 指标 sheet lists them all).
CHART_LIMIT = 60
MORE = "只画了前 {limit} 个单位（共 {n} 个），全部单位见“指标”表"
NAME_WIDTH, SERIES_WIDTH = 22, 11  # columns: 159 + 6 × 82 = 651 pixels, the charts' width
#: One chart a printed page: landscape A4 at 100% holds about 1,040 × 640 pixels (32 rows). The
#: print area is the data block's columns, and the template's 宋体 makes a column about a fifth
#: wider in LibreOffice than XlsxWriter reckons: so the charts span the columns, with room left.
CHART_PIXELS = (650, 560)
CHART_ROWS = 32  # rows of 20 pixels from one chart's top to the next's: a page
SERIES = ("新收申请", "予以公开和部分公开", "不予公开", "其他办理结果", "行政复议", "行政诉讼")


def figures(report: Report | Computed) -> tuple[Any, ...]:
    """新收, the three kinds of result, 复议 and 诉讼 cases of one report (None if unknown)."""
    finished = INDICATORS_BY_ID["finished"].value(report)
    disclosed = _total(report, INDICATORS_BY_ID["disclosed_rate"].numerator)
    withheld = _total(report, INDICATORS_BY_ID["withheld_rate"].numerator)
    other = None if None in (finished, disclosed, withheld) else finished - disclosed - withheld
    review = _total(report, tuple((APPEALS.id, r, "total") for r in REVIEW_ROWS))
    litigation = _total(report, tuple((APPEALS.id, r, "total") for r in LITIGATION_ROWS))
    return INDICATORS_BY_ID["new"].value(report), disclosed, withheld, other, review, litigation


def _total(report: Report | Computed, keys: tuple) -> Any:
    values = [report.computed().number(k) for k in keys]
    return None if None in values else sum(values)


def write(wb: Any, bodies: list[tuple[str, tuple[Any, ...]]], n: int, header: Any, cell: Any,
          org: str | None = None) -> None:
    """The data block (the first ``CHART_LIMIT`` of the ``n`` bodies' :func:`figures`, under
    their short names) and three charts below it, one per printed page: horizontal bars, so
    every name reads level, however many."""
    ws = wb.add_worksheet(CHART_SHEET)
    shown = bodies[:CHART_LIMIT]
    names = printing.short_names([file_paths.shown(org_) for org_, _ in shown], org)
    ws.set_column(0, 0, NAME_WIDTH)
    ws.set_column(1, len(SERIES), SERIES_WIDTH)
    ws.write_row(0, 0, ("机关", *SERIES), header)
    ws.set_row(0, printing.LINE_POINTS * max(printing.lines(s, SERIES_WIDTH) for s in SERIES) + 4)
    for r, (name, (_org, values)) in enumerate(zip(names, shown, strict=True), 1):
        ws.write_string(r, 0, name, cell)
        for c, value in enumerate(values, 1):
            if value is None:
                ws.write_blank(r, c, None, cell)
            else:
                ws.write_number(r, c, value, cell)
    if n > CHART_LIMIT:
        ws.write_string(len(shown) + 1, 0, MORE.format(limit=CHART_LIMIT, n=n))
    last = max(len(shown), 1)
    sheet = quote_sheetname(CHART_SHEET)
    groups = (("本年新收申请", None, (1,)),
              ("办理结果", "stacked", (2, 3, 4)),
              ("行政复议和行政诉讼", None, (5, 6)))
    top = len(shown) + 3  # below the data block and its note
    breaks = []
    for i, (title, subtype, columns) in enumerate(groups):
        chart = wb.add_chart({"type": "bar", **({"subtype": subtype} if subtype else {})})
        for c in columns:
            chart.add_series({"name": f"={sheet}!${xl_col_to_name(c)}$1",
                              "categories": f"={sheet}!$A$2:$A${last + 1}",
                              "values": f"={sheet}!${xl_col_to_name(c)}$2:${xl_col_to_name(c)}${last + 1}"})
        chart.set_title({"name": title})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})  # the first body on top
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": CHART_PIXELS[0], "height": CHART_PIXELS[1]})
        row = top + i * CHART_ROWS
        breaks.append(row)
        ws.insert_chart(row, 0, chart)
    printing.pages(ws, breaks)
    ws.print_area(0, 0, top + len(groups) * CHART_ROWS - 1, len(SERIES))
