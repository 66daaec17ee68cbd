"""The interchange JSON in every format: a 2019 trial-format report travels as ``"format":
"gb2019"`` by that format's schema, round-trips, is checked by that format's rules, and serves as
last year's data for a 2021 workbook; it is never written into the 2021 template workbook."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from test_formats import balanced_2019
from xl_helpers import ROOT, refused, run, run_main

import xlgbreport
from xlgbreport.core import rules
from xlgbreport.core.formats import FORMATS, GB2019, GB2021
from xlgbreport.core.model import Report
from xlgbreport.core.tables import Role, Schema, TableId
from xlgbreport.files import interchange
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer

INTERCHANGE_MD = ROOT / "docs" / "interchange.md"
REQ = TableId.REQUESTS


def as_json(report: Report) -> dict:
    return json.loads(interchange.dumps(report))


def test_a_2019_report_round_trips_and_is_checked_by_its_own_rules() -> None:
    """JSON → Report → JSON is the identity; blanks stay null, the amount keeps its digits, a
    signed 本年增/减 stays negative; the rules that run are 2019's (no 现行有效 continuity)."""
    data = as_json(balanced_2019())
    assert data["format"] == "gb2019"
    assert data["proactive"]["licensing"] == {"prior_items": 0, "change": -3, "decisions": 0}
    assert data["proactive"]["procurement"]["amount"] == "42.856"
    assert set(data["requests"]) == {r.id for r in GB2019.schema.table(REQ).rows}
    data["requests"]["3.3.2"]["research"] = None
    data["proactive"]["admin_fees"]["change"] = None
    report = interchange.from_dict(copy.deepcopy(data))
    assert report.format is GB2019
    assert report.cells[("proactive", "procurement", "amount")] == Decimal("42.856")
    assert interchange.to_dict(report) == data
    assert json.loads(interchange.dumps(report)) == data

    found = rules.check(report)
    assert {f.rule for f in found} == {"value.blank"}  # the equations through 3.3.2 wait
    report.cells[(REQ, "3.6", "natural_person")] = 3  # the JSON's totals now disagree
    found = {(f.rule, f.row, f.column) for f in rules.check(report)}
    assert {("requests.row_total", "3.6", "total"),
            ("requests.results_total", "3.7", "natural_person")} <= found
    ran = {r.id for r in rules.for_format(GB2019)}
    assert {f[0] for f in found} <= ran and "prior.in_force" not in ran


def test_absent_format_is_2021_and_to_dict_names_the_reports_format() -> None:
    data = as_json(Report(org="某镇人民政府", year=2022))
    assert data["format"] == "gb2021"
    del data["format"]
    assert interchange.from_dict(data).format is GB2021


def test_keys_are_checked_by_the_named_formats_schema() -> None:
    data = as_json(balanced_2019())
    data["proactive"]["regulations"]["in_force"] = 3  # 2021's column, not 2019's
    data["requests"]["3.6.1"] = {}  # 2021's row
    message = refused(data)
    assert "未知的键 proactive.regulations.in_force" in message
    assert "未知的键 requests.3.6.1" in message
    twenty_one = as_json(Report(org="某镇人民政府", year=2022))
    twenty_one["format"] = "gb2019"  # a 2021 document that names the wrong format
    message = refused(twenty_one)
    assert "未知的键 requests.3.6.1" in message and "未知的键 proactive.regulations.issued" in message
    assert refused(dict(twenty_one, format="gb2020")) == "报表.json：format 应为 gb2021 或 gb2019，实为 gb2020"
    assert "实为 null" in refused(dict(twenty_one, format=None))


