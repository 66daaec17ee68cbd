"""The consolidation's own sheets, added after the template's: 汇总状态 and 指标 here, 图表
(``charts``) and 明细 (``detail``).

They are plain sheets outside the defined names, so reading the output back as a report (and
consolidating it again at the level above) sees only the template's cells. Every text is
written as a string (the writer's workbook has ``strings_to_formulas`` off, and this module
calls ``write_string`` itself): an org named ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from ..core.indicators import INDICATORS, LEVEL_LABELS, SMALL_BASE, THRESHOLDS, Indicator, change, small
from ..core.model import Number
from ..core.shown import terminal as shown_text
from ..core.text_rules import TextCopied
from ..files.paths import shown
from . import charts, detail, members, printing
from .copies import MIN_SHARED, Copied
from .decide import Decision, Line, Status
from .gather import Measures

STATUS_SHEET = members.STATUS_SHEET
COPIES_SHEET = "雷同"
COPIES_HEADERS = ("机关", "部分", "雷同于", "雷同占比", "雷同句数", "句数", "本单位的句子（示例）", "对方的句子",
                  "文件", "对方文件", "核实说明")
COPIES_NOTE = ("一、五、六部分去掉机关名称、年份和数字后逐句比较：一个部分有 {share:.0%} 以上（且至少 {n} 句）与"
               "另一单位或本单位上年相同或几乎相同，列在这里，并在该单位的校验结果中提示 text.copied。"
               "方法见 docs/county.md。")
COPIES_NONE = "未发现雷同"
COPIES_WIDTHS = (24, 30, 24, 9, 9, 7, 50, 50, 28, 28, 40)
LINE_POINTS = 14  # a wrapped line of 10-point 宋体
LAST_YEAR = "本单位上年报告"
PASSAGE = 300  # characters of a sample sentence shown
INDICATOR_SHEET = "指标"
EXPLAINED = "{n} 处提示已说明（不计入提示数）"
STATUS_HEADERS = ("机关", "类别", "年度", "文件", "状态", "错误数", "提示数", "已说明", "说明")
TOTAL = "合计"
LAST = "{label}（上年）"
CHANGE_COUNT = "{label}比上年增减"
CHANGE_RATE = "{label}比上年（百分点）"
INDICATOR_NOTE = ("分母为 0 时留空（不是 0% 也不是 100%）。颜色：{levels}；阈值见 "
                  "xlgbreport/core/indicators.py 和 docs/county.md。"
                  "标 * 的比率分母不足 {small} 件，只列出、不着色（件数太少，比率说明不了问题）。")
#: A rate's denominator, in a hidden column the colouring reads (unhide it to see the cases).
BASE = "{label}的分母（件）"
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
    bases: tuple[Number | None, ...] = ()  # INDICATORS' denominators this year (None: a count)

    @classmethod
    def of(cls, org: str, category: str | None, this: Measures, last: Measures | None) -> Body:
        return cls(org, category, this.indicators, last.indicators if last is not None else None,
                   this.figures, this.bases)

    def small(self, ind: Indicator) -> bool:
        """Whether this year's rate ``ind`` is built on too few cases to be coloured."""
        return ind.kind == "rate" and small(self.bases[INDICATORS.index(ind)] if self.bases else None)


def write(wb: Any, decision: Decision, headline: str, bodies: Sequence[Body], total: Body,
          with_prior: bool, org: str | None = None) -> None:
    """Add the consolidation's sheets to the template's workbook (XlsxWriter), after its own:
    汇总状态, 指标, 图表 and 明细; ``org``'s region is left out of the charts' names."""
    f = _formats(wb)
    _status(streamed(wb, STATUS_SHEET), decision, headline, f)
    _indicators(streamed(wb, INDICATOR_SHEET), bodies, total, with_prior, f)
    charts.write(wb, [(b.org, b.figures) for b in bodies[:charts.CHART_LIMIT]], len(bodies),
                 f["header"], f["cell"], org)
    detail.write(wb, [(line.entry, line.category) for line in decision.summed if line.entry],
                 f["header"], f["cell"])


