"""The county-built add-in ``xlgbreport.xlam``: xlwings' documented custom add-in route.

Clerks keep plain .xlsx files and need no VBA trust: the functions and a 年报 ribbon tab (校验,
结转上年数据, 生成报告) live in one add-in that the county's IT staff build once and hand out.
It starts from xlwings' own ``quickstart_addin_ribbon.xlam`` (same version as the installed
xlwings, so its VBA matches the DLL) and is made in two steps:

1. :func:`build` (any system) edits the zip: the conf sheet, renamed ``xlgbreport.conf`` after
   the project as xlwings requires, names the UDF module and records the xlwings version whose
   VBA (and so whose ``xlwings64-<version>.dll``) the add-in holds; the same pin is written
   beside it (``<name>-xlwings.txt``, a pip constraint) for ``scripts/build-windows-bundle``.
   ``customUI/customUI.xml`` gets the tab. Every other part, ``vbaProject.bin`` included, is
   copied unchanged.
2. :func:`import_vba` (Windows with Excel, through COM) renames the VBA project and its
   ``PROJECT_NAME`` to ``xlgbreport``, replaces the template's ribbon module (whose one callback
   cannot tell buttons apart) with ``bas/RibbonXlgbreport.bas``, and imports the functions'
   VBA wrappers with xlwings' own ``import_udfs``. That needs "trust access to the VBA project
   object model" on the builder's machine only.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from ..core import shown
from ..errors import InputError, Message, OutputError
from ..files import atomic
from ..files.bounds import _elements as elements  # validate's own parser of small parts
from ..workbook.functions import UDF_MODULE

PROJECT = "xlgbreport"
CONF_SHEET = f"{PROJECT}.conf"
TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
TEMPLATE_PROJECT = "myaddin"
TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"
RIBBON_MODULE = "RibbonXlgbreport"
RIBBON_BAS = Path(__file__).with_name("bas") / f"{RIBBON_MODULE}.bas"
RIBBON_PART = "customUI/customUI.xml"
TAB = "年报"
GROUP = "政府信息公开工作年度报告"
#: (button id, label, callback in RIBBON_MODULE, built-in Office icon)
BUTTONS = (
    ("xlgCheck", "校验", "OnCheck", "Spelling"),
    ("xlgCarryOver", "结转上年数据", "OnCarryOver", "Paste"),
    ("xlgReport", "生成报告", "OnReport", "FileNew"),
    ("xlgCompare", "生成对比报告", "OnCompare", "Copy"),
)
NO_XLWINGS = Message("excel.no_xlwings", "没有安装 xlwings，找不到它自带的加载项模板 {name}：请先 pip install xlwings")
NOT_TEMPLATE = Message("excel.not_addin_template", "{name} 不是预期的 xlwings 加载项模板（缺少 {part}）")
NOT_WINDOWS = Message("excel.not_windows",
                      "导入函数和按钮的宏要用 Windows 上的 Excel 完成：请在装有 Excel 的 Windows 电脑上运行本命令")
NO_TRUST = Message("excel.no_vba_access",
                   "Excel 不允许访问 VBA 工程：请在“文件 → 选项 → 信任中心 → 信任中心设置 → 宏设置”勾选"
                   "“信任对 VBA 工程对象模型的访问”（只在制作加载项的电脑上需要）")

#: The conf sheet's key for the xlwings version the add-in was built from (xlwings ignores it).
VERSION_KEY = "XLWINGS_VERSION"
VERSION_FILE = "{stem}-xlwings.txt"
BAD_INTERPRETER = Message("excel.bad_interpreter",
                          "--interpreter 含有控制字符或无法识别的字符（{shown}），未生成加载项：请写出 pythonw.exe 的路径本身")
BAD_PART = Message("excel.bad_part", "生成的加载项中 {part} 不是有效的 XML，未保存")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: C0 and C1 controls and DEL: XML 1.0 cannot hold most of them, and a path has none.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_PROJECT_LINE = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"]*"', re.M)


def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` (``&``, ``<``, ``>``), imported when an add-in is built:
    saxutils imports urllib.request, which every ``xlgbreport`` command would pay for."""
    from xml.sax.saxutils import escape

    return escape(text)


