"""xlwings Lite runs Python in the browser (Pyodide): no compiled extension that Pyodide lacks may
be needed to import and run the functions. python-calamine is one (then openpyxl reads);
numpy, lxml and Pillow (openpyxl's optional imports; lxml is installed with python-docx, for the
Word report, Pillow with pdfplumber, for imported PDFs) and markupsafe's speed-ups are optional too."""

from __future__ import annotations

import json
import subprocess
import sys

from xl_helpers import ROOT, excel_arguments

from xlgbreport.excel import udfs
from xlgbreport.workbook import functions

BLOCKED = ["python_calamine", "numpy", "lxml", "PIL", "markupsafe._speedups", "xlwings"]

PROGRAM = """
import json, sys, sysconfig
for name in {blocked!r}:
    sys.modules[name] = None  # importing it now raises ImportError, as where it is absent
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.excel import udfs
args = json.loads(sys.argv[1])
report = workbook_reader.read(sys.argv[2], fast=True)
std = sysconfig.get_paths()["stdlib"]
compiled = sorted(n for n, m in sys.modules.items()
                  if (getattr(m, "__file__", None) or "").endswith((".so", ".pyd"))
                  and not m.__file__.startswith(std))
print(json.dumps({{"check": udfs.xlg_check(*args), "status": udfs.xlg_status(*args),
                  "org": report.org, "compiled": compiled}}, ensure_ascii=False))
"""


def test_the_functions_run_without_compiled_extensions() -> None:
    sample = ROOT / "samples" / "errors_demo_2023.xlsx"
    args = excel_arguments(sample)
    out = subprocess.run([sys.executable, "-c", PROGRAM.format(blocked=BLOCKED),
                          json.dumps(args, ensure_ascii=False), str(sample)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    got = json.loads(out.stdout)
    assert got["compiled"] == []
    assert got["org"] == "示例镇人民政府"
    assert got["status"] == "✘ 5 处错误"
    assert got["check"] == udfs.xlg_check(*args)  # the same rows as with every extension
    assert len(got["check"]) == 5 and got["check"] != [[functions.ALL_PASS]]


def test_python_calamine_is_not_required_in_the_browser() -> None:
    """micropip (Pyodide) installs xlgbreport's requirements: one it cannot get would fail the
    whole install, so python-calamine is required everywhere but there."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    calamine = [Requirement(r) for r in requires("xlgbreport") if r.startswith("python-calamine")]
    assert len(calamine) == 1 and calamine[0].marker is not None
    assert calamine[0].marker.evaluate({"sys_platform": "win32"})
    assert not calamine[0].marker.evaluate({"sys_platform": "emscripten"})
