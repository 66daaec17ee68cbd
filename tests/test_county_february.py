"""Issue 19 tried as a county office's February, with the real commands: units made with
``new --from-json``, a GBK/CRLF 单位名单, one unit missing, one unreadable, one of the wrong
year, one sent twice, one 五 copied from another's, one warning explained in the 核实说明 sheet
(typed with openpyxl, as a clerk would) and one not; then consolidate re-run into the same
folder, a prefecture run of two counties, the notices, the sheets and ``frame()``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from engine import SOFFICE, libreoffice
from test_consolidate import NEW, body
from xl_helpers import run as cli

import xlgbreport
from xlgbreport.consolidation.gather import INPUT_KEYS
from xlgbreport.core.gb2021 import REQUESTS
from xlgbreport.files import interchange

COUNTY, OTHER = "金乡县人民政府", "嘉祥县人民政府"
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO.parent / "shared" / "examples"
PLACES = re.compile(r"\d|[一二三四五六七八九十]、|镇|宿迁|淮安")
#: (org, 类别, file) — the county's units as its 单位名单 lists them.
UNITS = (("金乡县胡集镇人民政府", "乡镇", "胡集镇"), ("金乡县羊山镇人民政府", "乡镇", "羊山镇"),
         ("金乡县鸡黍镇人民政府", "乡镇", "鸡黍镇"), ("金乡县化雨镇人民政府", "乡镇", "化雨镇"),
         ("金乡县卜集镇人民政府", "乡镇", "卜集镇"), ("金乡县马庙镇人民政府", "乡镇", "马庙镇"),
         ("金乡县金乡街道办事处", "街道", "金乡街道"), ("金乡县司法局", "部门", "司法局"),
         ("金乡县市场监督管理局", "部门", "市场监督管理局"))
MISSING, UNREADABLE, OLD, TWICE = "市场监督管理局", "化雨镇", "卜集镇", "马庙镇"
SOURCE, COPIER, EXPLAINED, OPEN = "胡集镇", "羊山镇", "金乡街道", "司法局"
REASONS = {"text.number": "核实无误：另有7件为电话咨询，未列入表三",
           "text.length": "核实无误：本年工作较多，篇幅确需超过一千字"}


def sentences() -> list[str]:
    """Distinct sentences of the samples' and examples' own prose, without numbers or place
    names: each unit gets its own, as real units write their own."""
    out: list[str] = []
    for path in [*sorted((REPO / "samples" / "json").glob("*.json")), *sorted(EXAMPLES.glob("*.json"))]:
        for section in json.loads(path.read_text(encoding="utf-8"))["text"].values():
            for s in re.split("(?<=[。；])", re.sub(r"\s+", "", section or "")):
                if 15 <= len(s) <= 120 and not PLACES.search(s) and s not in out:
                    out.append(s)
    return out


def unit_report(org: str, year: int, seed: int, prose: list[str]):
    report = body(org, year, seed)
    short = org.removeprefix("金乡县").removeprefix("嘉祥县")
    report.text.update(overview=f"{year}年，{short}认真贯彻落实政府信息公开条例。" + "".join(prose[:2]),
                       problems=f"{short}的政务公开工作仍有不足。" + prose[2],
                       other_matters=f"本年度{short}未收取信息处理费。" + prose[3])
    return report


def new_from_json(report, target: Path) -> None:
    """The unit's workbook as the county makes it: ``xlgbreport new --from-json``."""
    source = target.parent.parent / "json" / f"{target.stem}.json"
    source.parent.mkdir(exist_ok=True)
    source.write_text(interchange.dumps(report), encoding="utf-8")
    code, out = cli("new", "--from-json", source, "-o", target)
    assert code == 0, out


def clerk_explains(path: Path) -> None:
    """The reasons typed into the 核实说明 sheet's pre-listed rows, with openpyxl."""
    wb = openpyxl.load_workbook(path)
    for row in wb["核实说明"].iter_rows(min_row=4):
        if row[0].value in REASONS:
            row[2].value = REASONS[row[0].value]
    wb.save(path)


