"""County consolidation (issue 10): real workbooks written, consolidated, read back and checked.

The county folder holds three good bodies (one that handled no request at all), a corrupt file,
an org sent twice with different numbers, an identical copy, last year's file, a report with
errors and one JSON; the list of bodies that must report names one that sent nothing.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from engine import libreoffice
from xl_helpers import run as cli

import xlgbreport
from xlgbreport.cli import exits
from xlgbreport.consolidation import detail, expect, gather, run
from xlgbreport.consolidation.decide import Status
from xlgbreport.consolidation.gather import INPUT_KEYS
from xlgbreport.core import indicators
from xlgbreport.core.findings import has_errors
from xlgbreport.core.gb2021 import APPEALS, PROACTIVE, REQUESTS, RESULT_ROWS, SCHEMA
from xlgbreport.core.model import Report
from xlgbreport.core.tables import Role
from xlgbreport.workbook.layout import LAYOUT

DOCS = Path(__file__).resolve().parents[1] / "docs" / "county.md"
TEXT = {"overview": "依法公开。", "problems": "培训不够，下一步加强。", "other_matters": "未收取信息处理费。"}
FEE = (PROACTIVE.id, "admin_fees", "amount")
NEW, FINISHED = (REQUESTS.role(r).id for r in (Role.NEW, Role.RESULTS_TOTAL))


def body(org: str, year: int, seed: int, fee: str = "0", zero: bool = False) -> Report:
    """A balanced report with varied numbers (all zero with ``zero``): 一 + 二 = （七）+ 四."""
    rng = random.Random(seed)
    n = (lambda: 0) if zero else (lambda: rng.randint(0, 9))
    cells = {(PROACTIVE.id, r.id, c.id): n() for r in PROACTIVE.rows for c in r.columns}
    cells[FEE] = Decimal(fee)
    carried_over, carried_forward = (REQUESTS.role(r).id for r in (Role.CARRIED_OVER,
                                                                     Role.CARRIED_FORWARD))
    for col in REQUESTS.columns:
        if col.derived:
            continue
        results = {row: n() for row in RESULT_ROWS}
        following = n()
        carried = min(n(), sum(results.values()) + following)
        for row, value in results.items():
            cells[(REQUESTS.id, row, col.id)] = value
        cells[(REQUESTS.id, carried_over, col.id)] = carried
        cells[(REQUESTS.id, carried_forward, col.id)] = following
        cells[(REQUESTS.id, NEW, col.id)] = sum(results.values()) + following - carried
    for row in APPEALS.rows:
        for col in row.columns:
            if not col.derived:
                cells[(APPEALS.id, row.id, col.id)] = n()
    return Report(org=org, year=year, cells=cells, text=dict(TEXT))


GOOD = {"a_huji.xlsx": body("胡集镇人民政府", 2024, 1, "0.1"),
        "b_jinxiang.xlsx": body("金乡县 司法局", 2024, 2, "0.2"),  # a space a clerk typed
        "c_quiet.xlsx": body("羊山镇人民政府", 2024, 3, zero=True)}


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("county")
    for name, report in GOOD.items():
        xlgbreport.write(report, folder / name)
    (folder / "sub").mkdir()
    xlgbreport.write(body("胡集镇人民政府", 2024, 1, "0.1"), folder / "sub" / "a_copy.xlsx")
    xlgbreport.write(body("鸡黍镇人民政府", 2024, 4), folder / "d_jishu.xlsx")
    xlgbreport.write(body("鸡黍镇人民政府", 2024, 5), folder / "d_jishu_again.xlsx")
    xlgbreport.write(body("王丕街道办事处", 2023, 6), folder / "e_old.xlsx")
    wrong = body("卜集镇人民政府", 2024, 7)
    wrong.cells[(REQUESTS.id, NEW, "natural_person")] += 1
    xlgbreport.write(wrong, folder / "f_wrong.xlsx")
    xlgbreport.write(body("高河镇人民政府", 2024, 8, "1.25"), folder / "g_gaohe.json")
    (folder / "h_broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return folder


@pytest.fixture(scope="module")
def expected_list(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("list") / "应报单位.txt"
    path.write_text("机关名称\t类别\n胡集镇人民政府\t乡镇\n金乡县司法局\t部门\n羊山镇人民政府 乡镇\n"
                    "高河镇人民政府\n鸡黍镇人民政府\n卜集镇人民政府\n王丕街道办事处\n化雨镇人民政府\t乡镇\n",
                    encoding="utf-8")
    return path



def output(batch: xlgbreport.Batch) -> Path:
    return Path(batch.extra["output"])


def statuses(batch: xlgbreport.Batch) -> list[Status]:
    return [Status(f.extra["status"]) for f in batch.files]


def by_path(batch: xlgbreport.Batch) -> dict[str, str]:
    """Each input's status by its path (the lines' order follows a list's 类别)."""
    return {f.path: f.extra["status"] for f in batch.files}


