"""Held-out layouts (issue 17's "Done when"): each example report written the ways county sites and
clerks publish it (:mod:`published_heldout`: a browser's copy of a page, a crawler's dump, the page
with rowspan and colspan, a clerk's Word document with merged cells and the PDF LibreOffice makes of
it, two-space text with 「/」 and 「—」 and 元), retitled as a county bureau's report, imported and
counted: no cell wrong, every cell the report gives right, org and year from the title, the text
of 一, 五 and 六 found. The figures are docs/import.md's held-out table."""

from __future__ import annotations

import re

import published_heldout
import pytest
from published_docs import known

from xlgbreport.core.model import Report
from xlgbreport.importer import readers_pdf, run
from xlgbreport.importer.document import Line
from xlgbreport.importer.normalize import tokens

EXAMPLES = ("huaian_szf_2024", "suqian_2023", "suqian_2024")
FAST = tuple(layout for layout in published_heldout.LAYOUTS if layout != "pdf")


def counted(got: Report, truth: Report) -> tuple[int, int, int]:
    """(wrong, right, blank) over the cells the truth gives: a value it has not (a 0 for one of its
    blanks included) is wrong wherever it is."""
    wrong = right = blank = 0
    for key in truth.format.schema.keys:
        value, expected = got.cells.get(key), truth.cells.get(key, truth.value(key))
        if value is not None and value != expected:
            wrong += 1
        elif expected is not None:
            right, blank = (right + 1, blank) if value == expected else (right, blank + 1)
    return wrong, right, blank


def _check(layout: str, folder) -> None:
    for name in EXAMPLES:
        truth, path = published_heldout.write(known(name).report, layout, folder, name)
        (one,) = run.read_published(path)
        wrong, right, blank = counted(one.report, truth)
        assert wrong == 0, (name, layout)
        schema = truth.format.schema
        missed = [k for k in schema.keys if one.report.cells.get(k) is None and truth.value(k) is not None]
        # a page's row that is empty but its total 「0」: which cell the one number is, is not known
        assert all(schema.is_derived(k) and all(truth.cells.get(p) is None for p in schema.parts(k))
                   for k in missed), (name, layout, missed, [n.message for n in one.notes])
        assert right + blank == sum(1 for k in schema.keys if truth.cells.get(k, truth.value(k)) is not None)
        assert (one.report.org, one.report.year) == (published_heldout.BUREAU, truth.year), (name, layout)
        assert all(one.report.text.get(f.id) for f in truth.format.schema.text), (name, layout)


@pytest.mark.parametrize("layout", FAST)
def test_held_out_layouts_import_every_cell_right(tmp_path, layout):
    _check(layout, tmp_path)


@pytest.mark.slow
def test_a_clerks_word_document_as_libreoffice_prints_it_imports_every_cell_right(tmp_path):
    """Its narrow cells wrap numbers (「30」 over 「9」), its rows break across pages (「2.申」 at
    a page's foot, 「请人逾期未按收费通知…」 at the next one's head)."""
    _check("pdf", tmp_path)


@pytest.mark.parametrize("title", [
    "2023年泗阳县交通运输局政府信息公开工作年度报告", "泗阳县交通运输局关于2023年度政府信息公开工作年度报告",
    "泗阳县交通运输局2023年度政府信息公开年度报告", "泗阳县交通运输局2023年政务公开工作年度报告",
    "泗阳县交通运输局政府信息公开工作2023年度报告", "关于泗阳县交通运输局2023年政府信息公开工作年度报告的公示"])
@pytest.mark.parametrize("crawler", [False, True])
def test_title_variants_give_org_and_year(tmp_path, title, crawler):
    """Titles county sites use: 关于 before the org or the year, 的公示 after, other subjects, the
    year inside 「政府信息公开工作2023年度报告」; as a title line and as a crawler's 标题: line."""
    report = published_heldout.retitled(known("suqian_2023").report)
    text = published_heldout.copy_all(report, "\t", crawler)
    path = tmp_path / "t.txt"
    path.write_text(text.replace(published_heldout.title(report), title, 1), encoding="utf-8")
    (one,) = run.read_published(path)
    assert (one.report.org, one.report.year) == (published_heldout.BUREAU, 2023)


