"""The text checked against the report: text.year, text.number, text.length (warnings that
quote the sentence and name its cell), on real reports and on the readings the issue lists."""

from __future__ import annotations

import json

import pytest
from xl_helpers import EXAMPLES, ROOT, run

import xlgbreport
from xlgbreport.core.findings import Severity
from xlgbreport.core.gb2021 import SCHEMA
from xlgbreport.core.model import Report
from xlgbreport.core.rules import check
from xlgbreport.core.text_rules import TextYear
from xlgbreport.files import interchange

TEXT_RULES = {"text.year", "text.number", "text.length"}
REAL = sorted((ROOT / "samples").glob("*.xlsx")) + sorted(EXAMPLES.glob("*.json"))


def zero(year: int = 2025, **cells: int) -> Report:
    """Every input 0 (totals computed), with ``cells`` given as 表/行/列 paths."""
    report = Report(org="示例镇人民政府", year=year)
    report.cells = {k: 0 for k in SCHEMA.keys if not SCHEMA.is_derived(k)}
    for path, value in cells.items():
        report.cells[tuple(path.split("/"))] = value  # type: ignore[index]
    return report


def found(report: Report, rule: str) -> list:
    return [f for f in check(report) if f.rule == rule]


def test_the_wrong_year_in_hujizhens_six_is_flagged_where_it_sits() -> None:
    report = xlgbreport.read(ROOT / "samples" / "hujizhen_2022.xlsx")
    (hit,) = found(report, "text.year")
    assert hit.severity is Severity.WARNING and hit.ref == "文字说明!B5"
    assert "“2021年度，胡集镇人民政府收到的政府信息公开申请均未收取信息处理费。”" in hit.message
    assert (hit.expected, hit.actual) == (2022, 2021)


@pytest.mark.parametrize("section, text", [
    ("overview", "根据《关于做好政务公开工作的通知》（金政办发〔2020〕109号）要求开展工作。"),
    ("overview", "落实《国土空间总体规划（2021-2035）》，到二〇三五年基本实现现代化。"),
    ("overview", "我镇荣获2022-2023年度政务公开工作先进单位。"),
    ("problems", "2026年，我镇将进一步加强政务公开工作。"),
    ("other_matters", "未办结的3件申请结转至2026年继续办理。"),
    ("overview", "主动公开信息较2024年增加12条，2019年以来累计公开2000条。"),
    ("overview", "依据2019年修订的《条例》和2007年公布的《条例》开展工作。"),
])
def test_legitimate_years_are_not_flagged(section: str, text: str) -> None:
    report = zero(2025)
    report.text[section] = text
    assert found(report, "text.year") == []


@pytest.mark.parametrize("section, text, year", [
    ("overview", "2024年，我镇政府信息公开工作稳步推进。", 2024),
    ("overview", "二〇二四年，我镇政府信息公开工作稳步推进。", 2024),
    ("other_matters", "2026年，我镇未收取信息处理费。", 2026),  # next year outside 五 and 结转
])
def test_a_year_that_is_not_the_reports_is_flagged(section: str, text: str, year: int) -> None:
    report = zero(2025)
    report.text[section] = text
    (hit,) = found(report, "text.year")
    assert hit.actual == year and text in hit.message


def test_the_issues_accepted_readings_are_not_flagged() -> None:
    carried = zero(**{"requests/1/natural_person": 74, "requests/2/natural_person": 1,
                      "requests/3.1/natural_person": 75})
    carried.text["overview"] = ("本年度共收到政府信息公开申请75件，其中新收74件，上年结转1件。"
                                "自然人申请75件，全部办结。")
    assert found(carried, "text.number") == []
    huaian = interchange.load(EXAMPLES / "huaian_szf_2024.json")
    text = huaian.text["overview"]
    assert "答复3050件" in text and "行政诉讼46件" in text  # （七）总计; 26 + 20
    assert found(huaian, "text.number") == []


def test_a_planted_contradiction_is_flagged_with_the_tables_number() -> None:
    huaian = interchange.load(EXAMPLES / "huaian_szf_2024.json")
    huaian.text["overview"] = huaian.text["overview"].replace("答复3050件", "答复3051件")
    (hit,) = found(huaian, "text.number")
    assert (hit.expected, hit.actual) == (3050, 3051) and "答复3051件" in hit.message
    litigation = interchange.load(EXAMPLES / "huaian_szf_2024.json")
    litigation.text["overview"] = litigation.text["overview"].replace("行政诉讼46件", "行政诉讼45件")
    (hit,) = found(litigation, "text.number")
    assert hit.actual == 45 and "46" in hit.message  # every reading is named


