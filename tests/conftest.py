"""Hypothesis runs the same examples on every run by default, so that CI is repeatable; set
HYPOTHESIS_PROFILE=explore for fresh random examples (with XLG_EQUIV_EXAMPLES=200, say, to
search the template's formulas harder). What exploring finds becomes an explicit @example."""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def log_folder(tmp_path_factory, monkeypatch):
    """The package's log file goes to a temporary folder, never the tester's own; a tester's
    XLGBREPORT_DEBUG does not change what the tests see."""
    folder = tmp_path_factory.mktemp("logs")
    monkeypatch.setenv("XLGBREPORT_LOG_DIR", str(folder))
    monkeypatch.delenv("XLGBREPORT_DEBUG", raising=False)
    return folder
