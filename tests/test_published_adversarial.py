"""Inputs a review built to make the importer guess: each must leave the cell blank and say
so, or place the right value; none may place a wrong one, crash, or lose the tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from published_layouts import text_document

from xlgbreport.core.formats import GB2021
from xlgbreport.core.tables import TableId
from xlgbreport.importer import run
from xlgbreport.importer.document import Document, Line
from xlgbreport.importer.labels import requests_row
from xlgbreport.importer.normalize import fold
from xlgbreport.importer.parse import parse

PUBLISHED = Path(__file__).parent / "data" / "published"
REQUESTS = GB2021.schema.table(TableId.REQUESTS)
TITLE = [["某镇人民政府2022年政府信息公开工作年度报告"], ["一、总体情况"], ["本年度依法公开。"]]
PRO = [["二、主动公开政府信息情况"], ["第二十条第（一）项"],
       ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]]


def doc(rows: list[list[str]]) -> Document:
    return Document("made.txt", "txt", tuple(Line(i + 1, tuple(c)) for i, c in enumerate(rows)))


def only(rows: list[list[str]]):
    (one,) = parse(doc(rows))
    return one


def test_a_unit_that_is_not_the_cell_s_places_nothing():
    one = only(TITLE + [["二、主动公开政府信息情况"], ["第二十条第（八）项"],
                        ["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费", "3940元"],
                        ["第二十条第（五）项"], ["信息内容", "本年处理决定数量"], ["行政许可", "2万元"]])
    # 3940元 is not 3940 万元: it is 0.394 万元, converted exactly and said (issue 17, item 6)
    assert str(one.report.cells[("proactive", "admin_fees", "amount")]) == "0.394"
    assert sum(n.rule == "import.converted" for n in one.notes) == 1
    assert ("proactive", "licensing", "decisions") not in one.report.cells
    assert sum(n.rule == "import.unplaced" for n in one.notes) == 1
    fine = only(TITLE + [["二、主动公开政府信息情况"], ["行政事业性收费", "42.856万元"]])
    assert str(fine.report.cells[("proactive", "admin_fees", "amount")]) == "42.856"


def test_a_blank_cell_in_table_two_is_no_digit_run():
    one = only(TITLE + PRO + [["规章", "12", "", "5"], ["行政规范性文件", "105", ""]])
    cells = one.report.cells
    # a blank between two values is that cell, left blank (and reported by value.blank)
    assert [cells[("proactive", "regulations", c)] for c in ("issued", "repealed", "in_force")] == [12, None, 5]
    # one empty cell after the last value: the row has two cells of three, which is unknown
    assert not [k for k in cells if k[1] == "normative_documents"]
    assert {n.row for n in one.notes if n.rule == "import.unplaced"} == {"normative_documents"}
    # as many empty cells after it as the row's width leaves (a browser's copy of a page): cells
    copied = only(TITLE + PRO + [["行政规范性文件", "105", "", ""]]).report.cells
    assert [copied[("proactive", "normative_documents", c)] for c in ("issued", "repealed", "in_force")] \
        == [105, None, None]
    one = only(TITLE + PRO + [["规章", "12 5"]])  # lost separators, no total to cut by
    assert not [k for k in one.report.cells if k[1] == "regulations"]


def test_a_blank_cell_in_table_three_is_blank():
    rows = [["三、收到和处理政府信息公开申请情况"], ["申请人情况", "自然人", "法人或其他组织", "总计"],
            ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
            ["一、本年新收政府信息公开申请数量", "12", "", "0", "0", "0", "0", "12"]]
    one = only(TITLE + rows)
    assert one.report.cells[("requests", "1", "commercial")] is None
    assert one.report.cells[("requests", "1", "total")] == 12 and one.found == 6


def test_table_four_s_columns_must_be_in_the_format_s_order():
    header = [["四、政府信息公开行政复议、行政诉讼情况"], ["行政复议", "行政诉讼"],
              ["总计", "结果维持", "结果纠正", "其他结果", "尚未审结", "未经复议直接起诉", "复议后起诉"],
              ["总计", "结果维持", "结果纠正", "其他结果", "尚未审结"] * 2]
    one = only(TITLE + header + [["2", "1", "1", "0", "0"] + ["0"] * 10])
    assert not [k for k in one.report.cells if k[0] == "appeals"]
    assert any(n.rule == "import.unplaced" and "表头" in n.message for n in one.notes)


def test_a_comparison_document_missing_one_year_s_table_four_gives_it_to_neither():
    rows = [["某市 政务公开年报比对"], ["年份 : 2023 vs 2024"], ["一、总体情况"], ["略"],
            ["四、政府信息公开行政复议、行政诉讼情况"], ["行政复议 行政诉讼"],
            ["结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉"],
            ["结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计"],
            ["3 0 0 0 3 0 0 0 0 0 0 0 0 0 0"]]
    for one in parse(doc(rows)):
        assert not [k for k in one.report.cells if k[0] == "appeals"]
        assert any("每年 15 个" in n.message for n in one.notes)


@pytest.mark.parametrize(("group", "label"), [
    ("（六）其他处理", "1.逾期未缴纳费用"), ("（六）其他处理", "2.逾期不补正"),
    ("（五）不予处理", "1.重复申请"), ("（五）不予处理", "3.申请"), ("（四）无法提供", "3.其他"),
    ("（三）不予公开", "1.公开"), ("", "（一）部分公开"), ("", "（二）不予公开"),
])
def test_a_label_another_row_s_or_in_another_group_places_nothing(group, label):
    assert requests_row(fold(group + label), REQUESTS, "").row is None


@pytest.mark.parametrize(("text", "group", "row_id"), [
    ("（六）其他处理1.逾期不补正", "", "3.6.1"), ("2.逾期不缴费", fold("（六）其他处理"), "3.6.2"),
    ("3.其他", fold("（六）其他处理"), "3.6.3"), ("（二）部分公开", "", "3.2"),
    ("2.其他法律法规禁止公开", fold("（三）不予公开"), "3.3.2"),
    ("（三）不予公开1.属于国家秘密", "", "3.3.1"), ("四、结转下年度继续办理", "", "4"),
])
def test_labels_as_real_reports_shorten_them_still_place(text, group, row_id):
    assert requests_row(fold(text), REQUESTS, group).row.id == row_id


def test_numbers_in_a_sentence_are_prose():
    one = only(TITLE + PRO[:1] + [["本年度共办理行政处罚 5 起，行政强制 2 宗。"],
                                  ["第二十条第（六）项"], ["信息内容", "本年处理决定数量"],
                                  ["行政处罚", "7"]])
    assert one.report.cells[("proactive", "penalty", "decisions")] == 7
    assert ("proactive", "coercion", "decisions") not in one.report.cells
    assert not [n for n in one.notes if n.rule in ("import.repeated", "import.unplaced")]


def test_without_table_three_s_heading_its_header_is_still_checked():
    rows = TITLE + PRO + [["规章", "0", "0", "0"],
                          ["自然人", "商业企业", "科研机构", "律师事务所", "其他", "总计"],
                          ["7.属于行政执法案卷", "0", "0", "0", "0", "0", "0", "0"]]
    one = only(rows)
    assert not [k for k in one.report.cells if k[0] == "requests"]
    assert any("表头" in n.message for n in one.notes)


def test_no_heading_at_all_is_no_crash():
    for rows in ([], [["某镇人民政府2022年政府信息公开工作年度报告"], ["没有任何标题的一段话。"]]):
        (one,) = parse(doc(rows))
        assert one.report.cells == {}
        assert {n.rule for n in one.notes} >= {"import.table_missing"}


def test_a_huge_number_costs_only_its_file(tmp_path):
    folder = tmp_path / "批"
    folder.mkdir()
    (folder / "巨数.txt").write_text("\n".join(["某镇人民政府2022年政府信息公开工作年度报告",
                                                "三、收到和处理政府信息公开申请情况",
                                                "一、本年新收政府信息公开申请数量\t" + "1" * 5000]),
                                     encoding="utf-8")
    (folder / "好.txt").write_text((PUBLISHED / "002_4f580d778f793ab4.txt").read_text(encoding="utf-8"),
                                   encoding="utf-8")
    batch = run.run([folder], tmp_path / "出", to="json")
    # refused before parsing (issue 21: a run past 1,000 digits), in one line; the batch goes on
    assert [o.error_code for o in batch.files] == [None, "import.digits_too_long"]
    good = next(o for o in batch.files if Path(o.path).name == "好.txt")
    assert Path(good.output).exists()


def test_a_table_of_contents_or_a_sentence_naming_a_section_is_no_heading():
    lines = (PUBLISHED / "huaian_szf_2024.txt").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("一、总体情况"))
    contents = ["目录", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    edited = lines[:at] + contents + lines[at:at + 2] + ["主动公开政府信息情况良好，全年公开信息 12 条。",
                                                        "其他需要报告的事项较少。"] + lines[at + 2:]
    path = tmp = PUBLISHED.parent / "_toc.txt"
    try:
        tmp.write_text("\n".join(edited), encoding="utf-8")
        (one,) = parse(text_document(path, "pdf"))
    finally:
        tmp.unlink()
    assert one.found == len(GB2021.schema.keys)
    assert one.report.text["other_matters"].startswith("2024年，市政府严格落实")


@pytest.mark.parametrize(("title", "org", "year"), [
    (["按照要求，现将本镇2022年度政府信息公开工作年度报告公布如下。"], None, None),
    (["2022年度金乡县胡集镇人民政府政府信息公开工作年度报告"], "金乡县胡集镇人民政府", 2022),
    (["胡集镇人民政府", "2022年政府信息公开工作年度报告"], "胡集镇人民政府", 2022),
])
def test_the_org_and_year_come_from_the_title_only(title, org, year):
    one = only([[t] for t in title] + [["一、总体情况"], ["略"]])
    assert (one.report.org, one.report.year) == (org, year)
