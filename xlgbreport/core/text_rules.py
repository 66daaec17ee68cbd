"""The rules on the text sections (一, 五, 六): warnings that quote the sentence and name its
cell. text.missing judges 五 and 六 alone (and is compiled to the 校验 sheet); text.year,
text.number and text.length read the text against the report's year and tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING, Any

from .findings import Finding, Severity
from .model import ReportView
from .prior import normalise
from .rule_base import APPEALS, PROACTIVE, REQUESTS, Rule
from .tables import CellKey, Role, Row, Schema, Table, text_key

if TYPE_CHECKING:  # pragma: no cover - rapidfuzz is loaded only when copies are compared
    from .similarity import Carried, Match


class TextMissing(Rule):
    id = "text.missing"
    severity = Severity.WARNING
    title = "文字说明缺失或雷同"
    template = "{section}：{problem}"
    # Empty or "无" is judged on the report alone (and compiled to the 校验 sheet); a copy of
    # last year's text only when last year's report is given.
    reads_text = True
    SECTIONS = ("problems", "other_matters")
    EMPTY = "为空，请填写"
    NOTHING = "只写了“{text}”，请写明实际情况"
    SAME = "与上年完全相同，请结合本年情况修改（不得年年雷同）"
    NOTHING_TEXTS = frozenset({"无", "无。", "暂无", "暂无。"})
    YEARS = re.compile(r"(?:19|20)\d\d")
    #: What "empty" ignores: spaces (ASCII, full-width, no-break) and control characters (tabs,
    #: line breaks), exactly what the 校验 formula removes with SUBSTITUTE and CLEAN.
    SPACES = (" ", "\u3000", "\xa0")
    #: One character class, not ``str.translate`` with a table: that looks up every character
    #: of a thousand-character section in a dict.
    _IGNORED = re.compile("[" + re.escape("".join(SPACES)) + "\x00-\x1f]")

    def squeeze(self, text: str | None) -> str:
        return self._IGNORED.sub("", text or "")

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        labels = {f.id: f.label for f in report.format.schema.text}
        for section in self.SECTIONS:
            text = self.squeeze(report.text.get(section))
            if not text:
                problem = self.EMPTY
            elif text in self.NOTHING_TEXTS:
                problem = self.NOTHING.format(text=text)
            elif prior is not None and self._same(report.text.get(section), prior.text.get(section)):
                problem = self.SAME
            else:
                continue
            yield self.finding(report, text_key(section), section=labels[section],
                               problem=problem)

    def _same(self, text: str | None, last: str | None) -> bool:
        """Identical apart from white space and year numbers: a copy with only the year changed."""
        return self.YEARS.sub("#", normalise(text)) == self.YEARS.sub("#", normalise(last))


# --- the text checked against the report: warnings, quoting the sentence -------------------

_SENTENCE_END = "。！？；\n"
MAX_QUOTE = 60


_SENTENCE = re.compile(f"[^{_SENTENCE_END}]*(?:[{_SENTENCE_END}]|$)")


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """Each sentence of ``text`` with its start: split after 。！？； and line breaks."""
    return iter(_split(text))


@lru_cache(maxsize=3)
def _split(text: str) -> tuple[tuple[int, str], ...]:
    """:func:`sentences`, split once for the rules that read the same three sections one after
    the other (text.year and text.number); one report's texts at most are kept."""
    out, start = [], 0
    for sentence in _SENTENCE.findall(text):  # the matches tile the text: each starts where one ends
        if sentence.strip():
            out.append((start, sentence))
        start += len(sentence)
    return tuple(out)


def quote(sentence: str) -> str:
    """A sentence as a message quotes it: trimmed, at most MAX_QUOTE characters."""
    text = sentence.strip()
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 1] + "…"


