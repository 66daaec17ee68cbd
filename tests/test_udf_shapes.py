"""What Excel receives from the functions, through xlwings' real COM server and conversion.

Two limits of Excel meet xlwings here. Every result passes ``Ensure2DStage``, so it leaves
Python as rows; xlwings' COM server unwraps a 1 × 1 result to a scalar, and Excel takes a
scalar text of any length a paragraph has, but refuses an array element over 255 characters.
And Excel 2016/2019 keep a spilling formula as a legacy array over the range it was saved with:
the ``caller``'s shape. Excel 365 calls a spilling formula from its one anchor cell.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from com_stubs import uninstall
from xl_helpers import EXAMPLES, ROOT, excel_arguments, new_workbook
from xlwings_com import XlRange, call, install_com

from xlgbreport.excel import ranges, udfs
from xlgbreport.workbook import functions
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook.layout import UDF_SHEET

TEMPLATE = ROOT / "workbook" / "xlgbreport-template.xlsx"
ONE_CELL = (1, 1)  # Excel 365: the anchor of a spilling formula


@pytest.fixture()
def com(monkeypatch):
    yield install_com(monkeypatch)
    uninstall(monkeypatch, udfs)


def ranges_of(path: Path) -> list[XlRange]:
    return [XlRange(v) for v in excel_arguments(path)]


def stored_shape(path: Path, function: str) -> tuple[int, int]:
    """The range a workbook stores the function's formula over: its caller in Excel 2016."""
    ws = openpyxl.load_workbook(path)[UDF_SHEET]
    for row in ws.iter_rows():
        for cell in row:
            if function in str(getattr(cell.value, "text", "")):
                block = ws[cell.value.ref]
                return (len(block), len(block[0])) if isinstance(block, tuple) else ONE_CELL
    raise AssertionError(f"no {function} in {path}")


def longest(value) -> int:
    rows = value if isinstance(value, list) else [[value]]
    return max(ranges._units(v) for r in rows for v in r if isinstance(v, str))


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("examples")
    made = [new_workbook(p, folder / f"{p.stem}.xlsx") for p in sorted(EXAMPLES.glob("*.json"))]
    assert len(made) == 3
    return made


def test_a_long_paragraph_reaches_one_cell_whole_as_a_scalar(com, examples) -> None:
    for path in examples:
        want = functions.text(workbook_reader.read(path), "requests")
        assert len(want) > 400, path.name  # the 依申请公开 paragraph of a city's real report
        got = call(com, "xlg_text", *ranges_of(path), "requests", caller=XlRange("", ONE_CELL))
        assert got == want, path.name  # a str: not an array, so Excel's 255 limit is not in play


@pytest.mark.parametrize("rows", [1, 2, 4])
def test_a_long_paragraph_in_a_legacy_array_goes_down_in_pieces(com, examples, rows) -> None:
    for path in examples:
        want = functions.text(workbook_reader.read(path), "requests")
        got = call(com, "xlg_text", *ranges_of(path), "requests", caller=XlRange("", (rows, 1)))
        column = [r[0] for r in got] if isinstance(got, list) else [got]
        if rows == 1:
            assert got == want
            continue
        assert longest(got) <= ranges.ELEMENT_LIMIT
        assert len(column) == rows and "".join(column) == want
        assert all(piece.endswith(("。", "；", "，")) for piece in column[:-1] if piece)


def test_every_array_element_stays_within_255(com) -> None:
    long = "甲" * 300 + "𠀀" * 10  # beyond the BMP: two UTF-16 units each
    assert ranges._units(ranges.fit([[long]], (3, 3))[0][0]) == ranges.ELEMENT_LIMIT
    assert "".join(ranges.split_text(long)) == long
    assert all(ranges._units(p) <= ranges.ELEMENT_LIMIT for p in ranges.split_text(long))
    assert ranges.fit(long, ONE_CELL) == long  # one cell: a scalar, whole


def test_a_blank_workbook_check_fills_its_legacy_block_exactly(com) -> None:
    shape = stored_shape(TEMPLATE, functions.CHECK)
    assert shape[1] == 3 and shape[0] > 100
    want = functions.check_table(workbook_reader.read(TEMPLATE))
    got = call(com, "xlg_check", *ranges_of(TEMPLATE), caller=XlRange("", shape))
    assert (len(got), len(got[0])) == shape
    assert got[:len(want)] == want
    assert all(r == ["", "", ""] for r in got[len(want):])


def test_a_filled_report_in_the_blank_block_shows_blanks_not_repeats(com, examples) -> None:
    shape = stored_shape(TEMPLATE, functions.CHECK)
    got = call(com, "xlg_check", *ranges_of(examples[0]), caller=XlRange("", shape))
    assert (len(got), len(got[0])) == shape
    assert got[0] == [functions.ALL_PASS, "", ""]
    assert {cell for r in got[1:] for cell in r} == {""}
    status = call(com, "xlg_status", *ranges_of(examples[0]), caller=XlRange("", (3, 2)))
    assert status == [[functions.ALL_PASS, ""], ["", ""], ["", ""]]


def test_more_problems_than_the_block_end_with_how_many_are_hidden(com, tmp_path) -> None:
    demo = ROOT / "samples" / "errors_demo_2023.xlsx"
    shape = stored_shape(demo, functions.CHECK)
    assert shape == (5, 3)  # the demo's five findings, as saved
    want = functions.check_table(workbook_reader.read(TEMPLATE))
    got = call(com, "xlg_check", *ranges_of(TEMPLATE), caller=XlRange("", shape))
    assert got[:4] == want[:4]
    assert got[4] == [ranges.MORE_ROWS.format(n=len(want) - 4), "", ""]
    spilled = call(com, "xlg_check", *ranges_of(TEMPLATE), caller=XlRange("", ONE_CELL))
    assert spilled == want  # Excel 365: the whole table spills


def test_a_filled_workbook_stores_its_own_block_and_fits_it(com, examples) -> None:
    shape = stored_shape(examples[0], functions.CHECK)
    assert shape == ONE_CELL  # ✔ 全部通过 alone
    got = call(com, "xlg_check", *ranges_of(examples[0]), caller=XlRange("", shape))
    assert got == functions.ALL_PASS  # one cell: a scalar


def test_a_message_in_a_legacy_array_is_shown_once(com) -> None:
    got = call(com, "xlg_last_year", "", "requests", "4", "", caller=XlRange("", (6, 1)))
    assert got[0][0] == functions.FAILED.format(message=functions.NO_PRIOR)
    assert got[1:] == [[""]] * 5


def test_a_row_transposed_into_a_legacy_column_keeps_its_values() -> None:
    row = [[1.0, 2.0, "", 4.0, 5.0, 6.0]]
    padded = ranges.fit(row, (6, 1))  # =TRANSPOSE(XLG_LAST_YEAR(…)) over six cells
    shown = [list(c) for c in zip(*padded, strict=True)]  # what TRANSPOSE makes of it
    assert len(shown) == 6 and [r[0] for r in shown] == row[0]
