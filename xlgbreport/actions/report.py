"""The report drafted from the numbers, written beside its workbook by the button 生成报告 (which
writes the Word report of ``render`` beside it the same way, through :func:`write_beside`).

The draft is the clerk's to revise, so a draft already there with other content is never
replaced: the new one gets the next free name (``NAME_报告（2）.md`` …) and the message says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import errors
from ..core import narrative
from ..core.model import Report
from ..errors import InputError, OutputError
from ..files import atomic
from . import prior_source

SUFFIX = "_报告"
EXTENSION = ".md"


@dataclass(frozen=True)
class Draft:
    """Where the draft is, and the earlier draft kept because it differs (None if none)."""

    path: Path
    kept: Path | None = None


def draft_name(workbook: Path, number: int = 1, extension: str = EXTENSION) -> Path:
    middle = "" if number == 1 else f"（{number}）"
    return workbook.with_name(f"{workbook.stem}{SUFFIX}{middle}{extension}")


def write_draft(workbook: Path, this: Report) -> Draft:
    """Write the Markdown draft of ``this`` beside ``workbook`` (compared with last year's
    where the 封面 names it; the draft does not need it)."""
    try:
        last = prior_source.resolve(this, workbook, None, [])
    except InputError:
        last = None
    text = narrative.markdown(this, last)
    return write_beside(workbook, EXTENSION, lambda tmp: tmp.write_text(text, encoding="utf-8"),
                        lambda path: _holds(path, text))


def write_beside(workbook: Path, extension: str, fill: Callable[[Path], object],
                 holds: Callable[[Path], bool]) -> Draft:
    """Write ``NAME_报告.EXT`` beside ``workbook`` with ``fill``, or under the next free name
    when that file exists and ``holds`` says it has other content (a revision is kept)."""
    number = 1
    while True:
        target = draft_name(workbook, number, extension)
        if holds(target):
            break
        try:
            atomic.write(target, fill)
            break
        except OutputError as exc:
            if exc.code != errors.OUTPUT_EXISTS.code:
                raise
        number += 1
    return Draft(target, draft_name(workbook, 1, extension) if number > 1 else None)


def _holds(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False
