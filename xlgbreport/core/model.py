"""The report model: one body's annual report as cell values, free of any file format.

A cell holds one of: a number (``int`` or ``Decimal``), ``None`` (blank: never read as 0),
or :class:`Invalid` (what was there when it is not a number). A derived cell (a total) that
is *absent* from ``cells`` is computed from its parts; one that is present was given and is
checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from .schema import RESULT_ROWS, SCHEMA, TABLES_BY_ID, CellKey


@dataclass(frozen=True)
class Invalid:
    """A value that is not a number, kept as the text the source had."""

    raw: str

    def __str__(self) -> str:
        return self.raw


Number = int | Decimal
Value = Number | None | Invalid


def is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


@dataclass
class Report:
    """One annual report. ``where`` maps a cell to its ``sheet!cell`` when it came from a workbook."""

    org: str | None = None
    year: int | Invalid | None = None
    cells: dict[CellKey, Value] = field(default_factory=dict)
    text: dict[str, str | None] = field(default_factory=dict)
    meta: dict[str, str | None] = field(default_factory=dict)  # workbook-only cover fields
    where: dict[str, str] = field(default_factory=dict)  # cell key or field id -> "sheet!A1"

    def given(self, key: CellKey) -> bool:
        return key in self.cells

    def value(self, key: CellKey) -> Value:
        """The cell's value: given, or for an absent derived cell, computed (None if it cannot be)."""
        if key in self.cells:
            return self.cells[key]
        if SCHEMA.is_derived(key):
            return _sum([self.value(k) for k in parts(key)])
        return None

    def number(self, key: CellKey) -> Number | None:
        value = self.value(key)
        return value if is_number(value) else None

    def location(self, key: CellKey | str) -> tuple[str | None, str | None]:
        ref = self.where.get(where_key(key) if isinstance(key, tuple) else key)
        if not ref:
            return None, None
        sheet, _, cell = ref.rpartition("!")
        return sheet, cell


@cache
def parts(key: CellKey) -> tuple[CellKey, ...]:
    """The cells a derived cell is the sum of (a total: its row's other columns; （七）: the results)."""
    table_id, row_id, col_id = key
    row = TABLES_BY_ID[table_id].row(row_id)
    if row.column(col_id).derived:
        return tuple((table_id, row_id, c.id) for c in row.columns if not c.derived)
    if row.derived:
        return tuple((table_id, r, col_id) for r in RESULT_ROWS)
    return ()


@cache
def below(key: CellKey) -> tuple[CellKey, ...]:
    """The cell and every cell its template formula reads, down to the inputs: any of them may
    have been typed over (a total given as text is not a number, whatever its parts are)."""
    return (key, *(k for sub in parts(key) for k in below(sub)))


def _sum(values: list[Value]) -> Number | None:
    if not all(is_number(v) for v in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def where_key(key: CellKey) -> str:
    """The key under which ``Report.where`` holds a cell's location."""
    return "/".join(key)


def text_key(section: str) -> str:
    """The key under which ``Report.where`` holds a text section's location."""
    return "text/" + section
