"""Issue 21 item 1: a time and memory budget per imported file, and the bounds checked before
parsing; every attack is one Chinese line within 30 s and 500 MB of the reading child."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from xlgbreport.importer import budget
from xlgbreport.importer import run as import_run

SHORT = budget.Budget(seconds=2, memory=budget.MEMORY)


def _spin(path, *args, **kwargs):
    while True:  # a parser lost in pure Python
        pass


def _sleep(path, *args, **kwargs):
    time.sleep(60)  # a parser stuck in C, using no processor time
    raise AssertionError("not reached")


def _hog(path, *args, **kwargs):
    hoard = []
    while True:
        hoard.append(bytearray(50 * 1024 * 1024))


@pytest.mark.parametrize("stuck", [_spin, _sleep])
def test_a_file_past_its_time_is_one_line_and_the_batch_goes_on(tmp_path, monkeypatch, stuck):
    good = tmp_path / "好.txt"
    good.write_text("某镇人民政府2022年政府信息公开工作年度报告\n", encoding="utf-8")
    bad = tmp_path / "卡住.txt"
    bad.write_text("x", encoding="utf-8")
    real = import_run.readers.read
    monkeypatch.setattr(import_run.readers, "read",
                        lambda p, *a, **k: stuck(p) if Path(p).name == "卡住.txt" else real(p, *a, **k))
    monkeypatch.setattr(budget, "BUDGET", SHORT)
    started = time.monotonic()
    batch = import_run.run([bad, good], None)
    assert time.monotonic() - started < 10
    failed = [f for f in batch.files if f.error_code]
    assert [(Path(f.path).name, f.error_code) for f in failed] == [("卡住.txt", "import.timed_out")]
    assert failed[0].error_message == "卡住.txt：处理超时（超过 2 秒），已跳过"
    assert any(Path(f.path).name == "好.txt" and f.report is not None for f in batch.files)


def test_a_file_past_its_memory_is_one_line(tmp_path, monkeypatch):
    bad = tmp_path / "贪.txt"
    bad.write_text("x", encoding="utf-8")
    monkeypatch.setattr(import_run.readers, "read", _hog)
    monkeypatch.setattr(budget, "BUDGET", budget.Budget(seconds=20, memory=400 * 1024 * 1024))
    [failed] = import_run.run([bad], None).files
    assert failed.error_code == "import.out_of_memory"
    assert failed.error_message == "贪.txt：处理所需内存过多（超过 400 MB），已跳过"


def test_a_child_that_dies_is_the_crash_line_and_its_peak_is_measured():
    import os

    assert budget.within(lambda: os._exit(9)).crashed
    done = budget.within(lambda: len(bytearray(100 * 1024 * 1024)))
    grown = done.peak - forked_peak()
    assert done.value == 100 * 1024 * 1024 and 90 * 1024 * 1024 < grown < 300 * 1024 * 1024


def forked_peak() -> int:
    """A child's peak when it does nothing: what it inherits from this test process (large in a
    whole-suite run), taken off each child's peak to get what the file itself cost."""
    return budget.within(lambda: 0).peak


REFUSED = {"一行.txt": "import.line_too_long", "数字.txt": "import.digits_too_long",
           "大表.html": "import.table_too_big",
           "深.html": "import.html_too_deep", "LZW.pdf": "import.unpacked_too_big",
           "游程.pdf": "import.unpacked_too_big", "预测.pdf": "import.unpacked_too_big",
           "文字.pdf": "import.page_crowded", "扇出.pdf": "import.page_crowded"}


def read_attacks(folder: Path, scale: int = 1) -> Iterator[tuple[str, Path, tuple]]:
    """Each attack at ``scale`` read in the budget's child: its name, its file and what the read
    gave, once it is known to have ended within 30 s and 500 MB beyond what the child inherits."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import import_attacks

    inherited = forked_peak()
    for name, path in import_attacks.write_all(folder, scale=scale).items():
        started = time.monotonic()
        done = budget.within(lambda path=path: import_run._read_here(path))
        assert time.monotonic() - started < 30 and not done.timed_out, name
        assert done.peak > 0 and done.peak - inherited < 500 * 1024 * 1024, (name, done.peak >> 20)
        assert done.value is not None, name
        yield name, path, done.value


def test_every_attack_is_one_line_or_read_within_30_s_and_500_mb(tmp_path):
    for name, _path, (_, reports, error) in read_attacks(tmp_path):
        if name in REFUSED:
            assert error is not None and error[0] == REFUSED[name], (name, error)
            assert error[1].startswith(f"{name}：") and "\n" not in error[1], error
        else:  # harmless once bounded: a page on one line; a 400 by 400 grid is read as text
            assert error is None and len(reports) == 1, (name, error)


#: At ten times the size (issue 21's "variants") the page on one line is refused too; which bound
#: trips first (file size, tags, depth …) depends on the size, so any of the importer's refusals.
TEN_TIMES = {*REFUSED, "一行.html"}


@pytest.mark.slow
def test_ten_times_the_attacks_are_still_one_line_within_30_s_and_500_mb(tmp_path):
    for name, path, (_, reports, error) in read_attacks(tmp_path, scale=10):
        if name in TEN_TIMES:
            assert error is not None and error[0].startswith("import."), (name, error)
            assert error[1].startswith(f"{name}：") and "\n" not in error[1], error
        else:  # the grid, read as text as at its own size
            assert error is None and len(reports) == 1, (name, error)
        path.unlink()


def test_in_a_pool_the_worker_outlives_a_stuck_file(tmp_path, monkeypatch):
    published = Path(__file__).parent / "data" / "published" / "002_4f580d778f793ab4.txt"
    for n in range(import_run.POOL_FROM):
        (tmp_path / f"镇{n}.txt").write_bytes(published.read_bytes())
    (tmp_path / "卡住.txt").write_text("x", encoding="utf-8")
    real = import_run.readers.read
    monkeypatch.setattr(import_run.readers, "read",
                        lambda p, *a, **k: _spin(p) if Path(p).name == "卡住.txt" else real(p, *a, **k))
    monkeypatch.setattr(budget, "BUDGET", SHORT)  # forked workers inherit both
    batch = import_run.run([tmp_path], None)
    assert len(batch.files) == import_run.POOL_FROM + 1
    assert [(Path(f.path).name, f.error_code) for f in batch.files if f.error_code] == [
        ("卡住.txt", "import.timed_out")]


def test_a_pdf_reference_loop_ends_at_the_budget(tmp_path, monkeypatch):
    """No bound on shape catches pdfminer resolving a loop forever: the budget does."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import import_attacks

    looped = tmp_path / "环.pdf"
    looped.write_bytes(import_attacks.reference_loop())
    monkeypatch.setattr(budget, "BUDGET", SHORT)
    [failed] = import_run.run([looped], None).files
    assert (failed.error_code, failed.error_message) == ("import.timed_out", "环.pdf：处理超时（超过 2 秒），已跳过")