def template_path() -> Path:
    """xlwings' own ribbon add-in template, from the installed xlwings (not imported: on Linux
    and in tests importing is fine, but finding the file is all that is needed)."""
    spec = importlib.util.find_spec("xlwings")
    path = Path(spec.origin).with_name(TEMPLATE_NAME) if spec and spec.origin else None
    if path is None or not path.is_file():
        raise InputError(None, NO_XLWINGS, name=TEMPLATE_NAME)
    return path


def ribbon_xml() -> str:
    """The 年报 tab: one group of large buttons, each with its own callback."""
    buttons = "\n".join(
        f'          <button id="{bid}" label="{_escape(label)}" size="large" '
        f'onAction="{RIBBON_MODULE}.{callback}" imageMso="{icon}" />'
        for bid, label, callback, icon in BUTTONS)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">\n'
            "  <ribbon>\n    <tabs>\n"
            f'      <tab id="{PROJECT}Tab" label="{TAB}">\n'
            f'        <group id="{PROJECT}Group" label="{GROUP}">\n'
            f"{buttons}\n        </group>\n      </tab>\n    </tabs>\n  </ribbon>\n</customUI>\n")


def conf_rows(interpreter: str | None = None, xlwings_version: str | None = None) -> list[tuple[str, str]]:
    """The add-in's settings, read by its VBA from A1 down to the first blank key. A key with
    a blank value would hide the user's own setting, so only set keys are written."""
    rows = [("UDF Modules", UDF_MODULE)]
    if xlwings_version:
        rows.append((VERSION_KEY, xlwings_version))
    if interpreter:
        rows.append(("Interpreter_Win", interpreter))
    return rows


def installed_xlwings() -> str | None:
    """The installed xlwings' version, whose template (and VBA) build() copies."""
    import importlib.metadata

    try:
        return importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError:
        return None


def version_file(addin: Path) -> Path:
    """The pin written beside the add-in: ``xlgbreport-xlwings.txt`` for ``xlgbreport.xlam``."""
    return addin.with_name(VERSION_FILE.format(stem=addin.stem))


def recorded_version(source: Path | bytes) -> str | None:
    """The xlwings version an add-in was built from, as its conf sheet records it."""
    return read_conf(source)[1].get(VERSION_KEY) or None


