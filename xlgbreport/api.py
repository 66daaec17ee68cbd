"""``read`` and ``write`` for the front door: one report in, one report out, by the file's kind."""

from __future__ import annotations

from pathlib import Path

from .core.model import Report
from .errors import OUTPUT_EXISTS, WRITE_FAILED, InputError, os_reason
from .files import interchange, sources, workbook_writer


def read(path: str | Path) -> Report:
    """The report in a workbook (judged by its content) or an interchange JSON file.

    Raises :class:`~xlgbreport.errors.InputError` with a Chinese message when it cannot be read."""
    return sources.load(Path(path))


def write(report: Report, path: str | Path, *, force: bool = False) -> Path:
    """Write ``report`` as interchange JSON (``.json``) or as a filled template workbook.

    Never overwrites an existing file unless ``force``; the write is atomic."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError(path, OUTPUT_EXISTS)
    if path.suffix.lower() == ".json":
        _write_text(path, interchange.dumps(report) + "\n")
    else:
        workbook_writer.write(path, report)
    return path


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(path, WRITE_FAILED, detail=os_reason(exc)) from None
