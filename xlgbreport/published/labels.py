"""Which official row a published label names, decided from the format's own labels.

Table 二's rows are named by a label at the end of the text before their values (规章, 行政
许可 …). Table 三's rows are numbered (一、 (一) 1.), so the text is cut at its numberings and
the last piece is the row's label: its numbering must be the row's, and its words the row's, in
full or shortened (社会组织 for 社会公益组织, 其他法律法规禁止公开, 逾期不补正). A label that
fits two rows is not decided by their order: the group it stands in (（三）不予公开 …) decides, or
nothing does.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.tables import Row, Table
from .normalize import abbreviates, fold, numbered_parts, numbering


@dataclass(frozen=True)
class Match:
    row: Row | None
    group: str  # the group label the text named last (folded), for the rows after it
    ambiguous: tuple[Row, ...] = ()


def proactive_row(label: str, table: Table) -> Row | None:
    """The table-二 row whose label ends ``label`` (the longest, so 行政规范性文件 is not 规范性文件)."""
    fitting = [r for r in table.rows if label.endswith(fold(r.label))]
    return max(fitting, key=lambda r: len(r.label)) if fitting else None


def _groups(table: Table) -> set[str]:
    return {fold(p) for r in table.rows for p in r.parents[1:]}


def requests_row(label: str, table: Table, group: str) -> Match:
    """The table-三 row the last numbered piece of ``label`` names; ``group`` is the group
    named before (a label may name it again, as in 「（三）不予公开 1.属于国家秘密」)."""
    parts = numbered_parts(label)
    groups = _groups(table)
    for part in parts[:-1]:
        named = _group_named(part, groups)
        if named:
            group = named
    if not parts:
        return Match(None, group)
    mark, words = numbering(parts[-1])
    if not mark:
        return Match(None, group)
    same_mark = [r for r in table.rows if numbering(fold(r.label))[0] == mark]
    for level in (_exact, _within, _shortened, _sharing):
        fits = [r for r in same_mark if level(words, numbering(fold(r.label))[1])]
        in_group = [r for r in fits if _group_of(r) == group]
        if level is _sharing:  # words in common decide only with the group named: 2.逾期不缴费
            fits = in_group
        elif len(fits) > 1:
            fits = in_group or fits
        if len(fits) == 1:
            return Match(fits[0], _group_of(fits[0]))
        if len(fits) > 1:
            return Match(None, group, tuple(fits))
    named = _group_named(parts[-1], groups)
    return Match(None, named or group)


def _group_of(row: Row) -> str:
    return fold(row.parents[-1]) if row.parents[1:] else ""


def _group_named(part: str, groups: set[str]) -> str | None:
    mark, words = numbering(part)
    for group in groups:
        g_mark, g_words = numbering(group)
        if mark == g_mark and words and (words == g_words or abbreviates(words, g_words)):
            return group
    return None


def _exact(words: str, official: str) -> bool:
    return words == official


def _within(words: str, official: str) -> bool:
    """One holds the other: 「部分公开」 for the official label with its note in brackets, or a
    label followed by a note of the report's own."""
    return len(words) >= 2 and (words in official or official in words)


def _shortened(words: str, official: str) -> bool:
    return abbreviates(words, official)


def _sharing(words: str, official: str) -> bool:
    """Two characters in a row in common (逾期): enough only where the group and the numbering
    already leave one row."""
    return any(words[i:i + 2] in official for i in range(len(words) - 1))


def has_label(text: str, label: str) -> bool:
    """Whether folded ``text`` names ``label`` in full or shortened (社会组织)."""
    folded = fold(label)
    if folded in text:
        return True
    for start in (i for i, ch in enumerate(text) if ch == folded[0]):
        for end in range(start + 2, min(len(text), start + len(folded)) + 1):
            if text[end - 1] == folded[-1] and abbreviates(text[start:end], folded):
                return True
    return False
