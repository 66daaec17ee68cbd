"""Scans read by OCR: the ruled grid found in the picture, number cells placed only when read
with confidence as well-formed numbers and held to the equations, the rest blank and named;
the evidence page; the bounds (a huge picture, a 500-page scan) and the missing extra, each one
Chinese line. The end-to-end test reads an example printed, rasterised and degraded as a
scanner would (tests/scans.py) and is slow (OCR takes seconds a page)."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from published_docs import known
from published_layouts import lines_of
from scans import image_pdf, printed, scan

import xlgbreport
from xlgbreport.errors import InputError
from xlgbreport.importer import ocr_engines, readers, readers_ocr, run
from xlgbreport.importer.document import Document, Line
from xlgbreport.importer.limits import ReadLimits
from xlgbreport.importer.ocr_check import Sourced
from xlgbreport.importer.ocr_grid import Cell, layout


@pytest.mark.parametrize(("read", "confidence", "given", "status"), [
    ("1175", 0.99, "1175", "number"),
    ("1O5", 0.95, "105", "fixed"),       # O inside a number cell is 0, and noted
    ("l2", 0.95, "12", "fixed"),
    ("12", 0.5, "", "check"),            # not confident: blank, to check
    ("12a3", 0.99, "", "check"),         # not a well-formed number
    ("1.2.3", 0.99, "", "check"),
    ("31.8", 0.99, "31.8", "number"),
    ("规章", 0.5, "规章", "text"),         # labels pass as read: the parser matches them whole
    ("2.其他", 0.99, "2.其他", "text"),
    ("Other", 0.99, "Other", "text"),    # O and l are fixed only in number cells
    ("", 0.0, "", "empty"),
])
def test_number_cells_are_placed_only_when_sure(read, confidence, given, status):
    assert readers_ocr.classify(read, confidence) == (given, status)


def _ruled(rows: int, columns: int, *, cell=(120, 50)) -> np.ndarray:
    """A white page with a ruled table whose cells hold their row and column number."""
    page = np.full((100 + rows * cell[1] + 200, 100 + columns * cell[0] + 100), 255, np.uint8)
    for r in range(rows + 1):
        cv2.line(page, (50, 100 + r * cell[1]), (50 + columns * cell[0], 100 + r * cell[1]), 0, 2)
    for c in range(columns + 1):
        cv2.line(page, (50 + c * cell[0], 100), (50 + c * cell[0], 100 + rows * cell[1]), 0, 2)
    for r in range(rows):
        for c in range(columns):
            cv2.putText(page, f"{r}{c}", (80 + c * cell[0], 135 + r * cell[1]), cv2.FONT_HERSHEY_SIMPLEX,
                        0.8, 0, 2)
    cv2.putText(page, "TEXT LINE", (60, 60), cv2.FONT_HERSHEY_SIMPLEX, 1, 0, 2)
    return page


def test_the_grid_is_found_row_by_row_with_text_above():
    found = layout(_ruled(4, 3), 150).items
    assert not isinstance(found[0][1][0], Cell)  # the text line above the table comes first
    rows = [item for _, item in found[1:]]
    assert [len(r) for r in rows] == [3, 3, 3, 3]
    assert all(isinstance(c, Cell) and len(c.lines) == 1 for row in rows for c in row)
    lefts = [[c.box[0] for c in row] for row in rows]
    assert all(a < b for row in lefts for a, b in zip(row, row[1:], strict=False))


def _png_header(width: int, height: int) -> bytes:
    """A PNG that says it is ``width`` × ``height``: its pixels are never there."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


def _one_line(exc: InputError) -> str:
    text = str(exc)
    assert "\n" not in text and re.search(r"[\u4e00-\u9fff]", text)
    return text


def test_a_huge_picture_is_refused_before_it_is_decoded(tmp_path):
    path = tmp_path / "扫描.png"
    path.write_bytes(_png_header(20_000, 20_000))
    with pytest.raises(InputError) as caught:
        readers.read(path)
    assert caught.value.code == readers_ocr.SCAN_PAGE_TOO_BIG.code
    assert "20000×20000" in _one_line(caught.value)


