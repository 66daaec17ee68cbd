"""The official tables' header and label cells, as merged rectangles on the template's sheets.

国办公开办函〔2021〕30号 lays its tables out with spanning headers and row groups; this module
says where each header or label sits and how far it spans, from the schema and the layout, so
the workbook writer and any renderer (HTML rowspan/colspan, Word merged cells) draw the same
table. Positions are the template's (0-based); subtract ``Grid.top``/``Grid.left`` for a
table of one's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core.gb2021 import APPEALS, PROACTIVE, REQUESTS
from ..core.tables import Column, Table
from .layout import (
    APPEALS_DATA_ROW,
    LAYOUT,
    PROACTIVE_WIDTH,
    REQUESTS_FIRST_ROW,
    REQUESTS_LABEL_COLS,
    Layout,
    proactive_rows,
)

Style = Literal["header", "label", "centered"]  # column header; row label; centred label


@dataclass(frozen=True)
class Span:
    """One header or label cell, from (top, left) to (bottom, right) inclusive."""

    text: str
    top: int
    left: int
    bottom: int
    right: int
    style: Style = "header"

    @property
    def merged(self) -> bool:
        return (self.top, self.left) != (self.bottom, self.right)


@dataclass(frozen=True)
class Grid:
    """A table as drawn: its rectangle on the sheet, header/label spans in drawing order, and
    the height of rows whose labels need two lines."""

    table: Table
    top: int
    left: int
    bottom: int
    right: int
    spans: tuple[Span, ...]
    header_rows: int  # rows at the top that repeat on every printed page
    tall_rows: tuple[int, ...] = ()


def _merge(spans: list[Span], text: str, r1: int, c1: int, r2: int, c2: int,
           style: Style = "header") -> None:
    spans.append(Span(text, r1, c1, r2, c2, style))


def proactive(layout: Layout = LAYOUT) -> Grid:
    """Table 二: per block its 第二十条 title, a header row, then one labelled row per item."""
    width = 1 + PROACTIVE_WIDTH
    spans: list[Span] = []
    for r, block, rows in proactive_rows():
        _merge(spans, block, r, 0, r, width - 1)
        _merge(spans, PROACTIVE.header, r + 1, 0, r + 1, 0)
        columns = rows[0].columns
        if len(columns) == 1:
            _merge(spans, columns[0].label, r + 1, 1, r + 1, width - 1)
        else:
            for j, col in enumerate(columns):
                _merge(spans, col.label, r + 1, 1 + j, r + 1, 1 + j)
        for i, row in enumerate(rows):
            _merge(spans, row.label, r + 2 + i, 0, r + 2 + i, 0, "centered")
    first = proactive_rows()[0][0]
    bottom = max(s.bottom for s in spans)
    return Grid(PROACTIVE, first, 0, bottom, width - 1, tuple(spans), header_rows=0)


def requests(layout: Layout = LAYOUT) -> Grid:
    """Table 三: the 勾稽 note in the corner, 申请人情况 over the applicant columns, and the row
    labels in three levels (三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密)."""
    cols = REQUESTS.columns
    width = REQUESTS_LABEL_COLS + len(cols)
    top = REQUESTS_FIRST_ROW - 3
    spans: list[Span] = []
    _merge(spans, REQUESTS.note, top, 0, top + 2, REQUESTS_LABEL_COLS - 1)
    _merge(spans, REQUESTS.header, top, REQUESTS_LABEL_COLS, top, width - 1)
    spans += column_headers(cols, top + 1, REQUESTS_LABEL_COLS)
    groups: dict[tuple[int, str], list[int]] = {}
    tall = []
    for i, row in enumerate(REQUESTS.rows):
        r = REQUESTS_FIRST_ROW + i
        depth = len(row.parents)
        for level, parent in enumerate(row.parents):
            groups.setdefault((level, parent), []).append(r)
        left = 0 if depth == 0 else 1 if depth == 1 else depth
        right = REQUESTS_LABEL_COLS - 1 if depth < 2 else depth
        _merge(spans, row.label, r, left, r, right, "label")
        if len(row.label) > 18:
            tall.append(r)
    for (level, label), rows in groups.items():
        _merge(spans, label, min(rows), level, max(rows), level, "centered")
    bottom = REQUESTS_FIRST_ROW + len(REQUESTS.rows) - 1
    return Grid(REQUESTS, top, 0, bottom, width - 1, tuple(spans),
                header_rows=REQUESTS_FIRST_ROW, tall_rows=tuple(tall))


def column_headers(cols: tuple[Column, ...], top: int, left: int) -> list[Span]:
    """Two header rows: a parent label spans its columns; a column without one spans both rows."""
    spans: list[Span] = []
    parents: dict[str, list[int]] = {}
    for j, col in enumerate(cols):
        c = left + j
        if col.parents:
            parents.setdefault(col.parents[0], []).append(c)
            _merge(spans, col.label, top + 1, c, top + 1, c)
        else:
            _merge(spans, col.label, top, c, top + 1, c)
    for label, cs in parents.items():
        _merge(spans, label, top, min(cs), top, max(cs))
    return spans


def appeals(layout: Layout = LAYOUT) -> Grid:
    """Table 四: the groups side by side (行政复议; 行政诉讼 over its two kinds), fields below."""
    top, fields = 1, APPEALS_DATA_ROW - 1
    spans: list[Span] = []
    litigation: dict[str, list[int]] = {}
    c = 0
    for row in APPEALS.rows:
        first, last = c, c + len(row.columns) - 1
        if row.parents:
            litigation.setdefault(row.parents[0], []).extend((first, last))
            _merge(spans, row.label, top + 1, first, top + 1, last)
        else:
            _merge(spans, row.label, top, first, top + 1, last)
        for col in row.columns:
            _merge(spans, col.label, fields, c, fields, c)
            c += 1
    for label, cs in litigation.items():
        _merge(spans, label, top, min(cs), top, max(cs))
    return Grid(APPEALS, top, 0, APPEALS_DATA_ROW, c - 1, tuple(spans), header_rows=0)


def grids(layout: Layout = LAYOUT) -> dict[str, Grid]:
    """Every table's grid, by table id."""
    return {g.table.id: g for g in (proactive(layout), requests(layout), appeals(layout))}
