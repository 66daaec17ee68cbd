"""Which official row a published label names, decided from the format's own labels.

Table 二's rows are named by the words right before their values (规章, 行政许可 …), whole.
Table 三's rows are numbered (一、 (一) 1.), so the text is cut at its numberings and the last
piece is the row's label: its numbering must be the row's, and its words the row's, in full,
without the official note, or shortened to half at least (其他法律法规禁止公开); within a named
group, shared characters may decide (逾期不补正). A label that fits two rows is not decided by
their order: the group it stands in (（三）不予公开 …) decides, or nothing does.
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


_WRAPPED = 4  # a label a PDF or a narrow cell broke into words: 「行政 规范性文件」


def proactive_row(words: tuple[str, ...], table: Table) -> Row | None:
    """The table-二 row whose label is the last words before the values, whole (「行政规范性文件」,
    or broken over a few words): a sentence that ends with 「行政处罚」 names no row."""
    for k in range(1, min(_WRAPPED, len(words)) + 1):
        tail = "".join(words[-k:])
        for row in sorted(table.rows, key=lambda r: -len(r.label)):
            if tail == fold(row.label):
                return row
    return None


def _groups(table: Table) -> set[str]:
    return {fold(p) for r in table.rows for p in r.parents[1:]}


def requests_row(label: str, table: Table, group: str) -> Match:
    """The table-三 row the last numbered piece of ``label`` names; ``group`` is the group
    named before (a label may name it again, as in 「（三）不予公开 1.属于国家秘密」).

    The numbering must be the row's. Its words must be the row's in full, the row's with its
    note left off (「部分公开」), or shortened to at least half of it (其他法律法规禁止公开); words
    that are another row's, or a group named that is not the row's, place nothing. Within a named
    group, words in common decide only when they point to the row of that number more than to
    any other row of the group (「2.逾期不缴费」 is 缴纳费用's, not 逾期不补正's)."""
    parts = numbered_parts(label)
    groups = _groups(table)
    named = ""
    for part in parts[:-1]:
        named = _group_named(part, groups) or named
    group = named or group
    if not parts:
        return Match(None, group)
    mark, words = numbering(parts[-1])
    if not mark:
        return Match(None, group)
    same_mark = [r for r in table.rows if numbering(fold(r.label))[0] == mark]
    for level in (_exact, _within, _shortened):
        fits = [r for r in same_mark if level(words, _words(r))]
        if len(fits) > 1:
            in_group = [r for r in fits if _group_of(r) == group]
            if len(in_group) != 1:
                return Match(None, group, tuple(fits))
            fits = in_group
        if len(fits) == 1:
            row = fits[0]
            if (named and _group_of(row) != named) or _another_row(words, row, table, level):
                return Match(None, group)
            if group and _group_of(row) not in ("", group) and level is not _exact:
                return Match(None, group)
            return Match(row, _group_of(row))
    if group:
        closest = _closest_in_group(words, mark, group, table)
        if closest is not None:
            return Match(closest, group)
    return Match(None, _group_named(parts[-1], groups) or group)


def _words(row: Row) -> str:
    return numbering(fold(row.label))[1]


def _group_of(row: Row) -> str:
    return fold(row.parents[-1]) if row.parents[1:] else ""


def _another_row(words: str, row: Row, table: Table, level) -> bool:
    """Whether the words are rather another row's (or a group's): 「（一）部分公开」 is 3.2's."""
    others = [_words(r) for r in table.rows if r is not row]
    others += [numbering(g)[1] for g in _groups(table)]
    if level is _exact:
        return False
    return any(words == o or (len(words) >= 2 and words in o) for o in others)


def _closest_in_group(words: str, mark: str, group: str, table: Table) -> Row | None:
    """Within the group named, the row of this number when the words share more characters
    with it than with any other row of the group."""
    rows = [r for r in table.rows if _group_of(r) == group]
    scores = {r.id: len(set(words) & set(_words(r))) for r in rows}
    best = max(scores.values(), default=0)
    top = [r for r in rows if scores[r.id] == best]
    if best < 2 or len(top) != 1 or numbering(fold(top[0].label))[0] != mark:
        return None
    return top[0]


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
    """The official label with its note left off (「部分公开」 for 「部分公开（区分处理的…）」), or
    followed by a note of the report's own: the one begins the other."""
    if len(words) < 2:
        return False
    return official.startswith(words) or (words.startswith(official) and not _has_digit(words[len(official):]))


def _has_digit(text: str) -> bool:
    """A note of the report's own holds no digits: 「属于国家秘密5000005」 is a label and values glued."""
    return any(ch.isdigit() for ch in text)


def _shortened(words: str, official: str) -> bool:
    """Words left out, at least half of the label kept (其他法律法规禁止公开)."""
    return 2 * len(words) >= len(official) and abbreviates(words, official)


def label_at(text: str, label: str, start: int = 0) -> int | None:
    """Where folded ``text`` first names ``label`` from ``start`` on, in full or shortened
    (社会组织 for 社会公益组织): the end of the naming, or None."""
    folded = fold(label)
    at = text.find(folded, start)
    if at >= 0:
        return at + len(folded)
    for begin in (i for i in range(start, len(text)) if text[i] == folded[0]):
        for end in range(begin + 2, min(len(text), begin + len(folded)) + 1):
            if text[end - 1] == folded[-1] and abbreviates(text[begin:end], folded):
                return end
    return None


def out_of_order(text: str, levels: tuple[tuple[str, ...], ...]) -> list[str]:
    """The header labels ``text`` does not name in the format's order, level by level: each
    label after the one before it, and the level's last label first named after its first (a
    header 「总计 结果维持 …」 is not the format's, whatever follows it). A sentence before the
    header (a narrative of the table, ending in 「。」) is not looked at."""
    text = text.rsplit("。", 1)[-1]
    missing = []
    for labels in levels:
        at = 0
        for label in labels:
            found = label_at(text, label, at)
            if found is None:
                missing.append(label)
            else:
                at = found
        if len(labels) > 1 and not missing:
            first, last = label_at(text, labels[0]), label_at(text, labels[-1])
            if first is None or last is None or last - len(fold(labels[-1])) < first - len(fold(labels[0])):
                missing.append(labels[-1])
    return missing


def has_label(text: str, label: str) -> bool:
    """Whether folded ``text`` names ``label`` in full or shortened (社会组织)."""
    return label_at(text, label) is not None
