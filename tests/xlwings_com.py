"""xlwings' real COM path on Linux: ``com_server.XLPython.CallUDF`` -> ``udfs.call_udf`` ->
``conversion.read``/``write`` -> back to VBA, with only pywin32 and xlwings' Windows engine
(``_xlwindows``) stubbed.

What a generated VBA wrapper receives from ``XLPy.CallUDF`` is what :func:`call` returns: a
scalar where xlwings unwraps a 1 × 1 result, else rows. Arguments are given as Excel gives
them: a :class:`XlRange` (a COM Range: its values as nested tuples, its shape) for a range, a
plain value for a constant, and the calling range as ``caller``.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType, SimpleNamespace
from typing import Any

import xlwings
import xlwings.main
from com_stubs import install

from xlgbreport.excel import udfs

SERVER_STUBS = ("win32api", "win32event", "win32com.server", "win32com.server.dispatcher",
                "win32com.server.policy", "win32com.server.util")


class XlRange:
    """A COM Range as Excel passes it to CallUDF: values (nested tuples, None for blank)."""

    def __init__(self, values: Any, shape: tuple[int, int] | None = None, book: str = "") -> None:
        rows = values if isinstance(values, (list, tuple)) else [[values]]
        self.values = tuple(tuple(r) for r in rows)
        self.shape = shape or (len(self.values), len(self.values[0]) if self.values else 0)
        self.CLSID = "{00020846-0000-0000-C000-000000000046}"
        self.book = book  # the full name of the workbook it is in ("" for a new one)


class _RangeImpl:
    """xlwings' Windows Range impl, as far as call_udf and the conversion read it."""

    max_cells_per_read = None

    def __init__(self, xl: XlRange) -> None:
        self.xl = xl
        self.api = xl

    @property
    def raw_value(self) -> Any:
        return self.xl.values

    @property
    def shape(self) -> tuple[int, int]:
        return self.xl.shape

    @property
    def sheet(self) -> Any:  # its book's name (XLG_LAST_YEAR), its app's engine (the conversion)
        return SimpleNamespace(book=SimpleNamespace(app=SimpleNamespace(engine=_Engine(), pid=1),
                                                    fullname=self.xl.book))


class _Engine:
    """xlwings' Windows engine: its data cleaning, as in ``_xlwindows.Engine`` (numbers, text
    and blanks are all these tests send)."""

    name = "excel"
    type = "desktop"

    @staticmethod
    def prepare_xl_data_element(x: Any, _options: Any) -> Any:
        return "" if x is None else x

    @staticmethod
    def clean_value_data(data, _datetime_builder, empty_as, _number_builder, _err_to_str):
        return [[empty_as if c in ("", None) else c for c in row] for row in data]


def install_com(monkeypatch) -> SimpleNamespace:
    """Stub pywin32 and the Windows engine, import xlwings' real ``com_server``, reload our
    udfs under xlwings' real decorators. Undo with ``com_stubs.uninstall(monkeypatch, udfs)``."""
    xw_udfs = install(monkeypatch)
    for name in SERVER_STUBS:
        monkeypatch.setitem(sys.modules, name, ModuleType(name))
    server = sys.modules["win32com.server"]
    for part in ("dispatcher", "policy", "util"):
        setattr(server, part, sys.modules[f"win32com.server.{part}"])
    sys.modules["win32com.server.util"].unwrap = _not_wrapped
    monkeypatch.setattr(sys.modules["win32com"], "server", server, raising=False)
    pythoncom = sys.modules["pythoncom"]
    pythoncom.IID_IDispatch = "IDispatch"
    pythoncom.TypeIIDs = {"IDispatch": type("PyIDispatch", (), {})}
    pythoncom.CoMarshalInterThreadInterfaceInStream = lambda iid, obj: obj
    windows = ModuleType("xlwings._xlwindows")
    windows.Range = lambda xl: _RangeImpl(xl)  # type: ignore[attr-defined]
    windows.is_range_instance = lambda obj: isinstance(obj, XlRange)  # type: ignore[attr-defined]
    monkeypatch.setattr(xlwings, "_xlwindows", windows, raising=False)
    engines = xlwings.engines
    monkeypatch.setattr(engines, "engines", [*engines.engines, xlwings.main.Engine(impl=_Engine())])
    monkeypatch.setattr(engines, "engines_by_name", {**engines.engines_by_name,
                                                     "excel": engines.engines[-1]})
    monkeypatch.delitem(sys.modules, "xlwings.com_server", raising=False)
    com_server = importlib.import_module("xlwings.com_server")
    module = importlib.reload(udfs)
    monkeypatch.setitem(xw_udfs.udf_modules, module.__name__,
                        {"module": module, "filetime": None, "filename": module.__file__})
    return SimpleNamespace(server=com_server.XLPython(), udfs=module)


def _not_wrapped(var: Any) -> Any:
    raise ValueError(var)  # a plain argument, not a wrapped Python object


def call(com: SimpleNamespace, name: str, *args: Any, caller: XlRange) -> Any:
    """What VBA's ``XLPy.CallUDF("xlgbreport.excel.udfs", name, Array(args..., Nothing),
    ActiveWorkbook, Application.Caller)`` returns: the arguments as the wrapper passes them,
    a missing optional one as VBA's missing value, ``Nothing`` for the hidden caller."""
    params = [a["name"] for a in getattr(com.udfs, name).__xlfunc__["args"]]
    missing = -2147352572  # VBA's "argument not given" (DISP_E_PARAMNOTFOUND)
    given = [*args, *[missing] * (len(params) - 1 - len(args)), None]
    return com.server.CallUDF(udfs.__name__, name, tuple(given), None, caller)
