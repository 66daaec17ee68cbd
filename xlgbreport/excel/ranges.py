"""What Excel passes to a function, as a core :class:`Report`.

Excel hands a UDF each table as the values of one defined name of the template (``xlg_requests``
…): a 2-D list with ``None`` for a blank cell, floats for numbers (whole ones too), strings as
typed. Where each value sits in its range is derived from the layout, never typed here, so an
irregular range (table 二 has header rows inside it) is read like a regular one. Values go
through the file reader's own conversion (``files.cells.cell_value``): blank and invalid
mean exactly what they mean for a workbook read from disk.

What a function returns goes back the other way (:func:`fit`): shaped for the calling range and
with no array element over Excel's 255 characters.

A total arrives as the value Excel shows, whether the template's formula or a number typed
over it. One that equals the SUM of what its parts show is read as the template's formula (absent:
computed from the parts), as the file reader reads that formula; one that differs was typed over
and is checked against its parts. Keeping formula values as given would not be the same: a
negative or fractional part would make its total negative or fractional and report it twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.gb2021 import META_FIELDS, SCHEMA, TABLES, CellKey, Table
from ..core.model import Report
from ..files import cells as values
from ..workbook.formulas import shown_total
from ..workbook.functions import ArgumentError
from ..workbook.layout import LAYOUT, Layout

ONE_CELL = "{field}应为一个单元格（{name}），实为 {got}"
SHAPE = "{table}的区域（{name}）应为 {rows} 行 × {cols} 列，实为 {got}"
GOT = "{rows} 行 × {cols} 列"
GOT_CELL = "一个单元格"
MORE_ROWS = "……另有 {n} 行未显示：选中更大的区域重新输入公式（Ctrl+Shift+Enter），或看 XLG_STATUS"
#: Excel refuses a UDF's array whose element is longer than this (UTF-16 code units); a scalar
#: may run to 32,767. xlwings' COM server returns a 1 × 1 result as a scalar.
ELEMENT_LIMIT = 255
ELLIPSIS = "…"

class RangeShapeError(ArgumentError):
    """A range whose shape is not the table's."""


@dataclass(frozen=True)
class TableRange:
    """One table's defined range: its size and where each cell of the table sits in it."""

    table: Table
    name: str
    rows: int
    cols: int
    offsets: tuple[tuple[CellKey, int, int], ...]  # (key, row, column) inside the range


def table_ranges(layout: Layout = LAYOUT) -> tuple[TableRange, ...]:
    """Every table's range, from the layout's defined names and cell positions."""
    out = []
    for table in TABLES:
        name = f"xlg_{table.id}"
        area = layout.names[name]
        offsets = []
        for row, col in table.cells():
            key = (table.id, row.id, col.id)
            sheet, (r, c) = layout.cells[key]
            assert sheet == area.sheet, (key, area)
            offsets.append((key, r - area.first[0], c - area.first[1]))
        out.append(TableRange(table, name, area.last[0] - area.first[0] + 1,
                              area.last[1] - area.first[1] + 1, tuple(offsets)))
    return tuple(out)


TABLE_RANGES = table_ranges()
_WHERE = LAYOUT.where()
_META_LABELS = {f.id: f.label for f in META_FIELDS}
_DERIVED: tuple[CellKey, ...] = tuple(k for k in SCHEMA.keys if SCHEMA.is_derived(k))


def grid(value: Any, rows: int, cols: int) -> Sequence[Sequence[Any]] | None:
    """``value`` as rows of cells when it is ``rows`` × ``cols``, else None.

    xlwings passes a 2-D list with ``ndim=2``; without it a single row or column comes as a flat
    list and a single cell as the value itself, so those are accepted where they fit."""
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(r, (list, tuple)) for r in value):
            shaped = value
        elif rows == 1:
            shaped = [value]
        elif cols == 1:
            shaped = [[v] for v in value]
        else:
            return None
    elif rows == 1 and cols == 1:
        shaped = [[value]]
    else:
        return None
    if len(shaped) != rows or any(len(r) != cols for r in shaped):
        return None
    return shaped


def describe_shape(value: Any) -> str:
    if not isinstance(value, (list, tuple)):
        return GOT_CELL
    if value and all(isinstance(r, (list, tuple)) for r in value):
        widths = {len(r) for r in value}
        return GOT.format(rows=len(value), cols="/".join(str(w) for w in sorted(widths)))
    return GOT.format(rows=1, cols=len(value))


