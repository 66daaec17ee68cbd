"""``xlgbreport import`` end to end: real sources into workbooks and JSON that validate and read
back, a county's archive folder, never overwriting, one line per bad file, and last year's
published report as ``validate --prior``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from xl_helpers import EXAMPLES, run

import xlgbreport
from xlgbreport.cli import exits
from xlgbreport.core.formats import GB2019, GB2021
from xlgbreport.files import interchange
from xlgbreport.importer import run as import_run
from xlgbreport.workbook import writer as workbook_writer

PUBLISHED = Path(__file__).parent / "data" / "published"
HUAIAN = PUBLISHED / "huaian_szf_2024.txt"
SEED_000 = PUBLISHED / "000_55d5c156145a1778.txt"
SEED_004 = PUBLISHED / "004_1eb3b7e7b76f4da9.txt"


def test_one_source_to_a_workbook_that_reads_back_exactly(tmp_path):
    out = tmp_path / "淮安2024.xlsx"
    code, output = run("import", HUAIAN, "-o", out)
    assert code == 0, output
    assert "读出 200 格，推断 0 格，留空 0 格" in output
    assert "校验：✔ 无错误" in output  # its 一 is over 一千字: a warning, not an error
    back = xlgbreport.read(out)
    expected = interchange.load(EXAMPLES / "huaian_szf_2024.json")
    assert all(back.value(k) == expected.value(k) for k in GB2021.schema.keys)
    assert (back.org, back.year) == ("淮安市人民政府", 2024)
    code, output = run("validate", out)
    assert code == 0, output


def test_the_output_is_never_overwritten_without_force(tmp_path):
    out = tmp_path / "x.json"
    assert run("import", HUAIAN, "-o", out)[0] == 0
    code, output = run("import", HUAIAN, "-o", out)
    assert code == 2 and "已存在" in output
    assert run("import", HUAIAN, "-o", out, "--force")[0] == 0


def test_a_folder_is_an_archive_named_by_org_and_year(tmp_path):
    archive = tmp_path / "历年年报"
    archive.mkdir()
    for path in (HUAIAN, SEED_000, SEED_004):
        shutil.copy(path, archive / path.name)
    (archive / "坏文件.pdf").write_bytes(b"%PDF-1.4 not really")
    (archive / "说明.xlsx").write_bytes(b"not collected")  # a workbook is not a published report
    out = tmp_path / "导入"
    code, output = run("import", archive, "-o", out, "--format", "json")
    assert code == 2  # the broken PDF, named, and the batch went on
    batch = json.loads(output)
    by_source = {Path(s["path"]).name: s for s in batch["files"]}
    assert set(by_source) == {HUAIAN.name, SEED_000.name, SEED_004.name, "坏文件.pdf"}
    assert "坏文件.pdf" in by_source["坏文件.pdf"]["error"]
    names = sorted(p.name for p in out.iterdir())
    assert names == ["尧都区金殿镇人民政府_2020.xlsx", "淮安市人民政府_2024.xlsx", "金乡县胡集镇人民政府_2022.xlsx"]
    hu = by_source[SEED_000.name]
    assert hu["format"] == "gb2021" and hu["blank"] > 0
    assert {n["rule"] for n in hu["import_notes"]} >= {"import.row_missing", "import.table_missing"}
    assert "text.year" in {f["rule"] for f in hu["findings"]}
    jin = by_source[SEED_004.name]
    assert jin["format"] == "gb2019" and "本年新制作数量" in jin["format_evidence"]
    assert jin["kept"]["proactive/procurement/amount"] == "42.856"
    # again into the same folder: new names, nothing overwritten
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    run("import", archive, "-o", out)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {k: after[k] for k in before} == before and len(after) == 2 * len(before)
    assert "淮安市人民政府_2024-2.xlsx" in after


def test_a_2019_report_carries_into_the_workbook_only_what_means_the_same(tmp_path):
    out = tmp_path / "金殿2020.xlsx"
    code, output = run("import", SEED_004, "-o", out)
    assert "2019 年试行格式" in output and "政府集中采购" in output
    back = xlgbreport.read(out)
    assert back.value(("requests", "1", "total")) == 0
    assert back.value(("proactive", "penalty", "decisions")) == 0
    for key in [("proactive", "regulations", "in_force"), ("proactive", "admin_fees", "amount"),
                ("requests", "3.6.1", "total")]:
        assert back.value(key) is None  # no 2019 cell means this: blank, reported by validate
    assert code == 1


def test_a_2019_report_as_json_keeps_its_format(tmp_path):
    out = tmp_path / "金殿2020.json"
    run("import", SEED_004, "-o", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "gb2019"
    assert data["proactive"]["procurement"] == {"projects": 2, "amount": "42.856"}
    assert interchange.load(out).format is GB2019


def test_last_years_published_report_as_prior(tmp_path):
    last = tmp_path / "淮安2024.json"
    assert run("import", HUAIAN, "-o", last)[0] == 0
    this = interchange.load(EXAMPLES / "huaian_szf_2024.json")
    this.year = 2025
    columns = [c.id for c in GB2021.schema.table("requests").columns]
    for column in columns:  # 二 this year = 四 last year, and 一 keeps the balance
        carried = this.cells[("requests", "4", column)]
        this.cells[("requests", "1", column)] += this.cells[("requests", "2", column)] - carried
        this.cells[("requests", "2", column)] = carried
    workbook = tmp_path / "淮安2025.xlsx"
    workbook_writer.write(workbook, this)
    code, output = run("validate", workbook, "--prior", last, "--format", "json")
    rules = {f["rule"] for f in json.loads(output)["files"][0]["findings"]}
    assert "prior.carry_over" not in rules and "requests.balance" not in rules
    this.cells[("requests", "2", "natural_person")] += 1
    this.cells[("requests", "1", "natural_person")] -= 1
    spoiled = tmp_path / "spoiled.xlsx"
    workbook_writer.write(spoiled, this)
    code, output = run("validate", spoiled, "--prior", last, "--format", "json")
    assert "prior.carry_over" in {f["rule"] for f in json.loads(output)["files"][0]["findings"]}
    assert code == 1


def test_without_output_only_the_import_report(tmp_path):
    code, output = run("import", SEED_000)
    assert code == 1
    lines = output.splitlines()
    assert lines[0].startswith(SEED_000.name + "：金乡县胡集镇人民政府 2022 年度")
    assert any("未找到 2 行（「行政强制」至「行政事业性收费」）" in line for line in lines)
    assert lines[-1] == "导入 1 个文件：1 份报告，其中 0 份完整无误"
    assert not list(tmp_path.iterdir())


def test_org_names_are_made_safe_for_paths():
    assert import_run.safe_name("../../etc/passwd") == "etc_passwd"
    assert import_run.safe_name('a<b>:"c"|?*\x00\x1b') == "a_b___c"
    assert import_run.safe_name("   ") == import_run.UNNAMED
    assert len(import_run.safe_name("镇" * 500).encode()) == import_run.NAME_BYTES


def test_missing_rows_are_said_together_only_where_they_follow_one_another(tmp_path):
    source = tmp_path / "缺行.txt"
    source.write_text("\n".join([
        "某镇人民政府2022年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况",
        "自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计",
        "（一）予以公开\t1\t0\t0\t0\t0\t0\t1", "（七）总计\t1\t0\t0\t0\t0\t0\t1"]), encoding="utf-8")
    code, output = run("import", source)
    lines = [line.strip() for line in output.splitlines()]
    assert "⚠ 三、收到和处理政府信息公开申请情况未找到 2 行（「一、本年新收政府信息公开申请数量」至「二、上年结转政府信息公开申请数量」）：这些行留空" in lines
    assert any(line.startswith("⚠ 三、收到和处理政府信息公开申请情况未找到 20 行（「（二）部分公开") for line in lines)
    assert "⚠ 三、收到和处理政府信息公开申请情况未找到「四、结转下年度继续办理」：该行留空" in lines
    assert code == 1


def test_an_archive_is_read_in_a_pool_and_a_crashing_file_costs_only_itself(tmp_path, monkeypatch):
    archive = tmp_path / "档案"
    archive.mkdir()
    for n in range(9):  # enough for the pool (gather.POOL_FROM)
        shutil.copy(PUBLISHED / "002_4f580d778f793ab4.txt", archive / f"俵口镇{n}.txt")
    (archive / "崩溃.txt").write_text("某镇人民政府2022年政府信息公开工作年度报告", encoding="utf-8")
    real = import_run.readers.read

    def read(path, *args, **kwargs):
        if Path(path).name == "崩溃.txt":
            import os

            os._exit(1)  # a library that takes the worker down with it
        return real(path, *args, **kwargs)

    monkeypatch.setattr(import_run.readers, "read", read)  # forked workers inherit it
    batch = import_run.run([archive], tmp_path / "导入")
    assert len(batch.files) == 10
    crashed = [o for o in batch.files if o.error_code]
    assert [Path(o.path).name for o in crashed] == ["崩溃.txt"] and "崩溃.txt" in crashed[0].error_message
    names = {p.name for p in (tmp_path / "导入").iterdir()}
    assert names == {"俵口镇_2022.xlsx"} | {f"俵口镇_2022-{n}.xlsx" for n in range(2, 10)}
    assert all(o.report.format is GB2021 for o in batch.files if o.report)
    assert exits.code_for(batch) == 2


def test_a_2019_format_report_published_last_year_as_prior(tmp_path):
    last = tmp_path / "金殿2020.json"
    run("import", SEED_004, "-o", last)
    this = interchange.load(EXAMPLES / "huaian_szf_2024.json")
    this.org, this.year = "尧都区金殿镇人民政府", 2021
    workbook = tmp_path / "金殿2021.xlsx"
    workbook_writer.write(workbook, this)  # 二 is 34 natural persons, last year's 四 was 0
    code, output = run("validate", workbook, "--prior", last, "--format", "json")
    found = json.loads(output)["files"][0]["findings"]
    carried = [f for f in found if f["rule"] == "prior.carry_over"]
    assert carried and carried[0]["column"] == "natural_person" and carried[0]["expected"] == 0
    assert "prior.in_force" not in {f["rule"] for f in found}  # 2019 has no 现行有效件数


def test_every_import_note_is_documented():
    from xlgbreport.importer.notes import NOTES

    text = (Path(__file__).parents[1] / "docs" / "import.md").read_text(encoding="utf-8")
    assert [n.id for n in NOTES if f"`{n.id}`" not in text] == []
