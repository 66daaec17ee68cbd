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

Before python-docx opens the file, the zip is bounded (declared sizes, XML sizes and tags, ratio) and
every XML part is streamed through expat with no DOCTYPE allowed: python-docx's lxml parser
does not resolve entities, but it would still read a DTD's declarations.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from .. import errors
from ..errors import InputError
from .document import Line
from .limits import ReadLimits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_BODY = "word/document.xml"
_CHUNK = 1 << 20


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
    """Refuse a zip that is not a .docx, is damaged, or would cost more than ``limits``."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise InputError(path, errors.CORRUPT) from None
    with zf:
        infos = zf.infolist()
        if _BODY not in {i.filename for i in infos}:
            raise InputError(path, errors.NOT_DOCX)
        unzipped = sum(i.file_size for i in infos)
        packed = max(sum(i.compress_size for i in infos), 1)
        if unzipped > limits.unzipped or unzipped / packed > limits.ratio:
            raise InputError(path, errors.ZIP_BOMB, ratio=unzipped / packed)
        xml = [i for i in infos if _is_xml(i.filename, _xml_names(path, zf))]
        if sum(i.file_size for i in xml) > limits.unzipped_xml:
            raise InputError(path, errors.UNPACKED_TOO_BIG, limit=f"{limits.unzipped_xml >> 20} MB")
        tags = 0
        for info in xml:
            tags += _no_doctype(path, zf, info)
            if tags > limits.docx_tags:
                raise InputError(path, errors.TOO_MANY_TAGS, limit=limits.docx_tags)


def _xml_names(path: Path, zf: zipfile.ZipFile) -> tuple[set[str], set[str]]:
    """The extensions and part names ``[Content_Types].xml`` declares as XML, lower-cased:
    python-docx parses a part by its content type, whatever its name, and looks both up
    case-insensitively (an override for ``/WORD/BIG.BIN`` names ``word/big.bin``)."""
    try:
        raw = zf.read("[Content_Types].xml")
    except KeyError:
        return set(), set()
    except Exception:
        raise InputError(path, errors.CORRUPT) from None
    extensions: set[str] = set()
    parts: set[str] = set()
    parser = expat.ParserCreate(namespace_separator="}")

    def start(tag: str, attrs: dict[str, str]) -> None:
        xml = (attrs.get("ContentType") or "").lower().endswith("xml")
        if tag == f"{_CT[1:]}Default" and xml:
            extensions.add((attrs.get("Extension") or "").lower())
        elif tag == f"{_CT[1:]}Override" and xml:
            parts.add(posixpath.normpath((attrs.get("PartName") or "").lstrip("/")).lower())

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        parser.Parse(raw, True)
    except _Doctype:
        raise InputError(path, errors.XML_DOCTYPE) from None
    except expat.ExpatError:
        raise InputError(path, errors.CORRUPT) from None
    return extensions, parts


def _is_xml(name: str, declared: tuple[set[str], set[str]]) -> bool:
    extensions, parts = declared
    name = name.lower()
    ext = posixpath.splitext(name)[1].lstrip(".")
    return ext in ("xml", "rels") or ext in extensions or name in parts or posixpath.normpath(name) in parts


class _Doctype(Exception):
    """A DOCTYPE or an entity declaration in a part."""


def _refuse_doctype(*_: object) -> None:
    raise _Doctype


def _no_doctype(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Stream one part through expat: a DOCTYPE or entity is refused, XML that expat cannot
    read (not XML, an encoding Word never writes) is a damaged file. Nothing is built; the
    part's ``<`` are counted (at least one per element: what python-docx's tree will hold)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    tags = 0
    try:
        with zf.open(info) as fh:
            while block := fh.read(_CHUNK):
                tags += block.count(b"<")
                parser.Parse(block, False)
            parser.Parse(b"", True)
            return tags
    except _Doctype:
        raise InputError(path, errors.XML_DOCTYPE) from None
    except Exception:  # bad CRC, truncated member, not XML
        raise InputError(path, errors.CORRUPT) from None


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
