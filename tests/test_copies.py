"""Copy detection (issue 19 item 5): real bodies' distinct texts are not flagged, a planted copy
with names, years and numbers changed is, from another unit and from last year, through the
index of sentence fingerprints and the fuzzy verification; the 雷同 sheet and the warning."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from test_consolidate import body

import xlgbreport
from xlgbreport.actions import sources
from xlgbreport.consolidation import copies
from xlgbreport.consolidation.gather import Entry
from xlgbreport.consolidation.sheets import COPIES_SHEET
from xlgbreport.core import similarity
from xlgbreport.core.findings import Severity
from xlgbreport.core.model import Report
from xlgbreport.core.text_rules import TextCopied

SHARED = Path(__file__).resolve().parents[2] / "shared"
SECTIONS = TextCopied.SECTIONS


def real_bodies() -> dict[str, Report]:
    """Every distinct body the shared folder has prose for: the seeds' townships and the cities."""
    out: dict[str, Report] = {}
    for path in sorted((SHARED / "seeds").glob("0*.txt")):
        (one,) = xlgbreport.read_published(path)
        out[str(path)] = one.report
    for name in ("huaian_szf_2024.json", "suqian_2024.json"):
        out[name] = sources.load(SHARED / "examples" / name)
    return out


def entry(path: str, report: Report) -> Entry:
    prose = similarity.fingerprints((report.text.get(s) for s in SECTIONS), (report.org,))
    return Entry(path, report.org, report.year if isinstance(report.year, int) else None,
                 prose=prose)


def planted(source: Report, org: str) -> Report:
    """Another township whose 五 is ``source``'s with the name, years and numbers changed."""
    short = re.sub("人民政府$", "", source.org or "")
    text = (source.text["problems"] or "").replace(short, re.sub("人民政府$", "", org))
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + 7), text).replace("我镇", "羊山镇")
    text = "2023年，羊山镇政务公开工作取得一定成效，但仍存在3个方面的不足。" + text
    return Report(org=org, year=source.year, text={"overview": "本镇依法公开。", "problems": text,
                                                   "other_matters": "无。"})


def run_search(reports: dict[str, Report], last: dict[str, Report] | None = None) -> copies.Search:
    loaded = {**reports, **(last or {})}
    before = {similarity_key(r): entry(p, r) for p, r in (last or {}).items()}
    return copies.search([entry(p, r) for p, r in reports.items()], before, loader=loaded.__getitem__)


def similarity_key(report: Report) -> str:
    from xlgbreport.core.prior import normalise

    return normalise(report.org)


def test_the_real_bodies_distinct_texts_are_not_flagged() -> None:
    bodies = real_bodies()
    assert len({r.org for r in bodies.values()}) == len(bodies) == 6
    last = {"suqian_2023.json": sources.load(SHARED / "examples" / "suqian_2023.json")}
    found = run_search(bodies, last)
    assert found.found == ()


def test_a_planted_copy_of_another_units_five_is_found_with_names_years_and_numbers_changed() -> None:
    bodies = real_bodies()
    huji = next(p for p, r in bodies.items() if "胡集镇" in (r.org or ""))
    copy = planted(bodies[huji], "金乡县羊山镇人民政府")
    assert copy.text["problems"] != bodies[huji].text["problems"]
    found = run_search({**bodies, "yangshan": copy}).found
    mine = [c for c in found if c.path == "yangshan"]
    assert [(c.other_path, c.finding.args_dict["section"][0]) for c in mine] == [(huji, "五")]
    (c,) = mine
    assert c.finding.rule == "text.copied" and c.finding.severity is Severity.WARNING
    assert c.share >= TextCopied.SHARE and c.carried >= TextCopied.MIN_CARRIED
    assert "羊山镇" in c.sample or c.sample in copy.text["problems"]
    assert {c.path for c in found} == {"yangshan", huji}  # the pair: both units are told
    rules_md = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    assert f"“{c.finding.message}”" in rules_md  # the documented example is what the code says


def test_a_copy_of_the_same_bodys_last_year_is_found() -> None:
    last = sources.load(SHARED / "examples" / "suqian_2023.json")
    this = Report(org=last.org, year=2024, text={
        s: re.sub(r"2023", "2024", last.text.get(s) or "") for s in SECTIONS})
    found = run_search({"now": this}, {"then": last}).found
    assert found and all(c.last_year and c.other_path == "then" for c in found)
    assert "上年报告" in found[0].finding.message


def test_sentences_held_by_many_units_are_common_phrasing_not_candidates() -> None:
    stock = [f"本机关严格落实政务公开{word}要求并持续改进工作方式方法。" for word in "甲乙丙丁戊"]
    n = copies.COMMON_FLOOR + 10
    prints = [similarity.fingerprints(["".join(stock) + f"单位{chr(0x4E00 + i) * 9}特有的说明。"])
              for i in range(n)]
    pairs, common = copies.candidates(prints)
    assert pairs == [] and common == len(stock)
    small, _ = copies.candidates(prints[:10])  # a small run: the same sentences make candidates
    assert len(small) == 10 * 9 // 2


