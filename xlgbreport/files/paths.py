"""Reading what a path names without trusting it: only a regular file is read.

A path may come from a workbook (the 封面 上年工作簿 field), so it may name a FIFO, a device
such as ``/dev/stdin``, a socket or a link loop. The file is opened without blocking and
judged by ``fstat`` on that open descriptor, so nothing is waited on and nothing can be
swapped in between the check and the read. Every refusal is an :class:`InputError`.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .. import errors
from ..errors import InputError, os_reason

_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_BINARY", 0))


def read_regular(path: Path, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of the regular file ``path``, and its size."""
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise InputError(path, errors.NOT_FOUND) from None
    except OSError as exc:
        raise InputError(path, errors.READ_FAILED, detail=os_reason(exc)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(path, errors.READ_FAILED, detail=errors.OS_REASONS[errno.EISDIR])
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, errors.NOT_REGULAR)
        chunks, left = [], min(info.st_size, limit) + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks), info.st_size
    except OSError as exc:
        raise InputError(path, errors.READ_FAILED, detail=os_reason(exc)) from None
    finally:
        os.close(fd)


def is_dir(path: Path) -> bool:
    """Whether ``path`` is a folder; False when the system will not say (reading it will)."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
