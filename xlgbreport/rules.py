"""The check rules. Each rule is a small class: a stable id, a severity, a Chinese title and
message template. Arithmetic rules are declared as :class:`Equation` data, so that the same
declaration is evaluated here in Python and compiled to native Excel formulas (``excel_formulas``).

Blank and non-numeric cells are reported once (value.blank, value.invalid); an equation that
depends on such a cell, directly or through a total, is not evaluated: nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from decimal import Decimal
from typing import Any, ClassVar, Union

from .findings import Finding, Severity
from .model import Invalid, Report, is_number, leaves
from .schema import APPEALS, REQUEST_COLUMNS, REQUESTS, RESULT_ROWS, SCHEMA, CellKey

#: An argument of a message: a literal text, or the sum of some cells.
Arg = Union[str, tuple[CellKey, ...]]


class Rule:
    """A declared check. Subclasses set the class attributes and implement ``check``."""

    id: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    title: ClassVar[str]
    template: ClassVar[str]
    needs_prior: ClassVar[bool] = False

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, report: Report, at: CellKey | str | None, *, expected: Any = None,
                actual: Any = None, **args: Any) -> Finding:
        table = row = column = None
        if isinstance(at, tuple):
            table, row, column = at
        sheet, cell = report.location(at) if at else (None, None)
        return Finding(self.id, self.severity, self.template, tuple(args.items()), table, row,
                       column, sheet, cell, expected, actual)


@dataclass(frozen=True)
class Equation:
    """``sum(expected) == sum(actual)``, reported at ``at``; ``args`` fill the message."""

    rule: EquationRule
    at: CellKey
    expected: tuple[CellKey, ...]
    actual: tuple[CellKey, ...]
    args: tuple[tuple[str, Arg], ...]
    highlight: tuple[CellKey, ...]

    @cached_property
    def support(self) -> tuple[CellKey, ...]:
        """Every cell that must hold a number for the equation to be evaluated."""
        seen: dict[CellKey, None] = {}
        for key in self.expected + self.actual:
            seen[key] = None
            for leaf in leaves(key):
                seen[leaf] = None
        return tuple(seen)

    def evaluate(self, report: Report) -> Finding | None:
        if any(report.number(k) is None for k in self.support):
            return None
        expected = sum(report.number(k) for k in self.expected)  # type: ignore[misc]
        actual = sum(report.number(k) for k in self.actual)  # type: ignore[misc]
        if expected == actual:
            return None
        args = {name: arg if isinstance(arg, str) else sum(report.number(k) for k in arg)
                for name, arg in self.args}
        return self.rule.finding(report, self.at, expected=expected, actual=actual, **args)


class EquationRule(Rule):
    """A rule made of equations between cells of the tables."""

    def equations(self) -> Iterator[Equation]:
        raise NotImplementedError

    def declared(self) -> tuple[Equation, ...]:
        """The rule's equations, built once: they depend on the schema only."""
        if "_declared" not in self.__dict__:
            self._declared = tuple(self.equations())
        return self._declared

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        for eq in self.declared():
            found = eq.evaluate(report)
            if found:
                yield found

    def equation(self, at: CellKey, expected: tuple[CellKey, ...], actual: tuple[CellKey, ...],
                 highlight: tuple[CellKey, ...] | None = None, **args: Arg) -> Equation:
        return Equation(self, at, expected, actual, tuple(args.items()), highlight or (at,))


class RequestsBalance(EquationRule):
    id = "requests.balance"
    title = "申请数勾稽关系"
    template = "{column}列：一（{new}）+ 二（{carried}）≠（七）总计（{total}）+ 四（{next}）"

    def equations(self) -> Iterator[Equation]:
        for col in REQUEST_COLUMNS:
            k = {r: (REQUESTS.id, r, col.id) for r in ("1", "2", "3.7", "4")}
            yield self.equation(k["1"], (k["1"], k["2"]), (k["3.7"], k["4"]),
                                highlight=tuple(k.values()), column=col.label,
                                new=(k["1"],), carried=(k["2"],), total=(k["3.7"],), next=(k["4"],))


