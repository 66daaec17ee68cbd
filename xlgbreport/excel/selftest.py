"""``xlgbreport excel selftest``: the acceptance test for a new Windows PC, run once by the
county's IT person after installing the add-in.

It makes two workbooks from the template with known numbers (宿迁市's published 2023 and 2024
reports, shipped in ``known/``; 2024's 封面 names 2023's file as last year), opens this year's
in Excel through xlwings, and compares what Excel shows with what the command line computes
from the same file:

- XLG_STATUS and XLG_TEXT (the 依申请公开 paragraph, over 400 characters) in one cell each;
- XLG_LAST_YEAR over a row, and XLG_CHECK as a legacy array over a block larger than its
  result: written with ``FormulaArray``, so every Excel, 2016 or 365, checks the padding;
- the three buttons' Python (``macros``) on the open workbook: 校验's verdict, 结转上年数据's
  cells as Excel then holds them, 生成报告's files. Their message box is caught, not shown (a
  box would wait for a click); the ribbon's VBA that calls them is for the doctor and a click.

Excel started by a program loads no add-in, so the add-in in XLSTART is opened first. Every step
ends as one line, ✔ or ✘ with the reason in Chinese, and all of them go to a text file with the
Python, xlwings and Excel versions, to be sent back. ``app`` lets the tests drive a fake Excel.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from openpyxl.utils.cell import get_column_letter

from ..actions import sources, workbooks
from ..core import prior, rules
from ..core.findings import summary
from ..core.gb2021 import REQUESTS, TABLES_BY_ID
from ..core.model import Report
from ..files import atomic
from ..workbook import functions
from ..workbook import reader as workbook_reader
from ..workbook.functions import CHECK, LAST_YEAR, STATUS, TEXT, report_arguments
from ..workbook.layout import row_name
from . import macros
from .doctor import ADDINS
from .ranges import fit

KNOWN = Path(__file__).with_name("known")
LAST_JSON, THIS_JSON = "suqian_2023.json", "suqian_2024.json"
LAST_BOOK, THIS_BOOK = "自检2023.xlsx", "自检2024.xlsx"
REPORT = "xlgbreport-自检.txt"
SHEET = "自检"
CHECK_BLOCK = "A6:C13"  # larger than the known report's result: the rest must be blank
CHECK_SHAPE = (8, 3)
OK, BAD = "✔", "✘"

MADE = "制作自检工作簿（{folder}）"
STARTED = "启动 Excel 并打开 {name}"
NO_EXCEL = "无法启动 Excel 或打开工作簿（{error}）：请先运行 xlgbreport excel doctor"
NOT_WINDOWS = "自检要在装有 Excel 和加载项的 Windows 电脑上运行（本机是 {system}）"
NO_ADDIN = "Excel 启动文件夹 {folder} 里没有加载项：函数会显示 #NAME?，请先运行 install.bat"
SAME = "{what}：与命令行相同"
DIFFERENT = "{what}：Excel 显示 {got}，命令行为 {want}"
CARRIED = "按钮“结转上年数据”：{n} 个格子与上年的“四”相同"
CARRY_WRONG = "按钮“结转上年数据”：{cell} 为 {got}，上年为 {want}（提示：{message}）"
WROTE = "按钮“生成报告”：已生成 {names}"
NOT_WRITTEN = "按钮“生成报告”没有生成文件：{message}"
FAILED_STEP = "{what}：出错（{error}）"
PASSED = "自检全部通过：请把 {path} 发给维护人员"
NOT_PASSED = "自检有 {n} 项未通过：请把 {path} 发给维护人员"
TITLE = "xlgbreport Excel 自检"
SHOWN_CHARS = 60  # of a long value in a failure line


@dataclass(frozen=True)
class Step:
    ok: bool
    text: str

    @property
    def line(self) -> str:
        return f"{OK if self.ok else BAD} {self.text}"


def run(folder: Path, *, app: Callable[[], Any] | None = None,
        overwrite: bool = False) -> tuple[list[Step], list[str], Path]:
    """Run every step; returns the steps, the version lines and the report file written."""
    folder.mkdir(parents=True, exist_ok=True)
    last_path, this_path = folder / LAST_BOOK, folder / THIS_BOOK
    last, this = sources.load(KNOWN / LAST_JSON), sources.load(KNOWN / THIS_JSON)
    this.meta["prior"] = last_path.name  # relative: from this workbook's folder, as rollover writes
    workbooks.write(last, last_path, overwrite=overwrite)
    workbooks.write(this, this_path, overwrite=overwrite)
    steps = [Step(True, MADE.format(folder=folder))]
    versions = [f"Python {platform.python_version()}（{64 if sys.maxsize > 2**32 else 32} 位）"
                f"，{platform.platform()}", f"xlwings {_version('xlwings')}，xlgbreport {_version('xlgbreport')}"]
    try:
        with _excel(app) as excel:
            versions.append(f"Excel {excel.version}")
            book = excel.books.open(str(this_path))
            steps.append(Step(True, STARTED.format(name=this_path.name)))
            try:
                steps += _functions(excel, book, this_path, last_path)
                steps += _buttons(book, this_path, last_path)
            finally:
                book.close()
    except _Stop as exc:
        steps.append(Step(False, str(exc)))
    except Exception as exc:  # no Excel, no xlwings, COM refused: the line says which
        steps.append(Step(False, NO_EXCEL.format(error=_error(exc))))
    path = folder / REPORT
    atomic.write_text(path, _report_text(steps, versions, path), overwrite=True)
    return steps, versions, path


def verdict(steps: list[Step], path: Path) -> str:
    bad = sum(not s.ok for s in steps)
    return NOT_PASSED.format(n=bad, path=path) if bad else PASSED.format(path=path)


class _Stop(Exception):
    """A step that stops the test, with its Chinese line."""


@contextmanager
def _excel(app: Callable[[], Any] | None) -> Iterator[Any]:
    """Excel with the add-in open: ``app()`` in tests; else a new, visible Excel, quit after."""
    if app is not None:
        yield app()
        return
    if sys.platform != "win32":
        raise _Stop(NOT_WINDOWS.format(system=platform.system()))
    import xlwings

    excel = xlwings.App(visible=True, add_book=False)
    try:
        xlstart = Path(os.environ.get("APPDATA", "")) / "Microsoft" / "Excel" / "XLSTART"
        found = [xlstart / name for name in ADDINS if (xlstart / name).is_file()]
        if not found:
            raise _Stop(NO_ADDIN.format(folder=xlstart))
        for addin in found:  # a program's Excel opens nothing from XLSTART by itself
            excel.books.open(str(addin))
        yield excel
    finally:
        excel.quit()


def _functions(excel: Any, book: Any, this_path: Path, last_path: Path) -> list[Step]:
    """The four functions on a sheet of their own, recalculated, against the command line's."""
    this, last = workbook_reader.read(this_path), workbook_reader.read(last_path)
    sheet = book.sheets.add(SHEET)
    args = report_arguments()
    sheet["A1"].formula = f"={STATUS}({args})"
    sheet["A2"].formula = f'={TEXT}({args},"{REQUESTS.id}")'
    carried = f"A4:{get_column_letter(len(REQUESTS.row(prior.CARRIED_FROM).columns))}4"
    sheet[carried].formula_array = (f'={LAST_YEAR}(xlg_prior,"{REQUESTS.id}","{prior.CARRIED_FROM}",'
                                    f'"",xlg_org,xlg_year)')
    sheet[CHECK_BLOCK].formula_array = f"={CHECK}({args})"
    excel.calculate()
    text = functions.text(this, REQUESTS.id)
    wanted = (
        (STATUS, "A1", functions.status(this)),
        (f"{TEXT}（{len(text)} 字）", "A2", text),
        (LAST_YEAR, carried, functions.lookup(last, REQUESTS.id, prior.CARRIED_FROM, "")[0]),
        (f"{CHECK}（Excel 2016 的数组区域）", CHECK_BLOCK, fit(functions.check_table(this), CHECK_SHAPE)),
    )
    steps = []
    for what, address, want in wanted:
        try:
            got = sheet[address].options(err_to_str=True).value
            steps.append(_compare(what, got, want))
        except Exception as exc:
            steps.append(Step(False, FAILED_STEP.format(what=what, error=_error(exc))))
    return steps


