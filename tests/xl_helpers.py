"""The tests' shared helpers: workbooks made through the front door, the command run in-process,
and what Excel would hand to xlwings, taken from a real workbook file, for the Excel-layer tests.

``new_workbook`` writes a filled workbook with ``xlgbreport.write`` (a test not about the command
line needs no ``new --from-json``); ``run``/``run_main``/``validate_json`` run the command as a
clerk or CI would; ``refused`` is the interchange JSON's one-line refusal.

``excel_arguments`` gives a UDF's arguments the way xlwings passes them (``ndim=2``): each
defined range's shown values as rows, numbers as floats (Excel has no integers), ``None`` for
an empty cell. ``FakeBook`` is a small stand-in for ``xlwings.Book`` (xlwings cannot drive Excel
on Linux): defined names, ranges with ``options``/``value``/``[i, j]``, ``fullname`` and
``app.alert``, over the values of a workbook file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import get_column_letter, range_boundaries

import xlgbreport
from xlgbreport import cli as cli_module
from xlgbreport.core.model import Report
from xlgbreport.errors import InputError, XlgbreportError
from xlgbreport.files import interchange
from xlgbreport.workbook.functions import ARGUMENT_NAMES
from xlgbreport.workbook.layout import LAYOUT

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "data" / "examples"  # copies of shared/examples


def within_limit(text: dict) -> dict:
    """A real report's texts with 一 cut to the format's 一千字. The real reports' 一 run longer
    (``text.length`` warns on them, as it should); tests about other rules read them cut."""
    from xlgbreport.core.rules import TextLength

    if text.get("overview"):
        text["overview"] = text["overview"][:TextLength.LIMIT]
    return text


def new_workbook(source: Path | dict | Report, out: Path) -> Path:
    """A filled template workbook at ``out``, written by the front door, from interchange JSON (a
    file or a dict) or a report; 一 cut to the format's limit (see ``within_limit``)."""
    if isinstance(source, Path):
        report = xlgbreport.read(source)
    elif isinstance(source, dict):
        report = interchange.from_dict(source)
    else:
        report = source
    within_limit(report.text)
    return xlgbreport.write(report, out)


def refused(data: Any, *fragments: str) -> str:
    """The one-line message with which interchange JSON ``data`` (as 报表.json) is refused; it
    holds every fragment."""
    with pytest.raises(InputError) as exc:
        interchange.from_dict(data, "报表.json")
    message = exc.value.message
    assert message.startswith("报表.json：") and "\n" not in message, message
    for fragment in fragments:
        assert fragment in message
    return message


def as_excel(value: Any) -> Any:
    """A stored value as Excel passes it: every number a float."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def excel_arguments(path: Path) -> list[Any]:
    """xlg_org, xlg_year and the three table ranges of ``path``, as a UDF receives them."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = []
    for name in ARGUMENT_NAMES:
        area = LAYOUT.names[name]
        rows = wb[area.sheet].iter_rows(min_row=area.first[0] + 1, max_row=area.last[0] + 1,
                                        min_col=area.first[1] + 1, max_col=area.last[1] + 1,
                                        values_only=True)
        out.append([[as_excel(v) for v in row] for row in rows])
    return out


class FakeRange:
    """A rectangle of a FakeBook sheet, 0-based inclusive, read and written like xlwings'."""

    def __init__(self, book: FakeBook, sheet: str, first: tuple[int, int], last: tuple[int, int],
                 ndim: int | None = None) -> None:
        self.book, self.sheet, self.first, self.last, self.ndim = book, sheet, first, last, ndim

    def options(self, ndim: int | None = None, **_options: Any) -> FakeRange:
        return FakeRange(self.book, self.sheet, self.first, self.last, ndim)

    def __getitem__(self, at: tuple[int, int]) -> FakeRange:
        r, c = self.first[0] + at[0], self.first[1] + at[1]
        assert r <= self.last[0] and c <= self.last[1], "outside the range"
        return FakeRange(self.book, self.sheet, (r, c), (r, c))

    @property
    def address(self) -> str:
        first, last = (f"{get_column_letter(c + 1)}{r + 1}" for r, c in (self.first, self.last))
        return first if first == last else f"{first}:{last}"

    @property
    def value(self) -> Any:
        cells = self.book.cells[self.sheet]
        rows = [[as_excel(cells.get((r, c))) for c in range(self.first[1], self.last[1] + 1)]
                for r in range(self.first[0], self.last[0] + 1)]
        if self.ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        return rows if len(rows[0]) > 1 else [r[0] for r in rows]

    @value.setter
    def value(self, value: Any) -> None:
        assert self.first == self.last, "the macros write single cells"
        self.book.cells[self.sheet][self.first] = value
        self.book.written.append((self.sheet, self.first, value))


class FakeName:
    def __init__(self, refers_to_range: FakeRange) -> None:
        self.refers_to_range = refers_to_range


class FakeApp:
    def __init__(self) -> None:
        self.alerts: list[tuple[str, str | None]] = []

    def alert(self, prompt: str, title: str | None = None, **_options: Any) -> None:
        self.alerts.append((prompt, title))


class FakeBook:
    """An open workbook as the macros see it: the shown values of ``path`` (its cached results)."""

    def __init__(self, path: Path, fullname: str | None = None) -> None:
        wb = openpyxl.load_workbook(path, data_only=True)
        self.fullname = str(path) if fullname is None else fullname
        self.app = FakeApp()
        self.written: list[tuple[str, tuple[int, int], Any]] = []
        self.cells: dict[str, dict[tuple[int, int], Any]] = {
            ws.title: {(c.row - 1, c.column - 1): c.value for row in ws.iter_rows() for c in row
                       if c.value is not None}
            for ws in wb.worksheets}
        self.names: dict[str, FakeName] = {}
        for name, dn in wb.defined_names.items():
            (sheet, ref), *_ = dn.destinations
            c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
            self.names[name] = FakeName(FakeRange(self, sheet, (r1 - 1, c1 - 1), (r2 - 1, c2 - 1)))

    def set(self, name: str, value: Any) -> None:
        """Type a value into the cell a one-cell name refers to."""
        rng = self.names[name].refers_to_range
        self.cells[rng.sheet][rng.first] = value


def run_main(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """The installed command in-process, as a clerk runs it: exit code, stdout, stderr (input
    problems become exit 2 and one Chinese line)."""
    monkeypatch.setattr(sys, "argv", ["xlgbreport", *map(str, args)])
    try:
        cli_module.main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def run(*args: Any) -> tuple[int, str]:
    """A command through click's test runner: exit code and output. An input, output or render
    problem raised past the group is exit 2 with its one Chinese line, as ``main`` makes it."""
    result = CliRunner().invoke(cli_module.cli, [str(a) for a in args])
    if isinstance(result.exception, XlgbreportError):
        return cli_module.EXIT_CODES["refused"], result.exception.message
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def validate_json(*args: Any) -> tuple[int, dict]:
    """``xlgbreport validate --format json`` on ``args``: exit code and the parsed document."""
    code, output = run("validate", "--format", "json", *args)
    return code, json.loads(output)
