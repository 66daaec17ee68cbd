"""``xlgbreport excel doctor``: every Windows case on a machine described in a temporary folder."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from xl_helpers import ROOT, run_main

from xlgbreport.errors import OutputError
from xlgbreport.excel import addin, addin_python, doctor, userconf
from xlgbreport.excel.doctor import BAD, INFO, OK, Machine
from xlgbreport.files import vba_project as vba
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.layout import CONF_SHEET

VERSION = "0.37.8"
DLL = f"xlwings64-{VERSION}.dll"
TRUSTED = {r"Software\Microsoft\Office\16.0\Excel\Security": 1}
EXCEL_CLSID = "{00024500-0000-0000-C000-000000000046}"
EXCEL = r"C:\Program Files\Microsoft Office\Root\Office16\EXCEL.EXE /automation"


def registry(values: dict[str, int]):
    return lambda key, value: values.get(key) if value == "AccessVBOM" else None


def classes(server: str | None):
    """HKEY_CLASSES_ROOT with Excel.Application served by ``server``."""
    values = {r"Excel.Application\CLSID": EXCEL_CLSID, rf"CLSID\{EXCEL_CLSID}\LocalServer32": server}
    return values.get


def runner(output: str = VERSION, code: int = 0, calls: list | None = None):
    """A subprocess runner standing in for the add-in's Python."""
    def run(command):
        if calls is not None:
            calls.append(list(command))
        return code, output
    return run


@pytest.fixture()
def windows(tmp_path: Path) -> Machine:
    """A machine as install.bat leaves it: python.org's Python on PATH, one virtual environment
    under LOCALAPPDATA with the DLL at its root, the county's add-in in XLSTART, and the
    add-in told (user config file) to run the environment's pythonw.exe."""
    home = tmp_path / "Users" / "张三"
    local, roaming = home / "AppData" / "Local", home / "AppData" / "Roaming"
    python = local / "Programs" / "Python" / "Python312"
    venv = local / "xlgbreport" / "venv"
    for folder in (python, venv / "Scripts"):
        folder.mkdir(parents=True)
        for exe in ("python.exe", "pythonw.exe"):
            (folder / exe).touch()
    (venv / DLL).touch()  # where pip puts xlwings' data files: the environment's root
    xlstart = roaming / "Microsoft" / "Excel" / "XLSTART"
    xlstart.mkdir(parents=True)
    county_addin(xlstart / "xlgbreport.xlam", "xlwings_udfs", "RibbonXlgbreport")
    env = {"APPDATA": str(roaming), "LOCALAPPDATA": str(local), "USERPROFILE": str(home),
           "PATH": f"{python};{python / 'Scripts'}"}
    userconf.configure(str(venv / "Scripts" / "pythonw.exe"), "xlgbreport", env=env, encoding="gbk")
    return Machine(platform="win32", python=(3, 12, 7), bits=64, executable=venv / "Scripts" / "python.exe",
                   user_base=roaming / "Python", env=env, xlwings=VERSION, registry=registry(TRUSTED),
                   classes=classes(EXCEL), run=runner(), ansi="gbk")


def county_addin(path: Path, *modules: str) -> Path:
    """The county's add-in after build-addin; ``modules`` stand in for what its Windows step
    imports (a VBA storage names its modules in UTF-16)."""
    addin.build(path, overwrite=True, xlwings_version=VERSION)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts[vba.PROJECT_PART] += b"".join(m.encode("utf-16-le") for m in modules)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def marks(checks) -> list[str]:
    return [c.mark for c in checks]


def bad(machine: Machine, workbook: Path | None = None) -> list[str]:
    return [c.text for c in doctor.diagnose(workbook, machine) if c.mark == BAD]


def test_a_clean_machine_is_all_right(windows: Machine) -> None:
    calls: list = []
    checks = doctor.diagnose(None, replace(windows, run=runner(calls=calls)))
    assert BAD not in marks(checks) and doctor.verdict(checks) == "全部正常", [c.line for c in checks]
    assert checks[0].line.startswith("✔ Python 3.12.7（64 位）")
    text = "\n".join(c.line for c in checks)
    venv = windows.executable.parent.parent
    assert f"✔ 加载项的函数和按钮都用 {venv / 'Scripts' / 'pythonw.exe'}（见 " in text
    assert f"✔ {DLL} 在 {venv}" in text and f"用 xlwings {VERSION} 制作" in text
    assert "✔ Excel.Application 是 Microsoft Excel" in text and "用户名“张三”不是英文" in text
    assert calls == [[str(venv / "Scripts" / "python.exe"), "-c", addin_python.PROBE]]  # the add-in's Python ran