def build(output: Path, interpreter: str | None = None, template: Path | None = None, *,
          overwrite: bool = False, xlwings_version: str | None = None) -> None:
    """Step 1: the add-in file, ribbon and conf sheet set; the VBA as xlwings ships it, and its
    xlwings version recorded (``xlwings_version``, by default the installed one, whose template
    this is) in the conf sheet and in :func:`version_file`, which follows the add-in.
    Written atomically; without ``overwrite`` an existing add-in is refused."""
    if interpreter is not None:
        check_interpreter(interpreter)
    template = template or template_path()
    xlwings_version = xlwings_version or installed_xlwings()
    with zipfile.ZipFile(template) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    sheet = _conf_part(parts, template)
    parts["xl/workbook.xml"] = _rename_sheet(parts["xl/workbook.xml"])
    parts[sheet] = _conf_sheet(parts[sheet], conf_rows(interpreter, xlwings_version))
    parts[RIBBON_PART] = ribbon_xml().encode("utf-8")
    check_parts(parts)

    def fill(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in parts.items():
                out.writestr(name, data)

    atomic.write(output, fill, overwrite=overwrite)
    if xlwings_version:
        atomic.write_text(version_file(output), f"xlwings=={xlwings_version}\n", overwrite=True)


def check_interpreter(interpreter: str) -> None:
    """Refuse an interpreter path with a control character, or one that is not text (bytes
    that were not UTF-8 reach Python as lone surrogates): Excel could not run it anyway."""
    try:
        interpreter.encode("utf-8")
    except UnicodeEncodeError:
        bad = True
    else:
        bad = _CONTROL.search(interpreter) is not None
    if bad:
        raise InputError(None, BAD_INTERPRETER, shown=shown.terminal(interpreter))


def check_parts(parts: dict[str, bytes]) -> None:
    """Every XML part of the add-in well-formed (validate's parser: expat, no DOCTYPE) before
    the file is saved: Excel refuses a workbook with one broken part, after it said 已生成."""
    for name, data in parts.items():
        if name.lower().endswith((".xml", ".rels")):
            try:
                elements(data, frozenset())
            except Exception:  # expat's error, or the DOCTYPE refusal
                raise OutputError(None, BAD_PART, part=name) from None


def _conf_part(parts: dict[str, bytes], template: Path) -> str:
    """The template's one worksheet, its conf sheet (``_myaddin.conf``)."""
    for needed in ("xl/workbook.xml", RIBBON_PART, "xl/vbaProject.bin"):
        if needed not in parts:
            raise InputError(None, NOT_TEMPLATE, name=template.name, part=needed)
    sheets = [n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if len(sheets) != 1:
        raise InputError(None, NOT_TEMPLATE, name=template.name, part="xl/worksheets/sheet1.xml")
    return sheets[0]


def _rename_sheet(workbook_xml: bytes) -> bytes:
    ElementTree.fromstring(workbook_xml)  # refuse what is not XML before editing it as text
    text = workbook_xml.decode("utf-8")
    renamed = re.sub(r'(<sheet [^>]*name=")[^"]*"', lambda m: f'{m.group(1)}{CONF_SHEET}"', text, count=1)
    return renamed.encode("utf-8")


def _conf_sheet(sheet_xml: bytes, rows: list[tuple[str, str]]) -> bytes:
    """The sheet with its cells replaced by ``rows`` (inline strings: no shared-string edits)."""
    ElementTree.fromstring(sheet_xml)
    text = sheet_xml.decode("utf-8")
    cells = "".join(
        f'<row r="{i}"><c r="A{i}" s="1" t="inlineStr"><is><t>{_escape(key)}</t></is></c>'
        f'<c r="B{i}" s="1" t="inlineStr"><is><t>{_escape(value)}</t></is></c></row>'
        for i, (key, value) in enumerate(rows, start=1))
    text = re.sub(r"<sheetData>.*</sheetData>|<sheetData\s*/>", lambda _: f"<sheetData>{cells}</sheetData>",
                  text, count=1, flags=re.S)  # a function: backslashes in a path stay as they are
    text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:B{len(rows)}" />', text, count=1)
    return text.encode("utf-8")


def read_conf(source: Path | bytes) -> tuple[list[str], dict[str, str]]:
    """The add-in's sheet names and its conf sheet's settings, as the VBA reads them; ``source``
    the file or the bytes the reader's guard read. Parsed as validate parses (expat, no DOCTYPE)."""
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
        book = elements(zf.read("xl/workbook.xml"), frozenset({f"{_MAIN} sheet"}))
        names = [attrs.get("name", "") for _, attrs, _ in book]
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        cells = elements(zf.read(sheet), frozenset({f"{_MAIN} c"}))
    values = {attrs.get("r", ""): text if attrs.get("t") == "inlineStr" else "" for _, attrs, text in cells}
    settings = {}
    row = 1
    while values.get(f"A{row}"):
        settings[values[f"A{row}"]] = values.get(f"B{row}", "")
        row += 1
    return names, settings


def import_vba(book: Any, import_udfs: Callable[[str, Any], None]) -> None:
    """Step 2 on Excel's COM workbook of the add-in: project renamed, ribbon module swapped,
    the functions' wrappers imported by xlwings (``import_udfs``), saved."""
    project = book.VBProject
    components = project.VBComponents
    code = components("xlwings").CodeModule
    text = code.Lines(1, code.CountOfLines)
    match = _PROJECT_LINE.search(text)
    if match is None:
        raise InputError(None, NOT_TEMPLATE, name=book.Name, part="PROJECT_NAME")
    line = text[:match.start()].count("\n") + 1
    code.ReplaceLine(line, f'{match.group(1)}"{PROJECT}"')
    project.Name = PROJECT
    components.Remove(components(TEMPLATE_RIBBON_MODULE))
    components.Import(str(RIBBON_BAS))
    import_udfs(UDF_MODULE, book)
    book.Save()


def import_vba_with_excel(path: Path) -> None:
    """Open the add-in in a hidden Excel and run :func:`import_vba` on it."""
    if not sys.platform.startswith("win"):
        raise InputError(None, NOT_WINDOWS)
    import xlwings
    from xlwings import udfs

    app = xlwings.App(visible=False, add_book=False)
    try:
        book = app.books.open(str(path.resolve()))
        try:
            _ = book.api.VBProject.VBComponents.Count
        except Exception:  # COM refuses: the trust setting is off
            raise InputError(None, NO_TRUST) from None
        import_vba(book.api, udfs.import_udfs)
    finally:
        app.quit()
