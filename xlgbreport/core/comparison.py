"""Two years of one body's report side by side: what changed, and what prose was carried over.

Pure: this year's and last year's reports in, one :class:`Comparison` out, every text final
(rendering only lays it out). The tables and labels come from this year's format; a last year
in another format (2019's trial layout) is first carried into it by ``crosswalk``, and what has
no counterpart there is said, never forced into a cell of another meaning. Prose carried over is
``similarity``'s definition, the one the county's copy check uses. Text from files has its
controls written as escapes (``shown``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from . import crosswalk, rules, shown, similarity
from .findings import Finding, Severity, summary
from .indicators import INDICATORS, Indicator
from .model import Invalid, Number, Report, ReportView, Value, is_number
from .tables import REPORT_TITLE, CellKey, Column, Row, Schema, Table

#: The change is given as a percentage only from this base (last year's value) up: below it a
#: percentage says more than the numbers do (2 → 5 is not «+150%» to a reader).
PERCENT_BASE = 30
#: A table with more cells than this (table 三: 25 rows × 7) would run over pages as one line a
#: cell: its rows are first shown whole by their total column, then its other cells.
ONE_PAGE_CELLS = 40
TITLE = "{org}{years}{report}对比"
YEARS = "{last}年与{this}年"
THIS_YEAR, LAST_YEAR = "本年", "上年"
SAME, NEAR = "与上年相同", "与上年相近"
YEAR = "{year}年"
NO_COUNTERPART = "无对应"
ZEROS = "另有 {n} 项两年均为 0，从略。"
ALL_ZEROS = "本表各项两年均为 0。"
UNCHANGED = "本表数字与上年相同。"
CHANGED = "本表 {n} 项数字与上年不同。"
FORMAT_CHANGED = "上年报告是{last}，本年是{this}：按两种格式含义相同的项目比较。"
NO_MATCH_THIS = "本年格式的以下项目在上年格式中没有对应，上年栏标为“无对应”：{items}。"
NO_MATCH_LAST = "上年格式的以下 {n} 项在本年格式中没有对应，未作比较：{items}。"
ITEM = "{where} {value}"
BLANK = "空"
SHARE = "本部分共 {sentences} 句，其中 {carried} 句与上年相同或相近（标出），约占文字的 {share}。"
NO_SENTENCES = "本部分没有可比较的句子。"
FINDINGS_HEADING = "校验结果"
INDICATORS_HEADING = "主要指标"
FINDINGS_OF = "{who}：{summary}"
CROSS_YEAR = "跨年度核对"
MORE = "……另有 {n} 处"
MAX_FINDINGS = 15
SEVERITY = {Severity.ERROR: "错误", Severity.WARNING: "提示"}
POINTS = "{sign}{value} 个百分点"
SUMMARY = ("本报告把{who}{this}的政府信息公开工作年度报告与{last}的逐表对照。{requests}"
           "三张统计表共 {changed} 项数字与上年不同{tables}。{prose}本年校验{this_findings}，"
           "上年校验{last_findings}，跨年度核对{cross}。")
SUMMARY_REQUESTS = "本年新收政府信息公开申请 {this} 件，上年 {last} 件，增减 {change}。"
SUMMARY_TABLES = "（{parts}）"
SUMMARY_TABLE = "表{title} {n} 项"
SUMMARY_PROSE = "一、五、六部分约 {share} 的文字与上年相同或相近。"
NONE_FOUND = "未发现问题"
FOUND = "发现 {n} 处问题"


@dataclass(frozen=True)
class Line:
    """One cell of an official table in both years: texts as shown, ``changed`` when they differ."""

    key: CellKey
    row: str
    column: str
    path: tuple[str, ...]  # the row's group labels (without the table's) and its own label
    last: str
    this: str
    change: str
    percent: str
    changed: bool


@dataclass(frozen=True)
class TableComparison:
    """An official table: its cells in both years (those 0 in both counted in ``zeros``). A long
    table's total column is in ``totals``, every row (zeros too), and not in ``lines``."""

    id: str
    title: str
    lines: tuple[Line, ...]
    zeros: int
    changed: int
    totals: tuple[Line, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        head = CHANGED.format(n=self.changed) if self.changed else UNCHANGED
        if not self.lines and not self.totals:
            return (ALL_ZEROS,)
        return (head, ZEROS.format(n=self.zeros)) if self.zeros else (head,)


@dataclass(frozen=True)
class IndicatorLine:
    label: str
    last: str
    this: str
    change: str


@dataclass(frozen=True)
class Passage:
    """A sentence of this year's prose; ``carried`` when last year has it, equal (``score``
    100) or nearly."""

    text: str
    carried: bool = False
    score: float = 0.0

    @property
    def mark(self) -> str:
        """What the comparison says beside a carried sentence."""
        return SAME if self.score >= 100 else NEAR if self.carried else ""


@dataclass(frozen=True)
class TextComparison:
    heading: str
    paragraphs: tuple[tuple[Passage, ...], ...]
    share: float
    sentences: int
    carried: int

    @property
    def note(self) -> str:
        if not self.sentences:
            return NO_SENTENCES
        return SHARE.format(sentences=self.sentences, carried=self.carried, share=percent(self.share))


@dataclass(frozen=True)
class FindingGroup:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    title: str
    summary: str
    last_year: str  # column headings: 2023年 / 2024年 (上年 / 本年 when a year is not known)
    this_year: str
    notes: tuple[str, ...]  # what the crosswalk could not carry
    indicators: tuple[IndicatorLine, ...]
    tables: tuple[TableComparison, ...]
    texts: tuple[TextComparison, ...]
    findings: tuple[FindingGroup, ...]
    #: the title's words where a line may break: the body's name, the years, 「…年度报告对比」
    title_parts: tuple[str, ...] = ()


def compare(this: Report, last: Report) -> Comparison:
    """``this`` year's report against ``last`` year's, in this year's format."""
    carried_last, kept = crosswalk.carry(last, this.format)
    theirs = set(last.format.schema.keys)
    notes = _format_notes(this, last, kept, theirs)
    this_view, last_view = this.computed(), carried_last.computed()
    tables = tuple(_table(t, this_view, last_view, theirs) for t in this.format.schema.tables)
    texts = tuple(_text(this, last, f.id, f.label) for f in this.format.schema.text)
    indicators = tuple(_indicator(i, this_view, last_view) for i in INDICATORS)
    own, before = rules.check(this), rules.check(last)
    seen = {_identity(f) for f in own}
    cross = [f for f in rules.check(this, carried_last) if _identity(f) not in seen]
    this_year, last_year = _year(this.year, THIS_YEAR), _year(last.year, LAST_YEAR)
    findings = (FindingGroup(FINDINGS_OF.format(who=this_year, summary=summary(own)), _lines(own)),
                FindingGroup(FINDINGS_OF.format(who=last_year, summary=summary(before)), _lines(before)),
                FindingGroup(FINDINGS_OF.format(who=CROSS_YEAR, summary=summary(cross)), _lines(cross)))
    org = shown.terminal(this.org or last.org or "")
    years = YEARS.format(last=_plain(last.year), this=_plain(this.year))
    title = TITLE.format(org=org, years=years, report=REPORT_TITLE)
    whole = similarity.carried(*("\n".join(r.text.get(f.id) or "" for f in this.format.schema.text)
                                 for r in (this, last)), names=(this.org, last.org))
    text = _summary(org, this_year, last_year, tables, whole, indicators, (own, before, cross))
    return Comparison(title, text, last_year, this_year, notes, indicators, tables, texts, findings,
                      (org, years, title[len(org) + len(years):]))


# --- numbers ------------------------------------------------------------------------------

def value_text(value: Value) -> str:
    """A cell as the tables show it: blank is blank (never 0), a fee keeps its decimals."""
    if value is None:
        return ""
    if isinstance(value, Invalid):
        return shown.terminal(value.raw)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def change_text(this: Number, last: Number) -> tuple[str, str]:
    """``(±change, ±percent)``: the percentage only where last year's value is at least
    ``PERCENT_BASE``."""
    diff = this - last
    sign = "+" if diff > 0 else ""
    change = sign + value_text(diff) if diff else "0"  # not 0.0000 for an unchanged fee
    if last < PERCENT_BASE:
        return change, ""
    share = Decimal(diff) * 100 / Decimal(last)
    return change, f"{sign}{share:.1f}%"


def percent(share: float | Decimal) -> str:
    return f"{Decimal(share) * 100:.1f}%"


def _table(table: Table, this: ReportView, last: ReportView, theirs: set[CellKey]) -> TableComparison:
    cells = table.cells()
    by_totals = len(cells) > ONE_PAGE_CELLS and all(any(c.derived for c in r.columns) for r in table.rows)
    lines: list[Line] = []
    totals: list[Line] = []
    zeros = 0
    for row, column in cells:
        key = (table.id, row.id, column.id)
        line = _line(key, row, column, this, last, theirs)
        if by_totals and column.derived:
            totals.append(line)
        elif key in theirs and _zero(this.value(key)) and _zero(last.value(key)):
            zeros += 1
        else:
            lines.append(line)
    changed = sum(line.changed for line in (*totals, *lines))
    return TableComparison(table.id, table.title, tuple(lines), zeros, changed, tuple(totals))


def _zero(value: Value) -> bool:
    return is_number(value) and value == 0


def _line(key: CellKey, row: Row, column: Column, this: ReportView, last: ReportView,
          theirs: set[CellKey]) -> Line:
    """One cell in both years, its change beside it."""
    now, before = this.value(key), last.value(key)
    path = (*row.parents, row.label)
    if key not in theirs:
        return Line(key, row.title, column.label, path, NO_COUNTERPART, value_text(now), "", "", False)
    if is_number(now) and is_number(before):
        change, share = change_text(now, before)
        differs = now != before
    else:
        change, share, differs = "", "", value_text(now) != value_text(before)
    return Line(key, row.title, column.label, path, value_text(before), value_text(now), change, share,
                differs)


def _indicator(indicator: Indicator, this: ReportView, last: ReportView) -> IndicatorLine:
    now, before = indicator.value(this), indicator.value(last)
    if indicator.kind == "rate":
        shown_now = percent(now) if now is not None else ""
        shown_before = percent(before) if before is not None else ""
        change = ""
        if now is not None and before is not None:
            points = (Decimal(now) - Decimal(before)) * 100
            change = POINTS.format(sign="+" if points > 0 else "", value=f"{points:.1f}")
        return IndicatorLine(indicator.label, shown_before, shown_now, change)
    change = ""
    if now is not None and before is not None:
        diff, share = change_text(now, before)
        change = f"{diff}（{share}）" if share else diff
    return IndicatorLine(indicator.label, value_text(before), value_text(now), change)


# --- prose --------------------------------------------------------------------------------

def _text(this: Report, last: Report, field_id: str, heading: str) -> TextComparison:
    now, before = this.text.get(field_id), last.text.get(field_id)
    found = similarity.carried(now, before, names=(this.org, last.org))
    scores = {m.sentence: m.score for m in found.matches}
    paragraphs = []
    for line in (now or "").splitlines():
        pieces = similarity.sentences(line)
        if pieces:
            paragraphs.append(tuple(Passage(shown.terminal(p), p in scores, scores.get(p, 0.0))
                                    for p in pieces))
    return TextComparison(heading, tuple(paragraphs), found.share, found.sentences, found.carried)


# --- findings and the summary -------------------------------------------------------------

def _identity(finding: Finding) -> tuple:
    return finding.rule, finding.ref, finding.message


def _lines(findings: list[Finding]) -> tuple[str, ...]:
    out = [shown.terminal(f"{SEVERITY[f.severity]} {f.ref + ' ' if f.ref else ''}{f.message}")
           for f in findings[:MAX_FINDINGS]]
    if len(findings) > MAX_FINDINGS:
        out.append(MORE.format(n=len(findings) - MAX_FINDINGS))
    return tuple(out)


def _format_notes(this: Report, last: Report, kept: dict[CellKey, Value], theirs: set[CellKey]) -> tuple[str, ...]:
    if last.format is this.format:
        return ()
    ours = this.format.schema
    missing = _places(ours, [k for k in ours.keys if k not in theirs])
    notes = [FORMAT_CHANGED.format(last=last.format.name, this=this.format.name)]
    if missing:
        notes.append(NO_MATCH_THIS.format(n=len(missing), items="、".join(missing)))
    if kept:
        items = [ITEM.format(where=last.format.schema.describe(k), value=value_text(v) or BLANK)
                 for k, v in kept.items()]
        notes.append(NO_MATCH_LAST.format(n=len(items), items="、".join(items)))
    return tuple(notes)


def _places(schema: Schema, keys: list[CellKey]) -> list[str]:
    """Cells named by the clerk's words, a row whose every column is among them by its title."""
    out: list[str] = []
    wanted = set(keys)
    for table in schema.tables:
        for row in table.rows:
            mine = [(table.id, row.id, c.id) for c in row.columns if (table.id, row.id, c.id) in wanted]
            if mine and len(mine) == len(row.columns):
                out.append(row.title)
            else:
                out.extend(schema.describe(k) for k in mine)
    return out


def _summary(org: str, this_year: str, last_year: str, tables: Iterable[TableComparison],
             prose_found: similarity.Carried, indicators: tuple[IndicatorLine, ...],
             findings: tuple[list[Finding], ...]) -> str:
    tables = tuple(tables)
    new = indicators[0]  # 新收申请, the first indicator
    requests = SUMMARY_REQUESTS.format(this=new.this, last=new.last, change=new.change) \
        if new.this and new.last else ""
    parts = [SUMMARY_TABLE.format(title=t.title.split("、")[0], n=t.changed)
             for t in tables]
    prose = SUMMARY_PROSE.format(share=percent(prose_found.share)) if prose_found.sentences else ""

    def found(group: list[Finding]) -> str:
        return FOUND.format(n=len(group)) if group else NONE_FOUND

    return SUMMARY.format(who=org, this=this_year, last=last_year, requests=requests,
                          changed=sum(t.changed for t in tables),
                          tables=SUMMARY_TABLES.format(parts="，".join(parts)),
                          prose=prose, this_findings=found(findings[0]), last_findings=found(findings[1]),
                          cross=found(findings[2]))


def _year(year: int | Invalid | None, fallback: str) -> str:
    return YEAR.format(year=year) if isinstance(year, int) else fallback


def _plain(year: int | Invalid | None) -> str:
    return str(year) if isinstance(year, int) else "?"
