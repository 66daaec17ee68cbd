"""One cell's reading (issue 17, item 6): 元 in a 万元 cell converted exactly and noted; 「/」,
「—」, 「-」, 「无」, 「不适用」 blank and noted, never 0; 「3件」 is 3."""

from __future__ import annotations

from decimal import Decimal

import pytest
from published_layouts import document, lines_of
from xl_helpers import EXAMPLES

from xlgbreport.core.formats import GB2021
from xlgbreport.files import interchange
from xlgbreport.importer.cells import cell_value
from xlgbreport.importer.document import Document, Line
from xlgbreport.importer.normalize import Token, tokens
from xlgbreport.importer.parse import parse

FEES = ("proactive", "admin_fees", "amount")
REGULATIONS = ("proactive", "regulations")
LICENSING = ("proactive", "licensing")


def _token(word: str) -> Token:
    (token,) = tokens((word,), 1)
    return token


@pytest.mark.parametrize(("word", "kind", "number", "note"), [
    ("318000元", "amount", Decimal("31.8"), "converted"),
    ("3000000元", "amount", Decimal(300), "converted"),
    ("1元", "amount", Decimal("0.0001"), "converted"),
    ("31.8万元", "amount", Decimal("31.8"), ""),
    ("3件", "count", Decimal(3), ""),
    ("12", "count", Decimal(12), ""),
])
def test_a_number_is_read_in_its_cells_unit(word, kind, number, note):
    read = cell_value(_token(word), kind)
    assert read is not None and read.token.number == number and read.note == note


@pytest.mark.parametrize(("word", "kind"), [("3940元", "count"), ("3件", "amount"), ("7万元", "count")])
def test_a_unit_that_is_not_the_cells_refuses_it(word, kind):
    assert cell_value(_token(word), kind) is None


def _with_row(lines: list[list[str]], label: str, cells: list[str]) -> Document:
    out = []
    for i, line in enumerate(lines):
        if line and line[0] == label:
            line = [label, *cells]
        out.append(Line(i + 1, tuple(line)))
    return Document("made.txt", "txt", tuple(out))


def _report():
    return interchange.load(EXAMPLES / "huaian_szf_2024.json")


def _label(row: str) -> str:
    return GB2021.schema.table("proactive").row(row).label


def test_yuan_in_the_amount_cell_is_converted_exactly_and_noted():
    report = _report()
    (got,) = parse(_with_row(lines_of(report, "rows"), _label("admin_fees"), ["318000元"]))
    assert got.report.cells[FEES] == Decimal("31.8")
    note = next(n for n in got.notes if n.rule == "import.converted")
    assert "318000元" in note.message and "31.8 万元" in note.message


@pytest.mark.parametrize("mark", ["/", "—", "-", "无", "不适用"])
def test_a_not_applicable_mark_is_blank_and_noted_never_zero(mark):
    report = _report()
    (got,) = parse(_with_row(lines_of(report, "rows"), _label("regulations"), [mark, mark, "5"]))
    assert got.report.cells.get((*REGULATIONS, "issued")) is None
    assert got.report.cells.get((*REGULATIONS, "repealed")) is None
    assert got.report.cells[(*REGULATIONS, "in_force")] == 5
    note = next(n for n in got.notes if n.rule == "import.not_applicable")
    assert mark in note.message and "不记为 0" in note.message
    (spaced,) = parse(_with_row(lines_of(report, "rows"), _label("regulations"), [f"{mark} {mark} 5"]))
    assert spaced.report.cells.get((*REGULATIONS, "issued")) is None
    assert spaced.report.cells[(*REGULATIONS, "in_force")] == 5


def test_a_count_written_with_its_measure_word_is_the_count():
    report = _report()
    (got,) = parse(_with_row(lines_of(report, "rows"), _label("licensing"), ["3件"]))
    assert got.report.cells[(*LICENSING, "decisions")] == 3
    assert not [n for n in got.notes if n.rule in ("import.converted", "import.not_applicable")]


def test_a_dash_inside_a_sentence_is_no_cell():
    assert [t.is_value for t in tokens(("本机关 - 依法办理",), 1)] == [False, False, False]


def test_the_known_layouts_still_come_back_whole():
    report = _report()
    (got,) = parse(document(report, "rows"))
    given = {k: v for k, v in report.cells.items() if v is not None}
    assert given and all(got.report.cells.get(k) == v for k, v in given.items())
    assert not [n for n in got.notes if n.rule in ("import.converted", "import.not_applicable")]


def test_the_issues_procurement_row_keeps_its_count_and_converts_its_amount():
    """「政府集中采购 | 7 | 318000元」 in a 2019 report: the count 7 and 31.8 万元, said."""
    rows = [["某镇人民政府2020年政府信息公开工作年度报告"], ["一、总体情况"], ["本年度依法公开。"],
            ["二、主动公开政府信息情况"], ["第二十条第（一）项"],
            ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "0", "0", "0"],
            ["第二十条第（九）项"], ["信息内容", "采购项目数量", "采购总金额"], ["政府集中采购", "7", "318000元"]]
    (got,) = parse(Document("made.txt", "txt", tuple(Line(i + 1, tuple(c)) for i, c in enumerate(rows))))
    assert got.report.format.id == "gb2019"
    assert got.report.cells[("proactive", "procurement", "projects")] == 7
    assert got.report.cells[("proactive", "procurement", "amount")] == Decimal("31.8")
    assert "import.converted" in {n.rule for n in got.notes}


def test_a_page_number_run_into_the_text_is_no_mark():
    """「769 - 5 - 2.」: a PDF's page footer joined into the line, not two not-applicable cells."""
    got = tokens(("本机关不掌握相关政府信息 746 12 0 769 - 5 - 2.没有现成信息",), 1)
    assert not [t for t in got if t.blank]
    cells = tokens(("本机关不掌握相关政府信息", "746", "769", "-", "5", "-", "2.没有现成信息"), 1)
    assert not [t for t in cells if t.blank]