@pytest.fixture(scope="module")
def done(county, expected_list, tmp_path_factory) -> xlgbreport.Batch:
    out = tmp_path_factory.mktemp("out") / "金乡县汇总.xlsx"
    return run.consolidate([county], out, org="金乡县人民政府", expect_path=expected_list)


def summed() -> list[Report]:
    return [*GOOD.values(), body("高河镇人民政府", 2024, 8, "1.25")]


def status_rows(path: Path) -> dict[str, tuple]:
    ws = openpyxl.load_workbook(path, read_only=True)["汇总状态"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return {Path(r[3]).name if r[3] else r[0]: r for r in rows}


def test_the_sums_are_those_of_the_valid_reports_and_the_fee_is_exact(done):
    back = xlgbreport.read(output(done))
    for key in INPUT_KEYS:
        assert back.value(key) == sum(r.value(key) for r in summed()), key
    assert back.value(FEE) == Decimal("1.55")  # 0.1 + 0.2 + 0 + 1.25, not 1.5500000000000003
    assert back.value((REQUESTS.id, FINISHED, "total")) == sum(
        r.value((REQUESTS.id, FINISHED, "total")) for r in summed())
    assert (back.org, back.year) == ("金乡县人民政府", 2024)
    assert not any(back.text.get(k) for k in TEXT)  # the county writes its own text


def test_the_output_is_a_report_that_validates(done):
    code, out = cli("validate", output(done))
    assert code == 0, out
    assert not has_errors(xlgbreport.check(xlgbreport.read(output(done))))


def test_each_problem_is_named_on_the_status_sheet(done):
    rows = status_rows(output(done))
    status = {name: row[4] for name, row in rows.items()}
    assert status == {
        "a_huji.xlsx": "通过", "b_jinxiang.xlsx": "通过", "c_quiet.xlsx": "通过",
        "g_gaohe.json": "通过", "a_copy.xlsx": "相同副本", "d_jishu.xlsx": "重复",
        "d_jishu_again.xlsx": "重复", "e_old.xlsx": "年度不符", "f_wrong.xlsx": "有错误（退回）",
        "h_broken.xlsx": "无法读取", "化雨镇人民政府": "未报送"}
    assert "d_jishu_again.xlsx" in rows["d_jishu.xlsx"][8]  # the other file is named
    assert "a_huji.xlsx" in rows["a_copy.xlsx"][8]
    assert "2023" in rows["e_old.xlsx"][8]
    assert "requests" not in rows["f_wrong.xlsx"][8] and "依申请公开!" in rows["f_wrong.xlsx"][8]
    assert rows["f_wrong.xlsx"][5] >= 1
    assert "损坏" in rows["h_broken.xlsx"][8]
    assert rows["b_jinxiang.xlsx"][1] == "部门" and rows["化雨镇人民政府"][1] == "乡镇"
    assert done.headline == ("已汇总 4 份，未汇总 5 份（有错误（退回） 1、重复 2、年度不符 1、"
                             "无法读取 1），另有相同副本 1 份按一份计，未报送 1 个单位")
    assert exits.code_for(done) == 2


def test_indicators_are_blank_on_a_zero_denominator(done):
    ws = openpyxl.load_workbook(output(done))["指标"]
    header = [c.value for c in ws[3]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"胡集镇人民政府", "金乡县 司法局", "羊山镇人民政府", "高河镇人民政府", "合计"}
    quiet = rows["羊山镇人民政府"]
    assert quiet["办结"] == 0
    assert all(quiet[i.label] is None for i in indicators.INDICATORS if i.kind == "rate")
    total = xlgbreport.read(output(done))
    for ind in indicators.INDICATORS:
        value = ind.value(total)
        assert rows["合计"][ind.label] == pytest.approx(None if value is None else float(value))
    rate = indicators.INDICATORS_BY_ID["disclosed_rate"]
    assert 0 < rows["合计"]["公开率"] < 1 and rate.value(total) is not None
    # every threshold colours its column through a formula that skips blanks
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert len(rules) == len(indicators.THRESHOLDS)
    assert all("ISNUMBER" in r.formula[0] for r in rules)


def test_two_counties_sum_to_the_prefecture(tmp_path):
    counties = []
    for i, (name, seeds) in enumerate((("甲县人民政府", (11, 12)), ("乙县人民政府", (13,)))):
        folder = tmp_path / f"county{i}"
        folder.mkdir()
        for seed in seeds:
            xlgbreport.write(body(f"{name}下属{seed}", 2024, seed, "0.3"), folder / f"{seed}.xlsx")
        counties.append(output(run.consolidate([folder], tmp_path / f"{name}.xlsx", org=name)))
    city = run.consolidate(counties, tmp_path / "市.xlsx", org="某市人民政府")
    back = xlgbreport.read(output(city))
    for key in INPUT_KEYS:
        assert back.value(key) == sum(body("x", 2024, s, "0.3").value(key) for s in (11, 12, 13))
    assert back.value(FEE) == Decimal("0.9")
    # a summary's text sections are the county's to write: open warnings, counted all the same
    assert exits.code_for(city) == 0 and statuses(city).count(Status.WARNED) == 2


def test_prior_gives_last_years_values_and_the_change(tmp_path, county):
    last = tmp_path / "2023"
    last.mkdir()
    for name, report in GOOD.items():
        report = body(report.org, 2023, 100 + len(name), zero=name == "b_jinxiang.xlsx")
        xlgbreport.write(report, last / name)
    done = run.consolidate([county / n for n in GOOD], tmp_path / "out.xlsx", org="金乡县人民政府",
                           prior=last)
    ws = openpyxl.load_workbook(output(done))["指标"]
    header = [c.value for c in ws[3]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)}
    huji = rows["胡集镇人民政府"]
    this, before = GOOD["a_huji.xlsx"], body("胡集镇人民政府", 2023, 100 + len("a_huji.xlsx"))
    new = indicators.INDICATORS_BY_ID["new"]
    assert huji["新收申请（上年）"] == new.value(before)
    assert huji["新收申请比上年增减"] == new.value(this) - new.value(before)
    assert rows["金乡县 司法局"]["公开率（上年）"] is None  # handled nothing last year
    assert rows["金乡县 司法局"]["公开率比上年（百分点）"] is None
    # the total's last year: the bodies' last-year reports summed (no county file last year)
    assert rows["合计"]["办结（上年）"] == sum(
        indicators.INDICATORS_BY_ID["finished"].value(body(r.org, 2023, 100 + len(n),
                                                            zero=n == "b_jinxiang.xlsx"))
        for n, r in GOOD.items())


