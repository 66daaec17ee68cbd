"""Held-out layouts: published reports written the ways county sites and clerks write them, not the
ways the importer was built against (:mod:`published_docs`, :mod:`published_runtogether`), each
made from a known report (an example's interchange JSON) so every cell's truth is known.

The tables are laid out as real government pages draw them (:func:`grids`): table 三's header
over three rows (the note across three columns and three rows, 申请人情况 across seven, 自然人 and
总计 down two), its row groups down the rows beside them, table 四's 行政复议/行政诉讼 over three
rows, table 二's one-value rows spanning the grid's width. Layouts (:data:`LAYOUTS`):

- ``copy_tab`` / ``copy_space``: a browser's "copy all" of such a page: the site's navigation,
  the title, a 「发布时间：…」 line, each heading on the line of its first paragraph, a row a line
  with its cells between tabs (or single spaces), the footer (打印, 关闭, 扫一扫);
- ``copy_empty``: the copy of a page that leaves its 0 cells empty (「31⇥⇥」: a tab a cell, blank
  in the truth);
- ``crawler``: a crawler's dump: 标题/发布机构/发布时间/本地目录 lines, no title line, cells
  between single spaces;
- ``html_gov``: the page itself: rowspan and colspan, ``<p>`` and ``&nbsp;`` in cells, the title
  in ``<meta name="ArticleTitle">`` and a heading;
- ``docx_merged``: a Word document (python-docx) whose header cells are merged and whose one-value
  rows of table 二 leave empty cells after their value; ``pdf``: the PDF LibreOffice makes of it;
- ``two_spaces``: text whose cells are split by two spaces, the 0 cells written 「/」 or 「—」 in
  turn (blank in the truth: 「91  3  —  —  2  —  96」), the fees in 元 (exactly the 万元 value).

Each example is also retitled as a county bureau's report (「泗阳县交通运输局2023年度政府信息公开工作
报告」: the year after the org with 度), so the org is one the importer has never seen.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from xlgbreport.core.model import Report
from xlgbreport.core.tables import TableId
from xlgbreport.rendering import writers

LAYOUTS = ("copy_tab", "copy_space", "copy_empty", "crawler", "html_gov", "docx_merged", "pdf", "two_spaces")
#: The org each example is retitled as, and its title's subject (after the year).
BUREAU = "泗阳县交通运输局"
SUBJECT = "年度政府信息公开工作报告"
#: Marks a site writes in an empty-looking cell of table 三 (blank in the truth, never 0).
MARKS = ("/", "—")


@dataclass(frozen=True)
class Cell:
    text: str
    rows: int = 1
    cols: int = 1


Grid = list[list[Cell]]


def shown(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else str(value)


def retitled(report: Report, org: str = BUREAU) -> Report:
    """The report as another body's: same tables and text, ``org`` its name."""
    return Report(org=org, year=report.year, cells=dict(report.cells), text=dict(report.text), format=report.format)


def title(report: Report) -> str:
    return f"{report.org}{report.year}{SUBJECT}"


def _value(report: Report, key: tuple[str, str, str]) -> str:
    return shown(report.cells.get(key, report.value(key)))


