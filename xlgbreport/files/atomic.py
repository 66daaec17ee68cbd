"""The one way xlgbreport writes a file: whole or not at all, never over what it must keep.

Every writer (new workbooks, JSON, carry-forward, the Markdown draft) goes through here:

- the new content goes to a temporary file beside the target, ``.NAME.<8 hex>.tmp``, which is
  renamed over the target only when complete (``os.replace``: a killed run leaves the old file
  or the new one, never half of either); a run killed before the rename leaves its temporary
  file, and the next write of the same file removes it;
- writes of one file are serialised by a lock file ``.NAME.lock`` held with the operating
  system's file lock, through filelock (released by the kernel when a process dies, so a killed
  run never blocks the next); a second run while one holds it is refused, not queued;
- a new file gets the permissions the umask gives (the temporary file is created with 0666 and
  the umask applied, as any program's output); a replaced file keeps its own;
- without ``overwrite`` an existing file (or a link, even a broken one) is refused, and the check
  is the rename itself (a hard link, which fails if the name exists), not a look beforehand;
- a target that is a symbolic link is written through: the file it points to is replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from .. import errors
from ..errors import Message, OutputError

BUSY = Message("output.busy", "正由另一个 xlgbreport 进程写入，请等它结束后再试")
FOLDER_READ_ONLY = Message("output.folder_read_only", "无法写入：所在文件夹 {folder} {reason}")
IN_USE = Message("output.in_use", "正被其他程序使用，无法写入：请先在 Excel/WPS 中关闭它再试")
BACKUP_SUFFIX = ".bak"
#: Windows' "another process has the file open" (sharing and lock violations).
_IN_USE_WINERRORS = {32, 33}
#: Link errors that mean "this file system has no hard links", not "the name is taken".
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS,
             errno.EINVAL}


def temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")


def lock_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def stale_temps(target: Path) -> list[Path]:
    """Temporary files of earlier writes of ``target`` (this module's names, and the mkstemp
    names of earlier versions: ``.NAME.XXXXXXXX.tmp`` and ``.NAME.bak.XXXXXXXX.tmp``)."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"(?:bak\.)?[A-Za-z0-9_]{8}\.tmp")
    try:
        names = os.listdir(target.parent or ".")
    except OSError:
        return []
    return [target.with_name(n) for n in names if pattern.fullmatch(n)]


def real_path(path: Path) -> Path:
    """The file a path names, through symbolic links (a link is written through, not replaced)."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold the write lock of ``target`` (refused with :data:`BUSY` when another run holds it);
    temporary files a killed run left are removed once the lock is held."""
    from filelock import FileLock, Timeout  # here: a command that writes nothing does not pay for it

    folder = lock_name(target).parent
    try:  # filelock would make a missing folder, or say "exists" where a file stands in the way
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
        # filelock retries a lock file it cannot make until its timeout, then says "busy": a
        # folder that refuses new files (/proc, read-only) is said here, as such
        os.close(os.open(lock_name(target), os.O_WRONLY | os.O_CREAT, 0o666))
    except OSError as exc:
        raise _write_error(target, exc) from None
    lock = FileLock(lock_name(target), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputError(target, BUSY) from None
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        for stale in stale_temps(target):
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:  # the name goes first (filelock keeps it on POSIX): a run that opened it and
        # locks it now finds its file unlinked and is refused (filelock 4 checks)
        with contextlib.suppress(OSError):
            lock_name(target).unlink()
        lock.release()


def write(target: str | Path, fill: Callable[[Path], object], *, overwrite: bool = False) -> None:
    """Write ``target`` with ``fill(temporary_path)``, atomically, under the lock.

    Without ``overwrite`` an existing ``target`` is refused (:data:`errors.OUTPUT_EXISTS`)."""
    target = Path(target)
    if overwrite:
        target = real_path(target)
    elif os.path.lexists(target):
        raise OutputError(target, errors.OUTPUT_EXISTS)
    with locked(target):
        commit(target, fill, overwrite=overwrite)


def write_text(target: str | Path, text: str, *, overwrite: bool = False) -> None:
    write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"), overwrite=overwrite)


def commit(target: Path, fill: Callable[[Path], object], *, overwrite: bool) -> None:
    """The write itself, for a caller already holding :func:`locked` (carry-forward reads and
    writes under one lock)."""
    tmp = temp_name(target)
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask applies
        fill(tmp)
        if overwrite and target.exists():
            shutil.copymode(target, tmp)
        _sync(tmp)
        if overwrite:
            os.replace(tmp, target)
        else:
            place(tmp, target)
        _sync_folder(target.parent)
    except OSError as exc:
        raise _write_error(target, exc) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def backup(target: Path) -> Path:
    """Keep a copy of ``target`` as it is now under the first free name of ``NAME.bak``,
    ``NAME.2.bak``, ``NAME.3.bak`` …: an earlier backup (the original) is never replaced.
    For a caller holding :func:`locked`."""
    tmp = temp_name(target)
    try:
        shutil.copy2(target, tmp)
        _sync(tmp)
        number = 1
        while True:
            name = backup_name(target, number)
            try:
                place(tmp, name)
                return name
            except OutputError:  # taken: the next number
                number += 1
    except OSError as exc:
        raise _write_error(target, exc) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def backup_name(target: Path, number: int = 1) -> Path:
    """``NAME.bak`` for the first backup, ``NAME.<n>.bak`` after it (never a workbook suffix)."""
    middle = "" if number == 1 else f".{number}"
    return target.with_name(f"{target.name}{middle}{BACKUP_SUFFIX}")


def place(tmp: Path, target: Path) -> None:
    """Give the complete file ``tmp`` the name ``target``, which must not exist."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise OutputError(target, errors.OUTPUT_EXISTS) from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if os.path.lexists(target):  # no hard links here: the lock keeps our own runs apart
            raise OutputError(target, errors.OUTPUT_EXISTS) from None
        os.replace(tmp, target)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut (POSIX; Windows cannot open a folder)."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_error(target: Path, exc: OSError) -> OutputError:
    """Why a write failed, for a clerk: a folder that refuses new files is named as such."""
    if getattr(exc, "winerror", None) in _IN_USE_WINERRORS:
        return OutputError(target, IN_USE)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) and not _folder_writable(target):
        return OutputError(target, FOLDER_READ_ONLY, folder=target.parent,
                          reason=errors.os_reason(exc))
    return OutputError(target, errors.WRITE_FAILED, detail=errors.os_reason(exc))


def _folder_writable(target: Path) -> bool:
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = folder.stat().st_mode
    except OSError:
        return False
    return os.access(folder, os.W_OK) and bool(mode & stat.S_IWUSR)
