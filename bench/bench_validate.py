"""Batch validation is read-bound: how does it compare with bare reads of the same files?

Run: ``python bench/bench_validate.py [N]`` (default 1000). Writes N workbooks from the real
examples in tests/data to a temporary folder, then times, over the same files in one run, each
as a fresh process (imports included, as a clerk or a CI job runs it):

- bare python-calamine: open each file and read every sheet;
- bare openpyxl: load read-only and read every value of every sheet;
- ``xlgbreport validate DIR --format json``: collect, guard, read, all rules, the JSON document.

Rounds alternate between the commands, the best round counts. It prints milliseconds per file,
the ratios to each bare read and each run's peak memory; a second, smaller batch shows whether
memory stays flat as the batch grows. A benchmark, not a test: numbers vary by machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlgbreport.files import interchange
from xlgbreport.workbook import writer as workbook_writer

EXAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "examples"
CALAMINE = """
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
"""
OPENPYXL = """
import sys
from pathlib import Path
import openpyxl
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            pass
    wb.close()
"""


def make_files(folder: Path, n: int) -> None:
    reports = [interchange.load(p) for p in sorted(EXAMPLES.glob("*.json"))]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        workbook_writer.write(folder / f"org{i:04d}.xlsx", reports[i % len(reports)])


def run(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system: what a busy machine does not inflate) and peak
    resident memory (KiB) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # validate exits 1 when a report has errors
        raise SystemExit(f"{argv[:3]} failed with exit code {code}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def commands(folder: Path) -> dict[str, list[str]]:
    exe = str(Path(sys.executable).with_name("xlgbreport"))
    return {
        "calamine (bare read)": [sys.executable, "-c", CALAMINE, str(folder)],
        "openpyxl (bare read)": [sys.executable, "-c", OPENPYXL, str(folder)],
        "xlgbreport validate": [exe, "validate", "--format", "json", str(folder)],
    }


def measure(folder: Path, n: int, rounds: int) -> dict[str, tuple[float, float, int]]:
    """Per command: the best wall and CPU seconds per file over the rounds, the largest peak."""
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(rounds):
        for name, argv in commands(folder).items():
            got = run(argv)
            old = best.get(name, got)
            best[name] = (min(got[0], old[0]), min(got[1], old[1]), max(got[2], old[2]))
    return {name: (wall / n, cpu / n, rss) for name, (wall, cpu, rss) in best.items()}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(os.environ.get("XLG_BENCH_ROUNDS", "3"))
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big", Path(tmp) / "small"
        make_files(big, n)
        make_files(small, max(1, n // 10))
        results = measure(big, n, rounds)
        flat = measure(small, max(1, n // 10), 1)
    wall, cpu, _ = results["xlgbreport validate"]
    print(f"{n} workbooks, fresh processes, best of {rounds} rounds; ms per file, wall and CPU:")
    for name, (w, c, rss) in results.items():
        print(f"  {name:22s} wall {w * 1000:6.2f} ms ({wall / w:4.2f}x)   "
              f"CPU {c * 1000:6.2f} ms ({cpu / c:4.2f}x)   peak {rss / 1024:5.1f} MiB")
    print("  (x: validate's time divided by this one's)")
    print(f"  validate peak memory: {flat['xlgbreport validate'][2] / 1024:.1f} MiB for "
          f"{max(1, n // 10)} files, {results['xlgbreport validate'][2] / 1024:.1f} MiB for {n}")


if __name__ == "__main__":
    main()