@pytest.fixture(scope="module")
def february(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("february")
    folder = root / "各单位2025"
    folder.mkdir()
    prose = sentences()
    reports = {}
    for i, (org, _, name) in enumerate(UNITS):
        if name == MISSING:
            continue
        if name == UNREADABLE:
            (folder / f"{name}.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
            continue
        reports[name] = unit_report(org, 2024 if name == OLD else 2025, i, prose[4 * i:4 * i + 4])
    for name in (EXPLAINED, OPEN):  # a sentence the tables contradict: text.number
        n = reports[name].computed().number((REQUESTS.id, NEW, "total"))
        reports[name].text["overview"] += f"本年度共新收政府信息公开申请{n + 7}件。"
    while len(reports[EXPLAINED].text["overview"]) <= 1000:  # and text.length, on the 校验 sheet
        reports[EXPLAINED].text["overview"] += "我单位按规定及时发布各类政府信息，主动接受社会监督。"
    copied = "".join(prose[60:66])  # 羊山镇's 五 is 胡集镇's with the names changed
    reports[SOURCE].text["problems"] = "胡集镇的政务公开工作仍有不足。" + copied
    reports[COPIER].text["problems"] = "羊山镇的政务公开工作仍有不足。" + copied
    for name, report in reports.items():
        new_from_json(report, folder / f"{name}.xlsx")
    new_from_json(body(reports[TWICE].org, 2025, 99), folder / f"{TWICE}（修改后）.xlsx")
    clerk_explains(folder / f"{EXPLAINED}.xlsx")
    rows = ["单位,类别,上级", f"{COUNTY},县,", *(f"{org},{kind},{COUNTY}" for org, kind, _ in UNITS)]
    (root / "单位名单.csv").write_bytes("\r\n".join(rows).encode("gbk") + b"\r\n")
    other = root / "嘉祥县2025"
    other.mkdir()
    for i, town in enumerate(("嘉祥县梁宝寺镇人民政府", "嘉祥县纸坊镇人民政府")):
        new_from_json(unit_report(town, 2025, 50 + i, prose[40 + 4 * i:44 + 4 * i]), other / f"{i}.xlsx")
    return root


COUNTED = ("胡集镇", "羊山镇", "鸡黍镇", "金乡街道", "司法局")  # summed: 通过 or 有提示未说明


def values(path: Path) -> dict:
    back = xlgbreport.read(path).computed()
    return {k: back.number(k) for k in INPUT_KEYS}


def summed(*paths: Path) -> dict:
    reports = [xlgbreport.read(p).computed() for p in paths]
    return {k: sum(r.number(k) or 0 for r in reports) for k in INPUT_KEYS}


def consolidate(root: Path, *args) -> tuple[int, str]:
    code, out = cli("consolidate", root / "各单位2025", "--units", root / "单位名单.csv", *args)
    assert "Traceback" not in out
    return code, out


@pytest.fixture(scope="module")
def runs(february) -> list[tuple[int, str]]:
    """v1, v2 beside it, then v1 again with --force (and the notices), all into the folder."""
    folder = february / "各单位2025"
    return [consolidate(february, "-o", folder / "汇总v1.xlsx"),
            consolidate(february, "-o", folder / "汇总v2.xlsx"),
            consolidate(february, "-o", folder / "汇总v1.xlsx", "--force",
                        "--notices", february / "反馈2025")]


def last_line(out: str) -> str:
    return out.strip().splitlines()[-1]


def test_rerunning_into_the_folder_ends_as_the_first_run_did(february, runs):
    folder = february / "各单位2025"
    units = summed(*(folder / f"{n}.xlsx" for n in COUNTED))
    assert values(folder / "汇总v1.xlsx") == values(folder / "汇总v2.xlsx") == units
    codes = {code for code, _ in runs}
    assert codes == {2}  # an unreadable file, each time: not 1 then 2 then 2
    first = last_line(runs[0][1])
    assert first.startswith("已汇总 5 份，未汇总 4 份（重复 2、年度不符 1、无法读取 1），未报送 1 个单位")
    for _, out in runs[1:]:  # the earlier summary is named, but not counted as 未汇总
        assert last_line(out).startswith("已汇总 5 份，未汇总 4 份（重复 2、年度不符 1、无法读取 1），"
                                         "另有汇总表 1 份未计入，未报送 1 个单位")
        assert "汇总表（未计入）：是汇总工作簿（含 5 个单位）" in out
    # the year is the units': the summaries beside them are not counted as reports of 2025
    assert all("2024 年 1 份、2025 年 7 份" in out for _, out in runs)
    assert "化雨镇.xlsx 无法读取：已损坏" in runs[0][1]  # the file named once


def test_a_clean_county_rerun_beside_its_summary_or_a_copy_exits_0(february, tmp_path):
    folder = tmp_path / "嘉祥县2025"
    shutil.copytree(february / "嘉祥县2025", folder)
    for name in ("v1.xlsx", "v2.xlsx"):
        code, out = cli("consolidate", folder, "-o", folder / name, "--org", OTHER)
        assert code == 0, out
    assert last_line(out).startswith("已汇总 2 份，未汇总 0 份，另有汇总表 1 份未计入")
    shutil.copy(folder / "0.xlsx", folder / "0（副本）.xlsx")  # sent twice, the same file: counted once
    code, out = cli("consolidate", folder, "-o", tmp_path / "v3.xlsx", "--org", OTHER, "--notices", tmp_path / "n")
    assert code == 0, out
    assert last_line(out).startswith("已汇总 2 份，未汇总 0 份，另有相同副本 1 份按一份计，另有汇总表 2 份未计入")
    assert [p.name for p in (tmp_path / "n").iterdir()] == [f"{OTHER}_汇总情况通报.docx"]  # no one to tell


def test_a_prefecture_of_two_county_summaries_is_the_sum_of_all_their_units(february, runs, tmp_path):
    counties = tmp_path / "各县"
    counties.mkdir()
    shutil.copy(february / "各单位2025" / "汇总v1.xlsx", counties / "金乡县.xlsx")
    code, out = cli("consolidate", february / "嘉祥县2025", "-o", counties / "嘉祥县.xlsx", "--org", OTHER)
    assert code == 0, out
    code, out = cli("consolidate", counties, "-o", tmp_path / "济宁市.xlsx", "--org", "济宁市人民政府")
    assert code == 0, out
    units = [february / "各单位2025" / f"{n}.xlsx" for n in COUNTED]
    units += sorted((february / "嘉祥县2025").glob("[0-9].xlsx"))
    assert values(tmp_path / "济宁市.xlsx") == summed(*units)


def status_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path, read_only=True)["汇总状态"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_the_status_sheet_is_grouped_by_category_with_every_unit_once(february, runs):
    rows = status_rows(february / "各单位2025" / "汇总v1.xlsx")
    kinds = [r["类别"] for r in rows]
    assert kinds == sorted(kinds, key=lambda k: ["乡镇", "街道", "部门", None].index(k))
    listed = [r["机关"] for r in rows if r["类别"]]
    assert sorted(set(listed)) == sorted(org for org, _, _ in UNITS)
    assert listed.count("金乡县马庙镇人民政府") == 2 and len(listed) == len(UNITS) + 1  # two files
    status = {Path(r["文件"]).stem: r for r in rows if r["文件"]}
    by = {r["机关"].removeprefix("金乡县").removesuffix("人民政府").removesuffix("办事处"): r for r in rows}
    assert by[EXPLAINED]["状态"] == "通过" and by[EXPLAINED]["已说明"] == 2 and by[EXPLAINED]["提示数"] == 0
    assert by[OPEN]["状态"] == by[COPIER]["状态"] == by[SOURCE]["状态"] == "有提示未说明"
    assert by["市场监督管理局"]["状态"] == "未报送" and by[OLD]["状态"] == "年度不符"
    summary = status["汇总v2"]
    assert summary["状态"] == "汇总表（未计入）" and "不在应报名单中" not in summary["说明"]


def test_the_copy_sheet_names_both_units_and_nothing_else(february, runs):
    ws = openpyxl.load_workbook(february / "各单位2025" / "汇总v1.xlsx", read_only=True)["雷同"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert sorted((r[0], r[2]) for r in rows) == [("金乡县羊山镇人民政府", "金乡县胡集镇人民政府"),
                                                  ("金乡县胡集镇人民政府", "金乡县羊山镇人民政府")]
    assert {r[1] for r in rows} == {"五、存在的主要问题及改进情况"}


def test_notices_go_to_units_only_and_read_back(february, runs):
    folder = february / "反馈2025"
    names = sorted(p.name for p in folder.iterdir())
    assert f"{COUNTY}_反馈意见.docx" not in names  # the county's own earlier summary is no unit
    assert f"{COUNTY}_汇总情况通报.docx" in names
    for name in (MISSING, UNREADABLE, OLD, OPEN, SOURCE, COPIER):
        assert any(name in n for n in names), name
    assert not any(EXPLAINED in n or "鸡黍镇" in n for n in names)
    notice = docx.Document(folder / "金乡县司法局_反馈意见.docx")
    text = "\n".join(p.text for p in notice.paragraphs) + "".join(
        c.text for t in notice.tables for r in t.rows for c in r.cells)
    assert "文字说明!B3" in text and "text.number" in text and "有提示未说明" in text
    report = docx.Document(folder / f"{COUNTY}_汇总情况通报.docx")
    table = [[c.text for c in r.cells] for t in report.tables for r in t.rows]
    assert "汇总表（未计入）" not in {row[0] for row in table}
    assert sum(int(row[1]) for row in table[1:]) == len(UNITS) + 1  # every unit's file, and the missing


def test_validate_shows_the_reasons_in_text_and_json(february):
    path = february / "各单位2025" / f"{EXPLAINED}.xlsx"
    code, out = cli("validate", path)
    assert code == 0 and "无错误，2 处提示已说明" in out and REASONS["text.length"] in out
    code, out = cli("validate", "--format", "json", path)
    found = {f["rule"]: f.get("explanation") for f in json.loads(out)["files"][0]["findings"]}
    assert code == 0 and found == REASONS


def test_frame_has_the_statuses_of_consolidate(february, runs):
    df = xlgbreport.frame([february / "各单位2025"], units=february / "单位名单.csv")
    sheet = {r["文件"]: r["状态"] for r in status_rows(february / "各单位2025" / "汇总v1.xlsx") if r["文件"]}
    framed = {Path(p).name: s for p, s in df.groupby("path")["status"].first().items()}
    assert framed.pop("汇总v1.xlsx") == "汇总表（未计入）"  # the sheet's own workbook, read back
    assert framed == {Path(p).name: s for p, s in sheet.items() if not p.endswith("化雨镇.xlsx")}
    assert framed[f"{COPIER}.xlsx"] == "有提示未说明"  # its text.copied, as in consolidate
    assert [p["path"] for p in df.attrs["problems"]] == [str(february / "各单位2025" / "化雨镇.xlsx")]
    passed = df.query("status == '通过'")
    assert sorted(set(passed.org)) == sorted(r["机关"] for r in status_rows(
        february / "各单位2025" / "汇总v1.xlsx") if r["状态"] == "通过")


@pytest.mark.slow
def test_the_check_sheet_after_libreoffice_and_a_notice_as_pdf(february, runs, tmp_path):
    assert SOFFICE is not None, "LibreOffice (soffice) is needed"
    cells = libreoffice(february / "各单位2025" / f"{EXPLAINED}.xlsx")[0]
    assert cells[("校验", "B1")] == "✔ 无错误，1 处提示已说明"  # text.number is not on the sheet
    assert REASONS["text.length"] in {v for (sheet, _), v in cells.items() if sheet == "校验"}
    notice = february / "反馈2025" / "金乡县司法局_反馈意见.docx"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(notice)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / notice.with_suffix(".pdf").name), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert "金乡县司法局" in text and "文字说明!B3" in text and text.count("\f") == 1  # one page


def test_a_reason_typed_with_a_full_width_mark_is_named_not_silently_dropped(february, tmp_path):
    """The IME types ！ for !: the reason does not count (the 校验 sheet matches exactly, and so
    does Python), but validate says which one and how it should read."""
    path = tmp_path / "typed.xlsx"
    shutil.copy(february / "各单位2025" / f"{OPEN}.xlsx", path)
    wb = openpyxl.load_workbook(path)
    ws = wb["核实说明"]
    ws["A4"], ws["B4"], ws["C4"] = "text.number ", "文字说明！B3", REASONS["text.number"]
    wb.save(path)
    code, out = cli("validate", path)
    assert code == 0 and "1 处提示" in out and "已说明" not in out.splitlines()[-2]
    assert "typed.xlsx 核实说明“text.number ”“文字说明！B3”与提示所列“text.number”“文字说明!B3”写法不同" in out


def test_a_notice_for_errors_lists_them_without_the_countys_own_options(february, tmp_path):
    folder = tmp_path / "嘉祥县2025"
    shutil.copytree(february / "嘉祥县2025", folder)
    wrong = interchange.load(REPO / "samples" / "json" / "errors_demo_2023.json")
    wrong.org, wrong.year = "嘉祥县示例镇人民政府", 2025
    new_from_json(wrong, folder / "示例镇.xlsx")
    code, out = cli("consolidate", folder, "-o", tmp_path / "s.xlsx", "--org", OTHER, "--notices", tmp_path / "n")
    assert code == 1 and "示例镇.xlsx 有错误（退回）：有 5 处错误" in out
    notice = docx.Document(tmp_path / "n" / "嘉祥县示例镇人民政府_反馈意见.docx")
    text = "\n".join(p.text for p in notice.paragraphs)
    cells = [[c.text for c in r.cells] for t in notice.tables for r in t.rows]
    assert "需要改正的错误" in text and "--include-invalid" not in text  # the county's option, not theirs
    assert len(cells) == 6 and "依申请公开!D5" in {row[1] for row in cells}
