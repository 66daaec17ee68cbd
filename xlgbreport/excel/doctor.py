"""``xlgbreport excel doctor``: what the Excel add-in still needs on this machine, in Chinese.

Each check names what it found and, when something is missing, the one thing to do. The
machine is a value (:class:`Machine`), so every Windows case is tested on any system: the
Python (version, bits, not the Microsoft Store one), xlwings and the DLL its add-in loads (only
next to ``python.exe`` or one folder up: ``pip install --user`` puts it elsewhere), the add-in
in Excel's XLSTART folder, the VBA trust setting (where the registry says), and the given
workbook: its xlwings.conf sheet, its VBA, and whether it came from the internet (Mark of the
Web, which makes Excel block its macros).
"""

from __future__ import annotations

import importlib.metadata
import os
import site
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from ..errors import InputError
from ..files import vba_project as vba
from ..workbook.functions import UDF_MODULE
from ..workbook.layout import CONF_SHEET, UDF_SHEET
from ..workbook.reader import guard
from . import addin
from .addin import PROJECT

MIN_PYTHON = (3, 11)
OFFICE_VERSIONS = ("16.0", "15.0")  # Excel 2016/2019/2021/365, Excel 2013
SECURITY_KEY = r"Software\Microsoft\Office\{version}\Excel\Security"
POLICY_KEY = r"Software\Policies\Microsoft\Office\{version}\Excel\Security"
ADDINS = ("xlwings.xlam", f"{PROJECT}.xlam")
UDF_MODULE_VBA = "xlwings_udfs"  # the module Import Functions writes
BUTTONS_MODULE = "XlgButtons"
OK, BAD, INFO = "✔", "✘", "·"
PIP = "py -m pip install"


@dataclass(frozen=True)
class Check:
    mark: str  # OK, BAD or INFO
    text: str

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

    @property
    def windows(self) -> bool:
        return self.platform.startswith("win")


def diagnose(workbook: Path | None = None, machine: Machine | None = None) -> list[Check]:
    machine = machine or Machine()
    checks = [_python(machine), *_xlwings(machine)]
    if machine.windows:
        checks += [*_addin(machine), _trust(machine)]
    else:
        checks.append(Check(INFO, "不是 Windows：xlwings 加载项的函数和按钮只在 Windows 版 Excel 中运行，"
                                  "这里只检查 Python 和工作簿"))
    if workbook is not None:
        checks += _workbook(workbook, machine)
    return checks


def verdict(checks: list[Check]) -> str:
    bad = sum(c.mark == BAD for c in checks)
    return f"有 {bad} 项需要处理" if bad else "全部正常"


def _python(m: Machine) -> Check:
    version = ".".join(map(str, m.python))
    if m.python[:2] < MIN_PYTHON:
        return Check(BAD, f"Python {version} 太旧：请从 python.org 安装 3.11 或更新的版本")
    if m.windows and "WindowsApps" in m.executable.parts:
        return Check(BAD, f"Python {version} 是 Microsoft Store 版（{m.executable}），加载项找不到它："
                          "请从 python.org 下载安装")
    return Check(OK, f"Python {version}（{m.bits} 位）：{m.executable}")


def _xlwings(m: Machine) -> list[Check]:
    if m.xlwings is None:
        return [Check(BAD, f"没有安装 xlwings：请运行 {PIP} \"xlgbreport[excel]\"（离线安装包里是 install.bat）")]
    found = [Check(OK, f"xlwings {m.xlwings}")]
    if not m.windows:
        return found
    dll = f"xlwings{m.bits}-{m.xlwings}.dll"
    home = m.executable.parent
    for folder in (home, home.parent):  # where the add-in looks
        if (folder / dll).is_file():
            return [*found, Check(OK, f"{dll} 在 {folder}")]
    if (m.user_base / dll).is_file():
        return [*found, Check(BAD, f"{dll} 在 {m.user_base}（pip install --user 装到了这里），加载项只在 "
                                   f"python.exe 旁边找：请运行 {PIP} --force-reinstall xlwings（不加 --user）")]
    return [*found, Check(BAD, f"python.exe 旁边没有 {dll}：请运行 {PIP} --force-reinstall xlwings（不加 --user）")]


def _addin(m: Machine) -> list[Check]:
    xlstart = Path(m.env.get("APPDATA", "")) / "Microsoft" / "Excel" / "XLSTART"
    there = [name for name in ADDINS if (xlstart / name).is_file()]
    if not there:
        return [Check(BAD, f"Excel 启动文件夹 {xlstart} 里没有加载项：县里发的加载项用 xlwings addin install --file "
                           f"{PROJECT}.xlam 安装，否则用 xlwings addin install")]
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
    return [Check(OK, f"{path.name}：UDF Modules = {UDF_MODULE}，函数和功能区的宏已导入")]


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
        for module, what in ((UDF_MODULE_VBA, "函数（Import Functions）"), (BUTTONS_MODULE, "按钮的宏")):
            mark, verb = (OK, "已导入") if module in names else (INFO, "还没有导入")
            checks.append(Check(mark, f"{path.name} {verb}{what}（VBA 模块 {module}）"))
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
