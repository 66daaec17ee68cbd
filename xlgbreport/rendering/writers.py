"""The report's content as Markdown, a web page, Word and PDF, from the templates in ``templates/``.

jinja2 runs with StrictUndefined everywhere: a value missing from the context is an error, never
an empty string. What came from a workbook is text: HTML and Word escape it (autoescape), the
Markdown escapes what Markdown would read as a link, an image, a heading, HTML or a table cell.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from ..core import shown
from ..errors import Message, RenderError
from . import inputs, libreoffice, sandbox, word_tables
from .content import Content, TableView

TEMPLATES = "xlgbreport.templates"
DOCX_TEMPLATE = "report.docx"
PDF_TIMEOUT = 180


NO_SOFFICE = Message("render.no_libreoffice",
                     "生成 PDF 需要 LibreOffice：请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install "
                     "libreoffice-writer；Windows：从 libreoffice.org 下载安装）后再试，或改用 --to docx")
PDF_FAILED = Message("render.pdf_failed", "LibreOffice 未能把 Word 文档转换为 PDF：{detail}")
BAD_TEMPLATE = Message("render.bad_template", "模板 {template} 无法使用：{detail}")
NOT_TEXT = "不是 UTF-8 文本的 jinja2 模板"
EXIT_CODE = "退出码 {code}"  # a PDF_FAILED detail when LibreOffice said nothing
#: A template that fails while it renders: one line naming it and its line (``{where}``: " 第 N 行" or " ").
TEMPLATE_SYNTAX = Message("render.template_syntax", "模板 {template}{where}有语法错误")
TEMPLATE_UNDEFINED = Message("render.template_undefined", "模板 {template}{where}用到了不存在的内容")
TEMPLATE_UNSAFE = Message("render.template_unsafe", "模板 {template}{where}试图访问不允许的内容，已拦截")
TEMPLATE_ERROR = Message("render.template_error", "模板 {template}{where}计算出错（{detail}）")
TEMPLATE_TOO_BIG = Message("render.template_too_big", "模板 {template}{where}生成的内容过大，已停止")
TEMPLATE_TIMEOUT = Message("render.template_timeout", "模板 {template} 运行超过 {seconds} 秒，已停止")
#: Why a calculation failed, for the "error" line (anything else: 无法计算).
ARITHMETIC = {"ZeroDivisionError": "除以零", "OverflowError": "数值过大", "RecursionError": "嵌套过深",
              "MemoryError": "内存不足"}
OTHER_ERROR = "无法计算"


def template_text(name: str, override: Path | None = None) -> str:
    """A text template: the clerk's copy (``--template``, read as an input) or the one shipped in
    ``templates/``."""
    if override is None:
        return (resources.files(TEMPLATES) / name).read_text(encoding="utf-8")
    try:
        return inputs.read(override).decode("utf-8")
    except UnicodeDecodeError:
        raise RenderError(None, BAD_TEMPLATE, template=override.name, detail=NOT_TEXT) from None


@cache
def _env(autoescape: bool) -> sandbox.Sandbox:
    env = sandbox.Sandbox(loader=jinja2.PackageLoader(TEMPLATES, "."), autoescape=autoescape,
                          trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = shown.markdown
    env.filters["md_line"] = shown.markdown_line
    env.filters["md_cell"] = shown.markdown_cell
    return env


def render_template(name: str, content: Any, override: Path | None, autoescape: bool) -> str:
    """A text template of ``templates/`` (or the clerk's ``override``) filled with ``content``
    (the report's :class:`~.content.Content`, or another document's view such as the comparison's)."""
    env = _env(autoescape)
    shown_name = override.name if override else name
    try:
        template = sandbox.compile_text(env, template_text(name, override)) if override else env.get_template(name)
        return sandbox.render(env, template, {"content": content, "grid": grid, "shares": shares})
    except sandbox.Failure as failure:
        raise template_error(shown_name, failure) from None
    except OSError:
        raise RenderError(None, BAD_TEMPLATE, template=shown_name, detail=NOT_TEXT) from None


def template_error(name: str, failure: sandbox.Failure) -> RenderError:
    """A template's failure as its one line."""
    where = f" 第 {failure.line} 行" if failure.line else " "
    detail = ARITHMETIC.get(failure.detail, OTHER_ERROR)
    return RenderError(None, {"syntax": TEMPLATE_SYNTAX, "undefined": TEMPLATE_UNDEFINED,
                              "unsafe": TEMPLATE_UNSAFE, "size": TEMPLATE_TOO_BIG,
                              "time": TEMPLATE_TIMEOUT}.get(failure.kind, TEMPLATE_ERROR),
                       template=name, where=where, detail=detail, seconds=f"{sandbox.TIME_BUDGET:.0f}")


def markdown(content: Content, override: Path | None = None) -> str:
    return render_template("report.md.j2", content, override, autoescape=False)


def html(content: Content, override: Path | None = None) -> str:
    return render_template("report.html.j2", content, override, autoescape=True)


# --- Markdown ---------------------------------------------------------------------------

def grid(table: TableView) -> list[list[str]]:
    """A table as a full matrix, a merged cell's text at its top-left and blank beneath it: the
    Markdown form of the official layout (pipe tables cannot merge)."""
    out = [[""] * table.width for _ in range(table.height)]
    for cell in table.cells:
        out[cell.row][cell.col] = cell.text
    return out


def shares(table: TableView) -> list[float]:
    """The table's column widths in percent of its width, as the Word report lays them out (a
    printed page's columns as Word's)."""
    widths = word_tables.column_widths(table)
    return [round(100 * w / sum(widths), 2) for w in widths]


# --- Word -------------------------------------------------------------------------------

def docx(content: Content, override: Path | None = None) -> bytes:
    """The Word document: ``templates/report.docx`` (or the clerk's copy) filled by docxtpl."""
    name = override.name if override else DOCX_TEMPLATE
    data = inputs.read(override) if override else (resources.files(TEMPLATES) / DOCX_TEMPLATE).read_bytes()

    def context(tpl: Any, env: jinja2.Environment) -> dict:
        sections = [{"heading": s.heading, "paragraphs": s.paragraphs,
                     "table": word_tables.word_table(tpl, s.table) if s.table else None}
                    for s in content.sections]
        return {"title": content.title, "title_lines": content.title_lines,
                "pending": content.pending, "sections": sections}

    return fill_word(name, data, context)


def fill_word(name: str, data: bytes, context: Callable[[Any, jinja2.Environment], dict]) -> bytes:
    """A Word template (``name``, its bytes ``data``) filled by docxtpl in the sandbox, with the
    ``context`` made from the template (its tables and rich text belong to it) and the sandbox's
    environment: the one way every Word document here is made, so each is checked, bounded and
    escaped alike."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    inputs.check_word(name, data)
    env = sandbox.Sandbox(autoescape=True)

    def fill() -> bytes:
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.render_properties = lambda given, jinja_env=None: fill_properties(tpl, given, env)
        tpl.render(context(tpl, env), jinja_env=env, autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    try:
        return sandbox.run(env, fill)
    except sandbox.Failure as failure:
        failure.line = 0  # a line of word/document.xml, which means nothing in Word
        raise template_error(name, failure) from None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, PackageNotFoundError):
        raise RenderError(None, inputs.TEMPLATE_NOT_WORD, template=name) from None


#: The document properties a template may fill, and the length Word allows each of them.
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
PROPERTY_LIMIT = 255


def fill_properties(tpl: Any, context: dict[str, Any], env: sandbox.Sandbox) -> None:
    """docxtpl's filling of the document properties (title, subject …), each cut to the 255
    characters Word allows: an org's long name must not fail the report, whose body keeps it whole."""
    props = tpl.docx.core_properties
    for name in PROPERTIES:
        setattr(props, name, env.from_string(getattr(props, name) or "").render(context)[:PROPERTY_LIMIT])


# --- PDF --------------------------------------------------------------------------------

def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf(docx_bytes: bytes) -> bytes:
    """The Word document as PDF, converted by LibreOffice headless."""
    return pdfs([docx_bytes])[0]


def pdfs(documents: list[bytes]) -> list[bytes]:
    """Word documents as PDFs, in a profile of its own (with the fonts' stand-ins), so that a
    LibreOffice already open on the machine neither blocks nor receives the conversion. Two
    LibreOffice runs for all of them (its start is most of the time): Word to ODF, where the
    tables Word keeps on one page are marked so (:mod:`.libreoffice`), then ODF to PDF."""
    program = soffice()
    if program is None:
        raise RenderError(None, NO_SOFFICE)
    with tempfile.TemporaryDirectory(prefix="xlg-pdf-") as tmp:
        folder = Path(tmp)
        profile = libreoffice.profile(folder)
        sources = [folder / f"report{i}.docx" for i in range(len(documents))]
        for source, data in zip(sources, documents, strict=True):
            source.write_bytes(libreoffice.as_word_lays_out(data))
        odfs = _convert(program, profile, sources, "odt")
        for odf, data in zip(odfs, documents, strict=True):
            libreoffice.keep_tables_together(odf, libreoffice.kept_tables(data))
        return [m.read_bytes() for m in _convert(program, profile, odfs, "pdf")]


def _convert(program: str, profile: Path, sources: list[Path], to: str) -> list[Path]:
    """``sources`` converted to ``to`` beside them by one headless LibreOffice run."""
    folder = sources[0].parent
    try:
        done = subprocess.run([program, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                               "--norestore", "--convert-to", to, "--outdir", str(folder),
                               *map(str, sources)], capture_output=True,
                              timeout=PDF_TIMEOUT * len(sources), env={**os.environ, "HOME": str(folder)})
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(None, PDF_FAILED, detail=type(exc).__name__) from None
    made = [s.with_suffix(f".{to}") for s in sources]
    if not all(m.exists() for m in made):
        detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[:200]
        raise RenderError(None, PDF_FAILED, detail=detail or EXIT_CODE.format(code=done.returncode))
    return made
