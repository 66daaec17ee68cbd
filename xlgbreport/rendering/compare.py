"""The two-year comparison a leader reads, as Markdown, a web page, Word and PDF.

The comparison itself is ``core.comparison``'s; here it is laid out as ``render`` lays out the
report: the same ``templates/`` folder (``compare.md.j2``, ``compare.html.j2``, ``compare.docx``,
the last built from ``report.docx`` by ``scripts/build-compare-docx`` so both share their styles),
the same sandboxed jinja2, the same escaping, and the same Word tables
(:func:`writers._word_table` draws every table from a :class:`~.content.TableView`).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from importlib import resources
from itertools import groupby
from pathlib import Path

from ..actions import prior_source, sources
from ..actions.report import Draft, write_beside
from ..actions.results import FileResult
from ..core import crosswalk
from ..core.comparison import Comparison, IndicatorLine, Passage, TableComparison, compare
from ..core.model import Report
from ..core.rules import check
from ..errors import Message, RenderError
from ..files import atomic, paths
from ..workbook.layout import layout_for
from . import KINDS, NO_LAYOUT, UNKNOWN_KIND, _same_text, inputs, sandbox, writers
from .content import Cell, TableView, _order

DOCX_TEMPLATE = "compare.docx"
SUFFIX = "_对比"
ITEM, COLUMN, CHANGE, PERCENT, INDICATOR = "项目", "栏目", "增减", "增减幅度", "指标"
LEGEND = "灰底、波浪线并注“与上年相同”或“与上年相近”的句子，与上年报告的句子相同或相近（不计机关名称、年份和数字）。"
NO_PRIOR = Message("compare.no_prior", "封面“上年工作簿”没有填写，无法与上年对比：请填写上年工作簿的路径或文件夹")
CARRIED_SHADE = "E6E6E6"
TABLE_FONT_PT = 10.5  # 五号, the table text of report.docx
MM_PER_PT = 25.4 / 72
DIGIT = 1.3  # a digit's width in writers._ems' half characters
SHORT_HEADING = 3  # characters: 2024年 stays on one line


@dataclass(frozen=True)
class Part:
    """One heading of the comparison: lines of text, this year's prose with its marks, a table
    and the lines below it."""

    heading: str
    intro: tuple[str, ...] = ()
    paragraphs: tuple[tuple[Passage, ...], ...] = ()
    table: TableView | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    title: str
    summary: str
    notes: tuple[str, ...]
    parts: tuple[Part, ...]


def view(found: Comparison) -> View:
    """The comparison in the report's order: the indicators, then 一 to 六, then the findings."""
    body = [Part(t.heading, (t.note,), t.paragraphs) for t in found.texts]
    body += [Part(t.title, (), (), table_view(t, found), t.notes) for t in found.tables]
    body.sort(key=lambda p: _order(p.heading))
    indicators = Part(INDICATORS_HEADING, table=indicator_view(found.indicators, found))
    findings = Part(FINDINGS_HEADING, tuple(line for g in found.findings for line in (g.heading, *g.lines)))
    legend = (LEGEND,) if any(t.carried for t in found.texts) else ()
    return View(found.title, found.summary, (*found.notes, *legend), (indicators, *body, findings))


INDICATORS_HEADING, FINDINGS_HEADING = "主要指标", "校验结果"


def table_view(table: TableComparison, found: Comparison) -> TableView:
    """An official table's cells in both years, one line a cell: the row's label spans its lines."""
    heads = (ITEM, COLUMN, found.last_year, found.this_year, CHANGE, PERCENT)
    cells = [Cell(text, 0, col, kind="header") for col, text in enumerate(heads)]
    row = 1
    for label, group in groupby(table.lines, key=lambda line: line.row):
        lines = list(group)
        cells.append(Cell(label, row, 0, rows=len(lines), kind="label"))
        for line in lines:
            cells.append(Cell(line.column, row, 1, kind="label"))
            cells.extend(Cell(text, row, col) for col, text in
                         enumerate((line.last, line.this, line.change, line.percent), start=2))
            row += 1
    return TableView(table.id, table.title, len(heads), row, 1, tuple(cells))


def indicator_view(lines: tuple[IndicatorLine, ...], found: Comparison) -> TableView:
    heads = (INDICATOR, found.last_year, found.this_year, CHANGE)
    cells = [Cell(text, 0, col, kind="header") for col, text in enumerate(heads)]
    for row, line in enumerate(lines, start=1):
        cells.append(Cell(line.label, row, 0, kind="label"))
        cells.extend(Cell(text, row, col) for col, text in enumerate((line.last, line.this, line.change), start=1))
    return TableView("indicators", INDICATORS_HEADING, len(heads), len(lines) + 1, 1, tuple(cells))


def render(this: Report, last: Report, to: str) -> bytes:
    """This year's report against last year's as the bytes of a ``to`` file."""
    if to not in KINDS:
        raise RenderError(None, UNKNOWN_KIND, to=to, kinds="、".join(KINDS))
    if layout_for(this.format) is None:
        raise RenderError(None, NO_LAYOUT, source=this.format.source)
    what = view(compare(this, last))
    if to == "md":
        return writers._render("compare.md.j2", what, None, autoescape=False).encode("utf-8")  # type: ignore[arg-type]
    if to == "html":
        return writers._render("compare.html.j2", what, None, autoescape=True).encode("utf-8")  # type: ignore[arg-type]
    word = docx(what)
    return word if to == "docx" else writers.pdf(word)


