"""The check rules. Each rule is a small class: a stable id, a severity, a Chinese title and
message template. Arithmetic rules are declared as :class:`Equation` data, so that the same
declaration is evaluated here in Python and compiled to native Excel formulas (``excel_formulas``).

Blank and non-numeric cells are reported once (value.blank, value.invalid); an equation that
depends on such a cell, directly or through a total, is not evaluated: nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from .findings import Finding, Severity
from .formats import DEFAULT, Format
from .model import Invalid, Report, is_number
from .prior import carried_pairs, expected_in_force, in_force_key, in_force_rows, normalise, same_org
from .tables import CellKey, Role, Schema, TableId, text_key

#: An argument of a message: a literal text, or the sum of some cells.
Arg = str | tuple[CellKey, ...]
PROACTIVE, REQUESTS, APPEALS = TableId
DEFAULT_SCHEMA = DEFAULT.schema


class Rule:
    """A declared check. Subclasses set the class attributes and implement ``check``."""

    id: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    title: ClassVar[str]
    template: ClassVar[str]
    needs_prior: ClassVar[bool] = False
    reads_text: ClassVar[bool] = False  # the text sections, which Excel functions are not given
    #: Whether a formula on the 校验 sheet says the same (a sentence-by-sentence reading cannot).
    on_check_sheet: ClassVar[bool] = True
    #: The formats the rule holds in (by ``Format.id``); most hold in every format.
    formats: ClassVar[frozenset[str] | None] = None

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, report: Report, at: CellKey | str | None, *, expected: Any = None,
                actual: Any = None, **args: Any) -> Finding:
        table = row = column = None
        if isinstance(at, tuple):
            table, row, column = at
        place = report.location(at) if at else None
        return Finding(self.id, self.severity, self.template, tuple(args.items()), table, row,
                       column, place.sheet if place else None, place.cell if place else None,
                       expected, actual, line=place.line if place else None,
                       source=place.source if place else None)


@dataclass(frozen=True)
class Equation:
    """``sum(expected) == sum(actual)``, reported at ``at``; ``args`` fill the message."""

    rule: EquationRule
    at: CellKey
    expected: tuple[CellKey, ...]
    actual: tuple[CellKey, ...]
    args: tuple[tuple[str, Arg], ...]
    highlight: tuple[CellKey, ...]
    schema: Schema

    @cached_property
    def support(self) -> tuple[CellKey, ...]:
        """Every cell that must hold a number for the equation to be evaluated: its cells and
        all they are summed from, totals in between included."""
        below = self.schema.below
        return tuple(dict.fromkeys(k for key in self.expected + self.actual for k in below(key)))

    def evaluate(self, report: Report) -> Finding | None:
        number = report.number
        if not getattr(report, "complete", False) and any(number(k) is None for k in self.support):
            return None
        expected = sum(map(number, self.expected))  # type: ignore[arg-type]
        actual = sum(map(number, self.actual))  # type: ignore[arg-type]
        if expected == actual:
            return None
        args = {name: arg if isinstance(arg, str) else _shown(sum(report.number(k) for k in arg))
                for name, arg in self.args}
        return self.rule.finding(report, self.at, expected=expected, actual=actual, **args)


def _shown(number: Any) -> Any:
    """A sum as the 校验 sheet shows it: 1.5 + 1.5 is 3, not 3.0 (Decimal keeps the zero)."""
    if isinstance(number, Decimal):
        return int(number) if number == number.to_integral_value() else number.normalize()
    return number


class EquationRule(Rule):
    """A rule made of equations between cells of the tables."""

    def equations(self, schema: Schema) -> Iterator[Equation]:
        raise NotImplementedError

    def declared(self, schema: Schema | None = None) -> tuple[Equation, ...]:
        """The rule's equations in a format (default: the template's), built once per format."""
        schema = schema or DEFAULT_SCHEMA
        cache = self.__dict__.setdefault("_declared", {})
        if schema.id not in cache:
            cache[schema.id] = tuple(self.equations(schema))
        return cache[schema.id]

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        for eq in self.declared(report.format.schema):
            found = eq.evaluate(report)
            if found:
                yield found

    def equation(self, schema: Schema, at: CellKey, expected: tuple[CellKey, ...],
                 actual: tuple[CellKey, ...], highlight: tuple[CellKey, ...] | None = None,
                 **args: Arg) -> Equation:
        return Equation(self, at, expected, actual, tuple(args.items()), highlight or (at,), schema)


class RequestsBalance(EquationRule):
    id = "requests.balance"
    title = "申请数勾稽关系"
    template = "{column}列：一（{new}）+ 二（{carried}）≠（七）总计（{total}）+ 四（{next}）"

    def equations(self, schema: Schema) -> Iterator[Equation]:
        table = schema.table(REQUESTS)
        roles = (Role.NEW, Role.CARRIED_OVER, Role.RESULTS_TOTAL, Role.CARRIED_FORWARD)
        rows = [table.role(role).id for role in roles]
        for col in table.columns:
            new, carried, total, nxt = ((table.id, r, col.id) for r in rows)
            yield self.equation(schema, new, (new, carried), (total, nxt),
                                highlight=(new, carried, total, nxt), column=col.label,
                                new=(new,), carried=(carried,), total=(total,), next=(nxt,))


class RequestsRowTotal(EquationRule):
    id = "requests.row_total"
    title = "申请表行总计"
    template = "{row}：总计（{total}）≠ 各类申请人之和（{parts}）"

    def equations(self, schema: Schema) -> Iterator[Equation]:
        table = schema.table(REQUESTS)
        for row in table.rows:
            total = next((table.id, row.id, c.id) for c in row.columns if c.derived)
            parts = schema.parts(total)
            yield self.equation(schema, total, parts, (total,), row=row.title, total=(total,), parts=parts)


class RequestsResultsTotal(EquationRule):
    id = "requests.results_total"
    title = "办理结果总计"
    template = "{column}列：（七）总计（{total}）≠ 各项办理结果之和（{parts}）"

    def equations(self, schema: Schema) -> Iterator[Equation]:
        table = schema.table(REQUESTS)
        results_total = table.role(Role.RESULTS_TOTAL).id
        results = table.with_role(Role.RESULT)
        for col in table.columns:
            total = (table.id, results_total, col.id)
            parts = tuple((table.id, r.id, col.id) for r in results)
            yield self.equation(schema, total, parts, (total,), column=col.label, total=(total,),
                                parts=parts)


class AppealsGroupTotal(EquationRule):
    id = "appeals.group_total"
    title = "复议诉讼总计"
    template = "{group}：总计（{total}）≠ 维持、纠正、其他、尚未审结之和（{parts}）"

    def equations(self, schema: Schema) -> Iterator[Equation]:
        table = schema.table(APPEALS)
        for row in table.with_role(Role.APPEAL):
            total = next((table.id, row.id, c.id) for c in row.columns if c.derived)
            parts = schema.parts(total)
            yield self.equation(schema, total, parts, (total,), group="".join(row.parents) + row.label,
                                total=(total,), parts=parts)


class ValueBlank(Rule):
    id = "value.blank"
    title = "空白单元格"
    template = "{where}为空（没有请填 0）"

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        schema = report.format.schema
        for key in schema.keys:
            if key not in report.cells and schema.is_derived(key):
                continue  # an absent total is computed, not blank
            if report.cells.get(key) is None:
                yield self.finding(report, key, where=schema.describe(key))


class ValueInvalid(Rule):
    id = "value.invalid"
    title = "无效数值"
    template = "{where}{problem}：{value}"
    NOT_A_NUMBER = "不是数字"
    ERROR_VALUE = "是错误值（公式或引用出错，请改正后填数字）"
    NEGATIVE = "不能为负数"
    FRACTION = "应为整数"
    #: What Excel, WPS and LibreOffice show in a cell whose formula failed.
    ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                        "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#BUSY!",
                        "#CONNECT!", "#UNKNOWN!", "#PYTHON!", "Err:502", "Err:504", "Err:508"})

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        schema = report.format.schema
        for key, value in report.cells.items():
            if type(value) is int and value >= 0 or value is None:
                continue  # a count, or a blank (value.blank's): the common cases, at once
            problem = self.problem(key, value, schema)
            if problem:
                yield self.finding(report, key, actual=_plain(value), where=schema.describe(key),
                                   problem=problem, value=value)

    def problem(self, key: CellKey, value: object, schema: Schema | None = None) -> str | None:
        if value is None:
            return None
        if isinstance(value, Invalid) and value.raw.strip() in self.ERRORS:
            return self.ERROR_VALUE
        if isinstance(value, Invalid) or not is_number(value):
            return self.NOT_A_NUMBER
        column = (schema or DEFAULT_SCHEMA).column(key)
        if value < 0 and not column.signed:  # type: ignore[operator]
            return self.NEGATIVE
        if column.kind != "amount" and value != int(value):  # type: ignore[call-overload]
            return self.FRACTION
        return None


class MetaMissing(Rule):
    id = "meta.missing"
    title = "封面信息缺失"
    template = "封面缺少{field}"

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        label = report.format.schema.label
        if not (report.org or "").strip():
            yield self.finding(report, "org", field=label("org"))
        if report.year is None:
            yield self.finding(report, "year", field=label("year"))


class MetaYear(Rule):
    id = "meta.year"
    title = "报告年度无效"
    FIRST, LAST = 2008, 2100  # the 条例 took effect in 2008
    # "数字": a year typed as text ("2024" in a text-formatted cell) looks right but is not one
    template = f"封面的{{field}}应为 {FIRST}–{LAST} 之间的数字年份，现为“{{value}}”"

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        year = report.year
        if year is None:
            return
        if not isinstance(year, int) or not self.FIRST <= year <= self.LAST:
            label = report.format.schema.label("year")
            yield self.finding(report, "year", actual=str(year), field=label, value=year)


def _plain(value: object) -> object:
    if isinstance(value, Invalid):
        return value.raw
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- cross-year rules: last year's report as ``prior`` ---------------------------------

class PriorCarryOver(Rule):
    id = "prior.carry_over"
    title = "上年结转"
    template = "{column}列：{this_row}（{now}）≠ 上年{last_row}（{before}）"
    needs_prior = True

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        if prior is None:
            return
        table = report.format.schema.table(REQUESTS)
        for this_key, last_key in carried_pairs(report.format.schema):
            now, before = report.value(this_key), prior.value(last_key)
            if is_number(now) and is_number(before) and now != before:
                row = table.row(this_key[1])
                yield self.finding(report, this_key, expected=before, actual=now, now=now,
                                   before=before, column=row.column(this_key[2]).label,
                                   this_row=row.label, last_row=table.row(last_key[1]).label)


class PriorInForce(Rule):
    id = "prior.in_force"
    severity = Severity.WARNING
    title = "现行有效件数连续性"
    template = ("{row}{in_force}为 {now}，按上年 {last} + {issued} {n_issued} − {repealed} "
                "{n_repealed} 应为 {due}；如因清理等原因不一致，请在文字说明中说明")
    needs_prior = True
    formats = frozenset({"gb2021"})  # 2019's table 二 counts 新制作/新公开, not 现行有效

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        if prior is None:
            return
        for row in in_force_rows(report.format.schema):
            row_id = row.id
            expected = expected_in_force(report, prior, row_id)
            key = in_force_key(row_id)
            actual = report.number(key)
            if expected is None or actual is None or expected == actual:
                continue
            yield self.finding(report, key, expected=expected, actual=actual, now=actual,
                               due=expected, row=row.label,
                               in_force=row.column("in_force").label, last=prior.number(key),
                               issued=row.column("issued").label,
                               n_issued=report.number(in_force_key(row_id, "issued")),
                               repealed=row.column("repealed").label,
                               n_repealed=report.number(in_force_key(row_id, "repealed")))


class PriorMismatch(Rule):
    id = "prior.mismatch"
    title = "上年数据不符"
    template = "上年数据的{field}应为 {due}，实为 {found}"
    needs_prior = True

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        if prior is None:
            return
        labels = {f.id: f.label for f in report.format.schema.meta}
        if normalise(report.org) and not same_org(report.org, prior.org):
            yield self.finding(report, "org", expected=report.org, actual=prior.org,
                               due=report.org, found=prior.org, field=labels["org"])
        if isinstance(report.year, int) and prior.year != report.year - 1:
            last = prior.year.raw if isinstance(prior.year, Invalid) else prior.year
            yield self.finding(report, "year", expected=report.year - 1, actual=last,
                               due=report.year - 1, found=last, field=labels["year"])


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
    _IGNORED = dict.fromkeys([*map(ord, SPACES), *range(32)])

    def squeeze(self, text: str | None) -> str:
        return (text or "").translate(self._IGNORED)

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
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


class ConsolidatedSum(Rule):
    """A consolidated (or published) summary against the sum of its bodies' reports, cell by
    cell: what ``consolidate --check`` finds. Not one of ``RULES``: it needs the sum, given as
    the second report, not last year's."""

    id = "consolidation.sum"
    title = "汇总数与各单位之和不符"
    template = "{where}：汇总表为 {given}，各单位之和为 {summed}"

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        if prior is None:
            return
        schema = report.format.schema
        for key in schema.keys:
            given, summed = report.value(key), prior.value(key)
            if given != summed:
                yield self.finding(report, key, expected=_plain(summed), actual=_plain(given),
                                   where=schema.describe(key), given=_shown(given),
                                   summed=_shown(summed))


