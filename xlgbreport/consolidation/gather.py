"""Reading the inputs of a consolidation: each file validated on its own, in worker processes.

Reading is the cost, so files are spread over processes behind the standard
``concurrent.futures.Executor`` (a process pool sized to the cores by default; any executor with
``map`` will do). A worker hands back an :class:`Entry`: the verdict and the input cells of one
report as a tuple, never the report with its locations and text, so that what the parent holds
per file stays small and the batch's memory grows only by that.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import traceback
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .. import logs
from ..actions import batch
from ..actions.validation import validate_file
from ..core import prior, similarity
from ..core.findings import Severity
from ..core.formats import GB2021
from ..core.gb2021 import SCHEMA, CellKey
from ..core.indicators import INDICATORS
from ..core.model import Invalid, Number, Report, Value, is_number
from ..core.text_rules import TextCopied
from ..errors import InputError, Message, XlgbreportError
from . import charts, scheduler
from . import members as summary_members

#: The cells a consolidation sums: every input cell; the totals follow from them.
INPUT_KEYS: tuple[CellKey, ...] = tuple(k for k in SCHEMA.keys if not SCHEMA.is_derived(k))
PROBLEMS_KEPT = 3  # problems named per file on the 汇总状态 sheet; the rest are counted
OTHER_FORMAT = Message("consolidate.other_format", "是 {format} 格式的报告，不能与本模板（国办公开办函〔2021〕30号）的报告汇总")
#: ``log``: where the traceback went (``logs.see``), "" when nowhere.
INTERNAL = Message("consolidate.internal", "读取时出现内部错误（{error}）{log}，请把此文件发给维护人员")
NO_DASK = Message("consolidate.no_dask", "--scheduler 需要 dask.distributed：pip install 'xlgbreport[cluster]'")
#: ``log``: where the traceback went (``logs.see``), "" when nowhere.
NO_SCHEDULER = Message("consolidate.no_scheduler", "无法连接 dask 调度器 {address}（{error}）{log}")
NO_WORKERS = Message("consolidate.no_workers", "dask 调度器 {address} 在 {seconds:g} 秒内没有可用的工作节点，没有发送任务")
SCHEDULER_LOST = Message("consolidate.scheduler_lost", "dask 集群读取时出错（{error}）{log}：汇总未完成")
#: Below this many files the pool's start-up costs more than it saves.
POOL_FROM = batch.POOL_FROM
_DASK = {"distributed", "dask", "tornado"}  # packages whose errors mean the cluster failed
CHUNK = 16  # files per task sent to a worker: fewer round trips, still an even spread


@dataclass(frozen=True, slots=True)
class Entry:
    """One input as the consolidation needs it: who, which year, its verdict and its cells."""

    path: str
    org: str | None = None
    year: int | str | None = None  # a year that is not a number keeps its text
    error: str | None = None  # why it cannot be used at all, in Chinese
    errors: int = 0
    warnings: int = 0
    problems: tuple[str, ...] = ()
    #: INPUT_KEYS' values and the report's ``Measures``, pickled and deflated (``pack``): about
    #: 400 bytes a file instead of ~3 KiB as tuples of numbers, since the parent holds every
    #: entry until the last file is read. ``values`` and ``measures`` unpack it.
    packed: bytes | None = None
    digest: str = ""  # of org, year and values as numbers: identical copies share it
    error_code: str | None = None  # the error's stable code (``file.corrupt``), with ``error``
    prose: bytes = b""  # sections 一, 五, 六 as sentence fingerprints (``copies``), not their text
    members: tuple[tuple[str, str], ...] | None = None  # a consolidated workbook's (org, digest)s
    explained: int = 0  # warnings with a 核实说明 (``warnings`` counts the open ones)

    @property
    def readable(self) -> bool:
        return self.error is None and self.packed is not None

    @property
    def values(self) -> tuple[Value, ...] | None:
        """INPUT_KEYS' values (unpacked on each use: the sums and a few sheets read them once)."""
        return _unpack(self.packed)[0] if self.packed is not None else None

    @property
    def measures(self) -> Measures | None:
        """What the 指标 and 图表 sheets show of it, worked out in the worker that read it."""
        return _unpack(self.packed)[1] if self.packed is not None else None

    def report(self) -> Report:
        """The input cells as a report (totals computed), for the indicators and the sums."""
        return Report(org=self.org, year=self.year if isinstance(self.year, int) else None,
                      cells=dict(zip(INPUT_KEYS, self.values or (), strict=False)))


@dataclass(frozen=True, slots=True)
class Measures:
    """One report's indicators, their denominators and its chart figures: computed where the
    file is read (a worker), so the parent, which sums after the last file, has none to do."""

    indicators: tuple[Number | None, ...]  # INDICATORS' values
    bases: tuple[Number | None, ...]  # INDICATORS' denominators (None for a count)
    figures: tuple[Number | None, ...]  # charts.figures


