"""``xlgbreport excel doctor``: what the Excel add-in still needs on this machine, in Chinese.

Each check names what it found and, when something is missing, the one thing to do. The
machine is a value (:class:`Machine`: folders, environment, registry readers, a subprocess
runner), so every Windows case is tested on any system: this Python and its xlwings, the add-in
in Excel's XLSTART folder, the Python the add-in will run and what it imports (``addin_python``),
what PATH gives, which program is registered as ``Excel.Application`` (Microsoft Store Office,
WPS), the user name, the VBA trust setting, and the given workbook: its xlwings.conf sheet, its
VBA, and whether it came from the internet (Mark of the Web, which makes Excel block its macros).
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from ..errors import InputError
from ..files import vba_project as vba
from ..workbook.functions import UDF_MODULE
from ..workbook.layout import CONF_SHEET, UDF_SHEET
from ..workbook.reader import guard
from . import addin, addin_python
from .addin import PROJECT
from .machine import BAD, INFO, OK, Check, Machine

__all__ = ["BAD", "INFO", "OK", "Check", "Machine", "diagnose", "verdict"]

MIN_PYTHON = (3, 11)
OFFICE_VERSIONS = ("16.0", "15.0")  # Excel 2016/2019/2021/365, Excel 2013
SECURITY_KEY = r"Software\Microsoft\Office\{version}\Excel\Security"
POLICY_KEY = r"Software\Policies\Microsoft\Office\{version}\Excel\Security"
ADDINS = ("xlwings.xlam", f"{PROJECT}.xlam")
UDF_MODULE_VBA = "xlwings_udfs"  # the module Import Functions writes
BUTTONS_MODULE = "XlgButtons"
PIP = "py -m pip install"


def diagnose(workbook: Path | None = None, machine: Machine | None = None) -> list[Check]:
    machine = machine or Machine()
    checks = [_python(machine), *_xlwings(machine)]
    if machine.windows:
        checks += [*_addin(machine), *addin_python.checks(machine), *_excel_app(machine), *_user_name(machine),
                   _trust(machine)]
    else:
        checks.append(Check(INFO, "不是 Windows：xlwings 加载项的函数和按钮只在 Windows 版 Excel 中运行，"
                                  "这里只检查 Python 和工作簿"))
    if workbook is not None:
        checks += _workbook(workbook, machine)
    return checks


def verdict(checks: list[Check]) -> str:
    bad = sum(c.mark == BAD for c in checks)
    todo = sum(c.todo for c in checks)
    if bad:
        return f"有 {bad} 项需要处理"
    return f"没有错误，但有 {todo} 项还没有做（见 · 行）" if todo else "全部正常"


def _python(m: Machine) -> Check:
    version = ".".join(map(str, m.python))
    if m.python[:2] < MIN_PYTHON:
        return Check(BAD, f"Python {version} 太旧：请从 python.org 安装 3.11 或更新的版本")
    if m.windows and "WindowsApps" in m.executable.parts:
        return Check(BAD, f"Python {version} 是 Microsoft Store 版（{m.executable}），加载项找不到它："
                          "请从 python.org 下载安装")
    return Check(OK, f"Python {version}（{m.bits} 位）：{m.executable}")


def _xlwings(m: Machine) -> list[Check]:
    """This Python's xlwings (the add-in's own Python is checked by ``addin_python``)."""
    if m.xlwings is None:
        return [Check(BAD, f"没有安装 xlwings：请运行 {PIP} \"xlgbreport[excel]\"（离线安装包里是 install.bat）")]
    return [Check(OK, f"xlwings {m.xlwings}")]


def _addin(m: Machine) -> list[Check]:
    xlstart = Path(m.env.get("APPDATA", "")) / "Microsoft" / "Excel" / "XLSTART"
    there = [name for name in ADDINS if (xlstart / name).is_file()]
    if not there:
        return [Check(BAD, f"Excel 启动文件夹 {xlstart} 里没有加载项（可能被杀毒软件隔离了）：请重新运行安装包里的 "
                           f"install.bat，它复制 {PROJECT}.xlam 并检查它在那里")]
    found = [Check(OK, f"加载项 {'、'.join(there)} 在 Excel 启动文件夹 {xlstart}")]
    county = xlstart / f"{PROJECT}.xlam"
    return found + (_county_addin(county) if county.is_file() else [])


def _county_addin(path: Path) -> list[Check]:
    """The county's add-in: its conf sheet, and whether the Windows step of build-addin ran."""
    try:
        data = guard(path)
        project = vba.read(path, data)
        settings = addin.read_conf(data)[1]
    except Exception:  # a damaged file: the guard's one line, zipfile and XML errors alike
        project, settings = None, {}
    if project is None or settings.get("UDF Modules") != UDF_MODULE:
        return [Check(BAD, f"{path.name} 不是 xlgbreport excel build-addin 做的加载项，或已损坏：请向县里重新索取")]
    missing = {UDF_MODULE_VBA, addin.RIBBON_MODULE} - _stream_names(project.data)
    if missing:
        return [Check(BAD, f"{path.name} 还没有导入函数和功能区的宏（缺 {'、'.join(sorted(missing))}）：请县里的维护人员"
                           "在装有 Excel 的 Windows 电脑上运行 xlgbreport excel build-addin")]
    built = settings.get(addin.VERSION_KEY)
    made = f"，用 xlwings {built} 制作" if built else "（没有记录用哪个 xlwings 制作：请县里用新版 build-addin 重做）"
    return [Check(OK, f"{path.name}：UDF Modules = {UDF_MODULE}，函数和功能区的宏已导入{made}")]


