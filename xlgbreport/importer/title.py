"""The org and the year a published report names: from its title line (over up to three lines,
the org before or after the year, the subject worded as :mod:`.variants` lists), else from a
crawler's or a page's metadata (「标题: …」, 「发布机构: …」, HTML ``<title>``, ``<meta
name="ArticleTitle">``). A path or an address never gives the org.
"""

from __future__ import annotations

import re

from .document import Document
from .normalize import fold
from .scan import Scan
from .variants import (
    COMPARED_SUBJECT,
    META_IGNORED,
    META_ORG,
    META_TITLE,
    TITLE_CLOSERS,
    TITLE_OPENERS,
    YEAR_INSIDE,
    YEAR_WORDS,
    subjects,
)

#: Not in an org's name: punctuation (a sentence 「现将本镇2022年度…年度报告公布如下」 is no
#: title), and what paths and addresses hold (「zwgk/zfxxgk/51234_某某」 is no body).
_NOT_ORG = r"[^:：，。；;,、()（）/\\_|<>=&?#%@]"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?:" + "|".join(YEAR_WORDS) + ")"
_SUBJECT = "(?:" + "|".join(map(re.escape, subjects())) + ")"
#: A subject with the year inside it: 「政府信息公开工作2023年度报告」.
_INSIDE = "(?:" + "|".join(rf"{re.escape(a)}{_YEAR}{re.escape(b)}" for a, b in YEAR_INSIDE) + ")"
_OPENER = "(?:" + "|".join(map(re.escape, TITLE_OPENERS)) + ")?"
_CLOSER = "(?:" + "|".join(map(re.escape, TITLE_CLOSERS)) + ")?"
#: 「金乡县胡集镇人民政府2022年政府信息公开工作年度报告」, 「某某镇政府2022年信息公开工作年度报告」,
#: 「关于…局2023年度…报告的公示」, 「…局关于2023年度…」 (关于 is no part of the org).
_TITLE = re.compile(rf"{_OPENER}(?P<org>{_NOT_ORG}*?){_OPENER}{_YEAR}{_SUBJECT}{_CLOSER}$")
#: 「2022年度金乡县胡集镇人民政府政府信息公开工作年度报告」: the year first.
_YEAR_FIRST = re.compile(rf"^{_OPENER}{_YEAR}(?P<org>{_NOT_ORG}+?){_SUBJECT}{_CLOSER}$")
#: 「…局政府信息公开工作2023年度报告」: the year inside the subject.
_YEAR_IN = re.compile(rf"{_OPENER}(?P<org>{_NOT_ORG}+?){_INSIDE}{_CLOSER}$")
_TITLE_LINES = 3
#: A title is at most this many characters: longer text is not one, and the patterns above (a
#: lazy org before the year, tried at every start) are only ever run on this last window.
TITLE_CHARS = 200
#: A first line longer than this is a run-together text, whose title may open it.
_RUN_TOGETHER = 80
_COMPARED_TITLE = re.compile(rf"^(?P<org>{_NOT_ORG}+?){COMPARED_SUBJECT}$")
#: 「标题: …」: a metadata line's key and value (the key is a known word, so prose is none).
_META = re.compile(r"^(?P<key>[A-Za-z\u4e00-\u9fff]{1,12})[:：](?P<value>.*)$")
#: A title in a metadata value ends at its subject: 「…年度报告（2021格式）。原发布单位：…」.
_META_TITLES = (re.compile(rf"^{_OPENER}(?P<org>{_NOT_ORG}*?){_OPENER}{_YEAR}{_SUBJECT}"),
                re.compile(rf"^{_OPENER}{_YEAR}(?P<org>{_NOT_ORG}+?){_SUBJECT}"),
                re.compile(rf"^{_OPENER}(?P<org>{_NOT_ORG}+?){_INSIDE}"))
