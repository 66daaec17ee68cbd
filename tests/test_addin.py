"""The county-built add-in: the zip step on xlwings' real template, the COM step on a stub.

The zip step (conf sheet, ribbon XML) runs anywhere and is checked here part by part; the COM
step needs Excel on Windows, so it runs against a fake COM workbook holding the template's real
``xlwings`` module text, with xlwings' real ``import_udfs`` (pywin32 stubbed).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from com_stubs import FakeWorkbook, install, uninstall
from defusedxml import ElementTree
from oletools.olevba import VBA_Parser
from xl_helpers import ROOT, run_main

from xlgbreport.errors import InputError
from xlgbreport.excel import addin, udfs
from xlgbreport.workbook import functions


def xlwings_version() -> str:
    from importlib.metadata import version

    return version("xlwings")


UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
CALLBACK = re.compile(r"^Sub (\w+)\(control As IRibbonControl\)", re.M)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("addin") / "xlgbreport.xlam"
    addin.build(path)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def template_modules() -> dict[str, str]:
    parser = VBA_Parser(str(addin.template_path()))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_the_conf_sheet_is_named_after_the_project_and_names_the_module(built: Path, tmp_path: Path) -> None:
    sheets, settings = addin.read_conf(built)
    assert sheets == ["xlgbreport.conf"]
    assert settings == {"UDF Modules": functions.UDF_MODULE, "XLWINGS_VERSION": xlwings_version()}
    with_python = tmp_path / "a.xlam"
    addin.build(with_python, r"%LOCALAPPDATA%\Programs\Python\Python312\pythonw.exe")
    assert addin.read_conf(with_python)[1] == {
        "UDF Modules": functions.UDF_MODULE, "XLWINGS_VERSION": xlwings_version(),
        "Interpreter_Win": r"%LOCALAPPDATA%\Programs\Python\Python312\pythonw.exe"}


def test_the_ribbon_has_the_four_buttons_each_with_a_callback_of_the_module(built: Path) -> None:
    root = ElementTree.fromstring(parts(built)[addin.RIBBON_PART])
    tabs = list(root.iter(f"{UI}tab"))
    assert [t.get("label") for t in tabs] == ["年报"]
    buttons = list(tabs[0].iter(f"{UI}button"))
    assert [b.get("label") for b in buttons] == ["校验", "结转上年数据", "生成报告", "生成对比报告"]
    defined = set(CALLBACK.findall(addin.RIBBON_BAS.read_text(encoding="utf-8")))
    for b in buttons:
        module, _, callback = b.get("onAction").partition(".")
        assert module == addin.RIBBON_MODULE and callback in defined
    assert len({b.get("id") for b in buttons}) == 4
    bas = addin.RIBBON_BAS.read_bytes()
    assert bas.isascii() and b"\r\n" in bas and b"\n" not in bas.replace(b"\r\n", b"")


def test_only_the_conf_sheet_workbook_and_ribbon_parts_change(built: Path) -> None:
    before, after = parts(addin.template_path()), parts(built)
    assert set(before) == set(after)
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"xl/workbook.xml", "xl/worksheets/sheet1.xml", addin.RIBBON_PART}
    assert b"application/vnd.ms-excel.addin.macroEnabled.main+xml" in after["[Content_Types].xml"]


@pytest.mark.slow
def test_libreoffice_opens_the_add_in(built: Path, tmp_path: Path) -> None:
    """LibreOffice does not detect an .xlam by itself (xlwings' own template neither); with its
    Excel 2007 VBA filter named it loads the add-in, conf sheet and VBA project included."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed for this test"
    filt = "Calc MS Excel 2007 VBA XML"
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless",
                           f"--infilter={filt}", "--convert-to", f"xlsm:{filt}",
                           "--outdir", str(tmp_path / "out"), str(built)],
                          capture_output=True, text=True, timeout=240)
    saved = tmp_path / "out" / "xlgbreport.xlsm"
    assert proc.returncode == 0 and saved.exists(), (proc.stdout, proc.stderr)
    ws = openpyxl.load_workbook(saved)["xlgbreport.conf"]
    assert (ws["A1"].value, ws["B1"].value) == ("UDF Modules", functions.UDF_MODULE)
    parser = VBA_Parser(str(saved))
    try:
        assert {name for _, _, name, _ in parser.extract_macros()} >= {"xlwings.bas", "RibbonMyAddin.bas"}
    finally:
        parser.close()


def test_a_template_that_is_not_one_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "odd.xlam"
    with zipfile.ZipFile(odd, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError) as err:
        addin.build(tmp_path / "out.xlam", template=odd)
    assert err.value.code == "excel.not_addin_template" and err.value.args_["name"] == "odd.xlam"
    assert not (tmp_path / "out.xlam").exists()


@pytest.fixture()
def real(monkeypatch):
    xw_udfs = install(monkeypatch)
    module = __import__("importlib").reload(udfs)
    monkeypatch.setitem(xw_udfs.udf_modules, functions.UDF_MODULE,
                        {"module": module, "filetime": None, "filename": module.__file__})
    try:
        yield xw_udfs
    finally:
        uninstall(monkeypatch, udfs)


def addin_book() -> FakeWorkbook:
    """The template add-in as Excel's COM sees it: its modules, the xlwings one's real text."""
    code = template_modules()
    assert 'Public Const PROJECT_NAME As String = "myaddin"' in code["xlwings"]
    return FakeWorkbook("xlgbreport.xlam", list(code), {"xlwings": code["xlwings"]})


