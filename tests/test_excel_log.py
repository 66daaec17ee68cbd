"""The Excel layer's log: where it lives on each system, and that a failure to write it is quiet."""

from __future__ import annotations

import logging
from pathlib import Path

from xlgbreport.excel import log


def test_the_log_lives_in_the_users_local_app_data() -> None:
    home = Path("/home/张三")
    windows = log.log_dir({"LOCALAPPDATA": r"C:\Users\张三\AppData\Local"}, "win32", home)
    assert str(windows).replace("\\", "/").endswith("AppData/Local/xlgbreport")
    assert log.log_dir({}, "win32", home) == home / "AppData" / "Local" / "xlgbreport"
    assert log.log_dir({}, "darwin", home) == home / "Library" / "Logs" / "xlgbreport"
    assert log.log_dir({}, "linux", home) == home / ".local" / "state" / "xlgbreport"
    assert log.log_dir({"XDG_STATE_HOME": "/s"}, "linux", home) == Path("/s/xlgbreport")


def test_a_log_that_cannot_be_written_leaves_the_message_without_a_path(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    try:
        raise ValueError("x")
    except ValueError:
        assert log.record(logging.getLogger("t"), "button") == ""


def test_lite_has_no_log_file(monkeypatch, log_folder) -> None:
    monkeypatch.setattr(log.sys, "platform", "emscripten")
    monkeypatch.setattr(log, "_handler", None)
    try:
        raise ValueError("x")
    except ValueError:
        assert log.record(logging.getLogger("t"), "f") == ""
    assert not (log_folder / log.NAME).exists()
