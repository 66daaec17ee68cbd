"""What one workbook may cost, measured from its sheet XML before any reader builds a grid.

python-calamine allocates the whole rectangle from A1 to a sheet's farthest cell, so one cell
at ``XFD1048576`` in a 28 KB file asks for half a terabyte and aborts the process; openpyxl
holds a row's cells at once. The sheets a report is read from are therefore scanned first,
streamed from the zip member: the farthest cell and the number of cells, never the
``<dimension>`` element (absent or lying costs nothing). The common case (every ``<c>`` written
as ``<c r="A1"…``, as Excel, WPS, LibreOffice and XlsxWriter write it) is a byte scan; anything
else (prefixed elements, cells without ``r``, UTF-16) is walked element by element.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from xml.parsers import expat

from .. import errors
from ..errors import InputError


@dataclass(frozen=True)
class Limits:
    """What one untrusted file may cost."""

    max_bytes: int = 20 * 1024 * 1024
    max_unzipped: int = 200 * 1024 * 1024
    max_ratio: float = 200.0
    max_cells: int = 2_000_000  # cells, and the rectangle from A1 to the farthest cell


LIMITS = Limits()
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CHUNK = 1 << 20
#: Every start of a cell (``<c`` then a space, ``/`` or ``>``), with its column and row when it
#: is written as every common writer starts it (``<c r="A1"``): when all are, and none is
#: prefixed (``<x:c``), counting them is exact. One pass finds the cells and any odd one.
_CELL = re.compile(rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})"|[\s/>])')
_PREFIXED_CELL = re.compile(rb':c[\s/>]')
_ERROR_TYPE = re.compile(rb'\st\s*=\s*["\']e["\']')
_REF = re.compile(r"^([A-Za-z]+)([0-9]+)$")


@dataclass
class Extent:
    """A sheet's cells: how many, how far (1-based), and whether one holds an error value."""

    rows: int = 0
    cols: int = 0
    cells: int = 0
    errors: bool = False

    @property
    def area(self) -> int:
        return self.rows * self.cols


@dataclass
class Book:
    """A workbook's sheets and global defined names, and what each scanned sheet costs."""

    path: Path
    zf: zipfile.ZipFile
    sheets: dict[str, str]  # name -> the part its relationship names (as written)
    names: list[tuple[str, str | None]]
    strings: list[str]  # the shared-strings parts' targets
    scanned: dict[str, Extent] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, zf: zipfile.ZipFile) -> Book:
        try:
            book = _elements(_read(zf, "xl/workbook.xml"), _BOOK_ELEMENTS)
            rels = _relationships(zf)
        except Exception:  # damaged XML, entities, a bad member: the file is not readable
            raise InputError(path, errors.CORRUPT) from None
        targets = {rid: target for rid, _, target in rels}
        sheets = {attrs.get("name") or "": targets.get(attrs.get(f"{_REL} id") or "", "")
                  for tag, attrs, _ in book if tag == _SHEET}
        names: list[tuple[str, str | None]] = [(attrs.get("name") or "", text) for tag, attrs, text in book
                 if tag == _DEFINED_NAME and attrs.get("localSheetId") is None]
        strings = {"sharedStrings.xml"} | {t for _, kind, t in rels if kind.endswith("/sharedStrings")}
        return cls(path, zf, sheets, names, sorted(strings))

    def bound(self, sheets: set[str], limits: Limits) -> None:
        """Scan ``sheets`` (those not scanned yet); refuse the file when, with the sheets
        scanned before, they hold more cells, or span a larger rectangle, than allowed."""
        todo = sorted(sheets - set(self.scanned))
        members: dict[str, list[zipfile.ZipInfo]] = {}
        for info in self.zf.infolist() if todo else ():
            members.setdefault(info.filename, []).append(info)  # a zip may hold duplicates
        for name in todo:
            extent = Extent()
            for info in (i for n in _names(self.sheets.get(name, "")) for i in members.get(n, [])):
                _scan(self.path, self.zf, info, extent, limits)
            self.scanned[name] = extent
            if extent.area > limits.max_cells:
                raise InputError(self.path, errors.SHEET_TOO_BIG, sheet=name,
                                 cell=f"{_letters(extent.cols)}{extent.rows}",
                                 limit=limits.max_cells)
        if sum(e.cells for e in self.scanned.values()) > limits.max_cells:
            raise InputError(self.path, errors.TOO_MANY_CELLS, limit=limits.max_cells)
        if sum(e.area for e in self.scanned.values()) > limits.max_cells:
            raise InputError(self.path, errors.TOO_MANY_CELLS, limit=limits.max_cells)

    def bound_strings(self, limits: Limits) -> None:
        """Refuse more shared strings than cells allowed: both readers hold them all at once."""
        wanted = {n for target in self.strings for n in _names(target)}
        count = 0
        try:
            for info in (i for i in self.zf.infolist() if i.filename in wanted):
                with _inflated(self.zf, info) or self.zf.open(info) as fh:
                    count += _count_strings(fh)
        except Exception:  # bad CRC, truncated member
            raise InputError(self.path, errors.CORRUPT) from None
        if count > limits.max_cells:
            raise InputError(self.path, errors.TOO_MANY_STRINGS, limit=limits.max_cells)

    def with_errors(self) -> set[str]:
        """Scanned sheets with an error value (``#REF!`` …): python-calamine hands those over
        as blank, so only the exact reader can read them."""
        return {name for name, e in self.scanned.items() if e.errors}