def test_the_com_step_renames_swaps_the_ribbon_module_and_imports_the_functions(real) -> None:
    book = addin_book()
    addin.import_vba(book, real.import_udfs)
    components = book.VBProject.VBComponents
    assert book.VBProject.Name == "xlgbreport"
    xlwings_code = components("xlwings").CodeModule.Lines(1, components("xlwings").CodeModule.CountOfLines)
    assert 'Public Const PROJECT_NAME As String = "xlgbreport"' in xlwings_code
    assert "myaddin" not in xlwings_code.split("PROJECT_NAME As String")[1].splitlines()[0]
    assert components.removed == ["RibbonMyAddin", ] and "RibbonMyAddin" not in components.items
    assert components.imported[addin.RIBBON_MODULE] == addin.RIBBON_BAS.read_text(encoding="utf-8")
    wrappers = components.imported["xlwings_udfs"]
    assert set(re.findall(r"^Function (\w+)\(", wrappers, re.M)) == {
        "xlg_check", "xlg_status", "xlg_text", "xlg_last_year"}
    assert "ActiveWorkbook, Application.Caller" in wrappers  # an add-in's wrappers
    assert book.saved


def test_the_com_step_refuses_a_module_without_project_name(real) -> None:
    book = FakeWorkbook("x.xlam", ["xlwings", "RibbonMyAddin"], {"xlwings": "Attribute VB_Name = \"xlwings\""})
    with pytest.raises(InputError) as err:
        addin.import_vba(book, real.import_udfs)
    assert err.value.code == "excel.not_addin_template"
    assert not book.saved


class FakeApp:
    """xlwings.App on Windows: opens the add-in in a hidden Excel."""

    opened: list = []

    def __init__(self, visible: bool, add_book: bool) -> None:
        assert visible is False and add_book is False
        self.quit_called = False
        self.books = SimpleNamespace(open=self._open)
        FakeApp.opened.append(self)

    def _open(self, path: str):
        self.path = path
        return SimpleNamespace(api=self.book)

    def quit(self) -> None:
        self.quit_called = True


def test_with_excel_on_windows(real, monkeypatch, tmp_path: Path) -> None:
    import xlwings

    path = tmp_path / "xlgbreport.xlam"
    addin.build(path)
    FakeApp.book = addin_book()
    monkeypatch.setattr(xlwings, "App", FakeApp, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    addin.import_vba_with_excel(path)
    app = FakeApp.opened[-1]
    assert app.path == str(path.resolve()) and app.quit_called and FakeApp.book.saved

    class Untrusted(FakeWorkbook):
        @property
        def VBProject(self):  # noqa: N802
            raise RuntimeError("Programmatic access to Visual Basic Project is not trusted")

        @VBProject.setter
        def VBProject(self, value):  # noqa: N802
            pass

    FakeApp.book = Untrusted("xlgbreport.xlam")
    with pytest.raises(InputError) as err:
        addin.import_vba_with_excel(path)
    assert err.value.code == "excel.no_vba_access" and FakeApp.opened[-1].quit_called


def test_the_com_step_says_it_needs_windows(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(InputError) as err:
        addin.import_vba_with_excel(tmp_path / "x.xlam")
    assert err.value.code == "excel.not_windows" and err.value.path is None


def test_the_command(monkeypatch, capsys, tmp_path: Path) -> None:
    out_path = tmp_path / "县.xlam"
    code, out, _ = run_main(monkeypatch, capsys, "excel", "build-addin", "-o", out_path)
    assert code == 0 and out_path.exists()
    assert out.splitlines() == [f"已生成 {out_path}：功能区“年报”和配置表 xlgbreport.conf 已写好",
                                "还差一步：在装有 Excel 的 Windows 电脑上运行同一条命令，导入函数和按钮的宏"
                                "（需要勾选“信任对 VBA 工程对象模型的访问”）"]
    code, _, err = run_main(monkeypatch, capsys, "excel", "build-addin", "-o", out_path)
    assert code == 2 and "已存在" in err


def test_the_add_in_records_its_xlwings_version_and_the_bundle_pins_the_same(built: Path) -> None:
    """The add-in's VBA declares xlwings64-<version>.dll of the xlwings it was built from: that
    version is recorded in it and beside it, and constraints.txt and the bundle script ask for it."""
    recorded = addin.recorded_version(built)
    assert recorded == xlwings_version() and addin.read_conf(built)[1]["UDF Modules"] == functions.UDF_MODULE
    assert addin.version_file(built).read_text(encoding="utf-8") == f"xlwings=={recorded}\n"
    pins = re.findall(r"^xlwings==(\S+)$", (ROOT / "constraints.txt").read_text(encoding="utf-8"), re.M)
    assert pins == [recorded]
    asked = subprocess.run(["bash", str(ROOT / "scripts" / "build-windows-bundle"), "--requirements"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert f"xlwings=={recorded}" in asked and "pywin32" in asked


def test_the_bundle_refuses_an_add_in_built_from_another_xlwings(tmp_path: Path) -> None:
    other = tmp_path / "xlgbreport.xlam"
    addin.build(other, xlwings_version="0.30.0")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "build-windows-bundle"), "--addin", str(other),
                           str(tmp_path / "dist")], capture_output=True, text=True,
                          env={**os.environ, "PYTHON": sys.executable})
    assert done.returncode == 1 and "built with xlwings 0.30.0" in done.stderr
    assert f"pins xlwings=={xlwings_version()}" in done.stderr and not (tmp_path / "dist").exists()