def _buttons(book: Any, this_path: Path, last_path: Path) -> list[Step]:
    """The three buttons' Python on the open workbook, each judged by what it did. The cells
    结转上年数据 fills are cleared first, so the test sees them written."""
    quiet = _Quiet(book)
    this, last = workbook_reader.read(this_path), workbook_reader.read(last_path)
    steps = []
    for what, button, judge in (
            ("按钮“校验”", macros.check_book, lambda m: _compare(
                "按钮“校验”", m.splitlines()[0], summary(rules.check(this, last)))),
            ("按钮“结转上年数据”", _clearing(book, last, macros.carry_over_prior),
             lambda m: _carried(book, last, m)),
            ("按钮“生成报告”", macros.generate_report, lambda m: _written(this_path, m))):
        try:
            steps.append(judge(button(quiet)))
        except Exception as exc:
            steps.append(Step(False, FAILED_STEP.format(what=what, error=_error(exc))))
    return steps


def _carry_cells(book: Any, last: Report) -> list[tuple[Any, Any]]:
    """(this year's 二 cell in Excel, last year's 四 value) for every number carried."""
    out = []
    for (table, row, column), value in prior.to_carry(last).numbers.items():
        columns = [c.id for c in TABLES_BY_ID[table].row(row).columns]
        out.append((book.names[row_name(table, row)].refers_to_range[0, columns.index(column)], value))
    return out


