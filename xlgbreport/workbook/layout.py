"""Where every part of the report sits in the template workbook, derived from the schema.

Positions are 0-based (row, col) as XlsxWriter takes them. Each table row, cover field
and text section also gets a defined name (``xlg_…``), so that readers find cells by name
and still work after a clerk inserts a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby

from ..core.formats import Format
from ..core.gb2021 import APPEALS, PROACTIVE, REQUESTS, SCHEMA, CellKey, Row
from ..core.tables import text_key, where_key

COVER_SHEET = "封面"
TEXT_SHEET = "文字说明"
CHECK_SHEET = "校验"
CONF_SHEET = "xlwings.conf"
REASON_SHEET = "核实说明"  # the clerk's reasons for warnings (workbook.reason_sheet); optional
REASON_FIRST_ROW = 3  # 0-based: its title, hint and column names above the reasons
UDF_SHEET = "Python校验"  # the xlwings functions at work; optional, like CONF_SHEET
REQUIRED_SHEETS = (COVER_SHEET, PROACTIVE.sheet, REQUESTS.sheet, APPEALS.sheet, TEXT_SHEET)

Pos = tuple[int, int]


def xl_rowcol_to_cell(row: int, col: int, row_abs: bool = False, col_abs: bool = False) -> str:
    """``xlsxwriter.utility.xl_rowcol_to_cell``, without importing XlsxWriter on every read (a
    third of ``validate``'s start-up): (0, 0) → ``A1``. A negative position (a hostile defined
    name's row 0) is left to XlsxWriter, which warns and gives ``""``."""
    if row < 0 or col < 0:
        from xlsxwriter.utility import xl_rowcol_to_cell as xlsxwriter_cell

        return xlsxwriter_cell(row, col, row_abs, col_abs)
    letters, n = "", col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{'$' if col_abs else ''}{letters}{'$' if row_abs else ''}{row + 1}"


def quote_sheetname(name: str) -> str:
    """``xlsxwriter.utility.quote_sheetname``, imported when a formula is written."""
    from xlsxwriter.utility import quote_sheetname as quote

    return quote(name)


@dataclass(frozen=True)
class Area:
    """A rectangle on one sheet (inclusive, 0-based)."""

    sheet: str
    first: Pos
    last: Pos

    def ref(self, absolute: bool = True) -> str:
        a = xl_rowcol_to_cell(*self.first, row_abs=absolute, col_abs=absolute)
        if self.first == self.last:
            return f"{quote_sheetname(self.sheet)}!{a}"
        b = xl_rowcol_to_cell(*self.last, row_abs=absolute, col_abs=absolute)
        return f"{quote_sheetname(self.sheet)}!{a}:{b}"


@dataclass
class Layout:
    """Cell positions of one workbook; the default comes from :func:`default_layout`."""

    cells: dict[CellKey, tuple[str, Pos]] = field(default_factory=dict)
    meta: dict[str, tuple[str, Pos]] = field(default_factory=dict)
    text: dict[str, tuple[str, Pos]] = field(default_factory=dict)
    names: dict[str, Area] = field(default_factory=dict)
    widths: dict[CellKey, int] = field(default_factory=dict)  # merged value cells: extra columns
    #: Beside a cell, last year's value for reference (a rolled-over workbook); not read back.
    reference: dict[CellKey, tuple[str, Pos]] = field(default_factory=dict)

    def a1(self, key: CellKey, sheet: bool = True) -> str:
        """The cell's A1 reference, with its sheet unless ``sheet`` is False."""
        name, pos = self.cells[key]
        cell = xl_rowcol_to_cell(*pos)
        return f"{quote_sheetname(name)}!{cell}" if sheet else cell

    def where(self) -> dict[str, str]:
        """``Report.where`` for a report read from this layout (a fresh copy each time; built
        once per layout, as every file made from the template shares the default one)."""
        memo = self.__dict__.get("_where")
        if memo is None:
            memo = {where_key(k): f"{s}!{xl_rowcol_to_cell(*p)}" for k, (s, p) in self.cells.items()}
            memo.update({k: f"{s}!{xl_rowcol_to_cell(*p)}" for k, (s, p) in self.meta.items()})
            memo.update({text_key(k): f"{s}!{xl_rowcol_to_cell(*p)}"
                         for k, (s, p) in self.text.items()})
            self.__dict__["_where"] = memo
        return dict(memo)


def row_name(table_id: str, row_id: str) -> str:
    return "xlg_" + table_id + "_" + re.sub(r"\W", "_", row_id)


def default_layout() -> Layout:
    lay = Layout()
    for i, f in enumerate(SCHEMA.meta):
        lay.meta[f.id] = (COVER_SHEET, (2 + i, 1))
        lay.names[f"xlg_{f.id}"] = Area(COVER_SHEET, (2 + i, 1), (2 + i, 1))
    for i, f in enumerate(SCHEMA.text):
        lay.text[f.id] = (TEXT_SHEET, (2 + i, 1))
        lay.names[f"xlg_text_{f.id}"] = Area(TEXT_SHEET, (2 + i, 1), (2 + i, 1))
    _proactive(lay)
    _requests(lay)
    _appeals(lay)
    return lay


PROACTIVE_WIDTH = 3  # value columns B:D; a one-field row spans all three
REFERENCE_COLUMNS = ("in_force",)  # 现行有效件数: last year's shown in column E after a rollover


def proactive_rows() -> list[tuple[int, str, list[Row]]]:
    """Blocks of table 二 with the sheet row of their title: (row, block title, rows)."""
    out: list[tuple[int, str, list[Row]]] = []
    r = 1
    for block, grouped in groupby(PROACTIVE.rows, key=lambda row: row.block):
        rows = list(grouped)
        out.append((r, block, rows))
        r += 2 + len(rows)
    return out


def _proactive(lay: Layout) -> None:
    sheet = PROACTIVE.sheet
    for r, _block, rows in proactive_rows():
        for i, row in enumerate(rows):
            rr = r + 2 + i
            for j, col in enumerate(row.columns):
                key = (PROACTIVE.id, row.id, col.id)
                lay.cells[key] = (sheet, (rr, 1 + j))
                if len(row.columns) == 1:
                    lay.widths[key] = PROACTIVE_WIDTH - 1
                if col.id in REFERENCE_COLUMNS:
                    lay.reference[key] = (sheet, (rr, 1 + PROACTIVE_WIDTH))
            last = 1 + len(row.columns) - 1
            lay.names[row_name(PROACTIVE.id, row.id)] = Area(sheet, (rr, 1), (rr, last))
    first, _, _ = proactive_rows()[0]
    lay.names["xlg_proactive"] = Area(sheet, (first + 2, 1), (lay.cells[_last(PROACTIVE)][1][0], 3))


REQUESTS_FIRST_ROW = 4  # rows 0-3: title and the three header rows
REQUESTS_LABEL_COLS = 3  # A:C hold the row labels


def _requests(lay: Layout) -> None:
    sheet = REQUESTS.sheet
    for i, row in enumerate(REQUESTS.rows):
        r = REQUESTS_FIRST_ROW + i
        for j, col in enumerate(row.columns):
            lay.cells[(REQUESTS.id, row.id, col.id)] = (sheet, (r, REQUESTS_LABEL_COLS + j))
        lay.names[row_name(REQUESTS.id, row.id)] = Area(
            sheet, (r, REQUESTS_LABEL_COLS), (r, REQUESTS_LABEL_COLS + len(row.columns) - 1))
    last = REQUESTS_FIRST_ROW + len(REQUESTS.rows) - 1
    lay.names["xlg_requests"] = Area(sheet, (REQUESTS_FIRST_ROW, REQUESTS_LABEL_COLS),
                                     (last, REQUESTS_LABEL_COLS + len(REQUESTS.rows[0].columns) - 1))


APPEALS_DATA_ROW = 4  # rows 0-3: title, two group header rows, the field labels


def _appeals(lay: Layout) -> None:
    sheet = APPEALS.sheet
    c = 0
    for row in APPEALS.rows:
        start = c
        for col in row.columns:
            lay.cells[(APPEALS.id, row.id, col.id)] = (sheet, (APPEALS_DATA_ROW, c))
            c += 1
        lay.names[row_name(APPEALS.id, row.id)] = Area(sheet, (APPEALS_DATA_ROW, start),
                                                       (APPEALS_DATA_ROW, c - 1))
    lay.names["xlg_appeals"] = Area(sheet, (APPEALS_DATA_ROW, 0), (APPEALS_DATA_ROW, c - 1))


def _last(table) -> CellKey:
    row = table.rows[-1]
    return (table.id, row.id, row.columns[-1].id)


def sum_formula(refs: list[tuple[str, Pos]], home: str) -> str:
    """``SUM`` over cells, with runs of neighbours written as ranges (D7:D27)."""
    return f"SUM({','.join(ranges(refs, home))})"


def ranges(refs: list[tuple[str, Pos]], home: str) -> list[str]:
    """Cell references, consecutive cells in one row or column folded into one range.

    References on ``home`` (the sheet the formula lives on) carry no sheet name."""
    out: list[str] = []
    i = 0
    while i < len(refs):
        sheet, (r, c) = refs[i]
        j = i
        for step in ((1, 0), (0, 1)):
            while j + 1 < len(refs) and refs[j + 1] == (sheet, (r + step[0] * (j + 1 - i),
                                                                c + step[1] * (j + 1 - i))):
                j += 1
            if j > i:
                break
        prefix = "" if sheet == home else f"{quote_sheetname(sheet)}!"
        a = xl_rowcol_to_cell(r, c)
        out.append(prefix + (a if j == i else f"{a}:{xl_rowcol_to_cell(*refs[j][1])}"))
        i = j + 1
    return out


LAYOUT = default_layout()
#: The formats with a template workbook, by format id; the 2019 trial format has none.
LAYOUTS: dict[str, Layout] = {"gb2021": LAYOUT}


def layout_for(fmt: Format) -> Layout | None:
    """Where ``fmt``'s cells sit in its template workbook; None: its reports are read and checked,
    never written as a workbook."""
    return LAYOUTS.get(fmt.id)
