"""Scans imported by OCR: cells right, wrong and blank, and seconds a page, per engine and dpi.

Run: ``python bench/bench_ocr.py [NAME ...] [--dpi 150 200 300] [--engine rapidocr tesseract]``
(default: the three examples, those dpis, RapidOCR: the product's only engine; Tesseract,
:mod:`ocr_tesseract`, is here for the comparison alone). Each example is printed to PDF by
LibreOffice, rasterised by ``pdftoppm`` at each dpi, turned 0.4°, given light noise and saved
through JPEG (tests/scans.py), then wrapped as an image-only PDF and imported as ``import``
reads it: the text reader finds no text, the OCR route reads the pages, the parser places the
cells and the equations check them (:mod:`xlgbreport.importer.ocr_check`). Printed per run: the
cells right, wrong and blank of the format's cells, the cells OCR read and those left to check,
the rows found (with at least one cell placed), and the seconds of OCR a page. A benchmark, not
a test: times vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from ocr_tesseract import Tesseract  # noqa: E402
from published_docs import known  # noqa: E402
from scans import image_pdf, printed, scan  # noqa: E402

from xlgbreport.importer import ocr_engines, readers  # noqa: E402
from xlgbreport.importer.ocr_check import Sourced, sourced  # noqa: E402
from xlgbreport.importer.parse import parse  # noqa: E402

EXAMPLES = ("huaian_szf_2024", "suqian_2023", "suqian_2024")
product = ocr_engines.engine  # RapidOCR, loaded once


def measure(name: str, pdf: Path, engine: str, pages: int) -> str:
    truth = known(name).report
    made = Tesseract() if engine == "tesseract" else product()
    ocr_engines.engine = lambda: made  # the route reads with this engine
    started = time.perf_counter()
    document = readers.read(pdf)
    seconds = time.perf_counter() - started
    (one,) = [sourced(o, document) for o in parse(document)]
    assert isinstance(one, Sourced)
    keys = truth.format.schema.keys
    got = one.report.cells
    right = sum(got.get(k) == truth.value(k) for k in keys)
    wrong = sum(got.get(k) is not None and got.get(k) != truth.value(k) for k in keys)
    rows = {k[:2] for k in keys}
    found = {k[:2] for k in keys if got.get(k) is not None}
    title = "是" if (one.report.org, one.report.year) == (truth.org, truth.year) else "否"
    return (f"| {name} | {engine} | {right}/{len(keys)} ({100 * right / len(keys):.1f}%) | {wrong} "
            f"| {len(keys) - right - wrong} | {one.recognised} | {one.to_check} | {len(found)}/{len(rows)} "
            f"| {title} | {seconds / pages:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*", default=list(EXAMPLES))
    parser.add_argument("--dpi", nargs="*", type=int, default=[150, 200, 300])
    parser.add_argument("--engine", nargs="*", default=["rapidocr"], choices=["rapidocr", "tesseract"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for dpi in args.dpi:
            print(f"\n{dpi} dpi\n\n| 报告 | 引擎 | 对 | 错 | 空 | 识别格 | 待核对 | 找到的行 | 机关年度 | 秒/页 |")
            print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|", flush=True)
            for name in args.names:
                pdf = folder / f"{name}.pdf"
                if not pdf.exists():
                    pdf = printed(known(name), folder)  # the rendered report as LibreOffice prints it
                pages = scan(pdf, folder / f"{name}-{dpi}", dpi)
                scanned = image_pdf(pages, folder / f"{name}-{dpi}.pdf", dpi)
                for engine in args.engine:
                    print(measure(name, scanned, engine, len(pages)), flush=True)


if __name__ == "__main__":
    main()