class TextYear(Rule):
    id = "text.year"
    severity = Severity.WARNING
    title = "文字中的年份"
    template = "{section}：“{sentence}”写的是 {found} 年，本报告是 {year} 年度的，请核实"
    reads_text = True
    on_check_sheet = False
    SECTIONS = ("overview", "problems", "other_matters")
    PLANS = "problems"  # 五 says what is planned for next year
    FIRST = 2008  # the 条例's first year: earlier years are history, not a copied report
    _DIGITS = "〇零一二三四五六七八九"
    YEAR = re.compile(r"(?<![\d〇零一二三四五六七八九])((?:19|20)\d\d|[〇零一二三四五六七八九]{4})(?=\s*年)")
    #: Years that are references, not the report's year: a document number 〔2020〕109号, a
    #: title 《…》, a range (2021-2035), 2022-2023年度; comparisons (较2021年, 2019年以来).
    NUMBERED = re.compile(r"[〔\[［【（(]\s*$")
    #: Possessive (``*+``) so the two ``\s*`` around an absent 年 cannot split a run of spaces
    #: every way: linear on untrusted text.
    RANGE_BEFORE = re.compile(r"(?:19|20)\d\d\s*+年?\s*+[-—–~～至到]\s*+$")
    RANGE_AFTER = re.compile(r"^\s*+年?\s*+[-—–~～至到]\s*+(?:19|20)?\d\d")
    COMPARED = re.compile(r"(?:较|比|同比|与|自|从|截至|截止|早在|于)\s*$")
    SINCE = re.compile(r"^\s*年(?:度)?\s*(?:以来|相比|同期|修订|版|以前|之前)")
    CARRIED = re.compile(r"(?:结转至|结转到|转入|转至)\s*$")
    WINDOW = 40  # characters either side of a year that the patterns above look at

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        if not isinstance(report.year, int):
            return
        labels = {f.id: f.label for f in report.format.schema.text}
        for section in self.SECTIONS:
            text = report.text.get(section) or ""
            for _, sentence in sentences(text):
                if "年" not in sentence:
                    continue  # every year the rule reads is followed by 年
                for found in self.wrong_years(sentence, report.year, section):
                    yield self.finding(report, text_key(section), section=labels[section],
                                       sentence=quote(sentence), found=found, year=report.year,
                                       expected=report.year, actual=found)

    def wrong_years(self, sentence: str, year: int, section: str) -> list[int]:
        """The years that are not this report's, each once. Linear in the sentence: the brackets
        open before a year are counted as the matches go, and the patterns that judge what stands
        just before or after a year see only a window of ``WINDOW`` characters."""
        out: list[int] = []
        depth = {"《": 0, "》": 0, "〔": 0, "〕": 0}
        last = 0
        for m in self.YEAR.finditer(sentence):
            for ch in depth:
                depth[ch] += sentence.count(ch, last, m.start())
            last = m.start()
            found = self._value(m.group(1))
            before = sentence[max(0, m.start() - self.WINDOW):m.start()]
            after = sentence[m.end():m.end() + self.WINDOW]
            if found == year or found is None or found < self.FIRST or found > year + 1:
                continue  # the report's year, history, or a plan's horizon (二〇三五年)
            if found == year + 1 and (section == self.PLANS or self.CARRIED.search(before)):
                continue  # next year's plans in 五; 结转至2026年
            inside = depth["《"] > depth["》"] or depth["〔"] > depth["〕"]
            if inside or self.NUMBERED.search(before) or self.RANGE_BEFORE.search(before) \
                    or self.RANGE_AFTER.match(after) or self.COMPARED.search(before) \
                    or self.SINCE.match(after):
                continue
            if found not in out:
                out.append(found)
        return out

    def _value(self, digits: str) -> int | None:
        if digits.isdigit():
            return int(digits)
        return int("".join(str(self._DIGITS.index(ch) - 1 if ch != "〇" else 0) for ch in digits))


