"""The importer's parser on real published reports and on reports written from known tables:
every cell it places is right; what it cannot place is blank and said; digit runs are split only
when one reading balances, and the equation that decided is named."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from published_layouts import LAYOUTS, document, text_document
from strategies import balanced_reports
from xl_helpers import EXAMPLES

from xlgbreport.core.formats import GB2019, GB2021
from xlgbreport.core.model import Report
from xlgbreport.core.rules import check
from xlgbreport.files import interchange
from xlgbreport.importer.document import Document, Line
from xlgbreport.importer.parse import parse

PUBLISHED = Path(__file__).parent / "data" / "published"


def accuracy(got: Report, expected: Report) -> tuple[int, list, list]:
    """Cells right, and the wrong and blank ones, over the expected report's format."""
    right, wrong, blank = 0, [], []
    for key in expected.format.schema.keys:
        value, truth = got.cells.get(key), expected.value(key)
        if value is None:
            blank.append(key)
        elif value == truth and type(value) is type(truth) or value == truth:
            right += 1
        else:
            wrong.append((key, truth, value))
    return right, wrong, blank


def rules_of(imported) -> set[str]:
    return {n.rule for n in imported.notes}


@pytest.mark.parametrize(("source", "examples"), [
    ("huaian_szf_2024.txt", ["huaian_szf_2024"]),
    ("suqian_2023_2024_compare.txt", ["suqian_2023", "suqian_2024"]),
])
def test_city_reports_give_exactly_their_tables(source, examples):
    imported = parse(text_document(PUBLISHED / source, "pdf"))
    assert [i.report.year for i in imported] == [interchange.load(EXAMPLES / f"{e}.json").year
                                                 for e in examples]
    for one, name in zip(imported, examples, strict=True):
        expected = interchange.load(EXAMPLES / f"{name}.json")
        right, wrong, blank = accuracy(one.report, expected)
        assert (right, wrong, blank) == (len(GB2021.schema.keys), [], [])
        assert one.report.format is GB2021
        assert not [n for n in one.notes if n.rule != "import.compared"]


def test_huaian_org_text_and_places():
    (one,) = parse(text_document(PUBLISHED / "huaian_szf_2024.txt", "pdf"))
    report = one.report
    assert report.org == "淮安市人民政府"
    assert report.text["other_matters"].startswith("2024年，市政府严格落实")
    assert "3940元" in report.text["other_matters"]
    # a cell's place is the line the value stands on
    loc = report.location(("requests", "1", "total"))
    assert loc.line is not None
    line = (PUBLISHED / "huaian_szf_2024.txt").read_text(encoding="utf-8").splitlines()[loc.line - 1]
    assert line.startswith("一、本年新收政府信息公开申请数量") and line.endswith("3119")
    assert [f.rule for f in check(report) if f.severity == "error"] == []


def test_comparison_document_is_two_reports_without_text():
    first, second = parse(text_document(PUBLISHED / "suqian_2023_2024_compare.txt", "pdf"))
    assert (first.report.year, second.report.year) == (2023, 2024)
    assert "import.compared" in rules_of(first)
    assert first.report.text["overview"] is None  # two years' text interleaved: not taken


def _zeros_except(fmt, **given) -> Report:
    cells = {k: 0 for k in fmt.schema.keys}
    for name, value in given.items():
        table, row, column = name.split("__")
        cells[(table, row.replace("_", "."), column)] = value
    return Report(cells=cells, format=fmt)


def test_seed_000_missing_rows_are_blank_and_reported():
    (one,) = parse(text_document(PUBLISHED / "000_55d5c156145a1778.txt"))
    report = one.report
    assert (report.org, report.year, report.format) == ("金乡县胡集镇人民政府", 2022, GB2021)
    missing = {(n.table, n.row) for n in one.notes if n.rule == "import.row_missing"}
    assert ("proactive", "coercion") in missing and ("proactive", "admin_fees") in missing
    assert {("requests", r) for r in ("1", "2", "3.1", "3.2", "3.3.6")} <= missing
    assert ("requests", "3.3.7") not in missing
    assert "import.table_missing" in rules_of(one)  # table 四 has its header and no data row
    for key in [("proactive", "coercion", "decisions"), ("requests", "1", "total"),
                ("appeals", "review", "upheld")]:
        assert key not in report.cells  # blank, never 0
    right, wrong, blank = accuracy(report, _zeros_except(GB2021))
    assert wrong == [] and right == len(GB2021.schema.keys) - len(blank)
    assert right == one.found == 2 * 3 + 2 + 15 * 7  # 二's four rows, 三's 15 from （三）7 down
    found = check(report)
    assert "text.year" in {f.rule for f in found}  # 六 says 2021年度 in a 2022 report
    assert sum(f.rule == "value.blank" for f in found) > 0


def test_seed_001_markdown_variants_and_extra_cells():
    (one,) = parse(text_document(PUBLISHED / "001_f343fc82610760f0.txt", "md"))
    assert (one.report.org, one.report.year) == ("会盟镇人民政府", 2021)
    right, wrong, blank = accuracy(one.report, _zeros_except(GB2021))
    assert (wrong, blank) == ([], [])
    assert {d.how for d in one.deduced} == {"extra"}  # （七）'s extra cell, said
    assert any("（七）总计" in d.message for d in one.deduced)
    assert one.report.text["other_matters"] == "2021年度内没有其他需要报告的事项。"


