"""``read`` and ``write`` for the front door: one report in, one report out, by the file's kind."""

from __future__ import annotations

from pathlib import Path

from .actions import sources
from .core.model import Report
from .files import atomic, interchange
from .workbook import writer as workbook_writer


def read(path: str | Path) -> Report:
    """The report in a workbook (judged by its content) or an interchange JSON file.

    Raises :class:`~xlgbreport.errors.InputError` with a Chinese message when it cannot be read."""
    return sources.load(Path(path))


def write(report: Report, path: str | Path, *, force: bool = False) -> Path:
    """Write ``report`` as interchange JSON (``.json``) or as a filled template workbook.

    Never overwrites an existing file unless ``force``; the write is atomic (``files.atomic``)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        atomic.write_text(path, interchange.dumps(report) + "\n", replace=force)
    else:
        workbook_writer.write(path, report, replace=force)
    return path