def docx(what: View) -> bytes:
    """The Word comparison: ``templates/compare.docx`` filled by docxtpl, as ``report.docx`` is."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate, RichText

    data = (resources.files(writers.TEMPLATES) / DOCX_TEMPLATE).read_bytes()
    inputs.check_word(DOCX_TEMPLATE, data)
    env = sandbox.Sandbox(autoescape=True)

    def rich(paragraph: tuple[Passage, ...]) -> RichText:
        text = RichText()
        for passage in paragraph:
            if passage.carried:
                text.add(passage.text, highlight=CARRIED_SHADE, underline="wave")
                text.add(f"〔{passage.mark}〕", size=20)
            else:
                text.add(passage.text)
        return text

    def fill() -> bytes:
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.render_properties = lambda context, jinja_env=None: writers._properties(tpl, context, env)
        parts = [{"heading": p.heading, "intro": p.intro, "paragraphs": [rich(x) for x in p.paragraphs],
                  "table": _word_table(tpl, p.table) if p.table else None, "notes": p.notes}
                 for p in what.parts]
        tpl.render({"title": what.title, "summary": what.summary, "notes": what.notes, "parts": parts},
                   jinja_env=env, autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    try:
        return sandbox.run(env, fill)
    except sandbox.Failure as failure:
        failure.line = 0
        raise writers.template_error(DOCX_TEMPLATE, failure) from None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, PackageNotFoundError):
        raise RenderError(None, inputs.TEMPLATE_NOT_WORD, template=DOCX_TEMPLATE) from None


def _word_table(tpl, table: TableView):
    """``render``'s Word table (:func:`writers._word_table`), its columns then refitted: a column
    of numbers as wide as its widest number, so that none breaks, the label columns sharing the
    rest of the text width by their text."""
    from docx.shared import Mm

    sub = writers._word_table(tpl, table)
    widths = fitted(table)
    word = sub.tables[0]
    for column, width in zip(word.columns, widths, strict=True):
        column.width = Mm(width)
    for i, cell in enumerate(word._cells):
        cell.width = Mm(widths[i % table.width])
    return sub


def fitted(table: TableView) -> list[float]:
    """Column widths in mm: a number column holds its widest value on one line and its heading on
    two (a digit taken as 0.65 of the font size, as wide as DejaVu Sans's, plus the cell
    margins); the label columns share what is left by their longest text (up to 12 characters)."""
    em = TABLE_FONT_PT * MM_PER_PT
    values = {c.col for c in table.cells if c.kind == "value"}
    need = [0.0] * table.width
    for cell in table.cells:
        if cell.cols > 1:
            continue
        wide = writers._ems(cell.text) * DIGIT
        if cell.col in values:
            one_line = cell.kind == "value" or writers._ems(cell.text) <= SHORT_HEADING
            size = wide + 0.7 if one_line else wide / 2 + 1.2  # a longer heading on two lines
        else:
            size = min(writers._ems(cell.text), 12) + 1
        need[cell.col] = max(need[cell.col], size)
    numbers = sum(need[c] for c in values) * em
    labels = sum(n for c, n in enumerate(need) if c not in values)
    left = max(writers.TEXT_WIDTH_MM - numbers, 0.0)
    return [need[c] * em if c in values else left * need[c] / labels for c in range(table.width)]


def output_path(source: Path, to: str, output: Path | None = None) -> Path:
    """Beside this year's file (``胡集镇_对比.docx``), or in ``output`` when it is a folder."""
    name = f"{source.stem}{SUFFIX}.{to}"
    if output is None:
        return source.with_name(name)
    return output / name if paths.is_dir(output) else output


def compare_file(path: Path, prior: Path, to: str, output: Path | None = None, *,
                 overwrite: bool = False) -> FileResult:
    """This year's file against last year's ``prior``, written beside it (or at ``output``):
    the result's findings are this year's with the cross-year ones, its ``output`` the file."""
    report = sources.load(path)
    last = sources.load(prior)
    target = output_path(path, to, output)
    paths.refuse_input(target, (path, prior))
    data = render(report, last, to)
    atomic.write(target, lambda tmp: tmp.write_bytes(data), overwrite=overwrite)
    return FileResult.checked(path, report, tuple(check(report, crosswalk.carry(last, report.format)[0])),
                              output=str(target), extra={"prior": str(prior)})


def write_word(workbook: Path, report: Report) -> Draft:
    """The Word comparison beside ``workbook`` (the button 生成对比报告), last year's report being
    the one the 封面 names (a problem finding it is said, not passed over: there is nothing to
    compare without it). A Word file there with other text is the clerk's: kept, and the new one
    takes the next free name, as the report's does."""
    last = prior_source.resolve(report, workbook, None, [])
    if last is None:
        raise RenderError(workbook, NO_PRIOR)
    data = render(report, last, "docx")
    return write_beside(workbook, SUFFIX + ".docx", lambda tmp: tmp.write_bytes(data),
                        lambda path: _same_text(path, data))
