"""The offline Windows bundle (scripts/build-windows-bundle): built here from the package index
(downloads cached in the system's temporary folder), then resolved for Windows with no network.

pip resolves environment markers for the machine it runs on, even with ``--platform``, so a dry
run alone would not notice a wheel that only Windows needs (pywin32 for xlwings): every
wheel's requirements are also evaluated with Windows' markers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging import tags
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version
from xl_helpers import ROOT

VERSIONS = ("3.11", "3.12", "3.13", "3.14")
SCRIPT = ROOT / "scripts" / "build-windows-bundle"
INSTALL_BAT = ROOT / "scripts" / "windows" / "install.bat"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    env = {**os.environ, "PYTHON": sys.executable, "PYTHON_VERSIONS": " ".join(VERSIONS),
           "PIP_CACHE_DIR": str(Path(tempfile.gettempdir()) / "xlgbreport-bundle-pip-cache")}
    done = subprocess.run(["bash", str(SCRIPT), str(out / "dist")], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    zip_path = Path(done.stdout.strip().splitlines()[-1])
    assert zip_path.name == "xlgbreport-windows-0.1.0.zip" and zip_path.parent == out / "dist"
    folder = out / "unpacked"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(folder)
    return folder


def wheels(folder: Path) -> list[Path]:
    return sorted((folder / "wheels").glob("*.whl"))


def windows_environment(version: str) -> dict[str, str]:
    return {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
            "platform_machine": "AMD64", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "python_version": version,
            "python_full_version": f"{version}.0", "platform_release": "10", "extra": ""}


def installable(path: Path, version: str) -> bool:
    """Whether pip on 64-bit Windows with CPython ``version`` would take this wheel."""
    py = tuple(int(x) for x in version.split("."))
    supported = {*tags.cpython_tags(py, platforms=["win_amd64"]),
                 *tags.compatible_tags(py, f"cp{py[0]}{py[1]}", platforms=["win_amd64"])}
    return bool(parse_wheel_filename(path.name)[3] & supported)


def requirements(path: Path) -> list[Requirement]:
    with zipfile.ZipFile(path) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(zf.read(meta).decode("utf-8"))
    return [Requirement(r) for r in message.get_all("Requires-Dist") or []]


@pytest.mark.slow
def test_the_bundle_holds_the_wheel_the_installer_and_only_windows_wheels(bundle: Path) -> None:
    assert (bundle / "install.bat").read_bytes() == INSTALL_BAT.read_bytes()
    assert (bundle / "constraints.txt").read_bytes() == (ROOT / "constraints.txt").read_bytes()
    names = [w.name for w in wheels(bundle)]
    assert "xlgbreport-0.1.0-py3-none-any.whl" in names
    for name in names:
        assert name.endswith(("-none-any.whl", "-win_amd64.whl")), name
    for version in VERSIONS:
        cp = "cp" + version.replace(".", "")
        for project in ("xlwings", "pywin32", "python_calamine"):
            assert any(n.startswith(project + "-") and f"-{cp}-" in n for n in names), (project, version)


@pytest.mark.slow
def test_every_requirement_has_its_windows_wheel(bundle: Path) -> None:
    """The closure of xlgbreport[excel] under Windows' markers, per Python, from the bundle alone."""
    found = wheels(bundle)
    for version in VERSIONS:
        env = windows_environment(version)
        by_name = {}
        for path in found:
            if installable(path, version):
                name, wheel_version, _, _ = parse_wheel_filename(path.name)
                by_name[name] = (wheel_version, path)
        todo, seen = [(Requirement("xlgbreport[excel]"), "")], set()
        while todo:
            req, extra = todo.pop()
            name = canonicalize_name(req.name)
            if req.marker is not None and not req.marker.evaluate({**env, "extra": extra}):
                continue
            assert name in by_name, f"Python {version} needs {req} (no Windows wheel in the bundle)"
            wheel_version, path = by_name[name]
            assert req.specifier.contains(wheel_version, prereleases=True), (version, req, wheel_version)
            for extra_name in req.extras or {""}:
                if (name, extra_name) not in seen:
                    seen.add((name, extra_name))
                    todo += [(r, extra_name) for r in requirements(path)]
        assert {"xlwings", "pywin32", "python-calamine", "markupsafe"} <= {n for n, _ in seen}


