"""A section's text as its paragraphs were written, from lines that may only wrap them.

A PDF (or a .txt extracted from one) breaks a paragraph into lines of its page's width; a web
page or a Word body gives each paragraph whole. A line is joined to the next when it does not
end a sentence, is as wide as the section's wrapped lines, and the next starts no heading or
numbered item; an empty line always ends one. A PDF's reader puts an empty line where a
paragraph is indented or spaced apart, and then that alone decides (and the spaces a justified
PDF line sets between Chinese characters are removed too). Spaces a PDF puts between Chinese and digits (「2025 年」) are removed.
"""

from __future__ import annotations

import re

#: What ends a sentence at a line's end (a closing quote or bracket may follow it).
_SENTENCE_END = re.compile(r"[。！？!?；;…：:][”’」』）)]*$")
#: What starts a heading or a numbered item: 一、 （一） (1) 1. 1、 ① (not 「一是」: a wrapped
#: line may start with it in the middle of a paragraph).
_ITEM = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、．](?!\d)|[①-⑳])")
#: A space a PDF sets between a Chinese character (or punctuation) and a digit, either way.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2e80-\u2fdf"
_CJK_DIGIT = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+(?=\d)|(?<=\d)[ \t\u00a0]+(?=[{_CJK}])")
#: A space between two Chinese characters in a PDF's text: a justified line's letter spacing.
_CJK_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+(?=[{_CJK}])")
#: A line is one a paragraph wraps when it is at least this share of the section's common width.
_FULL = 0.8
_NARROWEST = 15  # no page wraps a paragraph into narrower lines: a section of short lines is no wrap
_WIDTH_RANK = 0.8  # the common width: this rank of the lines' widths


def tidy(text: str, pdf: bool = False) -> str:
    """``text`` without the spaces a PDF put between Chinese and digits; from a PDF, between
    Chinese characters too (a justified line spreads them)."""
    text = _CJK_DIGIT.sub("", text)
    return _CJK_CJK.sub("", text) if pdf else text


def _width(text: str) -> float:
    """How wide a line is set: an ASCII character is half a Chinese one."""
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)


def paragraphs(lines: list[str], marked: bool = False) -> list[str]:
    """The paragraphs of ``lines`` (empty strings are breaks), each tidied (:func:`tidy`).
    ``marked``: the reader put an empty line where each paragraph starts (a PDF, by indentation
    or spacing), so every other line break only wraps; else the sentence rule above decides."""
    widths = sorted(_width(t) for t in lines if t)
    if not widths:
        return []
    full = max(_FULL * widths[min(len(widths) - 1, int(_WIDTH_RANK * len(widths)))], _NARROWEST)
    out: list[str] = []
    current = current_last = ""
    for text in lines:
        if not text:
            if current:
                out.append(current)
            current = ""
            continue
        if current and (marked or _wraps(current_last, text, full)):
            current += text
        else:
            if current:
                out.append(current)
            current = text
        current_last = text
    if current:
        out.append(current)
    return [tidy(p, pdf=marked) for p in out]


def _wraps(line: str, following: str, full: float) -> bool:
    """Whether ``following`` goes on the paragraph ``line`` ends: see the module."""
    return (not _SENTENCE_END.search(line) and _width(line) >= full
            and not _ITEM.match(following.lstrip()))