class RequestsRowTotal(EquationRule):
    id = "requests.row_total"
    title = "申请表行总计"
    template = "{row}：总计（{total}）≠ 各类申请人之和（{parts}）"

    def equations(self) -> Iterator[Equation]:
        for row in REQUESTS.rows:
            parts = tuple((REQUESTS.id, row.id, c.id) for c in row.columns if not c.derived)
            total = (REQUESTS.id, row.id, "total")
            yield self.equation(total, parts, (total,), row=row.title, total=(total,), parts=parts)


class RequestsResultsTotal(EquationRule):
    id = "requests.results_total"
    title = "办理结果总计"
    template = "{column}列：（七）总计（{total}）≠ 各项办理结果之和（{parts}）"

    def equations(self) -> Iterator[Equation]:
        for col in REQUEST_COLUMNS:
            parts = tuple((REQUESTS.id, r, col.id) for r in RESULT_ROWS)
            total = (REQUESTS.id, "3.7", col.id)
            yield self.equation(total, parts, (total,), column=col.label, total=(total,),
                                parts=parts)


class AppealsGroupTotal(EquationRule):
    id = "appeals.group_total"
    title = "复议诉讼总计"
    template = "{group}：总计（{total}）≠ 维持、纠正、其他、尚未审结之和（{parts}）"

    def equations(self) -> Iterator[Equation]:
        for row in APPEALS.rows:
            parts = tuple((APPEALS.id, row.id, c.id) for c in row.columns if not c.derived)
            total = (APPEALS.id, row.id, "total")
            yield self.equation(total, parts, (total,), group="".join(row.parents) + row.label,
                                total=(total,), parts=parts)


class ValueBlank(Rule):
    id = "value.blank"
    title = "空白单元格"
    template = "{where}为空（没有请填 0）"

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        for key in SCHEMA.keys:
            if SCHEMA.is_derived(key) and key not in report.cells:
                continue  # an absent total is computed, not blank
            if report.cells.get(key) is None:
                yield self.finding(report, key, where=SCHEMA.describe(key))


class ValueInvalid(Rule):
    id = "value.invalid"
    title = "无效数值"
    template = "{where}{problem}：{value}"
    NOT_A_NUMBER = "不是数字"
    NEGATIVE = "不能为负数"
    FRACTION = "应为整数"

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        for key, value in report.cells.items():
            problem = self.problem(key, value)
            if problem:
                yield self.finding(report, key, actual=_plain(value), where=SCHEMA.describe(key),
                                   problem=problem, value=value)

    def problem(self, key: CellKey, value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, Invalid) or not is_number(value):
            return self.NOT_A_NUMBER
        if value < 0:  # type: ignore[operator]
            return self.NEGATIVE
        if key[2] != "amount" and value != int(value):  # type: ignore[call-overload]
            return self.FRACTION
        return None


class MetaMissing(Rule):
    id = "meta.missing"
    title = "封面信息缺失"
    template = "封面缺少{field}"

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        labels = {f.id: f.label for f in SCHEMA.meta}
        if not (report.org or "").strip():
            yield self.finding(report, "org", field=labels["org"])
        if report.year is None:
            yield self.finding(report, "year", field=labels["year"])


class MetaYear(Rule):
    id = "meta.year"
    title = "报告年度无效"
    template = "封面的{field}不是有效年份（{value}）"
    FIRST, LAST = 2008, 2100  # the 条例 took effect in 2008

    def check(self, report: Report, prior: Report | None = None) -> Iterator[Finding]:
        year = report.year
        if year is None:
            return
        if not isinstance(year, int) or not self.FIRST <= year <= self.LAST:
            label = next(f.label for f in SCHEMA.meta if f.id == "year")
            yield self.finding(report, "year", actual=str(year), field=label, value=year)


def _plain(value: object) -> object:
    if isinstance(value, Invalid):
        return value.raw
    if isinstance(value, Decimal):
        return str(value)
    return value


RULES: tuple[Rule, ...] = (
    MetaMissing(),
    MetaYear(),
    ValueBlank(),
    ValueInvalid(),
    RequestsRowTotal(),
    RequestsResultsTotal(),
    RequestsBalance(),
    AppealsGroupTotal(),
)
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
EQUATION_RULES: tuple[EquationRule, ...] = tuple(r for r in RULES if isinstance(r, EquationRule))


def check(report: Report, prior: Report | None = None) -> list[Finding]:
    """Every finding of every rule on one report (cross-year rules only when ``prior`` is given)."""
    return [f for rule in RULES for f in rule.check(report, prior)]
