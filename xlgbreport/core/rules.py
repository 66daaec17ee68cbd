"""The check rules. Each rule is a small class: a stable id, a severity, a Chinese title and
message template. Arithmetic rules are declared as :class:`Equation` data, so that the same
declaration is evaluated here in Python and compiled to native Excel formulas (``excel_formulas``).

Blank and non-numeric cells are reported once (value.blank, value.invalid); an equation that
depends on such a cell, directly or through a total, is not evaluated: nothing is guessed.
"""


from __future__ import annotations

from collections.abc import Iterator

from .findings import Finding, Severity
from .formats import Format
from .model import Invalid, ReportView, is_number
from .prior import carried_pairs, expected_in_force, in_force_key, in_force_rows, normalise, renamed, same_org
from .rule_base import (
    APPEALS,
    DEFAULT_SCHEMA,
    PROACTIVE,
    REQUESTS,
    Arg,
    Equation,
    EquationRule,
    Rule,
    plain_value,
    shown_number,
)
from .tables import CellKey, Role, Schema
from .text_rules import TextLength, TextMissing, TextNumber, TextYear

__all__ = ["APPEALS", "CONSOLIDATION_RULES", "EQUATION_RULES", "PROACTIVE", "REQUESTS", "RULES",
           "RULES_BY_ID", "Arg", "Equation", "EquationRule", "Rule", "TextLength", "TextMissing",
           "TextNumber", "TextYear", "check", "for_format"]


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

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
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
    TEXT = "填成了文本，请改为数字"  # "35" in a text-formatted cell looks right but is not a number
    NOT_A_NUMBER = "不是数字"
    ERROR_VALUE = "是错误值（公式或引用出错，请改正后填数字）"
    NEGATIVE = "不能为负数"
    FRACTION = "应为整数"
    #: What Excel, WPS and LibreOffice show in a cell whose formula failed.
    ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                        "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#BUSY!",
                        "#CONNECT!", "#UNKNOWN!", "#PYTHON!", "Err:502", "Err:504", "Err:508"})

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        schema = report.format.schema
        for key, value in report.cells.items():
            if type(value) is int and value >= 0 or value is None:
                continue  # a count, or a blank (value.blank's): the common cases, at once
            problem = self.problem(key, value, schema)
            if problem:
                yield self.finding(report, key, actual=plain_value(value), where=schema.describe(key),
                                   problem=problem, value=value)

    def problem(self, key: CellKey, value: object, schema: Schema | None = None) -> str | None:
        if value is None:
            return None
        if isinstance(value, Invalid) and value.raw.strip() in self.ERRORS:
            return self.ERROR_VALUE
        if isinstance(value, Invalid):
            return self.TEXT
        if not is_number(value):
            return self.NOT_A_NUMBER
        column = (schema or DEFAULT_SCHEMA).column(key)
        if value < 0 and not column.signed:
            return self.NEGATIVE
        if column.kind != "amount" and value != int(value):
            return self.FRACTION
        return None


class MetaMissing(Rule):
    id = "meta.missing"
    title = "封面信息缺失"
    template = "封面缺少{field}"

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
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

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        year = report.year
        if year is None:
            return
        if not isinstance(year, int) or not self.FIRST <= year <= self.LAST:
            label = report.format.schema.label("year")
            yield self.finding(report, "year", actual=str(year), field=label, value=year)


# --- cross-year rules: last year's report as ``prior`` ---------------------------------

class PriorCarryOver(Rule):
    id = "prior.carry_over"
    title = "上年结转"
    template = "{column}列：{this_row}（{now}）≠ 上年{last_row}（{before}）"
    needs_prior = True

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        if prior is None:
            return
        schema, last = report.format.schema, prior.format.schema
        table = schema.table(REQUESTS)
        for this_key, last_key in carried_pairs(schema, last):
            now, before = report.value(this_key), prior.value(last_key)
            if is_number(now) and is_number(before) and now != before:
                row = table.row(this_key[1])
                yield self.finding(report, this_key, expected=before, actual=now, now=now,
                                   before=before, column=row.column(this_key[2]).label,
                                   this_row=row.label,
                                   last_row=last.table(REQUESTS).row(last_key[1]).label)


class PriorInForce(Rule):
    id = "prior.in_force"
    severity = Severity.WARNING
    title = "现行有效件数连续性"
    template = ("{row}{in_force}为 {now}，按上年 {last} + {issued} {n_issued} − {repealed} "
                "{n_repealed} 应为 {due}；如因清理等原因不一致，请在文字说明中说明")
    needs_prior = True
    formats = frozenset({"gb2021"})  # 2019's table 二 counts 新制作/新公开, not 现行有效

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
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

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
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


class PriorRenamed(Rule):
    """Last year's name differs from this year's only by what :func:`.prior.same_body` allows (a
    parent region, 人民政府): accepted as the same body, and both forms are named so that a
    clerk can see it is not another body's report."""

    id = "prior.renamed"
    title = "上年机关名称写法不同"
    template = "上年数据的机关名称写作 {found}，本年写作 {due}：按同一机关比较"
    severity = Severity.WARNING
    needs_prior = True

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        if prior is not None and renamed(report.org, prior.org):
            yield self.finding(report, "org", expected=report.org, actual=prior.org,
                               due=report.org, found=prior.org)


class ConsolidatedSum(Rule):
    """A consolidated (or published) summary against the sum of its bodies' reports, cell by
    cell: what ``consolidate --check`` finds. Not one of ``RULES``: it needs the sum, given as
    the second report, not last year's."""

    id = "consolidation.sum"
    title = "汇总数与各单位之和不符"
    template = "{where}：汇总表为 {given}，各单位之和为 {summed}"

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        if prior is None:
            return
        schema = report.format.schema
        for key in schema.keys:
            given, summed = report.value(key), prior.value(key)
            if given != summed:
                yield self.finding(report, key, expected=plain_value(summed), actual=plain_value(given),
                                   where=schema.describe(key), given=shown_number(given),
                                   summed=shown_number(summed))


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
    PriorRenamed(),
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


def check(report: ReportView, prior: ReportView | None = None, *, text: bool = True) -> list[Finding]:
    """Every finding of every rule of the report's format: cross-year rules only when ``prior``
    is given, rules on the text sections unless ``text`` is false (the text is not known).

    The rules read a snapshot with every total computed once (:meth:`Report.computed`)."""
    view = report.computed()
    last = prior.computed() if prior is not None else None
    return [f for rule in for_format(report.format)
            if (last is not None or not rule.needs_prior) and (text or not rule.reads_text)
            for f in rule.check(view, last)]
