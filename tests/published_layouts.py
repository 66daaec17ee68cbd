"""Published reports written from known reports, in the text layouts real ones come in, so the
importer's accuracy is measured against the tables they were made from.

Layouts: ``rows`` (a table row a line, cells tab-separated, as copied from a web page),
``one_per_line`` (every cell its own line, as 002 and 004), ``spaced`` (a row's label and
values on one line with spaces, as PDF text), ``runs`` (table 三's and 四's values with their
separators lost: a row is a run of digits).
"""

from __future__ import annotations

from decimal import Decimal

from xlgbreport.core.formats import GB2021, Format
from xlgbreport.core.model import Report
from xlgbreport.core.tables import TableId
from xlgbreport.importer.document import Document, Line

LAYOUTS = ("rows", "one_per_line", "spaced", "runs")


def shown(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else str(value)


def lines_of(report: Report, layout: str, fmt: Format = GB2021) -> list[list[str]]:
    """The report as lines of cells in ``layout``."""
    schema = fmt.schema
    out: list[list[str]] = [[f"{report.org}{report.year}年政府信息公开工作年度报告"]]

    def row(label: list[str], values: list[str], *, joined: bool = False) -> None:
        if joined:
            values = ["".join(values)]
        if layout == "one_per_line":
            out.extend([[c] for c in label + values])
        elif layout == "spaced":
            out.append([" ".join(label + values)])
        else:
            out.append(label + values)

    text = {f.id: f for f in schema.text}
    out += [[text["overview"].label], [report.text.get("overview") or "本年度依法公开。"]]
    proactive = schema.table(TableId.PROACTIVE)
    out.append([proactive.title])
    block = None
    for r in proactive.rows:
        if r.block != block:
            block = r.block
            row([r.block], [])
            row([proactive.header], [c.label for c in r.columns])
        row([r.label], [shown(report.value((proactive.id, r.id, c.id))) for c in r.columns])
    requests = schema.table(TableId.REQUESTS)
    out.append([requests.title])
    spanning = list(dict.fromkeys(c.parents[0] if c.parents else c.label for c in requests.columns))
    row([requests.note, requests.header], spanning)  # 自然人 | 法人或其他组织 | 总计
    row([], [c.label for c in requests.columns if c.parents])
    seen: set[str] = set()
    for r in requests.rows:
        label = [p for p in r.parents if p not in seen] + [r.label]
        seen.update(r.parents)
        row(label, [shown(report.value((requests.id, r.id, c.id))) for c in r.columns],
            joined=layout == "runs")
    appeals = schema.table(TableId.APPEALS)
    out.append([appeals.title])
    row(["行政复议", "行政诉讼"], [])
    row([], [c.label for c in appeals.columns] + ["未经复议直接起诉", "复议后起诉"])
    row([], [c.label for c in appeals.columns] * 2)
    values = [shown(report.value((appeals.id, r.id, c.id))) for r in appeals.rows for c in r.columns]
    if layout == "runs":
        for r in appeals.rows:
            row([], ["".join(shown(report.value((appeals.id, r.id, c.id))) for c in r.columns)])
    else:
        row([], values)
    for field in schema.text[1:]:
        out += [[field.label], [report.text.get(field.id) or "无。"]]
    return out


def document(report: Report, layout: str, fmt: Format = GB2021, source: str = "made.txt") -> Document:
    lines = lines_of(report, layout, fmt)
    return Document(source, "txt", tuple(Line(i + 1, tuple(cells)) for i, cells in enumerate(lines)))


def text_document(path, kind: str = "txt") -> Document:
    """A text file as the text reader reads it: a line, its cells split on tabs."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return Document(str(path), kind, tuple(Line(i + 1, tuple(ln.split("\t"))) for i, ln in enumerate(lines)))
