"""docs/excel.md says exactly what the scripts and the code do: install.bat's commands, the
buttons' macros, the Python versions of the bundle, the commands it names."""

from __future__ import annotations

import re
from pathlib import Path

from xlgbreport.cli import cli
from xlgbreport.cli import excel as commands
from xlgbreport.excel import selftest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
INSTALL_BAT = (ROOT / "scripts" / "windows" / "install.bat").read_text(encoding="utf-8")
BUTTONS_BAS = (ROOT / "xlgbreport" / "excel" / "bas" / "XlgButtons.bas").read_text(encoding="utf-8")
BUNDLE = (ROOT / "scripts" / "build-windows-bundle").read_text(encoding="utf-8")


def test_the_guide_shows_install_bats_commands_verbatim() -> None:
    commands_run = [line.strip() for line in INSTALL_BAT.splitlines() if line.startswith('"%PY%" ')]
    assert len(commands_run) == 6  # pip, its check, the two add-in variants, the interpreter, the doctor
    for command in commands_run:
        assert command in GUIDE, command
    assert r"%LOCALAPPDATA%\xlgbreport\venv" in GUIDE and 'set "HOME_DIR=%LOCALAPPDATA%\\xlgbreport"' in INSTALL_BAT


def test_the_guide_never_says_pip_install_user_or_the_old_excel_2016_claims() -> None:
    assert not re.search(r"pip install[^\n`]*--user", GUIDE)
    assert "只显示第一格" not in GUIDE and "#N/A" not in GUIDE  # legacy arrays are padded with blanks
    assert "多出的格子是**空白**" in GUIDE


def test_the_buttons_macros_in_the_guide_are_the_modules() -> None:
    fence = re.search(r"```vba\n(.*?)```", GUIDE, re.S).group(1)
    body = BUTTONS_BAS.replace("\r\n", "\n")
    assert fence.strip() in body


def test_the_python_versions_named_are_the_bundles() -> None:
    versions = re.search(r'PYTHON_VERSIONS:-([\d. ]+)}', BUNDLE).group(1).split()
    assert "、".join(versions) in GUIDE


def test_the_commands_the_guide_names_exist() -> None:
    excel = cli.commands["excel"]
    assert excel is commands.excel and set(excel.commands) == {"doctor", "selftest", "build-addin"}
    assert {"--interpreter", "-o"} <= {o for p in excel.commands["build-addin"].params for o in p.opts}
    assert "--like" in {o for p in cli.commands["new"].params for o in p.opts}
    assert {"-o", "--force"} <= {o for p in excel.commands["selftest"].params for o in p.opts}
    assert "excel selftest" in GUIDE and commands.SELFTEST_FOLDER in GUIDE and selftest.REPORT in GUIDE
