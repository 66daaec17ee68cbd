"""An official table in Word, laid out as published: column widths from the cells' texts, rows
that never split, header rows repeated, the whole table kept on one page.

Generic over :class:`~xlgbreport.rendering.content.TableView` (any grid of cells with spans and
kinds), so that other documents (a two-year comparison) draw their tables the same way.

Widths are counted in characters of the table's font size (a digit or Latin letter is half a
Chinese character). A column of numbers holds its widest value and lets its header wrap, but never
leaves one character alone on a line (「自然/人」); a column of labels first gets what keeps its
labels unbroken in that sense, then the width left over, by how much longer its labels are.
"""

from __future__ import annotations

import math
from typing import Any

from .content import Cell, TableView, ems

TABLE_STYLE = "Table Grid"
CELL_STYLE = "表格文字"
TEXT_WIDTH_MM = 210 - 28 - 26  # A4 less GB/T 9704's left and right margins
TABLE_SIZE_PT = 9.0  # 小五, the template's 表格文字 unless a clerk changed it
CELL_MARGIN_TWIPS = 57  # 1 mm each side
MM_PER_PT = 25.4 / 72
LEAST = 2  # characters a line: no column narrower, no label broken to fewer
HEADER_LINES = 2  # a header over numbers wraps onto at most this many lines
LABEL_LINES = 3  # a label needs at least the width that holds it in this many lines
SLACK = 0.3  # of a character, in every column: a font's glyphs may be a hair wider than its size
#: Figures are measured as printed, not as half a character: a digit, sign or point of the PDF's
#: serif stand-in is up to 0.58 of the size (more in bold), a percent sign 0.92 (Noto Serif CJK).
FIGURE_EM, PERCENT_EM = 0.6, 1.0


def figure_ems(text: str) -> float:
    """The printed width of a number or a header over numbers (「2023年」, 「+26.0%」), in characters."""
    return sum(PERCENT_EM if ch == "%" else FIGURE_EM if ord(ch) < 0x2E80 else 1 for ch in text)


def fit(text: str, lines: int, n: float | None = None) -> float:
    """The narrowest width (in characters, at least two) that holds ``text`` (``n`` characters
    wide, by default its :func:`ems`) in at most ``lines`` lines without leaving fewer than two
    characters on its last line."""
    n = ems(text) if n is None else n
    if n <= LEAST:
        return LEAST
    width = max(float(LEAST), math.ceil(n / max(lines, 1)))
    while orphans(n, width):
        width += 1  # 自然人 in two: 自然/人; in three: whole
    return min(width, n)


def orphans(n: float, width: float) -> bool:
    """Whether a text ``n`` characters long, in lines of ``width``, ends on a line of fewer than two."""
    return width < n and 0 < n - width * math.floor(n / width) < LEAST


def column_widths(table: TableView, width_mm: float = TEXT_WIDTH_MM,
                  size_pt: float = TABLE_SIZE_PT) -> list[float]:
    """The columns' widths in mm, summing to ``width_mm``: every column at least what its own
    (unmerged) cells need; what is left first to the label columns, up to their longest label
    (narrowed back where a label would end on one character), then to the columns of numbers
    alike (to all alike when there are none)."""
    em = size_pt * MM_PER_PT
    pad = 2 * CELL_MARGIN_TWIPS / 1440 * 25.4 + SLACK * em
    numbers = {c.col for c in table.cells if c.kind == "value"}
    need = [float(LEAST)] * table.width  # characters
    full = [float(LEAST)] * table.width
    texts: list[list[float]] = [[] for _ in range(table.width)]
    for cell in table.cells:
        if cell.cols > 1:
            continue
        if cell.kind == "value":
            size = long = max(figure_ems(cell.text), LEAST)
        elif cell.col in numbers:  # a header over numbers: wraps, on two lines at most
            size = long = fit(cell.text, HEADER_LINES, figure_ems(cell.text))
        else:
            size, long = fit(cell.text, max(cell.rows, LABEL_LINES)), ems(cell.text)
            texts[cell.col].append(long)
        need[cell.col] = max(need[cell.col], size)
        full[cell.col] = max(full[cell.col], long)
    room = (width_mm - table.width * pad) / em  # characters across, less the cell margins
    if sum(need) >= room:
        return [n * room / sum(need) * em + pad for n in need]
    spare = room - sum(need)
    short = [f - n for f, n in zip(full, need, strict=True)]
    given = min(spare, sum(short))
    chars = [n + (given * s / sum(short) if given else 0) for n, s in zip(need, short, strict=True)]
    for col, lengths in enumerate(texts):
        width = math.floor(chars[col])
        while width > need[col] and any(orphans(n, width) for n in lengths):
            width -= 1
        chars[col] = max(float(width), need[col]) if lengths else chars[col]
    rest = sorted(numbers) or list(range(table.width))
    share = (room - sum(chars)) / len(rest)
    for col in rest:
        chars[col] += share
    return [c * em + pad for c in chars]


