"""Narrative paragraphs as written (issue 17, item 9): a .txt of a PDF (lines of ~26 characters)
and a real PDF both give the examples' own paragraphs."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from published_docs import known, pdf_from_docx, rendered
from xl_helpers import EXAMPLES

from xlgbreport.importer.paragraphs import paragraphs, tidy
from xlgbreport.importer.run import read_published

HUAIAN_TXT = Path(__file__).parent / "data" / "published" / "huaian_szf_2024.txt"


def _expected(name: str) -> dict[str, str]:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))["text"]


def test_wrapped_lines_are_joined_and_items_and_sentences_stay_apart():
    lines = ["（一）主动公开情况", "2025 年，本机关主动公开政府信息共 19 条，其中规范", "性文件 1 条；公告公示 5 条。",
             "（二）依申请公开情况", "本年度共收到申请 3 件，均已按期答", "复。", "", "另起一段。"]
    assert paragraphs(lines) == ["（一）主动公开情况", "2025年，本机关主动公开政府信息共19条，其中规范性文件1条；公告公示5条。",
                                 "（二）依申请公开情况", "本年度共收到申请3件，均已按期答复。", "另起一段。"]


def test_a_short_line_is_no_wrapped_line():
    """A heading without a full stop, followed by its paragraph, is not joined to it."""
    assert paragraphs(["概述", "本机关依法公开政府信息，全年未发生因公开引起的行政复议。"]) == [
        "概述", "本机关依法公开政府信息，全年未发生因公开引起的行政复议。"]


def test_spaces_between_chinese_and_digits_go_and_others_stay():
    assert tidy("2025 年 1 月共 3 件，A B 类") == "2025年1月共3件，A B 类"
    assert tidy("苏 州 宿 迁 工 业 园 区 12 件", pdf=True) == "苏州宿迁工业园区12件"


def test_a_txt_of_a_pdf_gives_the_examples_paragraphs():
    """reports/huaian_szf_2024.txt is pypdf's text of the published PDF, 26 characters a line.
    The sentence rule gives 一 and 六 exactly; in 五 the PDF starts a paragraph at 「针对存在问题」
    (its line is indented: one character shorter) where the example keeps one paragraph, and a
    .txt has no indentation to tell a wrapped line that ends a sentence from a paragraph's end."""
    (one,) = read_published(HUAIAN_TXT)
    expected = _expected("huaian_szf_2024")
    assert one.report.text["overview"] == expected["overview"]
    assert one.report.text["other_matters"] == expected["other_matters"]
    got = one.report.text["problems"]
    assert got.replace("\n", "") == expected["problems"]
    assert got.split("\n")[1].startswith("针对存在问题")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paragraphs")
    return {name: pdf_from_docx(rendered(known(name), "docx", folder), folder)
            for name in ("huaian_szf_2024", "suqian_2023")}


#: LibreOffice hangs a line's last punctuation past the margin and leaves it out of the PDF's
#: text (pdftotext lacks it too): compared without these, the paragraphs and the words are checked.
HUNG = str.maketrans("", "", "，。、；：")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["huaian_szf_2024", "suqian_2023"])
def test_a_real_pdf_gives_the_examples_paragraphs(pdfs, name):
    """The PDF LibreOffice prints from the rendered report: paragraphs apart by their indent,
    wrapped lines joined, no spaces around digits or between Chinese characters. A few
    punctuation marks that end a printed line are not in the PDF at all (:data:`HUNG`)."""
    (one,) = read_published(pdfs[name])
    for field, text in _expected(name).items():
        got = one.report.text[field]
        assert got.count("\n") == text.count("\n"), field
        assert got.translate(HUNG) == text.translate(HUNG), field
        lost = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in
                   difflib.SequenceMatcher(None, got, text, autojunk=False).get_opcodes() if op != "equal")
        assert lost <= len(text) // 100 + 1, (field, lost)
        assert " 年" not in got and "年 " not in got
