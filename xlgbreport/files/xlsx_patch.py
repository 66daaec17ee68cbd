"""Edit given cells of an xlsx package in place, every other byte and part as it was.

Schema-free: it knows SpreadsheetML, not the report. A clerk's workbook holds more than a
library can round-trip (macros, extension lists, comments' shapes, other sheets), so nothing
is loaded and saved: the parts are parsed with expat, which gives the byte offset of every
element, and only the elements edited are spliced; the rest of each part is copied byte for
byte, and the other parts of the zip unchanged (same order, names, times and compression).

The parser is hardened: a part with a DOCTYPE (hence any entity) is refused, nothing is fetched,
no tree is built; a part's size is bounded before it gets here (``workbook.reader.guard``).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from defusedxml import ElementTree
from xlsxwriter.utility import xl_cell_to_rowcol

NOT_UTF8 = "非 UTF-8 编码"
NOT_XML = "不是完好的 XML"
HAS_DTD = "含有 DOCTYPE 声明"
NO_SHEET_DATA = "缺少 sheetData"
ROW_WITHOUT_NUMBER = "行缺少编号"
CELL_WITHOUT_REF = "单元格缺少位置"

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CALC_CHAIN = "xl/calcChain.xml"
#: The children of <workbook> that come after <calcPr>, in schema order.
_AFTER_CALC_PR = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                  "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
_DROPPED_ATTRS = {b"r", b"t", b"cm", b"vm"}  # position, and value type and metadata of the old value
# Applied only to a start tag the parser has read, whose grammar is regular: exact there.
_TAG = re.compile(rb'<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*\s*/?>')
_ATTR = re.compile(rb'([^\s=/>]+)\s*=\s*("[^"]*"|\'[^\']*\')')


class PatchError(Exception):
    """A part that cannot be edited safely; ``detail`` says why in Chinese. Never leaves
    ``actions.carry``, which raises ``carry.odd_sheet``/``carry.odd_part`` with the detail."""

    def __init__(self, detail: str, ref: str | None = None) -> None:
        super().__init__(detail)
        self.detail, self.ref = detail, ref


class SharedFormula(PatchError):
    """The cell anchors a shared or array formula: rewriting it would break other cells."""


class Unknown(Exception):
    """What SUM takes from a cell cannot be told from the sheet XML (``actions.carry`` then
    leaves the total for Excel to recalculate)."""


@dataclass
class Element:
    """An element found by the parser: name, attributes, and where it sits in the bytes."""

    qname: str
    attrs: dict[str, str]
    start: int  # offset of its "<"
    tag_end: int  # offset just after its start tag
    end: int = 0  # offset just after the element
    close: int = 0  # offset of its end tag (= end when the element is empty)
    text: str = ""
    children: list[Element] = field(default_factory=list)

    @property
    def local(self) -> str:
        return self.qname.rpartition(":")[2]

    @property
    def empty(self) -> bool:
        return self.close == self.end

    def child(self, local: str) -> Element | None:
        return next((c for c in self.children if c.local == local), None)


def scan(xml: bytes, keep: Callable[[list[Element]], bool]) -> Element:
    """The root element, with the descendants ``keep(path)`` accepts (path: from the root to
    the candidate, which is last) and their offsets; the text of kept elements."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PatchError(NOT_UTF8)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element | None] = []
    path: list[Element] = []
    root: list[Element] = []

    def refuse(*_args: object) -> NoReturn:
        raise PatchError(HAS_DTD)

    def declaration(_version: str, encoding: str | None, _standalone: int) -> None:
        if encoding and encoding.lower().replace("-", "") != "utf8":
            raise PatchError(NOT_UTF8)

    def start(name: str, attrs: dict[str, str]) -> None:
        at = parser.CurrentByteIndex
        parent_kept = not stack or stack[-1] is not None
        element = Element(name, attrs, at, at)
        if parent_kept and (not stack or keep([*path, element])):
            element.tag_end = _tag_end(xml, at)  # only for what is kept: a sheet has many cells
            if stack:
                path[-1].children.append(element)
            else:
                root.append(element)
            path.append(element)
            stack.append(element)
        else:
            stack.append(None)

    def end(_name: str) -> None:
        element = stack.pop()
        if element is None:
            return
        path.pop()
        at = parser.CurrentByteIndex
        if xml[element.tag_end - 2:element.tag_end] == b"/>":
            element.close = element.end = element.tag_end
        else:
            element.close, element.end = at, xml.index(b">", at) + 1

    def text(data: str) -> None:
        if stack and stack[-1] is not None:
            stack[-1].text += data

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.XmlDeclHandler = declaration
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        raise PatchError(NOT_XML) from None
    return root[0]


