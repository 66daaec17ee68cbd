"""Published text made comparable: one folded form for labels, and a line cut into tokens.

Real reports write the same label many ways: full or half width, PDF compatibility ideographs
(⼀ for 一), spaces inside words (「结 果 维持」), header words split over lines, 「1、」 for
「1.」, markdown marks. Labels are compared only in their folded form, so none of these
matter; numbers are told from text by being set apart (a cell, or spaces), never by guessing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』`*#")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_NUMBERED = re.compile(r"(?<![\d.])(\d{1,2})[、．.](?!\d)")
_PAGE_NUMBER = re.compile(r"^[-—–－]+\s*\d{1,3}\s*[-—–－]+$")  # dashes on both sides: -1 is a value


def fold(text: str) -> str:
    """The form labels are compared in: NFKC (half width, ⼀ → 一), no spaces, no quotes or
    markdown marks, 「1、」 and 「1．」 as 「1.」."""
    text = unicodedata.normalize("NFKC", _BOOKMARK.sub("", text))
    text = _SPACE.sub("", text).translate(_QUOTES)
    return _NUMBERED.sub(r"\1.", text)


def is_page_number(text: str) -> bool:
    """「- 3 -」, 「— 3 —」: a PDF's page footer, not a value of any table."""
    return bool(_PAGE_NUMBER.match(text.strip()))


#: Where a numbered label starts in folded text: 一、 (一) 1. — the official tables number
#: every row label this way, so a run of label text is cut into labels there.
_NUMBERING = re.compile(r"[一二三四五六七八九十]{1,2}、|\([一二三四五六七八九十]{1,2}\)|(?<![\d.])\d{1,2}\.(?!\d)")