def test_every_wheel_is_the_version_the_tests_passed_with(bundle: Path) -> None:
    """What ships is what passed: each dependency at its constraints.txt pin."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    assert {"openpyxl", "python-calamine", "xlwings", "pywin32", "filelock"} <= set(pins)
    for path in wheels(bundle):
        name, version, _, _ = parse_wheel_filename(path.name)
        if name != "xlgbreport":
            assert name in pins and version == Version(pins[name]), path.name


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_pip_resolves_the_bundle_for_windows_without_the_network(bundle: Path, tmp_path: Path,
                                                                  version: str) -> None:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--disable-pip-version-check", "--no-index", "--find-links", str(bundle / "wheels"),
         "--only-binary=:all:", "--platform", "win_amd64", "--python-version", version,
         "--implementation", "cp", "--target", str(tmp_path / "target"), "--report", str(report),
         "xlgbreport[excel]"], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull})
    assert done.returncode == 0, done.stderr[-3000:]
    resolved = {item["metadata"]["name"].lower(): item["download_info"]["url"]
                for item in json.loads(report.read_text())["install"]}
    assert {"xlgbreport", "xlwings", "python-calamine", "openpyxl"} <= set(resolved)
    cp = "cp" + version.replace(".", "")
    assert f"-{cp}-{cp}-win_amd64.whl" in resolved["xlwings"]
    assert not (tmp_path / "target").exists()  # a dry run: nothing installed


def bat_lines() -> list[str]:
    raw = INSTALL_BAT.read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")  # cmd.exe wants CRLF
    return raw.decode("utf-8").splitlines()


def test_install_bat_is_ascii_until_it_switches_to_utf8_and_its_messages_are_plain() -> None:
    lines = bat_lines()
    switch = lines.index("chcp 65001 >nul")
    assert all(line.isascii() for line in lines[:switch + 1])
    for line in lines:
        if line.startswith("echo ") and not line.isascii():
            assert not re.search(r"[&|<>^()]", line), line  # cmd would read these as syntax
    assert not any(line.rstrip().endswith("(") or line.strip() == ")" for line in lines)  # no blocks


def test_install_bat_uses_one_virtual_environment_and_the_pinned_xlwings() -> None:
    text = "\n".join(bat_lines())
    assert 'set "HOME_DIR=%LOCALAPPDATA%\\xlgbreport"' in text and 'set "VENV=%HOME_DIR%\\venv"' in text
    assert "--user" not in text and "py -3 -m pip" not in text  # only the environment's own pip
    assert '"%PY%" -m pip install --no-index --find-links wheels -c constraints.txt --upgrade "xlgbreport[excel]"' in text
    # the version is read from the bundle's constraints.txt as cmd's for /f would: tokens=2 delims==
    found = re.search(r"for /f \"tokens=2 delims==\" %%v in \('findstr /b /i /c:\"(\S+)\" constraints.txt'\)", text)
    assert found and found.group(1) == "xlwings=="
    pinned = [line for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
              if line.lower().startswith(found.group(1))]
    assert len(pinned) == 1
    version = [t for t in pinned[0].split("=") if t][1]
    assert version == Version(version).public == _installed("xlwings")
    assert 'set "DLL=xlwings64-%XLWINGS_VERSION%.dll"' in text


def _installed(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def test_every_install_step_is_followed_by_its_check() -> None:
    """xlwings addin install returns 0 when it failed: each step is checked by what it left."""
    lines = [line for line in bat_lines() if line.strip() and not line.startswith("rem")]
    text = "\n".join(lines)
    labels = {line[1:] for line in lines if line.startswith(":")}
    for target in re.findall(r"goto (\w+)", text):
        assert target in labels, target

    def after(step: str) -> str:
        index = next(i for i, line in enumerate(lines) if step in line)
        return lines[index + 1]

    assert after("-m venv --clear") == 'if not exist "%PY%" goto novenv'
    assert "import sys, xlgbreport, xlwings; sys.exit(xlwings.__version__ != sys.argv[1])" in after("-m pip install")
    assert after("-m pip install").endswith("%XLWINGS_VERSION% || goto noimport")
    assert after("sys.exit(xlwings.__version__") == (
        'if not exist "%VENV%\\%DLL%" if not exist "%VENV%\\Scripts\\%DLL%" goto nodll')
    assert after(":addindone") == 'if not exist "%XLSTART%\\%ADDIN%" goto noaddin'
    assert 'addin install --file "%~dp0xlgbreport.xlam"' in text and "addin install\n" in text + "\n"
    assert after("userconf.configure(").startswith('if not exist "%USERPROFILE%\\.%PROJECT%\\%PROJECT%.conf"')
    assert '"%PY%" -m xlgbreport excel doctor || goto doctor' in text
    for label in labels - {"xlwingsaddin", "addindone", "failed"}:  # every failure says what, in Chinese
        message = lines[lines.index(f":{label}") + 1]
        assert message.startswith("echo ") and not message.isascii(), label
