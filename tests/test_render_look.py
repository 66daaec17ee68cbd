"""The report as a reader sees it: Word converted to PDF by LibreOffice and read back with
pdftotext; the web page opened in headless Chromium (the Debian package) and its DOM read back.

Both programs are slow to start: every document is converted in one LibreOffice run, and
Chromium opens two pages (one from a workbook, one from JSON)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import html5lib
import pytest
from test_render import NS, SAMPLES, expected, html_grid
from xl_helpers import EXAMPLES, ROOT, run

import xlgbreport
from xlgbreport import rendering as render
from xlgbreport.core.tables import TableId
from xlgbreport.rendering import writers

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")
ENUMERATION = re.compile(r"\d+\.(?=\D)")  # 1.属于国家秘密: a label's number, not a value
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def pdf_texts(tmp_path_factory) -> list[tuple[xlgbreport.Report, str]]:
    reports = [xlgbreport.read(p) for p in SAMPLES]
    pdfs = writers.pdfs([render.render(r, "docx") for r in reports])
    folder = tmp_path_factory.mktemp("pdf")
    out = []
    for i, (report, data) in enumerate(zip(reports, pdfs, strict=True)):
        path = folder / f"{i}.pdf"
        path.write_bytes(data)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                              text=True).stdout
        out.append((report, text))
    return out


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