def numbered_parts(folded: str) -> list[str]:
    """Folded text cut where a numbering starts: 「三、本年度办理结果(一)予以公开」 gives
    「三、本年度办理结果」 and 「(一)予以公开」. Text before the first numbering is the first part."""
    starts = [m.start() for m in _NUMBERING.finditer(folded)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return [folded[a:b] for a, b in zip(starts, [*starts[1:], len(folded)], strict=True)
            if folded[a:b]]


def numbering(folded: str) -> tuple[str, str]:
    """A folded label's numbering and the rest: 「(二)部分公开」 gives (「(二)」, 「部分公开」)."""
    found = _NUMBERING.match(folded)
    if not found:
        return "", folded
    return found.group(), folded[found.end():]


def abbreviates(short: str, label: str) -> bool:
    """Whether ``short`` can be ``label`` with words left out (社会组织 for 社会公益组织): a piece of
    it, or its characters in order with the first or the last kept, at least two of them."""
    if len(short) < 2 or len(short) > len(label) or short[0] not in label:
        return False
    if short in label:
        return True
    if short[-1] != label[-1] and short[0] != label[0]:
        return False
    it = iter(label)
    return all(ch in it for ch in short)


# --- tokens ---------------------------------------------------------------------------------

#: A number set apart: digits, a decimal part, a sign (本年增/减 is signed), a unit a fee or a
#: procurement amount is written with. Thousands separators are not accepted: 1,234 is not
#: certainly one number.
#: A value: digits (thousands set apart by ASCII commas, 「1,808,595」, as web pages print them),
#: a decimal part, a unit. Anchored, no nested repeats: linear.
_VALUE = re.compile(r"^(?P<sign>[-+−]?)(?P<digits>(?:\d{1,3}(?:,\d{3}){1,20}|\d{1,60})(?:\.\d{1,20})?)"
                    r"(?P<unit>万元|元|件|个|项|条)?$")
#: The units a cell of each kind may be written with; another one (3940元 in a 万元 cell) is
#: not that cell's value.
UNITS = {"amount": ("", "万元"), "count": ("", "件", "个", "项", "条")}
#: A word a sentence goes on with after a number: a unit, a measure word, a date's 年月日.
#: Written in a cell for "nothing to report here" (:mod:`.cells` reads it as a blank, never 0).
NOT_APPLICABLE = frozenset(("/", "／", "—", "——", "–", "-", "－", "无", "不适用"))
_GOES_ON = re.compile(r"^(?:万元|元|件|个|项|条|次|人|年|月|日|%|％|余|多|起|宗|部|份|家|名|篇|期|场|批|户|位|天|倍)")


@dataclass(frozen=True)
class Token:
    """A piece of a line: a value (``number`` set) or text; ``raw`` as the source wrote it."""

    raw: str
    line: int
    number: Decimal | None = None
    unit: str = ""
    blank: bool = False  # an empty table cell between two values: a cell the source left blank

    @property
    def is_value(self) -> bool:
        return self.number is not None or self.blank

    @property
    def digits(self) -> str:
        """The value as written, without sign or unit: a run of digits may hold several cells."""
        return self.raw.lstrip("-+−").removesuffix(self.unit)


def tokens(cells: tuple[str, ...], line: int, real: bool = False) -> list[Token]:
    """A line's cells cut into values and text. A value is a cell, or a space-separated word,
    that is a number and nothing else, and that no word of the sentence goes on from: in
    「制发规章 1 件、废止 0 件」 and 「2023 年报告」 the numbers are prose (a narrative above a table,
    as published PDFs have), in 「保留4位小数」 there is none. With ``real`` (a web page's or a
    Word table's row, where every cell is one the table has), an empty cell after the row's label
    or a value is a blank cell even at the row's end, and in a row of values only, any empty cell."""
    out: list[Token] = []
    filled = [c.strip() for c in cells if c.strip()]
    valued = real and any(_VALUE.match(c) for c in filled)
    only_values = valued and all(_VALUE.match(c) for c in filled)  # table 四's rows have no label
    trailing = not real and _trailing_cells(cells)
    for index, cell in enumerate(cells):
        if not cell.strip():
            if (valued and (out or only_values)) or _between_values(cells, index, out) \
                    or (trailing and bool(out) and out[-1].is_value):
                out.append(Token("", line, blank=True))
            continue
        words = unicodedata.normalize("NFKC", _BOOKMARK.sub(" ", cell)).split()
        for i, word in enumerate(words):
            found = _VALUE.match(word)
            if found and "," in found["digits"] and "，" in cell:  # 「1，808」: a list, not a number
                found = None
            prose = i + 1 < len(words) and _GOES_ON.match(words[i + 1])
            if found and not prose:
                sign = "-" if found["sign"] in "-−" and found["sign"] else ""
                digits = found["digits"].replace(",", "")
                out.append(Token(word, line, Decimal(sign + digits), found["unit"] or ""))
            elif word in NOT_APPLICABLE and _marks_a_cell(cells, index, words, i, out):
                out.append(Token(word, line, blank=True))
            else:
                out.append(Token(word, line))
    return out


def _marks_a_cell(cells: tuple[str, ...], index: int, words: list[str], i: int, before: list[Token]) -> bool:
    """Whether a not-applicable mark stands for a cell: a table cell of its own, or a word
    next to a value or another mark (「行政许可 / / 3」), not a dash inside a sentence."""
    if len(cells) > 1 and len(words) == 1:  # a page number split into cells ends the row's values
        filled = [c.strip() for c in cells]
        first = index + 2 < len(filled) and filled[index + 1].isdigit() and filled[index + 2][:1] in _DASHES
        end = index + 3 if first else index + 1
        return not _in_page_number(filled, index) or any(_VALUE.match(c) for c in filled[end:])
    if _in_page_number(words, i):
        return False
    after = words[i + 1] if i + 1 < len(words) else ""
    if _VALUE.match(after) or after in NOT_APPLICABLE:
        return True
    return i > 0 and not after and bool(before) and before[-1].is_value


_DASHES = frozenset("-—–－")


def _in_page_number(words: list[str], i: int) -> bool:
    """Whether the dash ``words[i]`` is one side of a page number run into the text (「- 5 -」,
    the far dash perhaps glued to the text beside it)."""
    def digits(j: int) -> bool:
        return 0 <= j < len(words) and words[j].isdigit()

    after = words[i + 2][:1] if i + 2 < len(words) else ""  # the far dash may be glued to text
    before = words[i - 2][-1:] if i >= 2 else ""
    return (digits(i + 1) and after in _DASHES) or (digits(i - 1) and before in _DASHES)


def _trailing_cells(cells: tuple[str, ...]) -> bool:
    """Whether a text line's empty cells after its values are cells (a browser's copy of a page
    whose row ends 「31⇥4⇥⇥」): its values start right after its label, with no empty cell
    between (one there may be a merged label's, so the row's cells cannot be counted), and
    nothing but values and empty cells follow. The row's width then drops what is past it
    (:func:`.digits.candidates`)."""
    filled = [c.strip() for c in cells]
    first = next((i for i, c in enumerate(filled) if _VALUE.match(c) or c in NOT_APPLICABLE), None)
    if first is None or len(cells) < 2 or not filled[-1] == "":
        return False
    return (first == 0 or filled[first - 1] != "") and all(
        not c or _VALUE.match(c) or c in NOT_APPLICABLE for c in filled[first:])


def _between_values(cells: tuple[str, ...], index: int, before: list[Token]) -> bool:
    """Whether an empty cell stands between two values of the same row (「12 | | 5」): it is then
    a cell, left blank, not a separator; empty cells before the first value or after the last
    are layout (会盟镇's 「（七）总计 | | 0 …」)."""
    if not before or not before[-1].is_value:
        return False
    return any(_VALUE.match(c.strip()) for c in cells[index + 1:] if c.strip())


def prose_numbers(stream: list[Token]) -> list[Token]:
    """The tokens with a value made text when the next word goes on from it, across a line
    break too (a PDF wraps 「…禁止公开 31」 / 「件，危及…」)."""
    out = list(stream)
    for i, token in enumerate(out[:-1]):
        after = out[i + 1]
        if token.is_value and not after.is_value and _GOES_ON.match(after.raw):
            out[i] = Token(token.raw, token.line)
    return out
