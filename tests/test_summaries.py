"""Summaries are never counted as units, a run of summaries is checked for units counted twice,
and the units' tree (``--units``) drives the 汇总状态 sheet (issue 19, items 1 and 3)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from engine import SOFFICE
from test_consolidate import FEE, body, by_path, output
from xl_helpers import run as cli

import xlgbreport
from xlgbreport.consolidation import members, run
from xlgbreport.consolidation.decide import TABLE, Facts, Status, judge
from xlgbreport.consolidation.gather import INPUT_KEYS
from xlgbreport.errors import InputError

COUNTY = "金乡县人民政府"
TOWNS = ("胡集镇人民政府", "羊山镇人民政府", "鸡黍镇人民政府")


def towns(folder: Path, names=TOWNS, seed: int = 0) -> list[xlgbreport.Report]:
    folder.mkdir(parents=True, exist_ok=True)
    reports = [body(name, 2024, seed + i, "0.1") for i, name in enumerate(names)]
    for i, report in enumerate(reports):
        xlgbreport.write(report, folder / f"{i}_{report.org}.xlsx")
    return reports


def sums(reports) -> dict:
    return {k: sum(r.value(k) for r in reports) for k in INPUT_KEYS}


def values(path: Path) -> dict:
    back = xlgbreport.read(path)
    return {k: back.value(k) for k in INPUT_KEYS}


def test_the_decision_table_is_one_table_and_every_status_is_reachable():
    assert {row.status for row in TABLE} == set(Status)
    assert judge(Facts(open_warnings=2)) == judge(Facts(open_warnings=2, explained_warnings=1))
    assert judge(Facts(open_warnings=0, explained_warnings=3)).status is Status.SUMMED
    assert not judge(Facts(errors=1, open_warnings=0, explained_warnings=5)).counted
    assert judge(Facts(errors=1, include_invalid=True)).counted
    assert judge(Facts(summary=True, errors=1)).status is Status.SUMMARY


def test_rerunning_into_the_input_folder_never_changes_the_totals(tmp_path):
    """v1, then v2 beside it, then v1 again with --force: each sums the towns once."""
    folder = tmp_path / "各单位2025"
    reports = towns(folder)
    runs = [("汇总v1.xlsx", False), ("汇总v2.xlsx", False), ("汇总v1.xlsx", True)]
    for name, force in runs:
        done = run.consolidate([folder], folder / name, org=COUNTY, overwrite=force)
        assert values(folder / name) == sums(reports)
        assert done.headline.startswith("已汇总 3 份")
    status = by_path(done)
    assert status[str(folder / "汇总v2.xlsx")] == "汇总表（未计入）"
    assert str(folder / "汇总v1.xlsx") not in status  # the output itself is no input
    assert [m[0] for m in members.read(folder / "汇总v1.xlsx")] == list(TOWNS)


def test_a_summary_is_skipped_whatever_its_name_and_so_is_the_orgs_own_workbook(tmp_path):
    folder = tmp_path / "in"
    reports = towns(folder)
    run.consolidate([folder], tmp_path / "s.xlsx", org=COUNTY)
    shutil.copy(tmp_path / "s.xlsx", folder / "sub_胡集镇.xlsx")  # a summary, named like a town
    xlgbreport.write(body(COUNTY, 2024, 99), folder / "hand_made.xlsx")  # the county's own, unmarked
    done = run.consolidate([folder], tmp_path / "again.xlsx", org=" 金乡县 人民政府")
    status = by_path(done)
    assert status[str(folder / "sub_胡集镇.xlsx")] == status[str(folder / "hand_made.xlsx")] == \
        Status.SUMMARY.value
    assert values(output(done)) == sums(reports)
    assert "未汇总 0 份，另有汇总表 2 份未计入" in done.headline  # nothing to do: not 未汇总


def test_the_mark_and_members_survive_a_libreoffice_save(tmp_path):
    folder = tmp_path / "in"
    reports = towns(folder)
    run.consolidate([folder], tmp_path / "s.xlsx", org=COUNTY)
    profile = tmp_path / "profile"
    assert SOFFICE is not None, "LibreOffice (soffice) is needed"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(tmp_path / "s.xlsx")],
                   check=True, capture_output=True, timeout=180)
    saved = tmp_path / "lo" / "s.xlsx"
    assert members.read(saved) == members.read(tmp_path / "s.xlsx") and len(members.read(saved)) == 3
    assert openpyxl.load_workbook(saved, read_only=True)[members.SHEET].sheet_state != "visible"
    shutil.copy(saved, folder / "县汇总（另存）.xlsx")
    done = run.consolidate([folder], tmp_path / "again.xlsx", org="别的名字")
    assert by_path(done)[str(folder / "县汇总（另存）.xlsx")] == Status.SUMMARY.value
    assert values(output(done)) == sums(reports)


def test_a_prefecture_sums_county_summaries_and_refuses_a_unit_counted_twice(tmp_path):
    a = towns(tmp_path / "甲县", ("甲一镇", "甲二镇"), seed=10)
    b = towns(tmp_path / "乙县", ("乙一镇",), seed=20)
    run.consolidate([tmp_path / "甲县"], tmp_path / "甲县汇总.xlsx", org="甲县人民政府")
    run.consolidate([tmp_path / "乙县"], tmp_path / "乙县汇总.xlsx", org="乙县人民政府")
    counties = [tmp_path / "甲县汇总.xlsx", tmp_path / "乙县汇总.xlsx"]
    city = run.consolidate(counties, tmp_path / "市.xlsx", org="某市人民政府")  # all summaries: units
    assert values(output(city)) == sums([*a, *b]) and xlgbreport.read(output(city)).value(FEE) == \
        sum(r.value(FEE) for r in (*a, *b))
    assert [m[0] for m in members.read(output(city))] == ["甲一镇", "甲二镇", "乙一镇"]  # the leaves
    # the city's own department beside the county summaries: --summaries says they are units
    xlgbreport.write(body("某市司法局", 2024, 30), tmp_path / "市司法局.xlsx")
    mixed = run.consolidate([*counties, tmp_path / "市司法局.xlsx"], tmp_path / "市2.xlsx",
                            org="某市人民政府", summaries=True)
    assert len(mixed.files) == 3 and all(f.valid for f in mixed.files)
    with pytest.raises(InputError) as directly:  # a town both on its own and inside 甲县
        run.consolidate([*counties, tmp_path / "甲县" / "0_甲一镇.xlsx"], tmp_path / "x.xlsx",
                        org="某市人民政府", summaries=True)
    assert directly.value.code == "consolidate.counted_twice"
    assert all(n in directly.value.message for n in ("甲一镇", "甲县汇总.xlsx", "0_甲一镇.xlsx"))
    shutil.copy(tmp_path / "乙县" / "0_乙一镇.xlsx", tmp_path / "甲县" / "2_乙一镇.xlsx")
    run.consolidate([tmp_path / "甲县"], tmp_path / "甲县汇总2.xlsx", org="甲县人民政府")
    code, text = cli("consolidate", tmp_path / "甲县汇总2.xlsx", tmp_path / "乙县汇总.xlsx",
                     "-o", tmp_path / "y.xlsx", "--org", "某市人民政府")
    assert code == 2 and "乙一镇 会被计入两次" in text and "甲县汇总2.xlsx" in text


UNITS = ("单位,类别,上级\r\n金乡县人民政府,县,\r\n胡集镇人民政府,乡镇,金乡县人民政府\r\n"
         "金乡县司法局,部门,金乡县人民政府\r\n羊山镇人民政府,乡镇,金乡县人民政府\r\n"
         "王丕街道办事处,街道,金乡县人民政府\r\n化雨镇人民政府,乡镇,金乡县人民政府\r\n")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_the_units_tree_drives_the_status_sheet(tmp_path, encoding):
    folder = tmp_path / "in"
    towns(folder, ("胡集镇人民政府", "金乡县司法局", "羊山镇人民政府"))
    (folder / "化雨镇.xlsx").write_bytes(b"PK\x03\x04 broken")  # unreadable, named after its unit
    listed = tmp_path / "单位名单.csv"
    listed.write_bytes(UNITS.encode(encoding))
    code, text = cli("consolidate", folder, "-o", tmp_path / "s.xlsx", "--units", listed,
                     "--prior", folder)
    assert code == 2, text
    assert text.splitlines()[-1].startswith("已汇总 3 份，未汇总 1 份（无法读取 1），未报送 1 个单位")
    back = xlgbreport.read(tmp_path / "s.xlsx")
    assert back.org == COUNTY  # the list's root names the summary
    assert back.meta.get("prior") == str(folder.resolve())  # 封面 上年工作簿
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx", read_only=True)["汇总状态"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True)]
    assert [(r[0], r[1], r[4]) for r in rows] == [
        ("胡集镇人民政府", "乡镇", "通过"), ("羊山镇人民政府", "乡镇", "通过"),
        ("化雨镇人民政府", "乡镇", "无法读取"), ("金乡县司法局", "部门", "通过"),
        ("王丕街道办事处", "街道", "未报送")]  # each unit once, grouped by 类别 in the list's order


def test_a_units_workbook_and_its_bad_rows(tmp_path):
    wb = openpyxl.Workbook()
    for row in (("单位", "类别", "上级"), ("某县", "县", None), ("甲镇", "乡镇", "某县"),
                (None, "乡镇", "某县"), ("甲镇", "乡镇", "某县"), ("乙镇", "乡镇", "乙镇")):
        wb.active.append(row)
    wb.save(tmp_path / "名单.xlsx")
    with pytest.raises(InputError) as bad:
        xlgbreport.consolidate([tmp_path], tmp_path / "o.xlsx", units=tmp_path / "名单.xlsx")
    assert bad.value.code == "consolidate.units_rows" and len(bad.value.problems) == 3
    assert "第 4 行" in bad.value.message and "第 5 行：甲镇 已在第 3 行出现" in bad.value.message
    (tmp_path / "名单.csv").write_text("单位,类别\n甲镇,乡镇\n", encoding="utf-8")
    with pytest.raises(InputError, match="上级"):
        xlgbreport.consolidate([tmp_path], tmp_path / "o.xlsx", units=tmp_path / "名单.csv")


def test_no_org_is_a_chinese_usage_error_and_no_list_no_missing_line(tmp_path):
    folder = tmp_path / "in"
    towns(folder, TOWNS[:1])
    code, text = cli("consolidate", folder, "-o", tmp_path / "s.xlsx")
    assert code == 2 and "--org" in text and "Usage" not in text
    with pytest.raises(InputError, match="--org"):
        xlgbreport.consolidate([folder], tmp_path / "s.xlsx")
    code, text = cli("consolidate", folder, "-o", tmp_path / "s.xlsx", "--org", COUNTY)
    assert code == 0 and "未报送" not in text
    (tmp_path / "名单.csv").write_text(UNITS, encoding="utf-8")
    code, text = cli("consolidate", folder, "--check", tmp_path / "s.xlsx", "--units", tmp_path / "名单.csv")
    assert code == 1 and "金乡县司法局 未报送" in text and "化雨镇人民政府 未报送" in text  # under its org
    code, text = cli("consolidate", folder, "-o", tmp_path / "t.xlsx", "--units", tmp_path / "名单.csv",
                     "--expect", tmp_path / "名单.csv")
    assert code == 2 and "只能用一个" in text



def test_the_mark_is_found_in_linear_time_on_a_hostile_workbook_part(tmp_path):
    """workbook.xml is untrusted: the search for the mark stays linear on its worst input."""
    import time
    import zipfile

    def timed(n: int) -> float:
        path = tmp_path / f"{n}.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/workbook.xml", "<definedName " * (n // 13) + 'name="x"')
        start = time.perf_counter()
        assert not members.marked(path)
        return time.perf_counter() - start

    assert timed(2 << 20) < 4 * timed(1 << 20) + 0.2


def test_one_units_list_serves_the_county_and_the_prefecture(tmp_path):
    """Each level expects only the units whose 上级 it is."""
    listed = tmp_path / "名单.csv"
    listed.write_text("单位\t类别\t上级\n某市人民政府\t市\t\n甲县人民政府\t县\t某市人民政府\n"
                      "甲一镇\t乡镇\t甲县人民政府\n甲二镇\t乡镇\t甲县人民政府\n乙县人民政府\t县\t某市人民政府\n"
                      "乙一镇\t乡镇\t乙县人民政府\n某市司法局\t部门\t某市人民政府\n", encoding="utf-8")
    a = towns(tmp_path / "甲县", ("甲一镇",), seed=40)
    b = towns(tmp_path / "乙县", ("乙一镇",), seed=50)
    county = run.consolidate([tmp_path / "甲县"], tmp_path / "甲.xlsx", org="甲县人民政府", units_path=listed)
    assert [(f.extra["org"], f.extra["status"]) for f in county.files] == [("甲一镇", "通过"),
                                                                          ("甲二镇", "未报送")]
    run.consolidate([tmp_path / "乙县"], tmp_path / "乙.xlsx", org="乙县人民政府", units_path=listed)
    city = run.consolidate([tmp_path / "甲.xlsx", tmp_path / "乙.xlsx"], tmp_path / "市.xlsx",
                           units_path=listed)
    assert xlgbreport.read(output(city)).org == "某市人民政府" and values(output(city)) == sums([*a, *b])
    assert [(f.extra["org"], f.extra["category"], f.extra["status"]) for f in city.files] == [
        ("甲县人民政府", "县", "有提示未说明"), ("乙县人民政府", "县", "有提示未说明"),
        ("某市司法局", "部门", "未报送")]