def _excel_app(m: Machine) -> list[Check]:
    """What COM starts as ``Excel.Application``: the add-in install and xlwings talk to it."""
    clsid = m.classes(r"Excel.Application\CLSID")
    server = m.classes(rf"CLSID\{clsid}\LocalServer32") if clsid else None
    if not server:
        return [Check(BAD, "注册表里没有 Excel.Application：本机没有装 Microsoft Excel，或安装已损坏："
                           "请安装或修复 Office（设置 → 应用 → Microsoft Office → 修改 → 快速修复）")]
    program = server.lower()
    if "wps" in program or "kingsoft" in program or re.search(r'(^|[\\/"])et\.exe\b', program):
        return [Check(BAD, f"Excel.Application 指向 WPS（{server}）：xlwings 会打开 WPS 而不是 Excel（xlwings #2575）："
                           "请修复 Office（设置 → 应用 → Microsoft Office → 修改 → 快速修复），"
                           "或在 WPS 的配置工具里取消与 Microsoft Office 的兼容")]
    if "windowsapps" in program:
        return [Check(BAD, f"Excel 是 Microsoft Store 版（{server}），其中函数无法启动 Python（xlwings #1166）："
                           "请卸载它，从 office.com 安装 Office 桌面版")]
    return [Check(OK, f"Excel.Application 是 Microsoft Excel：{server}")]


def _user_name(m: Machine) -> list[Check]:
    """A user name outside ASCII reaches the add-in's VBA, which passes paths through the
    ANSI code page (LoadLibraryA, cmd.exe): fine for Chinese under GBK, not beyond it."""
    profile = m.env.get("USERPROFILE", "")
    name = Path(profile.replace("\\", "/")).name or m.env.get("USERNAME", "")
    if name.isascii():
        return []
    try:
        name.encode(m.ansi)
    except (UnicodeEncodeError, LookupError):
        return [Check(BAD, f"用户名“{name}”含有本机代码页（{m.ansi}）不能表示的字符，加载项找不到用户目录里的 Python："
                           "请运行 install.bat C:\\xlgbreport，并请县里用 build-addin --interpreter "
                           "C:\\xlgbreport\\venv\\Scripts\\pythonw.exe 制作加载项")]
    return [Check(INFO, f"用户名“{name}”不是英文：本机代码页（{m.ansi}）能表示，一般没有问题；函数若报“找不到文件”，"
                        "请运行 install.bat C:\\xlgbreport")]