STATUS_WIDTHS = (28, 8, 8, 30, 16, 9, 9, 9, 80)  # 状态: 汇总表（未计入） on one line


def streamed(wb: Any, name: str) -> Any:
    """A sheet of one row per input, written row by row to a temporary file as XlsxWriter's
    ``constant_memory`` mode does, for this sheet only (the template's sheets are written out of
    row order): 10,000 inputs' rows are not held until the workbook is saved. Rows must be
    written in order, a row's height before its cells."""
    wb.constant_memory = True  # read by add_worksheet, for the sheet it adds
    try:
        return wb.add_worksheet(name)
    finally:
        wb.constant_memory = False


def _status(ws: Any, decision: Decision, headline: str, f: dict[str, Any]) -> None:
    for c, width in enumerate(STATUS_WIDTHS):
        ws.set_column(c, c, width)
    last = 2 + len(decision.lines)
    printing.table(ws, 2, STATUS_HEADERS, STATUS_WIDTHS, last_row=max(last, 3),
                   last_col=len(STATUS_HEADERS) - 1)
    ws.write_string(0, 0, STATUS_SHEET, f["title"])
    printing.note(ws, 1, len(STATUS_WIDTHS) - 1, headline, f["note"], STATUS_WIDTHS)
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
    ws.autofilter(2, 0, max(last, 3), len(STATUS_HEADERS) - 1)


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


def _indicators(ws: Any, bodies: Sequence[Body], total: Body, with_prior: bool,
                f: dict[str, Any]) -> None:
    columns = _columns(with_prior)
    rates = [ind for ind in INDICATORS if ind.kind == "rate"]
    first_base = 2 + len(columns)  # the rates' denominators, hidden, after the shown columns
    widths = (28, 8, *[11] * len(columns))
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.set_column(first_base, first_base + len(rates) - 1, 11, None, {"hidden": True})
    ws.write_string(0, 0, INDICATOR_SHEET, f["title"])
    levels = "、".join(f"{LEVEL_LABELS[t.level]}（{'橙' if t.level == 'watch' else '红'}）"
                      for t in _unique_levels())
    printing.note(ws, 1, len(widths) - 1, INDICATOR_NOTE.format(levels=levels, small=SMALL_BASE),
                  f["note"], widths)
    headers = ("机关", "类别", *(title for title, _ind, _what in columns))
    first, last = 3, 3 + len(bodies)  # the total's row is the last
    printing.table(ws, 2, headers, widths, last_row=last, last_col=len(widths) - 1)
    for c, text in enumerate(headers):
        ws.write_string(2, c, text, f["header"])
    for c, ind in enumerate(rates, first_base):
        ws.write_string(2, c, BASE.format(label=ind.label), f["header"])
    for r, body in enumerate(chain(bodies, (total,)), first):  # each body made as it is written
        label = f["bold"] if body is total else f["cell"]
        ws.write_string(r, 0, shown(body.org), label)
        _text(ws, r, 1, body.category, label)
        for c, (_title, ind, what) in enumerate(columns, 2):
            kind = "small" if what == "this" and body.small(ind) else \
                ind.kind if what != "change" else "change_" + ind.kind
            _number(ws, r, c, _value(ind, what, body), f, kind)
        for c, ind in enumerate(rates, first_base):
            _number(ws, r, c, body.bases[INDICATORS.index(ind)] if body.bases else None, f, "count")
    for c, (_title, ind, what) in enumerate(columns, 2):
        if what != "this":
            continue
        base = xl_rowcol_to_cell(first, first_base + rates.index(ind), col_abs=True) \
            if ind in rates else None
        for t in THRESHOLDS:
            if t.indicator != ind.id:
                continue
            cell = xl_rowcol_to_cell(first, c, col_abs=True)
            test = f"{cell}>={t.at_least}" if t.at_least is not None else f"{cell}<{t.below}"
            enough = f",{base}>={SMALL_BASE}" if base else ""  # the same rule as indicators.level
            ws.conditional_format(first, c, last, c, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{test}{enough})",
                "format": f[t.level], "stop_if_true": True})


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
               "change_count": "signed", "small": "small"}[kind]]
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
        "note": wb.add_format({"font_size": 10, "italic": True, "text_wrap": True, "valign": "top"}),
        "header": wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "text_wrap": True,
                                 "align": "center"}),
        "cell": wb.add_format({**base, "text_wrap": True}),
        "bold": wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7"}),
        "percent": wb.add_format({**base, "num_format": "0.0%"}),
        # a rate on too few cases: grey, marked *, never coloured (INDICATOR_NOTE says why)
        "small": wb.add_format({**base, "num_format": '0.0%" *"', "font_color": "#7F7F7F"}),
        "points": wb.add_format({**base, "num_format": "+0.0;-0.0;0.0"}),
        "signed": wb.add_format({**base, "num_format": "+0;-0;0"}),
        "amber": wb.add_format({**base, "bg_color": "#FFD966", "font_color": "#7F6000"}),
        "red": wb.add_format({**base, "bg_color": "#FF7C80", "font_color": "#9C0006"}),
    }
    for level, (bg, fg) in COLOURS.items():
        f[level] = wb.add_format({"bg_color": bg, "font_color": fg})
    return f


