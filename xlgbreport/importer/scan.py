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
from itertools import islice

from ..core.tables import Schema
from .document import Document, Line
from .normalize import Token, fold, is_page_number, prose_numbers, tokens
from .variants import COMPARED_SUBJECT, HEADING_NUMERALS, HEADING_SLACK, heading_prefixes

#: A comparison document (two years' reports side by side) says so on a line like
#: 「年份 : 2023 vs 2024」: its tables appear once per year, in the years' order. Such words
#: alone are no comparison (「2021-2035年」, 「2019-2020年度」 are prose): the document must
#: also hold two sets of tables (:func:`_table_sets`), or call itself a comparison.
_COMPARED_YEARS = re.compile(r"((?:19|20)\d\d)年?(?:vs|VS|对比|与|和|—|-)((?:19|20)\d\d)")
#: Of the rows of tables 二 and 三 a document names, this share must be named twice or more for
#: it to hold two sets of tables (and at least this many rows).
_TWICE_SHARE, _TWICE_ROWS = 0.5, 3
#: A comparison document's 差异分析 blocks restate table values as differences: not a table.
_DIFFERENCES = "差异分析"


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
    """A heading line: the numeral (「五、」 or 「（五）」) and the title, perhaps with words
    before it that :mod:`.variants` lists (「五、政府信息公开工作存在的主要问题及改进情况」) and a
    note after it (「( 重复率 : 80%)」), or the title words alone on their line; a sentence that
    starts with them is no heading."""
    if folded == core:
        return True
    if len(folded) > len(numeral) + len(core) + HEADING_SLACK + max(map(len, heading_prefixes())):
        return False
    digit = numeral.rstrip("、")
    for form in HEADING_NUMERALS:
        start = form.format(n=digit)
        if not folded.startswith(start):
            continue
        rest = folded[len(start):]
        for prefix in ("", *heading_prefixes()):
            if rest.startswith(prefix + core) and len(rest) <= len(prefix) + len(core) + HEADING_SLACK:
                return True
    return False


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


#: A heading run into the line's text is one of its first few words (「一、 总体情况」 is two).
_HEADING_WORDS, _HEADING_CHARS = 3, 200
_WORD = re.compile(r"\S+")
#: A heading's note after it opens with a bracket (「( 重复率 : 80%)」): the line stays a heading.
_NOTE_OPENS = ("(", "（")


def _inline_headings(lines: list[Line], order: list[tuple[str, str, str]]) -> list[Line]:
    """The lines with a heading that opens a line, set apart from the text after it by a space
    (a browser's copy of a page, a crawler's dump: 「一、总体情况 2023年，本机关…」, 「四、…情况
    行政复议⇥行政诉讼」: table 四's header), cut into the heading's line and the rest's, both at the
    line's number. A heading with a note after it (in brackets) stays; a heading run on by 「，」 is
    a sentence, never cut."""
    longest = max(map(len, heading_prefixes()))
    out: list[Line] = []
    for line in lines:
        first = line.cells[0] if line.cells else ""
        ends = [m.end() for m in islice(_WORD.finditer(first[:_HEADING_CHARS]), _HEADING_WORDS + 1)]
        cut = None
        if len(ends) > 1:
            cut = next((end for end in ends[:-1] if any(
                _is_heading(head, n, c) and len(head) <= len(n) + len(c) + longest
                for head in [fold(first[:end])] for _, n, c in order)), None)
        if cut is None or (first[cut:].lstrip().startswith(_NOTE_OPENS)
                           and any(_is_heading(fold(line.text), n, c) for _, n, c in order)):
            out.append(line)
        else:
            out += [Line(line.number, (first[:cut].strip(),)), Line(line.number, (first[cut:].strip(), *line.cells[1:]))]
    return out


def scan(document: Document, schema: Schema) -> Scan:
    """Cut ``document`` into title, sections and the tables' runs."""
    order = _headings(schema)
    lines = _inline_headings([ln for ln in document.lines if not is_page_number(ln.text)], order)
    out = Scan()
    starts = _starts(lines, order)
    for index, section_id in starts:
        out.headings[section_id] = lines[index].number
    first = starts[0][0] if starts else len(lines)
    out.title = lines[:first]
    ends = [s[0] for s in starts[1:]] + ([len(lines)] if starts else [])
    for (index, section_id), end in zip(starts, ends, strict=True):
        out.sections[section_id] = lines[index + 1:end]
    table_ids = [t.id for t in schema.tables]
    for section_id in table_ids:
        section = _without_differences(out.sections.get(section_id, []))
        out.sections[section_id] = section
        out.zone_text[section_id] = fold("".join(ln.text for ln in section))
        out.runs += _runs(section, section_id, real=document.kind in ("html", "docx"))
    title_text = fold("".join(ln.text for ln in out.title))
    years = _COMPARED_YEARS.search(title_text)
    named = COMPARED_SUBJECT in title_text  # 「某市 政务公开年报比对」 says what it is
    if years and years[1] != years[2] and (named or _table_sets(out, schema) >= 2):
        out.compared_years = tuple(int(y) for y in years.groups())
    return out


def _table_sets(scanned: Scan, schema: Schema) -> int:
    """How many sets of tables the document holds: 2 when most rows of tables 二 and 三 that
    it names are named twice or more (a comparison document), else 1."""
    counts = [scanned.zone_text.get(table.id, "").count(fold(row.label))
              for table in schema.tables[:2] for row in table.rows]
    named = [n for n in counts if n]
    twice = [n for n in named if n >= 2]
    return 2 if len(twice) >= _TWICE_ROWS and len(twice) >= _TWICE_SHARE * len(named) else 1


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
