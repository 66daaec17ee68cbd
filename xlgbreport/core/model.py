"""The report model: one body's annual report as cell values, free of any file format.

A cell holds one of: a number (``int`` or ``Decimal``), ``None`` (blank: never read as 0),
or :class:`Invalid` (what was there when it is not a number). A derived cell (a total) that
is *absent* from ``cells`` is computed from its parts; one that is present was given and is
checked against them. A report carries its format, which says what its cells are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Protocol, TypeGuard, cast

from .formats import DEFAULT, Format
from .gb2021 import SCHEMA
from .location import Location
from .reasons import Reason
from .tables import CellKey, text_key, where_key

__all__ = ["Computed", "Invalid", "Number", "Report", "ReportView", "Value", "below", "is_number", "parts",
           "text_key", "where_key"]


@dataclass(frozen=True)
class Invalid:
    """A value that is not a number, kept as the text the source had."""

    raw: str

    def __str__(self) -> str:
        return self.raw


Number = int | Decimal
Value = Number | None | Invalid


def is_number(value: object) -> TypeGuard[Number]:
    """Whether ``value`` is a number a cell can hold (``bool`` is not, though it is an ``int``)."""
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


_NUMBER_TYPES = (int, Decimal)  # exact types, as the readers make them (bool is not one)


class ReportView(Protocol):
    """What the rules, the narrative and the indicators read: a :class:`Report`, or its
    :class:`Computed` snapshot (faster, for the many reads of a check). Read-only."""

    @property
    def org(self) -> str | None: ...
    @property
    def year(self) -> int | Invalid | None: ...
    @property
    def cells(self) -> dict[CellKey, Value]: ...
    @property
    def text(self) -> dict[str, str | None]: ...
    @property
    def meta(self) -> dict[str, str | None]: ...
    @property
    def where(self) -> dict[str, str]: ...
    @property
    def format(self) -> Format: ...
    @property
    def complete(self) -> bool: ...

    def given(self, key: CellKey) -> bool: ...
    def value(self, key: CellKey) -> Value: ...
    def number(self, key: CellKey) -> Number | None: ...
    def location(self, key: CellKey | str) -> Location | None: ...
    def computed(self) -> Computed: ...


@dataclass
class Report:
    """One annual report. ``where`` maps a cell to its ``sheet!cell`` when it came from a workbook."""

    org: str | None = None
    year: int | Invalid | None = None
    cells: dict[CellKey, Value] = field(default_factory=dict)
    text: dict[str, str | None] = field(default_factory=dict)
    meta: dict[str, str | None] = field(default_factory=dict)  # workbook-only cover fields
    where: dict[str, str] = field(default_factory=dict)  # cell key or field id -> "sheet!A1"
    format: Format = field(default=DEFAULT, repr=False)
    #: The clerk's 核实说明 for warnings (``core.reasons``); this year's only, never carried over.
    reasons: tuple[Reason, ...] = ()
    #: Whether every cell is known to hold a number (a :class:`Computed` snapshot can tell; a
    #: report being filled in makes no such promise), so equations may skip their support check.
    complete: ClassVar[bool] = False

    def __repr__(self) -> str:
        """Who, which year, which format: the cells are hundreds of entries."""
        org = "?" if self.org is None else self.org
        year = "?" if self.year is None else self.year
        return f"<Report {org} {year} {self.format.id}>"

    def given(self, key: CellKey) -> bool:
        return key in self.cells

    def value(self, key: CellKey) -> Value:
        """The cell's value: given, or for an absent derived cell, computed (None if it cannot be)."""
        if key in self.cells:
            return self.cells[key]
        schema = self.format.schema
        if schema.is_derived(key):
            return _sum([self.value(k) for k in schema.parts(key)])
        return None

    def number(self, key: CellKey) -> Number | None:
        value = self.value(key)
        return value if is_number(value) else None

    def location(self, key: CellKey | str) -> Location | None:
        """Where a cell or field came from (``where`` holds it as ``sheet!A1`` or ``path:12``)."""
        ref = self.where.get(where_key(key) if isinstance(key, tuple) else key)
        return Location.parse(ref) if ref else None

    def computed(self) -> Computed:
        """The report with every total computed once, for the many reads of a check."""
        return Computed(self)


class Computed:
    """A report's values with every derived total computed once, in dependency order.

    The rules read most cells many times (an equation's support, its sums, its message);
    :meth:`Report.value` recomputes totals recursively on each read. A snapshot: taken after the
    report is complete, it does not follow later changes of ``cells``."""

    __slots__ = ("report", "values", "numbers", "complete", "org", "year", "cells", "text", "meta",
                 "where", "format")

    def __init__(self, report: Report) -> None:
        self.report = report
        self.org, self.year, self.cells = report.org, report.year, report.cells
        self.text, self.meta, self.where, self.format = (report.text, report.meta, report.where,
                                                         report.format)
        cells = report.cells
        values: dict[CellKey, Value] = {}
        numbers: dict[CellKey, Number | None] = {}
        for key, parts in report.format.schema.ordered_parts:
            if key in cells:
                value = cells[key]
            elif parts is not None:
                subs = [numbers[k] for k in parts]
                # no None among them: numbers (the test is faster than narrowing each one)
                value = None if None in subs else sum(cast("list[Number]", subs))
            else:
                value = None
            values[key] = value
            # the exact-type test first, fast for most cells; it implies is_number
            numbers[key] = cast(Number, value) if type(value) in _NUMBER_TYPES or is_number(value) else None
        self.values, self.numbers = values, numbers
        self.complete = None not in numbers.values()  # every cell a number: no equation waits

    def given(self, key: CellKey) -> bool:
        return key in self.cells

    def value(self, key: CellKey) -> Value:
        return self.values.get(key)

    def number(self, key: CellKey) -> Number | None:
        return self.numbers.get(key)

    def location(self, key: CellKey | str) -> Location | None:
        return self.report.location(key)

    def computed(self) -> Computed:
        return self


def parts(key: CellKey) -> tuple[CellKey, ...]:
    """The cells a derived cell of the template's format is the sum of (see ``Schema.parts``)."""
    return SCHEMA.parts(key)


def below(key: CellKey) -> tuple[CellKey, ...]:
    """A cell of the template's format and all its formula reads, down to the inputs."""
    return SCHEMA.below(key)


def _sum(values: list[Value]) -> Number | None:
    numbers = [v for v in values if is_number(v)]
    return sum(numbers) if len(numbers) == len(values) else None