def test_a_500_page_scan_is_refused_as_one_line(tmp_path):
    pages = [Image.new("L", (8, 8), 255) for _ in range(500)]
    path = tmp_path / "扫描件.pdf"
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:])
    with pytest.raises(InputError) as caught:
        readers.read(path)
    assert caught.value.code == readers_ocr.SCAN_TOO_MANY_PAGES.code
    _one_line(caught.value)
    folder = tmp_path / "图片版"
    folder.mkdir()
    for k in range(4):
        Image.new("L", (8, 8), 255).save(folder / f"{k}.png")
    with pytest.raises(InputError) as caught:
        readers.read(folder, ReadLimits(scan_pages=3))
    assert caught.value.code == readers_ocr.SCAN_TOO_MANY_PAGES.code


def test_without_the_extra_a_scan_says_how_to_install_it(tmp_path, monkeypatch):
    def missing():
        raise ocr_engines.Missing
    monkeypatch.setattr(ocr_engines, "engine", missing)
    path = tmp_path / "1.png"
    Image.new("L", (80, 80), 255).save(path)
    with pytest.raises(InputError) as caught:
        readers.read(path)
    assert caught.value.code == ocr_engines.OCR_MISSING.code
    assert "pip install xlgbreport[ocr]" in _one_line(caught.value)


def test_pictures_in_a_folder_are_one_report_in_name_order(tmp_path):
    folder = tmp_path / "某某镇2023年度报告（图片版）"
    folder.mkdir()
    for number in (10, 2, 1):  # 第2页 before 第10页
        page = _ruled(1, 1) if number == 1 else np.full((300, 400), 255, np.uint8)
        Image.fromarray(page).save(folder / f"第{number}页.png", dpi=(150, 150))
    assert [p.name for p in readers.scan_pictures(folder)] == ["第1页.png", "第2页.png", "第10页.png"]
    assert run.collect([tmp_path]) == [folder]
    document = readers.read(folder)
    (cell,) = document.recognised
    assert cell.read == "00" and cell.page == 1  # the first page in name order holds the table
    # a drawn (Hershey) font is not a printed one: placed when sure, else blank, never other
    assert (cell.given, cell.status) in (("00", "number"), ("", "check"))


def test_the_evidence_page_of_a_text_source_shows_each_line_escaped(tmp_path):
    truth = known("suqian_2023").report
    lines = lines_of(truth, "rows")
    lines[1] = ['<img src=x onerror=alert(1)>一、总体情况']
    source = tmp_path / "报告.txt"
    source.write_text("\n".join("\t".join(cells) for cells in lines), encoding="utf-8")
    evidence = tmp_path / "核对"
    batch = run.run([source], None, evidence=evidence, org="<script>alert(1)</script>某县")
    assert batch.files[0].error_code is None
    (page,) = evidence.glob("*.html")
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "</script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;某县" in html  # the org, escaped
    assert "1191" in html and "第 " in html  # a value beside its source line


@pytest.fixture(scope="session")
def printed_pdf(tmp_path_factory) -> Path:
    """suqian_2023 printed to PDF by LibreOffice (seconds: once a session)."""
    return printed(known("suqian_2023"), tmp_path_factory.mktemp("printed"))


@pytest.fixture(scope="session")
def scanned_pdf(tmp_path_factory, printed_pdf) -> tuple[Path, Path]:
    """suqian_2023 printed, scanned at 200 dpi with light noise, skew and JPEG, as an image-only PDF."""
    folder = tmp_path_factory.mktemp("scan")
    pages = scan(printed_pdf, folder / "pages", 200)
    return image_pdf(pages, folder / "扫描件.pdf", 200), folder


@pytest.mark.slow
def test_a_300_dpi_scan_reads_as_well_as_200(printed_pdf, tmp_path):
    """A finer scan is scaled to 200 dpi before it is read: read as scanned, 「自然人」 came out
    「白然人」 and tables 三 and 四 were left blank."""
    from xlgbreport.importer.ocr_check import sourced
    from xlgbreport.importer.parse import parse
    path = image_pdf(scan(printed_pdf, tmp_path / "pages", 300), tmp_path / "扫描件.pdf", 300)
    truth = known("suqian_2023").report
    document = readers.read(path)
    (one,) = [sourced(o, document) for o in parse(document)]
    assert isinstance(one, Sourced)
    keys = truth.format.schema.keys
    got = one.report.cells
    assert [k for k in keys if got.get(k) is not None and got[k] != truth.value(k)] == []
    assert sum(got.get(k) == truth.value(k) for k in keys) >= 0.95 * len(keys)