def _tag_end(xml: bytes, at: int) -> int:
    match = _TAG.match(xml, at)
    if match is None:  # the parser read a tag here: cannot happen
        raise PatchError(NOT_XML)
    return match.end()


def _attr_tokens(xml: bytes, element: Element) -> list[tuple[bytes, bytes]]:
    """The raw (name, quoted value) pairs of an element's start tag, as written."""
    inner = xml[element.start + 1 + len(element.qname.encode()):element.tag_end]
    return [(m.group(1), m.group(0)) for m in _ATTR.finditer(inner)]


def _open_tag(xml: bytes, element: Element) -> bytes:
    """The element's start tag as written, made a non-empty one (``<row r="5"/>`` → ``<row r="5">``)."""
    tag = xml[element.start:element.tag_end]
    return tag[:-2].rstrip() + b">" if tag.endswith(b"/>") else tag


# --- a worksheet: cells by reference ------------------------------------------------------

class Sheet:
    """A worksheet's XML with edits to some of its cells; :meth:`xml` gives the new bytes.

    ``refs`` are the cells that will be read or written (A1 style); their rows are indexed."""

    def __init__(self, xml: bytes, refs: Iterable[str]) -> None:
        self.source = xml
        self.wanted = {xl_cell_to_rowcol(r)[0] + 1 for r in refs}
        root = scan(xml, self._keep)
        data = root.child("sheetData")
        if data is None:
            raise PatchError(NO_SHEET_DATA)
        self.data = data
        self.prefix = data.qname[:-len("sheetData")].encode()
        self.rows: list[tuple[int, Element]] = []
        self.cells: dict[str, Element] = {}
        for row in data.children:
            if "r" not in row.attrs:
                raise PatchError(ROW_WITHOUT_NUMBER)
            self.rows.append((int(row.attrs["r"]), row))
            for cell in row.children:
                if "r" not in cell.attrs:
                    raise PatchError(CELL_WITHOUT_REF)
                self.cells[cell.attrs["r"]] = cell
        self.new: dict[str, bytes] = {}  # ref → the <c> element that replaces or adds it
        self.had_formula = False

    def _keep(self, path: list[Element]) -> bool:
        names = [e.local for e in path]
        if len(names) == 2:
            return names[1] == "sheetData"
        if len(names) == 3:
            return names[2] == "row"
        if len(names) == 4:  # the cells of the rows asked for
            return names[3] == "c" and _row_number(path[2]) in self.wanted
        return len(names) == 5  # a cell's children: <f>, <v>, <is> …

    def set_number(self, ref: str, value: int | float | Decimal | None) -> None:
        """Make ``ref`` hold ``value`` (None: blank), keeping its other attributes (style).
        A blank is not added where there was no cell. :class:`SharedFormula` for an anchor."""
        p, old = self.prefix, self.cells.get(ref)
        keep = b""
        if old is not None:
            formula = old.child("f")
            if formula is not None and "ref" in formula.attrs:
                raise SharedFormula("shared", ref)
            self.had_formula = self.had_formula or formula is not None
            keep = b"".join(b" " + raw for name, raw in _attr_tokens(self.source, old)
                            if name not in _DROPPED_ATTRS)
        elif value is None:
            return
        head = b"<" + p + b'c r="' + ref.encode() + b'"' + keep
        self.new[ref] = head + b"/>" if value is None else (
            head + b"><" + p + b"v>" + number_text(value) + b"</" + p + b"v></" + p + b"c>")

    def plain_formula(self, ref: str) -> str | None:
        """The formula of ``ref`` when the cell is a plain one (a number, no metadata, nothing
        but ``<f>`` and perhaps ``<v>``, the formula neither shared nor an array); else None."""
        cell = self.cells.get(ref)
        if cell is None or cell.attrs.get("t", "n") != "n" or {"cm", "vm"} & set(cell.attrs):
            return None
        kinds = [c.local for c in cell.children]
        if kinds not in (["f"], ["f", "v"]) or cell.children[0].attrs:
            return None
        return cell.children[0].text

    def set_cached(self, ref: str, value: int) -> None:
        """The cached value of a :meth:`plain_formula` cell; its start tag and formula as written."""
        cell, p = self.cells[ref], self.prefix
        formula = cell.children[0]
        self.new[ref] = (self.source[cell.start:cell.tag_end] +
                         self.source[formula.start:formula.end] +
                         b"<" + p + b"v>" + str(value).encode() + b"</" + p + b"v></" + p + b"c>")

    def summed(self, ref: str) -> int:
        """What SUM over a reference takes from ``ref`` as the file holds it: its number, 0 for
        a blank, text or a logical value; :class:`Unknown` for an error, a date, a formula
        without a cached value, or a fraction (whose float sum is Excel's to round)."""
        cell = self.cells.get(ref)
        if cell is None or cell.empty:
            return 0
        kind = cell.attrs.get("t", "n")
        if kind in ("s", "str", "inlineStr", "b"):
            return 0
        if kind != "n":
            raise Unknown(ref)
        v = cell.child("v")
        if v is None:
            if cell.child("f") is not None:
                raise Unknown(ref)
            return 0
        try:
            number = Decimal(v.text.strip())
        except InvalidOperation:
            raise Unknown(ref) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise Unknown(ref)
        return int(number)

    def xml(self) -> bytes:
        """The sheet with every edit spliced in, the rest byte for byte; checked well-formed."""
        p, splices = self.prefix, []
        added: dict[int, list[str]] = {}
        for ref, new in self.new.items():
            old = self.cells.get(ref)
            if old is not None:
                splices.append((old.start, old.end, new))
            else:
                added.setdefault(xl_cell_to_rowcol(ref)[0] + 1, []).append(ref)
        rows = dict(self.rows)
        for refs in added.values():
            refs.sort(key=lambda r: xl_cell_to_rowcol(r)[1])
        if added and self.data.empty:  # <sheetData/>: it gets the rows
            body = b"".join(self._new_row(n, added[n]) for n in sorted(added))
            splices.append((self.data.start, self.data.end, _open_tag(self.source, self.data) +
                            body + b"</" + p + b"sheetData>"))
            added = {}
        for number, refs in added.items():
            row = rows.get(number)
            if row is None:
                splices.append((*self._row_slot(number), self._new_row(number, refs)))
            elif row.empty:
                body = b"".join(self.new[r] for r in refs)
                splices.append((row.start, row.end, _open_tag(self.source, row) + body +
                                b"</" + p + b"row>"))
            else:
                for ref in refs:
                    col = xl_cell_to_rowcol(ref)[1]
                    after = next((c.start for c in row.children
                                  if xl_cell_to_rowcol(c.attrs["r"])[1] > col), row.close)
                    splices.append((after, after, self.new[ref]))
        out = splice(self.source, splices)
        scan(out, lambda path: False)  # still well-formed, or nothing is written
        return out

    def _new_row(self, number: int, refs: list[str]) -> bytes:
        p = self.prefix
        return (b"<" + p + b'row r="' + str(number).encode() + b'">' +
                b"".join(self.new[r] for r in refs) + b"</" + p + b"row>")

    def _row_slot(self, number: int) -> tuple[int, int]:
        """Where a missing row goes: before the first row after it, or at the end of the data."""
        later = next((row.start for n, row in self.rows if n > number), None)
        if later is not None:
            return later, later
        return self.data.close, self.data.close


