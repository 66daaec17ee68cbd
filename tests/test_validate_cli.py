"""``xlgbreport validate``: text and JSON output, exit codes, batches, on real workbooks.

Workbooks are made from interchange JSON through the front door (the real reports in
shared/examples and the samples), then validated as a clerk's or CI's command would.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from xl_helpers import new_workbook, run, validate_json, within_limit

from xlgbreport.cli.validate import NO_PRIOR_BATCH
from xlgbreport.core.findings import SUMMARY_OK

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "data" / "examples"  # copies of shared/examples
SAMPLES = ROOT / "samples" / "json"
ERRORS_DEMO = SAMPLES / "errors_demo_2023.json"
SUQIAN_2024 = EXAMPLES / "suqian_2024.json"

FINDING_KEYS = {"rule", "severity", "table", "row", "column", "sheet", "cell", "expected", "actual",
                "message"}


def load(path: Path) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    within_limit(doc.get("text") or {})
    return doc


def only(doc: dict) -> dict:
    (entry,) = doc["files"]
    return entry


def findings_at(entry: dict) -> set[tuple]:
    return {(f["rule"], f["table"], f["row"], f["column"], f["sheet"], f["cell"]) for f in entry["findings"]}


def console_script() -> str:
    """The installed ``xlgbreport`` command beside this interpreter (a venv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("xlgbreport")
    found = str(beside) if beside.exists() else shutil.which("xlgbreport")
    assert found, "the xlgbreport console script is not installed"
    return found


# --- the real reports: valid, big numbers kept -------------------------------------------

@pytest.mark.parametrize("name", ["huaian_szf_2024", "suqian_2023", "suqian_2024"])
def test_real_reports_are_valid(tmp_path, name):
    source = EXAMPLES / f"{name}.json"
    data = load(source)
    book = new_workbook(source, tmp_path / f"{name}.xlsx")
    code, doc = validate_json(book)
    entry = only(doc)
    assert code == 0
    assert entry["valid"] is True and entry["findings"] == []
    assert (entry["org"], entry["year"]) == (data["org"], data["year"])
    # the numbers a clerk sees in the workbook are the report's, the big ones included
    code, output = run("export", book)
    assert code == 0
    exported = json.loads(output)
    assert exported["proactive"] == data["proactive"]
    assert exported["requests"]["1"]["total"] == data["requests"]["1"]["total"]


def test_huaian_big_numbers_survive(tmp_path):
    data = load(EXAMPLES / "huaian_szf_2024.json")
    assert data["proactive"]["penalty"]["decisions"] == 3985758
    book = new_workbook(EXAMPLES / "huaian_szf_2024.json", tmp_path / "huaian.xlsx")
    exported = json.loads(run("export", book)[1])
    assert exported["proactive"]["penalty"]["decisions"] == 3985758
    assert exported["requests"]["1"]["total"] == 3119


@pytest.mark.parametrize("name", ["biaokouzhen_2022", "huimengzhen_2021"])
def test_balanced_samples_are_valid(tmp_path, name):
    book = new_workbook(SAMPLES / f"{name}.json", tmp_path / f"{name}.xlsx")
    code, doc = validate_json(book)
    assert code == 0 and only(doc)["valid"] is True


def test_hujizhen_blanks_are_reported_not_guessed(tmp_path):
    """87 blank cells, 13 of them totals (computed, so not blank themselves): 74 value.blank."""
    book = new_workbook(SAMPLES / "hujizhen_2022.json", tmp_path / "hujizhen.xlsx")
    code, doc = validate_json(book)
    entry = only(doc)
    assert code == 1 and entry["valid"] is False
    # and the wrong year of its 六 (2021年度 in a 2022 report), a warning
    assert {f["rule"] for f in entry["findings"]} == {"value.blank", "text.year"}
    entry["findings"] = [f for f in entry["findings"] if f["rule"] == "value.blank"]
    assert len(entry["findings"]) == 74
    blank = {(f["table"], f["row"], f["column"]) for f in entry["findings"]}
    assert ("proactive", "coercion", "decisions") in blank
    assert ("proactive", "admin_fees", "amount") in blank
    assert ("requests", "1", "natural_person") in blank
    assert ("appeals", "review", "upheld") in blank
    assert not any(col == "total" for _, _, col in blank)


# The five deliberate errors of errors_demo_2023 (samples/json/README.md), exactly as the
# findings document must give them.
DEMO_FINDINGS = [
    {"rule": "requests.balance", "table": "requests", "row": "1", "column": "natural_person",
     "sheet": "依申请公开", "cell": "D5", "expected": 14, "actual": 13,
     "message": "自然人列：一（12）+ 二（2）≠（七）总计（12）+ 四（1）"},
    {"rule": "requests.row_total", "table": "requests", "row": "3.1", "column": "total",
     "sheet": "依申请公开", "cell": "J7", "expected": 8, "actual": 9},
    {"rule": "appeals.group_total", "table": "appeals", "row": "review", "column": "total",
     "sheet": "复议诉讼", "cell": "E5", "expected": 3, "actual": 4},
    {"rule": "value.blank", "table": "requests", "row": "3.5.2", "column": "research",
     "sheet": "依申请公开", "cell": "F21", "expected": None, "actual": None},
    {"rule": "value.invalid", "table": "proactive", "row": "licensing", "column": "decisions",
     "sheet": "主动公开", "cell": "B8", "expected": None, "actual": -1},
]
# What the README lists as following from (a) and (b) by arithmetic.
DEMO_CASCADE = {("requests.balance", "requests", "total"), ("requests.results_total", "requests", "total")}


def test_errors_demo_findings_document(tmp_path):
    book = new_workbook(ERRORS_DEMO, tmp_path / "errors_demo_2023.xlsx")
    code, doc = validate_json(book)
    entry = only(doc)
    assert code == 1
    assert entry["path"] == str(book)
    assert (entry["org"], entry["year"], entry["valid"]) == ("示例镇人民政府", 2023, False)
    for f in entry["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["severity"] == "error"
        assert f["message"] and any("\u4e00" <= ch <= "\u9fff" for ch in f["message"])
    for want in DEMO_FINDINGS:
        got = [f for f in entry["findings"]
               if (f["rule"], f["table"], f["row"], f["column"]) ==
               (want["rule"], want["table"], want["row"], want["column"])]
        assert len(got) == 1, want
        assert {k: got[0][k] for k in want} == want
    listed = {(w["rule"], w["table"], w["row"], w["column"]) for w in DEMO_FINDINGS}
    extra = {(f["rule"], f["table"], f["column"]) for f in entry["findings"]
             if (f["rule"], f["table"], f["row"], f["column"]) not in listed}
    assert extra <= DEMO_CASCADE


def test_validating_the_json_itself_agrees_with_the_workbook(tmp_path):
    book = new_workbook(ERRORS_DEMO, tmp_path / "demo.xlsx")
    from_book = only(validate_json(book)[1])["findings"]
    from_json = only(validate_json(ERRORS_DEMO)[1])["findings"]
    strip = [{k: v for k, v in f.items() if k not in ("sheet", "cell")} for f in from_book]
    assert strip == [{k: v for k, v in f.items() if k not in ("sheet", "cell")} for f in from_json]
    assert all(f["sheet"] is None and f["cell"] is None for f in from_json)


# --- unbalanced variants of a valid real report ---------------------------------------------

def _bump(path: tuple[str, str, str], by: int = 1):
    def change(data: dict) -> None:
        table, row, col = path
        data[table][row][col] += by
    return change


VARIANTS = {
    # one applicant count too many in 一: the column no longer balances, nor does row 1's total
    "new_natural_person": (_bump(("requests", "1", "natural_person")), {
        ("requests.balance", "requests", "1", "natural_person", "依申请公开", "D5"),
        ("requests.row_total", "requests", "1", "total", "依申请公开", "J5"),
    }),
    # a result row off by one: its row total and its column's （七）总计 no longer hold
    "disclosed_commercial": (_bump(("requests", "3.1", "commercial")), {
        ("requests.row_total", "requests", "3.1", "total", "依申请公开", "J7"),
        ("requests.results_total", "requests", "3.7", "commercial", "依申请公开", "E28"),
    }),
    # 四 off by one: the balance of that column, and row 4's total
    "carried_next_other": (_bump(("requests", "4", "other"), 2), {
        ("requests.balance", "requests", "1", "other", "依申请公开", "I5"),
        ("requests.row_total", "requests", "4", "total", "依申请公开", "J29"),
    }),
    "review_upheld": (_bump(("appeals", "review", "upheld")), {
        ("appeals.group_total", "appeals", "review", "total", "复议诉讼", "E5"),
    }),
    "litigation_after_review_pending": (_bump(("appeals", "litigation_after_review", "pending")), {
        ("appeals.group_total", "appeals", "litigation_after_review", "total", "复议诉讼", "O5"),
    }),
    "blank_cell": (lambda d: d["requests"]["3.2"].update(research=None), {
        ("value.blank", "requests", "3.2", "research", "依申请公开", "F8"),
    }),
    "negative_count": (lambda d: d["proactive"]["penalty"].update(decisions=-5), {
        ("value.invalid", "proactive", "penalty", "decisions", "主动公开", "B11"),
    }),
    "fractional_count": (lambda d: d["appeals"]["litigation_direct"].update(upheld=1.5), {
        ("value.invalid", "appeals", "litigation_direct", "upheld", "复议诉讼", "F5"),
        ("appeals.group_total", "appeals", "litigation_direct", "total", "复议诉讼", "J5"),
    }),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_unbalanced_variant(tmp_path, name):
    change, expected = VARIANTS[name]
    data = load(SUQIAN_2024)
    changed = copy.deepcopy(data)
    change(changed)
    book = new_workbook(changed, tmp_path / f"{name}.xlsx")
    code, doc = validate_json(book)
    entry = only(doc)
    assert code == 1 and entry["valid"] is False
    assert findings_at(entry) == expected


def test_variant_expected_and_actual(tmp_path):
    data = load(SUQIAN_2024)
    data["requests"]["1"]["natural_person"] += 1  # 3441 instead of 3440
    entry = only(validate_json(new_workbook(data, tmp_path / "v.xlsx"))[1])
    balance = next(f for f in entry["findings"] if f["rule"] == "requests.balance")
    assert (balance["expected"], balance["actual"]) == (3441 + 118, 3440 + 118)
    row_total = next(f for f in entry["findings"] if f["rule"] == "requests.row_total")
    assert (row_total["expected"], row_total["actual"]) == (3526, 3525)


# --- text output ------------------------------------------------------------------------------

def test_text_output_lines(tmp_path):
    data = load(SUQIAN_2024)
    data["requests"]["1"]["natural_person"] += 1
    data["requests"]["1"]["total"] += 1  # row 1 adds up; the 自然人 and 总计 columns do not balance
    book = new_workbook(data, tmp_path / "胡集镇.xlsx")
    code, output = run("validate", book)
    assert code == 1
    lines = output.splitlines()
    assert lines == [
        "胡集镇.xlsx 依申请公开!D5 [requests.balance] 自然人列：一（3441）+ 二（118）≠（七）总计（3440）+ 四（118）",
        "胡集镇.xlsx 依申请公开!J5 [requests.balance] 总计列：一（3526）+ 二（121）≠（七）总计（3521）+ 四（125）",
        "✘ 胡集镇.xlsx：2 处错误（宿迁市人民政府 2024）",
        "1 个文件没有上年数据（--prior 或封面“上年工作簿”），跨年度检查已跳过",
    ]
    assert "Traceback" not in output


def test_one_summary_line_per_file_in_a_folder(tmp_path):
    folder = tmp_path / "towns"
    folder.mkdir()
    new_workbook(SUQIAN_2024, folder / "a_good.xlsx")
    new_workbook(ERRORS_DEMO, folder / "b_demo.xlsx")
    sub = folder / "sub"
    sub.mkdir()
    new_workbook(EXAMPLES / "suqian_2023.json", sub / "c_good.xlsx")
    (folder / "notes.txt").write_text("不是工作簿", encoding="utf-8")  # not collected
    code, output = run("validate", folder)
    assert code == 1
    *lines, last = output.splitlines()
    assert last == NO_PRIOR_BATCH.format(n=3)  # said once for the batch
    summaries = [line for line in lines if line[:2] in ("✔ ", "✘ ")]
    assert [s[2:].split("：")[0] for s in summaries] == ["a_good.xlsx", "b_demo.xlsx", "c_good.xlsx"]
    mark, text = SUMMARY_OK.split(" ")
    assert summaries[0] == f"{mark} a_good.xlsx：{text}（宿迁市人民政府 2024）"
    assert summaries[1].startswith("✘ b_demo.xlsx：")
    detail = [line for line in lines if line not in summaries]
    assert detail and all(line.startswith("b_demo.xlsx ") for line in detail)
    assert "b_demo.xlsx 依申请公开!D5 [requests.balance] 自然人列：一（12）+ 二（2）≠（七）总计（12）+ 四（1）" in detail


def test_files_and_folders_mixed_in_json(tmp_path):
    folder = tmp_path / "dir"
    folder.mkdir()
    new_workbook(SUQIAN_2024, folder / "x.xlsx")
    single = new_workbook(EXAMPLES / "suqian_2023.json", tmp_path / "y.xlsx")
    code, doc = validate_json(folder, single)
    assert code == 0
    assert [Path(f["path"]).name for f in doc["files"]] == ["x.xlsx", "y.xlsx"]
    assert all(f["valid"] for f in doc["files"])


# --- exit codes and batches ---------------------------------------------------------------------

def test_exit_codes(tmp_path):
    good = new_workbook(SUQIAN_2024, tmp_path / "good.xlsx")
    bad = new_workbook(ERRORS_DEMO, tmp_path / "bad.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("这不是工作簿", encoding="utf-8")
    assert run("validate", good)[0] == 0
    assert run("validate", good, bad)[0] == 1
    assert run("validate", good, broken)[0] == 2
    assert run("validate", bad, broken)[0] == 2  # unreadable outranks invalid
    assert run("validate", tmp_path / "missing.xlsx")[0] == 2
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    code, output = run("validate", empty)
    assert code == 2 and "没有找到" in output


def test_batch_goes_on_after_a_bad_file(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    new_workbook(SUQIAN_2024, folder / "b_good.xlsx")
    new_workbook(ERRORS_DEMO, folder / "c_demo.xlsx")
    code, output = run("validate", folder)
    assert code == 2
    lines = output.splitlines()
    assert lines[0].startswith("✘ a_broken.xlsx：无法读取，")
    assert any(line.startswith("✔ b_good.xlsx：") for line in lines)
    assert any(line.startswith("✘ c_demo.xlsx：") for line in lines)

    code, doc = validate_json(folder)
    assert code == 2
    first, second, third = doc["files"]
    assert first["valid"] is False and first["findings"] == []
    assert "a_broken.xlsx" in first["error"]
    assert second["valid"] is True and "error" not in second
    assert third["valid"] is False and third["findings"]


def test_console_script_exit_codes_without_traceback(tmp_path):
    """The real installed command, as CI and county staff run it."""
    good = new_workbook(SUQIAN_2024, tmp_path / "good.xlsx")
    demo = new_workbook(ERRORS_DEMO, tmp_path / "demo.xlsx")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("XLGBREPORT_DEBUG", None)
    exe = console_script()
    cases = [([good], 0), ([good, demo], 1), ([demo, fake, good], 2), ([tmp_path / "none.xlsx"], 2)]
    for paths, want in cases:
        proc = subprocess.run([exe, "validate", *map(str, paths)], capture_output=True, text=True,
                              encoding="utf-8", env=env, timeout=120)
        assert proc.returncode == want, (paths, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stdout + proc.stderr
    proc = subprocess.run([exe, "validate", "--format", "json", str(demo), str(fake), str(good)],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert [f["valid"] for f in doc["files"]] == [False, False, True]
    assert "fake.xlsx" in doc["files"][1]["error"] and ".xls" in doc["files"][1]["error"]
    assert "Traceback" not in proc.stderr


def test_files_of_the_same_name_are_told_apart_by_their_path(tmp_path):
    folder = tmp_path / "全县"
    for town in ("甲镇", "乙镇"):
        (folder / town).mkdir(parents=True)
        new_workbook(SUQIAN_2024, folder / town / "年报.xlsx")
    new_workbook(SUQIAN_2024, folder / "丙镇.xlsx")
    code, output = run("validate", folder)
    assert code == 0
    summaries = [line[2:].split("：")[0] for line in output.splitlines()[:-1]]
    assert summaries == ["丙镇.xlsx", str(folder / "乙镇" / "年报.xlsx"), str(folder / "甲镇" / "年报.xlsx")]
