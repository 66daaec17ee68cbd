"""The check rules on reports built in Python: each rule fires where it should, with the expected
and actual values and the Chinese message a clerk reads, and stays silent where it should."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import WRITTEN

from xlgbreport.core.findings import Finding, Severity, has_errors
from xlgbreport.core.gb2021 import APPEALS, PROACTIVE, REQUESTS, RESULT_ROWS, SCHEMA, CellKey
from xlgbreport.core.model import Invalid, Report, where_key
from xlgbreport.core.rules import EQUATION_RULES, check
from xlgbreport.files import interchange
from xlgbreport.workbook.layout import COVER_SHEET, LAYOUT

TEXT_LABELS = {f.id: f.label for f in SCHEMA.text}

EXAMPLES = Path(__file__).parent / "data" / "examples"  # copies of shared/examples: real reports
INPUTS = [k for k in SCHEMA.keys if not SCHEMA.is_derived(k)]
APPLICANTS = [c for c in REQUESTS.rows[0].columns if not c.derived]
META = {f.id: f.label for f in SCHEMA.meta}
EQUATIONS = {rule.id: list(rule.declared()) for rule in EQUATION_RULES}


def balanced() -> Report:
    """A complete report in which every equation holds; totals absent, so computed.

    Column j of table 三: 一 = j+3, 二 = 1, （一） = j+1, （二） = 1, other results 0, 四 = 2, so
    （七） = j+2 and 一 + 二 = （七） + 四 = j+4."""
    report = Report(org="示例镇人民政府", year=2023, text=dict(WRITTEN))
    numbers = {"regulations": (1, 0, 3), "normative_documents": (2, 1, 5), "licensing": (4,),
               "penalty": (3,), "coercion": (1,), "admin_fees": (Decimal("1.2345"),)}
    for row in PROACTIVE.rows:
        for col, value in zip(row.columns, numbers[row.id], strict=True):
            report.cells[(PROACTIVE.id, row.id, col.id)] = value
    for j, col in enumerate(APPLICANTS):
        for row in REQUESTS.rows:
            if not row.derived:
                value = {"1": j + 3, "2": 1, "3.1": j + 1, "3.2": 1, "4": 2}.get(row.id, 0)
                report.cells[(REQUESTS.id, row.id, col.id)] = value
    for row in APPEALS.rows:
        for col, value in zip(row.columns, (1, 2, 0, 1), strict=False):
            report.cells[(APPEALS.id, row.id, col.id)] = value
    return report


def with_totals(report: Report) -> Report:
    """The same report with every total given (typed in) as its computed value."""
    given_ = Report(report.org, report.year, dict(report.cells), dict(report.text))
    for key in SCHEMA.keys:
        if SCHEMA.is_derived(key):
            given_.cells[key] = report.value(key)
    return given_


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def place(f: Finding) -> tuple[str | None, str | None, str | None]:
    return f.table, f.row, f.column


def req(row: str, col: str) -> CellKey:
    return (REQUESTS.id, row, col)


# --- a balanced report --------------------------------------------------------------------

def test_balanced_report_passes() -> None:
    assert check(balanced()) == []


def test_balanced_report_with_totals_given_passes() -> None:
    report = with_totals(balanced())
    assert all(SCHEMA.is_derived(k) == (k not in INPUTS) for k in report.cells)
    assert len(report.cells) == len(SCHEMA.keys)
    assert check(report) == []


def test_absent_totals_are_computed() -> None:
    report = balanced()
    assert not any(report.given(k) for k in SCHEMA.keys if SCHEMA.is_derived(k))
    assert report.value(req("1", "total")) == sum(j + 3 for j in range(len(APPLICANTS)))
    for j, col in enumerate(APPLICANTS):
        assert report.value(req("3.7", col.id)) == j + 2
    assert report.value(req("3.7", "total")) == sum(report.value(req(r, "total")) for r in RESULT_ROWS)
    assert report.value((APPEALS.id, "review", "total")) == 4
    blanked = balanced()
    blanked.cells[req("3.3.1", "other")] = None
    assert blanked.value(req("3.7", "other")) is None  # not guessed as 0
    assert blanked.value(req("3.3.1", "total")) is None
    assert blanked.value(req("3.7", "total")) is None


# --- equations: each fires at the right place with the right numbers ----------------------

@pytest.mark.parametrize("j,col", list(enumerate(APPLICANTS)), ids=[c.id for c in APPLICANTS])
def test_requests_balance_fires_in_the_column(j: int, col) -> None:
    report = balanced()
    report.cells[req("1", col.id)] = j + 5  # two more new applications than were handled
    findings = check(report)
    assert {f.rule for f in findings} == {"requests.balance"}
    first, total = by_rule(findings, "requests.balance")
    assert place(first) == req("1", col.id)
    assert (first.expected, first.actual) == (j + 6, j + 4)
    assert first.severity is Severity.ERROR
    assert first.message == f"{col.label}列：一（{j + 5}）+ 二（1）≠（七）总计（{j + 2}）+ 四（2）"
    # the total column balances only if every column does
    assert place(total) == req("1", "total")
    assert total.expected - total.actual == 2
    assert total.message.startswith("总计列：")


@pytest.mark.parametrize("row", REQUESTS.rows, ids=lambda r: r.id)
def test_requests_row_total_fires_on_a_given_wrong_total(row) -> None:
    report = balanced()
    right = report.value(req(row.id, "total"))
    report.cells[req(row.id, "total")] = right + 1
    findings = check(report)
    found, = by_rule(findings, "requests.row_total")
    assert place(found) == req(row.id, "total")
    assert (found.expected, found.actual) == (right, right + 1)
    assert found.message == f"{row.title}：总计（{right + 1}）≠ 各类申请人之和（{right}）"
    # the wrong total also breaks the total column's equations that use it, and nothing else
    cascade = {(f.rule, f.column) for f in findings if f is not found}
    expected = set()
    if row.id in RESULT_ROWS or row.derived:
        expected.add(("requests.results_total", "total"))
    if row.id in ("1", "2", "4") or row.derived:
        expected.add(("requests.balance", "total"))
    assert cascade == expected


@pytest.mark.parametrize("j,col", list(enumerate(APPLICANTS)), ids=[c.id for c in APPLICANTS])
def test_requests_results_total_fires_on_a_given_wrong_total(j: int, col) -> None:
    report = balanced()
    report.cells[req("3.7", col.id)] = j + 3  # one more than the 21 results add up to
    findings = check(report)
    found = [f for f in by_rule(findings, "requests.results_total") if f.column == col.id]
    assert [place(f) for f in found] == [req("3.7", col.id)]
    assert (found[0].expected, found[0].actual) == (j + 2, j + 3)
    assert found[0].message == f"{col.label}列：（七）总计（{j + 3}）≠ 各项办理结果之和（{j + 2}）"


@pytest.mark.parametrize("row", APPEALS.rows, ids=lambda r: r.id)
def test_appeals_group_total_fires_on_a_given_wrong_total(row) -> None:
    report = balanced()
    report.cells[(APPEALS.id, row.id, "total")] = 5
    findings = check(report)
    assert [f.rule for f in findings] == ["appeals.group_total"]
    found = findings[0]
    assert place(found) == (APPEALS.id, row.id, "total")
    assert (found.expected, found.actual) == (4, 5)
    group = "".join(row.parents) + row.label
    assert found.message == f"{group}：总计（5）≠ 维持、纠正、其他、尚未审结之和（4）"


def test_findings_name_the_workbook_cell_when_there_is_one() -> None:
    report = balanced()
    report.where = LAYOUT.where()
    report.cells[req("1", "natural_person")] = 99
    report.cells[(APPEALS.id, "review", "total")] = 5
    report.year = None
    findings = check(report)
    assert {f.rule for f in findings} == {"requests.balance", "appeals.group_total", "meta.missing"}
    for f in findings:
        at = where_key((f.table, f.row, f.column)) if f.table else "year"
        assert f.ref == report.where[at], f
    assert by_rule(findings, "meta.missing")[0].sheet == COVER_SHEET


# --- blanks: reported once, never guessed --------------------------------------------------

def test_a_blank_cell_is_reported_and_silences_the_equations_that_need_it() -> None:
    report = balanced()
    blank = req("3.5.2", "research")
    report.cells[blank] = None
    # With the blank read as 0 the research column would not balance (5 ≠ 0); read as 5 it
    # would. Neither is known, so no equation over the blank is evaluated.
    report.cells[req("1", "research")] = report.cells[req("1", "research")] + 5
    # ... while another column is still checked.
    report.cells[req("1", "natural_person")] = 99
    findings = check(report)
    assert sorted((f.rule, place(f)) for f in findings) == [
        ("requests.balance", req("1", "natural_person")),
        ("value.blank", blank),
    ]
    found, = by_rule(findings, "value.blank")
    row = REQUESTS.row("3.5.2")
    assert found.message == f"{''.join(row.parents[1:])}{row.label}·{row.column('research').label}为空（没有请填 0）"
    assert (found.expected, found.actual) == (None, None)


def test_a_blank_given_total_is_reported_and_not_computed() -> None:
    report = balanced()
    report.cells[req("1", "total")] = None
    findings = check(report)
    assert [(f.rule, place(f)) for f in findings] == [("value.blank", req("1", "total"))]
    assert findings[0].message == f"{REQUESTS.row('1').label}·总计为空（没有请填 0）"


def test_an_empty_report_is_all_blanks_and_nothing_else() -> None:
    findings = check(Report(org="示例镇人民政府", year=2023, text=dict(WRITTEN)))
    assert {f.rule for f in findings} == {"value.blank"}
    assert sorted(place(f) for f in findings) == sorted(INPUTS)


@settings(max_examples=40, deadline=None)
@given(blanks=st.sets(st.sampled_from(INPUTS), min_size=1, max_size=12),
       bumped=st.sampled_from(INPUTS), by=st.integers(1, 9))
def test_no_equation_ever_fires_over_a_blank(blanks: set[CellKey], bumped: CellKey, by: int) -> None:
    report = balanced()
    report.cells[bumped] += by
    for key in blanks:
        report.cells[key] = None
    findings = check(report)
    assert sorted(place(f) for f in by_rule(findings, "value.blank")) == sorted(blanks)
    for f in findings:
        if f.rule in EQUATIONS:
            eq = next(eq for eq in EQUATIONS[f.rule] if eq.at == place(f))
            assert not blanks & set(eq.support), f


# --- values: Decimal fee, negative, fractional, text ----------------------------------------

FEE = (PROACTIVE.id, "admin_fees", "amount")
LICENSING = (PROACTIVE.id, "licensing", "decisions")


@pytest.mark.parametrize("fee", [Decimal("0"), Decimal("0.000123"), Decimal("12.5"), 3,
                                 Decimal("3985758.123456")])
def test_a_decimal_fee_is_fine(fee) -> None:
    report = balanced()
    report.cells[FEE] = fee
    assert check(report) == []


@pytest.mark.parametrize("key,value,problem,shown", [
    (LICENSING, -1, "不能为负数", -1),
    (LICENSING, Decimal("1.5"), "应为整数", "1.5"),
    (LICENSING, Invalid("三件"), "填成了文本，请改为数字", "三件"),
    (LICENSING, Invalid("35"), "填成了文本，请改为数字", "35"),  # a number in a text cell
    (LICENSING, True, "不是数字", True),
    (FEE, Decimal("-0.5"), "不能为负数", "-0.5"),
    (FEE, Invalid("免收"), "填成了文本，请改为数字", "免收"),
    ((APPEALS.id, "review", "upheld"), Decimal("0.25"), "应为整数", "0.25"),
])
def test_invalid_values(key: CellKey, value, problem: str, shown) -> None:
    report = balanced()
    report.cells[key] = value
    found, = by_rule(check(report), "value.invalid")
    assert place(found) == key
    assert found.actual == shown
    assert found.message == f"{SCHEMA.describe(key)}{problem}：{value}"


def test_a_whole_decimal_count_is_fine() -> None:
    report = balanced()
    report.cells[LICENSING] = Decimal("4")
    assert check(report) == []


def test_a_negative_count_is_invalid_yet_counted_in_its_equations() -> None:
    report = balanced()
    report.cells[(APPEALS.id, "review", "upheld")] = -1
    report.cells[(APPEALS.id, "review", "total")] = 4
    rules_fired = [f.rule for f in check(report)]
    assert rules_fired == ["value.invalid", "appeals.group_total"]


# --- the cover: organisation and year -------------------------------------------------------

@pytest.mark.parametrize("org", [None, "", "   "])
def test_meta_missing_org(org) -> None:
    report = balanced()
    report.org = org
    found, = check(report)
    assert (found.rule, found.message) == ("meta.missing", f"封面缺少{META['org']}")


def test_meta_missing_year_and_no_year_check() -> None:
    report = balanced()
    report.year = None
    found, = check(report)
    assert (found.rule, found.message) == ("meta.missing", f"封面缺少{META['year']}")


@pytest.mark.parametrize("year", [2007, 2101, 0, Invalid("二〇二三"), Invalid("2023年")])
def test_meta_year_out_of_range_or_not_a_year(year) -> None:
    report = balanced()
    report.year = year
    found, = check(report)
    assert found.rule == "meta.year"
    assert found.message == f"封面的{META['year']}应为 2008–2100 之间的数字年份，现为“{year}”"
    assert found.actual == str(year)


@pytest.mark.parametrize("year", [2008, 2023, 2100])
def test_meta_year_in_range(year: int) -> None:
    report = balanced()
    report.year = year
    assert check(report) == []


# --- real reports -------------------------------------------------------------------------

REAL = sorted(EXAMPLES.glob("*.json"))


def test_the_real_examples_are_there() -> None:
    assert len(REAL) >= 3, f"real reports missing under {EXAMPLES}"


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_real_reports_pass(path: Path) -> None:
    report = interchange.load(path)
    findings = check(report)
    assert not has_errors(findings), [f.message for f in findings]
    assert not [f for f in findings if f.table], [f.message for f in findings]
    assert all(report.given(k) for k in SCHEMA.keys), "every total given, so every total checked"


def test_real_reports_pass_with_last_year() -> None:
    last = interchange.load(EXAMPLES / "suqian_2023.json")
    this = interchange.load(EXAMPLES / "suqian_2024.json")
    assert not has_errors(check(this, last)), [f.message for f in check(this, last)]


@pytest.mark.parametrize("text, problem", [
    (None, "为空，请填写"), ("", "为空，请填写"), (" \u3000\n", "为空，请填写"),
    ("无", "只写了“无”，请写明实际情况"), (" 暂 无。", "只写了“暂无。”，请写明实际情况"),
    ("无需报告", None), ("本年度未收取信息处理费。", None),
    ("无\u2003", None),  # an em space is text, as for the 校验 formula (CLEAN and SUBSTITUTE keep it)
])
def test_text_missing_needs_no_prior_for_an_empty_section(text, problem) -> None:
    report = balanced()
    report.text["problems"] = text
    found = by_rule(check(report), "text.missing")
    want = [f"{TEXT_LABELS['problems']}：{problem}"] if problem else []
    assert [f.message for f in found] == want
    assert all(f.severity == "warning" for f in found)


def test_a_text_the_same_as_last_years_needs_last_years_report() -> None:
    this, last = balanced(), balanced()
    assert by_rule(check(this), "text.missing") == []
    assert len(by_rule(check(this, last), "text.missing")) == 2  # 五 and 六 copied