def grids(report: Report, width_fill: bool = False) -> dict[str, Grid]:
    """The three tables as a government page draws them, by table id. ``width_fill``: table 二's
    one-value rows end in empty cells (a Word table that was not merged) instead of a span."""
    schema = report.format.schema
    proactive = schema.table(TableId.PROACTIVE)
    two: Grid = []
    block = None
    for r in proactive.rows:
        span = 3 - len(r.columns)
        if r.block != block:
            block = r.block
            two.append([Cell(r.block, cols=4)])
            head = [Cell(proactive.header)] + [Cell(c.label) for c in r.columns]
            two.append(head + [Cell("")] * span if width_fill else head[:-1] + [Cell(head[-1].text, cols=1 + span)])
        values = [Cell(_value(report, (proactive.id, r.id, c.id))) for c in r.columns]
        if span and not width_fill:
            values[-1] = Cell(values[-1].text, cols=1 + span)
        two.append([Cell(r.label)] + values + ([Cell("")] * span if width_fill else []))
    requests = schema.table(TableId.REQUESTS)
    groups = [c.parents[0] for c in requests.columns if c.parents]
    inner = [c for c in requests.columns if c.parents]
    three: Grid = [[Cell(requests.note, rows=3, cols=3), Cell(requests.header, cols=7)],
                   [Cell(requests.columns[0].label, rows=2), Cell(groups[0], cols=len(inner)),
                    Cell(requests.columns[-1].label, rows=2)],
                   [Cell(c.label) for c in inner]]
    started: set[str] = set()
    for r in requests.rows:
        row: list[Cell] = []
        for depth, parent in enumerate(r.parents):
            if parent not in started:
                started.add(parent)
                under = [x for x in requests.rows if len(x.parents) > depth and x.parents[depth] == parent]
                row.append(Cell(parent, rows=len(under)))
        row.append(Cell(r.label, cols=3 - len(r.parents)))
        three.append(row + [Cell(_value(report, (requests.id, r.id, c.id))) for c in r.columns])
    appeals = schema.table(TableId.APPEALS)
    columns = appeals.columns
    litigation = [r for r in appeals.rows if r.parents]
    four: Grid = [[Cell(appeals.rows[0].label, cols=len(columns)),
                   Cell(litigation[0].parents[0], cols=len(columns) * len(litigation))],
                  [Cell(c.label, rows=2) for c in columns] + [Cell(r.label, cols=len(columns)) for r in litigation],
                  [Cell(c.label) for _ in litigation for c in columns],
                  [Cell(_value(report, (appeals.id, r.id, c.id))) for r in appeals.rows for c in r.columns]]
    return {TableId.PROACTIVE: two, TableId.REQUESTS: three, TableId.APPEALS: four}


def blocks(report: Report, width_fill: bool = False) -> list[tuple[str, list[str], Grid | None]]:
    """The report's sections in order: heading, paragraphs, table (or None)."""
    schema = report.format.schema
    tables = grids(report, width_fill)
    text = {f.id: f for f in schema.text}
    out: list[tuple[str, list[str], Grid | None]] = [
        (text["overview"].label, (report.text.get("overview") or "本年度依法公开。").split("\n"), None)]
    out += [(t.title, [], tables[t.id]) for t in schema.tables]
    out += [(f.label, (report.text.get(f.id) or "无。").split("\n"), None) for f in schema.text[1:]]
    return out


def _texts(grid: Grid) -> list[list[str]]:
    return [[c.text for c in row] for row in grid]


def copy_all(report: Report, sep: str, crawler: bool = False, empty: bool = False) -> str:
    """A browser's "copy all" of the page (``crawler``: a crawler's dump of it); ``empty``: its
    empty cells kept, a ``sep`` each (a browser copies an empty cell so)."""
    if crawler:
        lines = [f"标题: {title(report)}", f"发布机构: {report.org}", f"发布时间: {report.year + 1}-01-20 09:30",
                 f"本地目录: zwgk/zfxxgk/ndbg/51234_{title(report)}.html", ""]
    else:
        lines = ["首页 > 政务公开 > 政府信息公开年报", title(report),
                 f"发布时间：{report.year + 1}-01-20 来源：{report.org} 浏览次数：1234 字号：[大 中 小]"]
    for heading, paragraphs, grid in blocks(report):
        if paragraphs:
            lines.append(f"{heading} {paragraphs[0]}")
            lines += paragraphs[1:]
        else:
            lines.append(heading)
        lines += [sep.join(t for t in row if t or empty) for row in _texts(grid or [])]
    if not crawler:
        lines += ["【打印本页】 【关闭窗口】", "扫一扫在手机打开当前页", "主办单位：" + report.org + " 网站标识码：3213230001"]
    return "\n".join(lines) + "\n"


def gov_page(report: Report) -> str:
    """The page as a government portal serves it: real rowspan and colspan, ``<p>`` in cells."""
    out = ["<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
           f"<meta name=\"ArticleTitle\" content=\"{html.escape(title(report))}\">",
           f"<title>{html.escape(title(report))}_{html.escape(report.org)}</title></head><body>",
           "<div class=\"nav\">首页&nbsp;&gt;&nbsp;政务公开</div>",
           f"<h1 class=\"title\">{html.escape(title(report))}</h1>",
           f"<div class=\"info\">发布时间：{report.year + 1}-01-20&nbsp;&nbsp;来源：{html.escape(report.org)}</div>",
           "<div class=\"content\">"]
    for heading, paragraphs, grid in blocks(report):
        out.append(f"<p style=\"text-indent:2em\"><strong>{html.escape(heading)}</strong></p>")
        out += [f"<p style=\"text-indent:2em\">{html.escape(p)}</p>" for p in paragraphs]
        if grid:
            out.append("<table border=\"1\" cellspacing=\"0\" cellpadding=\"0\" width=\"600\"><tbody>")
            for row in grid:
                cells = "".join(
                    "<td{}{} valign=\"center\"><p align=\"center\"><span>{}</span></p></td>".format(
                        f" rowspan=\"{c.rows}\"" if c.rows > 1 else "", f" colspan=\"{c.cols}\"" if c.cols > 1 else "",
                        html.escape(c.text) or "&nbsp;") for c in row)
                out.append(f"<tr>{cells}</tr>")
            out.append("</tbody></table>")
    out.append("</div><div class=\"foot\">【打印本页】【关闭窗口】</div></body></html>")
    return "\n".join(out)


