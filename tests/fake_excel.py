"""A stand-in for Excel driven by xlwings (``xlwings.App``/Book/Sheet/Range), for the self-test.

Books are the shown values of workbook files (``xl_helpers.FakeBook``). A formula set on a
range is evaluated on ``calculate()`` by calling our function through xlwings' real COM server
(``xlwings_com.call``), with the defined names' values as Excel passes them and the range as
``caller``, and its result is written into the range as Excel writes an array into the range of
a legacy array formula (``legacy=True``, Excel 2016/2019: a one-row or one-column result
repeats, other missing cells show #N/A) or spills it from a one-cell formula (Excel 365).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from openpyxl.utils.cell import range_boundaries
from xl_helpers import FakeApp, FakeBook, FakeRange
from xlwings_com import XlRange, call

FORMULA = re.compile(r"^=(\w+)\((.*)\)$")
ARGUMENT = re.compile(r'\s*("(?:[^"]*)"|[^,]+)\s*(?:,|$)')


class FakeExcel(FakeApp):
    def __init__(self, com: SimpleNamespace, version: str = "16.0") -> None:
        super().__init__()
        self.com, self.version = com, version
        self.opened: list[ExcelBook] = []
        self.books = self
        self.calculated = 0

    def open(self, path: str) -> ExcelBook:
        book = ExcelBook(Path(path), self)
        self.opened.append(book)
        return book

    def calculate(self) -> None:
        self.calculated += 1
        for book in self.opened:
            for rng, text in book.formulas:
                book.evaluate(rng, text)


class ExcelBook(FakeBook):
    def __init__(self, path: Path, excel: FakeExcel) -> None:
        super().__init__(path)
        self.app = excel
        self.excel = excel
        self.formulas: list[tuple[ExcelRange, str]] = []
        self.closed = False
        self.sheets = SimpleNamespace(add=self._add_sheet)

    def _add_sheet(self, name: str) -> ExcelSheet:
        assert name not in self.cells, name
        self.cells[name] = {}
        return ExcelSheet(self, name)

    def close(self) -> None:
        self.closed = True

    def evaluate(self, rng: ExcelRange, text: str) -> None:
        name, inside = FORMULA.match(text).groups()  # type: ignore[union-attr]
        args = [self._argument(a) for a in ARGUMENT.findall(inside)]
        rows, cols = rng.shape
        got = call(self.excel.com, name.lower(), *args, caller=XlRange("", (rows, cols), self.fullname))
        if not isinstance(got, list):
            result = [[got]]
        elif all(isinstance(r, list) for r in got):
            result = got
        else:  # xlwings' COM server returns one row as a 1-D array: a row in Excel
            result = [got]
        if rows == cols == 1:  # Excel 365's one anchor cell: the array spills from it
            rows, cols = len(result), max(len(r) for r in result)
        for i in range(rows):
            for j in range(cols):
                self.cells[rng.sheet][(rng.first[0] + i, rng.first[1] + j)] = _legacy(result, i, j)

    def _argument(self, text: str) -> Any:
        if text.startswith('"'):
            return text.strip('"')
        values = self.names[text].refers_to_range.options(ndim=2).value
        return XlRange(values)


def _legacy(result: list[list[Any]], i: int, j: int) -> Any:
    """The cell (i, j) of an array written into a larger legacy-array range, as Excel does."""
    height, width = len(result), len(result[0])
    if i < height and j < width:
        return result[i][j]
    if height == 1 and j < width:
        return result[0][j]
    if width == 1 and i < height:
        return result[i][0]
    if height == width == 1:
        return result[0][0]
    return "#N/A"


class ExcelSheet:
    def __init__(self, book: ExcelBook, name: str) -> None:
        self.book, self.name = book, name

    def __getitem__(self, address: str) -> ExcelRange:
        c1, r1, c2, r2 = range_boundaries(address)
        return ExcelRange(self.book, self.name, (r1 - 1, c1 - 1), (r2 - 1, c2 - 1))


class ExcelRange(FakeRange):
    book: ExcelBook

    @property
    def shape(self) -> tuple[int, int]:
        return (self.last[0] - self.first[0] + 1, self.last[1] - self.first[1] + 1)

    def options(self, ndim: int | None = None, **_options: Any) -> ExcelRange:
        return ExcelRange(self.book, self.sheet, self.first, self.last, ndim)

    @property
    def formula(self) -> str:
        raise NotImplementedError

    @formula.setter
    def formula(self, text: str) -> None:  # a one-cell formula: Excel 365 spills it
        assert self.first == self.last
        self.book.formulas.append((self, text))

    @property
    def formula_array(self) -> str:
        raise NotImplementedError

    @formula_array.setter
    def formula_array(self, text: str) -> None:  # a legacy array over the whole range
        self.book.formulas.append((self, text))
