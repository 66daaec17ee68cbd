"""Evaluate a workbook's formulas with an independent engine (the ``formulas`` package).

XlsxWriter stores each formula with the value Python computed for it; this module throws those
values away and computes every formula again from the cells, so tests can compare the two.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import formulas
import numpy as np
import openpyxl
import schedula as sh
from formulas.tokens.operand import XlError

Ref = tuple[str, str]  # (sheet name, "A1")

# Solution keys look like "'[book.xlsx]依申请公开'!J28" (ranges end in ":J29": skipped).
_KEY = re.compile(r"^'\[[^\]]+\](?P<sheet>.+)'!(?P<cell>[A-Z]+[0-9]+)$")


def evaluate(path: str | Path) -> dict[Ref, Any]:
    """Every single cell the engine knows, by (sheet, A1), as plain Python values.

    Numbers come back as ``float``, text as ``str``, an empty cell as ``None`` and an Excel
    error as its text (``"#VALUE!"``), so a broken formula cannot pass for a value."""
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    out: dict[Ref, Any] = {}
    for key, ranges in solution.items():
        match = _KEY.match(str(key))
        if match:
            out[(match["sheet"].upper(), match["cell"])] = _plain(ranges)
    return out


def _plain(ranges: Any) -> Any:
    value = getattr(ranges, "value", ranges)
    if isinstance(value, np.ndarray):
        value = value.ravel()[0] if value.size else sh.EMPTY
    if value is sh.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    return value


def cached(path: str | Path) -> dict[Ref, Any]:
    """The value stored beside every formula in the file, read as a viewer would (openpyxl)."""
    formulas_of, values_of = (_cells(openpyxl.load_workbook(path, read_only=True, data_only=d))
                              for d in (False, True))
    return {ref: values_of.get(ref) for ref, value in formulas_of.items()
            if isinstance(value, str) and value.startswith("=")}


def _cells(wb) -> dict[Ref, Any]:
    try:
        return {(ws.title.upper(), cell.coordinate): cell.value for ws in wb.worksheets
                for row in ws.iter_rows() for cell in row if cell.value is not None}
    finally:
        wb.close()


def same(a: Any, b: Any) -> bool:
    """Equal as a spreadsheet shows them: 3 == 3.0 == Decimal('3'); "" == None (an empty text)."""
    if a in ("", None) and b in ("", None):
        return True
    if _is_num(a) and _is_num(b):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


# --- LibreOffice: a real spreadsheet application ------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# A fresh LibreOffice profile that recalculates every formula when it loads a workbook,
# instead of trusting the values stored in the file (its default for .xlsx).
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def libreoffice(*paths: str | Path, timeout: float = 120) -> list[dict[Ref, Any]]:
    """Every cell's value, by (sheet, A1), after LibreOffice recalculated each workbook.

    The workbooks are first saved again by openpyxl, which drops every cached value, so a
    formula LibreOffice did not calculate comes back empty instead of passing unnoticed.
    One LibreOffice start serves all of them (it takes seconds)."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    work = Path(tempfile.mkdtemp(prefix="xlg-lo-"))
    try:
        bare = [work / "in" / f"{i}.xlsx" for i in range(len(paths))]
        bare[0].parent.mkdir()
        for source, target in zip(paths, bare, strict=True):
            openpyxl.load_workbook(source).save(target)
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--norestore", "--convert-to", "xlsx", "--outdir", str(work / "out"),
                        *map(str, bare)], check=True, capture_output=True, timeout=timeout)
        return [_all_values(work / "out" / b.name) for b in bare]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _all_values(path: Path) -> dict[Ref, Any]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {(ws.title.upper(), cell.coordinate): cell.value
            for ws in wb.worksheets for row in ws.iter_rows() for cell in row}
