"""The published report rendered from a workbook or interchange JSON: Markdown, HTML, Word, PDF.

:func:`render` turns one report into the bytes of one output; :func:`render_file` reads a
file, finds last year's report (``--prior`` or the 封面 field), refuses with ``strict`` when the
tables have errors, and writes beside the input without overwriting. A bad file is one Chinese
line in its :class:`~xlgbreport.actions.results.FileResult`, never the end of a batch.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ..actions import prior_source, sources
from ..actions.report import Draft, write_beside
from ..actions.results import FileResult
from ..core.findings import Severity
from ..core.model import Report
from ..core.rules import check
from ..errors import Message, RenderError, XlgbreportError, os_reason
from ..files import atomic, paths
from ..workbook.layout import layout_for
from . import content, writers

__all__ = ["KINDS", "RenderError", "output_path", "render", "render_all", "render_file",
           "write_word"]

KINDS = ("docx", "html", "pdf", "md")  # what a report renders to (not report formats: core.formats)
SUFFIX = "_报告"
STRICT = Message("render.strict", "有 {n} 处错误，未生成报告（先改正；去掉 --strict 则生成带“待核实”提示的报告）")
UNKNOWN_KIND = Message("render.unknown_kind", "不能生成 {to} 格式的报告：只能生成 {kinds}")
NO_LAYOUT = Message("render.no_layout", "是 {source} 格式的报告，目前只能生成 国办公开办函〔2021〕30号 格式的报告")
BODY = "word/document.xml"
WRITE_FAILED = Message("render.folder_failed", "输出文件夹 {path}：{reason}")
PRIOR_UNUSABLE = "上年数据无法使用（{reason}），报告中不与上年比较"


def render(report: Report, to: str, prior: Report | None = None, template: Path | None = None) -> bytes:
    """One report as the bytes of a ``to`` file (``docx``, ``html``, ``pdf`` or ``md``); for a PDF
    ``template`` is the Word template it is made from."""
    if to not in KINDS:
        raise RenderError(None, UNKNOWN_KIND, to=to, kinds="、".join(KINDS))
    if layout_for(report.format) is None:
        raise RenderError(None, NO_LAYOUT, source=report.format.source)
    what = content.build(report, prior)
    if to == "md":
        return writers.markdown(what, template).encode("utf-8")
    if to == "html":
        return writers.html(what, template).encode("utf-8")
    word = writers.docx(what, template)
    return word if to == "docx" else writers.pdf(word)


def output_path(source: Path, to: str, output: Path | None = None, n: int = 1) -> Path:
    """Beside the input (``胡集镇_报告.docx``), or in ``output`` when it is a folder; the ``n``-th
    input of a run with this name gets ``胡集镇_报告-2.docx`` … (as ``import`` numbers its outputs)."""
    name = f"{source.stem}{SUFFIX}{'' if n == 1 else f'-{n}'}.{to}"
    if output is None:
        return source.with_name(name)
    return output / name if paths.is_dir(output) else output


def render_file(path: Path, to: str, output: Path | None = None, *, prior: Path | None = None,
                template: Path | None = None, overwrite: bool = False, strict: bool = False,
                find_prior: bool = True, target: Path | None = None) -> FileResult:
    """Render one file; every problem becomes the result's one-line error, naming ``path``. The
    result's ``findings`` are the tables' (listed as 待核实 in the report), ``output`` the file
    written (``target`` when given: the name a folder run chose)."""
    notes: list[str] = []
    report = None
    findings: tuple = ()
    try:
        report = sources.load(path)
        last = _prior(report, path, prior, notes) if prior or find_prior else None
        findings = tuple(check(report, last))
        errors = sum(f.severity is Severity.ERROR for f in findings)
        if strict and errors:
            raise RenderError(path, STRICT, n=errors)
        target = target or output_path(path, to, output)
        paths.refuse_input(target, (path, prior, template))
        write(target, render(report, to, last, template), overwrite)
    except XlgbreportError as exc:
        return FileResult.failed(path, code=exc.code, message=named(path, exc), report=report,
                                 findings=findings, notes=tuple(notes))
    return FileResult.checked(path, report, findings, notes=tuple(notes), output=str(target))


def named(path: Path, exc: XlgbreportError) -> str:
    """The error's line naming the input it came from: ``X.json：…`` when it names no file,
    ``X.json → X_报告.html：输出文件已存在`` when it names another (the output, a template)."""
    if exc.path is None:
        return f"{path.name}：{exc.message}"
    if Path(exc.path).name == path.name and Path(exc.path).parent == path.parent:
        return exc.message
    return f"{path.name} → {exc.message}"


def render_all(paths_: list[Path], to: str, output: str | Path | None = None,
               **options) -> Iterator[FileResult]:
    """Every file the paths name, one at a time: in a folder the workbooks and interchange JSON
    files (walked as ``consolidate`` walks them). With a folder or several files, or an
    ``output`` ending in a separator (``-o DIR/``), ``output`` is a folder (made when missing),
    one report in it per file."""
    files = sources.collect(paths_, json=True)
    folder: Path | None = None
    if output is not None:
        folder = Path(output)
        explicit = paths.means_folder(output)
        if explicit or len(files) > 1 or any(p.is_dir() for p in paths_):
            try:
                paths.output_folder(folder, explicit=explicit)
            except XlgbreportError as exc:
                for path in files:
                    yield FileResult.failed(path, code=exc.code, message=f"{paths.shown(path.name)}：" +
                                            WRITE_FAILED.format(path=paths.shown(folder), reason=exc.reason))
                return
    taken: set[Path] = set()
    for path in files:
        n = 1
        while (target := output_path(path, to, folder, n)) in taken and n < len(files):
            n += 1  # 胡集镇.json and 胡集镇.xlsx in one folder: 胡集镇_报告.docx, 胡集镇_报告-2.docx
        taken.add(target)
        yield render_file(path, to, folder, target=target, **options)


def _prior(report: Report, path: Path, prior: Path | None, notes: list[str]) -> Report | None:
    try:
        return prior_source.resolve(report, path, prior, notes)
    except XlgbreportError as exc:
        notes.append(PRIOR_UNUSABLE.format(reason=exc.message))
    except OSError as exc:
        notes.append(PRIOR_UNUSABLE.format(reason=os_reason(exc)))
    return None


def write(path: Path, data: bytes, overwrite: bool) -> None:
    """The one write of a rendered file (``files.atomic``): complete or absent, never over an
    existing file unless ``overwrite``."""
    atomic.write(path, lambda tmp: tmp.write_bytes(data), overwrite=overwrite)


def write_word(workbook: Path, report: Report) -> Draft:
    """The Word report beside ``workbook`` (the button 生成报告), compared with last year's where
    the 封面 names it. A Word file there with other text is the clerk's: kept, and the new one
    takes the next free name, as the Markdown draft does."""
    try:
        last = prior_source.resolve(report, workbook, None, [])
    except XlgbreportError:
        last = None
    data = render(report, "docx", last)
    return write_beside(workbook, ".docx", lambda tmp: tmp.write_bytes(data),
                        lambda path: same_text(path, data))


def same_text(path: Path, data: bytes) -> bool:
    """The same document apart from the time stamps a save writes: the same body XML."""
    try:
        with zipfile.ZipFile(path) as old, zipfile.ZipFile(io.BytesIO(data)) as new:
            return old.read(BODY) == new.read(BODY)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
