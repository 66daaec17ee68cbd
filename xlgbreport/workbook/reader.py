"""Read a report out of a workbook made from the template, safely and without changing it.

Cells are found through the template's defined names (``xlg_…``), falling back to the default
layout, so a clerk's inserted row does not shift what is read. A workbook is untrusted data:
its size, unzip ratio, cell count and the extent of each sheet read are bounded before a
reader parses it (:mod:`.bounds`; openpyxl parses with defusedxml).
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # a compiled extension: xlwings Lite (Pyodide) has none; then openpyxl reads everything
    from python_calamine import CalamineWorkbook as _Calamine
    CalamineWorkbook: type[_Calamine] | None = _Calamine
except ImportError:
    CalamineWorkbook = None

from .. import errors
from ..core.gb2021 import SCHEMA, CellKey
from ..core.model import Invalid, Number, Report, is_number
from ..core.reasons import MAX_REASONS, collect
from ..errors import InputError
from ..files import bounds, cells, paths
from ..files.bounds import LIMITS, Limits
from ..files.cells import cell_value
from . import names
from .layout import REASON_FIRST_ROW, REASON_SHEET, REQUIRED_SHEETS, Layout

log = logging.getLogger(__name__)
#: Fast reads that fell back to openpyxl in this process, by reason ("open", "sheet", "values").
FALLBACKS: Counter[str] = Counter()
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


def guard(path: Path, limits: Limits = LIMITS) -> bytes:
    """Refuse what is not a plain, reasonably sized .xlsx, with a message a clerk can act on;
    the file's bytes otherwise, read once (only from a regular file: see :mod:`.paths`).
    Readers then judge the file by these bytes, as the guard did, not by its name."""
    data, zf = _guarded(path, limits)
    zf.close()
    return data


def _guarded(path: Path, limits: Limits) -> tuple[bytes, zipfile.ZipFile]:
    """:func:`guard`, and the zip over the bytes, open for the reader (which closes it)."""
    data, size = paths.read_regular(path, limits.max_bytes)
    if size == 0:
        raise InputError(path, errors.EMPTY)
    if size > limits.max_bytes or len(data) > limits.max_bytes:
        raise InputError(path, errors.TOO_LARGE, size=_mb(max(size, len(data))),
                         limit=_mb(limits.max_bytes))
    if data.startswith(OLE2_MAGIC):
        # An OLE2 container: a legacy .xls/.et, or an .xlsx encrypted with a password.
        raise InputError(path, errors.ENCRYPTED if ENCRYPTED_MARK in data[:4 * 1024 * 1024]
                         else errors.OLD_FORMAT)
    if not data.startswith(b"PK"):
        raise InputError(path, errors.NOT_A_WORKBOOK)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise InputError(path, errors.CORRUPT) from None
    infos = zf.infolist()
    unzipped = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        zf.close()
        raise InputError(path, errors.NOT_A_WORKBOOK)
    if unzipped > limits.max_unzipped or unzipped / packed > limits.max_ratio:
        zf.close()
        raise InputError(path, errors.ZIP_BOMB, ratio=unzipped / packed)
    return data, zf


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def read(path: str | Path, limits: Limits = LIMITS, fast: bool = False) -> Report:
    """The report in a workbook; raises :class:`InputError` when it cannot be read at all.

    ``fast`` reads values with python-calamine (tens of times faster than openpyxl) and falls
    back to openpyxl when a value is not known without formulas: a total with no calculated
    value (a file saved by a tool that does not calculate) or a workbook marked for
    recalculation. Fast reads are for checking; exports take the exact path (the fee's
    number format tells how many decimals were given).
    """
    path = Path(path)
    data, zf = _guarded(path, limits)
    with zf:
        book, layout = _bounded(path, zf, limits)
        if fast and not book.with_errors():  # only report sheets are scanned so far
            report = _read_fast(path, limits, data, layout)
            if report is not None:
                return report
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = _openpyxl().load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                            keep_links=False)
        except Exception:  # openpyxl raises many types for damaged parts
            raise InputError(path, errors.CORRUPT) from None
        try:
            return _read(path, wb, limits, data, book)
        finally:
            wb.close()


def _bounded(path: Path, zf: zipfile.ZipFile, limits: Limits) -> tuple[bounds.Book, Layout]:
    """The workbook's sheets and layout, its report sheets scanned and within ``limits``:
    before any reader builds a grid."""
    book = bounds.Book.open(path, zf)
    missing = [s for s in REQUIRED_SHEETS if s not in book.sheets]
    if missing:
        raise InputError(path, errors.WRONG_TEMPLATE, missing="、".join(missing))
    layout = names.layout_from_names(names.defined_names(book.names, list(book.sheets)))
    book.bound(_sheets(layout) | ({REASON_SHEET} & set(book.sheets)), limits)
    book.bound_strings(limits)
    return book, layout


def _sheets(layout: Layout) -> set[str]:
    """The sheets a report is read from."""
    return _plan(layout).sheets


def _read(path: Path, wb, limits: Limits, data: bytes, book: bounds.Book) -> Report:
    from .formulas import derived_formula  # the 校验 sheet's compiler: exact reads only

    missing = [s for s in REQUIRED_SHEETS if s not in wb.sheetnames]
    if missing:
        raise InputError(path, errors.WRONG_TEMPLATE, missing="、".join(missing))
    layout = names.locate(wb)
    book.bound(_sheets(layout), limits)  # the same sheets as the fast path, unless names differ
    grid = _Grid(wb, layout, path, limits)
    report = Report(where=layout.where())
    formulas: dict[CellKey, str] = {}
    for key in SCHEMA.keys:
        raw, number_format = grid.get(layout.cells[key])
        if isinstance(raw, str) and raw.startswith("="):
            if SCHEMA.is_derived(key) and _same_formula(raw, derived_formula(key, layout)):
                continue  # the template's own total: computed from the parts
            formulas[key] = raw
            continue
        report.cells[key] = cell_value(raw, number_format, amount=key[2] == "amount")
    if formulas:  # the clerk's own formulas: take the values Excel last calculated
        cached = _Grid(_open_values(path, data), layout, path, limits)
        for key in formulas:
            raw, number_format = cached.get(layout.cells[key])
            # No cached value (the file was saved by a program that does not calculate, such
            # as openpyxl): the formula itself is kept, so it is reported as not a number.
            report.cells[key] = (Invalid(formulas[key]) if raw is None else
                                 cell_value(raw, number_format, amount=key[2] == "amount"))
    meta = {f.id: grid.get(layout.meta[f.id])[0] for f in SCHEMA.meta}
    report.org = cells.text(meta.pop("org"))
    report.year = cells.year(meta.pop("year"))
    report.meta = {k: cells.text(v) for k, v in meta.items()}
    report.text = {f.id: cells.text(grid.get(layout.text[f.id])[0]) for f in SCHEMA.text}
    if REASON_SHEET in wb.sheetnames:
        try:
            report.reasons = collect(wb[REASON_SHEET].iter_rows(
                min_row=REASON_FIRST_ROW + 1, max_row=REASON_FIRST_ROW + MAX_REASONS, max_col=3,
                values_only=True))
        except Exception:  # damaged sheet XML, as in _Grid
            raise InputError(path, errors.CORRUPT) from None
    return report


def _open_values(path: Path, data: bytes):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _openpyxl().load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                          keep_links=False)
    except Exception:  # as in read(): openpyxl raises many types for damaged parts
        raise InputError(path, errors.CORRUPT) from None


def _same_formula(a: str, b: str) -> bool:
    def norm(f: str) -> str:
        return re.sub(r"[\s$']", "", f).upper()

    return norm(a) == norm(b)


def _openpyxl():
    """openpyxl, imported when a file first needs the exact reader: it takes longer to import
    than a batch of ordinary workbooks takes to read (python-calamine reads those)."""
    import openpyxl

    return openpyxl


class _Grid:
    """The cells of the sheets a report needs, read once, row by row, up to the last one used."""

    def __init__(self, wb, layout: Layout, path: Path, limits: Limits) -> None:
        want: dict[str, tuple[int, int]] = {}
        for sheet, (r, c) in [*layout.cells.values(), *layout.meta.values(), *layout.text.values()]:
            rows, cols = want.get(sheet, (0, 0))
            want[sheet] = (max(rows, r + 1), max(cols, c + 1))
        self.cells: dict[tuple[str, int, int], tuple[Any, str]] = {}
        budget = limits.max_cells
        for sheet, (rows, cols) in want.items():
            budget -= rows * cols
            if budget < 0:
                raise InputError(path, errors.TOO_MANY_CELLS, limit=limits.max_cells)
            try:  # read-only sheets are parsed here, lazily: damaged XML surfaces now
                self._read_sheet(wb[sheet], sheet, rows, cols)
            except Exception:
                raise InputError(path, errors.CORRUPT) from None

    def _read_sheet(self, ws, sheet: str, rows: int, cols: int) -> None:
        for r, row in enumerate(ws.iter_rows(min_row=1, max_row=rows, max_col=cols)):
            for c, cell in enumerate(row):
                value = getattr(cell, "value", None)
                if value is not None:
                    self.cells[(sheet, r, c)] = (value, getattr(cell, "number_format", ""))

    def get(self, where: tuple[str, tuple[int, int]]) -> tuple[Any, str]:
        sheet, (r, c) = where
        return self.cells.get((sheet, r, c), (None, ""))


def _fall_back(path: Path, reason: str, exc: Exception) -> None:
    """Count and log (INFO, with the traceback) a fast read that gave up: openpyxl reads the file
    instead, slower, and says precisely what is wrong if anything is."""
    FALLBACKS[reason] += 1
    log.info("%s: fast reader fell back to openpyxl (%s)", path.name, reason, exc_info=exc)


def _read_fast(path: Path, limits: Limits, data: bytes | None = None,
               layout: Layout | None = None) -> Report | None:
    """Values through python-calamine; None when only openpyxl can tell (see :func:`read`).
    Called alone, it checks the file and its bounds first, as :func:`read` does."""
    if CalamineWorkbook is None:
        return None
    if data is None or layout is None:
        data, zf = _guarded(path, limits)
        with zf:
            book, layout = _bounded(path, zf, limits)
        if book.with_errors():
            return None
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # let the exact reader give the precise message
        _fall_back(path, "open", exc)
        return None
    missing = [s for s in REQUIRED_SHEETS if s not in wb.sheet_names]
    if missing:
        raise InputError(path, errors.WRONG_TEMPLATE, missing="、".join(missing))
    grids: dict[str, tuple[int, int, list[list[Any]]]] = {}
    budget = limits.max_cells
    for sheet in _sheets(layout):
        try:
            ws = wb.get_sheet_by_name(sheet)
        except Exception as exc:  # damaged sheet XML: the exact reader gives the message
            _fall_back(path, "sheet", exc)
            return None
        r0, c0 = ws.start or (0, 0)
        budget -= ws.height * ws.width
        if budget < 0:
            raise InputError(path, errors.TOO_MANY_CELLS, limit=limits.max_cells)
        try:
            grids[sheet] = (r0, c0, ws.to_python())
        except Exception as exc:
            _fall_back(path, "values", exc)
            return None

    def get(where: tuple[str, tuple[int, int]]) -> Any:
        r0, c0, rows = grids[where[0]]
        r, c = where[1][0] - r0, where[1][1] - c0
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
            value = rows[r][c]
            return None if value == "" else value
        return None

    report = Report(where=layout.where())
    values = report.cells
    for key, sheet, r, c, amount in _plan(layout).cells:  # get(), inlined: 200 cells a file
        r0, c0, rows = grids[sheet]
        r, c = r - r0, c - c0
        raw = rows[r][c] if 0 <= r < len(rows) and 0 <= c < len(rows[r]) else None
        if type(raw) is float and raw.is_integer() and not amount:
            values[key] = int(raw)  # calamine gives every number as a float: no Decimal for a count
        else:
            values[key] = cell_value(None if raw == "" else raw, amount=amount)
    if not _totals_shown(values):
        # A total typed over, a formula without a calculated value, or a stale one: only
        # the formulas themselves tell which, so read this file the exact way.
        return None
    for key in SCHEMA.derived_keys:  # every total shows the sum of its parts: the template's formula
        del values[key]
    meta = {f.id: get(layout.meta[f.id]) for f in SCHEMA.meta}
    report.org = cells.text(meta.pop("org"))
    report.year = cells.year(meta.pop("year"))
    report.meta = {k: cells.text(v) for k, v in meta.items()}
    report.text = {f.id: cells.text(get(layout.text[f.id])) for f in SCHEMA.text}
    if REASON_SHEET in wb.sheet_names:
        try:
            ws = wb.get_sheet_by_name(REASON_SHEET)
            r0, c0 = ws.start or (0, 0)
            end = REASON_FIRST_ROW + MAX_REASONS - r0  # in the grid's rows, which start at r0
            grid = ws.to_python(nrows=end) if end > 0 else []
        except Exception as exc:
            _fall_back(path, "sheet", exc)
            return None
        report.reasons = collect(tuple(_pad(row, c0)[:3])
                                 for row in grid[max(REASON_FIRST_ROW - r0, 0):end])
    return report


def _pad(row: list[Any], c0: int) -> list[Any]:
    """A calamine row from column A on (it starts at the sheet's first used column)."""
    return [None] * c0 + [None if v == "" else v for v in row]


@dataclass(frozen=True)
class _Plan:
    """What reading a layout takes, worked out once per layout (every file made from the
    template shares the default one): the sheets, and each table cell's key, place and whether
    it is an amount, in schema order."""

    sheets: set[str]
    cells: tuple[tuple[CellKey, str, int, int, bool], ...]


def _plan(layout: Layout) -> _Plan:
    plan = layout.__dict__.get("_reading")
    if plan is None:
        places = [*layout.cells.values(), *layout.meta.values(), *layout.text.values()]
        plan = _Plan({s for s, _ in places},
                     tuple((key, sheet, r, c, key[2] == "amount")
                           for key in SCHEMA.keys for sheet, (r, c) in [layout.cells[key]]))
        layout.__dict__["_reading"] = plan
    return plan


#: Each total with the cells its SUM formula reads.
_TOTALS = tuple((key, SCHEMA.parts(key)) for key in SCHEMA.derived_keys)


def _totals_shown(cells: dict[CellKey, Any]) -> bool:
    """Whether every total shows what the template's SUM formula gives for the cells it reads
    (:func:`~xlgbreport.workbook.formulas.shown_total`, inlined: it runs on every file)."""
    for key, parts in _TOTALS:
        total: Number = 0
        for part in parts:
            value = cells.get(part)
            if type(value) is int or is_number(value):
                total += value
        if cells[key] != total:
            return False
    return True