def test_seed_002_one_value_per_line():
    (one,) = parse(text_document(PUBLISHED / "002_4f580d778f793ab4.txt"))
    right, wrong, blank = accuracy(one.report, _zeros_except(GB2021, proactive__penalty__decisions=3))
    assert (right, wrong, blank) == (len(GB2021.schema.keys), [], [])
    assert one.notes == ()


def test_seed_004_is_the_2019_trial_format():
    (one,) = parse(text_document(PUBLISHED / "004_1eb3b7e7b76f4da9.txt"))
    assert one.report.format is GB2019
    assert "本年新制作数量" in one.format_evidence
    expected = _zeros_except(GB2019, proactive__procurement__projects=2,
                             proactive__procurement__amount=Decimal("42.856"))
    right, wrong, blank = accuracy(one.report, expected)
    assert (right, wrong, blank) == (len(GB2019.schema.keys), [], [])
    assert one.report.cells[("requests", "3.6", "total")] == 0  # 2019's single （六） row
    assert one.report.text["other_matters"] == "无"  # the 落款 (金殿镇人民政府, 2021年1月28日) is not 六's


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(LAYOUTS).flatmap(
    lambda layout: st.tuples(balanced_reports(big=False if layout == "runs" else None), st.just(layout))))
def test_known_tables_in_every_layout_never_a_wrong_cell(case):
    report, layout = case
    assume(report.year < 2100)  # a title's year is 19xx or 20xx (parse._TITLE)
    (one,) = parse(document(report, layout))
    right, wrong, blank = accuracy(one.report, report)
    assert wrong == []
    if layout != "runs":
        assert blank == [] and one.report.year == report.year and one.report.org == report.org
    else:  # a run is split or left blank and said, row by row
        said = {(n.table, n.row if n.table != "appeals" else None) for n in one.notes
                if n.rule in ("import.ambiguous", "import.no_split")}
        for table, row, _ in blank:
            assert (table, row if table != "appeals" else None) in said


def _row_document(rows: list[tuple[str, str]]) -> Document:
    """Table 三 alone, its header and the given (label, values) rows."""
    lines = [["三、收到和处理政府信息公开申请情况"],
             ["申请人情况", "自然人", "法人或其他组织", "总计"],
             ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]]
    lines += [[label, *values.split()] for label, values in rows]
    return Document("made.txt", "txt", tuple(Line(i + 1, tuple(c)) for i, c in enumerate(lines)))


def test_an_unambiguous_run_is_split_and_its_equation_named():
    (one,) = parse(_row_document([("一、本年新收政府信息公开申请数量", "801000081")]))
    (deduced,) = one.deduced
    assert deduced.values == (80, 1, 0, 0, 0, 0, 81)
    assert deduced.rules == ("requests.row_total",)
    assert "801000081" in deduced.message and "requests.row_total" in deduced.message
    assert one.report.cells[("requests", "1", "natural_person")] == 80


def test_an_ambiguous_run_is_left_blank_and_named():
    # 101000011 is 10|1|0|0|0|0|11 or 1|0|10|0|0|0|11: both balance the row
    (one,) = parse(_row_document([("一、本年新收政府信息公开申请数量", "101000011")]))
    assert one.deduced == ()
    (note,) = [n for n in one.notes if n.rule == "import.ambiguous"]
    assert "101000011" in note.message and "2 种" in note.message
    assert ("requests", "1", "natural_person") not in one.report.cells


def test_the_table_equations_decide_a_run_the_row_cannot():
    rows = [("一、本年新收政府信息公开申请数量", "101000011"),
            ("二、上年结转政府信息公开申请数量", "0 0 0 0 0 0 0")]
    labels = ["（一）予以公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]
    rows += [(labels[0], "10 1 0 0 0 0 11"), (labels[1], "0 0 0 0 0 0 0")]
    rows += [(f"{n}.{w}", "0 0 0 0 0 0 0") for n, w in enumerate(
        ["属于国家秘密", "其他法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
         "属于三类内部事务信息", "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项"], 1)]
    rows += [(f"{n}.{w}", "0 0 0 0 0 0 0") for n, w in enumerate(
        ["本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确"], 1)]
    rows += [(f"{n}.{w}", "0 0 0 0 0 0 0") for n, w in enumerate(
        ["信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
         "要求行政机关确认或重新出具已获取信息"], 1)]
    rows += [("（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "0 0 0 0 0 0 0"),
             ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "0 0 0 0 0 0 0"),
             ("3.其他", "0 0 0 0 0 0 0"), ("（七）总计", "10 1 0 0 0 0 11"),
             ("四、结转下年度继续办理", "0 0 0 0 0 0 0")]
    (one,) = parse(_row_document(rows))
    (deduced,) = one.deduced
    assert deduced.values == (10, 1, 0, 0, 0, 0, 11)
    assert "requests.balance" in deduced.rules
    assert not [n for n in one.notes if n.table == "requests" and n.rule != "import.row_missing"]


def test_a_run_with_too_many_readings_is_left_blank():
    run = "3001530061431193400000034"  # huaian's rows 一 and 二, run together: 14 cells in 25 digits
    (one,) = parse(_row_document([("一、本年新收政府信息公开申请数量", run)]))
    (note,) = [n for n in one.notes if n.rule in ("import.ambiguous", "import.no_split")]
    assert note.row == "1" and run in note.message
    assert not [n for n in one.notes if n.rule == "import.row_missing" and n.row == "1"]  # said once
    assert not one.report.cells
