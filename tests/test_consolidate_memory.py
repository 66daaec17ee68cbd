"""Issue 19, item 9: consolidate's memory stays flat as the batch grows. The parent's part is
measured alone: a stand-in executor hands back entries as the workers would (no file read),
and tracemalloc follows what the parent allocates while it decides, writes the workbook and
goes through the batch's results as ``--format json`` does."""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from test_consolidate import body

import xlgbreport
from xlgbreport.actions.results import Batch, FileResult, Made
from xlgbreport.cli.output import streamed_document
from xlgbreport.consolidation import gather, run
from xlgbreport.consolidation.spill import Spill, View

#: What the parent may keep per input, in bytes: 10,000 files within 15% of 1,000's memory.
PER_FILE = 600
#: Both above ``detail.DETAIL_LIMIT``: the 明细 sheet's rows are bounded, not per file.
SMALL, LARGE = 400, 1600


class Copies:
    """An executor stand-in: ``map`` gives one entry per file, ``entry`` renamed for each."""

    def __init__(self, entry: gather.Entry) -> None:
        self.entry = entry

    def map(self, fn: Callable, names: Iterable[str], chunksize: int = 1) -> Iterator[gather.Entry]:
        for n, name in enumerate(names):
            yield replace(self.entry, path=name, org=f"金乡县第{n:05d}号镇人民政府",
                          digest=f"{n:064x}")


def parent_bytes(tmp: Path, entry: gather.Entry, n: int) -> tuple[int, int]:
    """Peak and retained bytes the parent allocates for ``n`` inputs, the batch's results read."""
    folder = tmp / f"n{n}"
    folder.mkdir()
    for i in range(n):
        (folder / f"org{i:05d}.xlsx").touch()  # listed only: the stand-in reads nothing
    tracemalloc.start()
    try:
        batch = run.consolidate([folder], tmp / f"out{n}.xlsx", org="金乡县人民政府",
                                executor=Copies(entry))  # type: ignore[arg-type]
        for result in batch.files:  # as the CLI's streamed JSON goes through them
            result.to_dict()
        gc.collect()  # the workbook writer's cycles are not the parent's keep
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(batch.files) == n and batch.valid
    return peak, retained


@pytest.mark.slow  # about 15 s of CPU under tracemalloc
def test_the_parent_keeps_little_per_file(tmp_path: Path) -> None:
    xlgbreport.write(body("金乡县某镇人民政府", 2024, 7, "12.34"), tmp_path / "a.xlsx")
    entry = gather.read_one(tmp_path / "a.xlsx")
    assert entry.readable and entry.errors == 0 and entry.warnings == 0
    parent_bytes(tmp_path, entry, 20)  # the first run's imports and caches are not per file
    small_peak, small_kept = parent_bytes(tmp_path, entry, SMALL)
    large_peak, large_kept = parent_bytes(tmp_path, entry, LARGE)
    assert (large_peak - small_peak) / (LARGE - SMALL) < PER_FILE, (small_peak, large_peak)
    assert (large_kept - small_kept) / (LARGE - SMALL) < PER_FILE, (small_kept, large_kept)


def test_a_spill_gives_back_what_it_was_given(tmp_path: Path) -> None:
    xlgbreport.write(body("金乡县某镇人民政府", 2024, 3, "1.5"), tmp_path / "a.xlsx")
    entry = gather.read_one(tmp_path / "a.xlsx")
    entries = [replace(entry, path=f"{i}.xlsx", problems=(f"问题{i}",)) for i in range(5)]
    spill = Spill(iter(entries[:3]))
    spill.extend(iter(entries[3:]))
    assert len(spill) == 5 and list(spill) == entries and spill[-1] == entries[4]
    assert spill[1:3] == entries[1:3] and spill[2].values == entry.values
    view = View(spill, [4, 0], {0: entries[1]})
    assert list(view) == [entries[4], entries[1]] and len(view) == 2


@pytest.mark.parametrize("files", [0, 1, 3])
def test_the_streamed_json_is_the_batchs_document(capsys: pytest.CaptureFixture[str], files: int) -> None:
    made = [FileResult(f"{i}\x07.xlsx", notes=(f"注意\x1b{i}",), extra={"status": "通过"}, valid=True)
            for i in range(files)]
    batch = Batch(Made(range(files), made.__getitem__), ("说明\x00",), "已汇总", {"year": 2024, "org": "县"})
    streamed_document(batch)
    out = capsys.readouterr().out
    assert json.loads(out) == json.loads(json.dumps(batch.to_dict()))
    assert not any(ord(c) < 0x20 and c not in "\n" for c in out)  # controls written as \uXXXX