class TextNumber(Rule):
    id = "text.number"
    severity = Severity.WARNING
    title = "文字与表格数字不符"
    template = "{section}：“{sentence}”说{what} {found} 件，表中为 {accepted}，请核实"
    reads_text = True
    on_check_sheet = False
    formats = frozenset({"gb2021"})  # the readings name 2021's rows and columns
    SECTIONS = ("overview", "problems", "other_matters")
    #: Between a quantity's words and its number: no punctuation, a few characters at most.
    GAP = r"[^，,。；;：:、（）()\d]{0,12}?"
    NUMBER = r"(\d[\d,]*+)\s*+件"  # possessive: a long run of digits is not given back digit by digit
    #: A sentence about other bodies (filings recorded, guidance given, departments): its numbers
    #: are not this report's table quantities.
    OTHERS = re.compile("全省|全国|各地|各县|各区|各部门|各单位|备案|指导")
    MIN_LABEL = 3  # an applicant column named by a shorter word (其他) is no quantity in prose

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        labels = {f.id: f.label for f in report.format.schema.text}
        readings = self.readings(report)
        for section in self.SECTIONS:
            for _, sentence in sentences(report.text.get(section) or ""):
                if "件" not in sentence or self.OTHERS.search(sentence):
                    continue  # every quantity the rule reads is a number of 件
                for what, found, accepted in self.contradicted(sentence, readings):
                    yield self.finding(report, text_key(section), section=labels[section],
                                       sentence=quote(sentence), what=what, found=found,
                                       accepted="或".join(map(str, accepted)),
                                       expected=accepted[0], actual=found)

    def contradicted(self, sentence: str, readings: list[Reading]) -> list[tuple[str, int, list[Any]]]:
        out = []
        taken: set[int] = set()  # a number is read once, by the first quantity naming it
        for pattern, words, what, accepted in readings:
            for word in words:
                if word in sentence:
                    break
            else:
                continue  # every match holds one of the words: no regex search needed
            values = None
            for m in pattern.finditer(sentence):
                if m.start(1) in taken:
                    continue
                taken.add(m.start(1))
                found = int(m.group(1).replace(",", ""))
                if values is None:
                    values = [v for v in dict.fromkeys(accepted(sentence)) if v is not None]
                if values and found not in values:
                    out.append((what, found, values))
        return out

    def readings(self, report: ReportView) -> list[Reading]:
        """(pattern, words one of which each match holds, what it counts, the accepted values for
        a sentence): the quantities a sentence may state, each with every reading the tables
        allow; a reading with a blank cell accepts nothing known, so nothing is flagged for it.
        The values are summed only for a sentence that states the quantity: most state few."""
        n = report.number

        def add(keys: tuple[CellKey, ...]) -> Any:
            values = [n(k) for k in keys]
            return None if any(v is None for v in values) else sum(values)

        def either(sentence: str, sums: _Either) -> list[Any]:
            return [add(k) for k in (sums.last if _LAST_YEAR.search(sentence) else sums.this)]

        def each(_: str, sums: tuple[Sum, ...]) -> list[Any]:
            return [add(k) for k in sums]

        out: list[Reading] = []
        for pattern, words, what, accepted in _quantities(report.format.schema, self.GAP, self.NUMBER):
            if isinstance(accepted, _Either):
                out.append((pattern, words, what, partial(either, sums=accepted)))
            else:
                out.append((pattern, words, what, partial(each, sums=accepted)))
        return out


#: A sum of cells (one or more): a reading the tables allow.
Sum = tuple[CellKey, ...]
_LAST_YEAR = re.compile("上年|上一年|去年")
#: A quantity as a sentence may state it: see :meth:`TextNumber.readings`.
Reading = tuple[re.Pattern, tuple[str, ...], str, Callable[[str], list[Any]]]


@dataclass(frozen=True)
class _Either:
    """Readings that depend on the sentence: ``last`` when it names last year, else ``this``."""

    last: tuple[Sum, ...]
    this: tuple[Sum, ...]


@cache
def _quantities(schema: Schema, gap: str, num: str
                ) -> tuple[tuple[re.Pattern, tuple[str, ...], str, tuple[Sum, ...] | _Either], ...]:
    """:meth:`TextNumber.readings` without the values: the patterns and the cells they read
    depend on the format only, so they are compiled once per format, not once per report.
    Each pattern comes with words one of which every match holds: a sentence without them is
    not searched (``in`` costs a fraction of a search; most sentences name few quantities)."""
    req, app, pro = schema.table(REQUESTS), schema.table(APPEALS), schema.table(PROACTIVE)

    def total(row: Row, table: Table = req) -> CellKey:
        return (table.id, row.id, next(c.id for c in row.columns if c.derived))

    new, carried = total(req.role(Role.NEW)), total(req.role(Role.CARRIED_OVER))
    done, nxt = total(req.role(Role.RESULTS_TOTAL)), total(req.role(Role.CARRIED_FORWARD))
    groups = app.with_role(Role.APPEAL)
    review = [r for r in groups if not r.parents]
    litigation = [r for r in groups if r.parents]

    def rx(words: str) -> re.Pattern:
        return re.compile(f"(?:{words}){gap}{num}")

    out: list[tuple[re.Pattern, tuple[str, ...], str, tuple[Sum, ...] | _Either]] = [
        (rx(r"(?:收到|新收|受理|接收)(?=[^，。；]{0,60}申请)"), ("收到", "新收", "受理", "接收"), "收到的申请",
         ((new,), (new, carried))),
        (rx(r"上年结转|上一年度结转|上年度结转"), ("结转",), "上年结转", ((carried,),)),
        (rx(r"结转下一?年度?|转下一?年度?|结转至下一?年度?|结转"), ("转",), "结转",
         _Either(((carried,),), ((nxt,),))),
        (rx(r"办结|答复"), ("办结", "答复"), "办结（答复）", ((done,),)),
        (rx("行政复议"), ("行政复议",), "行政复议", tuple((total(r, app),) for r in review)),
        (rx("行政诉讼"), ("行政诉讼",), "行政诉讼", (*((total(r, app),) for r in litigation),
                                                 tuple(total(r, app) for r in litigation))),
    ]
    new_row, carried_row = req.role(Role.NEW).id, req.role(Role.CARRIED_OVER).id
    persons = [c for c in req.columns if not c.derived and not c.parents]
    orgs = [c for c in req.columns if not c.derived and c.parents]
    for col in (c for c in persons + orgs if len(c.label) >= TextNumber.MIN_LABEL):
        new_col = (req.id, new_row, col.id)
        out.append((rx(re.escape(col.label)), (col.label,), col.label,
                    ((new_col,), (new_col, (req.id, carried_row, col.id)))))
    if orgs:
        org_new = tuple((req.id, new_row, c.id) for c in orgs)
        org_carried = tuple((req.id, carried_row, c.id) for c in orgs)
        out.append((rx(re.escape(orgs[0].parents[0])), (orgs[0].parents[0],), orgs[0].parents[0],
                    (org_new, org_new + org_carried)))
    for column, verb in (("in_force", "现行有效"), ("issued", "制发|制定|出台|印发")):
        for row in pro.with_role(Role.DOCUMENTS):
            label = row.label.removeprefix("行政")
            name = re.escape(label)
            pattern = re.compile(f"(?:(?:{verb}){gap}{name}|{name}{gap}(?:{verb})){gap}{num}")
            out.append((pattern, (label,), f"{row.label}{'现行有效' if column == 'in_force' else '制发'}",
                        (((pro.id, row.id, column),),)))
    return tuple(out)


