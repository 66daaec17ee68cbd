"""xlwings Lite runs the Excel functions in Pyodide, in the browser. Here they run in real Pyodide
under node (``tests/lite/run.mjs``), from local files only (``scripts/setup-pyodide`` fetched
them; the driver refuses the network), called as Lite calls them: xlwings' own Pyodide build,
``xlwings.server.custom_functions_call``, with Office.js's conversion of arguments and results.
Every result must be what CPython gives for the same ranges (each scalar shown as Excel gets
it, a 1×1 array). A dependency that cannot load in Pyodide is named in the failure.

``tests/test_lite.py`` checks the same in CPython with compiled extensions blocked; this one is
the real interpreter, with its own standard library, C extensions and ``sys.platform``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from xl_helpers import EXAMPLES, ROOT, excel_arguments, new_workbook

from xlgbreport.core.gb2021 import TABLES
from xlgbreport.excel import udfs
from xlgbreport.workbook import reader as workbook_reader

CACHE = ROOT / ".cache" / "pyodide"
DRIVER = ROOT / "tests" / "lite" / "run.mjs"
PYODIDE = ROOT / "tests" / "lite" / "node_modules" / "pyodide"
SAMPLE = ROOT / "samples" / "errors_demo_2023.xlsx"
TEMPLATE = ROOT / "workbook" / "xlgbreport-template.xlsx"
# What the functions import beyond the standard library, and xlwings, which Lite provides
DEPENDENCIES = ["openpyxl", "et_xmlfile", "jinja2", "markupsafe", "xlsxwriter", "xlwings"]
PARTS = [None] + [t.id for t in TABLES]  # XLG_TEXT's part: omitted (requests), then each table
LAST_YEAR = [[["上年.xlsx"]], [["依申请公开"]], [["4"]], None, None, None]  # column, org, year empty

PROGRAM = r"""
import importlib, json, os, sys, sysconfig
os.environ["XLWINGS_ON_SERVER"] = "true"  # xlwings' decorators and calls as in Lite
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # xlwings.server's licence (PolyForm NC)
given = json.load(open("/input/given.json"))
failed = {}
for name in given["dependencies"]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
out = {"platform": sys.platform, "failed": failed}
if not failed:
    import xlwings
    from xlwings.server import custom_functions_call, custom_functions_meta
    from xlgbreport.excel import udfs
    from xlgbreport.workbook import reader

    async def call(name, args):
        return await custom_functions_call(
            {"func_name": name, "args": args, "version": xlwings.__version__, "client": "Office.js",
             "runtime": "1.4", "caller_address": "Python校验!B3"}, udfs)

    results = {}
    for case, args in given["cases"].items():
        results[case] = {"XLG_CHECK": await call("xlg_check", args),
                         "XLG_STATUS": await call("xlg_status", args),
                         "XLG_TEXT": [await call("xlg_text", args + [part and [[part]]])
                                      for part in given["parts"]]}
    report = reader.read("/input/sample.xlsx", fast=True)
    std = sysconfig.get_paths()["stdlib"]
    out.update(
        functions=sorted(f["name"] for f in custom_functions_meta(udfs)["functions"]),
        results=results,
        last_year=await call("xlg_last_year", given["last_year"]),
        read={"org": report.org, "year": report.year},
        compiled=sorted(n for n, m in sys.modules.items()
                        if (getattr(m, "__file__", None) or "").endswith(".so")
                        and not m.__file__.startswith(std)))
print(json.dumps(out, ensure_ascii=False))
"""


def as_excel_gets(result: Any) -> list[list[Any]]:
    """A function's result as Office.js hands it to Excel: always a 2-D array."""
    return result if isinstance(result, list) else [[result]]


def run_in_pyodide(tmp_path: Path, given: dict) -> dict:
    """PROGRAM's output in Pyodide, the package copied from this checkout."""
    node = shutil.which("node")
    assert node, "node is missing: bash scripts/test installs it (Debian, as root)"
    assert (PYODIDE / "pyodide.asm.wasm").is_file() and (CACHE / ".stamp").is_file(), \
        "Pyodide or its packages are missing: run bash scripts/setup-pyodide (scripts/test does)"
    (tmp_path / "given.json").write_text(json.dumps(given, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "program.py").write_text(PROGRAM, encoding="utf-8")
    config = {"repo": str(ROOT), "cache": str(CACHE), "program": str(tmp_path / "program.py"),
              "files": {"given.json": str(tmp_path / "given.json"), "sample.xlsx": str(SAMPLE)}}
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    out = subprocess.run([node, str(DRIVER), str(tmp_path / "config.json")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # Pyodide starts in a few seconds; the whole test takes about 15 s
def test_the_functions_give_in_pyodide_what_they_give_in_cpython(tmp_path: Path) -> None:
    books = [TEMPLATE, *sorted((ROOT / "samples").glob("*.xlsx"))]
    books += [new_workbook(p, tmp_path / f"{p.stem}.xlsx") for p in sorted(EXAMPLES.glob("*.json"))]
    cases = {book.stem: excel_arguments(book) for book in books}
    got = run_in_pyodide(tmp_path, {"dependencies": DEPENDENCIES, "cases": cases, "parts": PARTS,
                                    "last_year": LAST_YEAR})

    assert got["failed"] == {}, f"cannot load in Pyodide: {got['failed']}"
    assert got["platform"] == "emscripten"
    assert got["functions"] == ["XLG_CHECK", "XLG_LAST_YEAR", "XLG_STATUS", "XLG_TEXT"]
    texts = []
    for case, args in cases.items():
        want = {"XLG_CHECK": as_excel_gets(udfs.xlg_check(*args)),
                "XLG_STATUS": as_excel_gets(udfs.xlg_status(*args)),
                "XLG_TEXT": [as_excel_gets(udfs.xlg_text(*args, part)) for part in PARTS]}
        assert got["results"][case] == want, case
        texts += [t[0][0] for t in want["XLG_TEXT"]]
    assert max(map(len, texts)) > 255  # a real paragraph, longer than an Excel array element may be
    assert len({json.dumps(r["XLG_CHECK"]) for r in got["results"].values()}) > 3  # not all alike
    # Lite cannot read the PC's files: XLG_LAST_YEAR says so, by its sys.platform branch
    assert got["last_year"] == [[udfs.FAILED.format(message=udfs.NO_LOCAL_FILES)]]
    # openpyxl reads a workbook there (no python-calamine), as CPython's reader does
    report = workbook_reader.read(SAMPLE, fast=True)
    assert got["read"] == {"org": report.org, "year": report.year}
    # the only compiled module outside Pyodide's standard library is xlwings' own Pyodide build
    assert {name.split(".")[0] for name in got["compiled"]} <= {"xlwings"}, got["compiled"]