def _row_number(row: Element) -> int | None:
    try:
        return int(row.attrs["r"])
    except (KeyError, ValueError):
        return None


def splice(xml: bytes, splices: list[tuple[int, int, bytes]]) -> bytes:
    """``xml`` with each (start, end, new) replacing its span; insertions at one place keep
    their order, and come before a replacement starting there."""
    out, pos = [], 0
    for start, end, new in sorted(splices, key=lambda s: (s[0], s[1])):
        out += [xml[pos:start], new]
        pos = end
    return b"".join([*out, xml[pos:]])


def number_text(value: object) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"not a number: {value!r}")
    return (format(value, "f") if isinstance(value, Decimal) else str(value)).encode()


def edit_cells(xml: bytes, values: dict[str, int | float | Decimal | None]) -> tuple[bytes, bool]:
    """``xml`` with the cells of ``values`` (A1 → number or None) rewritten, and whether a
    formula was overwritten (then the calculation chain is stale)."""
    sheet = Sheet(xml, values)
    for ref, value in values.items():
        sheet.set_number(ref, value)
    return sheet.xml(), sheet.had_formula


# --- the package: which part is which sheet, recalculation, the calculation chain ------------

def sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member of its XML, through the workbook's relationships."""
    book = ElementTree.fromstring(zin.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zin.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels
               if _local(rel.tag) == "Relationship"}
    out: dict[str, str] = {}
    for el in book.iter():
        if _local(el.tag) == "sheet":
            target = targets.get(el.get(f"{{{_REL_NS}}}id"), "")
            if target:
                out[el.get("name", "")] = part_name("xl", target)
    return out


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def part_name(base: str, target: str) -> str:
    """A relationship's target as a zip member name (relative to ``base``, or absolute)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


def _top(xml: bytes) -> Element:
    """The root and its children."""
    return scan(xml, lambda path: len(path) == 2)


def full_calc_on_load(xml: bytes) -> bytes:
    """``xl/workbook.xml`` with ``fullCalcOnLoad="1"`` on ``<calcPr>`` (added if missing), so
    that Excel recalculates every formula on opening."""
    root = _top(xml)
    calc = root.child("calcPr")
    if calc is None:
        prefix = root.qname[:-len(root.local)].encode()
        tag = b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>'
        after = next((c.start for c in root.children if c.local in _AFTER_CALC_PR), root.close)
        return splice(xml, [(after, after, tag)])
    if calc.attrs.get("fullCalcOnLoad") in ("1", "true"):
        return xml
    tokens = _attr_tokens(xml, calc)
    start = calc.start + 1 + len(calc.qname.encode())
    inner = xml[start:calc.tag_end]
    flag = b'fullCalcOnLoad="1"'
    for name, raw in tokens:
        if name == b"fullCalcOnLoad":
            inner = inner.replace(raw, flag, 1)
            break
    else:
        close = b"/>" if inner.endswith(b"/>") else b">"
        inner = inner[:-len(close)].rstrip() + b" " + flag + close
    return splice(xml, [(start, calc.tag_end, inner)])


def drop_calc_chain(zin: zipfile.ZipFile, replaced: dict[str, bytes]) -> set[str]:
    """After a formula was overwritten the calculation chain is stale; Excel rebuilds a missing
    one (a stale one it "repairs"). Drops the part, its content type and its relationship;
    returns the members to leave out."""
    if CALC_CHAIN not in zin.namelist():
        return set()
    types = replaced.get("[Content_Types].xml") or zin.read("[Content_Types].xml")
    replaced["[Content_Types].xml"] = _without(types, lambda e: e.local == "Override" and
                                               e.attrs.get("PartName") == "/" + CALC_CHAIN)
    member = "xl/_rels/workbook.xml.rels"
    rels = replaced.get(member) or zin.read(member)
    replaced[member] = _without(rels, lambda e: e.local == "Relationship" and
                                part_name("xl", e.attrs.get("Target", "")) == CALC_CHAIN)
    return {CALC_CHAIN}


def _without(xml: bytes, drop: Callable[[Element], bool]) -> bytes:
    return splice(xml, [(e.start, e.end, b"") for e in _top(xml).children if drop(e)])


def write_package(zin: zipfile.ZipFile, replaced: dict[str, bytes], dropped: set[str],
                  dest: Path) -> None:
    """``zin`` to ``dest`` with the parts of ``replaced`` swapped in and ``dropped`` left out;
    every other member copied with its name, order, time, attributes and compression."""
    with zipfile.ZipFile(dest, "w") as zout:
        zout.comment = zin.comment
        for info in zin.infolist():
            if info.filename in dropped:
                continue
            data = replaced.get(info.filename)
            zout.writestr(_copy_info(info), zin.read(info) if data is None else data)


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(info.filename, info.date_time)
    out.compress_type = info.compress_type
    out.external_attr = info.external_attr
    out.create_system = info.create_system
    out.comment = info.comment
    return out
