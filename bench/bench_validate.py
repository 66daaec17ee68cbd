"""Batch validation is read-bound: how does it compare with bare reads of the same files?

Run: ``python bench/bench_validate.py [N]`` (default 1000). Writes N workbooks from the real
examples in tests/data to a temporary folder, then times, over the same files in one run, each
as a fresh process (imports included, as a clerk or a CI job runs it):

- bare python-calamine: open each file and read every sheet;
- bare openpyxl: load read-only and read every value of every sheet;
- ``xlgbreport validate DIR --format json``: collect, guard, read, all rules, the JSON document,
  the files spread over the shared process pool (one worker per core);
- the same in one process (the pool's threshold raised past N), to show what the pool gains.

The package is byte-compiled first, as an installed one is (the bare reads' libraries are too).

Rounds alternate between the commands, and each ratio is taken within a round (a drifting load
moves both sides), its median over the rounds reported with the median times. Peak memory is
``ru_maxrss`` from ``wait4``: the largest single process, the pool's workers included. A second
batch of N/10 files shows whether memory stays flat as the batch grows. A benchmark, not a
test: numbers vary by machine and by load (``uptime`` is printed with them).
"""

from __future__ import annotations

import os
import statistics
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
ONE_PROCESS = """
import sys
from xlgbreport.actions import batch
batch.POOL_FROM = sys.maxsize
from xlgbreport.cli import main
sys.argv = ["xlgbreport", "validate", "--format", "json", sys.argv[1]]
main()
"""
VALIDATE = "xlgbreport validate"


def make_files(folder: Path, n: int) -> None:
    reports = [interchange.load(p) for p in sorted(EXAMPLES.glob("*.json"))]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        workbook_writer.write(folder / f"org{i:04d}.xlsx", reports[i % len(reports)])


def run(argv: list[str], codes: tuple[int, ...] = (0, 1)) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system: what a busy machine does not inflate) and peak
    resident memory (KiB) of one fresh process; an exit code not in ``codes`` stops the run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in codes:  # validate exits 1 when a report has errors
        raise SystemExit(f"{argv[:3]} failed with exit code {code}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def commands(folder: Path) -> dict[str, list[str]]:
    exe = str(Path(sys.executable).with_name("xlgbreport"))
    return {
        "calamine (bare read)": [sys.executable, "-c", CALAMINE, str(folder)],
        "openpyxl (bare read)": [sys.executable, "-c", OPENPYXL, str(folder)],
        VALIDATE: [exe, "validate", "--format", "json", str(folder)],
        "validate, one process": [sys.executable, "-c", ONE_PROCESS, str(folder)],
    }


def measure(folder: Path, n: int, rounds: int) -> dict[str, tuple[float, float, int, float, float]]:
    """Per command: median wall and CPU seconds per file over the rounds, the largest peak, and
    the median of validate's wall and CPU time divided by this command's, round by round."""
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands(folder)}
    for _ in range(rounds):
        for name, argv in commands(folder).items():
            runs[name].append(run(argv))
    ours = runs[VALIDATE]
    return {name: (statistics.median(r[0] for r in got) / n, statistics.median(r[1] for r in got) / n,
                   max(r[2] for r in got),
                   statistics.median(a[0] / b[0] for a, b in zip(ours, got, strict=True)),
                   statistics.median(a[1] / b[1] for a, b in zip(ours, got, strict=True)))
            for name, got in runs.items()}


def byte_compile() -> None:
    """Byte-compile the package, as pip does when it installs it: a clerk's validate loads its
    modules from ``.pyc`` files, while a checkout run with ``PYTHONDONTWRITEBYTECODE`` (or never
    imported) compiles every module from source on every start (≈ 0.04 s on the dev box)."""
    import xlgbreport

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(xlgbreport.__file__).parent)],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(os.environ.get("XLG_BENCH_ROUNDS", "3"))
    byte_compile()
    small_n = max(1, n // 10)
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big", Path(tmp) / "small"
        make_files(big, n)
        make_files(small, small_n)
        load = os.getloadavg()
        results = measure(big, n, rounds)
        flat = measure(small, small_n, 1)
    print(f"{n} workbooks, {os.cpu_count()} cores, fresh processes, median of {rounds} rounds; "
          f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}")
    for name, (wall, cpu, rss, wall_x, cpu_x) in results.items():
        print(f"  {name:22s} wall {wall * 1000:6.2f} ms/file (validate {wall_x:4.2f}x)   "
              f"CPU {cpu * 1000:6.2f} ms/file ({cpu_x:4.2f}x)   peak {rss / 1024:5.1f} MiB")
    print("  (x: validate's time divided by this one's, round by round; CPU counts every process)")
    print(f"  validate peak memory: {flat[VALIDATE][2] / 1024:.1f} MiB for {small_n} files, "
          f"{results[VALIDATE][2] / 1024:.1f} MiB for {n}")


if __name__ == "__main__":
    main()