@pytest.mark.slow
def test_a_scan_imports_with_no_cell_wrong(scanned_pdf):
    """The scan read once, as ``import`` reads it (a PDF without text, then OCR under the scan
    budget): no cell wrong, at least 95% right, the rest blank and named, counted apart."""
    path, folder = scanned_pdf
    truth = known("suqian_2023").report
    evidence = folder / "evidence"
    batch = run.run([path], folder / "out.json", evidence=evidence)
    (result,) = batch.files
    assert result.error_code is None, result.error_message
    got = xlgbreport.read(folder / "out.json")
    keys = truth.format.schema.keys
    wrong = [k for k in keys if got.cells.get(k) is not None and got.cells[k] != truth.value(k)]
    right = sum(got.cells.get(k) == truth.value(k) for k in keys)
    assert wrong == []
    assert right >= 0.95 * len(keys), (right, len(keys))
    assert (got.org, got.year) == (truth.org, truth.year)
    named = {(n["table"], n["row"]) for n in result.extra["import_notes"]}
    assert all((k[0], k[1]) in named for k in keys if got.cells.get(k) is None)  # each blank row named
    counted = result.extra["recognised"]
    blank = sum(1 for k in keys if got.cells.get(k) is None and not truth.format.schema.is_derived(k))
    assert counted["cells"] >= right and blank <= counted["to_check"] <= counted["cells"]
    assert f"  识别 {counted['cells']} 格，其中 {counted['to_check']} 格待核对" in result.notes
    (page,) = evidence.glob("*.html")
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= right
    assert "<script" not in html


def test_a_scan_document_is_what_the_parser_reads(tmp_path):
    """The OCR route hands the parser the Document the other readers give: a placed cell maps
    back to the cell it was read from."""
    from published_layouts import lines_of

    from xlgbreport.importer.document import Recognised
    from xlgbreport.importer.ocr_check import sourced
    from xlgbreport.importer.parse import parse
    truth = known("suqian_2023").report
    lines = [Line(i + 1, tuple(cells)) for i, cells in enumerate(lines_of(truth, "rows"))]
    at = next(ln for ln in lines if "（一）予以公开" in ln.cells)
    first = len(at.cells) - 7  # the row's seven values follow its labels
    read = [("1176" if k == first else v) for k, v in enumerate(at.cells)]  # a confident misreading
    wrong = tuple(Recognised(at.number, k, 1, (0, 0, 1, 1), v, 0.99, v, "number" if v.isdigit() else "text", b"")
                  for k, v in enumerate(read))
    lines = [ln if ln is not at else Line(at.number, tuple(read)) for ln in lines]
    document = Document("scan.pdf", "pdf", tuple(lines), recognised=wrong)
    (one,) = [sourced(o, document) for o in parse(document)]
    assert isinstance(one, Sourced)
    row = [k for k in truth.format.schema.keys if k[1] == "3.1"]
    assert all(one.report.cells.get(k) is None for k in row)  # the row total rejects the row
    assert ("requests", "3.1", "natural_person") in one.rejected
    assert any(n.rule == "import.ocr_rejected" for n in one.notes)
    assert one.recognised == len(row) and one.to_check >= 1