def test_include_invalid_sums_them_and_says_so(tmp_path, county):
    files = [county / "a_huji.xlsx", county / "f_wrong.xlsx"]
    done = run.consolidate(files, tmp_path / "out.xlsx", org="县", include_invalid=True)
    assert statuses(done) == [Status.SUMMED, Status.INVALID] and all(f.valid for f in done.files)
    assert any("--include-invalid" in n for f in done.files for n in f.notes)
    back = xlgbreport.read(output(done))
    key = (REQUESTS.id, NEW, "natural_person")
    assert back.value(key) == GOOD["a_huji.xlsx"].value(key) + xlgbreport.read(files[1]).value(key)


def test_a_pool_of_processes_gives_the_same_result(tmp_path, county, done):
    with ProcessPoolExecutor(max_workers=2) as pool:
        again = run.consolidate([county], tmp_path / "pool.xlsx", org="金乡县人民政府",
                                executor=pool)
    assert again.extra["totals"] == done.extra["totals"]
    assert by_path(again) == {k: v for k, v in by_path(done).items() if k}


def test_the_year_is_the_common_one_and_a_disagreement_is_said(tmp_path, county):
    files = [county / "a_huji.xlsx", county / "b_jinxiang.xlsx", county / "e_old.xlsx"]
    done = run.consolidate(files, tmp_path / "out.xlsx", org="县")
    assert done.extra["year"] == 2024
    assert any("2023 年 1 份、2024 年 2 份" in n for n in done.notes)
    older = run.consolidate(files, tmp_path / "old.xlsx", org="县", year=2023)
    assert statuses(older).count(Status.SUMMED) == 1


