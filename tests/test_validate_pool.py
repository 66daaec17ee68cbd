"""``validate`` over a folder in the shared process pool: the same output, in the same order, as
read in one process; a file that kills its worker costs only itself; results stay small."""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
from pathlib import Path

import pytest
from xl_helpers import run

import xlgbreport
from xlgbreport.actions import batch, sources, validation
from xlgbreport.core.prior import CARRIED_FROM

ROOT = Path(__file__).resolve().parents[1]
REPORTS = [ROOT / "tests" / "data" / "examples" / name
           for name in ("suqian_2023.json", "suqian_2024.json", "huaian_szf_2024.json")]
REPORTS += [ROOT / "samples" / "json" / name for name in ("errors_demo_2023.json", "hujizhen_2022.json")]
VALIDATE_FILE = validation.validate_file


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Ten files: five reports (last year's suqian beside this year's, for the cross-year rules),
    copies of four of them in a subfolder (so two files share a name) and one broken file."""
    root = tmp_path / "各乡镇"
    (root / "二组").mkdir(parents=True)
    for i, source in enumerate(REPORTS):
        report = xlgbreport.read(source)
        xlgbreport.write(report, root / f"{i}_{source.stem}.xlsx")
        if i:
            xlgbreport.write(report, root / "二组" / f"{i}_{source.stem}.xlsx")
    (root / "9_broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    return root


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Two cores whatever the machine has, and how many files each pooled batch had."""
    monkeypatch.setattr(validation.os, "cpu_count", lambda: 2)
    sizes: list[int] = []
    pooled = batch.pooled

    def spy(work, names, workers, crashed, chunk=batch.CHUNK):
        sizes.append(len(names))
        return pooled(work, names, workers, crashed, chunk)

    monkeypatch.setattr(batch, "pooled", spy)
    return sizes


@pytest.mark.parametrize("style", ["text", "json"])
def test_a_folder_gives_the_same_output_pooled_and_in_one_process(folder, spied, monkeypatch, style):
    pooled = run("validate", "--format", style, "--prior", folder, folder)
    assert spied == [10]
    monkeypatch.setattr(batch, "POOL_FROM", 1000)
    alone = run("validate", "--format", style, "--prior", folder, folder)
    assert spied == [10]  # not pooled this time
    assert pooled == alone
    code, output = pooled
    assert code == 2 and "9_broken.xlsx" in output
    assert str(Path("二组") / "1_suqian_2024.xlsx") in output  # two files share this name
    assert output.count("0_suqian_2023.xlsx") > 1  # found as last year's: cross-year rules ran


def dies_on_the_third(path, prior=None, *, find_prior=False):
    """A reader that kills its worker process on one file, as a crashing library would."""
    if Path(path).name.startswith("2_"):
        os._exit(1)
    return VALIDATE_FILE(path, prior, find_prior=find_prior)


def test_a_file_that_kills_its_worker_costs_only_itself(folder, spied, monkeypatch):
    monkeypatch.setattr(validation, "validate_file", dies_on_the_third)  # forked workers inherit it
    files = sources.collect([folder])
    results = list(validation.validate_files(files, reports=False))
    assert spied == [10]
    assert [r.path for r in results] == [str(f) for f in files]
    crashed = [r for r in results if r.error_code == batch.CRASHED.code]
    assert [Path(r.path).name for r in crashed] == ["2_huaian_szf_2024.xlsx"] * 2
    assert crashed[0].error_message.startswith("2_huaian_szf_2024.xlsx：")
    assert sum(r.report is not None for r in results) == 7  # every other workbook was read
    code, output = run("validate", folder)
    assert code == 2 and output.count(str(batch.CRASHED)) == 2


def test_a_result_crosses_back_without_the_reports_cells(folder, spied):
    files = sorted(folder.glob("*.xlsx")) * 2  # with the broken one: an error crosses back too
    slim = list(validation.validate_files(files, folder, reports=False))
    whole = list(validation.validate_files(files, folder))
    assert spied == [12, 12]
    assert [r.findings for r in slim] == [r.findings for r in whole]
    assert all(not r.report.cells and not r.report.text for r in slim if r.report)
    assert all(r.report.cells for r in whole if r.report)
    beyond_findings = [len(pickle.dumps(dataclasses.replace(r, findings=()))) for r in slim]
    assert max(beyond_findings) < 1000 < 10_000 < min(len(pickle.dumps(r)) for r in whole if r.report)


def test_last_years_report_itself_crosses_to_the_workers(folder, spied, monkeypatch):
    last = xlgbreport.read(folder / "0_suqian_2023.xlsx")
    for key in [k for k in last.cells if k[1] == CARRIED_FROM]:  # what this year carries over
        last.cells[key] += 7
    files = [folder / "1_suqian_2024.xlsx"] * batch.POOL_FROM
    pooled = list(validation.validate_files(files, last))
    monkeypatch.setattr(batch, "POOL_FROM", 1000)
    assert spied == [len(files)] and pooled == list(validation.validate_files(files, last))
    assert all("prior.carry_over" in [f.rule for f in r.findings] for r in pooled)


def worker_pid(name: str) -> int:
    """A file that takes 50 ms to read (long enough for both workers to start), and which worker
    read it."""
    time.sleep(0.05)
    return os.getpid()


def test_the_smallest_pooled_batch_reaches_every_worker():
    pids = list(batch.pooled(worker_pid, [str(i) for i in range(batch.POOL_FROM)], 2, len))
    assert len(pids) == batch.POOL_FROM and len(set(pids)) == 2


def test_a_caller_that_stops_early_leaves_no_work_behind():
    start = time.monotonic()
    results = batch.pooled(worker_pid, [str(i) for i in range(1000)], 2, len)  # 25 s for 2 workers
    assert isinstance(next(results), int)
    results.close()  # returns once the running tasks end: the rest was never queued
    assert time.monotonic() - start < 10