def write_copies(wb: Any, found: Sequence[Copied]) -> None:
    """The 雷同 sheet: each unit's section carried from another unit (or its last year), with
    the share carried and a sample sentence from both sides."""
    f = _formats(wb)
    ws = wb.add_worksheet(COPIES_SHEET)
    for c, width in enumerate(COPIES_WIDTHS):
        ws.set_column(c, c, width)
    ws.write_string(0, 0, COPIES_SHEET, f["title"])
    ws.write_string(1, 0, COPIES_NOTE.format(share=TextCopied.SHARE, n=MIN_SHARED), f["note"])
    for c, text in enumerate(COPIES_HEADERS):
        ws.write_string(2, c, text, f["header"])
    if not found:
        ws.write_string(3, 0, COPIES_NONE, f["cell"])
    for r, copied in enumerate(found, 3):
        section = copied.finding.args_dict["section"]
        _text(ws, r, 0, copied.org, f["cell"])
        _text(ws, r, 1, section, f["cell"])
        _text(ws, r, 2, LAST_YEAR if copied.last_year else copied.other_org, f["cell"])
        ws.write_number(r, 3, copied.share, f["percent"])
        ws.write_number(r, 4, copied.carried, f["cell"])
        ws.write_number(r, 5, copied.sentences, f["cell"])
        samples = _passage(copied.sample), _passage(copied.twin)
        _text(ws, r, 6, samples[0], f["cell"])
        _text(ws, r, 7, samples[1], f["cell"])
        # rows are not grown to wrapped text by every program: as many lines as the longer sample
        # takes (a Chinese character is two widths of the column's unit)
        lines = max(1, *(-(-2 * len(t) // COPIES_WIDTHS[6]) for t in samples))
        ws.set_row(r, LINE_POINTS * lines)
        _text(ws, r, 8, copied.path, f["cell"])
        _text(ws, r, 9, copied.other_path, f["cell"])
        _text(ws, r, 10, _passage(copied.finding.explanation or ""), f["cell"])
    ws.autofilter(2, 0, max(2 + len(found), 3), len(COPIES_HEADERS) - 1)
    ws.freeze_panes(3, 1)


def _passage(sentence: str) -> str:
    """A sample sentence as a cell shows it: controls escaped, at most ``PASSAGE`` characters."""
    text = shown_text(sentence.strip())
    return text if len(text) <= PASSAGE else text[:PASSAGE - 1] + "…"