def word_table(tpl: Any, table: TableView, width_mm: float | None = None, *,
               keep_together: bool = True) -> Any:
    """``table`` as a docxtpl subdocument: merged cells where the table merges, labels left and
    everything else centred (vertically too), no row split across pages, header rows repeated,
    and (``keep_together``) the table on one page when it fits one. ``width_mm`` defaults to the
    template's text width; the font size is the template's 表格文字 style."""
    from docx.enum.table import WD_ALIGN_VERTICAL
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm

    sub = tpl.new_subdoc()
    style = sub.styles[CELL_STYLE]
    size = style.font.size.pt if style.font.size else TABLE_SIZE_PT
    widths = column_widths(table, width_mm or _text_width(tpl), size)
    word = sub.add_table(rows=table.height, cols=table.width)
    word.style = sub.styles[TABLE_STYLE]
    word.autofit = False  # a fixed layout: Word keeps the widths given
    grid = word._cells  # built once: python-docx rebuilds it on every table.cell() call
    for column, width in zip(word.columns, widths, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice follows; Word follows the cells
    for i, target in enumerate(grid):
        target.width = Mm(widths[i % table.width])
    for cell in table.cells:
        target = grid[cell.row * table.width + cell.col]
        if cell.rows > 1 or cell.cols > 1:  # spans never overlap: the corners stay valid
            last = grid[(cell.row + cell.rows - 1) * table.width + cell.col + cell.cols - 1]
            target = target.merge(last)
        target.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        paragraph = target.paragraphs[0]
        paragraph.style = style
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if _left(cell) else WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(cell.text)
        run.bold = cell.kind == "header"
    for i, row in enumerate(word.rows):
        _row_flag(row, "w:cantSplit")
        if i < table.header_rows:
            _row_flag(row, "w:tblHeader")
        if keep_together and i < table.height - 1:  # every paragraph, a merged cell's hidden ones too
            for element in row._tr.iter(qn("w:p")):
                element.get_or_add_pPr().keepNext_val = True
    _table_properties(word)
    return sub


def _left(cell: Cell) -> bool:
    """Labels are left-aligned as in the official format; headers, centred labels and numbers
    are centred."""
    return cell.kind == "label"


def _text_width(tpl: Any) -> float:
    from docx.shared import Length

    section = tpl.docx.sections[0]
    try:
        return Length(section.page_width - section.left_margin - section.right_margin).mm
    except TypeError:  # a template without page size or margins
        return TEXT_WIDTH_MM


def _row_flag(row: Any, tag: str) -> None:
    """A ``w:trPr`` flag (``cantSplit`` before ``tblHeader``, as the schema orders them)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _table_properties(word: Any) -> None:
    """1 mm cell margins left and right."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = word._tbl.tblPr.find(qn("w:tblLook"))  # the schema's order: tblLook comes last
    if look is None:
        word._tbl.tblPr.append(margins)
    else:
        look.addprevious(margins)