def test_a_number_wrapped_in_a_narrow_pdf_cell_is_one_value():
    assert readers_pdf._cell_text("30\n9") == "309"
    assert readers_pdf._cell_text("30 9") == "30 9"  # two values on one line stay two
    assert readers_pdf._cell_text("本机关\n不掌握") == "本机关 不掌握"


def test_a_pdf_row_broken_across_pages_is_one_line():
    lines = [Line(1, ("（五 ）不", "1.信 访举", "56", "6", "0")), Line(2, ("- 4 -",))]
    assert readers_pdf._continue_row(lines, ("", "予处 理", "报投 诉类 申请", "", ""))
    assert lines[0].cells[:2] == ("（五 ）不 予处 理", "1.信 访举 报投 诉类 申请")
    assert not readers_pdf._continue_row(lines, ("", "3.要求提供公开出版物", "0", ""))  # a row of its own
    assert not readers_pdf._continue_row(lines, ("信息内容", "本年制发件数", ""))  # a header repeated


def test_marks_around_a_digit_in_a_row_of_cells_are_marks_not_a_page_number():
    """「91 | 3 | — | — | 2 | — | 96」: 「— 2 —」 is no page number when 96 follows; at a row's end
    (「769 | - 5 -」 split into cells) it still is."""
    got = tokens(("二、上年结转政府信息公开申请数量", "91", "3", "—", "—", "2", "—", "96"), 1)
    assert [t.raw for t in got if t.is_value] == ["91", "3", "—", "—", "2", "—", "96"]
    assert all(t.blank for t in got if t.raw == "—")
    end = tokens(("769", "-", "5", "-"), 1)
    assert not any(t.blank for t in end)


def test_thousands_set_apart_by_commas_are_one_value_and_never_cut():
    """「1,808,595」 as web pages print it is 1808595; a run with commas is never split into cells;
    「12,34」 (not groups of three) and 「1，808」 (a list in full-width commas) are no numbers."""
    got = tokens(("行政许可", "1,808,595", "1573179"), 1)
    assert [t.number for t in got if t.number is not None] == [1808595, 1573179]
    assert not got[1].digits.isdigit()  # digits.candidates cuts only plain digit runs
    assert [t.number for t in tokens(("规章", "12,34"), 1)] == [None, None]
    assert [t.number for t in tokens(("规章", "1，808"), 1)] == [None, None]


@pytest.mark.parametrize("layout", ["copy_tab", "html_gov", "two_spaces"])
def test_a_page_printing_thousands_with_commas_imports_every_cell_right(tmp_path, layout):
    """Every number of four digits or more printed 「1,808,595」: still no cell wrong, all right."""
    for name in EXAMPLES:
        truth, path = published_heldout.write(known(name).report, layout, tmp_path, name)
        text = re.sub(r"(?<![\d.,])(\d{4,})(?![\d.])", lambda m: f"{int(m[1]):,}",
                      path.read_text(encoding="utf-8"))
        assert "," in text
        path.write_text(text, encoding="utf-8")
        (one,) = run.read_published(path)
        wrong, right, blank = counted(one.report, truth)
        assert (wrong, blank) == (0, 0), (name, layout, wrong, blank)


def test_a_table_heading_run_into_its_first_row_is_cut_off(tmp_path):
    """A crawler joins each heading to the line after it: 「二、主动公开政府信息情况 第二十条第（一）项」,
    「四、政府信息公开行政复议、行政诉讼情况 行政复议⇥行政诉讼」 (table 四's header): every cell read."""
    report = published_heldout.retitled(known("suqian_2023").report)
    text = published_heldout.copy_all(report, "\t")
    for table in report.format.schema.tables:
        text = text.replace(f"{table.title}\n", f"{table.title} ", 1)
    path = tmp_path / "joined.txt"
    path.write_text(text, encoding="utf-8")
    (one,) = run.read_published(path)
    assert counted(one.report, report) == (0, len(report.format.schema.keys), 0), [n.message for n in one.notes]
