"""Consolidation is read-bound: how does it compare with bare reads of the same files?

Run: ``python bench/bench_consolidate.py [N ...]`` (default 100 1000 10000). For each N it
generates N realistic workbooks in a temporary folder (balanced reports with varied numbers from
40 written by the template writer, each copy given its own org name; about 2.5% with errors and
2.5% truncated, i.e. unreadable), then times over the same files, each as a fresh process
(imports included, as a county office runs it):

- bare python-calamine: open each file and read every sheet;
- bare openpyxl: load read-only and read every value of every sheet;
- ``xlgbreport consolidate DIR -o OUT --format json``: collect, guard, read, all rules, sums,
  the 汇总状态 and 指标 sheets and the output workbook, files spread over a process pool.

It prints milliseconds per file, consolidate's ratio to each bare read and the peak resident
memory of the run's largest process (``wait4``: the parent or one pool worker). A benchmark, not
a test: numbers vary by machine. ``XLG_BENCH_ROUNDS`` (default 1) rounds, the best counts;
``XLG_BENCH_OPENPYXL=0`` leaves out the openpyxl read (7–10 minutes alone at N = 10,000).
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path

from xlgbreport.core.gb2021 import APPEALS, PROACTIVE, REQUESTS, RESULT_ROWS
from xlgbreport.core.model import Report
from xlgbreport.core.tables import Role
from xlgbreport.workbook import writer as workbook_writer

BASES = 40  # distinct workbooks written; the others are copies with their own org name
PLACEHOLDER = "基准单位{:02d}"
BARE = """
import sys
from pathlib import Path
{imports}
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    try:
{body}
    except Exception:
        pass  # a truncated file: the bare read skips it, as consolidate lists it
"""
CALAMINE = BARE.format(imports="from python_calamine import CalamineWorkbook", body="""\
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()""")
OPENPYXL = BARE.format(imports="import openpyxl", body="""\
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                pass
        wb.close()""")
TEXT = {"overview": "依法做好政府信息公开工作。", "problems": "主动公开的深度不够，下一步加强培训。",
        "other_matters": "本年度未收取信息处理费。"}


def balanced(rng: random.Random, org: str, year: int, big: bool) -> Report:
    """A report whose equations hold: 一 + 二 = （七）+ 四 in every column of table 三."""
    n = (lambda: rng.randint(0, 400)) if big else (lambda: rng.choice((0, 0, 0, 1, 2, 3, 5, 8)))
    cells = {(PROACTIVE.id, r.id, c.id): n() for r in PROACTIVE.rows for c in r.columns}
    cells[(PROACTIVE.id, "admin_fees", "amount")] = Decimal(rng.choice((0, 0, 1)) * rng.randint(1, 9999)
                                                            ).scaleb(-2)
    over, forward, new = (REQUESTS.role(r).id for r in (Role.CARRIED_OVER, Role.CARRIED_FORWARD,
                                                          Role.NEW))
    for col in REQUESTS.columns:
        if col.derived:
            continue
        results = {row: n() for row in RESULT_ROWS}
        following = n()
        carried = min(n(), sum(results.values()) + following)
        cells.update({(REQUESTS.id, row, col.id): v for row, v in results.items()})
        cells[(REQUESTS.id, over, col.id)] = carried
        cells[(REQUESTS.id, forward, col.id)] = following
        cells[(REQUESTS.id, new, col.id)] = sum(results.values()) + following - carried
    for row in APPEALS.rows:
        for col in row.columns:
            if not col.derived:
                cells[(APPEALS.id, row.id, col.id)] = n()
    return Report(org=org, year=year, cells=cells, text=dict(TEXT))


def make_bases(folder: Path) -> list[bytes]:
    """``BASES`` workbooks' bytes; one in 40 has an error (a count that does not balance)."""
    rng = random.Random(2025)
    out = []
    for i in range(BASES):
        report = balanced(rng, PLACEHOLDER.format(i), 2025, big=i % 4 == 0)
        if i == BASES - 1:
            report.cells[(REQUESTS.id, REQUESTS.role(Role.NEW).id, "natural_person")] += 1
        path = folder / f"base{i}.xlsx"
        workbook_writer.write(path, report)
        out.append(path.read_bytes())
        path.unlink()
    return out


def renamed(data: bytes, old: str, new: str) -> bytes:
    """The workbook with its org (a shared string) renamed, every other part as it was."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/sharedStrings.xml":
                content = content.replace(f">{old}<".encode(), f">{new}<".encode())
            out.writestr(item, content)
    return buffer.getvalue()


def make_files(folder: Path, n: int, bases: list[bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        data = renamed(bases[i % BASES], PLACEHOLDER.format(i % BASES), f"第{i:05d}号单位")
        if i % 40 == 20:  # unreadable: cut in half
            data = data[: len(data) // 2]
        (folder / f"org{i:05d}.xlsx").write_bytes(data)


def run(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one fresh process tree's largest process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 2):  # consolidate exits 2: some files are unreadable on purpose
        raise SystemExit(f"{argv[:3]} failed with exit code {code}")
    return seconds, usage.ru_maxrss


def measure(folder: Path, out: Path, rounds: int) -> dict[str, tuple[float, int]]:
    exe = str(Path(sys.executable).with_name("xlgbreport"))
    argv = {
        "calamine (bare read)": [sys.executable, "-c", CALAMINE, str(folder)],
        **({"openpyxl (bare read)": [sys.executable, "-c", OPENPYXL, str(folder)]}
           if os.environ.get("XLG_BENCH_OPENPYXL", "1") != "0" else {}),
        "xlgbreport consolidate": [exe, "consolidate", str(folder), "-o", str(out), "--org", "某县",
                                   "--format", "json", "--force"],
    }
    best: dict[str, tuple[float, int]] = {}
    for _ in range(rounds):
        for name, command in argv.items():
            seconds, rss = run(command)
            old = best.get(name, (seconds, rss))
            best[name] = (min(seconds, old[0]), max(rss, old[1]))
    return best


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 10_000]
    rounds = int(os.environ.get("XLG_BENCH_ROUNDS", "1"))
    print(f"cores: {os.cpu_count()}; fresh processes, best of {rounds} round(s); "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        bases = make_bases(Path(tmp))
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            make_files(folder, n, bases)
            results = measure(folder, Path(tmp) / f"out{n}.xlsx", rounds)
            ours = results["xlgbreport consolidate"][0]
            print(f"N = {n} (load average after: {os.getloadavg()[0]:.2f}):")
            for name, (sec, rss) in results.items():
                print(f"  {name:24s} {sec / n * 1000:7.2f} ms/file  {sec:7.1f} s   "
                      f"consolidate/this = {ours / sec:5.2f}x   peak {rss / 1024:6.1f} MiB")
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()


if __name__ == "__main__":
    main()
