"""``xlgbreport excel doctor``: every Windows case on a machine described in a temporary folder."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from xl_helpers import ROOT, run_main

from xlgbreport.excel import addin, doctor
from xlgbreport.excel.doctor import BAD, INFO, OK, Machine
from xlgbreport.files import vba_project as vba
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.layout import CONF_SHEET

VERSION = "0.37.8"
DLL = f"xlwings64-{VERSION}.dll"
TRUSTED = {r"Software\Microsoft\Office\16.0\Excel\Security": 1}


def registry(values: dict[str, int]):
    return lambda key, value: values.get(key) if value == "AccessVBOM" else None


@pytest.fixture()
def windows(tmp_path: Path) -> Machine:
    """A clean python.org per-user install with everything in place, as install.bat leaves it."""
    home = tmp_path / "Users" / "张三"
    python = home / "AppData" / "Local" / "Programs" / "Python" / "Python312"
    python.mkdir(parents=True)
    (python / "python.exe").touch()
    (python / DLL).touch()  # pip install without --user: the DLL sits next to python.exe
    roaming = home / "AppData" / "Roaming"
    xlstart = roaming / "Microsoft" / "Excel" / "XLSTART"
    xlstart.mkdir(parents=True)
    county_addin(xlstart / "xlgbreport.xlam", "xlwings_udfs", "RibbonXlgbreport")
    return Machine(platform="win32", python=(3, 12, 7), bits=64, executable=python / "python.exe",
                   user_base=roaming / "Python", env={"APPDATA": str(roaming)}, xlwings=VERSION,
                   registry=registry(TRUSTED))


def county_addin(path: Path, *modules: str) -> Path:
    """The county's add-in after build-addin; ``modules`` stand in for what its Windows step
    imports (a VBA storage names its modules in UTF-16)."""
    addin.build(path, overwrite=True)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts[vba.PROJECT_PART] += b"".join(m.encode("utf-16-le") for m in modules)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def marks(checks) -> list[str]:
    return [c.mark for c in checks]


def test_a_clean_machine_is_all_right(windows: Machine) -> None:
    checks = doctor.diagnose(None, windows)
    assert marks(checks) == [OK] * 6, [c.line for c in checks]
    assert doctor.verdict(checks) == "全部正常"
    assert checks[0].line.startswith("✔ Python 3.12.7（64 位）")
    assert any(DLL in c.text for c in checks) and any("xlgbreport.xlam" in c.text for c in checks)


def test_pip_install_user_puts_the_dll_where_the_add_in_does_not_look(windows: Machine) -> None:
    (windows.executable.parent / DLL).unlink()
    windows.user_base.mkdir(parents=True)
    (windows.user_base / DLL).touch()
    bad = [c for c in doctor.diagnose(None, windows) if c.mark == BAD]
    assert len(bad) == 1 and "pip install --user" in bad[0].text and "不加 --user" in bad[0].text
    (windows.user_base / DLL).unlink()
    bad = [c for c in doctor.diagnose(None, windows) if c.mark == BAD]
    assert len(bad) == 1 and f"python.exe 旁边没有 {DLL}" in bad[0].text


def test_the_dll_one_folder_up_is_found(windows: Machine) -> None:
    (windows.executable.parent / DLL).rename(windows.executable.parent.parent / DLL)
    assert BAD not in marks(doctor.diagnose(None, windows))


def test_python_problems(windows: Machine) -> None:
    old = doctor.diagnose(None, replace(windows, python=(3, 9, 13)))[0]
    assert old.mark == BAD and "3.9.13 太旧" in old.text
    store = Path("C:/Users/张三/AppData/Local/Microsoft/WindowsApps/python.exe")
    check = doctor.diagnose(None, replace(windows, executable=store))[0]
    assert check.mark == BAD and "Microsoft Store" in check.text and "python.org" in check.text


def test_no_xlwings_says_how_to_install(windows: Machine) -> None:
    checks = doctor.diagnose(None, replace(windows, xlwings=None))
    assert checks[1].mark == BAD and 'py -m pip install "xlgbreport[excel]"' in checks[1].text
    assert not any("dll" in c.text.lower() for c in checks)  # no DLL check without xlwings


def test_no_add_in_in_xlstart(windows: Machine) -> None:
    xlstart = Path(windows.env["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    (xlstart / "xlgbreport.xlam").unlink()
    check = next(c for c in doctor.diagnose(None, windows) if "XLSTART" in c.text)
    assert check.mark == BAD and "xlwings addin install --file xlgbreport.xlam" in check.text


def test_a_county_add_in_whose_windows_step_did_not_run(windows: Machine) -> None:
    xlstart = Path(windows.env["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    county_addin(xlstart / "xlgbreport.xlam")  # built on Linux only: the VBA as xlwings ships it
    shipped = vba.read(xlstart / "xlgbreport.xlam").data  # a real VBA storage names its modules so:
    assert "RibbonMyAddin".encode("utf-16-le") in shipped and "xlwings".encode("utf-16-le") in shipped
    bad = [c for c in doctor.diagnose(None, windows) if c.mark == BAD]
    assert len(bad) == 1 and "缺 RibbonXlgbreport、xlwings_udfs" in bad[0].text and "build-addin" in bad[0].text
    (xlstart / "xlgbreport.xlam").write_bytes(b"not an add-in")
    bad = [c for c in doctor.diagnose(None, windows) if c.mark == BAD]
    assert len(bad) == 1 and "已损坏" in bad[0].text


def test_the_trust_setting_and_a_policy_that_forbids_it(windows: Machine) -> None:
    untrusted = doctor.diagnose(None, replace(windows, registry=registry({})))[-1]
    assert untrusted.mark == INFO and "县里做好的加载项则不需要" in untrusted.text
    policy = {r"Software\Policies\Microsoft\Office\16.0\Excel\Security": 0, **TRUSTED}
    forbidden = doctor.diagnose(None, replace(windows, registry=registry(policy)))[-1]
    assert forbidden.mark == INFO and "组策略禁止" in forbidden.text
    office_2013 = {r"Software\Microsoft\Office\15.0\Excel\Security": 1}
    assert doctor.diagnose(None, replace(windows, registry=registry(office_2013)))[-1].mark == OK


def test_not_windows_checks_python_and_the_workbook_only(windows: Machine) -> None:
    linux = replace(windows, platform="linux")
    checks = doctor.diagnose(ROOT / "samples" / "hujizhen_2022.xlsx", linux)
    assert marks(checks) == [OK, OK, INFO, OK]
    assert checks[-1].text == "hujizhen_2022.xlsx 的 xlwings.conf 表：UDF Modules = xlgbreport.excel.udfs"


def test_a_workbook_whose_conf_sheet_is_wrong_or_gone(tmp_path: Path, windows: Machine) -> None:
    path = tmp_path / "改过.xlsx"
    wb = openpyxl.load_workbook(ROOT / "samples" / "hujizhen_2022.xlsx")
    wb[CONF_SHEET]["B1"] = "udfs"
    wb.save(path)
    check = doctor.diagnose(path, windows)[-1]
    assert check.mark == BAD and "实为 UDF Modules / udfs" in check.text
    del wb[CONF_SHEET]
    wb.save(path)
    check = doctor.diagnose(path, windows)[-1]
    assert check.mark == BAD and f"没有 {CONF_SHEET} 表" in check.text
    path.write_bytes(b"not a workbook")
    assert doctor.diagnose(path, windows)[-1].mark == BAD


def test_an_xlsm_says_what_its_vba_holds_and_the_mark_of_the_web(tmp_path: Path, windows: Machine) -> None:
    project = vba.VbaProject(b"\xd0\xcf\x11\xe0" + "xlwings_udfs".encode("utf-16-le"))
    path = tmp_path / "胡集镇2025.xlsm"
    workbook_writer.write(path, vba=project)
    checks = doctor.diagnose(path, windows)[-2:]
    assert [c.line for c in checks] == [
        "✔ 胡集镇2025.xlsm 已导入函数（Import Functions）（VBA 模块 xlwings_udfs）",
        "· 胡集镇2025.xlsm 还没有导入按钮的宏（VBA 模块 XlgButtons）"]
    # Windows keeps the Mark of the Web in the stream NAME:Zone.Identifier; here a file of that name
    Path(f"{path}:Zone.Identifier").write_text("[ZoneTransfer]\r\nZoneId=3\r\n", encoding="utf-8")
    check = doctor.diagnose(path, windows)[-1]
    assert check.mark == BAD and "来自网络" in check.text and "解除锁定" in check.text
    Path(f"{path}:Zone.Identifier").write_text("[ZoneTransfer]\r\nZoneId=1\r\n", encoding="utf-8")
    assert doctor.diagnose(path, windows)[-1].mark != BAD  # the local intranet: not blocked


def test_an_xlsm_without_vba(tmp_path: Path, windows: Machine) -> None:
    path = tmp_path / "空.xlsm"
    with zipfile.ZipFile(ROOT / "samples" / "hujizhen_2022.xlsx") as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
    check = doctor.diagnose(path, windows)[-1]
    assert check.mark == BAD and "没有宏" in check.text


def test_the_command_exits_1_when_something_needs_doing(monkeypatch, capsys, tmp_path: Path) -> None:
    code, out, _ = run_main(monkeypatch, capsys, "excel", "doctor", ROOT / "samples" / "hujizhen_2022.xlsx")
    assert code == 0 and out.splitlines()[-1] == "全部正常"
    code, out, _ = run_main(monkeypatch, capsys, "excel", "doctor", tmp_path / "无.xlsx")
    assert code == 1 and "✘ 无.xlsx：找不到文件" in out and out.splitlines()[-1] == "有 1 项需要处理"