def _trust(m: Machine) -> Check:
    for version in OFFICE_VERSIONS:
        policy = m.registry(POLICY_KEY.format(version=version), "AccessVBOM")
        if policy == 0:
            return Check(INFO, "组策略禁止“信任对 VBA 工程对象模型的访问”：不能在工作簿里导入函数，"
                               "请用县里做好的加载项（不需要这项设置）")
        setting = m.registry(SECURITY_KEY.format(version=version), "AccessVBOM")
        if setting or policy:
            return Check(OK, "已勾选“信任对 VBA 工程对象模型的访问”（在工作簿里导入函数时需要）")
    return Check(INFO, "没有勾选“信任对 VBA 工程对象模型的访问”：只有在工作簿里导入函数时需要，"
                       "用县里做好的加载项则不需要")


def _workbook(path: Path, m: Machine) -> list[Check]:
    try:
        project = vba.read(path, guard(path))  # a broken part: 已损坏, as validate says
    except InputError as exc:
        return [Check(BAD, exc.message)]
    checks = _conf(path)
    if project is not None:
        names = _stream_names(project.data)
        neither = not names & {UDF_MODULE_VBA, BUTTONS_MODULE}  # e.g. rolled over from a bare .xlsm
        for module, what in ((UDF_MODULE_VBA, "函数（Import Functions）"), (BUTTONS_MODULE, "按钮的宏")):
            mark, verb = (OK, "已导入") if module in names else (INFO, "还没有导入")
            checks.append(Check(mark, f"{path.name} {verb}{what}（VBA 模块 {module}）", todo=neither))
    elif path.suffix.lower() == vba.MACRO_SUFFIX:
        checks.append(Check(BAD, f"{path.name} 是 .xlsm 却没有宏（VBA）：请用 Excel 重新另存为 .xlsm"))
    zone = _zone(path)
    if zone is not None and zone >= 3:
        checks.append(Check(BAD, f"{path.name} 来自网络（邮件附件或下载），Excel 会禁止其中的宏：右键文件 → 属性 → "
                                 "勾选“解除锁定”后确定"))
    return checks


def _conf(path: Path) -> list[Check]:
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # the guard passed; openpyxl raises many types for damaged parts
        return [Check(BAD, f"{path.name} 无法打开")]
    try:
        if CONF_SHEET not in wb.sheetnames:
            return [Check(BAD, f"{path.name} 没有 {CONF_SHEET} 表：加载项不知道从哪里导入函数，"
                               "请用 xlgbreport new 或 rollover 生成的工作簿")]
        rows = [(r[0], r[1] if len(r) > 1 else None)
                for r in wb[CONF_SHEET].iter_rows(min_col=1, max_col=2, values_only=True)]
        has_udf_sheet = UDF_SHEET in wb.sheetnames
    finally:
        wb.close()
    settings = {}
    for key, value in rows:  # the add-in reads from A1 down to the first blank key
        if key in (None, ""):
            break
        settings[str(key)] = "" if value is None else str(value)
    module = settings.get("UDF Modules")
    if module != UDF_MODULE:
        return [Check(BAD, f"{path.name} 的 {CONF_SHEET} 表 A1/B1 应为 UDF Modules / {UDF_MODULE}，"
                           f"实为 {next(iter(settings.items()), ('空', ''))[0]} / {module or '空'}")]
    checks = [Check(OK, f"{path.name} 的 {CONF_SHEET} 表：UDF Modules = {module}")]
    if not has_udf_sheet:
        checks.append(Check(INFO, f"{path.name} 没有“{UDF_SHEET}”表（函数仍可在任意单元格使用）"))
    return checks


def _stream_names(data: bytes) -> set[str]:
    """VBA module names in a vbaProject.bin: its storage's directory entries hold them in UTF-16,
    uncompressed, whatever the module code says."""
    names = (UDF_MODULE_VBA, BUTTONS_MODULE, addin.RIBBON_MODULE)
    return {name for name in names if name.encode("utf-16-le") in data}


def _zone(path: Path) -> int | None:
    """The Mark of the Web: ZoneId in the file's Zone.Identifier stream (NTFS); 3 is the
    internet, 4 restricted. None where there is no such stream (or not NTFS)."""
    try:
        text = Path(f"{path}:Zone.Identifier").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip().lower() == "zoneid" and value.strip().isdigit():
            return int(value.strip())
    return None
