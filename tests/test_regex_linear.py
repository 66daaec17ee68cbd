"""Import's hostile text (issue 21, item 2): every pattern that meets untrusted text runs in
linear time on its worst input, the .docx guard matches part names as python-docx does, a page's
bad charset is one line, numbers are bounded and names made from titles are clean and short.

Each pattern is timed on 1 MB of its worst input and on 2 MB: quadratic time would take four
times as long (and minutes, not milliseconds); the whole file stays well under 30 s.
"""

from __future__ import annotations

import io
import time
import unicodedata
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import xlgbreport
from xlgbreport import errors
from xlgbreport.core import shown
from xlgbreport.core.formats import GB2021
from xlgbreport.core.text_rules import TextNumber, TextYear, _quantities, sentences
from xlgbreport.errors import InputError
from xlgbreport.importer import normalize, place, readers, readers_docx, runtogether, title
from xlgbreport.importer import run as import_run
from xlgbreport.importer.limits import LIMITS

MB = 1 << 20
MARKS = runtogether.marks(GB2021.schema)
_YEAR = TextYear()


def _text_patterns() -> list[Callable[[str], object]]:
    """TextNumber's compiled patterns, searched as the rule searches a sentence."""
    return [p.search for p, *_ in _quantities(GB2021.schema, TextNumber.GAP, TextNumber.NUMBER)]


