"""xlwings' per-user config file, the one place install.bat tells the add-in which Python to run.

The add-in's VBA (``Config.bas``, ``GetConfig``) looks for a setting in the active workbook's
``<project>.conf`` sheet, the add-in's own conf sheet, a ``<project>.conf`` file beside the
workbook, and last ``%USERPROFILE%\\.<project>\\<project>.conf``, where ``<project>`` is the
VBA's ``PROJECT_NAME``: ``xlgbreport`` for the county's add-in, ``xlwings`` for xlwings' own.
Functions (``XLPyCommand``) and buttons (``RunPython``) both read ``INTERPRETER_WIN`` so, and
the DLL is loaded beside it (``XLPyLoadDLL``). Without it they run whatever ``pythonw`` and
``python`` PATH gives, which may be two different installations.

The file is read by VBA's ``Input #``: one ``"KEY","value"`` line per setting, in the system's
ANSI code page (GBK on Chinese Windows), not UTF-8. The value is written with
``%LOCALAPPDATA%`` unexpanded where it can be (the VBA expands it), so a Chinese user name
never has to pass through that code page.
"""

from __future__ import annotations

import csv
import io
import locale
import os
import re
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath

from ..errors import Message, OutputError
from ..files import atomic

KEY = "INTERPRETER_WIN"
NOT_ENCODABLE = Message("excel.conf_not_encodable",
                        "Python 的路径 {path} 含有本机代码页（{encoding}）不能表示的字符，加载项读不出："
                        "请把 install.bat 装到只含英文字母的文件夹，如 install.bat C:\\xlgbreport")
_VARIABLE = re.compile(r"%([^%]+)%")
MAX_BYTES = 64 * 1024  # a config file is a few lines: more is not read
#: Folders written as a variable when the path lies under them, longest first.
PORTABLE = ("LOCALAPPDATA", "APPDATA", "USERPROFILE")


def path(project: str, home: str | Path) -> Path:
    """Where the add-in of ``project`` looks: ``<home>\\.<project>\\<project>.conf``."""
    return Path(home) / f".{project}" / f"{project}.conf"


def ansi() -> str:
    """The code page VBA reads text files in: Windows' ANSI code page (``locale.getencoding``
    is it there, e.g. ``cp936``); elsewhere only tests read these files."""
    return locale.getencoding()


def portable(interpreter: str, env: Mapping[str, str]) -> str:
    """``interpreter`` with a leading ``%LOCALAPPDATA%`` (or ``%APPDATA%``, ``%USERPROFILE%``)
    put back as the variable, which the add-in expands: the file then holds ASCII only."""
    target = PureWindowsPath(interpreter)
    for name in PORTABLE:
        folder = env.get(name)
        if folder and target.is_relative_to(PureWindowsPath(folder)):
            rest = target.relative_to(PureWindowsPath(folder))
            return f"%{name}%\\{rest}"
    return interpreter


def expand(value: str, env: Mapping[str, str]) -> str:
    """``%NAME%`` replaced as Windows does (names in any case); an unknown one stays."""
    upper = {k.upper(): v for k, v in env.items()}
    return _VARIABLE.sub(lambda m: upper.get(m.group(1).upper(), m.group(0)), value)


def read(file: Path, encoding: str | None = None) -> dict[str, str]:
    """The settings of a config file, keys upper-case as the add-in compares them; empty when
    there is no file or it cannot be read."""
    try:
        with file.open("rb") as handle:
            text = handle.read(MAX_BYTES).decode(encoding or ansi(), errors="replace")
    except OSError:
        return {}
    return {row[0].strip().upper(): row[1] for row in csv.reader(io.StringIO(text)) if len(row) >= 2}


def write(file: Path, interpreter: str, encoding: str | None = None) -> None:
    """Set ``INTERPRETER_WIN`` in ``file``, keeping every other line the user has there."""
    encoding = encoding or ansi()
    try:
        old = file.read_text(encoding=encoding).splitlines()
    except FileNotFoundError:
        old = []
    except (OSError, UnicodeDecodeError):
        old = []  # unreadable for the add-in as well: replaced
    kept = [line for line in old if line.strip() and _key(line) != KEY]
    text = "\r\n".join([*kept, f'"{KEY}","{interpreter}"']) + "\r\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        raise OutputError(file, NOT_ENCODABLE, path=interpreter, encoding=encoding) from None
    file.parent.mkdir(parents=True, exist_ok=True)
    atomic.write(file, lambda tmp: tmp.write_bytes(data), overwrite=True)


def configure(interpreter: str, project: str, *, env: Mapping[str, str] | None = None,
              encoding: str | None = None) -> Path:
    """install.bat's step: the add-in of ``project`` runs ``interpreter`` (``pythonw.exe`` of
    the virtual environment), for functions and buttons alike. Returns the file written."""
    env = os.environ if env is None else env
    file = path(project, env.get("USERPROFILE") or Path.home())
    write(file, portable(interpreter, env), encoding)
    return file


def _key(line: str) -> str:
    row = next(csv.reader([line]), [])
    return row[0].strip().upper() if row else ""
