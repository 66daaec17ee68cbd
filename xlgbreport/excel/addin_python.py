"""The doctor's view of the Python the add-in will run, found as its VBA finds it.

``GetConfig("INTERPRETER_WIN")`` looks in the add-in's conf sheet, then in the user's config
file (``userconf``); with neither, functions start ``pythonw`` and buttons ``python`` from PATH,
which may be two installations, or the Python install manager's launcher rather than a Python.
The DLL is loaded from beside the configured interpreter or one folder up (``XLPyLoadDLL``: a
virtual environment's root), and with no interpreter configured, from Windows' search path.
"""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

from . import addin, userconf
from .machine import BAD, INFO, OK, Check, Machine

INSTALL = "请重新运行安装包里的 install.bat"
PROBE = "import xlgbreport, xlwings; print(xlwings.__version__)"
#: Folders whose python.exe is a launcher, not a Python: the Store's app aliases and the
#: Python install manager's (3.14) global shortcuts.
LAUNCHERS = ("WindowsApps", r"Python\bin")


def _xlstart(m: Machine) -> Path:
    return Path(m.env.get("APPDATA", "")) / "Microsoft" / "Excel" / "XLSTART"


def _win(path: str) -> Path:
    """A Windows path as this system's Path (tests describe Windows in a POSIX folder)."""
    return Path(PureWindowsPath(path).as_posix()) if "\\" in path else Path(path)


def configured(m: Machine) -> tuple[str, str, str | None]:
    """(project, where the setting came from, interpreter or None for PATH's) for the add-in
    Excel loads from XLSTART: the county's when it is there, else xlwings' own."""
    county = _xlstart(m) / f"{addin.PROJECT}.xlam"
    sheet: dict[str, str] = {}
    project = "xlwings"
    if county.is_file():
        project = addin.PROJECT
        try:
            sheet = {k.upper(): v for k, v in addin.read_conf(county)[1].items()}
        except Exception:  # a damaged add-in: the add-in check says so
            sheet = {}
    file = userconf.path(project, m.env.get("USERPROFILE", ""))
    user = userconf.read(file, m.ansi)
    for key in (userconf.KEY, "INTERPRETER"):  # INTERPRETER: xlwings' legacy key
        for source, settings in ((f"{county.name} 的配置表", sheet), (str(file), user)):
            if settings.get(key):
                return project, source, userconf.expand(settings[key], m.env)
    return project, "PATH", None


def on_path(m: Machine, name: str) -> Path | None:
    """``name.exe`` as cmd.exe finds it on PATH."""
    for folder in m.env.get("PATH", "").split(";"):
        if folder.strip() and (_win(folder.strip()) / f"{name}.exe").is_file():
            return _win(folder.strip()) / f"{name}.exe"
    return None


def _launcher(path: Path) -> bool:
    text = str(PureWindowsPath(path)) if "\\" in str(path) else str(path).replace("/", "\\")
    return any(f"\\{folder}\\" in text for folder in LAUNCHERS)


def checks(m: Machine) -> list[Check]:
    project, source, interpreter = configured(m)
    wanted = _addin_version(m, project)
    pythonw, python = on_path(m, "pythonw"), on_path(m, "python")
    found = [Check(INFO, f"PATH 上的 pythonw：{pythonw or '没有'}；python：{python or '没有'}")]
    if interpreter is None:
        return [*found, *_path_only(m, pythonw, python, wanted)]
    exe = _win(interpreter)
    if not exe.is_file():
        return [*found, Check(BAD, f"加载项要用的 Python {exe}（见 {source}）不存在：{INSTALL}")]
    checks = [*found, Check(OK, f"加载项的函数和按钮都用 {exe}（见 {source}）")]
    where = f"{exe.parent} 和上一级"
    return [*checks, _imports(m, exe, wanted), _dll(m, [exe.parent, exe.parent.parent], wanted, where)]


def _path_only(m: Machine, pythonw: Path | None, python: Path | None, wanted: str | None) -> list[Check]:
    """No interpreter configured: functions run PATH's pythonw, buttons PATH's python."""
    if pythonw is None:
        return [Check(BAD, f"没有为加载项指定 Python，PATH 上也没有 pythonw.exe，函数无法启动：{INSTALL}")]
    if _launcher(pythonw) or (python is not None and _launcher(python)):
        return [Check(BAD, f"PATH 上的 python 是启动器（{pythonw}），不是 Python 本身（Python 3.14 的安装管理器、"
                           f"Microsoft Store）：{INSTALL}，它让加载项直接用装好的 Python")]
    if python is None or python.parent != pythonw.parent:
        return [Check(BAD, f"函数用 PATH 上的 pythonw（{pythonw}），按钮用 python（{python or '没有'}），"
                           f"不是同一个 Python：{INSTALL}，它让两者都用同一个 Python")]
    folders = [pythonw.parent] + [_win(f.strip()) for f in m.env.get("PATH", "").split(";") if f.strip()]
    return [Check(INFO, "没有为加载项指定 Python：函数和按钮都用 PATH 上的这一个"),
            _imports(m, python, wanted), _dll(m, folders, wanted, "PATH 上的文件夹")]


def _addin_version(m: Machine, project: str) -> str | None:
    """The xlwings version whose DLL the add-in's VBA declares: the county add-in's record,
    or, for xlwings' own add-in (installed by this xlwings), this xlwings."""
    if project == addin.PROJECT:
        try:
            return addin.recorded_version(_xlstart(m) / f"{addin.PROJECT}.xlam") or m.xlwings
        except Exception:  # damaged: the add-in check says so
            return m.xlwings
    return m.xlwings


def _imports(m: Machine, exe: Path, wanted: str | None) -> Check:
    """Run that Python (python.exe beside a pythonw.exe: the same installation, with output)."""
    runner = exe.with_name("python.exe") if exe.name.lower() == "pythonw.exe" else exe
    code, output = m.run([str(runner if runner.is_file() else exe), "-c", PROBE])
    lines = output.splitlines()
    if code != 0 or not lines:
        last = lines[-1] if lines else "没有输出"
        return Check(BAD, f"{exe} 导入 xlgbreport 和 xlwings 失败（{last}）：{INSTALL}")
    version = lines[-1].strip()
    if wanted and version != wanted:
        return Check(BAD, f"{exe} 的 xlwings 是 {version}，加载项是用 {wanted} 做的，函数会报“找不到 "
                          f"xlwings64-{wanted}.dll”：{INSTALL}（它装的是同一版本）")
    return Check(OK, f"{exe} 能导入 xlgbreport 和 xlwings {version}")


def _dll(m: Machine, folders: list[Path], wanted: str | None, where: str) -> Check:
    """``xlwings64-<version>.dll`` in ``folders``: where XLPyLoadDLL (or, with no interpreter
    configured, Windows' DLL search) looks; ``where`` says them in the message."""
    if not wanted:
        return Check(INFO, "不知道加载项的 xlwings 版本，没有检查 DLL")
    dll = f"xlwings{m.bits}-{wanted}.dll"
    for folder in folders:
        if (folder / dll).is_file():
            return Check(OK, f"{dll} 在 {folder}")
    if (m.user_base / dll).is_file():
        return Check(BAD, f"{dll} 在 {m.user_base}（pip install --user 装到了这里），加载项只在 "
                          f"{where}找：{INSTALL}")
    return Check(BAD, f"{where}都没有 {dll}（可能被杀毒软件隔离了，或 pip 装错了地方）：{INSTALL}")
