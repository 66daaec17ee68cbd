"""Import of published reports against a bare read of the same files.

Run: ``python bench/bench_import.py [N_TEXT_HTML] [N_PDF]`` (default 1000 and 100). Writes
N_TEXT_HTML sources, half text and half web pages (the real reports in tests/data/published, and
the examples rendered as pages by this project), and N_PDF PDFs (LibreOffice prints each example
once; the files are copies), each kind in its own folder, then times each as a fresh process
(imports included, as a clerk runs it):

- bare read: every text file decoded, every page parsed by lxml (``lxml.html.document_fromstring``);
  every PDF's text extracted by pdfplumber (``extract_text`` of every page);
- ``xlgbreport import DIR --format json``: read, place, rules and the import report, each file
  under its time and memory budget, spread over the process pool (one worker per core).

Rounds alternate between the commands; each ratio (import ÷ bare) is taken within a round and its
median reported. A benchmark, not a test: numbers vary by machine and by load.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_validate import byte_compile, run

import xlgbreport
from xlgbreport.rendering import render, writers

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "tests" / "data" / "published"
EXAMPLES = ROOT / "tests" / "data" / "examples"
BARE_TEXT = """
import sys
from pathlib import Path
import lxml.html
for path in sorted(Path(sys.argv[1]).iterdir()):
    data = path.read_bytes()
    if path.suffix == ".html":
        lxml.html.document_fromstring(data)
    else:
        data.decode("utf-8")
"""
BARE_PDF = """
import sys
from pathlib import Path
import pdfplumber
for path in sorted(Path(sys.argv[1]).iterdir()):
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
"""


def make_files(texts: Path, pdfs: Path, n: int, m: int) -> None:
    """``n`` text and HTML sources in ``texts``, ``m`` PDFs in ``pdfs``."""
    reports = [xlgbreport.read(p) for p in sorted(EXAMPLES.glob("*.json"))]
    pages = [render(r, "html") for r in reports]
    plain = [p.read_bytes() for p in sorted(PUBLISHED.glob("*.txt"))]
    texts.mkdir(parents=True)
    for i in range(n):
        if i % 2:
            (texts / f"r{i:05d}.html").write_bytes(pages[i % len(pages)])
        else:
            (texts / f"r{i:05d}.txt").write_bytes(plain[i % len(plain)])
    printed = [writers.pdf(render(r, "docx")) for r in reports]
    pdfs.mkdir(parents=True)
    for i in range(m):
        (pdfs / f"r{i:05d}.pdf").write_bytes(printed[i % len(printed)])


def measure(folder: Path, bare: str, n: int, rounds: int) -> tuple[float, float, float]:
    """Median wall seconds per file of the bare read and of the import, and the median ratio."""
    exe = str(Path(sys.executable).with_name("xlgbreport"))
    bare_runs, ours = [], []
    for _ in range(rounds):
        bare_runs.append(run([sys.executable, "-c", bare, str(folder)])[0])
        ours.append(run([exe, "import", "--format", "json", str(folder)], codes=(0, 1))[0])
    ratio = statistics.median(a / b for a, b in zip(ours, bare_runs, strict=True))
    return statistics.median(bare_runs) / n, statistics.median(ours) / n, ratio


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rounds = int(os.environ.get("XLG_BENCH_ROUNDS", "3"))
    byte_compile()
    tmp = Path(tempfile.mkdtemp())
    try:
        make_files(tmp / "text", tmp / "pdf", n, m)
        load = os.getloadavg()[0]
        text = measure(tmp / "text", BARE_TEXT, n, rounds)
        pdf = measure(tmp / "pdf", BARE_PDF, m, rounds)
    finally:
        shutil.rmtree(tmp)
    print(f"{n} text and HTML reports, {m} PDFs, {os.cpu_count()} cores, median of {rounds} rounds; "
          f"load average before {load:.2f}, after {os.getloadavg()[0]:.2f}")
    for name, (bare, ours, ratio) in (("text + HTML", text), ("PDF", pdf)):
        print(f"  {name:12s} bare {bare * 1000:7.2f} ms/file   import {ours * 1000:7.2f} ms/file   "
              f"import ÷ bare {ratio:5.2f}x")


if __name__ == "__main__":
    main()
