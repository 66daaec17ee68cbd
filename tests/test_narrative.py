"""The prose generated from the numbers: right figures, names from the schema, nothing guessed."""

from __future__ import annotations

import re
import tomllib
from copy import deepcopy
from decimal import Decimal
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pytest
from xl_helpers import EXAMPLES, ROOT

from xlgbreport.core import narrative
from xlgbreport.core.gb2021 import APPEALS, PROACTIVE, REQUESTS, SCHEMA, TABLES, TEXT_SECTIONS
from xlgbreport.core.model import Invalid, Report
from xlgbreport.files import interchange


def example(name: str) -> Report:
    return interchange.load(EXAMPLES / f"{name}.json")


def zeros() -> Report:
    return Report(org="某镇人民政府", year=2024,
                  cells={k: 0 for k in SCHEMA.keys if not SCHEMA.is_derived(k)})


def test_the_requests_paragraph_gives_the_tables_numbers() -> None:
    report = example("suqian_2024")
    text = narrative.paragraph(report, "requests")
    n = lambda row, col="total": report.number(("requests", row, col))  # noqa: E731
    assert text.startswith("2024年，本机关新收政府信息公开申请3525件")
    for phrase in (f"新收政府信息公开申请{n('1')}件", f"自然人{n('1', 'natural_person')}件",
                   f"上年结转{n('2')}件", f"予以公开{n('3.1')}件", f"部分公开{n('3.2')}件",
                   f"合计办结{n('3.7')}件", f"结转下年度继续办理{n('4')}件",
                   f"属于国家秘密{n('3.3.1')}件"):
        assert phrase in text, phrase
    orgs = sum(n("1", c.id) for c in REQUESTS.rows[0].columns if c.parents)
    assert f"法人或其他组织{orgs}件" in text
    withheld = sum(n(r.id) for r in REQUESTS.rows if r.id.startswith("3.3."))
    assert f"不予公开{withheld}件" in text
    assert "\n" not in text and "3.5.3" not in text


def test_a_group_with_nothing_is_left_out_and_so_is_a_zero_reason() -> None:
    report = example("suqian_2024")
    text = narrative.paragraph(report, "requests")
    assert report.number(("requests", "3.5.3", "total")) == 0
    assert "要求提供公开出版物" not in text  # 0 this year: not listed


def test_names_come_from_the_schema() -> None:
    assert narrative.short(REQUESTS.row("3.2").label) == "部分公开"
    assert narrative.short(REQUESTS.row("3.5.2").label) == "重复申请"
    assert narrative.short("（三）不予公开") == "不予公开"
    text = narrative.paragraph(example("suqian_2023"), "proactive")
    for row in PROACTIVE.rows:
        assert row.label in text
    text = narrative.paragraph(example("suqian_2023"), "appeals")
    for row in APPEALS.rows:
        assert row.label in text


def test_nothing_happened() -> None:
    report = zeros()
    assert narrative.paragraph(report, "requests") == "2024年，本机关未收到政府信息公开申请，也没有上年结转的申请。"
    assert narrative.paragraph(report, "appeals") == "2024年，本机关未发生因政府信息公开引起的行政复议、行政诉讼。"
    assert narrative.paragraph(report, "proactive") == (
        "2024年，未制发、废止规章；未制发、废止行政规范性文件；未作出行政许可、行政处罚、行政强制决定；"
        "未收取行政事业性收费。")
    report.year = None
    assert narrative.paragraph(report, "requests").startswith("本年度，")


