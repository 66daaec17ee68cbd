"""The consolidation's own sheets, added after the template's: 汇总状态 and 指标 here, 图表
(``charts``) and 明细 (``detail``).

They are plain sheets outside the defined names, so reading the output back as a report (and
consolidating it again at the level above) sees only the template's cells. Every text is
written as a string (the writer's workbook has ``strings_to_formulas`` off, and this module
calls ``write_string`` itself): an org named ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from ..core.indicators import INDICATORS, LEVEL_LABELS, THRESHOLDS, Indicator, change
from ..core.model import Number, Report
from ..files.paths import shown
from . import charts, detail, members
from .decide import Decision, Line, Status

STATUS_SHEET = members.STATUS_SHEET
INDICATOR_SHEET = "指标"
EXPLAINED = "{n} 处提示已说明（不计入提示数）"
STATUS_HEADERS = ("机关", "类别", "年度", "文件", "状态", "错误数", "提示数", "已说明", "说明")
TOTAL = "合计"
LAST = "{label}（上年）"
CHANGE_COUNT = "{label}比上年增减"
CHANGE_RATE = "{label}比上年（百分点）"
INDICATOR_NOTE = ("分母为 0 时留空（不是 0% 也不是 100%）。颜色：{levels}；阈值见 "
                  "xlgbreport/core/indicators.py 和 docs/county.md。")
#: Statuses shown amber (left out, to be fixed) and red (nothing usable arrived).
AMBER = frozenset({Status.INVALID, Status.WARNED, Status.DUPLICATE, Status.COPY, Status.WRONG_YEAR})
RED = frozenset({Status.UNREADABLE, Status.MISSING})
COLOURS = {"watch": ("#FFD966", "#7F6000"), "alert": ("#FF7C80", "#9C0006")}


@dataclass(frozen=True)
class Body:
    """One row of the 指标 sheet: a summed body (or the total), its indicators this year and,
    if known, last year, and its figures for the charts. Only these few numbers are kept per
    body, not its cells: the batch's memory stays flat."""

    org: str
    category: str | None
    this: tuple[Number | None, ...]  # INDICATORS' values
    last: tuple[Number | None, ...] | None = None
    figures: tuple[Number | None, ...] = ()

    @classmethod
    def of(cls, org: str, category: str | None, this: Report, last: Report | None) -> Body:
        now = this.computed()  # every total computed once, for all the indicators
        before = last.computed() if last is not None else None
        return cls(org, category, tuple(i.value(now) for i in INDICATORS),
                   tuple(i.value(before) for i in INDICATORS) if before is not None else None,
                   charts.figures(now))


def write(wb: Any, decision: Decision, headline: str, bodies: list[Body], total: Body,
          with_prior: bool) -> None:
    """Add the consolidation's sheets to the template's workbook (XlsxWriter), after its own:
    汇总状态, 指标, 图表 and 明细."""
    f = _formats(wb)
    _status(wb.add_worksheet(STATUS_SHEET), decision, headline, f)
    _indicators(wb.add_worksheet(INDICATOR_SHEET), bodies, total, with_prior, f)
    charts.write(wb, [(b.org, b.figures) for b in bodies], f["header"], f["cell"])
    detail.write(wb, [(line.entry, line.category) for line in decision.summed if line.entry],
                 f["header"], f["cell"])


def _status(ws: Any, decision: Decision, headline: str, f: dict[str, Any]) -> None:
    ws.set_column(0, 0, 28)
    ws.set_column(1, 2, 8)
    ws.set_column(3, 3, 30)
    ws.set_column(4, 4, 16)  # the longest status, 汇总表（未计入）, on one line
    ws.set_column(5, 7, 9)
    ws.set_column(8, 8, 80)
    ws.write_string(0, 0, STATUS_SHEET, f["title"])
    ws.write_string(1, 0, headline, f["note"])
    for c, text in enumerate(STATUS_HEADERS):
        ws.write_string(2, c, text, f["header"])
    for r, line in enumerate(decision.lines, 3):
        style = f["red"] if line.status in RED else f["amber"] if line.status in AMBER else f["cell"]
        e = line.entry
        _text(ws, r, 0, line.org, f["cell"])
        _text(ws, r, 1, line.category, f["cell"])
        if e is not None and isinstance(e.year, int):
            ws.write_number(r, 2, e.year, f["cell"])
        else:
            _text(ws, r, 2, None if e is None or e.year is None else str(e.year), f["cell"])
        _text(ws, r, 3, e.path if e else None, f["cell"])
        ws.write_string(r, 4, line.status.value, style)
        for c, n in ((5, e.errors if e and e.readable else None),
                     (6, e.warnings if e and e.readable else None),
                     (7, e.explained if e and e.readable else None)):
            if n is None:
                ws.write_blank(r, c, None, f["cell"])
            else:
                ws.write_number(r, c, n, f["cell"])
        _text(ws, r, 8, "；".join(describe(line)) or None, f["cell"])
    last = 2 + len(decision.lines)
    ws.autofilter(2, 0, max(last, 3), len(STATUS_HEADERS) - 1)
    ws.freeze_panes(3, 1)


