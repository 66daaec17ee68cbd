"""Work over many files in a process pool, in order, where one file that kills its worker costs
only itself: shared by validate, consolidate and import."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from ..errors import Message

T = TypeVar("T")
#: Fewer files are read in this process: starting workers costs more than they save.
POOL_FROM = 8
CRASHED = Message("batch.crashed", "读取它的进程意外退出（文件可能已损坏或构造异常），已跳过")
CHUNK = 16  # files per task sent to a worker: fewer round trips, still an even spread


def pooled(work: Callable[[str], T], names: list[str], workers: int, crashed: Callable[[str], T],
           chunk: int = CHUNK) -> Iterator[T]:
    """``work`` over ``names`` in a process pool, in order . A
    worker that dies (a file that crashes a library) breaks the pool: the file next in line is
    then read alone, in a pool of its own, to tell whether it is the culprit (``crashed`` says
    so) or innocent, and a new pool reads the rest."""
    i = 0
    while i < len(names):
        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for result in pool.map(work, names[i:], chunksize=chunk):
                    i += 1
                    yield result
        except BrokenProcessPool:
            yield _alone(work, names[i], crashed)
            i += 1


def _alone(work: Callable[[str], T], name: str, crashed: Callable[[str], T]) -> T:
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(work, name).result()
    except BrokenProcessPool:
        return crashed(name)
