"""The report as a reader sees it: Word converted to PDF by LibreOffice and read back with
pdftotext and pdffonts; the web page opened in headless Chromium (the Debian package), its DOM
read back, and printed to PDF.

Both programs are slow to start: every document is converted in one LibreOffice conversion (two
runs: Word to ODF to PDF), and Chromium opens two pages (one from a workbook, one from JSON)
and prints them."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import html5lib
import pdfplumber
import pytest
from test_render import NS, SAMPLES, expected, html_grid
from xl_helpers import EXAMPLES, ROOT, run

import xlgbreport
from xlgbreport import rendering as render
from xlgbreport.core.tables import TableId
from xlgbreport.rendering import content, writers

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")
ENUMERATION = re.compile(r"\d+\.(?=\D)")  # 1.属于国家秘密: a label's number, not a value
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def pdf_files(tmp_path_factory) -> list[tuple[xlgbreport.Report, Path]]:
    """Every sample and example rendered to Word and converted to PDF in one go."""
    reports = [xlgbreport.read(p) for p in SAMPLES]
    pdfs = writers.pdfs([render.render(r, "docx") for r in reports])
    folder = tmp_path_factory.mktemp("pdf")
    out = []
    for i, (report, data) in enumerate(zip(reports, pdfs, strict=True)):
        path = folder / f"{i}.pdf"
        path.write_bytes(data)
        out.append((report, path))
    return out


@pytest.fixture(scope="module")
def pdf_texts(pdf_files) -> list[tuple[xlgbreport.Report, str]]:
    return [(report, _text(path, "-layout")) for report, path in pdf_files]


def _text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def whole_tables(report: xlgbreport.Report, path: Path) -> dict[str, list[int]]:
    """For each official table, the pages holding every one of its rows whole: the row's cells
    read in order (``pdftotext -raw``, the order they were drawn in, spaces dropped) on one page.
    A row split across pages, or a table split between pages, has no such page."""
    pages = [re.sub(r"\s", "", page) for page in _text(path, "-raw").split("\f")]
    out = {}
    for section in content.build(report).sections:
        if section.table is not None:
            rows = ["".join(re.sub(r"\s", "", c.text) for c in row) for row in section.table.rows()]
            out[section.table.id] = [n for n, page in enumerate(pages, 1) if all(r in page for r in rows)]
    return out


@pytest.mark.slow
def test_every_table_is_on_one_page_with_its_rows_whole(pdf_files) -> None:
    """Issue 18: table 三 (28 rows) on one A4 portrait page, table 四's fifteen columns on one, no
    row split: in Word kept together, in the PDF made here too."""
    for report, path in pdf_files:
        pages = whole_tables(report, path)
        assert set(pages) == {t.value for t in TableId}, report.org
        assert all(len(found) == 1 for found in pages.values()), (report.org, pages)


@pytest.mark.slow
def test_the_pdf_embeds_serif_stand_ins_and_the_body_is_not_sans(pdf_files) -> None:
    """pdffonts: every font embedded; the body (三号 仿宋_GB2312, most of the 16 pt text) is set in
    the serif stand-in, 黑体 headings in a sans one."""
    for report, path in pdf_files[:2]:
        listed = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True,
                                text=True).stdout.splitlines()[2:]
        assert listed and all(line.split()[-5] == "yes" for line in listed), listed  # emb
        with pdfplumber.open(path) as pdf:
            sizes = Counter(c["fontname"].split("+")[-1] for page in pdf.pages for c in page.chars
                            if round(c["size"]) == 16)
        body = sizes.most_common(1)[0][0]
        assert "Serif" in body and "Sans" not in body, (report.org, sizes)


@pytest.mark.slow
def test_the_pdf_holds_each_tables_numbers_in_order(pdf_texts) -> None:
    """Between a table's heading and the next heading, after the paragraph (which ends with
    “。”), the numbers read line by line (pdftotext -layout) are exactly the table's values, row
    by row: nothing lost, nothing added, no blank printed as 0."""
    titles = [t.title for t in xlgbreport.GB2021.schema.tables] + ["五、"]
    for report, text in pdf_texts:
        text = PAGE_NUMBER.sub(" ", text)
        start = 0
        for table_id, title, following in zip(TableId, titles, titles[1:], strict=False):
            start = text.index(title, start)
            end = text.index(following, start + len(title))
            region = text[start:end].rsplit("。", 1)[1]
            found = NUMBER.findall(ENUMERATION.sub(" ", region))
            values = [v for _, v in sorted(expected(report, table_id).items()) if v]
            assert found == values, (report.org, table_id)
            start = end


@pytest.mark.slow
def test_the_pdf_starts_with_the_title_and_lists_errors(pdf_texts) -> None:
    for report, text in pdf_texts:
        head = re.sub(r"\s", "", text[:600])  # pdftotext spaces digits from Chinese
        assert f"{report.org}{report.year}年政府信息公开工作年度报告" in head
        errors = [f for f in xlgbreport.check(report) if f.severity.value == "error"]
        assert ("待核实" in head) == bool(errors), report.org


def test_pdf_through_the_command(tmp_path: Path) -> None:
    code, output = run("render", EXAMPLES / "suqian_2024.json", "--to", "pdf", "-o", tmp_path)
    assert code == 0, output
    made = tmp_path / "suqian_2024_报告.pdf"
    assert made.read_bytes().startswith(b"%PDF")


def test_without_libreoffice_one_chinese_line_says_how_to_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(writers, "soffice", lambda: None)
    code, output = run("render", EXAMPLES / "suqian_2024.json", "--to", "pdf", "-o", tmp_path)
    assert code == 2 and "需要 LibreOffice" in output and "apt-get install" in output
    assert len(output.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


@pytest.mark.parametrize("source", [ROOT / "samples" / "biaokouzhen_2022.xlsx",
                                    EXAMPLES / "suqian_2024.json"], ids=lambda p: p.name)
def test_chromium_shows_the_tables_cells(source: Path, tmp_path: Path) -> None:
    assert CHROMIUM, "headless Chromium (Debian package chromium) is needed: scripts/test installs it"
    report = xlgbreport.read(source)
    page = tmp_path / "report.html"
    page.write_bytes(render.render(report, "html"))
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    tree = html5lib.parse(dom)
    assert "".join(tree.find(f".//{NS}h1").itertext()).startswith(report.org)
    for table_id in TableId:
        cells = html_grid(tree.find(f".//{NS}table[@id='table-{table_id}']"))
        for pos, text in expected(report, table_id).items():
            assert cells[pos][0] == text, (table_id, pos)


@pytest.mark.slow
def test_chromium_prints_the_page_on_a4_with_page_numbers_and_whole_rows(tmp_path: Path) -> None:
    """Issue 18: @page A4 with GB/T 9704's margins, 「— N —」 in a page-margin box, no table row
    split across pages (each table's rows whole on one page, read as in the Word PDF)."""
    assert CHROMIUM
    for source in (ROOT / "samples" / "biaokouzhen_2022.xlsx", EXAMPLES / "suqian_2024.json"):
        report = xlgbreport.read(source)
        page, printed = tmp_path / f"{source.stem}.html", tmp_path / f"{source.stem}.pdf"
        page.write_bytes(render.render(report, "html"))
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={printed}", page.as_uri()], capture_output=True, timeout=120, check=True)
        info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True, check=True).stdout
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert size and (round(float(size[1])), round(float(size[2]))) == (595, 842), info  # A4
        pages = _text(printed, "-layout").split("\f")[:-1]
        assert len(pages) > 2 and all(re.search(rf"—\s*{n}\s*—", text) for n, text in enumerate(pages, 1))
        found = whole_tables(report, printed)
        assert all(len(on) == 1 for on in found.values()), (source.name, found)
