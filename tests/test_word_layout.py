"""The Word report's layout read back from its XML (issue 18): rows that never split and tables
kept on one page, column widths from content, fonts named without theme overrides, and GB/T
9704's 28 × 22 grid. Every sample and example is rendered once (module scope); the PDFs are
checked in test_render_look.py."""

from __future__ import annotations

import io
import math
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from test_render import SAMPLES

import xlgbreport
from xlgbreport import rendering as render
from xlgbreport.rendering import content, libreoffice, word_tables
from xlgbreport.rendering.content import Cell, TableView, ems

THEME = ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme")
MARGINS_TWIPS = 2 * word_tables.CELL_MARGIN_TWIPS


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: p.name)
def word(request) -> tuple[content.Content, docx.document.Document, bytes]:
    report = xlgbreport.read(request.param)
    data = render.render(report, "docx")
    return content.build(report), docx.Document(io.BytesIO(data)), data


def _size(document) -> float:
    return document.styles[word_tables.CELL_STYLE].font.size.pt


def _widths(table) -> list[int]:
    return [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iter(qn("w:gridCol"))]


def test_every_row_is_kept_whole_and_every_table_on_one_page(word) -> None:
    _, document, data = word
    for table in document.tables:
        rows = table._tbl.findall(qn("w:tr"))
        assert all(tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)
    assert libreoffice.kept_tables(data) == [True] * 3  # keep-with-next through the last row but one


def test_every_column_is_two_characters_wide_and_numbers_fit(word) -> None:
    """From the docx widths: no column narrower than two characters of the table's font size (plus
    the cell margins), and a number column holds its widest number on one line."""
    what, document, _ = word
    size = _size(document)
    assert size in (9, 10.5)  # 小五 or 五号
    views = [s.table for s in what.sections if s.table]
    for table, view in zip(document.tables, views, strict=True):
        widths = _widths(table)
        assert abs(sum(widths) - 156 / 25.4 * 1440) < 20  # the text width
        for col, width in enumerate(widths):
            chars = (width - MARGINS_TWIPS) / 20 / size
            assert chars >= 2, (view.id, col)
            values = [c.text for c in view.cells if c.col == col and c.cols == 1 and c.kind == "value"]
            assert all(ems(v) <= chars for v in values), (view.id, col)


def test_no_label_or_header_ends_on_one_character_a_line(word) -> None:
    """「自然/人」, 「科/研/机/构」 and 「…已获取信 / 息」 were the complaint: at the docx width,
    every unmerged header and label fills its lines and leaves at least two characters on its
    last."""
    what, document, _ = word
    size = _size(document)
    views = [s.table for s in what.sections if s.table]
    for table, view in zip(document.tables, views, strict=True):
        widths = _widths(table)
        for cell in view.cells:
            if cell.kind == "value" or cell.cols > 1 or not cell.text:
                continue
            line = math.floor((widths[cell.col] - MARGINS_TWIPS) / 20 / size)
            n = ems(cell.text)
            assert line >= 2 and not word_tables.orphans(n, line), (view.id, cell.text, line)


def test_labels_left_numbers_centred_all_cells_vertically_centred(word) -> None:
    what, document, _ = word
    views = [s.table for s in what.sections if s.table]
    for table, view in zip(document.tables, views, strict=True):
        cells = table._cells
        for cell in view.cells:
            target = cells[cell.row * view.width + cell.col]
            assert target._tc.tcPr.find(qn("w:vAlign")).get(qn("w:val")) == "center"
            jc = target.paragraphs[0]._p.pPr.find(qn("w:jc")).get(qn("w:val"))
            assert jc == ("left" if cell.kind == "label" else "center"), (view.id, cell.text)


def test_table_two_keeps_its_merged_article_20_rows(word) -> None:
    what, document, _ = word
    table = document.tables[0]
    blocks = [c for c in what.sections[1].table.cells if c.text.startswith("第二十条")]
    assert len(blocks) == 4
    for block in blocks:
        row = table.rows[block.row]
        assert len({id(c._tc) for c in row.cells}) == 1 and row.cells[0].text == block.text


def test_styles_name_their_fonts_without_theme_attributes(word) -> None:
    """By OOXML a theme attribute wins over the named font (and this theme has no East Asian one):
    none is left, and the styles name the fonts GB/T 9704 asks for."""
    _, document, data = word
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode("utf-8")
    assert not any(f'w:{attr}="' in styles for attr in THEME)
    east_asian = {name: document.styles[name].element.rPr.rFonts.get(qn("w:eastAsia"))
                  for name in ("报告标题", "Heading 1", "报告正文", "Normal", word_tables.CELL_STYLE)}
    assert east_asian == {"报告标题": "方正小标宋简体", "Heading 1": "黑体", "报告正文": "仿宋_GB2312",
                          "Normal": "仿宋_GB2312", word_tables.CELL_STYLE: "宋体"}
    table = zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml").decode("utf-8")
    for font, fallback in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋")):
        assert f'<w:font w:name="{font}"><w:altName w:val="{fallback}"/>' in table


def test_the_document_grid_is_28_characters_by_22_lines(word) -> None:
    """GB/T 9704: 28 三号 characters a line on the 156 mm text width, 22 lines on the 225 mm height."""
    _, document, _ = word
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch = (16 + int(grid.get(qn("w:charSpace"))) / 4096) * 20  # twips a character
    width, height = 156 / 25.4 * 1440, 225 / 25.4 * 1440
    assert math.floor(width / pitch) == 28 and math.floor(height / int(grid.get(qn("w:linePitch")))) == 22
    off = [document.styles[s].element.pPr.find(qn("w:snapToGrid")) for s in ("报告标题", word_tables.CELL_STYLE)]
    assert all(e is not None and e.get(qn("w:val")) == "0" for e in off)  # 二号 and 小五 keep their own pitch


def test_libreoffice_gets_the_grid_as_character_spacing() -> None:
    """The copy LibreOffice converts: no character grid (it would give a 三号 character two cells),
    the body styles narrowed by the grid's change instead."""
    data = render.render(xlgbreport.read(SAMPLES[0]), "docx")
    copy = zipfile.ZipFile(io.BytesIO(libreoffice.as_word_lays_out(data)))
    assert 'w:type="linesAndChars"' not in copy.read("word/document.xml").decode("utf-8")
    body = docx.Document(io.BytesIO(libreoffice.as_word_lays_out(data))).styles["报告正文"]
    assert body.element.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"  # −848/4096 pt, rounded down


def test_widths_are_generic_over_any_table() -> None:
    """A table that is not an official one (as ``compare`` draws): two years side by side."""
    cells = [Cell("项目", 0, 0, kind="header"), Cell("2023年", 0, 1, kind="header"),
             Cell("2024年", 0, 2, kind="header"), Cell("增减", 0, 3, kind="header"),
             Cell("本年新收政府信息公开申请数量", 1, 0, kind="label"), Cell("3511", 1, 1),
             Cell("3525", 1, 2), Cell("+14", 1, 3)]
    view = TableView("two_years", "", 4, 2, 1, tuple(cells))
    widths = word_tables.column_widths(view, 156, 9)
    assert abs(sum(widths) - 156) < 1e-6 and widths[0] > widths[1] == widths[2] > widths[3]
    em = 9 * 25.4 / 72
    assert all(w > 2 * em for w in widths) and widths[0] >= ems("本年新收政府信息公开申请数量") * em  # whole
