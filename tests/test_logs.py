"""The package's log: where it lives, that it keeps tracebacks and rotates, that a failure to
write it is quiet, and that --debug / XLGBREPORT_DEBUG shows what it records."""

from __future__ import annotations

import logging
from pathlib import Path

import platformdirs
import pytest

from xlgbreport import logs
from xlgbreport.excel import log as excel_log


def boom() -> ValueError:
    try:
        raise ValueError("boom")
    except ValueError as exc:
        return exc


@pytest.fixture
def quiet_after():
    yield
    logs.show_on_stderr(False)


def test_the_log_lives_in_the_users_log_folder_unless_told(monkeypatch, log_folder) -> None:
    assert logs.log_dir() == log_folder
    monkeypatch.delenv(logs.LOG_DIR)
    assert logs.log_dir() == Path(platformdirs.user_log_dir("xlgbreport", appauthor=False))


def test_a_record_keeps_the_traceback_and_names_the_file(log_folder) -> None:
    path = logs.record(boom(), "import 宿迁.pdf")
    assert path == (log_folder / logs.NAME).resolve()
    text = path.read_text(encoding="utf-8")
    assert "ERROR xlgbreport: import 宿迁.pdf failed" in text
    assert "Traceback" in text and "ValueError: boom" in text
    assert logs.see(path) == f"，详情已记入 {path}" and logs.see(None) == ""


def test_the_log_rotates(monkeypatch, log_folder) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    for _ in range(40):
        logs.record(boom(), "x" * 100)
    kept = sorted(p.name for p in log_folder.glob(logs.NAME + "*") if not p.name.endswith(".lock"))
    assert kept == [logs.NAME] + [f"{logs.NAME}.{n}" for n in range(1, logs.BACKUPS + 1)]
    assert all(p.stat().st_size <= 2000 + 1000 for p in log_folder.glob(logs.NAME + "*"))


def test_a_log_that_cannot_be_written_leaves_the_message_without_a_path(tmp_path, monkeypatch,
                                                                       capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(logs.LOG_DIR, str(blocker))
    assert logs.record(boom(), "button") is None
    try:
        raise ValueError("x")
    except ValueError:
        assert excel_log.record("button") == ""
    assert capsys.readouterr().err == ""  # not logging's own "--- Logging error ---"


def test_lite_has_no_log_file(monkeypatch, log_folder) -> None:
    monkeypatch.setattr(logs.sys, "platform", "emscripten")
    assert logs.record(boom(), "f") is None
    assert not (log_folder / logs.NAME).exists()


def test_the_package_logger_hears_every_record(caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="xlgbreport"):
        logs.record(boom(), "consolidate 甲.xlsx")
    assert [r.getMessage() for r in caplog.records] == ["consolidate 甲.xlsx failed"]
    assert caplog.records[0].exc_info[0] is ValueError


def test_nothing_reaches_stderr_unless_debugging(monkeypatch, capsys, quiet_after) -> None:
    logs.record(boom(), "quiet")
    assert capsys.readouterr().err == ""
    monkeypatch.setenv(logs.DEBUG, "1")
    logs.record(boom(), "loud")
    err = capsys.readouterr().err
    assert "loud failed" in err and "Traceback" in err and "ValueError: boom" in err
