"""``xlgbreport excel selftest`` end to end, with Excel replaced by ``fake_excel`` (formulas run
through xlwings' real COM server and conversion; a legacy array filled as Excel 2016 does)."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
from com_stubs import uninstall
from fake_excel import FakeExcel
from xl_helpers import run
from xlwings_com import install_com

from xlgbreport import api
from xlgbreport.excel import ranges, selftest, udfs
from xlgbreport.workbook import functions

STEPS = 9  # made, opened, four functions, three buttons


@pytest.fixture()
def com(monkeypatch):
    yield install_com(monkeypatch)
    uninstall(monkeypatch, udfs)


def test_every_step_passes_and_the_report_says_so(com, tmp_path: Path) -> None:
    excel = FakeExcel(com, version="16.0")
    batch = api.excel_selftest(tmp_path, app=lambda: excel)
    lines = [f.notes[0] for f in batch.files]
    assert len(lines) == STEPS and all(line.startswith("✔ ") for line in lines), lines
    assert batch.headline.startswith("自检全部通过")
    assert excel.calculated == 1 and all(book.closed for book in excel.opened)
    assert any("XLG_TEXT（4" in line for line in lines)  # the long paragraph: over 400 characters
    sheet = excel.opened[0].cells[selftest.SHEET]
    assert len(sheet[(1, 0)]) > ranges.ELEMENT_LIMIT
    assert sheet[(5, 0)] == functions.ALL_PASS and sheet[(12, 2)] == ""  # padded, not repeated
    report = Path(batch.files[0].output).read_text(encoding="utf-8")
    for wanted in ("Excel 16.0", "xlwings ", "Python ", *lines, batch.headline):
        assert wanted in report
    made = {p.name for p in tmp_path.iterdir()}
    assert {selftest.THIS_BOOK, selftest.LAST_BOOK, selftest.REPORT} <= made
    assert any(n.endswith(".docx") for n in made) and any(n.endswith(".md") for n in made)


def test_excel_repeating_an_unpadded_result_fails_the_check_step(com, tmp_path, monkeypatch) -> None:
    """Without the padding, Excel 2016 repeats ✔ 全部通过 across the block: the test sees it."""
    monkeypatch.setattr(udfs, "fit", lambda value, shape, text=False: value)
    batch = api.excel_selftest(tmp_path, app=lambda: FakeExcel(com))
    failed = [f.notes[0] for f in batch.files if not f.valid]
    assert len(failed) == 1 and failed[0].startswith(f"✘ {functions.CHECK}"), failed
    assert "Excel 显示" in failed[0] and "命令行为" in failed[0]
    assert batch.headline.startswith("自检有 1 项未通过")


def test_a_carry_over_that_writes_nothing_is_caught(com, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(selftest.macros, "carry_over_prior", lambda book: "已结转")
    batch = api.excel_selftest(tmp_path, app=lambda: FakeExcel(com))
    failed = [f.notes[0] for f in batch.files if not f.valid]
    assert len(failed) == 1 and "结转上年数据" in failed[0] and "为 None，上年为" in failed[0], failed


def test_without_excel_one_chinese_line_and_the_report_still_written(tmp_path: Path) -> None:
    def no_excel():
        raise OSError("Excel.Application 未注册")

    batch = api.excel_selftest(tmp_path, app=no_excel)
    assert [f.valid for f in batch.files] == [True, False]
    assert batch.files[1].notes[0].startswith("✘ 无法启动 Excel") and "doctor" in batch.files[1].notes[0]
    assert (tmp_path / selftest.REPORT).is_file()


def test_the_command_refuses_to_overwrite_and_fails_without_excel(tmp_path: Path) -> None:
    folder = tmp_path / "自检"
    code, out = run("excel", "selftest", "-o", folder)
    assert code != 0 and "自检有 1 项未通过" in out and "Python " in out
    assert "✘ " + selftest.NOT_WINDOWS.format(system=platform.system()) in out
    code, out = run("excel", "selftest", "-o", folder)
    assert code != 0 and "已存在" in out