def test_a_2019_json_is_validated_and_refused_as_a_workbook(tmp_path, monkeypatch, capsys) -> None:
    source = tmp_path / "金殿镇2020.json"
    source.write_text(interchange.dumps(balanced_2019()), encoding="utf-8")
    code, out = run("validate", source)
    assert code == 0 and "✔ 金殿镇2020.json：全部通过（金殿镇人民政府 2020）" in out
    spoiled = as_json(balanced_2019())
    spoiled["requests"]["3.6"]["natural_person"] = 3
    source.write_text(json.dumps(spoiled, ensure_ascii=False), encoding="utf-8")
    code, out = run("validate", source)
    assert code == 1 and "requests/3.6/total [requests.row_total] （六）其他处理：总计（2）≠ 各类申请人之和（3）" in out
    assert "✘ 金殿镇2020.json：2 处错误（金殿镇人民政府 2020）" in out

    book = tmp_path / "金殿镇2020.xlsx"
    code, out, err = run_main(monkeypatch, capsys, "new", "--from-json", source, "-o", book)
    assert code == 2 and not out and not book.exists()
    assert err.strip().splitlines() == [
        "✘ 金殿镇2020.json：2019 年试行格式（国办公开办函〔2019〕60号）没有工作簿模板，"
        "无法生成工作簿（可用 validate 校验）"]
    with pytest.raises(xlgbreport.OutputError) as err:
        xlgbreport.write(balanced_2019(), book)
    assert err.value.code == "output.no_template"
    assert not book.exists()
    assert xlgbreport.read(xlgbreport.write(balanced_2019(), tmp_path / "copy.json")).format is GB2019


def test_a_2019_json_is_last_years_data_for_a_2021_workbook(tmp_path) -> None:
    """prior.carry_over reads 2019's 四 by its role; prior.in_force does not compare 2021's
    现行有效件数 with a table 二 that has none; carry-forward carries 2019's 四."""
    last = tmp_path / "2020.json"
    last.write_text(interchange.dumps(balanced_2019()), encoding="utf-8")  # 四: 2 natural persons
    this = Report(org="金殿镇人民政府", year=2021, text=dict(balanced_2019().text))
    this.cells = {k: 0 for k in GB2021.schema.keys if not GB2021.schema.is_derived(k)}
    this.cells[("proactive", "regulations", "in_force")] = 7
    this.cells[(REQ, "2", "natural_person")] = this.cells[(REQ, "4", "natural_person")] = 3
    book = tmp_path / "2021.xlsx"
    workbook_writer.write(book, this)
    code, out = run("validate", book, "--prior", last)
    lines = [line for line in out.splitlines() if "[prior." in line]
    assert code == 1 and lines == [
        "2021.xlsx 依申请公开!D6 [prior.carry_over] 自然人列：二、上年结转政府信息公开申请数量（3）"
        "≠ 上年四、结转下年度继续办理（2）"]

    code, out = run("carry-forward", "--prior", last, book)
    assert code == 0, out
    carried = workbook_reader.read(book)
    assert carried.cells[(REQ, "2", "natural_person")] == 2
    two = GB2021.schema.table(REQ).role(Role.CARRIED_OVER).id
    assert all(carried.cells[(REQ, two, c.id)] == 0 for c in GB2021.schema.table(REQ).columns
               if not c.derived and c.id != "natural_person")


# --- docs/interchange.md: the 2019 keys, as the schema has them ---------------------------------

def keys_table(schema: Schema) -> str:
    """The tables of the format's keys, as docs/interchange.md shows them."""
    out = []
    for table in schema.tables:
        shared = all(r.columns == table.columns for r in table.rows)
        out.append(f"`{table.id}`（{table.title}）")
        if shared:
            out.append("列（每行相同）：" + "、".join(_column(c) for c in table.columns))
        out += ["", "| 行 id | 行 |" + ("" if shared else " 列 |"), "|---|---|" + ("" if shared else "---|")]
        for row in table.rows:
            columns = "" if shared else " " + "、".join(_column(c) for c in row.columns) + " |"
            label = "".join(row.parents) + row.label + ("（合计）" if row.derived else "")
            out.append(f"| `{row.id}` | {label} |{columns}")
        out.append("")
    return "\n".join(out)


def _column(col) -> str:
    marks = "，合计" if col.derived else "，金额" if col.kind == "amount" else ""
    marks += "，可为负数" if col.signed else ""
    return f"`{col.id}` {col.label}" + (f"（{marks[1:]}）" if marks else "")


def test_the_docs_list_the_2019_keys_as_the_schema_has_them() -> None:
    text = INTERCHANGE_MD.read_text(encoding="utf-8")
    assert keys_table(GB2019.schema) in text, "docs/interchange.md: regenerate the gb2019 key tables"
    for fmt in FORMATS.values():
        assert f"`{fmt.id}`" in text and fmt.source in text
