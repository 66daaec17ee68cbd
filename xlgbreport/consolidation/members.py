"""The mark a consolidated workbook carries, so that no later run counts it as a unit: the
defined name ``xlg_summary`` over a hidden sheet listing its members (unit, 类别, content digest,
and the summary each came through). Defined names and hidden sheets both survive saving in
Excel, WPS and LibreOffice; the name is what is looked for, the sheet what is read.

The digest is the consolidation's content digest (org, year and input cells, as
``gather.Entry.digest``), not the file's bytes: a file's hash changes whenever it is opened and
saved again, its content's does not.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MARK = "xlg_summary"
SHEET = "汇总成员"
#: Every consolidated workbook's status sheet: a summary written before the mark has it too.
STATUS_SHEET = "汇总状态"
HEADERS = ("单位", "类别", "内容摘要", "所属汇总")
MAX_MEMBERS = 100_000  # a province's bodies, with room; more is not a summary
MAX_BOOK_XML = 4 << 20  # the workbook part that holds the names
_MARKED = re.compile(rb"<(?:\w+:)?definedName\b[^<>]*\bname=\"" + MARK.encode() + rb"\"|"
                     rb"<(?:\w+:)?sheet\b[^<>]*\bname=\"" + STATUS_SHEET.encode() + rb"\"")
#: One member: its org, 类别, content digest and the summary it came through ("" when direct).
Member = tuple[str, str, str, str]


def write(wb: Any, members: Iterable[Member], header: Any, sheet: Any = None) -> None:
    """Add the hidden member sheet and the mark to a workbook being written (XlsxWriter):
    to ``sheet`` when given (a sheet written row by row, ``sheets.streamed``: one row a unit)."""
    ws = sheet if sheet is not None else wb.add_worksheet(SHEET)
    ws.write_row(0, 0, HEADERS, header)
    r = 0
    for r, member in enumerate(members, 1):
        for c, text in enumerate(member):
            if text:
                ws.write_string(r, c, text)
    ws.hide()
    wb.define_name(MARK, f"='{SHEET}'!$A$1:$D${max(r, 1) + 1}")


def marked(path: str | Path) -> bool:
    """Whether ``path`` is a workbook carrying the mark, or a status sheet (a summary written
    before the mark, whose members are not known); any other file: no."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > MAX_BOOK_XML:
                return False
            return _MARKED.search(z.read(info)) is not None
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return False


def read(path: str | Path) -> tuple[tuple[str, str], ...] | None:
    """The members (org, digest) of a marked workbook, None when it is not one. Called only
    on a workbook the reader has already passed (size and unzip ratio bounded)."""
    if not marked(path):
        return None
    try:
        from python_calamine import CalamineWorkbook  # the reader's own dependency

        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name(SHEET).iter_rows()
        next(rows, None)  # the header
        out: list[tuple[str, str]] = []
        for row in rows:
            if len(out) >= MAX_MEMBERS:
                break
            name = str(row[0]).strip() if row and row[0] not in (None, "") else ""
            digest = str(row[2]).strip() if len(row) > 2 and row[2] not in (None, "") else ""
            if name:
                out.append((name, digest))
        book.close()
        return tuple(out)
    except Exception:  # no calamine (Pyodide) or no readable sheet: a summary, members unknown
        return ()
