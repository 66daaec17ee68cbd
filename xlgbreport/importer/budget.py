"""A time and memory budget per imported file, enforced in a child process.

The readers bound what a file may cost before a library allocates (:mod:`.limits`), but a
parser can still spend minutes in C code (lxml, pdfminer, a regular expression) where no
Python check runs. So each file is read in a forked child with ``RLIMIT_AS`` (memory) and
``RLIMIT_CPU`` (processor time) set, watched by the parent against a wall-clock deadline: a
file that runs out is killed and becomes one line, and the batch goes on. In a batch the
child is forked by the pool's worker, so the worker survives the file.

Where ``os.fork`` does not exist (Windows) the file is read in this process, bounded by the
readers' limits only.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import Message

T = TypeVar("T")

SECONDS = 20.0  # wall clock and processor time per file: a real report takes under 2 s
MEMORY = 1536 * 1024 * 1024  # address space per file's child: a bomb ends as one line
TIMED_OUT = Message("import.timed_out", "处理超时（超过 {n} 秒），已跳过")
OUT_OF_MEMORY = Message("import.out_of_memory", "处理所需内存过多（超过 {n} MB），已跳过")
_GRACE = 1.0  # seconds past the CPU limit before the soft limit's SIGXCPU turns into SIGKILL


@dataclass(frozen=True)
class Budget:
    """What one file may cost: ``seconds`` of wall clock and of processor time, ``memory``
    bytes of address space beyond what the reading child inherits."""

    seconds: float = SECONDS
    memory: int = MEMORY


BUDGET = Budget()


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """The child's result, or why there is none (``timed_out``, ``out_of_memory``, ``crashed``),
    and the child's peak resident memory in bytes (0 when not measured)."""

    value: T | None = None
    timed_out: bool = False
    out_of_memory: bool = False
    crashed: bool = False
    peak: int = 0


def within(work: Callable[[], T], budget: Budget = BUDGET) -> Outcome[T]:
    """``work()`` in a forked child under ``budget``. ``work`` must not raise; a ``MemoryError``
    it lets through is ``out_of_memory``."""
    if not hasattr(os, "fork"):
        try:
            return Outcome(work())
        except MemoryError:
            return Outcome(out_of_memory=True)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(work, budget, write_end)
    os.close(write_end)
    try:
        data, timed_out = _drain(read_end, budget.seconds + _GRACE)
    finally:
        os.close(read_end)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    if timed_out or os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        return Outcome(timed_out=True, peak=peak)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) not in (0, _NO_MEMORY) or not data:
        return Outcome(crashed=True, peak=peak)
    if os.WEXITSTATUS(status) == _NO_MEMORY:
        return Outcome(out_of_memory=True, peak=peak)
    return Outcome(pickle.loads(data), peak=peak)


_NO_MEMORY = 3  # the child's exit status when work ran out of memory


def _child(work: Callable[[], T], budget: Budget, out: int) -> None:
    """Run ``work`` under the limits, write its pickled result to ``out``, exit without
    running the parent's exit handlers."""
    import resource  # POSIX only, as fork is

    status = 0
    try:
        cpu = max(1, int(budget.seconds + 0.999))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        memory = _address_space() + budget.memory  # on top of what the fork inherits
        memory = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
        try:
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data, status = b"-", _NO_MEMORY
        view = memoryview(data)
        while view:
            view = view[os.write(out, view):]
    except BaseException:  # noqa: BLE001 - the parent says "crashed"; nothing here may escape
        status = 1
    finally:
        os._exit(status)


def _address_space() -> int:
    """This process's address space in bytes (Linux), 0 where it cannot be read: a forked child
    starts with its parent's, which a large host process (a test run, a server) makes large."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _drain(fd: int, seconds: float) -> tuple[bytes, bool]:
    """All ``fd`` holds until its writer closes it, and whether ``seconds`` ran out first."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", True
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return b"", True
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
