"""A Word document's lines: its body in document order, a paragraph or a table row per line.

A paragraph is one line; a tab in it separates cells, as in a text file, and a line break in it
is a space. A table row is one line of its cells as the XML writes them: a cell merged across
columns (``gridSpan``) is one ``<w:tc>`` and appears once; a vertical-merge continuation cell
(``<w:vMerge/>`` without ``restart``) is empty by definition and is dropped, so a merged cell
appears once, in the row it starts, as in a web page. A cell's paragraphs are joined by a
space, whitespace runs collapsed. Rows of a table inside a cell follow the row. Content
controls (``w:sdt``) are read through; deleted text (``w:delText``) and the fallback copy of
``mc:AlternateContent`` are not. ``number`` counts paragraphs and rows from 1 in document
order (an empty paragraph counts and gives no line).

Before python-docx opens the file, :func:`files.word.guard` bounds the zip and refuses any
DOCTYPE in its XML parts.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import errors
from ..errors import InputError
from ..files import word
from .document import Line
from .limits import ReadLimits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def read_docx(path: Path, data: bytes, limits: ReadLimits) -> Iterator[Line]:
    """The document's lines; the zip is checked first (see the module's docstring)."""
    guard(path, data, limits)
    import docx  # python-docx: imported only when a Word file is read
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except ValueError:  # python-docx's one: the main part is not a plain document's
        raise InputError(path, errors.DOCX_OTHER_TYPE) from None
    except Exception:  # python-docx raises many types for a damaged package
        raise InputError(path, errors.CORRUPT) from None
    return _Body().blocks(body)


def guard(path: Path, data: bytes, limits: ReadLimits) -> None:
    """Refuse a zip that is not a .docx, is damaged, or would cost more than ``limits``
    (:func:`files.word.guard`, which render's Word templates go through too)."""
    word.guard(path, data, unzipped=limits.unzipped, unzipped_xml=limits.unzipped_xml,
               tags=limits.docx_tags, ratio=limits.ratio)


class _Body:
    """Paragraphs and rows in document order, numbered as they come."""

    def __init__(self) -> None:
        self.number = 0

    def blocks(self, parent) -> Iterator[Line]:
        for child in parent:
            tag = child.tag
            if tag == f"{W}p":
                self.number += 1
                cells = _paragraph(child)
                if any(c.strip() for c in cells):
                    yield Line(self.number, cells)
            elif tag == f"{W}tbl":
                yield from self.table(child)
            elif tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
                yield from self.blocks(child)

    def table(self, tbl) -> Iterator[Line]:
        for tr in _children(tbl, f"{W}tr"):
            self.number += 1
            number, cells = self.number, []
            nested: list[Any] = []  # tables inside this row's cells (python-docx's lxml elements)
            for tc in _children(tr, f"{W}tc"):
                if _continues_merge(tc):
                    continue
                cells.append(" ".join(" ".join(_paragraph(p)) for p in _children(tc, f"{W}p")))
                nested.extend(_children(tc, f"{W}tbl"))
            cells = [" ".join(c.split()) for c in cells]
            if any(cells):
                yield Line(number, tuple(cells))
            for inner in nested:
                yield from self.table(inner)


def _children(el, tag: str) -> Iterator:
    """``el``'s ``tag`` children, also those inside content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
            yield from _children(child, tag)


def _continues_merge(tc) -> bool:
    pr = tc.find(f"{W}tcPr")
    merge = pr.find(f"{W}vMerge") if pr is not None else None
    return merge is not None and merge.get(f"{W}val", "continue") != "restart"


def _paragraph(p) -> tuple[str, ...]:
    """A paragraph's text, split into cells at its tabs; a line break is a space."""
    cells, parts = [], []
    for el in _text_elements(p):
        tag = el.tag
        if tag == f"{W}t":
            parts.append(el.text or "")
        elif tag == f"{W}tab":
            cells.append("".join(parts))
            parts = []
        else:  # w:br, w:cr
            parts.append(" ")
    cells.append("".join(parts))
    return tuple(cells)


def _text_elements(el) -> Iterator:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag == f"{MC}Fallback" or tag == f"{W}pPr":
            continue
        if tag in (f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
            yield child
        elif tag != f"{W}tbl":
            yield from _text_elements(child)
