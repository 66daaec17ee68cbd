"""The two-year comparison a leader reads, as Markdown, a web page, Word and PDF.

The comparison itself is ``core.comparison``'s; here it is laid out as ``render`` lays out the
report: the same ``templates/`` folder (``compare.md.j2``, ``compare.html.j2``, ``compare.docx``,
the last built from ``report.docx`` by ``scripts/build-compare-docx`` so both share their styles),
the same sandboxed jinja2, the same escaping, and the same Word tables
(:func:`.word_tables.word_table`: widths from content, 表格文字 style, rows never split).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import Any

from ..actions import prior_source, sources
from ..actions.report import Draft, write_beside
from ..actions.results import FileResult
from ..core import crosswalk
from ..core.comparison import Comparison, IndicatorLine, Line, Passage, TableComparison, compare
from ..core.model import Report
from ..core.rules import check
from ..errors import Message, RenderError
from ..files import atomic, paths
from ..workbook.layout import layout_for
from . import KINDS, NO_LAYOUT, UNKNOWN_KIND, content, same_text, word_tables, writers
from .content import Cell, TableView

DOCX_TEMPLATE = "compare.docx"
SUFFIX = "_对比"
ITEM, COLUMN, CHANGE, PERCENT, INDICATOR = "项目", "栏目", "增减", "增减幅度", "指标"
#: Above a long table's two tables (table 三): its rows by their total column, then its other cells.
TOTALS_CAPTION = "（一）各项的{column}栏（两年并列，每项都列出）"
DETAIL_CAPTION = "（二）其余各栏（两年均为 0 的项目从略）"
LEGEND = "灰底、波浪线并注“与上年相同”或“与上年相近”的句子，与上年报告的句子相同或相近（不计机关名称、年份和数字）。"
NO_PRIOR = Message("compare.no_prior", "封面“上年工作簿”没有填写，无法与上年对比：请填写上年工作簿的路径或文件夹")
CARRIED_SHADE = "E6E6E6"
#: Rows of 小五 (with some labels on two lines) that one A4 page holds: a table no longer than
#: this is kept on one page (moved whole to the next when it does not fit below the text).
PAGE_ROWS = 36


@dataclass(frozen=True)
class Shown:
    """A table as the comparison draws it, with the line above it (none when it is its part's only one)."""

    caption: str
    table: TableView


@dataclass(frozen=True)
class Part:
    """One heading of the comparison: lines of text, this year's prose with its marks, tables
    and the lines below them."""

    heading: str
    intro: tuple[str, ...] = ()
    paragraphs: tuple[tuple[Passage, ...], ...] = ()
    tables: tuple[Shown, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    title: str
    title_lines: tuple[str, ...]  # broken after the body's name when it needs two lines, as the report's
    summary: str
    notes: tuple[str, ...]
    parts: tuple[Part, ...]


def view(found: Comparison) -> View:
    """The comparison in the report's order: the indicators, then 一 to 六, then the findings."""
    body = [Part(t.heading, (t.note,), t.paragraphs) for t in found.texts]
    body += [Part(t.title, (), (), table_views(t, found), t.notes) for t in found.tables]
    body.sort(key=lambda p: content.order(p.heading))
    indicators = Part(INDICATORS_HEADING, tables=(Shown("", indicator_view(found.indicators, found)),))
    findings = Part(FINDINGS_HEADING, tuple(line for g in found.findings for line in (g.heading, *g.lines)))
    legend = (LEGEND,) if any(t.carried for t in found.texts) else ()
    return View(found.title, title_lines(found.title_parts or (found.title,)), found.summary,
                (*found.notes, *legend), (indicators, *body, findings))


INDICATORS_HEADING, FINDINGS_HEADING = "主要指标", "校验结果"


def title_lines(parts: tuple[str, ...]) -> tuple[str, ...]:
    """The title on as few lines as hold it, broken only between its words (after the body's name,
    after 「2023年与2024年」), never inside one."""
    lines = [""]
    for part in parts:
        if lines[-1] and content.ems(lines[-1] + part) > content.TITLE_CHARACTERS:
            lines.append("")
        lines[-1] += part
    return tuple(lines)


def table_views(table: TableComparison, found: Comparison) -> tuple[Shown, ...]:
    """An official table in both years: one line a cell; a long table first by its totals."""
    shown = []
    if table.totals:
        shown.append(Shown(TOTALS_CAPTION.format(column=table.totals[0].column), totals_view(table, found)))
    if table.lines:
        shown.append(Shown(DETAIL_CAPTION if table.totals else "", table_view(table, found)))
    return tuple(shown)


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
            cells.extend(_numbers(line, row, 2))
            row += 1
    return TableView(table.id, table.title, len(heads), row, 1, tuple(cells))


def totals_view(table: TableComparison, found: Comparison) -> TableView:
    """Every row of a long table by its total, its labels nested as the official table nests
    them (「三、本年度办理结果」 beside its items, 「（三）不予公开」 beside its eight)."""
    depth = max(len(line.path) for line in table.totals)
    heads = (found.last_year, found.this_year, CHANGE, PERCENT)
    cells = [Cell(ITEM, 0, 0, cols=depth, kind="header")]
    cells += [Cell(text, 0, depth + i, kind="header") for i, text in enumerate(heads)]
    lines = table.totals
    for row, line in enumerate(lines, start=1):
        for level, label in enumerate(line.path):
            group = line.path[:level + 1]
            if row > 1 and level < len(line.path) - 1 and lines[row - 2].path[:level + 1] == group:
                continue  # within the group label above, which spans down
            below = 1
            while (level < len(line.path) - 1 and row - 1 + below < len(lines)
                   and lines[row - 1 + below].path[:level + 1] == group):
                below += 1
            last = level == len(line.path) - 1
            cells.append(Cell(label, row, level, rows=below, cols=depth - level if last else 1, kind="label"))
        cells.extend(_numbers(line, row, depth))
    return TableView(f"{table.id}-totals", table.title, depth + len(heads), len(lines) + 1, 1, tuple(cells))


def _numbers(line: Line, row: int, col: int) -> list[Cell]:
    texts = (line.last, line.this, line.change, line.percent)
    return [Cell(text, row, c) for c, text in enumerate(texts, start=col)]


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
    if to in ("md", "html"):
        page = writers.render_template(f"compare.{to}.j2", what, None, autoescape=to == "html")
        return page.encode("utf-8")
    word = docx(what)
    return word if to == "docx" else writers.pdf(word)


def docx(what: View) -> bytes:
    """The Word comparison: ``templates/compare.docx`` filled as ``report.docx`` is
    (``writers.fill_word``), its tables drawn as the report's are."""
    from docxtpl import RichText

    def rich(paragraph: tuple[Passage, ...]) -> RichText:
        text = RichText()
        for passage in paragraph:
            if passage.carried:
                text.add(passage.text, highlight=CARRIED_SHADE, underline="wave")
                text.add(f"〔{passage.mark}〕", size=20)
            else:
                text.add(passage.text)
        return text

    def context(tpl: Any, env: object) -> dict:
        def table(shown: Shown) -> dict:
            kept = shown.table.height <= PAGE_ROWS
            return {"caption": shown.caption,
                    "table": word_tables.word_table(tpl, shown.table, keep_together=kept)}

        parts = [{"heading": p.heading, "intro": p.intro, "paragraphs": [rich(x) for x in p.paragraphs],
                  "tables": [table(t) for t in p.tables], "notes": p.notes}
                 for p in what.parts]
        return {"title": what.title, "title_lines": what.title_lines, "summary": what.summary,
                "notes": what.notes, "parts": parts}

    data = (resources.files(writers.TEMPLATES) / DOCX_TEMPLATE).read_bytes()
    return writers.fill_word(DOCX_TEMPLATE, data, context)


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
                        lambda path: same_text(path, data))
