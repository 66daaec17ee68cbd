"""A log file for what goes wrong inside Excel: a cell or a message box has room for one line.

The functions and the buttons catch every exception so a clerk never sees a traceback; without
this file the traceback would be lost. It is written to the user's local application-data
folder (``%LOCALAPPDATA%`` on Windows), which needs no rights and is not synced like a roaming
profile; the clerk's line names the file, so the maintainer can ask for it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from logging.handlers import RotatingFileHandler
from pathlib import Path

NAME = "xlgbreport.log"
SEE = "，详情已记入 {path}"  # appended to a clerk's one-line message
MAX_BYTES = 1024 * 1024  # a year of rare failures fits; the file never grows without bound
BACKUPS = 1
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_handler: RotatingFileHandler | None = None


def log_dir(env: Mapping[str, str] = os.environ, platform: str = sys.platform,
            home: Path | None = None) -> Path:
    """The per-user local folder for the log: never roaming, never needing admin rights."""
    home = home or Path.home()
    if platform.startswith("win"):
        base = env.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "xlgbreport"
    if platform == "darwin":
        return home / "Library" / "Logs" / "xlgbreport"
    return Path(env.get("XDG_STATE_HOME") or home / ".local" / "state") / "xlgbreport"


def log_path() -> Path:
    return log_dir() / NAME


def record(logger: logging.Logger, what: str) -> str:
    """Log the exception being handled, with its traceback, to the file; return the clerk's
    hint that names the file, or "" where no file can be written (xlwings Lite, a full disk)."""
    handler = _file_handler()
    if handler is None:
        return ""
    logger.addHandler(handler)
    try:
        logger.error("%s failed", what, exc_info=True)
    finally:
        logger.removeHandler(handler)
    return SEE.format(path=handler.baseFilename)


def _file_handler() -> RotatingFileHandler | None:
    global _handler
    path = log_path()
    if _handler is not None and Path(_handler.baseFilename) == path.resolve():
        return _handler
    if sys.platform == "emscripten":  # xlwings Lite: the browser has no folder of the user's
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                      encoding="utf-8", delay=False)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    if _handler is not None:
        _handler.close()
    _handler = handler
    return handler
