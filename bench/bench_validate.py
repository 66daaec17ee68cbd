"""Batch validation is read-bound: how does it compare with bare reads of the same files?

Run: ``python bench/bench_validate.py [N]``. Writes N workbooks (from the real examples in tests/data)
to a temporary folder, then times, over the same files in the same run:

- bare openpyxl: load read-only and touch every value of the report sheets;
- bare python-calamine: load and read every value of the report sheets;
- xlgbreport: ``validation.validate_file`` (guard, read, all rules).

It prints seconds per file and the ratios. A benchmark, not a test: numbers vary by machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from xlgbreport.actions import validation
from xlgbreport.core.layout import REQUIRED_SHEETS
from xlgbreport.files import interchange, workbook_writer

EXAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "examples"


def make_files(folder: Path, n: int) -> list[Path]:
    sources = sorted(EXAMPLES.glob("*.json")) or sorted(Path("samples/json").glob("*.json"))
    reports = [interchange.load(p) for p in sources]
    files = []
    for i in range(n):
        path = folder / f"org{i:03d}.xlsx"
        workbook_writer.write(path, reports[i % len(reports)])
        files.append(path)
    return files


def bare_openpyxl(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    n = sum(1 for s in REQUIRED_SHEETS for row in wb[s].iter_rows(values_only=True) for _ in row)
    wb.close()
    return n


def bare_calamine(path: Path) -> int:
    wb = CalamineWorkbook.from_path(str(path))
    return sum(len(row) for s in REQUIRED_SHEETS for row in wb.get_sheet_by_name(s).to_python())


def ours(path: Path) -> int:
    return len(validation.validate_file(path).findings)


def timed(fn, files: list[Path], rounds: int = 3) -> float:
    """Best of ``rounds`` of the mean seconds per file."""
    best = []
    for _ in range(rounds):
        start = time.perf_counter()
        for f in files:
            fn(f)
        best.append((time.perf_counter() - start) / len(files))
    return min(best)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    with tempfile.TemporaryDirectory() as tmp:
        files = make_files(Path(tmp), n)
        results = {name: timed(fn, files) for name, fn in
                   (("openpyxl (bare read)", bare_openpyxl), ("calamine (bare read)", bare_calamine),
                    ("xlgbreport validate", ours))}
    base = results["xlgbreport validate"]
    print(f"{n} workbooks, seconds per file (best of 3 rounds):")
    for name, sec in results.items():
        print(f"  {name:24s} {sec * 1000:8.2f} ms   validate/this = {base / sec:5.2f}x")
    print(f"  median of all: {statistics.median(results.values()) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
