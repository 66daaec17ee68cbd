"""Read a report out of a workbook made from the template, safely and without changing it.

Cells are found through the template's defined names (``xlg_…``), falling back to the default
layout, so a clerk's inserted row does not shift what is read. A workbook is untrusted data:
its size, unzip ratio and cell count are bounded before openpyxl parses it (with defusedxml).
"""

from __future__ import annotations

import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import range_boundaries

from . import errors
from .errors import InputError
from .excel_formulas import derived_formula
from .layout import LAYOUT, REQUIRED_SHEETS, Area, Layout, row_name
from .model import Invalid, Report, Value
from .schema import SCHEMA, TABLES, CellKey


@dataclass(frozen=True)
class Limits:
    """What one untrusted file may cost."""

    max_bytes: int = 20 * 1024 * 1024
    max_unzipped: int = 200 * 1024 * 1024
    max_ratio: float = 200.0
    max_cells: int = 2_000_000


LIMITS = Limits()
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


def guard(path: Path, limits: Limits = LIMITS) -> None:
    """Refuse what is not a plain, reasonably sized .xlsx, with a message a clerk can act on."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise InputError(path, errors.NOT_FOUND) from None
    except OSError as exc:
        raise InputError(path, errors.CORRUPT + f"（{exc.strerror}）") from None
    if size > limits.max_bytes:
        raise InputError(path, errors.TOO_LARGE, size=_mb(size), limit=_mb(limits.max_bytes))
    if head.startswith(OLE2_MAGIC):
        # An OLE2 container: a legacy .xls/.et, or an .xlsx encrypted with a password.
        with path.open("rb") as fh:
            data = fh.read(min(size, 4 * 1024 * 1024))
        raise InputError(path, errors.ENCRYPTED if ENCRYPTED_MARK in data else errors.OLD_FORMAT)
    if not head.startswith(b"PK"):
        raise InputError(path, errors.NOT_A_WORKBOOK)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, EOFError):
        raise InputError(path, errors.CORRUPT) from None
    if "xl/workbook.xml" not in names:
        raise InputError(path, errors.NOT_A_WORKBOOK)
    unzipped = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if unzipped > limits.max_unzipped or unzipped / packed > limits.max_ratio:
        raise InputError(path, errors.ZIP_BOMB, ratio=unzipped / packed)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def read(path: str | Path, limits: Limits = LIMITS) -> Report:
    """The report in a workbook; raises :class:`InputError` when it cannot be read at all."""
    path = Path(path)
    guard(path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except InputError:
        raise
    except Exception:  # openpyxl raises many types for damaged parts
        raise InputError(path, errors.CORRUPT) from None
    try:
        return _read(path, wb, limits)
    finally:
        wb.close()


def _read(path: Path, wb, limits: Limits) -> Report:
    missing = [s for s in REQUIRED_SHEETS if s not in wb.sheetnames]
    if missing:
        raise InputError(path, errors.WRONG_TEMPLATE, missing="、".join(missing))
    layout = locate(wb)
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
        cached = _Grid(_open_values(path), layout, path, limits)
        for key in formulas:
            raw, number_format = cached.get(layout.cells[key])
            report.cells[key] = cell_value(raw, number_format, amount=key[2] == "amount")
    meta = {f.id: grid.get(layout.meta[f.id])[0] for f in SCHEMA.meta}
    report.org = _text(meta.pop("org"))
    report.year = _year(meta.pop("year"))
    report.meta = {k: _text(v) for k, v in meta.items()}
    report.text = {f.id: _text(grid.get(layout.text[f.id])[0]) for f in SCHEMA.text}
    return report


def _open_values(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)


def _same_formula(a: str, b: str) -> bool:
    def norm(f: str) -> str:
        return re.sub(r"[\s$']", "", f).upper()

    return norm(a) == norm(b)


def locate(wb) -> Layout:
    """The layout of this workbook: default positions, moved where a defined name says."""
    lay = Layout(cells=dict(LAYOUT.cells), meta=dict(LAYOUT.meta), text=dict(LAYOUT.text),
                 names=dict(LAYOUT.names), widths=dict(LAYOUT.widths))
    found = _defined_names(wb)
    for table in TABLES:
        for row in table.rows:
            area = found.get(row_name(table.id, row.id))
            if area is None:
                continue
            for j, col in enumerate(row.columns):
                key = (table.id, row.id, col.id)
                lay.cells[key] = (area.sheet, (area.first[0], area.first[1] + j))
    for f in SCHEMA.meta:
        area = found.get(f"xlg_{f.id}")
        if area:
            lay.meta[f.id] = (area.sheet, area.first)
    for f in SCHEMA.text:
        area = found.get(f"xlg_text_{f.id}")
        if area:
            lay.text[f.id] = (area.sheet, area.first)
    return lay


def _defined_names(wb) -> dict[str, Area]:
    out: dict[str, Area] = {}
    for name, dn in wb.defined_names.items():
        if not name.startswith("xlg_"):
            continue
        try:
            (sheet, ref), *_ = dn.destinations
            c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        except (ValueError, TypeError):
            continue  # a broken name (#REF!): keep the default position
        if sheet in wb.sheetnames and None not in (c1, r1, c2, r2):
            out[name] = Area(sheet, (r1 - 1, c1 - 1), (r2 - 1, c2 - 1))
    return out


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
            ws = wb[sheet]
            for r, row in enumerate(ws.iter_rows(min_row=1, max_row=rows, max_col=cols)):
                for c, cell in enumerate(row):
                    value = getattr(cell, "value", None)
                    if value is not None:
                        self.cells[(sheet, r, c)] = (value, getattr(cell, "number_format", ""))

    def get(self, where: tuple[str, tuple[int, int]]) -> tuple[Any, str]:
        sheet, (r, c) = where
        return self.cells.get((sheet, r, c), (None, ""))


_FIXED = re.compile(r"^#?,?#*0\.(0+)$")


def cell_value(raw: Any, number_format: str = "", amount: bool = False) -> Value:
    """A cell's content as a report value: blank stays None, text is never read as a number."""
    if raw is None:
        return None
    if isinstance(raw, bool) or isinstance(raw, (datetime, date, time)):
        return Invalid(str(raw))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return Invalid(str(raw))
        number = Decimal(repr(raw))
        fixed = _FIXED.match(number_format or "")
        if amount and fixed:  # shown with N decimals: that is how many the clerk gave
            places = len(fixed.group(1))
            number = number.quantize(Decimal(1).scaleb(-places))
        if not amount and number == number.to_integral_value():
            return int(number)
        return number
    if isinstance(raw, str):
        return None if raw == "" else Invalid(raw)
    return Invalid(str(raw))


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None


def _year(raw: Any) -> int | Invalid | None:
    value = cell_value(raw)
    if value is None or isinstance(value, Invalid):
        return value
    return int(value) if value == int(value) else Invalid(str(raw))