def test_zeros_are_said_in_words_and_every_other_number_is_kept() -> None:
    """Issue 18: no 「制发规章0件」, 「行政事业性收费0万元」 or 「行政诉讼0件」; what is not zero stays."""
    report = zeros()
    cells = report.cells
    cells[("proactive", "regulations", "issued")] = cells[("proactive", "regulations", "in_force")] = 2
    cells[("proactive", "penalty", "decisions")] = 3
    cells[("requests", "2", "natural_person")] = cells[("requests", "3.1", "natural_person")] = 2
    cells[("appeals", "review", "upheld")] = 1
    assert narrative.paragraph(report, "proactive") == (
        "2024年，制发规章2件，现行有效2件；未制发、废止行政规范性文件；作出行政处罚决定3件，"
        "未作出行政许可、行政强制决定；未收取行政事业性收费。")
    assert narrative.paragraph(report, "requests") == (
        "2024年，本机关未收到新的政府信息公开申请，上年结转2件。办理结果：予以公开2件，合计办结2件；"
        "没有结转下年度继续办理的申请。")
    assert narrative.paragraph(report, "appeals") == (
        "2024年，因政府信息公开引起行政复议1件（结果维持1件），"
        "未发生行政诉讼（未经复议直接起诉）、行政诉讼（复议后起诉）。")
    cells[("requests", "1", "natural_person")], cells[("requests", "3.1", "natural_person")] = 5, 7
    assert "新收政府信息公开申请5件（均为自然人）" in narrative.paragraph(report, "requests")


@pytest.mark.parametrize("value", [None, Invalid("无"), Invalid(" ")])
def test_a_blank_or_text_cell_gives_no_paragraph_and_no_guessed_zero(value) -> None:
    report = example("suqian_2024")
    report.cells[("requests", "3.5.3", "research")] = value
    text = narrative.paragraph(report, "requests")
    assert text == narrative.INCOMPLETE.format(title=REQUESTS.title, n=1)
    assert not re.search(r"\d+件", text)
    assert narrative.paragraph(report, "appeals").startswith("2024年，因政府信息公开引起行政复议")


def test_a_blank_total_is_incomplete_but_an_absent_one_is_computed() -> None:
    report = zeros()
    report.cells[("appeals", "review", "total")] = None  # the formula deleted, the cell empty
    assert narrative.paragraph(report, "appeals") == narrative.INCOMPLETE.format(
        title=APPEALS.title, n=1)
    del report.cells[("appeals", "review", "total")]
    assert "未发生因政府信息公开引起" in narrative.paragraph(report, "appeals")


def test_errors_are_named_instead_of_prose() -> None:
    report = example("suqian_2024")
    report.cells[("requests", "1", "natural_person")] += 1
    assert narrative.paragraph(report, "requests") == narrative.HAS_ERRORS.format(
        title=REQUESTS.title, n=2)  # the column and the total column no longer balance
    report = zeros()
    report.cells[("proactive", "penalty", "decisions")] = -3
    assert narrative.paragraph(report, "proactive").startswith(f"“{PROACTIVE.title}”有 1 处错误")


def test_fees_are_written_as_given() -> None:
    report = zeros()
    report.cells[("proactive", "admin_fees", "amount")] = Decimal("0.0000")
    assert narrative.paragraph(report, "proactive").endswith("未收取行政事业性收费。")  # 0.0000 is 0
    report.cells[("proactive", "admin_fees", "amount")] = Decimal("96171.6000")
    assert "行政事业性收费96171.6万元" in narrative.paragraph(report, "proactive")
    assert narrative.number(Decimal("1E+2")) == "100"


def test_the_markdown_draft_has_every_section_in_order() -> None:
    report = example("huaian_szf_2024")
    text = narrative.markdown(report)
    assert text.startswith("# 淮安市人民政府2024年政府信息公开工作年度报告\n")
    titles = [f.label for f in TEXT_SECTIONS[:1]] + [t.title for t in TABLES] + \
             [f.label for f in TEXT_SECTIONS[1:]]
    positions = [text.index(f"## {t}\n") for t in titles]
    assert positions == sorted(positions)
    assert report.text["overview"][:30] in text
    for table in TABLES:
        assert narrative.paragraph(report, table.id) in text
    empty = narrative.markdown(Report())
    assert empty.count(narrative.NO_TEXT) == 3 and empty.startswith("# 政府信息公开工作年度报告")