def test_the_user_config_file_holds_the_variable_not_the_chinese_path(windows: Machine) -> None:
    file = userconf.path("xlgbreport", windows.env["USERPROFILE"])
    raw = file.read_bytes()
    assert raw == b'"INTERPRETER_WIN","%LOCALAPPDATA%\\xlgbreport\\venv\\Scripts\\pythonw.exe"\r\n'
    file.write_bytes(b'"LICENSE_KEY","abc"\r\n' + raw.replace(b"venv", b"old"))
    userconf.configure(r"D:\xlg\venv\Scripts\pythonw.exe", "xlgbreport", env=windows.env, encoding="gbk")
    assert userconf.read(file, "gbk") == {"LICENSE_KEY": "abc", "INTERPRETER_WIN": r"D:\xlg\venv\Scripts\pythonw.exe"}
    with pytest.raises(OutputError) as caught:
        userconf.configure(r"C:\Users\Ünal\venv\Scripts\pythonw.exe", "xlwings", env={"USERPROFILE": str(file.parent)},
                           encoding="gbk")
    assert "install.bat C:\\xlgbreport" in caught.value.message


def test_no_interpreter_configured_uses_path_and_says_what_breaks(windows: Machine) -> None:
    userconf.path("xlgbreport", windows.env["USERPROFILE"]).unlink()
    python = Path(windows.env["PATH"].split(";")[0])
    found = bad(windows)  # the DLL is not in python.org's folder: functions would fail
    assert len(found) == 1 and f"PATH 上的文件夹都没有 {DLL}" in found[0] and "install.bat" in found[0]
    (python / DLL).touch()
    assert bad(windows) == []
    (python / "python.exe").unlink()
    found = bad(windows)
    assert len(found) == 1 and "按钮用 python（没有）" in found[0] and "不是同一个 Python" in found[0]
    (python / "pythonw.exe").unlink()
    found = bad(windows)
    assert len(found) == 1 and "PATH 上也没有 pythonw.exe" in found[0]


def test_the_install_managers_launcher_on_path_is_not_a_python(windows: Machine) -> None:
    userconf.path("xlgbreport", windows.env["USERPROFILE"]).unlink()
    launcher = Path(windows.env["LOCALAPPDATA"]) / "Python" / "bin"
    launcher.mkdir(parents=True)
    for exe in ("python.exe", "pythonw.exe"):
        (launcher / exe).touch()
    env = {**windows.env, "PATH": str(launcher)}
    found = bad(replace(windows, env=env))
    assert len(found) == 1 and "是启动器" in found[0] and "Python 3.14 的安装管理器" in found[0]


def test_the_add_ins_python_is_gone_or_cannot_import_or_has_another_xlwings(windows: Machine) -> None:
    found = bad(replace(windows, run=runner("ModuleNotFoundError: No module named 'xlgbreport'", code=1)))
    assert len(found) == 1 and "导入 xlgbreport 和 xlwings 失败（ModuleNotFoundError" in found[0]
    found = bad(replace(windows, run=runner("0.38.0")))
    assert len(found) == 1 and f"xlwings 是 0.38.0，加载项是用 {VERSION} 做的" in found[0]
    assert f"找不到 xlwings64-{VERSION}.dll" in found[0]
    (windows.executable.parent / "pythonw.exe").unlink()
    found = bad(windows)
    assert len(found) == 1 and "pythonw.exe（见 " in found[0] and "不存在" in found[0]


def test_the_dll_missing_or_left_by_pip_install_user(windows: Machine) -> None:
    venv = windows.executable.parent.parent
    (venv / DLL).unlink()
    windows.user_base.mkdir(parents=True)
    (windows.user_base / DLL).touch()
    found = bad(windows)
    assert len(found) == 1 and "pip install --user" in found[0]
    (windows.user_base / DLL).unlink()
    found = bad(windows)
    assert len(found) == 1 and f"都没有 {DLL}" in found[0] and "杀毒软件" in found[0]
    (venv / "Scripts" / DLL).touch()  # XLPyLoadDLL's first place: beside pythonw.exe
    assert bad(windows) == []