# --- the text checked against the report: warnings, quoting the sentence -------------------

_SENTENCE_END = "。！？；\n"
MAX_QUOTE = 60


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """Each sentence of ``text`` with its start: split after 。！？； and line breaks."""
    start = 0
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END:
            if text[start:i + 1].strip():
                yield start, text[start:i + 1]
            start = i + 1
    if text[start:].strip():
        yield start, text[start:]


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
    RANGE_BEFORE = re.compile(r"(?:19|20)\d\d\s*年?\s*[-—–~～至到]\s*$")
    RANGE_AFTER = re.compile(r"^\s*年?\s*[-—–~～至到]\s*(?:19|20)?\d\d")
    COMPARED = re.compile(r"(?:较|比|同比|与|自|从|截至|截止|早在|于)\s*$")
    SINCE = re.compile(r"^\s*年(?:度)?\s*(?:以来|相比|同期|修订|版|以前|之前)")
    CARRIED = re.compile(r"(?:结转至|结转到|转入|转至)\s*$")

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        if not isinstance(report.year, int):
            return
        labels = {f.id: f.label for f in report.format.schema.text}
        for section in self.SECTIONS:
            text = report.text.get(section) or ""
            for _, sentence in sentences(text):
                for found in self.wrong_years(sentence, report.year, section):
                    yield self.finding(report, text_key(section), section=labels[section],
                                       sentence=quote(sentence), found=found, year=report.year,
                                       expected=report.year, actual=found)

    def wrong_years(self, sentence: str, year: int, section: str) -> list[int]:
        out: list[int] = []
        for m in self.YEAR.finditer(sentence):
            found = self._value(m.group(1))
            before, after = sentence[:m.start()], sentence[m.end():]
            if found == year or found is None or found < self.FIRST or found > year + 1:
                continue  # the report's year, history, or a plan's horizon (二〇三五年)
            if found == year + 1 and (section == self.PLANS or self.CARRIED.search(before)):
                continue  # next year's plans in 五; 结转至2026年
            inside = before.count("《") > before.count("》") or before.count("〔") > before.count("〕")
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
    NUMBER = r"(\d[\d,]*)\s*件"
    #: A sentence about other bodies (filings recorded, guidance given, departments): its numbers
    #: are not this report's table quantities.
    OTHERS = re.compile("全省|全国|各地|各县|各区|各部门|各单位|备案|指导")
    MIN_LABEL = 3  # an applicant column named by a shorter word (其他) is no quantity in prose

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        labels = {f.id: f.label for f in report.format.schema.text}
        readings = self.readings(report)
        for section in self.SECTIONS:
            for _, sentence in sentences(report.text.get(section) or ""):
                if self.OTHERS.search(sentence):
                    continue
                for what, found, accepted in self.contradicted(sentence, readings):
                    yield self.finding(report, text_key(section), section=labels[section],
                                       sentence=quote(sentence), what=what, found=found,
                                       accepted="或".join(map(str, accepted)),
                                       expected=accepted[0], actual=found)

    def contradicted(self, sentence: str, readings: list[tuple[re.Pattern, str, Any]]
                     ) -> list[tuple[str, int, list[Any]]]:
        out = []
        taken: set[int] = set()  # a number is read once, by the first quantity naming it
        for pattern, what, accepted in readings:
            if callable(accepted):
                accepted = accepted(sentence)
            for m in pattern.finditer(sentence):
                if m.start(1) in taken:
                    continue
                taken.add(m.start(1))
                found = int(m.group(1).replace(",", ""))
                values = [v for v in dict.fromkeys(accepted) if v is not None]
                if values and found not in values:
                    out.append((what, found, values))
        return out

    def readings(self, report: Report) -> list[tuple[re.Pattern, str, Any]]:
        """(pattern, what it counts, accepted values): the quantities a sentence may state, each
        with every reading the tables allow; a reading with a blank cell accepts nothing
        known, so nothing is flagged for it."""
        schema = report.format.schema
        req, app, pro = schema.table(REQUESTS), schema.table(APPEALS), schema.table(PROACTIVE)
        n = report.number

        def total(row, table=req):
            return n((table.id, row.id, next(c.id for c in row.columns if c.derived)))

        def add(*values):
            return None if any(v is None for v in values) else sum(values)

        new, carried = total(req.role(Role.NEW)), total(req.role(Role.CARRIED_OVER))
        done, nxt = total(req.role(Role.RESULTS_TOTAL)), total(req.role(Role.CARRIED_FORWARD))
        groups = app.with_role(Role.APPEAL)
        review = [r for r in groups if not r.parents]
        litigation = [r for r in groups if r.parents]
        gap, num = self.GAP, self.NUMBER

        def rx(words: str) -> re.Pattern:
            return re.compile(f"(?:{words}){gap}{num}")

        out: list[tuple[re.Pattern, str, Any]] = [
            (rx(r"(?:收到|新收|受理|接收)(?=[^，。；]*申请)"), "收到的申请", [new, add(new, carried)]),
            (rx(r"上年结转|上一年度结转|上年度结转"), "上年结转", [carried]),
            (rx(r"结转下一?年度?|转下一?年度?|结转至下一?年度?|结转"), "结转",
             lambda s: [carried] if re.search("上年|上一年|去年", s) else [nxt]),
            (rx(r"办结|答复"), "办结（答复）", [done]),
            (rx("行政复议"), "行政复议", [total(r, app) for r in review]),
            (rx("行政诉讼"), "行政诉讼", [*(total(r, app) for r in litigation),
                                     add(*(total(r, app) for r in litigation))]),
        ]
        persons = [c for c in req.columns if not c.derived and not c.parents]
        orgs = [c for c in req.columns if not c.derived and c.parents]
        for col in (c for c in persons + orgs if len(c.label) >= self.MIN_LABEL):
            new_col = n((req.id, req.role(Role.NEW).id, col.id))
            out.append((rx(re.escape(col.label)), col.label,
                        [new_col, add(new_col, n((req.id, req.role(Role.CARRIED_OVER).id, col.id)))]))
        if orgs:
            org_new = add(*(n((req.id, req.role(Role.NEW).id, c.id)) for c in orgs))
            org_carried = add(*(n((req.id, req.role(Role.CARRIED_OVER).id, c.id)) for c in orgs))
            out.append((rx(re.escape(orgs[0].parents[0])), orgs[0].parents[0],
                        [org_new, add(org_new, org_carried)]))
        for column, verb in (("in_force", "现行有效"), ("issued", "制发|制定|出台|印发")):
            for row in pro.with_role(Role.DOCUMENTS):
                name = re.escape(row.label.removeprefix("行政"))
                pattern = re.compile(f"(?:(?:{verb}){gap}{name}|{name}{gap}(?:{verb})){gap}{num}")
                out.append((pattern, f"{row.label}{'现行有效' if column == 'in_force' else '制发'}",
                            [n((pro.id, row.id, column))]))
        return out