_URL = re.compile(r"^(?:https?:|www\.)|^[\w.-]+/[\w./-]*$", re.IGNORECASE)


def title(scanned: Scan, document: Document | None = None) -> tuple[str | None, int | None]:
    """The org and year the report names: its title line, else its metadata (see the module)."""
    lines = [fold(line.text) for line in scanned.title]
    if scanned.compared_years:
        for text in lines:
            compared = _COMPARED_TITLE.search(text)
            if compared:
                return compared["org"], None
    metadata = [_meta(text) for text in lines]
    plain = ["" if key is not None or _URL.match(text) else text for text, (key, _) in zip(lines, metadata,
                                                                                        strict=True)]
    org, year = _from_lines(plain)
    if year is None:
        org, year = _run_together(plain)
    if year is not None:
        return org, year
    return _from_metadata(metadata, document)


def _run_together(lines: list[str]) -> tuple[str | None, int | None]:
    """A title that begins a run-together text (a crawler's or a browser's copy, the whole body on
    one line): the first line, when it is longer than any title, opening with org, year and
    subject. Only there: in prose, 「现将本镇2022年度…年度报告公布如下」 is no title."""
    first = next((text for text in lines if text), "")
    if len(first) <= _RUN_TOGETHER:
        return None, None
    found = _META_TITLES[0].match(first[:TITLE_CHARS])
    return (found["org"] or None, int(found["year"])) if found and found["org"] else (None, None)


def _from_lines(lines: list[str]) -> tuple[str | None, int | None]:
    """The last title before 一 (notes may come first), over one to three lines: of the windows
    ending in a line, the smallest that names an org."""
    found = None
    for end in range(1, len(lines) + 1):
        last = len(lines[end - 1])
        for start in range(end - 1, max(0, end - _TITLE_LINES) - 1, -1):
            text = "".join(lines[start:end])
            match = title_match(text)  # it ends the text: the last line must have a part of it
            if match and last > 0 and (match["org"] or start == 0):
                found = match
                break
    if found:
        return found["org"] or None, int(found["year"])
    return None, None


def _meta(text: str) -> tuple[str | None, str]:
    """A metadata line's (key, value) when its key is one :mod:`.variants` knows; (None, "")."""
    found = _META.match(text[:TITLE_CHARS])
    if not found:
        return None, ""
    key = found["key"]
    if key in META_TITLE or key in META_ORG or key in META_IGNORED:
        return key, found["value"]
    return None, ""


def _from_metadata(metadata: list[tuple[str | None, str]],
                   document: Document | None) -> tuple[str | None, int | None]:
    """A title from 「标题:」 lines or the page's own title, and an org from 「发布机构:」."""
    titles = [value for key, value in metadata if key in META_TITLE]
    titles += [fold(t) for t in (document.titles if document is not None else ())]
    org: str | None = None
    year: int | None = None
    for value in titles:
        found = next((m for p in _META_TITLES if (m := p.match(value[:TITLE_CHARS]))), None)
        if found:
            org, year = found["org"] or None, int(found["year"])
            break
    if org is None:
        named = [value for key, value in metadata if key in META_ORG and value and not _URL.match(value)]
        org = next((v[:TITLE_CHARS] for v in named if re.fullmatch(f"{_NOT_ORG}+", v[:TITLE_CHARS])), None)
    return org, year


def title_match(text: str) -> re.Match[str] | None:
    """The title pattern's match in ``text``'s last :data:`TITLE_CHARS` characters (and the one
    before them, to see whether the org goes on): both patterns end the text, and a title whose
    org goes on past the window is a sentence, not a title. Linear in ``text``, whatever its length."""
    cut = len(text) > TITLE_CHARS + 1
    window = text[-(TITLE_CHARS + 1):]
    match = _TITLE.search(window) or _YEAR_FIRST.search(window) or _YEAR_IN.search(window)
    if match is None or (cut and match.start() == 0):
        return None
    return match