def test_the_engine_loads_and_reads_with_no_network(monkeypatch):
    """RapidOCR's models ship in its wheel: made and run with every connection refused."""
    import socket

    def refused(*args, **kwargs):
        raise OSError("no network in this test")
    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    engine = ocr_engines.Rapid()  # not the cached one: its models are loaded here
    line = np.full((48, 160), 255, np.uint8)
    cv2.putText(line, "2023", (10, 38), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    ((text, confidence),) = engine.read([line])
    assert text == "2023" and 0 < confidence <= 1


def test_without_numpy_and_opencv_a_picture_is_one_line(tmp_path):
    """The package itself needs neither (the Windows bundle has no numpy): their absence is the
    missing extra's line, not a traceback."""
    import subprocess
    import sys
    path = tmp_path / "1.png"
    Image.new("L", (80, 80), 255).save(path)
    script = f"""
import sys
class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("cv2", "numpy", "rapidocr_onnxruntime"):
            raise ImportError(name)
sys.meta_path.insert(0, Absent())
from xlgbreport.errors import InputError
from xlgbreport.importer import readers
try:
    readers.read({str(path)!r})
except InputError as exc:
    print(exc.code)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == ocr_engines.OCR_MISSING.code, done.stderr


@pytest.mark.slow
def test_a_batch_of_scans_is_read_in_the_process_pool(tmp_path, monkeypatch):
    """``POOL_FROM`` pictures go through the process pool, each read by OCR in a worker, and
    each gets its own lines in order: a picture too big for its bound among them costs only itself."""
    from xlgbreport.actions import batch
    pools = []

    def spy(work, names, workers, crashed, **kwargs):
        pools.append((list(names), workers))
        yield from batch.pooled(work, names, workers, crashed, **kwargs)
    monkeypatch.setattr(run, "pooled", spy)
    monkeypatch.setattr(run.os, "cpu_count", lambda: 2)
    files = []
    for k in range(batch.POOL_FROM):
        path = tmp_path / f"第{k + 1}份.png"
        if k == 4:
            path.write_bytes(_png_header(20_000, 20_000))
        else:
            Image.fromarray(_ruled(2, 2)).save(path, dpi=(150, 150))
        files.append(path)
    found = run.run(files, None)
    assert pools == [([str(p) for p in files], 2)]
    assert [r.path for r in found.files] == [str(p) for p in files]
    codes = [r.error_code for r in found.files]
    assert codes[4] == readers_ocr.SCAN_PAGE_TOO_BIG.code
    for k, result in enumerate(found.files):
        if k == 4:
            assert "20000×20000" in result.error_message and "\n" not in result.error_message
            continue
        # OCR'd in a worker: its table's four cells counted on its own line (a table, not a report)
        assert result.error_code is None and result.extra["recognised"]["cells"] == 4, result.notes
        assert result.notes[0].startswith(f"第{k + 1}份.png：")


@pytest.mark.slow
def test_a_pdf_with_one_scanned_page_among_typed_ones_is_read_in_page_order(printed_pdf, tmp_path, monkeypatch):
    """Typed pages are read as text, the one scanned page (the picture of page 5) alone by OCR,
    its lines in its place: the whole report is there, no cell wrong, the OCR'd ones from page 5."""
    import pypdfium2 as pdfium

    from xlgbreport.importer.ocr_check import sourced
    from xlgbreport.importer.parse import parse
    pictures = scan(printed_pdf, tmp_path / "pages", 200)
    picture = image_pdf(pictures[4:5], tmp_path / "第5页.pdf", 200)
    typed, scanned = pdfium.PdfDocument(printed_pdf), pdfium.PdfDocument(picture)
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(typed, [0, 1, 2, 3])
    mixed.import_pages(scanned, [0])
    mixed.import_pages(typed, list(range(5, len(typed))))
    path = tmp_path / "部分扫描.pdf"
    mixed.save(path)
    with pytest.raises(InputError) as caught:
        readers.read(path, ocr=False)
    assert caught.value.code == "import.pdf_pages_no_text" and "第 5 页" in _one_line(caught.value)
    document = readers.read(path)
    assert document.recognised and {c.page for c in document.recognised} == {5}
    assert [ln.number for ln in document.lines] == list(range(1, len(document.lines) + 1))
    (one,) = [sourced(o, document) for o in parse(document)]
    assert isinstance(one, Sourced)
    truth = known("suqian_2023").report
    keys = truth.format.schema.keys
    got = one.report.cells
    assert [k for k in keys if got.get(k) is not None and got[k] != truth.value(k)] == []
    assert sum(got.get(k) == truth.value(k) for k in keys) >= 0.95 * len(keys)
    assert (one.report.org, one.report.year) == (truth.org, truth.year)


    def missing():
        raise ocr_engines.Missing
    monkeypatch.setattr(ocr_engines, "engine", missing)  # without the extra: the typed pages, as before
    typed_only = readers.read(path)
    assert not typed_only.recognised and 0 < len(typed_only.lines) < len(document.lines)