def read_table(tr: TableRange, value: Any, report: Report) -> None:
    """Put the table's cells from ``value`` into ``report``; a wrong shape raises, in Chinese."""
    cells = grid(value, tr.rows, tr.cols)
    if cells is None:
        raise RangeShapeError(SHAPE.format(table=tr.table.sheet, name=tr.name, rows=tr.rows,
                                           cols=tr.cols, got=describe_shape(value)))
    for key, r, c in tr.offsets:
        report.cells[key] = values.cell_value(cells[r][c], amount=key[2] == "amount")


def report_from_ranges(org: Any, year: Any, *tables: Any) -> Report:
    """A report from the values of xlg_org, xlg_year and the three table ranges, in that order."""
    if len(tables) != len(TABLE_RANGES):
        raise TypeError(f"expected {len(TABLE_RANGES)} table ranges, got {len(tables)}")
    report = Report(org=values.text(_one_cell("org", org)),
                    year=values.year(_one_cell("year", year)), where=dict(_WHERE))
    for tr, value in zip(TABLE_RANGES, tables, strict=True):
        read_table(tr, value, report)
    shown = dict(report.cells)
    for key in _DERIVED:
        if shown[key] == shown_total(shown.get, key):
            del report.cells[key]  # what the template's SUM shows: computed, as from a file
    return report


def _one_cell(field: str, value: Any) -> Any:
    """A cover field's value, whether it came as a value, ``[v]`` or ``[[v]]``."""
    cells = grid(value, 1, 1)
    if cells is None:
        raise RangeShapeError(ONE_CELL.format(field=_META_LABELS[field], name=f"xlg_{field}",
                                              got=describe_shape(value)))
    return cells[0][0]


def caller_shape(caller: Any) -> tuple[int, int] | None:
    """(rows, columns) of the range a formula occupies, from the ``caller`` xlwings passes; None
    without one (xlwings Lite, plain Python) or when it cannot be read."""
    try:
        rows, cols = caller.shape
        return (int(rows), int(cols)) if rows >= 1 and cols >= 1 else None
    except Exception:  # no caller, or a COM object that fails: the result is left as it is
        return None


def fit(value: Any, shape: tuple[int, int] | None, *, text: bool = False) -> Any:
    """``value`` as Excel can show it in the calling range.

    One cell (Excel 365's spilling formula, or a one-cell formula): the value as it is, a
    single value or text of any length staying a scalar. A legacy array formula (Excel
    2016/2019) over a larger range: padded with "" to the range, so the extra cells are blank
    rather than repeats; rows beyond it end with a line saying how many are hidden. Array
    elements never exceed :data:`ELEMENT_LIMIT`: a ``text`` goes down the first column in
    pieces that join to it, any other string is shortened."""
    rows = _rows(value)
    if shape is None or shape == (1, 1):
        return value if not isinstance(value, list) or _array_ok(rows) else _short(rows)
    if text and len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], str):
        rows = [[piece] for piece in split_text(rows[0][0])]
    rows = _short(rows)
    height, width = shape
    if len(rows) > height > 1:
        rows = [*rows[:height - 1], [_shorten(MORE_ROWS.format(n=len(rows) - height + 1))]]
    width = max(width, *(len(r) for r in rows))
    return [list(r) + [""] * (width - len(r)) for r in rows] + \
        [[""] * width for _ in range(height - len(rows))]


def split_text(text: str, limit: int = ELEMENT_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 units that join back to it, each ending
    at a sentence or clause where one is near (。；，), so a piece reads on its own."""
    pieces = []
    while _units(text) > limit:
        cut = _longest_prefix(text, limit)
        stop = max(text.rfind(mark, 0, cut) for mark in "。；，")
        if stop >= cut // 2:
            cut = stop + 1
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text]


def _rows(value: Any) -> list[list[Any]]:
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(r, (list, tuple)) for r in value):
            return [list(r) for r in value]
        return [list(value)]
    return [[value]]


def _array_ok(rows: list[list[Any]]) -> bool:
    return all(not isinstance(v, str) or _units(v) <= ELEMENT_LIMIT for r in rows for v in r)


def _short(rows: list[list[Any]]) -> list[list[Any]]:
    return [[_shorten(v) if isinstance(v, str) else v for v in r] for r in rows]


def _shorten(value: str) -> str:
    if _units(value) <= ELEMENT_LIMIT:
        return value
    return value[:_longest_prefix(value, ELEMENT_LIMIT - 1)] + ELLIPSIS


def _units(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units (a character beyond the BMP counts two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _longest_prefix(text: str, limit: int) -> int:
    """The length of the longest prefix of ``text`` within ``limit`` UTF-16 units."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return i
    return len(text)
