"""A web page's lines: each block's text is a line of one cell, each table row a line of its cells.

``<head>``, ``<script>``, ``<style>``, ``<template>`` and comments are skipped; ``<br>`` ends a
line. Inside a cell a ``<br>`` or a paragraph is one space and whitespace runs are collapsed to
one space (「商业<br>企业」 is 「商业 企业」: the parser removes spaces between CJK characters, a
reader cannot know which space matters). A merged cell (``rowspan``/``colspan``) is where the
page wrote it, once, in the row it starts; a row's cells are its ``<td>``/``<th>`` in order. A
table inside a cell gives its rows as lines after the row holding it. ``number`` is the HTML
source line of the element the text starts in (lxml's ``sourceline``; for text after an
element, the line of that element's last tag); lines with no text are not kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

from .. import errors
from ..errors import InputError
from .document import Line
from .limits import HTML_TOO_DEEP, TABLE_TOO_BIG, TOO_MANY_TABLES, ReadLimits
from .variants import HTML_TITLE_META

_SKIP = frozenset({"head", "script", "style", "template", "noscript", "title", "iframe", "object",
                   "svg", "math", "select", "textarea"})
_BLOCKS = frozenset({"address", "article", "aside", "blockquote", "body", "caption", "center",
                     "dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure",
                     "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html",
                     "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
                     "tbody", "thead", "tfoot", "ul"})
_CELLS = frozenset({"td", "th"})


#: Where a page names itself: its ``<title>`` and the ``<meta name="ArticleTitle">`` of portals,
#: looked for in the head only (the first 64 KB), each at most 1,000 characters.
_HEAD_CHARS, _TITLE_CHARS = 65_536, 1_000
_TITLE_TAG = re.compile(r"<title[^>]{0,200}>([^<]{0,1000})</title", re.IGNORECASE)
_META_TAG = re.compile(r"<meta\s[^>]{0,2000}>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""(name|property|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def page_titles(text: str) -> tuple[str, ...]:
    """What a page calls itself (:data:`.variants.HTML_TITLE_META` metas, then ``<title>``),
    unescaped, for the parser to name the report by when no title line does."""
    head = text[:_HEAD_CHARS]
    out: list[str] = []
    for tag in _META_TAG.findall(head):
        attrs = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTRIBUTE.finditer(tag)}
        if attrs.get("name", attrs.get("property", "")) in HTML_TITLE_META and attrs.get("content"):
            out.append(html.unescape(attrs["content"])[:_TITLE_CHARS])
    out += [html.unescape(t)[:_TITLE_CHARS] for t in _TITLE_TAG.findall(head)]
    return tuple(t.strip() for t in out if t.strip())


def read_html(path: Path, text: str, limits: ReadLimits) -> Iterator[Line]:
    """The page's lines in document order."""
    if text.count("<") > limits.html_tags:  # every element starts with one: bounded before lxml builds
        raise InputError(path, errors.TOO_MANY_TAGS, limit=limits.html_tags)
    data = text.encode("utf-8", "surrogatepass")
    _measure(path, data, limits)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                  no_network=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):  # nothing in it a parser keeps
        raise InputError(path, errors.NOT_TEXT) from None
    walker = _Walker()
    yield from walker.element(root)
    yield from walker.flush()


class _Shape:
    """An lxml parser target: the page's nesting depth, tables and cells per table, counted as
    the parser streams its events, with no tree built."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits, self.depth, self.tables = limits, 0, 0
        self.cells: list[int] = []  # the open tables' cells, innermost last
        self.deep = self.crowded = self.wide = False  # what went over

    def start(self, tag: str, attrib: object) -> None:
        self.depth += 1
        tag = tag.lower()
        if self.depth > self.limits.html_depth:
            self.deep = True
        if tag == "table":
            self.tables += 1
            self.cells.append(0)
            if self.tables > self.limits.tables:
                self.crowded = True
        elif tag in _CELLS and self.cells:
            self.cells[-1] += 1
            if self.cells[-1] > self.limits.table_cells:
                self.wide = True

    def end(self, tag: str) -> None:
        self.depth -= 1
        if tag.lower() == "table" and self.cells:
            self.cells.pop()

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def _measure(path: Path, data: bytes, limits: ReadLimits) -> None:
    """Refuse a page nested too deep, with too many tables or a table of too many cells, in a
    streaming pass before lxml builds its tree (libxml2 itself drops what is nested past 256
    levels without a word; a refusal says so)."""
    shape = _Shape(limits)
    # types-lxml leaves out the parser's ``target`` argument, which lxml takes (a parser target)
    parser = etree.HTMLParser(encoding="utf-8", target=shape,  # type: ignore[call-overload]
                              no_network=True, huge_tree=True)
    try:
        etree.fromstring(data, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        pass  # the real parse below says what it says
    if shape.deep:
        raise InputError(path, HTML_TOO_DEEP, limit=limits.html_depth)
    if shape.crowded:
        raise InputError(path, TOO_MANY_TABLES, limit=limits.tables)
    if shape.wide:
        raise InputError(path, TABLE_TOO_BIG, limit=limits.table_cells)


class _Walker:
    """Block text gathered until a block or a ``<br>`` ends it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.number = 0
        self.started = False  # whether the line has text yet: its number is where that began

    def add(self, text: str | None, number: int | None) -> None:
        if text:
            if not self.started and text.strip():
                self.number, self.started = number or self.number, True
            self.parts.append(text)

    def flush(self) -> Iterator[Line]:
        text = _collapse("".join(self.parts))
        self.parts, self.started = [], False
        if text:
            yield Line(self.number, (text,))

    def element(self, el: etree._Element) -> Iterator[Line]:
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is None or tag in _SKIP:
            return  # a comment, or what a page does not show as its text
        if tag == "br":
            yield from self.flush()
            return
        if tag == "tr":
            yield from self.flush()
            yield from _row(el)
            return
        block = tag in _BLOCKS
        if block:
            yield from self.flush()
        self.add(el.text, el.sourceline)
        for child in el:
            yield from self.element(child)
            if child.tail:
                self.add(child.tail, _last_line(child) if child.tail.strip() else None)
        if block:
            yield from self.flush()


def _last_line(el: etree._Element) -> int | None:
    """Where text after ``el`` may start: the line of the last tag inside it (lxml knows where
    an element starts, not where it ends)."""
    return max((d.sourceline or 0 for d in el.iter()), default=el.sourceline) or el.sourceline


def _row(tr: etree._Element) -> Iterator[Line]:
    """A table row as one line of its cells, then the rows of tables inside its cells."""
    cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in _CELLS]
    nested: list[etree._Element] = []
    texts = []
    for cell in cells:
        parts: list[str] = []
        _cell_text(cell, parts, nested)
        texts.append(_collapse("".join(parts)))
    if any(texts):
        yield Line(tr.sourceline or 0, tuple(texts))
    for table in nested:
        yield from _Walker().element(table)


def _cell_text(el: etree._Element, parts: list[str], nested: list[etree._Element]) -> None:
    parts.append(el.text or "")
    for child in el:
        tag = child.tag.lower() if isinstance(child.tag, str) else None
        if tag == "table":
            nested.append(child)
        elif tag is not None and tag not in _SKIP:
            if tag == "br" or tag in _BLOCKS:
                parts.append(" ")
            _cell_text(child, parts, nested)
            if tag in _BLOCKS:
                parts.append(" ")
        parts.append(child.tail or "")


def _collapse(text: str) -> str:
    return " ".join(text.split())