def describe(line: Line) -> list[str]:
    """What a clerk reads about one input: why it was (not) summed, then its first problems."""
    e = line.entry
    out = list(line.notes)
    if e is not None and e.error:
        out.append(e.error)
    if e is not None:
        out += list(e.problems)
        shown = len(e.problems)
        if e.errors + e.warnings + e.explained > shown and shown:
            out.append(f"等共 {e.errors + e.warnings + e.explained} 处")
        if e.explained:
            out.append(EXPLAINED.format(n=e.explained))
    return out


def _indicators(ws: Any, bodies: list[Body], total: Body, with_prior: bool,
                f: dict[str, Any]) -> None:
    columns = _columns(with_prior)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 1 + len(columns), 11)
    ws.write_string(0, 0, INDICATOR_SHEET, f["title"])
    levels = "、".join(f"{LEVEL_LABELS[t.level]}（{'橙' if t.level == 'watch' else '红'}）"
                      for t in _unique_levels())
    ws.write_string(1, 0, INDICATOR_NOTE.format(levels=levels), f["note"])
    ws.write_string(2, 0, "机关", f["header"])
    ws.write_string(2, 1, "类别", f["header"])
    for c, (title, _ind, _what) in enumerate(columns, 2):
        ws.write_string(2, c, title, f["header"])
    rows = [*bodies, total]
    for r, body in enumerate(rows, 3):
        label = f["bold"] if body is total else f["cell"]
        ws.write_string(r, 0, shown(body.org), label)
        _text(ws, r, 1, body.category, label)
        for c, (_title, ind, what) in enumerate(columns, 2):
            _number(ws, r, c, _value(ind, what, body), f, ind.kind if what != "change" else
                    "change_" + ind.kind)
    first, last = 3, 2 + len(rows)
    for c, (_title, ind, what) in enumerate(columns, 2):
        if what != "this":
            continue
        for t in THRESHOLDS:
            if t.indicator != ind.id:
                continue
            cell = xl_rowcol_to_cell(first, c, col_abs=True)
            test = f"{cell}>={t.at_least}" if t.at_least is not None else f"{cell}<{t.below}"
            ws.conditional_format(first, c, last, c, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{test})",
                "format": f[t.level], "stop_if_true": True})
    ws.freeze_panes(3, 1)


def _unique_levels():
    seen: dict[str, Any] = {}
    for t in THRESHOLDS:
        seen.setdefault(t.level, t)
    return seen.values()


def _columns(with_prior: bool) -> list[tuple[str, Indicator, str]]:
    out = []
    for ind in INDICATORS:
        out.append((ind.label, ind, "this"))
        if with_prior:
            template = CHANGE_RATE if ind.kind == "rate" else CHANGE_COUNT
            out += [(LAST.format(label=ind.label), ind, "last"),
                    (template.format(label=ind.label), ind, "change")]
    return out


def _value(ind: Indicator, what: str, body: Body) -> Number | None:
    i = INDICATORS.index(ind)
    this = body.this[i]
    last = body.last[i] if body.last is not None else None
    return {"this": this, "last": last, "change": change(ind, this, last)}[what]


def _number(ws, r: int, c: int, value: Number | None, f: dict, kind: str) -> None:
    style = f[{"rate": "percent", "count": "cell", "change_rate": "points",
               "change_count": "signed"}[kind]]
    if value is None:
        ws.write_blank(r, c, None, style)
    else:
        ws.write_number(r, c, float(value) if isinstance(value, Decimal) else value, style)


def _text(ws, r: int, c: int, text: str | None, style) -> None:
    if text:  # a file name that is not UTF-8 is written with its bytes escaped
        ws.write_string(r, c, shown(text), style)
    else:
        ws.write_blank(r, c, None, style)


def _formats(wb: Any) -> dict[str, Any]:
    """The formats of both sheets, made once per workbook."""
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
    f = {
        "title": wb.add_format({"font_name": "黑体", "font_size": 14, "bold": True}),
        "note": wb.add_format({"font_size": 10, "italic": True}),
        "header": wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "text_wrap": True,
                                 "align": "center"}),
        "cell": wb.add_format({**base, "text_wrap": True}),
        "bold": wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7"}),
        "percent": wb.add_format({**base, "num_format": "0.0%"}),
        "points": wb.add_format({**base, "num_format": "+0.0;-0.0;0.0"}),
        "signed": wb.add_format({**base, "num_format": "+0;-0;0"}),
        "amber": wb.add_format({**base, "bg_color": "#FFD966", "font_color": "#7F6000"}),
        "red": wb.add_format({**base, "bg_color": "#FF7C80", "font_color": "#9C0006"}),
    }
    for level, (bg, fg) in COLOURS.items():
        f[level] = wb.add_format({"bg_color": bg, "font_color": fg})
    return f
