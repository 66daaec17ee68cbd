"""What a check is: a :class:`Rule` (id, severity, Chinese title and message template, the
formats it holds in) that turns a report into immutable findings, and an :class:`Equation`,
the arithmetic rules' declaration, evaluated here and compiled to Excel formulas
(``excel_formulas``). The rules themselves are in ``rules`` (tables, values, cover, last year)
and ``text_rules`` (the text sections).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar, cast

from .findings import Finding, Severity
from .formats import DEFAULT
from .model import Invalid, Number, ReportView
from .tables import CellKey, Schema, TableId

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

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, report: ReportView, at: CellKey | str | None, *, expected: Any = None,
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

    def evaluate(self, report: ReportView) -> Finding | None:
        number = report.number
        if not report.complete and any(number(k) is None for k in self.support):
            return None
        # every cell of the support is a number now (checked above, or the report is complete)
        expected = sum(cast("Iterator[Number]", map(number, self.expected)))
        actual = sum(cast("Iterator[Number]", map(number, self.actual)))
        if expected == actual:
            return None
        args = {name: arg if isinstance(arg, str) else shown_number(sum(report.number(k) for k in arg))
                for name, arg in self.args}
        return self.rule.finding(report, self.at, expected=expected, actual=actual, **args)


def shown_number(number: Any) -> Any:
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

    def check(self, report: ReportView, prior: ReportView | None = None) -> Iterator[Finding]:
        for eq in self.declared(report.format.schema):
            found = eq.evaluate(report)
            if found:
                yield found

    def equation(self, schema: Schema, at: CellKey, expected: tuple[CellKey, ...],
                 actual: tuple[CellKey, ...], highlight: tuple[CellKey, ...] | None = None,
                 **args: Arg) -> Equation:
        return Equation(self, at, expected, actual, tuple(args.items()), highlight or (at,), schema)


def plain_value(value: object) -> object:
    if isinstance(value, Invalid):
        return value.raw
    if isinstance(value, Decimal):
        return str(value)
    return value


