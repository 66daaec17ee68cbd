"""A published report cut into what the parser reads: its title, its six sections, and the
tables' zone as runs of values each after the label text that precedes it.

Sections are found by their official headings (from the format, never typed here), in order;
a heading may be missing (seed 000 has no 三 heading), so the tables' zone runs from the first
table heading to 五, and rows are found by their labels wherever they are in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.tables import Schema
from .document import Document, Line
from .normalize import Token, fold, is_page_number, prose_numbers, tokens

#: A comparison document (two years' reports side by side) says so on a line like
#: 「年份 : 2023 vs 2024」: its tables appear once per year, in the years' order.
_COMPARED_YEARS = re.compile(r"((?:19|20)\d\d)年?(?:vs|VS|对比|与|和|—|-)((?:19|20)\d\d)")
#: A comparison document's 差异分析 blocks restate table values as differences: not a table.
_DIFFERENCES = "差异分析"
_HEADING_SLACK = 24  # a heading line may carry a note (「( 重复率 : 80%)」), not a paragraph


@dataclass(frozen=True)
class Run:
    """Values in a row, and the label text met since the run before (folded)."""

    label: str
    values: tuple[Token, ...]
    section: str  # the id of the section it is under
    words: tuple[str, ...] = ()  # the label's words and cells, folded, as the source set them apart

    @property
    def line(self) -> int:
        return self.values[0].line


@dataclass
class Scan:
    """Where everything is. ``sections`` maps a section id (a table id or a text section id) to
    the lines under its heading; ``runs`` are the tables' zone, in order."""

    title: list[Line] = field(default_factory=list)
    headings: dict[str, int] = field(default_factory=dict)  # section id -> line number
    sections: dict[str, list[Line]] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    zone_text: dict[str, str] = field(default_factory=dict)  # section id -> its folded text
    compared_years: tuple[int, ...] = ()


def _headings(schema: Schema) -> list[tuple[str, str, str]]:
    """(section id, folded numeral, folded title) of the six sections, in the report's order."""
    titled = [(t.id, t.title) for t in schema.tables] + [(f.id, f.label) for f in schema.text]
    out = []
    for section_id, title in titled:
        folded = fold(title)
        numeral, _, core = folded.partition("、")
        out.append((section_id, numeral + "、", core))
    return sorted(out, key=lambda h: "一二三四五六".index(h[1][0]))


def _is_heading(folded: str, numeral: str, core: str) -> bool:
    """A heading line: the numeral and the title (a note such as 「( 重复率 : 80%)」 may follow),
    or the title words alone on their line; a sentence that starts with them is no heading."""
    if folded == core:
        return True
    return folded.startswith(numeral + core) and len(folded) <= len(numeral) + len(core) + _HEADING_SLACK


def _starts(lines: list[Line], order: list[tuple[str, str, str]]) -> list[tuple[int, str]]:
    """Where each section starts, in the format's order: of the lines that look like its heading,
    the last one before the next section's start, so that a table of contents listing the six
    headings before 一 is passed over."""
    folded = [fold(line.text) for line in lines]
    found: list[tuple[int, str]] = []
    limit = len(lines)
    for section_id, numeral, core in reversed(order):
        at = next((i for i in range(limit - 1, -1, -1) if _is_heading(folded[i], numeral, core)), None)
        if at is not None:
            found.append((at, section_id))
            limit = at
    return found[::-1]


def scan(document: Document, schema: Schema) -> Scan:
    """Cut ``document`` into title, sections and the tables' runs."""
    lines = [ln for ln in document.lines if not is_page_number(ln.text)]
    out = Scan()
    starts = _starts(lines, _headings(schema))
    for index, section_id in starts:
        out.headings[section_id] = lines[index].number
    first = starts[0][0] if starts else len(lines)
    out.title = lines[:first]
    ends = [s[0] for s in starts[1:]] + ([len(lines)] if starts else [])
    for (index, section_id), end in zip(starts, ends, strict=True):
        out.sections[section_id] = lines[index + 1:end]
    title_text = fold("".join(ln.text for ln in out.title))
    years = _COMPARED_YEARS.search(title_text)
    if years:
        out.compared_years = tuple(int(y) for y in years.groups())
    table_ids = [t.id for t in schema.tables]
    for section_id in table_ids:
        section = _without_differences(out.sections.get(section_id, []))
        out.sections[section_id] = section
        out.zone_text[section_id] = fold("".join(ln.text for ln in section))
        out.runs += _runs(section, section_id, real=document.kind in ("html", "docx"))
    return out


def _without_differences(lines: list[Line]) -> list[Line]:
    """A section without its 差异分析 blocks (from such a line to the section's end or to the
    next 「N 年报告」 part): differences between years are no table values."""
    kept, skipping = [], False
    for line in lines:
        folded = fold(line.text)
        if _DIFFERENCES in folded:
            skipping = True
        elif skipping and re.fullmatch(r"(?:19|20)\d\d年报告", folded):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


def _runs(lines: Sequence[Line], section_id: str, real: bool = False) -> list[Run]:
    out: list[Run] = []
    label: list[str] = []
    values: list[Token] = []
    stream = prose_numbers([t for line in lines for t in tokens(line.cells, line.number, real)])
    for token in stream:
        if token.is_value:
            values.append(token)
            continue
        if values:
            out.append(_run(label, values, section_id))
            label, values = [], []
        label.append(token.raw)
    if values:
        out.append(_run(label, values, section_id))
    return out


def _run(label: list[str], values: list[Token], section_id: str) -> Run:
    words = tuple(w for w in map(fold, label) if w)
    return Run("".join(words), tuple(values), section_id, words)


__all__ = ["Run", "Scan", "scan"]
