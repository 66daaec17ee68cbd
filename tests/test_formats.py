"""Formats are values: the 2019 trial format is described as data and checked by its own rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from xl_helpers import ROOT

import xlgbreport
from xlgbreport.core import gb2019, rules
from xlgbreport.core.formats import FORMATS, GB2019, GB2021
from xlgbreport.core.model import Report
from xlgbreport.core.tables import Role, TableId
from xlgbreport.workbook.layout import layout_for

REQ = TableId.REQUESTS


def balanced_2019() -> Report:
    """A 2019-format report whose tables balance: 5 new + 1 carried = 4 handled + 2 next."""
    text = {"overview": "总体情况。", "problems": "存在的问题。", "other_matters": "其他事项。"}
    report = Report(org="金殿镇人民政府", year=2020, format=GB2019, text=text)
    schema = GB2019.schema
    for key in schema.keys:
        if not schema.is_derived(key):
            report.cells[key] = 0
    for row, col, n in (("1", "natural_person", 5), ("2", "natural_person", 1),
                        ("3.1", "natural_person", 2), ("3.6", "natural_person", 2),
                        ("4", "natural_person", 2)):
        report.cells[(REQ, row, col)] = n
    report.cells[("proactive", "licensing", "change")] = -3  # 本年增/减 may be negative
    report.cells[("proactive", "procurement", "amount")] = Decimal("42.856")
    report.cells[("appeals", "review", "upheld")] = 1
    return report


def test_the_2019_tables_as_the_trial_format_has_them() -> None:
    schema = GB2019.schema
    assert schema.id == "gb2019" and "2019" in schema.source and FORMATS["gb2019"] is GB2019
    proactive = schema.table(TableId.PROACTIVE)
    assert [r.label for r in proactive.rows] == [
        "规章", "规范性文件", "行政许可", "其他对外管理服务事项", "行政处罚", "行政强制",
        "行政事业性收费", "政府集中采购"]
    assert [c.label for c in proactive.row("regulations").columns] == [
        "本年新制作数量", "本年新公开数量", "对外公开总数量"]
    assert [c.label for c in proactive.row("admin_fees").columns] == ["上一年项目数量", "本年增/减"]
    requests = schema.table(REQ)
    other = [r for r in requests.rows if "（六）其他处理" in (r.label, *r.parents)]
    assert [r.id for r in other] == ["3.6"]  # one row, where 2021 has three
    assert len(requests.with_role(Role.RESULT)) == 19
    assert len(GB2021.schema.table(REQ).with_role(Role.RESULT)) == 21
    assert schema.table(TableId.APPEALS) is GB2021.schema.table(TableId.APPEALS)
    assert layout_for(GB2019) is None and layout_for(GB2021) is not None  # no 2019 template


def test_a_balanced_2019_report_passes_its_rules() -> None:
    report = balanced_2019()
    assert rules.check(report) == []
    assert report.value((REQ, "3.7", "total")) == 4
    assert report.value(("appeals", "review", "total")) == 1


def test_the_2019_rules_find_what_breaks_its_tables() -> None:
    report = balanced_2019()
    report.cells[(REQ, "3.6", "natural_person")] = 3  # one more handled than came in
    report.cells[("proactive", "licensing", "prior_items")] = -1  # a count cannot be negative
    report.cells[("appeals", "review", "total")] = 2  # a given total that does not add up
    found = {(f.rule, f.row, f.column) for f in rules.check(report)}
    assert found == {
        ("requests.balance", "1", "natural_person"),
        ("requests.balance", "1", "total"),
        ("value.invalid", "licensing", "prior_items"),
        ("appeals.group_total", "review", "total"),
    }
    message = next(f.message for f in rules.check(report) if f.rule == "value.invalid")
    assert message == "行政许可·上一年项目数量不能为负数：-1"


def test_rules_are_selected_per_format() -> None:
    ids_2021 = {r.id for r in rules.for_format(GB2021)}
    ids_2019 = {r.id for r in rules.for_format(GB2019)}
    # 2019 has no 现行有效件数; the text's numbers and 一's length are read in 2021's terms
    assert ids_2021 - ids_2019 == {"prior.in_force", "text.number", "text.length"}
    assert {"requests.balance", "requests.row_total", "requests.results_total",
            "appeals.group_total", "prior.carry_over"} <= ids_2019
    last = balanced_2019()
    this = balanced_2019()
    this.year = 2021
    this.cells[(REQ, "2", "natural_person")] = 9  # 二 must be last year's 四 (2)
    hits = [f for f in rules.check(this, last) if f.rule == "prior.carry_over"]
    assert [(f.row, f.column, f.expected, f.actual) for f in hits] == [("2", "natural_person", 2, 9)]


@pytest.mark.parametrize("fmt", [GB2021, GB2019], ids=lambda f: f.id)
def test_totals_computed_once_equal_totals_computed_on_demand(fmt) -> None:
    """Report.computed (what the rules read) and Report.value agree on every cell."""
    report = Report(format=fmt)
    for i, key in enumerate(fmt.schema.keys):
        if not fmt.schema.is_derived(key) and i % 7:
            report.cells[key] = i
    view = report.computed()
    assert all(view.value(k) == report.value(k) for k in fmt.schema.keys)
    assert any(view.value(k) is None for k in fmt.schema.derived_keys)  # a blank part: no total
    assert any(view.value(k) is not None for k in fmt.schema.derived_keys)


def test_row_ids_for_the_rules_come_from_roles() -> None:
    """The rows the rules and prose need are found by role in each format, not typed again."""
    for fmt in (GB2021, GB2019):
        table = fmt.schema.table(REQ)
        assert [table.role(r).id for r in (Role.NEW, Role.CARRIED_OVER, Role.RESULTS_TOTAL,
                                           Role.CARRIED_FORWARD)] == ["1", "2", "3.7", "4"]
    assert gb2019.REQUESTS.role(Role.RESULTS_TOTAL).derived


def test_one_location_type_for_cells_and_lines() -> None:
    """A finding names a workbook cell, or the line of a text source, through one type."""
    from xlgbreport.core.location import Location

    assert Location.parse("依申请公开!D5") == Location(sheet="依申请公开", cell="D5")
    assert Location.parse("a!b!C3") == Location(sheet="a!b", cell="C3")
    assert Location.parse("reports/胡集镇.html:42") == Location(source="reports/胡集镇.html", line=42)
    report = balanced_2019()
    report.cells[(REQ, "4", "natural_person")] = 3
    report.where["requests/1/natural_person"] = "金殿镇.txt:118"  # the balance is told here
    found = next(f for f in rules.check(report) if f.rule == "requests.balance")
    assert (found.ref, found.to_dict()["line"], found.sheet) == ("金殿镇.txt:118", 118, None)
    report.where["requests/1/natural_person"] = "依申请公开!D5"
    found = next(f for f in rules.check(report) if f.rule == "requests.balance")
    assert found.ref == "依申请公开!D5" and "line" not in found.to_dict()


def test_formats_tables_and_reports_have_short_reprs() -> None:
    """A traceback or a notebook shows what a value is, not its 47,000-character schema."""
    assert repr(xlgbreport.GB2021) == "<Format gb2021 2021 年格式>"
    assert repr(GB2019) == "<Format gb2019 2019 年试行格式>"
    assert repr(GB2021.schema) == "<Schema gb2021 国办公开办函〔2021〕30号, 3 tables, 200 cells>"
    assert repr(GB2021.schema.table(REQ)) == "<Table requests 三、收到和处理政府信息公开申请情况, 25 rows>"
    assert repr(GB2021.schema.table(REQ).rows[0]) == "<Row 1 一、本年新收政府信息公开申请数量, 7 columns>"
    report = xlgbreport.read(ROOT / "samples" / "hujizhen_2022.xlsx")
    assert repr(report) == "<Report 金乡县胡集镇人民政府 2022 gb2021>"
    assert repr(balanced_2019()) == "<Report 金殿镇人民政府 2020 gb2019>"
    assert repr(Report()) == "<Report ? ? gb2021>"
    assert max(len(repr(v)) for v in (FORMATS, GB2021.schema.tables, report)) < 200