def pack(values: tuple[Value, ...]) -> bytes:
    """``Entry.packed``: the values and their ``measure``, pickled (a small int in two bytes)
    and deflated at zlib's fastest level (the repeated Decimal and tuple codes shrink most)."""
    report = Report(cells=dict(zip(INPUT_KEYS, values, strict=True)))
    return zlib.compress(pickle.dumps((values, measure(report)), protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(packed: bytes) -> tuple[tuple[Value, ...], Measures]:
    return pickle.loads(zlib.decompress(packed))  # noqa: S301 - written by ``pack`` in a worker of ours


def measure(report: Report) -> Measures:
    """The measures of a report's input cells (its totals computed from them, as summed)."""
    view = report.computed()  # every total computed once, for all the indicators
    return Measures(tuple(i.value(view) for i in INDICATORS), tuple(i.base(view) for i in INDICATORS),
                    charts.figures(view))


def read_one(path: str | Path) -> Entry:
    """Read and check one file. Never raises: a file that breaks the reader is one entry
    saying so, and the batch goes on."""
    try:
        return _read(Path(path))
    except Exception as exc:  # one bad file never stops a batch
        logged = logs.record(exc, f"consolidate read {path}")
        return Entry(str(path), error=f"{Path(path).name}：" + INTERNAL.format(
            error=type(exc).__name__, log=logs.see(logged)), error_code=INTERNAL.code)


def _read(path: Path) -> Entry:
    result = validate_file(path)
    report = result.report
    if result.error_code is not None or report is None:
        return Entry(str(path), error=result.error_message or "", error_code=result.error_code)
    year = report.year.raw if isinstance(report.year, Invalid) else report.year
    if report.format is not GB2021:
        return Entry(str(path), report.org, year,
                     error=f"{path.name}：" + OTHER_FORMAT.format(format=report.format.source),
                     error_code=OTHER_FORMAT.code)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    warnings, explained = result.warning_counts
    shown = (errors or list(result.findings))[:PROBLEMS_KEPT]
    values = tuple(report.cells.get(k) for k in INPUT_KEYS)
    same = tuple(Decimal(v).normalize() if is_number(v) else v for v in values)  # 0 == 0.0000
    digest = hashlib.sha256(repr((prior.normalise(report.org), year, same)).encode()).hexdigest()
    members = summary_members.read(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else None
    prose = similarity.fingerprints((report.text.get(s) for s in TextCopied.SECTIONS), (report.org,))
    return Entry(str(path), report.org, year, None, len(errors), warnings,
                 tuple(f"{f.ref} {f.shown}" for f in shown), pack(values), digest, members=members,
                 explained=explained, prose=prose)


@contextmanager
def cluster(address: str, timeout: float = scheduler.CONNECT_SECONDS) -> Iterator[Executor]:
    """A dask.distributed cluster's executor (the ``cluster`` extra), for a province or a
    national inspection: the same ``read_one`` on its workers, which must see the same paths.
    The address is checked and the scheduler greeted first (``scheduler``); whatever dask
    raises after that, connecting or reading, is one line, its traceback in the log."""
    where = scheduler.check_address(address)
    timeout = scheduler.check_timeout(timeout)
    try:
        from distributed import Client
    except ImportError:
        raise InputError(None, NO_DASK) from None
    if where is not None:
        scheduler.greet(address, *where, timeout)
    try:
        client = Client(address, timeout=timeout)
    except Exception as exc:  # dask's own errors are many and undocumented
        raise InputError(None, NO_SCHEDULER, address=address, error=type(exc).__name__,
                         log=_logged(exc, address)) from None
    try:  # with no worker, the first file would wait for ever
        client.wait_for_workers(1, timeout=timeout)
    except Exception:
        client.close()
        raise InputError(None, NO_WORKERS, address=address, seconds=timeout) from None
    try:
        yield client.get_executor()
    except XlgbreportError:
        raise
    except Exception as exc:
        if not _from_dask(exc):
            raise
        raise InputError(None, SCHEDULER_LOST, address=address, error=type(exc).__name__,
                         log=_logged(exc, address)) from None
    finally:
        client.close()


def _logged(exc: Exception, address: str) -> str:
    """Where a cluster's error went: its traceback logged, the log named (``logs.see``)."""
    return logs.see(logs.record(exc, f"consolidate scheduler {address}"))


def _from_dask(exc: BaseException) -> bool:
    """Raised in the cluster's code (a lost scheduler, a closed connection, a cancelled task),
    not in this package's own summing or writing: some frame of its traceback is dask's."""
    if type(exc).__module__.split(".")[0] in _DASK:
        return True
    return any(_DASK & set(Path(frame.f_code.co_filename).parts)
               for frame, _ in traceback.walk_tb(exc.__traceback__))


def read_all(paths: Iterable[str | Path], executor: Executor | None = None) -> Iterator[Entry]:
    """Every file's entry, in the order given. Without ``executor``, a process pool sized to
    the cores reads a batch of at least ``POOL_FROM`` files; a smaller one is read here."""
    names = [str(p) for p in paths]
    if executor is not None:
        yield from executor.map(read_one, names, chunksize=CHUNK)
        return
    workers = os.cpu_count() or 1
    if len(names) < POOL_FROM or workers == 1:
        yield from map(read_one, names)
        return
    yield from _pooled(names, workers)


def _pooled(names: list[str], workers: int) -> Iterator[Entry]:
    return batch.pooled(read_one, names, workers, _crashed, chunk=CHUNK)


def _crashed(name: str) -> Entry:
    return Entry(name, error=f"{Path(name).name}：{batch.CRASHED}", error_code=batch.CRASHED.code)
