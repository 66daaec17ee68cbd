"""A published report as its readers hand it to the parser: lines of cells, each with its place.

Every input kind (web page, Word, PDF, text) comes down to this, so the parser never knows which
file it reads. A table row is one line whose cells are the row's cells; a paragraph is one line
of one cell; a text line's tab-separated fields are its cells.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One line of the source: ``number`` is where a clerk finds it (see :class:`Document`)."""

    number: int
    cells: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\t".join(self.cells)


@dataclass(frozen=True)
class Recognised:
    """One table cell read by OCR: ``line`` and ``cell`` (index) place it in the Document;
    ``given`` is what the parser was given ("" for a blank or a cell to check); ``status`` is
    ``text``, ``number``, ``fixed`` (a number after O→0 or l→1), ``check`` or ``empty``."""

    line: int
    cell: int
    page: int
    box: tuple[int, int, int, int]
    read: str
    confidence: float
    given: str
    status: str
    crop: bytes  # PNG

    @property
    def number(self) -> bool:
        return self.status in ("number", "fixed", "check")


@dataclass(frozen=True)
class Document:
    """What a reader read. ``kind`` is html, docx, pdf, txt or md; ``number`` of each line is the
    line of the text file, of the HTML source, of the PDF's extracted text (pages in order), or
    the paragraph or table row of a Word body (counted from 1 in document order). A scan read by
    OCR is a ``pdf`` whose ``recognised`` holds each table cell as it was read."""

    source: str
    kind: str
    lines: tuple[Line, ...]
    titles: tuple[str, ...] = ()  # what the file names itself outside its text: a page's <title>
    recognised: tuple[Recognised, ...] = ()