def test_templates_ship_inside_the_package() -> None:
    """One folder, the top-level templates/, installed as the package xlgbreport.templates:
    found through the package (checkout or wheel), every file declared as package data, and
    every package folder listed (the list replaces setuptools' search)."""
    folder = resources.files("xlgbreport.templates")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith((".j2", ".docx")))
    assert names == ["appeals.txt.j2", "compare.docx", "compare.html.j2", "compare.md.j2", "draft.md.j2",
                     "proactive.txt.j2", "report.docx", "report.html.j2", "report.md.j2", "requests.txt.j2"]
    assert Path(str(folder / "report.docx")).resolve() == ROOT / "templates" / "report.docx"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"xlgbreport.templates": "templates"}
    patterns = setuptools["package-data"]["xlgbreport.templates"]
    for name in names:
        assert any(fnmatch(name, p) for p in patterns), name
    folders = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "xlgbreport").rglob("__init__.py")}
    assert set(setuptools["packages"]) == folders | {"xlgbreport.templates"}
    assert not (ROOT / "xlgbreport" / "core" / "templates").exists()  # no second copy
    assert "jinja2" in " ".join(config["project"]["dependencies"]).lower()


def test_last_years_report_adds_the_change_in_new_applications() -> None:
    this, last = example("suqian_2024"), example("suqian_2023")
    text = narrative.paragraph(this, "requests", last)
    assert "新收政府信息公开申请3525件（其中自然人3440件，法人或其他组织85件），较上年增加14件，上年结转121件" in text
    assert narrative.paragraph(this, "requests") == text.replace("，较上年增加14件", "")
    assert "较上年减少14件" in narrative.paragraph(last, "requests", _as_year(this, 2022))
    assert "与上年持平" in narrative.paragraph(this, "requests", _as_year(this, 2023))
    assert "较上年增加14件" in narrative.markdown(this, last)


@pytest.mark.parametrize("year, value", [(2022, 3511), (2023, None), (2023, Invalid("无"))])
def test_no_change_is_given_without_a_usable_last_year(year, value) -> None:
    """Last year not the year before, or its count blank or text: no comparison is guessed."""
    this, last = example("suqian_2024"), _as_year(example("suqian_2023"), year)
    if value != 3511:
        last.cells[("requests", "1", "total")] = value
    assert "较上年" not in narrative.paragraph(this, "requests", last)
    assert "与上年持平" not in narrative.paragraph(this, "requests", last)


def _as_year(report: Report, year: int) -> Report:
    copy = deepcopy(report)
    copy.year = year
    return copy


def test_the_markdown_draft_carries_no_html_from_the_workbook() -> None:
    report = example("suqian_2024")
    report.org = "<img src=x onerror=alert(1)>镇"
    report.text["overview"] = "正文<script>alert(1)</script> & 更多\n\n#### （一）小标题"
    text = narrative.markdown(report)
    assert "<" not in text and ">" not in text
    assert text.startswith("# &lt;img src=x onerror=alert(1)&gt;镇2024年")
    # a clerk's heading is text too: escaped, so it stays a line of the section
    assert "正文&lt;script&gt;alert(1)&lt;/script&gt; &amp; 更多\n\n\\#### （一）小标题" in text


def test_the_markdown_draft_carries_no_link_image_or_heading_from_the_workbook() -> None:
    report = example("suqian_2024")
    report.org = "某镇\n# 假标题\x1b[2J"
    report.text["overview"] = ("见 ![x](http://evil.example/a.png) 和 [点此](http://evil.example)，"
                               "网址 www.evil.example\n# 一级\n=====\n1. 列表\n- 列表\n> 引用")
    text = narrative.markdown(report)
    lines = text.splitlines()
    assert lines[0] == "# 某镇 # 假标题\\\\x1b\\[2J2024年政府信息公开工作年度报告"
    assert [line for line in lines if line.startswith("#")] == [lines[0]] + [
        line for line in lines if line.startswith("## ")]  # only the draft's own headings
    overview = text.split("## 一、总体情况\n\n", 1)[1].split("\n\n## ", 1)[0]
    assert overview.splitlines() == [
        "见 \\!\\[x\\](http\\://evil.example/a.png) 和 \\[点此\\](http\\://evil.example)，网址 www\\.evil.example",
        "\\# 一级", "\\=====", "1\\. 列表", "\\- 列表", "\\&gt; 引用"]
    assert "\x1b" not in text and "](" not in text.replace("\\](", "")
