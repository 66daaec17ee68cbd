"""The evidence page: one self-contained HTML file per imported report, each table cell beside
the part of the source it came from, so a person checks a scan's reading at a glance.

For a scan each cell shows the crop of the page it was read from (an inline ``data:`` PNG: the
page opens offline, with no file beside it); for a text source, the source line. Cells to check
(read without confidence, or not a well-formed number) and cells the equations rejected are
highlighted, with why; blank cells say so. Everything from the source is escaped: a report's
text never becomes markup.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from ..core.model import is_number
from ..core.rule_base import plain_value
from ..core.tables import CellKey, where_key
from ..files import atomic
from .document import Recognised
from .ocr_check import Sourced
from .parse import Imported

#: A source line shown beside a cell is cut to this many characters.
LINE_CHARS = 200
STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #999;padding:3px 6px;vertical-align:top}
th{background:#eee;font-weight:normal;text-align:left;min-width:9em}td.v{min-width:4.5em}
.col{display:block;font-size:.75em;color:#666}
.val{font-size:1.1em;font-weight:bold}.src{display:block;margin-top:2px}.src img{max-height:40px;border:1px solid #ccc}
.line{font-size:.8em;color:#555}.why{display:block;font-size:.8em}
.check{background:#fff3b0}.rejected{background:#f8c8c8}.deduced{background:#dde8ff}.blank{color:#999}
.legend span{padding:2px 8px;margin-right:8px;border:1px solid #999}
"""


def write_page(folder: Path, one: Imported, source: Path, base: str) -> Path:
    """The page of ``one`` in ``folder`` as ``base``.html, or -2, -3 … (never over a file)."""
    for n in range(1, 10_000):
        path = folder / (f"{base}.html" if n == 1 else f"{base}-{n}.html")
        if not path.exists():
            atomic.write_text(path, page(one, source))
            return path
    raise FileExistsError(base)


def page(one: Imported, source: Path) -> str:
    """The page's HTML."""
    report = one.report
    schema = report.format.schema
    sourced = one if isinstance(one, Sourced) else None
    cells: dict[CellKey, Recognised] = (sourced.cells or {}) if sourced else {}
    rejected = set(sourced.rejected) if sourced else set()
    lines = ({ln.number: ln.text for ln in sourced.document.lines}
             if sourced and sourced.document else {})
    deduced = {k for d in one.deduced for k in d.keys}
    title = f"{report.org or '（未识别机关）'} {report.year or '（未识别年度）'} 年度：导入核对"
    out = [f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>',
           f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
           f"<p>来源：{escape(source.name)}</p>"]
    if sourced and sourced.cells is not None:
        out.append(f"<p>识别 {sourced.recognised} 格，其中 {sourced.to_check} 格待核对。</p>")
    out.append('<p class="legend"><span class="check">待核对</span><span class="rejected">勾稽关系不成立，已留空</span>'
               '<span class="deduced">推断</span><span class="blank">留空</span></p>')
    for table in schema.tables:
        out.append(f"<h2>{escape(table.title)}</h2><table>")
        headed = len({tuple(c.id for c in r.columns) for r in table.rows}) == 1  # one header fits all
        if headed:
            out.append("<tr><th></th>" + "".join(f"<th>{escape(c.label)}</th>" for c in table.rows[0].columns)
                       + "</tr>")
        for row in table.rows:
            out.append(f"<tr><th>{escape(row.title)}</th>")
            for column in row.columns:
                key = (table.id, row.id, column.id)
                out.append(_cell(key, "" if headed else column.label, report.cells.get(key), cells.get(key),
                                 key in rejected, key in deduced, lines, report.where.get(where_key(key), "")))
            out.append("</tr>")
        out.append("</table>")
    unplaced = [c for c in (sourced.document.recognised if sourced and sourced.document else ())
                if c.status == "check" and c not in cells.values()]
    if unplaced:
        out.append("<h2>未能放入表格的待核对格</h2><table><tr><th>页</th><th>识别为</th><th>原图</th></tr>")
        for c in unplaced:
            out.append(f'<tr class="check"><td>{c.page}</td><td>{escape(c.read)}</td><td>{_img(c)}</td></tr>')
        out.append("</table>")
    out.append("</body></html>\n")
    return "".join(out)


def _cell(key: CellKey, label: str, value: object, read: Recognised | None, rejected: bool,
          deduced: bool, lines: dict[int, str], where: str) -> str:
    classes, why = ["v"], ""
    if rejected:
        classes.append("rejected")
        why = f"识别为「{read.read if read else ''}」，勾稽关系不成立"
    elif read is not None and read.status == "check":
        classes.append("check")
        why = f"识别为「{read.read}」，把握 {read.confidence:.2f}"
    elif deduced:
        classes.append("deduced")
        why = "按勾稽关系推断"
    elif read is not None and read.status == "fixed":
        classes.append("check")
        why = f"识别为「{read.read}」，字母按数字读"
    shown = escape(str(plain_value(value))) if value is not None else "（空）"
    if value is None:
        classes.append("blank")
    elif not is_number(value):
        shown = escape(str(value))
    source = ""
    if read is not None:
        source = f'<span class="src">{_img(read)}</span>'
    elif where:
        number = where.rpartition(":")[2]
        text = lines.get(int(number), "") if number.isdigit() else ""
        if text:
            cut = text if len(text) <= LINE_CHARS else text[:LINE_CHARS] + "…"
            source = f'<span class="src line">第 {escape(number)} 行：{escape(cut)}</span>'
    why_html = f'<span class="why">{escape(why)}</span>' if why else ""
    column = f'<span class="col">{escape(label)}</span>' if label else ""
    return (f'<td class="{" ".join(classes)}">{column}<span class="val">{shown}</span>'
            f"{why_html}{source}</td>")


def _img(cell: Recognised) -> str:
    data = base64.b64encode(cell.crop).decode("ascii")
    return f'<img alt="第 {cell.page} 页原图" src="data:image/png;base64,{data}">'