#: (name, what the code runs on the text, the worst input of n characters)
CASES: list[tuple[str, Callable[[str], object], Callable[[int], str]]] = [
    ("title: no punctuation, no title", title.title_match, lambda n: "县" * n),
    ("title: a year at the end", title.title_match, lambda n: "县" * n + "2022年政府信息公开工作年度报告"),
    ("title: years throughout", title.title_match, lambda n: "2022年" * (n // 5)),
    # the two adjacent \s* after the dashes: 3.2 s at 20,000 spaces before they were possessive
    ("markdown rule: spaces", lambda s: readers._RULE.match(s), lambda n: "|---" + " " * n + "x"),
    ("markdown rule: cells", lambda s: readers._RULE.match(s), lambda n: "|---" * (n // 4) + " x"),
    ("markdown lines", lambda s: list(readers.text_lines(s, markdown=True)), lambda n: "|---" + " " * n + "x|"),
    ("fold", normalize.fold, lambda n: " 1." * (n // 3)),
    ("page number", normalize.is_page_number, lambda n: "-" * (n // 2) + " " * (n // 2) + "1x"),
    ("range before", lambda s: _YEAR.RANGE_BEFORE.search(s), lambda n: "2020" + " " * n + "x"),
    ("range after", lambda s: _YEAR.RANGE_AFTER.match(s), lambda n: " " * n + "x"),
    ("since", lambda s: _YEAR.SINCE.match(s), lambda n: " " * n + "x"),
    ("numbered", lambda s: _YEAR.NUMBERED.search(s), lambda n: "(" + " " * n + "x"),
    ("year", lambda s: list(_YEAR.YEAR.finditer(s)), lambda n: ("2020" + " " * 50) * (n // 54)),
    ("received ... 申请", lambda s: [f(s) for f in _text_patterns()], lambda n: "收到" * (n // 2)),
    ("digits without 件", lambda s: [f(s) for f in _text_patterns()], lambda n: "收到" + "1" * n),
    ("sentences", lambda s: list(sentences(s)), lambda n: "字" * n),
    ("markdown autolink", shown.markdown, lambda n: "a" * n),
    ("markdown autolink dots", shown.markdown, lambda n: "a." * (n // 2)),
    ("markdown numbered", shown.markdown, lambda n: "1" * n + "x"),
    ("meta charset", readers.declared_charset, lambda n: ("<meta " + " " * n).encode()),
    ("text cells: spaces", readers.text_cells, lambda n: "a" + " " * n + "x"),
    ("text cells: pipes", readers.text_cells, lambda n: "| " * (n // 2) + "x"),
    ("text cells: fillers", readers.text_cells, lambda n: "a" + "|" * n + " x"),
    ("run together: labels and digits", lambda s: runtogether._cell(s, MARKS, ""), lambda n: "规章0" * (n // 3)),
    ("run together: headings", lambda s: runtogether._cell(s, MARKS, ""), lambda n: "一、总体情况" * (n // 6)),
    ("run together: a label's digits", lambda s: runtogether._cell(s, MARKS, "proactive"),
     lambda n: "1.属于国家秘密" + "0" * n),
    ("run together: almost labels", lambda s: runtogether._cell(s, MARKS, ""), lambda n: "行政规范性文" * (n // 6)),
    ("run together: NFKC longer", lambda s: runtogether._cell(s, MARKS, ""), lambda n: "⑴规章1" * (n // 4)),
]


def _seconds(run: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    run(text)
    return time.perf_counter() - start


@pytest.mark.parametrize(("name", "run", "worst"), CASES, ids=[c[0] for c in CASES])
def test_patterns_run_in_linear_time(name: str, run: Callable[[str], object], worst: Callable[[int], str]):
    one, two = _seconds(run, worst(MB)), _seconds(run, worst(2 * MB))
    assert two < 4.0, f"{name}: {two:.2f} s on 2 MB"
    assert two < 3 * one + 0.1, f"{name}: {one:.3f} s on 1 MB, {two:.3f} s on 2 MB: not linear"


def test_a_title_is_still_found_and_a_long_line_is_not_one():
    assert title.title_match("金乡县胡集镇人民政府2022年政府信息公开工作年度报告")["org"] == "金乡县胡集镇人民政府"
    assert title.title_match("2022年度金乡县胡集镇人民政府政府信息公开工作年度报告")["year"] == "2022"
    assert title.title_match("标题：胡集镇2022年政府信息公开工作年度报告")["org"] == "胡集镇"
    long_org = "县" * title.TITLE_CHARS + "2022年政府信息公开工作年度报告"
    assert title.title_match(long_org) is None
    assert title.title_match("，" + "县" * 100 + "2022年政府信息公开工作年度报告")["org"] == "县" * 100
    assert readers._RULE.match("| --- | :---: |") and readers._RULE.match("|---|---|")
    assert not readers._RULE.match("| - - - |")


def test_autolinks_lose_their_link_as_before():
    assert shown.markdown("见 http://a.gov.cn 与 www.b.cn") == "见 http\\://a.gov.cn 与 www\\.b.cn"
    assert shown.markdown("1.a://x") == "1\\.a\\://x"  # the scheme starts at its first letter
    assert shown.markdown("123://x") == "123://x"


def _docx(extra: dict[str, bytes], content_types_extra: bytes) -> bytes:
    """A minimal .docx with ``extra`` parts and overrides added to ``[Content_Types].xml``."""
    types = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             b'content-types"><Default Extension="xml" ContentType="application/xml"/>'
             + content_types_extra + b"</Types>")
    body = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body/></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:  # stored: no ratio to refuse it for
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("word/document.xml", body)
        for name, data in extra.items():
            zf.writestr(name, data)
    return buffer.getvalue()


_OVERRIDE = (b'<Override PartName="/WORD/BIG.BIN" ContentType="application/vnd.openxmlformats-'
             b'officedocument.wordprocessingml.styles+xml"/>')


def test_docx_guard_reads_an_upper_case_override_as_xml(tmp_path: Path):
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(InputError) as raised:
        readers_docx.guard(tmp_path / "a.docx", _docx({"word/big.bin": doctype}, _OVERRIDE), LIMITS)
    assert raised.value.code == errors.XML_DOCTYPE.code
    many_tags = b"<x>" + b"<y/>" * (LIMITS.docx_tags + 1) + b"</x>"
    with pytest.raises(InputError) as raised:
        readers_docx.guard(tmp_path / "a.docx", _docx({"word/big.bin": many_tags}, _OVERRIDE), LIMITS)
    assert raised.value.code == errors.TOO_MANY_TAGS.code


@pytest.mark.parametrize("charset", ["undefined", "punycode", "idna", "rot13", "unicode_escape", "x-nothing"])
def test_a_bad_declared_charset_is_read_or_one_line(tmp_path: Path, charset: str):
    page = tmp_path / "a.html"
    page.write_bytes(f'<html><head><meta charset="{charset}"></head><body><p>'.encode()
                     + "金乡县2022年政府信息公开工作年度报告".encode("gb18030") + b"\xff\xfe</p></body></html>")
    try:
        reports = xlgbreport.read_published(page)
    except InputError as error:
        assert error.code != "error" and "\n" not in str(error)
    else:
        assert reports


def test_numbers_beyond_the_bounds_are_not_placed():
    assert place.in_bounds("count", 10 ** 9) and not place.in_bounds("count", 10 ** 9 + 1)
    assert not place.in_bounds("count", Decimal("9" * 60))
    assert place.in_bounds("amount", Decimal("1.123456")) and not place.in_bounds("amount", Decimal("1.1234567"))
    assert not place.in_bounds("amount", Decimal("1e13"))
    assert not place.in_bounds("count", Decimal("9" * 30 + "." + "1" * 30))


def test_a_sixty_digit_number_is_said_not_imported(tmp_path: Path):
    source = tmp_path / "a.txt"
    source.write_text("金乡县2022年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
                      "一、本年新收政府信息公开申请数量\t" + "9" * 60 + "\t0" * 5 + "\t" + "9" * 60 + "\n",
                      encoding="utf-8")
    [one] = xlgbreport.read_published(source)
    assert all(v is None or abs(Decimal(v)) <= place.BOUNDS["count"] for v in one.report.cells.values()
               if isinstance(v, int | Decimal))
    said = [n for n in one.notes if n.rule == "import.out_of_range"]
    assert len(said) == 2 and "9" * 60 in said[0].message and "超出可能的范围" in said[0].message


def test_names_from_titles_are_clean_and_cut_by_bytes():
    hidden = "\u202e\u200b\u0085\u2066\x9b\ufeff"
    name = import_run.safe_name(f"县{hidden}政府")
    assert name == "县政府"
    long = import_run.safe_name("\U0001d400" * 58)  # four bytes each, NFKC keeps a letter
    assert len(long.encode()) <= import_run.NAME_BYTES
    long = import_run.safe_name("𠀀" * 58)
    assert len(long.encode()) <= import_run.NAME_BYTES and long == "𠀀" * (import_run.NAME_BYTES // 4)
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in import_run.safe_name("a\u200d\u061cb"))
    full = f"{import_run.safe_name('𠀀' * 58)}_年度不明-9999.json"
    assert len(full.encode()) <= 120
