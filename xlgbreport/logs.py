"""The package's one logger, and one log file where nothing unexpected vanishes.

A clerk sees one Chinese line; the maintainer needs the traceback. Every catch-all (the command
line's last guard, the Excel functions and buttons, one bad file in a batch) calls :func:`record`,
which appends the traceback to ``xlgbreport.log`` in the user's log folder (platformdirs: on
Windows ``%LOCALAPPDATA%\\xlgbreport\\Logs``, local, never roaming, no admin rights) and returns the
file's path, which the clerk's line names (:func:`see`). ``XLGBREPORT_LOG_DIR`` names another
folder (the tests' own). The file rotates, so it never grows without bound, and the processes of
a pool append to it under a file lock. No folder to write to (xlwings Lite, a full disk) means no
log, never a second error.

Everything else the package logs (the fast reader's fallbacks, at INFO) goes to the logger
``xlgbreport``, silent unless an application listens or ``--debug`` / ``XLGBREPORT_DEBUG=1``
shows it, tracebacks included, on stderr. Imports nothing of the package: every layer uses it.
"""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

log = logging.getLogger("xlgbreport")
log.addHandler(logging.NullHandler())  # a library's logger: silent until someone listens

NAME = "xlgbreport.log"
MAX_BYTES = 256 * 1024  # years of rare failures fit in the file and its copies
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_DIR = "XLGBREPORT_LOG_DIR"
DEBUG = "XLGBREPORT_DEBUG"
LOCK_SECONDS = 5  # another process writing its traceback: wait for it, then give up quietly
#: Appended to a clerk's one-line message.
SEE = "，详情已记入 {path}"


def log_dir() -> Path:
    """The user's own log folder, or ``XLGBREPORT_LOG_DIR`` when set."""
    own = os.environ.get(LOG_DIR)
    if own:
        return Path(own)
    import platformdirs  # only when a failure is logged: not a cost of every start

    return Path(platformdirs.user_log_dir("xlgbreport", appauthor=False))


def debugging() -> bool:
    """``XLGBREPORT_DEBUG`` is set (to anything but 0)."""
    return os.environ.get(DEBUG, "") not in ("", "0")


class _Stderr(logging.StreamHandler[TextIO]):
    """stderr as it is when a record is shown, not when the handler was made (click's test
    runner and pytest swap it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def show_on_stderr(on: bool = True) -> None:
    """Show every record of the package, tracebacks included, on stderr (``--debug``)."""
    for handler in [h for h in log.handlers if isinstance(h, _Stderr)]:
        log.removeHandler(handler)
    if on:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter(FORMAT))
        log.addHandler(handler)
    log.setLevel(logging.DEBUG if on else logging.NOTSET)


def record(exc: BaseException, context: str) -> Path | None:
    """Log ``exc`` with its traceback, as ``"<context> failed"``, to the log file (and to whoever
    listens to the package logger); the file's path, or None where none could be written."""
    if debugging() and not any(isinstance(h, _Stderr) for h in log.handlers):
        show_on_stderr()
    entry = log.makeRecord(log.name, logging.ERROR, __file__, 0, "%s failed", (context,),
                           (type(exc), exc, exc.__traceback__))
    path = _append(entry)
    if log.isEnabledFor(logging.ERROR):
        log.handle(entry)
    return path


def see(path: Path | None) -> str:
    """The clerk's hint naming the log file: "" when there is none."""
    return SEE.format(path=path) if path is not None else ""


class _Raising(RotatingFileHandler):
    """A handler whose failures reach :func:`_append` (logging would print them on stderr)."""

    def handleError(self, record: logging.LogRecord) -> None:
        raise  # called by emit() inside its except clause: the error being handled


def _append(entry: logging.LogRecord) -> Path | None:
    if sys.platform == "emscripten":  # xlwings Lite: the browser has no folder of the user's
        return None
    try:
        from filelock import FileLock

        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / NAME
        with FileLock(folder / f"{NAME}.lock", timeout=LOCK_SECONDS):
            handler = _Raising(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
                               delay=True)
            handler.setFormatter(logging.Formatter(FORMAT))
            try:
                handler.handle(entry)
            finally:
                handler.close()
        return path.resolve()
    except Exception:  # no log is better than a second error on a clerk's screen
        return None