class TextLength(Rule):
    id = "text.length"
    severity = Severity.WARNING
    title = "总体情况篇幅"
    template = "{section}有 {n} 字，超过格式要求的“原则上不超过一千字”"
    reads_text = True
    formats = frozenset({"gb2021"})  # 国办公开办函〔2021〕30号 sets the limit
    SECTION = "overview"
    LIMIT = 1000

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        # characters, not spaces (ASCII, full-width, no-break) or line breaks: as the 校验 sheet
        # counts them (SUBSTITUTE and CLEAN)
        count = len(TextMissing().squeeze(report.text.get(self.SECTION)))
        if count > self.LIMIT:
            yield self.finding(report, text_key(self.SECTION), expected=self.LIMIT, actual=count,
                               section=report.format.schema.label(self.SECTION), n=count)




class TextCopied(Rule):
    """Prose carried over from another report: another unit of the same run, or the same
    body's last year. Not one of ``RULES``: the other report is the second argument, as the
    county's consolidation pairs them (``consolidation.copies``), never last year by default."""

    id = "text.copied"
    severity = Severity.WARNING
    title = "文字与其他报告雷同"
    template = "{section}：{share} 的内容与{other}相同或几乎相同（{carried}/{total} 句，如“{sentence}”），请结合本单位本年实际重写"
    reads_text = True
    on_check_sheet = False
    SECTIONS = ("overview", "problems", "other_matters")
    #: A section is copied when at least this share of it (by characters, once normalised) …
    SHARE = 0.5
    #: … in at least this many sentences is in the other report: two stock sentences are not a copy.
    MIN_CARRIED = 3
    LAST_YEAR = "上年报告"
    OTHER = "{org}的报告"

    def compare(self, report: ReportView, other: ReportView) -> Iterator[tuple[Finding, Carried]]:
        """Each section of ``report`` carried from the same section of ``other`` at or above the
        thresholds: its finding, and what was carried (the county's 雷同 sheet shows a sample)."""
        from .similarity import carried  # rapidfuzz: not for every validate

        names = (report.org, other.org)
        last_year = normalise(report.org) == normalise(other.org)
        who = self.LAST_YEAR if last_year else self.OTHER.format(org=other.org or "")
        for section in self.SECTIONS:
            found = carried(report.text.get(section), other.text.get(section), names=names)
            if found.share < self.SHARE or found.carried < self.MIN_CARRIED:
                continue
            yield self.finding(report, text_key(section), actual=round(found.share, 3),
                               section=report.format.schema.label(section), share=f"{found.share:.0%}",
                               other=who, carried=found.carried, total=found.sentences,
                               sentence=quote(longest(found).sentence)), found

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        if prior is not None:
            yield from (finding for finding, _ in self.compare(report, prior))


def longest(found: Carried) -> Match:
    """The longest sentence carried: the sample that shows a copy best (never a stock phrase)."""
    return max(found.matches, key=lambda m: len(m.sentence))
