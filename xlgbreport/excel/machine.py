"""The machine ``excel doctor`` looks at, as a value, and one check's line.

Every default reads this computer; tests describe a Windows machine in a temporary folder
instead (folders, environment, registry readers, a subprocess runner), so each Windows case
runs on any system without patching modules.
"""

from __future__ import annotations

import importlib.metadata
import os
import site
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import userconf

OK, BAD, INFO = "✔", "✘", "·"


@dataclass(frozen=True)
class Check:
    mark: str  # OK, BAD or INFO
    text: str
    todo: bool = False  # an INFO that still keeps the verdict from 全部正常

    @property
    def line(self) -> str:
        return f"{self.mark} {self.text}"


def _registry(key: str, value: str) -> int | None:
    """A DWORD under HKEY_CURRENT_USER, or None (no such key, or not Windows)."""
    if sys.platform != "win32":  # also tells the checker that winreg is there
        return None
    import winreg
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
            return int(winreg.QueryValueEx(handle, value)[0])
    except (OSError, ValueError, TypeError):
        return None


def _classes_root(key: str) -> str | None:
    """The default value of a key under HKEY_CLASSES_ROOT, or None."""
    if sys.platform != "win32":
        return None
    import winreg
    try:
        with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, key) as handle:
            return str(winreg.QueryValueEx(handle, "")[0])
    except (OSError, ValueError, TypeError):
        return None


def _run(command: Sequence[str]) -> tuple[int, str]:
    """Run a program (another Python), its exit code and output; never raises."""
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=120,
                              encoding="utf-8", errors="replace")
    except (OSError, subprocess.SubprocessError) as exc:
        return -1, str(exc)
    return done.returncode, (done.stdout + done.stderr).strip()


def _xlwings_version() -> str | None:
    try:
        return importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError:
        return None


@dataclass(frozen=True)
class Machine:
    """What the checks look at; the defaults are this machine."""

    platform: str = sys.platform
    python: tuple[int, int, int] = (sys.version_info.major, sys.version_info.minor, sys.version_info.micro)
    bits: int = 64 if sys.maxsize > 2**32 else 32
    executable: Path = Path(sys.executable)
    user_base: Path = Path(site.getuserbase())
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    xlwings: str | None = field(default_factory=_xlwings_version)
    registry: Callable[[str, str], int | None] = _registry
    classes: Callable[[str], str | None] = _classes_root  # HKEY_CLASSES_ROOT default values
    run: Callable[[Sequence[str]], tuple[int, str]] = _run
    ansi: str = field(default_factory=userconf.ansi)  # the code page VBA reads files in

    @property
    def windows(self) -> bool:
        return self.platform.startswith("win")