def test_the_command_line_json_and_exit_codes(tmp_path, county, expected_list):
    out = tmp_path / "县.xlsx"
    code, text = cli("consolidate", county / "a_huji.xlsx", county / "b_jinxiang.xlsx", "-o", out,
                     "--org", "县", "--format", "json")
    assert code == 0
    summary = json.loads(text)
    assert [i["status"] for i in summary["files"]] == ["通过", "通过"]
    assert summary["totals"]["proactive"]["admin_fees"]["amount"] == "0.3"
    both = xlgbreport.read(out)
    for ind in indicators.INDICATORS:
        value = ind.value(both)
        assert summary["indicators"][ind.id] == pytest.approx(None if value is None else float(value))
        assert summary["levels"].get(ind.id) == indicators.level(ind.id, value, ind.base(both))
    code, text = cli("consolidate", county / "a_huji.xlsx", "-o", out, "--org", "县")
    assert code == 2 and "已存在" in text  # never overwritten without --force
    code, text = cli("consolidate", county / "a_huji.xlsx", county / "f_wrong.xlsx", "-o", out,
                     "--force", "--expect", expected_list, "--org", "县")
    assert code == 1
    assert text.splitlines()[-1].startswith("已汇总 1 份，未汇总 1 份（有错误（退回） 1），未报送 6 个单位")
    code, text = cli("consolidate", county / "h_broken.xlsx", "-o", tmp_path / "x.xlsx", "--org", "县")
    assert code == 2 and "没有可汇总的报告" in text and "Traceback" not in text


def test_the_output_in_an_input_folder_is_not_an_input(tmp_path):
    folder = tmp_path / "镇"
    folder.mkdir()
    xlgbreport.write(GOOD["a_huji.xlsx"], folder / "a.xlsx")
    first = run.consolidate([folder], folder / "汇总.xlsx", org="县")
    again = run.consolidate([folder], folder / "汇总.xlsx", org="县", overwrite=True)
    assert again.extra["totals"] == first.extra["totals"]
    assert any("汇总.xlsx" in n for n in again.notes)