def _clearing(book: Any, last: Report, button: Callable[[Any], str]) -> Callable[[Any], str]:
    def clear_then_press(quiet: Any) -> str:
        for cell, _value in _carry_cells(book, last):
            cell.value = None
        return button(quiet)

    return clear_then_press


class _Quiet:
    """The open workbook as a button gets it, its message box caught instead of shown."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self.app = SimpleNamespace(alert=lambda *_args, **_kwargs: None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._book, name)


def _carried(book: Any, last: Report, message: str) -> Step:
    cells = _carry_cells(book, last)
    for cell, value in cells:
        if not _same(cell.value, value):
            return Step(False, CARRY_WRONG.format(cell=cell.address, got=cell.value, want=value,
                                                  message=message))
    return Step(bool(cells), CARRIED.format(n=len(cells)))


def _written(this_path: Path, message: str) -> Step:
    """The files the message names (``macros.WROTE`` lines), found beside the workbook."""
    wrote = macros.WROTE.format(path="")
    names = []
    for line in message.splitlines():
        if line.startswith(wrote):
            named = line.removeprefix(wrote)
            named = named[:named.rfind("（")] if named.endswith(macros.KEPT[-5:]) else named
            if Path(named).is_file() and Path(named).parent == this_path.parent:
                names.append(Path(named).name)
    if len(names) < 2:  # the Markdown draft and the Word report
        return Step(False, NOT_WRITTEN.format(message=message))
    return Step(True, WROTE.format(names="、".join(names)))


def _compare(what: str, got: Any, want: Any) -> Step:
    if _same(got, want):
        return Step(True, SAME.format(what=what))
    return Step(False, DIFFERENT.format(what=what, got=_short(got), want=_short(want)))


def _same(got: Any, want: Any) -> bool:
    """Equal as Excel shows them: a blank read back is None, numbers come back as floats."""
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(
            _same(g, w) for g, w in zip(got, want, strict=True))
    if want in ("", None):
        return got in ("", None)
    if isinstance(want, (int, float, Decimal)) and not isinstance(want, bool):
        return isinstance(got, (int, float)) and Decimal(str(got)) == Decimal(str(want))
    return bool(got == want)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _error(exc: BaseException) -> str:
    return _short(f"{type(exc).__name__}: {exc}")


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "未安装"


def _report_text(steps: list[Step], versions: list[str], path: Path) -> str:
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [f"{TITLE}  {when}", *versions, "", *(s.line for s in steps), "", verdict(steps, path)]
    return "\r\n".join(lines) + "\r\n"
