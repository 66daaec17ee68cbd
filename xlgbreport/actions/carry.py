"""Carry last year's 四 into this year's 二 of an existing workbook, changing nothing else.

Only numbers are carried (``prior.to_carry``, the rule of the button 结转上年数据): where last year's
cell is blank or not a number, this year's cell is left as it is; with nothing to carry the file
is not written at all. A clerk's workbook holds more than a library can round-trip (macros,
extension lists, comments' shapes, cached values, other sheets), so it is not loaded and saved:
the sheet XML inside the zip is edited in place. Only the carried ``<c>`` elements are rewritten
(their style kept), and the cached value (``<v>``) of a total that sums them where the total
still holds exactly the template's formula and the sum is known (the 二 total, J6);
``xl/workbook.xml`` gets ``<calcPr fullCalcOnLoad="1"/>`` so Excel and WPS recalculate the
rest (the 校验 sheet) on opening; every other part is copied as it was. The new file replaces
the old one atomically and the old one is kept beside it as ``NAME.xlsx.bak`` (a name no folder
scan or Excel double-click takes for a workbook).
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html import unescape
from pathlib import Path

import openpyxl
from defusedxml import ElementTree
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from .. import errors
from ..core import prior, rules
from ..core.excel_formulas import derived_formula
from ..core.layout import Layout
from ..core.model import Number, Report, Value, below, is_number, parts
from ..core.schema import REQUESTS, SCHEMA, CellKey
from ..errors import InputError
from ..files import workbook_reader

BACKUP_SUFFIX = ".bak"
MISMATCH = "上年数据与本工作簿不符，未结转：{details}（确认无误可加 --force）"
UNSAFE = "{cell} 含共享或数组公式，为免破坏其他单元格未结转，请先清除该公式"
ODD_XML = "工作表 {sheet} 的格式无法安全改写（{detail}），未结转"
IN_USE = "正被其他程序使用，未结转：请先在 Excel/WPS 中关闭它再试"
NOTHING = "上年“{row}”的 {n} 格都为空或不是数字，没有可结转的数，本工作簿未改动"

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CALC_CHAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
# The children of <workbook> that come after <calcPr>, in schema order.
_AFTER_CALC_PR = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                  "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_DROPPED_ATTRS = {b"t", b"cm", b"vm"}  # value type and metadata belong to the old value


def backup_path(target: Path) -> Path:
    return target.with_name(target.name + BACKUP_SUFFIX)


@dataclass(frozen=True)
class Carried:
    """What :func:`carry_forward` did: where the old file is kept, the 二 cells written (with
    last year's numbers), the 二 cells left as they were, and the totals whose cached value
    was brought up to date."""

    backup: Path
    numbers: dict[CellKey, Number]
    left: tuple[CellKey, ...]
    totals: tuple[CellKey, ...] = ()


def carry_forward(target: Path, last: Report, *, force: bool = False) -> Carried:
    """Write last year's 四 into ``target``'s 二、上年结转, number by number.

    Unless ``force``, last year must be the same body and the year before (prior.mismatch).
    A blank or non-number of last year's leaves this year's cell alone; when no cell can be
    carried, :class:`InputError` and nothing is written (no backup either)."""
    target = Path(target)
    this = workbook_reader.read(target)
    if not force:
        found = list(rules.PriorMismatch().check(this, last))
        if found:
            raise InputError(target, MISMATCH, details="；".join(f.message for f in found))
    plan = prior.to_carry(last)
    if not plan.numbers:
        raise InputError(target, NOTHING, row=REQUESTS.row(prior.CARRIED_FROM).label,
                         n=len(plan.left))
    layout = _layout(target)
    cells = _positions(layout, plan.numbers)
    totals = dependent_totals(layout, plan.numbers)
    refreshed: list[CellKey] = []
    with zipfile.ZipFile(target) as zin:
        parts = _sheet_parts(zin)
        replaced: dict[str, bytes] = {}
        had_formula = False
        for sheet, values in cells.items():
            part = parts.get(sheet)
            if part is None:
                raise InputError(target, ODD_XML, sheet=sheet, detail="找不到工作表")
            xml, formulas = edit_sheet(zin.read(part), values, sheet, target)
            xml, done = refresh_totals(xml, totals.get(sheet, []), values)
            replaced[part] = xml
            had_formula = had_formula or formulas
            refreshed += done
        replaced["xl/workbook.xml"] = full_calc_on_load(zin.read("xl/workbook.xml"))
        dropped = _drop_calc_chain(zin, replaced) if had_formula else set()
        _write_atomic(target, zin, replaced, dropped)
    return Carried(backup_path(target), plan.numbers, plan.left, tuple(refreshed))


def _layout(target: Path) -> Layout:
    """The workbook's layout, found through its defined names."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(target, read_only=True, keep_links=False)
    try:
        return workbook_reader.locate(wb)
    finally:
        wb.close()


def _positions(layout: Layout, values: dict[CellKey, Number]) -> dict[str, dict[str, Value]]:
    """The carried values by sheet and A1 cell."""
    out: dict[str, dict[str, Value]] = {}
    for key, value in values.items():
        sheet, (r, c) = layout.cells[key]
        out.setdefault(sheet, {})[xl_rowcol_to_cell(r, c)] = value
    return out


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member of its XML, through the workbook's relationships."""
    book = ElementTree.fromstring(zin.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zin.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels
               if _local(rel.tag) == "Relationship"}
    out = {}
    for el in book.iter():
        if _local(el.tag) == "sheet":
            target = targets.get(el.get(f"{{{_REL_NS}}}id"), "")
            if target:
                out[el.get("name")] = _part_name("xl", target)
    return out


def _part_name(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


# --- the sheet XML: rewrite only the carried <c> elements --------------------------------

def edit_sheet(xml: bytes, values: dict[str, Value], sheet: str,
               path: Path | None = None) -> tuple[bytes, bool]:
    """``xml`` with the cells of ``values`` (A1 → value) rewritten; the rest byte for byte.

    Returns the new XML and whether a formula was overwritten (then calcChain is stale)."""
    def fail(template: str = ODD_XML, **args: str) -> InputError:
        return InputError(path, template, sheet=sheet, **args)

    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(detail="非 UTF-8 编码")
    head = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b", xml)
    if head is None:
        raise fail(detail="缺少 sheetData")
    p = head.group(1) + b":" if head.group(1) else b""
    had_formula = False
    for ref, value in sorted(values.items(), key=lambda kv: xl_cell_to_rowcol(kv[0])):
        xml, formula = _set_cell(xml, p, ref, value, fail)
        had_formula = had_formula or formula
    ElementTree.fromstring(xml)  # still well-formed, or nothing is written
    return xml, had_formula


def _set_cell(xml: bytes, p: bytes, ref: str, value: Value, fail) -> tuple[bytes, bool]:
    row_no = xl_cell_to_rowcol(ref)[0] + 1
    data = re.search(rb"<" + re.escape(p) + rb"sheetData\b[^>]*?(/>|>)", xml)
    if data.group(1) == b"/>":  # an empty sheet: give it the row
        new = b"<" + p + b"sheetData>" + _row(p, row_no, _cell(p, ref, b"", value)) + \
            b"</" + p + b"sheetData>"
        return (xml if value is None else xml[:data.start()] + new + xml[data.end():]), False
    end = xml.index(b"</" + p + b"sheetData>", data.end())
    row_re = re.compile(rb"<" + re.escape(p) + rb"row\b([^>]*?)(/>|>(.*?)</" + re.escape(p) +
                        rb"row>)", re.S)
    for row in row_re.finditer(xml, data.end(), end):
        number = _attrs(row.group(1)).get(b"r")
        if number is None:
            raise fail(detail="行缺少编号")
        if int(number) < row_no:
            continue
        if int(number) > row_no:  # the row is not there: insert it before this one
            if value is None:
                return xml, False
            return xml[:row.start()] + _row(p, row_no, _cell(p, ref, b"", value)) + \
                xml[row.start():], False
        if row.group(2) == b"/>":
            if value is None:
                return xml, False
            opened = b"<" + p + b"row" + row.group(1) + b">" + _cell(p, ref, b"", value) + \
                b"</" + p + b"row>"
            return xml[:row.start()] + opened + xml[row.end():], False
        return _set_in_row(xml, p, row.start(3), row.end(3), ref, value, fail)
    if value is None:
        return xml, False
    return xml[:end] + _row(p, row_no, _cell(p, ref, b"", value)) + xml[end:], False


def _set_in_row(xml: bytes, p: bytes, start: int, end: int, ref: str, value: Value,
                fail) -> tuple[bytes, bool]:
    col = xl_cell_to_rowcol(ref)[1]
    cell_re = re.compile(rb"<" + re.escape(p) + rb"c\b([^>]*?)(/>|>(.*?)</" + re.escape(p) +
                         rb"c>)", re.S)
    for cell in cell_re.finditer(xml, start, end):
        here = _attrs(cell.group(1)).get(b"r")
        if here is None:
            raise fail(detail="单元格缺少位置")
        here_col = xl_cell_to_rowcol(here.decode())[1]
        if here_col < col:
            continue
        if here_col > col:
            if value is None:
                return xml, False
            return xml[:cell.start()] + _cell(p, ref, b"", value) + xml[cell.start():], False
        content = cell.group(3) or b""
        formula = re.search(rb"<" + re.escape(p) + rb"f\b([^>]*)", content)
        if formula and b"ref=" in formula.group(1):
            raise fail(UNSAFE, cell=ref)
        keep = b"".join(b" " + m.group(0) for m in _ATTR.finditer(cell.group(1))
                        if m.group(1) not in _DROPPED_ATTRS and m.group(1) != b"r")
        return xml[:cell.start()] + _cell(p, ref, keep, value) + xml[cell.end():], bool(formula)
    if value is None:
        return xml, False
    return xml[:end] + _cell(p, ref, b"", value) + xml[end:], False


def _attrs(text: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2)[1:-1] for m in _ATTR.finditer(text)}


def _cell(p: bytes, ref: str, attrs: bytes, value: Value) -> bytes:
    """A ``<c>``: a number as ``<v>``, a blank without one; other attributes (style) kept."""
    head = b"<" + p + b'c r="' + ref.encode() + b'"' + attrs
    if value is None:
        return head + b"/>"
    return head + b"><" + p + b"v>" + _number_text(value) + b"</" + p + b"v></" + p + b"c>"


def _row(p: bytes, number: int, cells: bytes) -> bytes:
    return b"<" + p + b'row r="' + str(number).encode() + b'">' + cells + b"</" + p + b"row>"


def _number_text(value: Value) -> bytes:
    if not is_number(value):
        raise TypeError(f"not a number: {value!r}")
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.encode()


# --- the totals that sum the carried cells: their cached values ----------------------------

@dataclass(frozen=True)
class Total:
    """A template total that sums carried cells: its key, cell, formula (no ``=``), parts' cells."""

    key: CellKey
    ref: str
    formula: str
    parts: tuple[str, ...]


class _Unknown(Exception):
    """A cell's value, as SUM would take it, cannot be told from the sheet XML."""


def dependent_totals(layout: Layout, carried: dict[CellKey, Number]) -> dict[str, list[Total]]:
    """By sheet, the derived cells whose template formula reads a carried cell, inner first.
    None at all when one of them sums cells of another sheet (not the template's layout)."""
    out: dict[str, list[Total]] = {}
    found = [k for k in SCHEMA.keys if SCHEMA.is_derived(k) and set(below(k)[1:]) & set(carried)]
    for key in sorted(found, key=lambda k: len(below(k))):  # a part's below() is shorter
        sheet, pos = layout.cells[key]
        if any(layout.cells[k][0] != sheet for k in parts(key)):
            return {}
        out.setdefault(sheet, []).append(Total(
            key, xl_rowcol_to_cell(*pos), derived_formula(key, layout)[1:],
            tuple(xl_rowcol_to_cell(*layout.cells[k][1]) for k in parts(key))))
    return out


def refresh_totals(xml: bytes, totals: list[Total],
                   carried: dict[str, Value]) -> tuple[bytes, list[CellKey]]:
    """``xml`` with the cached value of each total brought up to date, where the cell holds
    exactly the template's formula (plain, no type or metadata attributes, nothing but
    ``<f>`` and ``<v>``) and every part is known: a number, a blank or text (which SUM skips).
    An error, a formula without a cached value, a fraction (whose float sum is Excel's to
    round) or an unusual cell leaves the total as it is, for the recalculation on opening.
    Returns the new XML and the totals updated."""
    if not totals:
        return xml, []
    p = _prefix(xml)
    known: dict[str, int] = {}
    for ref, value in carried.items():
        if is_number(value) and value == int(value):  # type: ignore[arg-type]
            known[ref] = int(value)  # type: ignore[arg-type]
    stale = set(carried) | {t.ref for t in totals}  # changed, or sums of what changed
    done: list[CellKey] = []
    for total in totals:
        try:
            cell = _find_cell(xml, p, total.ref)
            if cell is None:
                continue
            attrs = _attrs(cell.group(1))
            if attrs.get(b"t", b"n") != b"n" or b"cm" in attrs or b"vm" in attrs:
                continue
            content = re.fullmatch(rb"(<" + re.escape(p) + rb"f>([^<]*)</" + re.escape(p) +
                                   rb"f>)(?:<" + re.escape(p) + rb"v>[^<]*</" + re.escape(p) +
                                   rb"v>|<" + re.escape(p) + rb"v\s*/>)?", cell.group(3) or b"")
            if content is None or unescape(content.group(2).decode()) != total.formula:
                continue
            value = 0
            for ref in total.parts:
                if ref in known:
                    value += known[ref]
                elif ref in stale:
                    raise _Unknown(ref)
                else:
                    value += _summed(_find_cell(xml, p, ref))
        except _Unknown:
            continue
        new = (b"<" + p + b"c" + cell.group(1) + b">" + content.group(1) + b"<" + p + b"v>" +
               str(value).encode() + b"</" + p + b"v></" + p + b"c>")
        xml = xml[:cell.start()] + new + xml[cell.end():]
        known[total.ref] = value
        done.append(total.key)
    ElementTree.fromstring(xml)  # still well-formed, or nothing is written
    return xml, done


def _prefix(xml: bytes) -> bytes:
    head = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b", xml)
    return head.group(1) + b":" if head and head.group(1) else b""


def _find_cell(xml: bytes, p: bytes, ref: str) -> re.Match[bytes] | None:
    """The ``<c>`` of ``ref`` (groups: attributes, ``/>`` or the rest, content), None if absent."""
    row_no, col = xl_cell_to_rowcol(ref)
    data = re.search(rb"<" + re.escape(p) + rb"sheetData\b[^>]*?(/>|>)", xml)
    if data is None:
        raise _Unknown(ref)
    if data.group(1) == b"/>":
        return None
    end = xml.index(b"</" + p + b"sheetData>", data.end())
    row_re = re.compile(rb"<" + re.escape(p) + rb"row\b([^>]*?)(/>|>(.*?)</" + re.escape(p) +
                        rb"row>)", re.S)
    cell_re = re.compile(rb"<" + re.escape(p) + rb"c\b([^>]*?)(/>|>(.*?)</" + re.escape(p) +
                         rb"c>)", re.S)
    for row in row_re.finditer(xml, data.end(), end):
        number = _attrs(row.group(1)).get(b"r")
        if number is None:
            raise _Unknown(ref)
        if int(number) != row_no + 1:
            continue
        if row.group(2) == b"/>":
            return None
        for cell in cell_re.finditer(xml, row.start(3), row.end(3)):
            here = _attrs(cell.group(1)).get(b"r")
            if here is None:
                raise _Unknown(ref)
            if xl_cell_to_rowcol(here.decode())[1] == col:
                return cell
        return None
    return None


def _summed(cell: re.Match[bytes] | None) -> int:
    """What SUM over a reference takes from a cell: its number, 0 for a blank, text or a
    logical value; :class:`_Unknown` for an error, an uncalculated formula or a fraction."""
    if cell is None or cell.group(2) == b"/>":
        return 0
    kind = _attrs(cell.group(1)).get(b"t", b"n")
    if kind in (b"s", b"str", b"inlineStr", b"b"):
        return 0
    if kind != b"n":  # e (an error) or d (a date)
        raise _Unknown
    content = cell.group(3) or b""
    v = re.search(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>", content)
    if v is None:
        if re.search(rb"<(?:\w+:)?f\b", content):
            raise _Unknown
        return 0
    try:
        number = Decimal(v.group(1).decode().strip())
    except InvalidOperation:
        raise _Unknown from None
    if not number.is_finite() or number != number.to_integral_value():
        raise _Unknown
    return int(number)


# --- the workbook part: recalculate on opening --------------------------------------------

def full_calc_on_load(xml: bytes) -> bytes:
    """``xl/workbook.xml`` with ``fullCalcOnLoad="1"`` on ``<calcPr>`` (added if missing)."""
    head = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?workbook\b", xml)
    p = head.group(1) + b":" if head and head.group(1) else b""
    calc = re.search(rb"<" + re.escape(p) + rb"calcPr\b([^>]*?)(/?>)", xml)
    if calc:
        attrs = calc.group(1)
        flag = re.search(rb'\sfullCalcOnLoad\s*=\s*("[^"]*"|\'[^\']*\')', attrs)
        if flag:
            attrs = attrs[:flag.start()] + b' fullCalcOnLoad="1"' + attrs[flag.end():]
        else:
            attrs = attrs.rstrip() + b' fullCalcOnLoad="1"'
        new = b"<" + p + b"calcPr" + attrs + calc.group(2)
        return xml[:calc.start()] + new + xml[calc.end():]
    tag = b"<" + p + b'calcPr fullCalcOnLoad="1"/>'
    for name in _AFTER_CALC_PR:
        after = re.search(rb"<" + re.escape(p) + name.encode() + rb"\b", xml)
        if after:
            return xml[:after.start()] + tag + xml[after.start():]
    close = xml.rindex(b"</" + p + b"workbook>")
    return xml[:close] + tag + xml[close:]


def _drop_calc_chain(zin: zipfile.ZipFile, replaced: dict[str, bytes]) -> set[str]:
    """A formula was overwritten: Excel rebuilds the calculation chain, a stale one it repairs."""
    if "xl/calcChain.xml" not in zin.namelist():
        return set()
    types = zin.read("[Content_Types].xml")
    replaced["[Content_Types].xml"] = re.sub(
        rb"<(?:\w+:)?Override\b[^>]*?PartName=\"/xl/calcChain\.xml\"[^>]*?/>", b"", types)
    rels = replaced.get("xl/_rels/workbook.xml.rels") or zin.read("xl/_rels/workbook.xml.rels")
    replaced["xl/_rels/workbook.xml.rels"] = re.sub(
        rb"<(?:\w+:)?Relationship\b[^>]*?Target=\"(?:/xl/)?calcChain\.xml\"[^>]*?/>", b"", rels)
    return {"xl/calcChain.xml"}


# --- the file: temp, backup, replace --------------------------------------------------------

def _write_atomic(target: Path, zin: zipfile.ZipFile, replaced: dict[str, bytes],
                  dropped: set[str]) -> None:
    backup = backup_path(target)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        with zipfile.ZipFile(tmp, "w") as zout:
            zout.comment = zin.comment
            for info in zin.infolist():
                if info.filename in dropped:
                    continue
                data = replaced.get(info.filename)
                zout.writestr(_copy_info(info), zin.read(info) if data is None else data)
        shutil.copymode(target, tmp)
        _copy_atomic(target, backup)
        os.replace(tmp, target)
    except PermissionError:
        raise InputError(target, IN_USE) from None
    except OSError as exc:
        raise InputError(target, errors.WRITE_FAILED, detail=errors.os_reason(exc)) from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The member's name, time, attributes and compression method, for writing anew."""
    out = zipfile.ZipInfo(info.filename, info.date_time)
    out.compress_type = info.compress_type
    out.external_attr = info.external_attr
    out.create_system = info.create_system
    out.comment = info.comment
    return out


def _copy_atomic(source: Path, dest: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copy2(source, tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
