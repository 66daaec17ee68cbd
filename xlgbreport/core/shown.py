"""Text from files as it may be shown: control characters escaped visibly, never obeyed.

A cell, a file name or a 封面 path can carry ESC sequences (python-calamine decodes ``_x001B_``
into ESC), C1 controls, bidirectional overrides, line separators or lone surrogates (a file
name that is not UTF-8). On a terminal they clear or rewrite the screen, reorder a line or
forge one; in JSON ``json.dumps(ensure_ascii=False)`` leaves all but C0 as they are. Each is
written as an escape (``\\x1b``, ``\\u202e``), so nothing is obeyed and nothing is hidden.

The same holds for Markdown: :func:`markdown` is the one escaper of a clerk's text (the draft,
the rendered report), so no link, image, heading, list, table cell, code or HTML comes from it.
"""

from __future__ import annotations

import html
import re

#: C0 and C1 controls, DEL, bidi marks/embeddings/overrides/isolates, line and paragraph
#: separators, and lone surrogates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
#: What ``json.dumps`` leaves raw of those: all but C0, which it escapes itself.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal(text: str) -> str:
    """One line of output, safe for a terminal: every control shown as an escape."""
    return _CONTROL.sub(_escape, text)


def lines(text: str) -> str:
    """Text of several lines (a report section), safe alike: line breaks kept."""
    return "\n".join(terminal(line) for line in text.replace("\r\n", "\n").split("\n"))


def json_text(dumped: str) -> str:
    """A JSON document (from ``json.dumps(..., ensure_ascii=False)``) with the controls that
    ``json.dumps`` leaves raw written as ``\\uXXXX``: the same data, safe to print. Outside
    strings JSON has only ASCII structure and whitespace, so only string content changes."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8, as the name holds it
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def markdown(text: object) -> str:
    r"""Text as Markdown shows it and no more: ``<``, ``>``, ``&`` are HTML-escaped, ``[ ] ! * _ `
    | ~ \`` and a line's leading ``# > + - = 1.`` are backslash-escaped, ``://`` and ``www.`` lose
    their autolink, controls are shown as escapes (:func:`lines`)."""
    text = _MD_LINE_START.sub(r"\g<1>\\\g<2>", _MD_INLINE.sub(r"\\\g<0>", lines(str(text))))
    return _no_link_no_html(_MD_NUMBERED.sub(r"\g<1>\\\g<2>", text))


def markdown_line(text: object) -> str:
    """:func:`markdown` on one line (a heading): a line break is a space, so a value cannot end
    its heading and start another."""
    return markdown(_one_line(text))


def markdown_cell(text: object) -> str:
    """A table cell: one line, ``|`` escaped like the rest; a cell starts no block, so its
    leading ``-`` or ``1.`` stays as written."""
    return _no_link_no_html(_MD_INLINE.sub(r"\\\g<0>", terminal(_one_line(text))))


def _one_line(text: object) -> str:
    return " ".join(str(text).replace("\r\n", "\n").split("\n"))


def _no_link_no_html(text: str) -> str:
    """No autolink (``http\\://``, ``www\\.``) and entities for ``&<>``, so no HTML."""
    text = _MD_AUTOLINK.sub(_unlink, text)
    return html.escape(text, quote=False)


def _unlink(match: re.Match[str]) -> str:
    """``http\\://`` (from the run's first letter: a scheme starts with one), ``www\\.``."""
    found = match.group()
    letter = _LETTER.search(found)
    if letter is None:
        return found  # 「123://」 names no scheme
    head, link = found[:letter.start()], found[letter.start():]
    return head + link.replace(":", "\\:").replace(".", "\\.", 1)


_MD_INLINE = re.compile(r"[\\`*_\[\]!|~]")
_MD_LINE_START = re.compile(r"(?m)^([ \t]*)([#>+\-=])")
_MD_NUMBERED = re.compile(r"(?m)^([ \t]*\d+)([.)])")
#: A scheme's whole run of scheme characters, taken once from where it starts (a scheme tried at
#: every letter of a long run would be quadratic); :func:`_unlink` starts it at its first letter.
_MD_AUTOLINK = re.compile(r"(?i)(?<![a-z0-9+.-])[a-z0-9+.-]*+://|\bwww\.")
_LETTER = re.compile(r"(?i)[a-z]")