def test_names_that_look_like_formulas_stay_text(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    xlgbreport.write(body("=HYPERLINK(\"http://x\",\"镇\")", 2024, 1), folder / "a.xlsx")
    done = run.consolidate([folder], tmp_path / "out.xlsx", org="=1+1")
    wb = openpyxl.load_workbook(output(done))
    assert wb["汇总状态"]["A4"].data_type == "s"
    assert wb["指标"]["A4"].value.startswith("=HYPERLINK") and wb["指标"]["A4"].data_type == "s"
    assert xlgbreport.read(output(done)).org == "=1+1"


def test_the_expect_list_as_a_workbook_and_as_text(tmp_path):
    book = tmp_path / "名单.xlsx"
    wb = openpyxl.Workbook()
    for row in (("单位名称", "类别"), ("胡集镇 人民政府", "乡镇"), ("县司法局", None), ("胡集镇人民政府", "乡镇")):
        wb.active.append(row)
    wb.save(book)
    assert expect.load(book) == (expect.Expected("胡集镇 人民政府", "乡镇"), expect.Expected("县司法局"))
    text = tmp_path / "名单.txt"
    text.write_bytes("胡集镇人民政府,乡镇\n县 司法局\n".encode("gb18030"))
    assert [(b.key, b.category) for b in expect.load(text)] == [("胡集镇人民政府", "乡镇"),
                                                                 ("县司法局", None)]
    (tmp_path / "空.txt").write_text("\n \n", encoding="utf-8")
    with pytest.raises(xlgbreport.InputError) as err:
        expect.load(tmp_path / "空.txt")
    assert err.value.code == "consolidate.expect_empty"


def test_rates_and_thresholds():
    zero = body("镇", 2024, 1, zero=True)
    assert all(i.value(zero) is None for i in indicators.INDICATORS if i.kind == "rate")
    report = body("镇", 2024, 9)
    rate = indicators.INDICATORS_BY_ID["review_corrected_rate"]
    review = [report.value((APPEALS.id, "review", c)) for c in indicators.DECIDED]
    if sum(review):
        assert rate.value(report) == Decimal(review[1]) / Decimal(sum(review))
    assert indicators.level("withheld_rate", Decimal("0.3"), 30) == "watch"
    assert indicators.level("withheld_rate", Decimal("0.29"), 30) is None
    assert indicators.level("disclosed_rate", None, None) is None
    assert indicators.level("review_corrected_rate", Decimal("0.2"), 100) == "alert"
    assert indicators.change(rate, Decimal("0.25"), Decimal("0.2")) == Decimal("5.00")


def test_the_guide_states_the_thresholds():
    guide = DOCS.read_text(encoding="utf-8")
    for t in indicators.THRESHOLDS:
        label = indicators.INDICATORS_BY_ID[t.indicator].label
        bound = t.at_least if t.at_least is not None else t.below
        assert f"{label}" in guide and f"{bound:.0%}" in guide, (label, bound)


def test_a_missing_folder_is_one_line(tmp_path):
    code, text = cli("consolidate", tmp_path / "没有这个文件夹", "-o", tmp_path / "x.xlsx")
    assert code == 2 and "Traceback" not in text


def test_copies_are_kept_once(tmp_path, county):
    folder = tmp_path / "c"
    folder.mkdir()
    shutil.copy(county / "a_huji.xlsx", folder / "1.xlsx")
    shutil.copy(county / "a_huji.xlsx", folder / "2.xlsx")
    done = run.consolidate([folder], tmp_path / "o.xlsx", org="县")
    assert statuses(done) == [Status.SUMMED, Status.COPY]
    assert xlgbreport.read(output(done)).value(FEE) == Decimal("0.1")


def test_check_finds_a_planted_difference_and_lists_the_missing(tmp_path, county, done,
                                                                expected_list):
    published = xlgbreport.read(output(done))
    key = (REQUESTS.id, REQUESTS.with_role(Role.RESULT)[0].id, "commercial")  # （一）予以公开
    published.cells[key] = published.value(key) + 2
    planted = tmp_path / "published.xlsx"
    xlgbreport.write(published, planted)
    checked = run.check([county], planted, expect_path=expected_list)
    assert [(f.rule, f.table, f.row, f.column) for f in checked.files[0].findings][:1] == [
        ("consolidation.sum", *key)]
    assert {f.column for f in checked.files[0].findings} == {"commercial", "total"}  # and the totals over it
    assert checked.files[0].findings[0].ref.startswith("依申请公开!")
    code, text = cli("consolidate", county, "--check", planted, "--expect", expected_list)
    assert code == 2  # the corrupt file of the county folder
    assert "化雨镇人民政府 未报送" in text and "consolidation.sum" in text
    assert run.check([county], output(done)).files[0].findings == ()


def test_the_frame_passed_is_the_detail_sheet(done, county):
    """frame(): ASCII columns, nullable counts, the fee exact, every readable file with the
    status consolidate gave it; its 通过 rows are the 明细 sheet, row for row."""
    ws = openpyxl.load_workbook(output(done), read_only=True)["明细"]
    sheet = list(ws.iter_rows(values_only=True))
    assert sheet[0] == detail.COLUMNS
    assert len(sheet) - 1 == 4 * len(SCHEMA.keys)  # the four bodies summed, every cell
    df = xlgbreport.frame([county], org="金乡县人民政府")
    assert tuple(df.columns) == detail.FRAME_COLUMNS
    assert str(df["value"].dtype) == "Int64" and str(df["year"].dtype) == "Int64"
    assert str(df["is_total"].dtype) == "boolean"
    assert [p["path"] for p in df.attrs["problems"]] == [str(county / "h_broken.xlsx")]
    assert by_path(done) | {"": "未报送"} == {  # every readable file, with done's status
        **dict(zip(df["path"], df["status"], strict=False)), "": "未报送",
        str(county / "h_broken.xlsx"): "无法读取"}
    fee = df[(df["org"] == "胡集镇人民政府") & (df["row"] == "admin_fees")]
    assert list(fee["amount"]) == [Decimal("0.1"), Decimal("0.1")] and fee["value"].isna().all()
    assert list(fee["status"]) == ["通过", "相同副本"]  # the workbook and its copy in sub/

    def label(r):
        return (r[0], r[2], f"{r[3]} / {r[4]} / {r[5]}", r[6] == "是", r[7])

    passed = df.query("status == '通过'")
    assert sorted(map(label, sheet[1:]), key=repr) == sorted(
        ((r.org, r.year, r.label, r.is_total,
          float(r.amount) if r.amount is not None else None if pd_na(r.value) else r.value)
         for r in passed.itertuples()), key=repr)
    total = passed[(passed["row"] == NEW) & (passed["column"] == "total")]["value"].sum()
    assert total == xlgbreport.read(output(done)).value((REQUESTS.id, NEW, "total"))


def pd_na(value) -> bool:
    import pandas

    return value is pandas.NA


def test_the_charts_sheet_draws_three_charts(done):
    with zipfile.ZipFile(output(done)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    ws = openpyxl.load_workbook(output(done), read_only=True)["图表"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "机关" and len(rows) == 5  # header and the four bodies
    quiet = next(r for r in rows if r[0] == "羊山镇人民政府")
    assert quiet[1:] == (0, 0, 0, 0, 0, 0)


def test_libreoffice_recalculates_the_output_and_its_checks_pass(done):
    """The consolidated workbook as a spreadsheet application sees it: every formula
    recalculated (cached values dropped first), the totals are the sums and 校验 says ✔."""
    (values,) = libreoffice(output(done))
    back = xlgbreport.read(output(done))
    for key in ((REQUESTS.id, FINISHED, "total"), (REQUESTS.id, NEW, "total"),
                (APPEALS.id, "review", "total")):
        assert values[(SCHEMA.table(key[0]).sheet.upper(), LAYOUT.a1(key, sheet=False))] == \
            back.value(key)
    assert str(values[("校验", "B1")]).startswith("✔"), values[("校验", "B1")]


def test_a_dask_cluster_reads_the_same_files(tmp_path, county, done, monkeypatch):
    """--scheduler hands the same work to dask.distributed through its executor interface."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as local:
        code, text = cli("consolidate", county, "-o", tmp_path / "dask.xlsx", "--org", "金乡县人民政府",
                         "--scheduler", local.scheduler_address, "--format", "json")
    summary = json.loads(text)
    assert code == 2  # the corrupt file, as without the cluster
    assert summary["totals"] == json.loads(json.dumps(done.extra["totals"]))
    assert {i["path"]: i["status"] for i in summary["files"]} == {  # done had an --expect list
        k: v for k, v in by_path(done).items() if k}
    code, text = cli("consolidate", county, "-o", tmp_path / "x.xlsx", "--org", "县",
                     "--scheduler", "tcp://127.0.0.1:1",
                     "--scheduler-timeout", "1")  # nobody listens there: no need to wait 10 s
    assert code == 2 and "无法连接" in text


def test_control_characters_in_an_org_are_not_obeyed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    xlgbreport.write(body("\x1b[2J镇\u202e", 2023, 1), folder / "a.xlsx")
    xlgbreport.write(body("另一镇", 2024, 2), folder / "b.xlsx")
    for style in ("text", "json"):
        code, text = cli("consolidate", folder, "-o", tmp_path / f"{style}.xlsx", "--format", style,
                         "--org", "县")
        assert code == 1 and "\x1b" not in text and "\u202e" not in text
    assert "\\u001b" in text and "\\u202e" in text  # the JSON names the org, escaped


def crash_on_b(path):
    """A reader that kills its worker process on one file, as a crashing library would."""
    if Path(path).name == "b.xlsx":
        os._exit(1)
    return READ_ONE(path)


READ_ONE = gather.read_one


def test_a_worker_that_dies_costs_one_file_not_the_batch(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for i, name in enumerate("abcdefghij"):
        xlgbreport.write(body(f"镇{i}", 2024, i), folder / f"{name}.xlsx")
    monkeypatch.setattr(gather, "read_one", crash_on_b)  # forked workers inherit it
    entries = list(gather.read_all(sorted(folder.iterdir())))
    assert [Path(e.path).name for e in entries] == [f"{n}.xlsx" for n in "abcdefghij"]
    assert [e.readable for e in entries] == [True, False] + [True] * 8
    assert "意外退出" in entries[1].error


def test_a_bodys_workbook_is_never_the_output(tmp_path):
    folder = tmp_path / "镇"
    folder.mkdir()
    xlgbreport.write(GOOD["a_huji.xlsx"], folder / "a.xlsx")
    before = (folder / "a.xlsx").read_bytes()
    code, text = cli("consolidate", folder, "-o", folder / "a.xlsx", "--force", "--org", "县")
    assert code == 2 and "不能与输入文件相同" in text
    assert (folder / "a.xlsx").read_bytes() == before


def test_a_report_of_another_format_is_not_summed(monkeypatch, tmp_path):
    """Only the template's format can be summed into it (a 2019 report, from a future importer)."""
    from xlgbreport.actions.validation import FileResult

    other = FileResult(str(tmp_path / "x.json"), Report(org="镇", year=2024, format=xlgbreport.GB2019))
    monkeypatch.setattr(gather, "validate_file", lambda path: other)
    entry = gather.read_one(tmp_path / "x.json")
    assert not entry.readable and "2019" in entry.error


def test_the_command_starts_without_openpyxl_or_pandas():
    """consolidate is a command of the CLI: importing it loads neither the exact reader's
    library nor the optional ones (pandas, dask), so every command starts as fast as before."""
    code = ("import sys, xlgbreport.cli; "
            "assert not {'openpyxl', 'pandas', 'distributed'} & set(sys.modules), sys.modules.keys()")
    subprocess.run([sys.executable, "-c", code], check=True)