def test_consolidate_writes_the_sheet_and_warns_the_unit(tmp_path: Path) -> None:
    bodies = real_bodies()
    huji = next(r for r in bodies.values() if "胡集镇" in (r.org or ""))
    a = body(huji.org or "", 2024, 1)
    a.text = dict(huji.text)
    b = body("金乡县羊山镇人民政府", 2024, 2)
    b.text = dict(planted(huji, "金乡县羊山镇人民政府").text)
    c = body("金乡县鸡黍镇人民政府", 2024, 3)
    for name, report in (("a.json", a), ("b.json", b), ("c.json", c)):
        xlgbreport.write(report, tmp_path / name)
    out = tmp_path / "out" / "汇总.xlsx"
    out.parent.mkdir()
    batch = xlgbreport.consolidate([tmp_path], out, org="金乡县人民政府")
    warned = {Path(f.path).name: [x.rule for x in f.findings] for f in batch.files}
    assert warned == {"a.json": ["text.copied"], "b.json": ["text.copied"], "c.json": []}
    statuses = {Path(f.path).name: (f.extra["status"], f.extra["warnings"]) for f in batch.files}
    assert statuses["a.json"][0] == statuses["b.json"][0] == "有提示未说明"  # the copy counts on 汇总状态
    assert statuses["a.json"][1] >= 1 and statuses["c.json"][1] < statuses["a.json"][1]
    assert any("雷同" in note for note in batch.notes)
    sheet = openpyxl.load_workbook(out, read_only=True)[COPIES_SHEET]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert sorted(r[0] for r in rows) == sorted([a.org, b.org])
    assert all(r[1].startswith("五") and r[3] >= TextCopied.SHARE and r[6] for r in rows)


def test_a_formula_in_the_copied_text_stays_text_on_the_sheet(tmp_path: Path) -> None:
    a, b = body("甲镇人民政府", 2024, 1), body("乙镇人民政府", 2024, 2)
    sentences = [f'=HYPERLINK("http://x")开头的句子{w}，一二三四五六七八。' for w in "甲乙丙丁"]
    a.text = b.text = {"overview": "".join(sentences), "problems": "", "other_matters": ""}
    xlgbreport.write(a, tmp_path / "a.json")
    xlgbreport.write(b, tmp_path / "b.json")
    out = tmp_path / "汇总.xlsx"
    xlgbreport.consolidate([tmp_path / "a.json", tmp_path / "b.json"], out, org="县")
    sheet = openpyxl.load_workbook(out)[COPIES_SHEET]
    cell = sheet.cell(4, 7)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_consolidate_with_prior_finds_a_units_copy_of_its_own_last_year(tmp_path: Path) -> None:
    last = sources.load(SHARED / "examples" / "suqian_2023.json")
    then = body("宿迁市人民政府", 2023, 1)
    then.text = dict(last.text)
    now = body("宿迁市人民政府", 2024, 2)
    now.text = {s: re.sub(r"\d+", "9", last.text.get(s) or "") for s in SECTIONS}
    other = body("淮安市人民政府", 2024, 3)
    other.text = dict(sources.load(SHARED / "examples" / "huaian_szf_2024.json").text)
    (tmp_path / "2023").mkdir()
    (tmp_path / "2024").mkdir()
    xlgbreport.write(then, tmp_path / "2023" / "suqian.xlsx")
    xlgbreport.write(now, tmp_path / "2024" / "suqian.xlsx")
    xlgbreport.write(other, tmp_path / "2024" / "huaian.xlsx")
    batch = xlgbreport.consolidate([tmp_path / "2024"], tmp_path / "汇总.xlsx", org="江苏省",
                                   prior=tmp_path / "2023")
    found = {Path(f.path).name: [x for x in f.findings if x.rule == "text.copied"] for f in batch.files}
    assert found["huaian.xlsx"] == [] and found["suqian.xlsx"]
    assert all("上年报告" in x.message and x.sheet and x.cell for x in found["suqian.xlsx"])
    rows = list(openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True)[COPIES_SHEET]
                .iter_rows(min_row=4, values_only=True))
    assert {r[2] for r in rows} == {"本单位上年报告"}


def test_a_reason_in_the_workbook_explains_a_copy_warning(tmp_path: Path) -> None:
    """A clerk's 核实说明 keyed by text.copied and the section's cell marks the warning explained:
    it stays on the 雷同 sheet with the reason, and the unit's notice does not ask again."""
    from test_notices import text_of

    from xlgbreport.core.reasons import Reason

    huji = next(r for r in real_bodies().values() if "胡集镇" in (r.org or ""))
    a = body(huji.org or "", 2024, 1)
    a.text = dict(huji.text)
    b = body("金乡县羊山镇人民政府", 2024, 2)
    b.text = dict(planted(huji, "金乡县羊山镇人民政府").text)
    b.reasons = (Reason("text.copied", "文字说明!B4", "两镇合署办公，五部分由同一人起草"),)
    xlgbreport.write(a, tmp_path / "a.xlsx")
    xlgbreport.write(b, tmp_path / "b.xlsx")
    batch = xlgbreport.consolidate([tmp_path / "a.xlsx", tmp_path / "b.xlsx"], tmp_path / "汇总.xlsx",
                                   org="金乡县人民政府", notices=tmp_path / "通知")
    copied = {Path(f.path).name: f.findings for f in batch.files}
    assert [x.explanation for x in copied["b.xlsx"]] == ["两镇合署办公，五部分由同一人起草"]
    assert [x.explained for x in copied["a.xlsx"]] == [False]
    counts = {Path(f.path).name: (f.extra["warnings"], f.extra["explained"]) for f in batch.files}
    assert counts["b.xlsx"][1] >= 1 and counts["a.xlsx"][0] >= 1  # explained and open, counted apart
    rows = list(openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True)[COPIES_SHEET]
                .iter_rows(min_row=4, values_only=True))
    assert sorted(r[10] or "" for r in rows) == ["", "两镇合署办公，五部分由同一人起草"]
    said = text_of(tmp_path / "通知" / "金乡县羊山镇人民政府_反馈意见.docx")  # its other warnings
    assert "text.copied" not in said and "另有 1 处提示已写明核实说明" in said
    assert "text.copied" in text_of(tmp_path / "通知" / "金乡县胡集镇人民政府_反馈意见.docx")
