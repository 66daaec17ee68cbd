"""A published report's :class:`Document` read into reports, never guessing: the front of the
pure parser.

It tells the format (2021 or the 2019 trial format) from the labels the tables use, places the
tables (:mod:`.place`), and takes the org and year from the title and the text of 一, 五 and 六
from under their headings. What it cannot place for certain stays blank and is said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.findings import Finding
from ..core.formats import FORMATS, GB2019, GB2021, Format
from ..core.model import Report
from ..core.tables import Schema, TableId, text_key
from . import notes
from .document import Document, Line
from .normalize import fold, numbered_parts
from .paragraphs import paragraphs
from .place import Placed, place
from .runtogether import unglue
from .scan import Scan, scan
from .title import title as _title

#: The year the 2021 format took effect: a report of an earlier year with no table to tell is
#: taken to be in the trial format, and that is said.
FIRST_2021_YEAR = 2021


@dataclass(frozen=True)
class Imported:
    """One report read from a published source, in the source's format, with what the import
    found, deduced and could not place."""

    source: str
    report: Report
    found: int  # cells placed as written
    deduced: tuple[notes.Deduction, ...]
    notes: tuple[Finding, ...]
    format_evidence: str  # why this format: the labels that told it

    @property
    def format(self) -> Format:
        return self.report.format


def parse(document: Document, prior: Report | None = None) -> list[Imported]:
    """The reports ``document`` holds: one, or one per year of a comparison document. ``prior``
    (last year's report) lets a table-二 digit run be cut where 现行有效 continues from it."""
    glued = unglue(document, GB2021.schema)
    base = scan(glued, GB2021.schema)  # the headings are the same in both formats
    fmt, evidence = detect(base, glued)
    if fmt is not GB2021:
        glued = unglue(document, fmt.schema)
    scanned = scan(glued, fmt.schema) if fmt is not GB2021 else base
    document = glued
    placed = place(scanned, fmt, document.source, prior)
    org, year = _title(scanned, document)
    years = scanned.compared_years or (year,)
    out = []
    for k, cells in enumerate(placed):
        report = Report(org=org, year=years[k] if k < len(years) else None, format=fmt)
        report.cells.update(cells.cells)
        report.where.update(cells.where)
        extra = _text(report, scanned, document, compared=len(placed) > 1)
        out.append(Imported(document.source, report, cells.found, tuple(cells.deduced),
                            tuple(cells.problems) + tuple(extra), evidence))
    return out


def _labels(schema: Schema) -> set[str]:
    table = schema.table(TableId.PROACTIVE)
    return {fold(x) for r in table.rows for x in (r.label, *(c.label for c in r.columns))}


def _telling(one: Schema, other: Schema) -> list[str]:
    """Labels of ``one``'s table 二 that ``other`` does not use, nor holds inside its own."""
    theirs = _labels(other)
    return sorted(lab for lab in _labels(one) - theirs if not any(lab in t for t in theirs))


#: Each format with the one it is told from.
_PAIRS = ((GB2021, GB2019), (GB2019, GB2021))


def detect(scanned: Scan, document: Document) -> tuple[Format, str]:
    """The format, from the labels only one format's table 二 uses (本年新制作数量 or 本年制发
    件数 …); then from table 三's （六）其他处理 (one row in 2019, three in 2021); then, with
    no table to tell, from the report year, and that is said."""
    text = scanned.zone_text.get(TableId.PROACTIVE, "") + scanned.zone_text.get(TableId.REQUESTS, "")
    scores = {fmt.id: [lab for lab in _telling(fmt.schema, other.schema) if lab in text]
              for fmt, other in _PAIRS}
    best = max(scores.values(), key=len)
    if len(scores[GB2021.id]) != len(scores[GB2019.id]):
        fmt = next(FORMATS[i] for i, labels in scores.items() if labels is best)
        return fmt, "表二的列名：" + "、".join(best)
    told = _told_by_requests(scanned)
    if told:
        return told
    _, year = _title(scanned, document)
    if isinstance(year, int) and year < FIRST_2021_YEAR:
        return GB2019, f"表格未能判断格式，按报告年度 {year} 视为 2019 年试行格式"
    return GB2021, "表格未能判断格式，按 2021 年格式读取"


def _told_by_requests(scanned: Scan) -> tuple[Format, str] | None:
    """Table 三 tells when a row only one format has is given values: 2021's three rows under
    （六）其他处理, or 2019's single （六） row."""
    for fmt, other in _PAIRS:
        theirs = {r.id for r in other.schema.table(TableId.REQUESTS).rows}
        own = [r for r in fmt.schema.table(TableId.REQUESTS).rows if r.id not in theirs]
        for run in scanned.runs:
            parts = numbered_parts(run.label)
            if parts and any(parts[-1] == fold(r.label) for r in own):
                return fmt, "表三的行：" + parts[-1]
    return None


def _text(report: Report, scanned: Scan, document: Document, *, compared: bool) -> list[Finding]:
    """The text of 一, 五 and 六 as the source has it, a paragraph a line (:mod:`.paragraphs`: a
    PDF's wrapped lines joined); a comparison document interleaves both years' text, so none is taken."""
    out: list[Finding] = []
    report.text.update({f.id: None for f in report.format.schema.text})
    if compared:
        years = "、".join(map(str, scanned.compared_years))
        return [notes.Compared.at(document.source, None, years=years)]
    for field in report.format.schema.text:
        lines = scanned.sections.get(field.id)
        if not lines:
            out.append(notes.NoText.at(document.source, scanned.headings.get(field.id),
                                       section=field.label))
            continue
        texts = [_plain(line) for line in lines]
        if field.id == report.format.schema.text[-1].id:
            texts = _without_signature(texts)
        kept = paragraphs(texts, marked=document.kind == "pdf")  # wrapped lines joined
        report.text[field.id] = "\n".join(kept) or None
        report.where[text_key(field.id)] = f"{document.source}:{lines[0].number}"
    return out


_DATE_LINE = re.compile(r"^(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_SIGNATURE_CHARS = 30


def _without_signature(lines: list[str]) -> list[str]:
    """六 without the document's 落款 (the body's name and the date it signed, 「金殿镇人民政府」
    「2021年1月28日」): they end the report, not the section, and the date is next year's.
    Empty lines (paragraph breaks) around them go with them."""
    lines = _trimmed(lines)
    if not lines or not _DATE_LINE.match(lines[-1]):
        return lines
    lines = _trimmed(lines[:-1])
    if lines and len(lines[-1]) <= _SIGNATURE_CHARS and not re.search(r"[。，；：,;:]", lines[-1]):
        lines = lines[:-1]
    return lines


def _trimmed(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1]:
        end -= 1
    return lines[:end]


def _plain(line: Line) -> str:
    """A line of text without its markdown marks and table tabs."""
    text = " ".join(cell.strip() for cell in line.cells if cell.strip())
    return text.strip("#*- ").replace("**", "")


__all__ = ["Imported", "Placed", "detect", "parse"]