class TextLength(Rule):
    id = "text.length"
    severity = Severity.WARNING
    title = "总体情况篇幅"
    template = "{section}有 {n} 字，超过格式要求的“原则上不超过一千字”"
    reads_text = True
    formats = frozenset({"gb2021"})  # 国办公开办函〔2021〕30号 sets the limit
    SECTION = "overview"
    LIMIT = 1000

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        # characters, not spaces (ASCII, full-width, no-break) or line breaks: as the 校验 sheet
        # counts them (SUBSTITUTE and CLEAN)
        count = len(TextMissing().squeeze(report.text.get(self.SECTION)))
        if count > self.LIMIT:
            yield self.finding(report, text_key(self.SECTION), expected=self.LIMIT, actual=count,
                               section=report.format.schema.label(self.SECTION), n=count)


RULES: tuple[Rule, ...] = (
    MetaMissing(),
    MetaYear(),
    ValueBlank(),
    ValueInvalid(),
    RequestsRowTotal(),
    RequestsResultsTotal(),
    RequestsBalance(),
    AppealsGroupTotal(),
    TextMissing(),
    TextYear(),
    TextNumber(),
    TextLength(),
    PriorMismatch(),
    PriorCarryOver(),
    PriorInForce(),
)
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
#: The rules of a consolidation, kept apart from a single report's.
CONSOLIDATION_RULES: tuple[Rule, ...] = (ConsolidatedSum(),)
#: The rules compiled to the 校验 sheet: a cross-year rule has no last year's file to refer to.
EQUATION_RULES: tuple[EquationRule, ...] = tuple(
    r for r in RULES if isinstance(r, EquationRule) and not r.needs_prior)


def for_format(fmt: Format) -> tuple[Rule, ...]:
    """The rules that hold in a format, in order."""
    return tuple(r for r in RULES if r.formats is None or fmt.id in r.formats)


def check(report: Report, prior: Report | None = None, *, text: bool = True) -> list[Finding]:
    """Every finding of every rule of the report's format: cross-year rules only when ``prior``
    is given, rules on the text sections unless ``text`` is false (the text is not known).

    The rules read a snapshot with every total computed once (:meth:`Report.computed`)."""
    view = report.computed()
    last = prior.computed() if prior is not None else None
    return [f for rule in for_format(report.format)
            if (last is not None or not rule.needs_prior) and (text or not rule.reads_text)
            for f in rule.check(view, last)]
