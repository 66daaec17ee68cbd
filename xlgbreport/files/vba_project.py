"""A workbook's VBA project, carried from last year's .xlsm into the new one.

Offices on the per-workbook route import xlwings' functions (and the buttons' module) into their
workbook once: that VBA lives in ``xl/vbaProject.bin``. ``rollover LAST.xlsm -o NEXT.xlsm`` and
``new --like FILE.xlsm`` copy that part byte for byte (XlsxWriter embeds it), with the code names
the VBA knows each sheet by, so the work is not redone every year. A VBA project is never
dropped silently: an .xlsm source with an .xlsx output is refused, and so is an .xlsm output
without a VBA project (Excel would refuse to open it).
"""

from __future__ import annotations

import io
import itertools
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import errors
from ..errors import InputError, Message, OutputError
from .bounds import _elements as elements  # validate's own parser of small parts

PROJECT_PART = "xl/vbaProject.bin"
SIGNATURE_PART = "xl/vbaProjectSignature.bin"
MACRO_SUFFIX = ".xlsm"
VBA_DROPPED = Message("output.vba_dropped", "含有宏（VBA），输出文件须为 .xlsm，否则宏会丢失：请把输出文件名改为 {name}")
NO_VBA = Message("output.no_vba", "不含宏（VBA），不能保存为 .xlsm：请把输出文件名改为 {name}")
NEW_NO_VBA = Message("output.new_no_vba", "新工作簿不含宏（VBA），不能保存为 .xlsm：请把输出文件名改为 {name}，或用 --like 指定带宏的工作簿")
#: The buttons drawn on 封面 of an .xlsm: (macro, caption). The macros are those of
#: ``xlgbreport/excel/bas/XlgButtons.bas`` (the Excel layer), which docs/excel.md has the office import once.
BUTTONS = (("XlgCheck", "校验"), ("XlgCarryOver", "结转上年数据"), ("XlgReport", "生成报告"))
BUTTON_SIZE = (130, 32)  # pixels

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
#: Elements as expat names them (``namespace local-name``).
_SHEET, _WORKBOOK_PR = f"{_MAIN} sheet", f"{_MAIN} workbookPr"
_BOOK = frozenset({_SHEET, _WORKBOOK_PR})
_SHEET_PR = frozenset({f"{_MAIN} sheetPr"})
_RELATIONSHIP = frozenset({f"{_PKG} Relationship"})


@dataclass(frozen=True)
class VbaProject:
    """The VBA part as found, and the code names that tie its modules to the workbook's sheets."""

    data: bytes
    signature: bytes | None = None
    workbook_code_name: str | None = None
    sheet_code_names: dict[str, str] = field(default_factory=dict)  # sheet name -> code name


def read(path: Path, data: bytes | None = None) -> VbaProject | None:
    """The VBA project of a workbook already passed through the reader's guard (``data``: the
    bytes it read, so the file judged is the file used), or None. Its XML goes through
    validate's parser (expat, no DOCTYPE); a part that cannot be read (a DOCTYPE, a broken zlib
    stream, a bad CRC) is the one line of a corrupt workbook, as validate says it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
            names = set(zf.namelist())
            if PROJECT_PART not in names:
                return None
            project = zf.read(PROJECT_PART)
            signature = zf.read(SIGNATURE_PART) if SIGNATURE_PART in names else None
            book, sheets = _code_names(zf, names)
    except Exception:  # zlib, zipfile, expat and the DOCTYPE refusal raise unrelated types
        raise InputError(path, errors.CORRUPT) from None
    return VbaProject(project, signature, book, sheets)


def _code_names(zf: zipfile.ZipFile, names: set[str]) -> tuple[str | None, dict[str, str]]:
    book = elements(zf.read("xl/workbook.xml"), _BOOK)
    pr = next((attrs for tag, attrs, _ in book if tag == _WORKBOOK_PR), {})
    rels: dict[str | None, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for _, rel, _ in elements(zf.read("xl/_rels/workbook.xml.rels"), _RELATIONSHIP):
            target = rel.get("Target", "")  # relative to xl/, or absolute in the package
            rels[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                   else posixpath.normpath(posixpath.join("xl", target)))
    sheets: dict[str, str] = {}
    for tag, sheet, _ in book:
        part = rels.get(sheet.get(f"{_REL} id")) if tag == _SHEET else None
        if part is not None and part in names:
            sheet_pr = elements(zf.read(part), _SHEET_PR)
            code_name = sheet_pr[0][1].get("codeName") if sheet_pr else None
            if code_name:
                sheets[sheet.get("name", "")] = code_name
    return pr.get("codeName"), sheets


def check_output(source: Path | None, vba: VbaProject | None, output: Path) -> None:
    """Refuse an output whose type does not match what it will hold."""
    macro = output.suffix.lower() == MACRO_SUFFIX
    if vba is not None and not macro:
        raise OutputError(source, VBA_DROPPED, name=output.with_suffix(MACRO_SUFFIX).name)
    if vba is None and macro:
        name = output.with_suffix(".xlsx").name
        raise OutputError(source, NO_VBA, name=name) if source else OutputError(None, NEW_NO_VBA, name=name)


def embed(wb, vba: VbaProject) -> None:
    """Put the VBA project into an XlsxWriter workbook whose sheets are all added, with the code
    names its modules know; a sheet the project does not know gets an unused ``SheetN``."""
    if vba.signature is not None:
        wb.add_signed_vba_project(io.BytesIO(vba.data), io.BytesIO(vba.signature), True, True)
    else:
        wb.add_vba_project(io.BytesIO(vba.data), is_stream=True)
    wb.set_vba_name(vba.workbook_code_name or "ThisWorkbook")
    used = set(vba.sheet_code_names.values())
    spare = (f"Sheet{n}" for n in itertools.count(1) if f"Sheet{n}" not in used)
    for ws in wb.worksheets():
        ws.set_vba_name(vba.sheet_code_names.get(ws.name) or next(spare))


def draw_buttons(ws, row: int, col: int) -> None:
    """The three buttons side by side from (row, col), each linked to its standard macro."""
    width, height = BUTTON_SIZE
    for i, (macro, caption) in enumerate(BUTTONS):
        ws.insert_button(row, col, {"macro": macro, "caption": caption, "width": width,
                                    "height": height, "x_offset": 4 + i * (width + 10),
                                    "y_offset": 4})