def _relationships(zf: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    """The workbook's relationships: id, type, target."""
    try:
        found = _elements(_read(zf, "xl/_rels/workbook.xml.rels"), frozenset({_RELATIONSHIP}))
    except KeyError:
        return []
    return [(a.get("Id") or "", a.get("Type") or "", a.get("Target") or "") for _, a, _ in found]


_SHEET, _DEFINED_NAME = f"{MAIN} sheet", f"{MAIN} definedName"
_BOOK_ELEMENTS = frozenset({_SHEET, _DEFINED_NAME})
_RELATIONSHIP = f"{_PKG} Relationship"


def _elements(xml: bytes, wanted: frozenset[str]) -> list[tuple[str, dict[str, str], str]]:
    """The ``wanted`` elements (``namespace local-name``) of a small part, with their attributes
    and text. expat, with no DOCTYPE allowed: no entity can be declared, expanded or fetched
    (what defusedxml guards against), at a third of defusedxml's cost on every workbook."""
    found: list[tuple[str, dict[str, str], str]] = []
    text: list[str] | None = None
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal text
        if tag in wanted:
            found.append((tag, attrs, ""))
            text = []

    def end(tag: str) -> None:
        nonlocal text
        if text is not None and tag == found[-1][0]:
            found[-1] = (tag, found[-1][1], "".join(text))
            text = None

    def chars(data: str) -> None:
        if text is not None:
            text.append(data)

    def doctype(*_: object) -> None:
        raise ValueError("a DOCTYPE in a workbook part")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler, parser.StartDoctypeDeclHandler = chars, doctype
    parser.Parse(xml, True)
    return found


def _count_strings(fh) -> int:
    """How many ``<si>`` a shared-strings part may hold, streamed: every ``<si`` and ``:si``
    (a prefixed one counts twice, a UTF-16 part is decoded first): never fewer than there are."""
    count, pending = 0, b""
    decoder: codecs.IncrementalDecoder | Literal[False] | None = None  # False: the part is not UTF-16
    while block := fh.read(_CHUNK):
        if decoder is None:
            utf16 = block.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in block[:4]
            decoder = codecs.getincrementaldecoder("utf-16")() if utf16 else False
        if decoder:
            block = decoder.decode(block).encode("utf-8")
        data = pending + block
        count += data.count(b"<si") + data.count(b":si")
        pending = data[-2:]  # too short to hold a match: a split "<si" is counted once, next
    return count


def _names(target: str) -> set[str]:
    """The zip names a reader might take for a relationship's ``target``: relative to ``xl/``
    or absolute, as written and normalised."""
    if not target:
        return set()
    name = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return {name, posixpath.normpath(name)}


def _scan(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, extent: Extent,
          limits: Limits) -> None:
    """Add one sheet member's cells to ``extent``, streamed; stop as soon as it is too much."""
    try:
        with _inflated(zf, info) or zf.open(info) as fh:
            if not _scan_bytes(fh, extent, limits):
                extent.rows = extent.cols = extent.cells = 0
                with zf.open(info) as again:
                    _walk(again, extent, limits)
    except InputError:
        raise
    except _TooBig:
        return
    except Exception:  # bad CRC, truncated member, XML that is not XML, entities
        raise InputError(path, errors.CORRUPT) from None


_LOCAL = struct.Struct("<4s22xHH")  # a member's local header: signature, name and extra lengths
_PLAIN = 0x1 | 0x20 | 0x40  # encrypted, patched or strongly encrypted: zipfile says what is wrong


def _inflated(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> io.BytesIO | None:
    """A small deflated member inflated in one call from the workbook's bytes, when that gives
    exactly what :meth:`zipfile.ZipFile.open` would (the same name in its local header, the whole
    stream, the CRC right); None otherwise, and zipfile reads it and says what is wrong. zipfile
    costs, in Python, as much again as inflating a sheet. Never an empty member: a size of 0
    would not bound the inflating."""
    fp = zf.fp
    if (not isinstance(fp, io.BytesIO) or info.compress_type != zipfile.ZIP_DEFLATED
            or info.flag_bits & _PLAIN or not 0 < info.file_size <= _CHUNK):
        return None
    name = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    fp.seek(info.header_offset)  # zipfile seeks before each of its own reads
    signature, name_length, extra_length = _LOCAL.unpack(fp.read(_LOCAL.size).ljust(_LOCAL.size))
    if signature != b"PK\x03\x04" or fp.read(name_length) != name:
        return None
    fp.seek(extra_length, io.SEEK_CUR)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        data = inflater.decompress(fp.read(info.compress_size), info.file_size)
    except zlib.error:
        return None
    if not inflater.eof or len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return io.BytesIO(data)


def _read(zf: zipfile.ZipFile, name: str) -> bytes:
    """:meth:`zipfile.ZipFile.read`, through :func:`_inflated` when it can."""
    info = zf.getinfo(name)
    with _inflated(zf, info) or zf.open(info) as fh:
        return fh.read()


class _TooBig(Exception):
    """The extent already exceeds the bound: the caller refuses the file."""


def _scan_bytes(fh, extent: Extent, limits: Limits) -> bool:
    """The byte scan; False when the member is not in the common form (then it is walked)."""
    pending = b""
    first = True
    while True:
        block = fh.read(_CHUNK)
        last = len(block) < _CHUNK
        if first:
            if block.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in block[:4]:
                return False  # UTF-16/32: the byte patterns below do not apply
            first = False
        data = pending + block
        cut = -1 if last else data.rfind(b"<")
        text, pending = (data, b"") if cut <= 0 else (data[:cut], data[cut:])
        if _PREFIXED_CELL.search(text):
            return False
        cells = _CELL.findall(text)
        if cells:
            letters, digits = zip(*cells, strict=True)
            if b"" in letters:
                return False  # a cell without its reference first
            extent.rows = max(extent.rows, *map(int, set(digits)))
            extent.cols = max(extent.cols, *map(_column, set(letters)))
            extent.cells += len(cells)
        # b"'" first: one byte is found at memchr's speed, and most writers never quote with it
        if not extent.errors and (b'"e"' in text or (b"'" in text and b"'e'" in text)):
            extent.errors = _ERROR_TYPE.search(text) is not None
        _check(extent, limits)
        if last:
            return True


def _walk(fh, extent: Extent, limits: Limits) -> None:
    """Element by element, positions as a reader infers them: a ``<c>`` without ``r`` is the
    next column, a ``<row>`` without ``r`` the next row."""
    from defusedxml import ElementTree  # only odd sheets come here: not on every start's path

    row = col = 0
    for _event, el in ElementTree.iterparse(fh, events=("start",)):
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "row":
            row = _number(el.get("r"), row + 1)
            col = 0
        elif tag == "c":
            match = _REF.match(el.get("r") or "")
            if match:
                col, row_at = _column(match.group(1).upper().encode()), int(match.group(2))
            else:
                col, row_at = col + 1, max(row, 1)
            extent.rows = max(extent.rows, row_at)
            extent.cols = max(extent.cols, col)
            extent.cells += 1
            extent.errors = extent.errors or el.get("t") == "e"
            _check(extent, limits)
        el.clear()


def _check(extent: Extent, limits: Limits) -> None:
    if extent.area > limits.max_cells or extent.cells > limits.max_cells:
        raise _TooBig


def _number(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() else default


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _letters(n: int) -> str:
    """A column number as letters (beyond Excel's XFD too: a hostile file may go there)."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out or "A"
