"""Reading what a path names without trusting it: only a regular file is read.

A path may come from a workbook (the 封面 上年工作簿 field), so it may name a FIFO, a device
such as ``/dev/stdin``, a socket or a link loop. The file is opened without blocking and
judged by ``fstat`` on that open descriptor, so nothing is waited on and nothing can be
swapped in between the check and the read. Every refusal is an :class:`InputError`.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from .. import errors
from ..errors import InputError, Message, OutputError, os_reason

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


# --- Output paths (issue 21): one line for every problem, never over an input -------------------
NOT_A_FOLDER = Message("output.not_a_folder", "应为输出文件夹，但已有同名文件：请换一个文件夹名")
LOOKS_LIKE_FILE = Message("output.looks_like_file",
                          "输出有多份，应给文件夹，但“{name}”像文件名（{suffix}）：请给文件夹名，或以 / 结尾")
#: What a side file (a list of bodies, last year's folder list) may hold at most.
LIST_LIMIT = 1 << 20
LIST_TOO_BIG = Message("file.list_too_big", "过大（超过 {limit}），不像一份名单，没有读取")


def means_folder(given: str | os.PathLike[str]) -> bool:
    """Whether an output as typed names a folder: it ends with a separator (``-o DIR/``), or is
    one. A ``Path`` drops the separator, so callers pass the text as given."""
    text = os.fspath(given)
    seps = (os.sep, os.altsep) if os.altsep else (os.sep,)
    return text.endswith(seps) or is_dir(Path(text))


def output_folder(folder: Path, *, explicit: bool = False) -> Path:
    """Make the output folder ``folder`` (and its parents); every refusal is one
    :class:`OutputError`. A missing folder whose name has a suffix (``out.csv``) is refused, not
    made, unless the clerk said it is a folder (``explicit``: a trailing separator)."""
    if not explicit and not is_dir(folder) and folder.suffix:
        raise OutputError(folder, LOOKS_LIKE_FILE, name=shown(folder.name), suffix=folder.suffix)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(folder, NOT_A_FOLDER) from None
    except (OSError, ValueError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else errors.OS_REASONS[errno.ENOENT]
        raise OutputError(folder, errors.WRITE_FAILED, detail=reason) from None
    return folder


def refuse_input(output: Path, inputs: Iterable[Path | None]) -> None:
    """An output that is one of the command's own inputs (by name, link or hard link) is
    refused, with or without ``--force``: a failed run must never cost the clerk an input."""
    for given in inputs:
        if given is not None and same_file(output, given):
            raise OutputError(output, errors.SAME_AS_INPUT)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file; False when either is missing or unreadable."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def shown(text: str | os.PathLike[str]) -> str:
    """A file name fit to print or write into a sheet: bytes that are not UTF-8 (a folder
    unzipped from a GBK archive, kept by Python as lone surrogates) become ``\\xff`` escapes."""
    return _SURROGATE.sub(_escape, os.fspath(text))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


#: Characters no file name may hold on Windows or here, and controls.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
#: An org's part of a file name, in UTF-8 bytes: with 「_年度不明-9999.json」 (23 bytes) a name
#: stays under 120 bytes, and a temporary name made from it under the 255 of every file system.
NAME_BYTES = 90
#: Not shown, or shown other than written: controls (C0, C1), format characters (bidi overrides,
#: zero-width spaces), line and paragraph separators, surrogates, private and unassigned.
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
UNNAMED = "未识别机关"
#: Names Windows keeps for devices, whatever the extension: 「CON.docx」 cannot be made there.
_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                      *(f"LPT{i}" for i in range(1, 10))})


def safe_name(text: str | None) -> str:
    """An org name fit for a file name on any system: no separators, reserved characters,
    controls, bidi or zero-width characters, no leading dots, at most :data:`NAME_BYTES` bytes
    (cut between characters: a name of four-byte characters is cut by what it weighs)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _HIDDEN)
    text = _UNSAFE.sub("_", text).strip(" ._")
    text = text.encode("utf-8")[:NAME_BYTES].decode("utf-8", "ignore").rstrip(" .")
    if text.split(".")[0].upper() in _DEVICES:
        text = f"_{text}"
    return text or UNNAMED