def test_the_add_ins_conf_sheet_wins_over_the_user_file(windows: Machine, tmp_path: Path) -> None:
    xlstart = Path(windows.env["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    other = tmp_path / "other" / "pythonw.exe"
    addin.build(xlstart / "xlgbreport.xlam", str(other), overwrite=True, xlwings_version=VERSION)
    found = bad(windows)
    assert any(f"{other}（见 xlgbreport.xlam 的配置表）不存在" in t for t in found), found


def test_store_office_and_wps_as_excel_application(windows: Machine) -> None:
    store = r"C:\Program Files\WindowsApps\Microsoft.Office.Desktop.Excel_16051.1\Office16\EXCEL.EXE"
    found = bad(replace(windows, classes=classes(store)))
    assert len(found) == 1 and "Microsoft Store 版" in found[0] and "office.com" in found[0]
    wps = r"C:\Users\张三\AppData\Local\Kingsoft\WPS Office\12.1.0\office6\et.exe /Automation"
    found = bad(replace(windows, classes=classes(wps)))
    assert len(found) == 1 and "指向 WPS" in found[0] and "#2575" in found[0] and "快速修复" in found[0]
    found = bad(replace(windows, classes=classes(r'"D:\Apps\office6\et.exe" /Automation')))
    assert len(found) == 1 and "指向 WPS" in found[0]
    found = bad(replace(windows, classes=classes(None)))
    assert len(found) == 1 and "没有 Excel.Application" in found[0]


def test_a_user_name_outside_the_code_page(windows: Machine) -> None:
    found = bad(replace(windows, ansi="cp1252"))  # 张三 on a western Windows
    assert len(found) == 1 and "用户名“张三”" in found[0] and "install.bat C:\\xlgbreport" in found[0]
    ascii_home = {**windows.env, "USERPROFILE": "C:\\Users\\zhang"}
    assert not any("用户名" in c.text for c in doctor.diagnose(None, replace(windows, env=ascii_home)))


def test_python_problems(windows: Machine) -> None:
    old = doctor.diagnose(None, replace(windows, python=(3, 9, 13)))[0]
    assert old.mark == BAD and "3.9.13 太旧" in old.text
    store = Path("C:/Users/张三/AppData/Local/Microsoft/WindowsApps/python.exe")
    check = doctor.diagnose(None, replace(windows, executable=store))[0]
    assert check.mark == BAD and "Microsoft Store" in check.text and "python.org" in check.text


def test_no_xlwings_says_how_to_install(windows: Machine) -> None:
    checks = doctor.diagnose(None, replace(windows, xlwings=None))
    assert checks[1].mark == BAD and 'py -m pip install "xlgbreport[excel]"' in checks[1].text


def test_no_add_in_in_xlstart(windows: Machine) -> None:
    xlstart = Path(windows.env["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    (xlstart / "xlgbreport.xlam").unlink()
    check = next(c for c in doctor.diagnose(None, windows) if "XLSTART" in c.text)
    assert check.mark == BAD and "请重新运行安装包里的 install.bat" in check.text and "杀毒软件" in check.text


def test_a_county_add_in_whose_windows_step_did_not_run(windows: Machine) -> None:
    xlstart = Path(windows.env["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    county_addin(xlstart / "xlgbreport.xlam")  # built on Linux only: the VBA as xlwings ships it
    shipped = vba.read(xlstart / "xlgbreport.xlam").data  # a real VBA storage names its modules so:
    assert "RibbonMyAddin".encode("utf-16-le") in shipped and "xlwings".encode("utf-16-le") in shipped
    found = bad(windows)
    assert len(found) == 1 and "缺 RibbonXlgbreport、xlwings_udfs" in found[0] and "build-addin" in found[0]
    (xlstart / "xlgbreport.xlam").write_bytes(b"not an add-in")
    found = bad(windows)
    assert len(found) == 1 and "已损坏" in found[0]


def test_the_trust_setting_and_a_policy_that_forbids_it(windows: Machine) -> None:
    untrusted = doctor.diagnose(None, replace(windows, registry=registry({})))[-1]
    assert doctor.verdict(doctor.diagnose(None, replace(windows, registry=registry({})))) == "全部正常"
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


def test_an_xlsm_with_neither_functions_nor_buttons_is_not_all_right(tmp_path: Path, windows: Machine) -> None:
    path = tmp_path / "结转后.xlsm"
    workbook_writer.write(path, vba=vba.VbaProject(b"\xd0\xcf\x11\xe0" + "ThisWorkbook".encode("utf-16-le")))
    checks = doctor.diagnose(path, windows)
    assert [c.mark for c in checks[-2:]] == [INFO, INFO] and BAD not in marks(checks)
    assert doctor.verdict(checks) == "没有错误，但有 2 项还没有做（见 · 行）"


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