@pytest.mark.parametrize("text", [
    "主动公开政府信息1234条，受理投诉举报15件，开展培训3次。",
    "全市全年备案行政复议案件134件。",  # another body's figure
    "上年结转政府信息公开申请0件，结转下年度继续办理0件。",
])
def test_numbers_of_no_table_quantity_or_that_agree_are_not_flagged(text: str) -> None:
    report = zero()
    report.text["overview"] = text
    assert found(report, "text.number") == []


def test_carried_is_four_or_two_when_the_sentence_is_about_last_year() -> None:
    report = zero(**{"requests/2/natural_person": 2, "requests/4/natural_person": 3,
                     "requests/1/natural_person": 1})
    report.text["overview"] = "上年结转申请2件。结转下年度继续办理3件。上一年度结转的申请结转2件。"
    assert found(report, "text.number") == []
    report.text["overview"] = "结转下年度继续办理2件。"
    (hit,) = found(report, "text.number")
    assert (hit.expected, hit.actual) == (3, 2)


def test_the_overview_longer_than_a_thousand_characters() -> None:
    report = zero()
    report.text["overview"] = "字" * 1000 + "\n \u3000"
    assert found(report, "text.length") == []
    report.text["overview"] += "字"
    (hit,) = found(report, "text.length")
    assert hit.actual == 1001 and hit.ref == "文字说明!B3" or hit.actual == 1001


def test_reports_whose_numbers_agree_get_no_number_or_year_finding() -> None:
    for path in REAL:
        report = xlgbreport.read(path)
        rules = {f.rule for f in check(report)} & {"text.number", "text.year"}
        assert rules == ({"text.year"} if path.name == "hujizhen_2022.xlsx" else set()), path.name


def test_validate_lists_them_in_text_and_json() -> None:
    source = ROOT / "samples" / "hujizhen_2022.xlsx"
    code, output = run("validate", source)
    assert "文字说明!B5 [text.year]" in output
    code, output = run("validate", "--format", "json", source)
    document = json.loads(output)
    hits = [f for f in json.dumps(document, ensure_ascii=False).split("{") if "text.year" in f]
    assert hits and "warning" in hits[0]


def test_text_year_is_linear_in_a_text_of_many_years() -> None:
    """A text of 6,000 years in each section (36,000 characters, past a cell's limit) took 9 s
    when each year rescanned the text before it (issue 21); now a bounded window: well under 3 s."""
    import time

    report = Report(org="某镇人民政府", year=2024)
    text = "".join(f"{2000 + i % 30}年，" for i in range(6000))
    report.text = {"overview": text, "problems": text, "other_matters": text}
    start = time.perf_counter()
    found = list(TextYear().check(report))
    assert time.perf_counter() - start < 3
    assert {f.actual for f in found} == {2008 + i for i in range(16)} | {2025}  # 2008…2023, and 2025 outside 五


def test_every_number_a_quantity_reads_holds_one_of_its_words() -> None:
    """text.number searches a sentence only when it holds one of a quantity's words: each match
    of each quantity, in sentences naming every one of them and in the real reports, holds one."""
    from xlgbreport.core.text_rules import TextNumber, _quantities, sentences

    quantities = _quantities(SCHEMA, TextNumber.GAP, TextNumber.NUMBER)
    labels = [c.label for t in SCHEMA.tables for c in t.columns] + [
        r.label.removeprefix("行政") for t in SCHEMA.tables for r in t.rows]
    made = ["收到申请12件", "新收政府信息公开申请120件", "受理依申请公开3件", "接收的申请9件",
            "上年结转5件", "上一年度结转4件", "结转下年度继续办理3件", "转下年度2件", "办结115件",
            "答复8件", "行政复议2件", "行政诉讼1件", "法人或其他组织共20件"]
    made += [f"{label}{verb}{n}件" for n, label in enumerate(labels)
             for verb in ("", "现行有效", "共")] + [f"制发{label}3件" for label in labels]
    real = [s for p in sorted(EXAMPLES.glob("*.json")) for text in interchange.load(p).text.values()
            for _, s in sentences(text or "")]
    matched = set()
    for pattern, words, what, _ in quantities:
        for sentence in made + real:
            for m in pattern.finditer(sentence):
                assert any(w in m.group() for w in words), (what, sentence)
                matched.add(what)
    assert matched == {what for _, _, what, _ in quantities}  # no quantity left untried


def test_sentences_start_where_they_stand() -> None:
    import random

    from xlgbreport.core.text_rules import _SENTENCE, sentences

    rng = random.Random(16)
    texts = ["", "。", "一。二！三？四；五\n六", "  \n。 ", "没有句号"]
    texts += ["".join(rng.choice("年件 。！？；\n\u3000a1") for _ in range(rng.randrange(40))) for _ in range(300)]
    for text in texts:
        expected = [(m.start(), m.group()) for m in _SENTENCE.finditer(text) if m.group().strip()]
        assert list(sentences(text)) == expected, text
        assert all(text[start:start + len(s)] == s for start, s in expected)
