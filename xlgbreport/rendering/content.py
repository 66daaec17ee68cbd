"""What a published report says, in the format's order, before any file format is chosen.

Every output (Markdown, HTML, Word, and PDF through Word) is drawn from one :class:`Content`:
the title, a 待核实 line per error, and the six parts; 二, 三 and 四 each with the generated
paragraph and the official table as the format lays it out (``core.headers``: merged headers,
table 三's 勾稽 note, values where the template puts them). Cell texts are final here: blank
stays blank, a fee keeps all its decimals, a non-number shows what was typed. Text from files
has its control characters written as escapes (``core.shown``): never obeyed by a reader, and
never an XML or HTML parse error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..core import narrative, shown
from ..core.comparison import value_text
from ..core.findings import Severity
from ..core.model import Report
from ..core.rules import check
from ..core.tables import REPORT_TITLE, Table
from ..workbook import headers
from ..workbook.layout import layout_for

Kind = Literal["header", "label", "centered", "value"]
NUMERALS = "一二三四五六七八九十"
PENDING = "待核实：本报告的表格有 {n} 处错误，改正前请勿发布："
PENDING_LINE = "{where}{message}"
PENDING_MORE = "……另有 {n} 处，请用“校验”查看全部"
MAX_PENDING = 10
NO_TEXT = "（尚未填写）"
TITLE_CHARACTERS = 20  # of 二号 (22 pt) on the 156 mm text width


@dataclass(frozen=True)
class Cell:
    """One drawn cell at (row, col) of its table, spanning ``rows`` × ``cols``."""

    text: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1
    kind: Kind = "value"


@dataclass(frozen=True)
class TableView:
    """An official table as drawn: every cell once, at its top-left corner."""

    id: str
    title: str
    width: int
    height: int
    header_rows: int  # the header rows repeated on every printed page (0: none)
    cells: tuple[Cell, ...]

    def rows(self) -> list[list[Cell]]:
        """The cells by the row they start in (HTML's order: rowspan cells only once)."""
        out: list[list[Cell]] = [[] for _ in range(self.height)]
        for cell in self.cells:
            out[cell.row].append(cell)
        return [sorted(r, key=lambda c: c.col) for r in out]

    def values(self) -> list[str]:
        """The value cells' texts, row by row: what a reader sees in order."""
        return [c.text for c in sorted(self.cells, key=lambda c: (c.row, c.col)) if c.kind == "value"]


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]
    table: TableView | None = None


@dataclass(frozen=True)
class Content:
    title: str
    pending: tuple[str, ...]  # the errors, first ones listed: nobody publishes unbalanced tables unaware
    sections: tuple[Section, ...]
    #: the title as printed: one line, or the body's name and then 「2024年政府信息公开工作年度报告」
    #: when it needs two (a break after the name, never inside a word)
    title_lines: tuple[str, ...] = ()


def build(report: Report, prior: Report | None = None) -> Content:
    """The report's content, its errors (with last year's report, the cross-year ones too) first."""
    schema = report.format.schema
    errors = [f for f in check(report, prior) if f.severity is Severity.ERROR]
    pending = [shown.terminal(PENDING_LINE.format(where=f"{f.ref} " if f.ref else "", message=f.message))
               for f in errors[:MAX_PENDING]]
    if pending:
        pending.insert(0, PENDING.format(n=len(errors)))
    if len(errors) > MAX_PENDING:
        pending.append(PENDING_MORE.format(n=len(errors) - MAX_PENDING))
    grids = headers.grids(layout) if (layout := layout_for(report.format)) else {}
    parts: list[Section] = []
    for field in schema.text:
        parts.append(Section(field.label, paragraphs(report.text.get(field.id))))
    for table in schema.tables:
        view = table_view(report, table, grids[table.id]) if table.id in grids else None
        parts.append(Section(table.title, (narrative.paragraph(report, table.id, prior),), view))
    parts.sort(key=lambda s: order(s.heading))
    org = shown.terminal(report.org or "")
    rest = (f"{report.year}年" if isinstance(report.year, int) else "") + REPORT_TITLE
    return Content(org + rest, tuple(pending), tuple(parts), title_lines(org, rest))


def title_lines(org: str, rest: str) -> tuple[str, ...]:
    """The title on one line when it fits one, else broken after the body's name."""
    if not org or ems(org + rest) <= TITLE_CHARACTERS:
        return (org + rest,)
    return (org, rest)


def ems(text: str) -> float:
    """The width of ``text`` in Chinese characters (ASCII and Latin half a character)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def paragraphs(text: str | None) -> tuple[str, ...]:
    """A clerk's text as its paragraphs: one a line, empty lines dropped, wording unchanged."""
    found = tuple(shown.terminal(line.strip()) for line in (text or "").splitlines() if line.strip())
    return found or (NO_TEXT,)


def order(heading: str) -> int:
    """一、… before 二、…: the format's own numbering orders its parts."""
    return NUMERALS.index(heading[0]) if heading and heading[0] in NUMERALS else len(NUMERALS)


def table_view(report: Report, table: Table, grid: headers.Grid) -> TableView:
    """``grid`` (positions on the template's sheet) moved to (0, 0), with the report's values
    where the template keeps them; a merged value cell spans as it does in the workbook."""
    layout = layout_for(report.format)
    assert layout is not None  # only a format with a layout has a grid
    view = report.computed()
    cells = [Cell(s.text, s.top - grid.top, s.left - grid.left, s.bottom - s.top + 1,
                  s.right - s.left + 1, s.style) for s in grid.spans]
    for row, col in table.cells():
        key = (table.id, row.id, col.id)
        _, (r, c) = layout.cells[key]
        cells.append(Cell(value_text(view.value(key)), r - grid.top, c - grid.left,
                          cols=1 + layout.widths.get(key, 0)))
    first_value = min(c.row for c in cells if c.kind == "value")
    # the rows above the values repeat on every page, unless headers follow further down
    # (table 二's blocks each have their own): a block's title must not head another block
    banded = any(c.kind == "header" and c.row >= first_value for c in cells)
    return TableView(table.id, table.title, grid.right - grid.left + 1, grid.bottom - grid.top + 1,
                     0 if banded else first_value, tuple(cells))
