"""Run-together text cut where the format's own headings and row labels stand.

A browser's "copy all" and public crawler archives give a report's body on one line: headings
inline, each row's label glued to its digits, the next item's number glued to the previous
row's digits (「…禁止公开00000002.其他…」). Labels are known text (the format's, never typed
here), so such a line is cut at the section headings and row labels it holds, each matched whole
and the longest one winning where two overlap (「行政规范性文件」 holds 2019's 「规范性文件」); an item
number is part of its label, so the digits before it stay the row before's. The digit runs are
then left to :mod:`.digits`, which splits a run only where the equations leave one reading.

Only a cell that is run together is cut: one holding a heading after its start or two headings,
or a row label followed by digits that the next label (or the cell's end) ends. A sentence
「制发规章1件」 is not cut, and the text of 一, 五 and 六 is never cut at row labels. Matching is
``str.find`` over the folded cell, with at most :data:`MAX_FOUND` labels a cell: linear.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

from ..core.formats import FORMATS
from ..core.tables import Schema, TableId
from .document import Document, Line
from .normalize import fold, numbering

#: Labels found in one cell beyond which it is not cut (a real report holds about 60).
MAX_FOUND = 2_000
_DROPPED = set("\"'“”‘’「」『』`*#")
_HEADING_LINE = 80  # a heading line's characters, with a note (「( 重复率 : 80%)」)
#: Where a structure part starts right after a row's digits: a numbering or 「第二十条…」.
_STRUCTURE = re.compile(r"\d\.|[一二三四五六七八九十]{1,2}、|\(|第")
#: A table cell's piece: a number (with the unit it may be written with) or a word.
_PIECE = re.compile(r"[-+−]?\d+(?:\.\d+)?(?:万元|元|件|个|项|条)?|[^\s\d]+|\d")


@dataclass(frozen=True)
class _Marks:
    """What a format's text is cut at, folded: headings (section id by text), the format's row
    labels of 二 and 三 (with 三's label also without its note), and every format's labels, so that
    a shorter label inside a longer one is not taken."""

    headings: dict[str, str]
    rows: frozenset[str]
    every: tuple[str, ...]
    tables: frozenset[str]
    following: dict[str, str]  # a row label -> the next row's item number (「2」), in the format's order


def _row_labels(schema: Schema) -> dict[str, str]:
    """Each row label of 二 and 三 (三's also without its note), with the item number of the row
    after it in the format's order when that row is numbered 「N.」 (what may be glued to its digits)."""
    out = {}
    for table_id in (TableId.PROACTIVE, TableId.REQUESTS):
        rows = schema.table(table_id).rows
        for k, row in enumerate(rows):
            label = fold(row.label)
            after = numbering(fold(rows[k + 1].label))[0] if k + 1 < len(rows) else ""
            number = after[:-1] if after[:-1].isdigit() else ""
            out[label] = number
            bare = label.split("(", 1)[0] if not label.startswith("(") else "(" + label[1:].split("(", 1)[0]
            if len(bare) > 2:
                out[bare] = number
    return out


def marks(schema: Schema) -> _Marks:
    headings = {fold(t.title): t.id for t in schema.tables}
    headings.update({fold(f.label): f.id for f in schema.text})
    rows = _row_labels(schema)
    every = set(rows) | set(headings)
    for fmt in FORMATS.values():
        every |= set(_row_labels(fmt.schema))
        every |= {fold(p) for t in fmt.schema.tables for r in t.rows for p in r.parents}
    return _Marks(headings, frozenset(rows), tuple(sorted(every, key=len, reverse=True)),
                  frozenset(t.id for t in schema.tables), rows)


def unglue(document: Document, schema: Schema) -> Document:
    """``document`` with its run-together cells cut into lines: a heading a line, a row's label
    and its values a line; the other lines as they are."""
    found = marks(schema)
    section = ""
    out: list[Line] = []
    for line in document.lines:
        cut, section = _line(line, found, section)
        out += cut
    return Document(document.source, document.kind, tuple(out), document.titles)


def _line(line: Line, found: _Marks, section: str) -> tuple[list[Line], str]:
    rows: list[list[str]] = [[]]
    for cell in line.cells:
        pieces, section = _cell(cell, found, section)
        rows[-1] += pieces[0]
        rows += pieces[1:]
    if len(rows) == 1 and len(line.text) <= _HEADING_LINE:  # a heading on its own line
        folded = fold(line.text)
        section = next((s for h, s in found.headings.items() if folded.startswith(h)), section)
    if len(rows) == 1:
        return [line], section
    return [Line(line.number, tuple(cells)) for cells in rows if cells], section


class _Where:
    """Where each character of a compact text came from: per run of kept characters, a run's
    start in both texts (looked up by bisection)."""

    def __init__(self, starts: list[int], origins: list[int]) -> None:
        self.starts, self.origins = starts, origins

    def __getitem__(self, at: int) -> int:
        k = bisect.bisect_right(self.starts, at) - 1
        return self.origins[k] + at - self.starts[k]


_DIGIT_COMMA = re.compile(r"(?<=[0-9])、")


@functools.lru_cache(maxsize=65_536)
def _fold_char(char: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", char) if not c.isspace() and c not in _DROPPED)


def _compact(text: str) -> tuple[str, _Where]:
    """``text`` folded (as :func:`~.normalize.fold`: NFKC, no spaces or quotes, 「2、」 as 「2.」
    even after digits), with where each character came from. Each distinct character is folded
    once and the text translated at once; where the text is kept as it is, dropped or made
    longer (「⑴」 is 「(1)」) is found by one pass of a character class."""
    table = {ord(char): _fold_char(char) for char in set(text)}
    odd = "".join(sorted(chr(c) for c, folded in table.items() if len(folded) != 1))
    starts, origins, size = [0], [0], 0
    if odd:
        starts, origins = [], []
        for run in re.finditer("[^" + re.escape(odd) + "]+|[" + re.escape(odd) + "]", text):
            length = len(table[ord(run.group())]) if run.end() - run.start() == 1 else run.end() - run.start()
            if length:
                starts.append(size)
                origins.append(run.start())
                size += length
    return _DIGIT_COMMA.sub(".", text.translate(table)), _Where(starts, origins)


def _occurrences(compact: str, every: tuple[str, ...]) -> list[tuple[int, int, str]] | None:
    """The labels ``compact`` holds, longest first where two overlap, by position; None beyond
    :data:`MAX_FOUND` (the cell is then left as it is)."""
    covered = bytearray(len(compact))
    taken: list[tuple[int, int, str]] = []
    seen = 0
    for label in every:
        at = compact.find(label)
        while at >= 0:
            seen += 1
            if seen > MAX_FOUND:
                return None
            end = at + len(label)
            if not any(covered[at:end]):
                covered[at:end] = b"\x01" * len(label)
                taken.append((at, end, label))
            at = compact.find(label, end)
    return sorted(taken)


def _cell(cell: str, found: _Marks, section: str) -> tuple[list[list[str]], str]:
    """The cell as lines of cells: itself when it is not run together."""
    compact, where = _compact(cell)
    if not compact:
        return [[cell]], section
    taken = _occurrences(compact, found.every)
    if not taken:
        return [[cell]], section
    entered = section
    cuts = _cuts(compact, taken, found, section)
    if not cuts:
        return [[cell]], section
    out: list[list[str]] = [[]]
    starts = [where[at] for at, _, _ in cuts]
    prefix = cell[:starts[0]]
    if prefix.strip():
        out[-1] += _pieces(prefix, section in found.tables)
    for k, (_, end, label) in enumerate(cuts):
        stop = starts[k + 1] if k + 1 < len(cuts) else len(cell)
        label_end = where[end - 1] + 1
        head, rest = cell[starts[k]:label_end], cell[label_end:stop]
        if fold(head).replace("、", ".") != label.replace("、", "."):
            return [[cell]], entered  # a cut that is not the label's text: the cell as it is
        if label in found.headings:
            section = found.headings[label]
            out += [[head.strip()]]
            if rest.strip():
                out += [_pieces(rest, section in found.tables)]
        else:
            out += [[head.strip(), *_numbered(_pieces(rest, True), found.following[label])]]
    return out, section


def _cuts(compact: str, taken: list[tuple[int, int, str]], found: _Marks,
          section: str) -> list[tuple[int, int, str]]:
    """Where the cell is cut: at its headings and at the row labels in the tables' sections; none
    when it is not run together."""
    starts = {at for at, _, _ in taken}
    heads = [t for t in taken if t[2] in found.headings]
    glued = len(heads) > 1 or any(at > 0 for at, _, _ in heads)
    cuts = []
    for at, end, label in taken:
        if label in found.headings:
            section = found.headings[label]
            cuts.append((at, end, label))
        elif label in found.rows and (not section or section in found.tables):
            cuts.append((at, end, label))
            glued = glued or _digits_end(compact, end, starts)
    return cuts if glued else []


def _digits_end(compact: str, end: int, starts: set[int]) -> bool:
    """Whether digits follow a label and end where the next part starts (a label, a numbering,
    the cell's end): 「规章000行政规范性文件」, not 「规章1件」."""
    stop = end
    while stop < len(compact) and stop not in starts and (compact[stop].isdigit() or compact[stop] == "."):
        stop += 1
    if stop == end:
        return False
    return stop == len(compact) or stop in starts or bool(_STRUCTURE.match(compact, stop))


def _numbered(pieces: list[str], number: str) -> list[str]:
    """A row's pieces with the next row's item number given back to it: in 「00000002.其他法律法规
    禁止公开」 after 「1.属于国家秘密」 the 2 is the next row's number (the format's next row is 「2.」),
    even when its words are shortened and so not cut at; a run not ending in that number is kept."""
    for k in range(len(pieces) - 1):
        run, after = pieces[k], pieces[k + 1]
        if (number and run.isdigit() and len(run) > len(number) and run.endswith(number)
                and after[:1] in ".、．"):
            return [*pieces[:k], run[:-len(number)], number + after, *pieces[k + 2:]]
    return pieces


def _pieces(text: str, table: bool) -> list[str]:
    """A table's text as cells (numbers and words apart); other text whole."""
    if not table:
        return [text.strip()]
    return [m.group() for m in _PIECE.finditer(unicodedata.normalize("NFKC", text))]


__all__ = ["MAX_FOUND", "marks", "unglue"]
