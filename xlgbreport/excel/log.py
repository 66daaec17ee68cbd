"""What goes wrong inside Excel, logged: a cell or a message box has room for one line.

The functions and the buttons catch every exception so a clerk never sees a traceback; the
traceback goes to the package's log file (:mod:`xlgbreport.logs`), and the clerk's line names it
so the maintainer can ask for it.
"""

from __future__ import annotations

import sys

from .. import logs


def record(what: str) -> str:
    """Log the exception being handled, as ``"<what> failed"``; the clerk's hint naming the log
    file, or "" where none can be written (xlwings Lite, a full disk)."""
    exc = sys.exc_info()[1]
    return logs.see(logs.record(exc, what)) if exc is not None else ""
