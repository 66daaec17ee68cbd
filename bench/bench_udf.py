"""How long one XLG_CHECK call takes on a full report: the target is under 5 ms.

Run: ``python bench/bench_udf.py [CALLS]``. For each real example (``tests/data/examples``, else
``samples/json``) it writes the workbook, takes the values of its defined ranges as Excel passes
them to a UDF (2-D lists, floats, None for blank), then calls the UDFs CALLS times and prints the
median and 95th percentile per call (wall clock, ``time.perf_counter``) and the same for the CPU
time of this process (``time.process_time``), which other work on a busy machine does not inflate,
and the time spent converting the ranges alone. A benchmark, not a test: numbers vary by machine.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from xlgbreport.excel import udfs
from xlgbreport.excel.ranges import ARGUMENT_NAMES, report_from_ranges
from xlgbreport.files import interchange
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.layout import LAYOUT

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "data" / "examples"
TARGET_MS = 5.0


def excel_arguments(path: Path) -> list:
    """The defined ranges' values as xlwings passes them (``ndim=2``): numbers as floats."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = []
    for name in ARGUMENT_NAMES:
        area = LAYOUT.names[name]
        rows = wb[area.sheet].iter_rows(min_row=area.first[0] + 1, max_row=area.last[0] + 1,
                                        min_col=area.first[1] + 1, max_col=area.last[1] + 1,
                                        values_only=True)
        out.append([[float(v) if isinstance(v, int) else v for v in row] for row in rows])
    return out


def timed(call, n: int) -> tuple[list[float], list[float]]:
    """Milliseconds per call: wall clock and CPU."""
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def line(label: str, times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    return (f"  {label:<22} median {statistics.median(wall):6.3f} ms   p95 {p95(wall):6.3f} ms"
            f"   (CPU: median {statistics.median(cpu):6.3f} ms   p95 {p95(cpu):6.3f} ms)")


def main(calls: int) -> int:
    sources = sorted(EXAMPLES.glob("*.json")) or sorted((ROOT / "samples" / "json").glob("*.json"))
    worst_median = worst_cpu = 0.0
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        for source in sources:
            path = Path(tmp) / f"{source.stem}.xlsx"
            workbook_writer.write(path, interchange.load(source))
            args = excel_arguments(path)
            check = timed(lambda args=args: udfs.xlg_check(*args), calls)
            status = timed(lambda args=args: udfs.xlg_status(*args), calls)
            convert = timed(lambda args=args: report_from_ranges(*args), calls)
            text = timed(lambda args=args: udfs.xlg_text(*args), calls)
            print(f"{source.stem} ({calls} calls each)")
            for label, times in (("XLG_CHECK", check), ("XLG_STATUS", status),
                                 ("XLG_TEXT", text), ("ranges → Report only", convert)):
                print(line(label, times))
            worst_median = max(worst_median, statistics.median(check[0]))
            worst_cpu = max(worst_cpu, p95(check[1]))
    ok = worst_median < TARGET_MS and worst_cpu < TARGET_MS
    print(f"XLG_CHECK: worst median {worst_median:.3f} ms, worst CPU p95 {worst_cpu:.3f} ms: "
          f"{'within' if ok else 'OVER'} the {TARGET_MS:g} ms target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
