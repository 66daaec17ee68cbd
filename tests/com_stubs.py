"""xlwings' real Windows code on Linux: its UDF decorators and VBA generator (``xlwings.udfs``)
with only the Windows-only modules (pywin32) stubbed, and a fake COM workbook that records what
xlwings and the add-in builder do to it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import xlwings

WINDOWS_ONLY = ("pythoncom", "pywintypes", "win32com", "win32com.client")


class ComError(Exception):
    """pywintypes.com_error: what COM raises, e.g. for a VBA component that does not exist."""


def install(monkeypatch) -> ModuleType:
    """Stub pywin32, import xlwings' real ``udfs`` and make ``xlwings.func``/``arg`` its real
    decorators, as on Windows; returns ``xlwings.udfs``. Undo with :func:`uninstall`."""
    stubs = {name: ModuleType(name) for name in WINDOWS_ONLY}
    stubs["pywintypes"].com_error = ComError
    stubs["pythoncom"].CoInitialize = lambda: None
    stubs["win32com.client"].Dispatch = lambda obj: obj
    stubs["win32com"].client = stubs["win32com.client"]
    for name, module in stubs.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    real = importlib.import_module("xlwings.udfs")
    monkeypatch.setattr(xlwings, "func", real.xlfunc)
    monkeypatch.setattr(xlwings, "arg", real.xlarg)
    return real


def uninstall(monkeypatch, *reload: ModuleType) -> None:
    monkeypatch.undo()
    sys.modules.pop("xlwings.udfs", None)
    for module in reload:
        importlib.reload(module)


class Components:
    """VBProject.VBComponents: call it with a name to get one, Import a file, Remove one."""

    def __init__(self, names: list[str]) -> None:
        self.items = {name: SimpleNamespace(Name=name, CodeModule=CodeModule()) for name in names}
        self.imported: dict[str, str] = {}  # module name -> the file's text as imported
        self.removed: list[str] = []

    @property
    def Count(self) -> int:  # noqa: N802 - COM's name
        return len(self.items)

    def __call__(self, name: str) -> Any:
        if name not in self.items:
            raise ComError(name)
        return self.items[name]

    def Import(self, path: str) -> Any:  # noqa: N802 - COM's name
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        name = text.split('"')[1]  # Attribute VB_Name = "..."
        self.imported[name] = text
        self.items[name] = SimpleNamespace(Name=name, CodeModule=CodeModule(text))
        return self.items[name]

    def Remove(self, component: Any) -> None:  # noqa: N802
        self.removed.append(component.Name)
        del self.items[component.Name]


class CodeModule:
    def __init__(self, text: str = "") -> None:
        self.lines = text.splitlines()

    @property
    def CountOfLines(self) -> int:  # noqa: N802
        return len(self.lines)

    def Lines(self, start: int, count: int) -> str:  # noqa: N802
        return "\r\n".join(self.lines[start - 1:start - 1 + count])

    def ReplaceLine(self, line: int, text: str) -> None:  # noqa: N802
        self.lines[line - 1] = text


class FakeWorkbook:
    """The parts of Excel's Workbook COM object that xlwings' import_udfs and the builder use."""

    def __init__(self, name: str, components: list[str] | None = None,
                 module_text: dict[str, str] | None = None) -> None:
        self.Name = name
        self.VBProject = SimpleNamespace(Name="MyAddin",
                                         VBComponents=Components(components or []))
        for component, text in (module_text or {}).items():
            self.VBProject.VBComponents.items[component].CodeModule = CodeModule(text)
        self.macro_options: list[tuple[str, dict]] = []
        self.saved = False
        self.closed = False
        self.Application = SimpleNamespace(Version="16.0", MacroOptions=self._macro_options)
        self.IsAddin = True

    def _macro_options(self, name: str, **options: Any) -> None:
        self.macro_options.append((name, options))

    def Save(self) -> None:  # noqa: N802
        self.saved = True

    def Close(self, SaveChanges: bool = False) -> None:  # noqa: N802, N803
        self.closed = True
