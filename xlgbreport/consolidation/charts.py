"""The 图表 sheet: native Excel charts of the main figures per body (XlsxWriter charts), over a
small data block on the same sheet, so the charts follow if a clerk corrects a figure there."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import quote_sheetname, xl_col_to_name

from ..core.gb2021 import APPEALS, LITIGATION_ROWS, REVIEW_ROWS
from ..core.indicators import INDICATORS_BY_ID
from ..core.model import Computed, Report
from ..files import paths as file_paths

CHART_SHEET = "图表"
#: Bodies drawn; a chart of more is unreadable (the 指标 sheet lists them all).
CHART_LIMIT = 60
MORE = "只画了前 {limit} 个单位（共 {n} 个），全部单位见“指标”表"
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


def write(wb: Any, bodies: list[tuple[str, tuple[Any, ...]]], header: Any, cell: Any) -> None:
    """The data block (each body's :func:`figures`) and three charts over it."""
    ws = wb.add_worksheet(CHART_SHEET)
    shown = bodies[:CHART_LIMIT]
    ws.set_column(0, 0, 26)
    ws.write_row(0, 0, ("机关", *SERIES), header)
    for r, (org, values) in enumerate(shown, 1):
        ws.write_string(r, 0, file_paths.shown(org), cell)
        for c, value in enumerate(values, 1):
            if value is None:
                ws.write_blank(r, c, None, cell)
            else:
                ws.write_number(r, c, value, cell)
    if len(bodies) > CHART_LIMIT:
        ws.write_string(len(shown) + 1, 0, MORE.format(limit=CHART_LIMIT, n=len(bodies)))
    last = max(len(shown), 1)
    sheet = quote_sheetname(CHART_SHEET)
    groups = (("本年新收申请", "column", None, (1,)),
              ("办理结果", "column", "stacked", (2, 3, 4)),
              ("行政复议和行政诉讼", "column", None, (5, 6)))
    for i, (title, kind, subtype, columns) in enumerate(groups):
        chart = wb.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
        for c in columns:
            chart.add_series({"name": f"={sheet}!${xl_col_to_name(c)}$1",
                              "categories": f"={sheet}!$A$2:$A${last + 1}",
                              "values": f"={sheet}!${xl_col_to_name(c)}$2:${xl_col_to_name(c)}${last + 1}"})
        chart.set_title({"name": title})
        chart.set_size({"width": 720, "height": 300})
        ws.insert_chart(1 + i * 16, len(SERIES) + 2, chart)
