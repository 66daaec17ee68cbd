"""The functions under xlwings' real Windows decorators and VBA generator (pywin32 stubbed).

On Windows, ``xlwings.func``/``arg`` record each function's metadata and Import Functions writes
VBA wrappers from it. Run here on the real code, they must give every function its name, its
arguments in order (``caller`` filled by xlwings, never typed), the converter options, and VBA
that Excel calls with exactly the arguments the template's formulas pass.
"""

from __future__ import annotations

import importlib
import io
import re

import pytest
from com_stubs import FakeWorkbook, install, uninstall
from xl_helpers import ROOT, excel_arguments

from xlgbreport.excel import udfs
from xlgbreport.workbook import functions

MODULE = functions.UDF_MODULE
TABLES = {"proactive", "requests", "appeals", "reasons"}  # ranges read as 2-D lists
REPORT_ARGS = ["org", "year", "proactive", "requests", "appeals"]
WANTED = {  # caller: the calling range, filled by xlwings (its shape fits the result to it)
    "xlg_check": [*REPORT_ARGS, "reasons", "caller"],
    "xlg_status": [*REPORT_ARGS, "reasons", "caller"],
    "xlg_text": [*REPORT_ARGS, "part", "caller"],
    "xlg_last_year": ["source", "table", "row", "column", "org", "year", "caller"],
}


@pytest.fixture()
def real(monkeypatch):
    """Our udfs module decorated by xlwings' real decorators; restored afterwards."""
    xw_udfs = install(monkeypatch)
    try:
        yield xw_udfs, importlib.reload(udfs)
    finally:
        uninstall(monkeypatch, udfs)


def test_every_function_has_its_name_arguments_and_options(real) -> None:
    _, module = real
    found = {name: getattr(module, name).__xlfunc__ for name in dir(module)
             if hasattr(getattr(module, name), "__xlfunc__")}
    assert set(found) == set(WANTED)
    for name, xlf in found.items():
        assert xlf["name"] == name and xlf["sub"] is False
        assert [a["name"] for a in xlf["args"]] == WANTED[name]
        assert xlf["volatile"] is False and xlf["async_mode"] is None
        assert xlf["ret"]["options"] == {}  # nested lists: spilled as dynamic arrays, no expand=
        assert xlf["ret"]["doc"] == getattr(module, name).__doc__
        for a in xlf["args"]:
            want = {"ndim": 2, "err_to_str": True} if a["name"] in TABLES and name != "xlg_last_year" else {}
            assert a["options"] == want, (name, a["name"])
            if a["name"] != "caller":  # hidden: the function wizard never shows it
                assert not a["doc"].startswith("Positional argument"), (name, a["name"])
    optional = {a["name"] for a in found["xlg_last_year"]["args"] if "optional" in a}
    assert optional == {"column", "org", "year", "caller"}
    assert all("optional" in xlf["args"][-1] for xlf in found.values())


def test_the_decorated_functions_still_compute(real) -> None:
    _, module = real
    args = excel_arguments(ROOT / "samples" / "errors_demo_2023.xlsx")
    assert module.xlg_status(*args) == "✘ 5 处错误"


def vba_for(real, book_name: str) -> str:
    xw_udfs, module = real
    out = io.StringIO()
    xw_udfs.generate_vba_wrapper(MODULE, module, out, FakeWorkbook(book_name))
    return out.getvalue()


def signatures(vba: str) -> dict[str, list[str]]:
    return {m.group(1): [a.strip() for a in m.group(2).split(",") if a.strip()]
            for m in re.finditer(r"^Function (\w+)\(([^)]*)\)", vba, re.M)}


def test_the_vba_wrappers_hide_caller_and_pass_it_from_excel(real) -> None:
    vba = vba_for(real, "胡集镇2025.xlsm")
    sigs = signatures(vba)
    assert sigs == {
        "xlg_check": [*REPORT_ARGS, "Optional reasons"], "xlg_status": [*REPORT_ARGS, "Optional reasons"],
        "xlg_text": [*REPORT_ARGS, "Optional part"],
        "xlg_last_year": ["source", "table", "row", "Optional column", "Optional org", "Optional year"],
    }
    call = re.search(r'xlg_last_year = XLPy.CallUDF\("xlgbreport.excel.udfs", "xlg_last_year", '
                     r"Array\(([^)]*)\), (\w+), Application.Caller\)", vba)
    assert call, vba
    assert call.group(1) == "source, table, row, column, org, year, Nothing"  # caller: Excel's cell
    assert call.group(2) == "ThisWorkbook"
    for name in ("xlg_check", "xlg_status", "xlg_text"):
        assert re.search(rf'{name} = XLPy.CallUDF\("xlgbreport.excel.udfs", "{name}", '
                         r"Array\([^)]*, Nothing\), ThisWorkbook, Application.Caller\)", vba), name
    assert "Application.Volatile" not in vba


def test_in_an_add_in_the_wrappers_work_on_the_active_workbook(real) -> None:
    vba = vba_for(real, "xlgbreport.xlam")
    assert vba.count(", ActiveWorkbook, Application.Caller)") == len(WANTED)
    assert "ThisWorkbook" not in vba


def test_import_functions_writes_one_module_and_describes_every_argument(real, monkeypatch) -> None:
    """xlwings' own Import Functions over a fake COM workbook: what Excel would receive."""
    xw_udfs, module = real
    monkeypatch.setitem(xw_udfs.udf_modules, MODULE, {"module": module, "filetime": None,
                                                       "filename": module.__file__})
    book = FakeWorkbook("胡集镇2025.xlsm")
    xw_udfs.import_udfs(MODULE, book)
    imported = book.VBProject.VBComponents.imported
    assert list(imported) == ["xlwings_udfs"]
    assert signatures(imported["xlwings_udfs"]) == signatures(vba_for(real, "胡集镇2025.xlsm"))
    described = {name.split("!")[1]: options for name, options in book.macro_options}
    assert set(described) == set(WANTED)
    assert described["xlg_last_year"]["ArgumentDescriptions"] == [
        a["doc"] for a in module.xlg_last_year.__xlfunc__["args"] if a["name"] != "caller"]
    assert described["xlg_check"]["Description"] == module.xlg_check.__doc__