def word(report: Report) -> bytes:
    """A clerk's Word document (python-docx): tables with merged header cells, table 二's one-value
    rows ending in empty cells."""
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(title(report))
    for heading, paragraphs, grid in blocks(report, width_fill=True):
        document.add_paragraph(heading)
        for text in paragraphs:
            document.add_paragraph(text)
        if not grid:
            continue
        width = sum(c.cols for c in grid[0])
        table = document.add_table(rows=len(grid), cols=width)
        table.style = "Table Grid"
        cells = table._cells  # once: table.cell() lists them all at every call
        taken: set[tuple[int, int]] = set()
        for y, row in enumerate(grid):
            x = 0
            for cell in row:
                while (y, x) in taken:
                    x += 1
                cells[y * width + x].text = cell.text
                if cell.rows > 1 or cell.cols > 1:
                    cells[y * width + x].merge(cells[(y + cell.rows - 1) * width + x + cell.cols - 1])
                taken.update((y + dy, x + dx) for dy in range(cell.rows) for dx in range(cell.cols))
                x += cell.cols
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def marked(report: Report, marks: tuple[str, ...] = MARKS) -> tuple[Report, Report]:
    """What a page or a text says and its truth: every 0 cell but the totals written as
    ``marks`` in turn (blank in the truth, never 0); with marks, the fees written in 元."""
    schema = report.format.schema
    said: dict = dict(report.cells)
    truth: dict = dict(report.cells)
    k = 0
    for key in schema.keys:
        if report.value(key) == 0 and not schema.is_derived(key):
            said[key] = marks[k % len(marks)]
            truth[key] = None
            k += 1
    for key in schema.keys:
        if any(marks) and schema.column(key).kind == "amount" and report.value(key) is not None:
            said[key] = f"{format((Decimal(report.value(key)) * 10_000).normalize(), 'f')}元"
    return (Report(org=report.org, year=report.year, cells=said, text=dict(report.text), format=report.format),
            Report(org=report.org, year=report.year, cells=truth, text=dict(report.text), format=report.format))


def two_spaces(said: Report) -> str:
    lines = [title(said)]
    for heading, paragraphs, grid in blocks(said):
        lines += [heading, *paragraphs]
        lines += ["  ".join(t for t in row if t) for row in _texts(grid or [])]
    return "\n".join(lines) + "\n"


def write(report: Report, layout: str, folder: Path, name: str) -> tuple[Report, Path]:
    """The retitled report written in ``layout`` in ``folder``: (its truth, the file)."""
    report = retitled(report)
    truth = report
    stem = folder / f"{name}_{layout}"
    if layout == "copy_empty":
        said, truth = marked(report, ("",))
        path = stem.with_suffix(".txt")
        path.write_text(copy_all(said, "\t", empty=True), encoding="utf-8")
    elif layout in ("copy_tab", "copy_space", "crawler"):
        path = stem.with_suffix(".txt")
        path.write_text(copy_all(report, "\t" if layout == "copy_tab" else " ", layout == "crawler"), encoding="utf-8")
    elif layout == "html_gov":
        path = stem.with_suffix(".html")
        path.write_text(gov_page(report), encoding="utf-8")
    elif layout in ("docx_merged", "pdf"):
        path = stem.with_suffix(".docx")
        path.write_bytes(word(report))
        if layout == "pdf":
            pdf = stem.with_suffix(".pdf")
            pdf.write_bytes(writers.pdf(path.read_bytes()))
            path = pdf
    elif layout == "two_spaces":
        said, truth = marked(report)
        path = stem.with_suffix(".txt")
        path.write_text(two_spaces(said), encoding="utf-8")
    else:
        raise ValueError(layout)
    return truth, path
