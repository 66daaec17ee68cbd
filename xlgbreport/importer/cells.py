"""What one cell of a published table holds, read the one way: a number in the cell's unit, a
number in another unit that converts exactly (318000元 in a 万元 cell is 31.8), or a mark a
report writes for "not applicable" (「/」, 「—」, 「无」, 「不适用」), which is a blank, never 0.

The placement code calls :func:`cell_values` for every row it is given, so each such reading is
made, and noted, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..core.formats import Format
from ..core.tables import CellKey
from .normalize import NOT_APPLICABLE, UNITS, Token

#: A unit a cell's number converts from exactly: (unit written, the cell's unit) -> factor.
CONVERSIONS = {("元", "万元"): Decimal(10_000)}
#: The unit each kind of cell is in, as the format's tables say it.
CELL_UNIT = {"amount": "万元", "count": ""}


@dataclass(frozen=True)
class CellValue:
    """A cell's reading: ``token`` as the placement code uses it (its number in the cell's unit,
    or blank), and ``note`` when it is not what the source wrote: ``converted`` or ``blank``."""

    token: Token
    note: str = ""


def not_applicable(word: str) -> bool:
    """Whether ``word`` (a cell, or a word set apart) is a not-applicable mark."""
    return word.strip() in NOT_APPLICABLE


def cell_value(token: Token, kind: str) -> CellValue | None:
    """``token`` read as a cell of ``kind`` (count or amount); None when it cannot be one (3件 is
    a count, not an amount; 3940元 is no count)."""
    if token.blank:
        return CellValue(token, "blank" if not_applicable(token.raw) else "")
    if token.number is None:
        return CellValue(token)
    if token.unit in UNITS.get(kind, ("",)):
        return CellValue(token)
    factor = CONVERSIONS.get((token.unit, CELL_UNIT.get(kind, "")))
    if factor is None:
        return None
    number = token.number / factor
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    raw = format(number, "f")
    return CellValue(Token(raw, token.line, number, CELL_UNIT[kind]), "converted")


def cell_values(fmt: Format, keys: tuple[CellKey, ...], values: Sequence[Token]
                ) -> tuple[list[Token], list[tuple[Token, CellValue]]] | None:
    """A row's values read as its cells ``keys``: the tokens to place and the readings to note
    (a conversion, a not-applicable mark), with the token as written. None when a unit fits no
    cell: a unit in a run not cut one to one belongs to no known cell."""
    if all(not t.unit for t in values):
        kinds = [fmt.schema.column(k).kind for k in keys] if len(values) == len(keys) else []
    elif len(values) != len(keys):
        return None
    else:
        kinds = [fmt.schema.column(k).kind for k in keys]
    out: list[Token] = []
    said: list[tuple[Token, CellValue]] = []
    for index, token in enumerate(values):
        read = cell_value(token, kinds[index] if kinds else "count")
        if read is None:
            return None
        out.append(read.token)
        if read.note:
            said.append((token, read))
    return out, said
