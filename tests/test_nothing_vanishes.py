"""Every catch-all keeps its traceback (issue 16): a bug met on one file is one Chinese line that
names the log file, and the log file holds the traceback; the fast reader's fallbacks are
counted and logged; --debug shows the traceback."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from xl_helpers import ROOT, run_main

from xlgbreport import logs
from xlgbreport.consolidation import gather
from xlgbreport.importer import readers
from xlgbreport.workbook import reader

SAMPLE = ROOT / "samples" / "huimengzhen_2021.xlsx"


class Kaput(RuntimeError):
    """A bug, as a library might raise it."""


def crash(*args, **kwargs):
    raise Kaput("the reader broke")


@pytest.fixture
def quiet_after():
    yield
    logs.show_on_stderr(False)


def logged(folder: Path) -> str:
    text = (folder / logs.NAME).read_text(encoding="utf-8")
    assert "Traceback" in text and "Kaput: the reader broke" in text
    return text


def test_a_crashing_import_reader_is_one_line_naming_the_log(tmp_path, monkeypatch, capsys,
                                                             log_folder) -> None:
    source = tmp_path / "宿迁.txt"
    source.write_text("某县人民政府 2023 年政府信息公开工作年度报告", encoding="utf-8")
    monkeypatch.setattr(readers, "read", crash)
    code, out, err = run_main(monkeypatch, capsys, "import", source)
    hint = logs.see((log_folder / logs.NAME).resolve())
    lines = [line for line in (out + err).splitlines() if hint in line]
    assert code == 2 and len(lines) == 1 and "宿迁.txt" in lines[0] and "维护人员" in lines[0]
    assert "Traceback" not in out + err
    assert f"import read {source} failed" in logged(log_folder)


def test_a_crashing_consolidation_reader_is_one_line_naming_the_log(tmp_path, monkeypatch,
                                                                    log_folder) -> None:
    monkeypatch.setattr(gather, "validate_file", crash)
    entry = gather.read_one(SAMPLE)
    hint = logs.see((log_folder / logs.NAME).resolve())
    assert entry.error == f"{SAMPLE.name}：" + gather.INTERNAL.format(error="Kaput", log=hint)
    assert "\n" not in entry.error
    assert f"consolidate read {SAMPLE} failed" in logged(log_folder)


def test_the_fast_readers_fallbacks_are_counted_and_logged(tmp_path, monkeypatch, caplog) -> None:
    if reader.CalamineWorkbook is None:
        pytest.fail("python-calamine is a dependency here")
    path = tmp_path / "胡集镇.xlsx"
    shutil.copy(SAMPLE, path)
    expected = reader.read(path, fast=True)
    before = reader.FALLBACKS["open"]
    monkeypatch.setattr(reader.CalamineWorkbook, "from_filelike", crash)
    with caplog.at_level(logging.INFO, logger="xlgbreport"):
        again = reader.read(path, fast=True)
    assert again.cells == expected.cells  # openpyxl read it instead
    assert reader.FALLBACKS["open"] == before + 1
    [entry] = [r for r in caplog.records if r.name == reader.__name__]
    assert entry.levelno == logging.INFO and "胡集镇.xlsx" in entry.getMessage()
    assert "(open)" in entry.getMessage() and entry.exc_info[0] is Kaput


def test_the_last_guard_names_the_log_and_debug_shows_the_traceback(monkeypatch, capsys, log_folder,
                                                                    quiet_after) -> None:
    monkeypatch.setattr(reader, "read", crash)
    code, out, err = run_main(monkeypatch, capsys, "validate", SAMPLE)
    hint = logs.see((log_folder / logs.NAME).resolve())
    assert code == 3 and err.strip().splitlines() == [err.strip()] and hint in err
    assert "内部错误（Kaput: the reader broke）" in err and "Traceback" not in err
    assert "validate" in logged(log_folder)
    code, out, err = run_main(monkeypatch, capsys, "--debug", "validate", SAMPLE)
    assert code == 3 and "Traceback" in err and "Kaput: the reader broke" in err
    assert err.strip().splitlines()[-1].startswith("内部错误（Kaput")


def test_xlgbreport_debug_shows_it_too(monkeypatch, capsys, quiet_after) -> None:
    monkeypatch.setattr(reader, "read", crash)
    monkeypatch.setenv(logs.DEBUG, "1")
    code, out, err = run_main(monkeypatch, capsys, "validate", SAMPLE)
    assert code == 3 and "Traceback" in err and "Kaput: the reader broke" in err
