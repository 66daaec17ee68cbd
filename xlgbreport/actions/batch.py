"""Work over many files in a process pool, in order, where one file that kills its worker costs
only itself: shared by validate, consolidate and import.

Importing this module is cheap: ``multiprocessing`` is loaded when a pool first starts (by
``concurrent.futures``' lazy ``ProcessPoolExecutor``), which a small ``validate`` never does."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent import futures
from concurrent.futures import BrokenExecutor, Future
from typing import TypeVar

from ..errors import Message

T = TypeVar("T")
#: Fewer files are read in this process: starting workers costs more than they save.
POOL_FROM = 8
CRASHED = Message("batch.crashed", "读取它的进程意外退出（文件可能已损坏或构造异常），已跳过")
CHUNK = 16  # files per task sent to a worker at most: fewer round trips, still an even spread
SPREAD = 4  # tasks per worker at least, so that a small batch still reaches every worker
AHEAD = 4  # tasks per worker in flight: results wait for the caller only that far ahead


def pooled(work: Callable[[str], T], names: list[str], workers: int, crashed: Callable[[str], T],
           chunk: int = CHUNK) -> Iterator[T]:
    """``work`` over ``names`` in a process pool, in order. Only ``AHEAD`` tasks per worker are
    in flight, so a batch's memory stays flat however many files it has and however slowly the
    caller takes the results. A worker that dies (a file that crashes a library) breaks the
    pool: the file next in line is then read alone, in a pool of its own, to tell whether it is
    the culprit (``crashed`` says so) or innocent, and a new pool reads the rest."""
    chunk = max(1, min(chunk, len(names) // (workers * SPREAD)))
    i = 0
    while i < len(names):
        try:
            for result in _in_order(work, names[i:], workers, chunk):
                i += 1
                yield result
        except BrokenExecutor:  # a process pool's: BrokenProcessPool
            yield _alone(work, names[i], crashed)
            i += 1


def _in_order(work: Callable[[str], T], names: list[str], workers: int, chunk: int) -> Iterator[T]:
    """The results of one pool, in order, with at most ``AHEAD`` tasks per worker submitted."""
    tasks = (names[i:j] for i, j in _bounds(len(names), workers, chunk))
    pool = futures.ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent,
                                       initargs=(os.getpid(),))
    waiting: deque[Future[list[T]]] = deque()
    try:
        for task in tasks:
            waiting.append(pool.submit(_each, work, task))
            if len(waiting) >= workers * AHEAD:
                yield from waiting.popleft().result()
        while waiting:
            yield from waiting.popleft().result()
    finally:  # the caller stopped early, or a worker died: no work left queued
        pool.shutdown(wait=True, cancel_futures=True)


def _bounds(n: int, workers: int, chunk: int) -> Iterator[tuple[int, int]]:
    """Where each task starts and ends: ``chunk`` files, but a quarter of that for the last
    ``workers`` chunks' worth, so that the workers finish together (a worker left alone with
    a whole last chunk keeps the others' cores idle that long)."""
    tail = max(n - workers * chunk, 0)
    yield from ((i, min(i + chunk, tail)) for i in range(0, tail, chunk))
    small = max(1, chunk // 4)
    yield from ((i, min(i + small, n)) for i in range(tail, n, small))


def _each(work: Callable[[str], T], names: list[str]) -> list[T]:
    """One task in a worker: several files, one round trip."""
    return [work(name) for name in names]


def _alone(work: Callable[[str], T], name: str, crashed: Callable[[str], T]) -> T:
    try:
        with futures.ProcessPoolExecutor(max_workers=1, initializer=die_with_parent,
                                         initargs=(os.getpid(),)) as pool:
            return pool.submit(work, name).result()
    except BrokenExecutor:  # a process pool's: BrokenProcessPool
        return crashed(name)


def die_with_parent(parent: int) -> None:
    """Worker initializer: a worker ends when the command that started it does, even by SIGKILL
    (which leaves the pool no time to stop it), so that no orphan reads on for half an hour.
    On Linux the kernel sends it SIGKILL when the process that made it ends (``PR_SET_PDEATHSIG``);
    elsewhere on POSIX a thread watches ``parent``. Workers only read: nothing is left half
    written."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
        except (OSError, AttributeError):
            _watch(parent)
    elif sys.platform != "win32":
        _watch(parent)
    if os.getppid() != parent:  # the command died before the line above took effect: this worker
        os._exit(1)  # was handed to init already (a dead parent may linger as a zombie, still "there")


def _watch(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:  # a dead parent's workers are handed to init
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
