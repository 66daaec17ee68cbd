"""The interchange JSON: strict on input, and JSON → workbook → JSON loses nothing.

Workbooks are really written and read back; the CLI (``new --from-json``, ``export``) is used
where the command itself is what is tested.
"""

from __future__ import annotations

import copy
import json
import os
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xl_helpers import refused, run, run_main

from xlgbreport.core import rules
from xlgbreport.core.gb2021 import SCHEMA, TABLES
from xlgbreport.files import interchange
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.formulas import derived_formula
from xlgbreport.workbook.layout import LAYOUT

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "data" / "examples"  # copies of shared/examples
SAMPLES = ROOT / "samples" / "json"
ALL_JSON = sorted(EXAMPLES.glob("*.json")) + sorted(SAMPLES.glob("*.json"))
SUQIAN_2024 = EXAMPLES / "suqian_2024.json"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))




def through_workbook(data: dict, path: Path) -> dict:
    """JSON → workbook (as ``new --from-json`` writes it) → JSON (as ``export`` reads it)."""
    workbook_writer.write(path, interchange.from_dict(data), overwrite=True)
    return interchange.to_dict(workbook_reader.read(path))


def cell_of(book: Path, key) -> openpyxl.cell.Cell:
    sheet, (r, c) = LAYOUT.cells[key]
    wb = openpyxl.load_workbook(book)
    return wb[sheet].cell(r + 1, c + 1)


# --- round trips --------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ALL_JSON, ids=lambda p: p.stem)
def test_round_trip_through_the_cli(tmp_path, source):
    book = tmp_path / "book.xlsx"
    out = tmp_path / "back.json"
    assert run("new", "--from-json", source, "-o", book)[0] == 0
    assert run("export", book, "-o", out)[0] == 0
    assert load(out) == load(source)


def test_blank_stays_null(tmp_path):
    data = load(SAMPLES / "hujizhen_2022.json")
    back = through_workbook(data, tmp_path / "b.xlsx")
    assert back["proactive"]["coercion"]["decisions"] is None
    assert back["proactive"]["admin_fees"]["amount"] is None
    assert back["requests"]["1"] == {c: None for c in data["requests"]["1"]}
    assert back["appeals"] == data["appeals"]


@pytest.mark.parametrize("amount", ["0", "0.0000", "0.10", "123.456789", "96171.6", "72701.2578",
                                    "100000000.123456", "5.00", "0.000001"])
def test_fee_keeps_every_decimal(tmp_path, amount):
    data = load(SUQIAN_2024)
    data["proactive"]["admin_fees"]["amount"] = amount
    back = through_workbook(data, tmp_path / "fee.xlsx")
    assert back["proactive"]["admin_fees"]["amount"] == amount


def test_fee_given_as_a_json_number(tmp_path):
    data = load(SUQIAN_2024)
    data["proactive"]["admin_fees"]["amount"] = 1.25
    assert through_workbook(data, tmp_path / "fee.xlsx")["proactive"]["admin_fees"]["amount"] == "1.25"


def test_big_counts(tmp_path):
    data = load(SUQIAN_2024)
    data["proactive"]["penalty"]["decisions"] = 123_456_789_012
    data["proactive"]["licensing"]["decisions"] = 9_007_199_254_740_991  # 2**53 - 1, Excel's limit
    back = through_workbook(data, tmp_path / "big.xlsx")
    assert back["proactive"]["penalty"]["decisions"] == 123_456_789_012
    assert back["proactive"]["licensing"]["decisions"] == 9_007_199_254_740_991
    assert back == data


# A small generator of reports: every cell blank or a number (counts big, negative or fractional
# too, since those are written as given), totals given or left to the template formula, the fee
# with 0 to 6 decimals (at most 15 significant digits: what a double, hence Excel, holds), texts
# that may look like formulas.
ABSENT = object()
_chars = st.characters(codec="utf-8", categories=("L", "N", "P", "S"), include_characters="=\n 　")
texts = st.one_of(st.none(), st.text(_chars, min_size=1, max_size=40).map(str.strip).filter(bool))
counts = st.one_of(st.none(), st.integers(0, 10**12), st.integers(-50, -1),
                   st.integers(-40, 40).map(lambda n: n / 4))


@st.composite
def amounts(draw) -> str | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    places = draw(st.integers(0, 6))
    n = draw(st.integers(0, 10**15 - 1))
    if places == 0:
        return str(n)
    return f"{n // 10**places}.{n % 10**places:0{places}d}"


@st.composite
def reports(draw) -> dict:
    data: dict = {"format": "gb2021", "org": draw(texts),
                  "year": draw(st.one_of(st.none(), st.integers(2008, 2100)))}
    for table in TABLES:
        block: dict = {}
        for row in table.rows:
            cells: dict = {}
            for col in row.columns:
                if SCHEMA.is_derived((table.id, row.id, col.id)):
                    value = draw(st.one_of(st.just(ABSENT), counts))
                else:
                    value = draw(amounts() if col.kind == "amount" else counts)
                if value is not ABSENT:
                    cells[col.id] = value
            block[row.id] = cells
        data[table.id] = block
    data["text"] = {f.id: draw(texts) for f in SCHEMA.text}
    return data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=reports())
def test_round_trip_property(tmp_path, data):
    report = interchange.from_dict(data)
    book = tmp_path / "prop.xlsx"
    workbook_writer.write(book, report, overwrite=True)  # one tmp_path for every example
    back = workbook_reader.read(book)
    assert interchange.to_dict(back) == interchange.to_dict(report)
    assert set(back.cells) == set(report.cells)  # a given total stays given, an absent one computed
    assert back.org == report.org and back.year == report.year and back.text == report.text


# --- export and validate do not touch their input; export writes atomically ------------------------

def _stamp(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_export_and_validate_leave_the_input_alone(tmp_path):
    book = tmp_path / "in.xlsx"
    assert run("new", "--from-json", SUQIAN_2024, "-o", book)[0] == 0
    os.utime(book, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = _stamp(book)
    assert run("export", book)[0] == 0
    assert run("export", book, "-o", tmp_path / "out.json")[0] == 0
    assert run("validate", book)[0] == 0
    assert run("validate", "--format", "json", tmp_path)[0] == 0
    assert _stamp(book) == before
    source = tmp_path / "src.json"
    source.write_bytes(SUQIAN_2024.read_bytes())
    stamp = _stamp(source)
    assert run("new", "--from-json", source, "-o", tmp_path / "again.xlsx")[0] == 0
    assert _stamp(source) == stamp


def test_export_writes_atomically(tmp_path, monkeypatch, capsys):
    book = tmp_path / "in.xlsx"
    assert run("new", "--from-json", SUQIAN_2024, "-o", book)[0] == 0
    out = tmp_path / "out.json"
    out.write_text("旧内容", encoding="utf-8")
    code, _out, err = run_main(monkeypatch, capsys, "export", book, "-o", out, "--force")
    assert code == 0 and "已写入" in err
    assert load(out) == load(SUQIAN_2024)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "out.json"]

    # the last step fails (disk full, file locked): the old file stays whole, no temp file is left
    out.write_text("旧内容", encoding="utf-8")

    def fail(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)  # the one step of every atomic write
    code, _out, err = run_main(monkeypatch, capsys, "export", book, "-o", out, "--force")
    assert code == 2
    assert "out.json" in err and "无法写入：磁盘空间不足" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "旧内容"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "out.json"]


# --- strict input ---------------------------------------------------------------------------------

UNKNOWN_KEYS = [
    (lambda d: d.update(orgname="x"), "orgname"),
    (lambda d: d["proactive"].update(regulation={}), "proactive.regulation"),
    (lambda d: d["proactive"]["regulations"].update(isued=1), "proactive.regulations.isued"),
    (lambda d: d["requests"].update({"3.8": {}}), "requests.3.8"),
    (lambda d: d["requests"]["3.3.1"].update(totals=1), "requests.3.3.1.totals"),
    (lambda d: d["appeals"]["review"].update(sum=1), "appeals.review.sum"),
    (lambda d: d["appeals"].update(litigation={}), "appeals.litigation"),
    (lambda d: d["text"].update(summary="x"), "text.summary"),
]


@pytest.mark.parametrize("change,path", UNKNOWN_KEYS, ids=[p for _, p in UNKNOWN_KEYS])
def test_unknown_keys_are_refused_at_every_level(change, path):
    data = load(SUQIAN_2024)
    change(data)
    refused(data, f"未知的键 {path}（请检查拼写）")


def test_every_problem_is_named_at_once():
    data = load(SUQIAN_2024)
    data["proactive"]["regulations"]["isued"] = 1
    data["requests"]["1"]["natural_person"] = "十二"
    data["text"]["summary"] = "x"
    message = refused(data, "proactive.regulations.isued", "text.summary",
                      'requests.1.natural_person 的值 "十二" 不是数字')
    assert message.count("；") == 2


@pytest.mark.parametrize("value,shown", [("十二", '"十二"'), ("abc", '"abc"'), (True, "true"),
                                         ([1], "[1]"), ({"a": 1}, '{"a": 1}'), ("{0}", '"{0}"'),
                                         ("NaN", '"NaN"'), ("", '""')])
def test_a_value_that_is_not_a_number_is_refused(value, shown):
    data = load(SUQIAN_2024)
    data["appeals"]["review"]["upheld"] = value
    refused(data, f"appeals.review.upheld 的值 {shown} 不是数字")


def test_bad_shapes_are_refused_without_a_crash():
    refused([1, 2], "（顶层）", "对象")
    data = load(SUQIAN_2024)
    data["requests"] = []
    refused(data, "requests 应为 对象")
    data = load(SUQIAN_2024)
    data["requests"]["1"] = 5
    refused(data, "requests.1 应为 对象")
    data = load(SUQIAN_2024)
    data["text"]["overview"] = 5
    data["org"] = ["x"]
    refused(data, "text.overview 应为 文本", "org 应为 文本")
    data = load(SUQIAN_2024)
    data["format"] = "gb2020"
    refused(data, "gb2021", "gb2019", "gb2020")
    data = load(SUQIAN_2024)
    data["{weird}"] = 1  # braces in a key name are shown as they are
    refused(data, "未知的键 {weird}")


def test_bad_json_file_via_the_cli(tmp_path, monkeypatch, capsys):
    source = tmp_path / "坏.json"
    source.write_text('{"format": "gb2021", "org": ', encoding="utf-8")
    out = tmp_path / "out.xlsx"
    code, _out, err = run_main(monkeypatch, capsys, "new", "--from-json", source, "-o", out)
    assert code == 2 and "坏.json" in err and "不是有效的 JSON" in err and "Traceback" not in err
    data = load(SUQIAN_2024)
    data["requests"]["2"]["research"] = "零"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _out, err = run_main(monkeypatch, capsys, "new", "--from-json", source, "-o", out)
    assert code == 2 and '坏.json：requests.2.research 的值 "零" 不是数字' in err
    assert not out.exists()


def test_negative_and_fractional_counts_are_written_as_given(tmp_path):
    data = load(SUQIAN_2024)
    data["requests"]["3.2"]["other"] = -3
    data["appeals"]["review"]["pending"] = 2.5
    data["proactive"]["admin_fees"]["amount"] = "-1.5"
    book = tmp_path / "odd.xlsx"
    workbook_writer.write(book, interchange.from_dict(data))
    assert cell_of(book, ("requests", "3.2", "other")).value == -3
    assert cell_of(book, ("appeals", "review", "pending")).value == 2.5
    report = workbook_reader.read(book)
    invalid = {(f.table, f.row, f.column): f for f in rules.check(report) if f.rule == "value.invalid"}
    assert set(invalid) == {("requests", "3.2", "other"), ("appeals", "review", "pending"),
                            ("proactive", "admin_fees", "amount")}
    assert "不能为负数" in invalid[("requests", "3.2", "other")].message
    assert "应为整数" in invalid[("appeals", "review", "pending")].message
    assert invalid[("appeals", "review", "pending")].actual == "2.5"
    assert interchange.to_dict(report)["requests"]["3.2"]["other"] == -3


def test_given_totals_are_numbers_absent_totals_formulas(tmp_path):
    data = load(SUQIAN_2024)
    results_natural_person = data["requests"]["3.7"]["natural_person"]
    del data["requests"]["1"]["total"]  # left to the template
    data["requests"]["3.7"]["natural_person"] = None  # null total: the same as absent
    data["requests"]["2"]["total"] = 120  # not the sum of its parts: typed over
    book = tmp_path / "totals.xlsx"
    workbook_writer.write(book, interchange.from_dict(data))
    given_total = cell_of(book, ("requests", "2", "total"))
    assert given_total.data_type == "n" and given_total.value == 120
    for key in [("requests", "1", "total"), ("requests", "3.7", "natural_person")]:
        cell = cell_of(book, key)
        assert cell.data_type == "f" and cell.value == derived_formula(key)
    back = interchange.to_dict(workbook_reader.read(book))
    assert back["requests"]["1"]["total"] == 3525  # computed from the parts
    assert back["requests"]["3.7"]["natural_person"] == results_natural_person


def test_missing_keys_are_blank(tmp_path):
    data = load(SUQIAN_2024)
    del data["requests"]["3.4.1"]["commercial"]
    del data["appeals"]["litigation_direct"]
    del data["text"]
    del data["org"]
    book = tmp_path / "missing.xlsx"
    workbook_writer.write(book, interchange.from_dict(data))
    assert cell_of(book, ("requests", "3.4.1", "commercial")).value is None
    assert cell_of(book, ("appeals", "litigation_direct", "upheld")).value is None
    report = workbook_reader.read(book)
    found = {(f.rule, f.table, f.row, f.column) for f in rules.check(report)}
    assert ("value.blank", "requests", "3.4.1", "commercial") in found
    assert {("value.blank", "appeals", "litigation_direct", c)
            for c in ("upheld", "corrected", "other", "pending")} <= found
    assert ("meta.missing", None, None, None) in found
    back = interchange.to_dict(report)
    assert back["requests"]["3.4.1"]["commercial"] is None
    assert back["text"] == {f.id: None for f in SCHEMA.text}
    assert back["org"] is None


# --- strings that look like formulas stay strings -----------------------------------------------

FORMULA_LIKE = {
    "org": '=HYPERLINK("http://example.com","点我")',
    "overview": "=1+1",
    "problems": "=SUM(A1:A9)",
    "other_matters": "=cmd|' /C calc'!A0",
}


def test_strings_beginning_with_equals_are_written_as_strings(tmp_path):
    data = load(SUQIAN_2024)
    data["org"] = FORMULA_LIKE["org"]
    data["text"] = {k: FORMULA_LIKE[k] for k in ("overview", "problems", "other_matters")}
    book = tmp_path / "eq.xlsx"
    assert run("new", "--from-json", _dump(data, tmp_path / "eq.json"), "-o", book)[0] == 0
    wb = openpyxl.load_workbook(book)
    for field, value in FORMULA_LIKE.items():
        sheet, (r, c) = LAYOUT.meta.get(field) or LAYOUT.text[field]
        cell = wb[sheet].cell(r + 1, c + 1)
        assert cell.data_type == "s" and cell.value == value, field
    with zipfile.ZipFile(book) as zf:  # no formula anywhere holds what came from the input
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                formulas = re.findall(r"<f[^>]*>(.*?)</f>", zf.read(name).decode("utf-8"))
                assert not [f for f in formulas if "HYPERLINK" in f or "cmd|" in f or "A1:A9" in f]
    back = interchange.to_dict(workbook_reader.read(book))
    assert back["org"] == FORMULA_LIKE["org"]
    assert back["text"]["problems"] == FORMULA_LIKE["problems"]


def test_text_where_a_number_belongs_is_written_as_text_and_refused_on_json(tmp_path):
    """A JSON string that is not a number is refused; one that is ("7") is taken as the number."""
    data = load(SUQIAN_2024)
    data["requests"]["2"]["other"] = "0"
    back = through_workbook(data, tmp_path / "s.xlsx")
    assert back["requests"]["2"]["other"] == 0
    data["requests"]["2"]["other"] = "=1+2"
    refused(copy.deepcopy(data), 'requests.2.other 的值 "=1+2" 不是数字')


def _dump(data: dict, path: Path) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_decimal_values_in_the_report_model():
    data = load(SUQIAN_2024)
    data["proactive"]["admin_fees"]["amount"] = "0.0000"
    report = interchange.from_dict(data)
    value = report.cells[("proactive", "admin_fees", "amount")]
    assert isinstance(value, Decimal) and str(value) == "0.0000"


# --- totals from JSON stay formulas; what the format cannot hold is not exported -------------

def test_json_totals_that_add_up_are_written_as_the_template_formulas(tmp_path):
    data = load(SUQIAN_2024)
    data["requests"]["2"]["total"] += 1  # typed over: kept as the number, checked by the rules
    source = tmp_path / "in.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    book = tmp_path / "out.xlsx"
    assert run("new", "--from-json", source, "-o", book)[0] == 0
    wb = openpyxl.load_workbook(book)
    for key in SCHEMA.keys:
        if SCHEMA.is_derived(key):
            sheet, (r, c) = LAYOUT.cells[key]
            value = wb[sheet].cell(r + 1, c + 1).value
            want = 122 if key == ("requests", "2", "total") else derived_formula(key)
            assert value == want, key
    out = tmp_path / "back.json"
    assert run("export", book, "-o", out)[0] == 0
    assert load(out) == data


@pytest.mark.parametrize("cells, shown", [
    ({"依申请公开!D5": "十二"}, "1 个值不是数字，交换 JSON 中无处存放，未导出，请先改正：依申请公开!D5（十二）"),
    ({"依申请公开!D5": "十二", "封面!B4": "二〇二四"},
     "2 个值不是数字，交换 JSON 中无处存放，未导出，请先改正：封面!B4（二〇二四）、依申请公开!D5（十二）"),
])
def test_export_names_what_the_format_cannot_hold(tmp_path, monkeypatch, capsys, cells, shown):
    book = tmp_path / "本年.xlsx"
    workbook_writer.write(book, interchange.load(SUQIAN_2024))
    wb = openpyxl.load_workbook(book)
    for ref, value in cells.items():
        sheet, cell = ref.split("!")
        wb[sheet][cell] = value
    wb.save(book)
    before = book.read_bytes()
    code, out, err = run_main(monkeypatch, capsys, "export", book, "-o", tmp_path / "out.json")
    assert code == 2 and out == ""
    assert err.strip() == f"✘ 本年.xlsx：有 {shown}"
    assert not (tmp_path / "out.json").exists() and book.read_bytes() == before


def test_export_does_not_overwrite_without_force(tmp_path, monkeypatch, capsys):
    book = tmp_path / "本年.xlsx"
    workbook_writer.write(book, interchange.load(SUQIAN_2024))
    victim = tmp_path / "别的.xlsx"
    victim.write_bytes(b"keep me")
    code, _out, err = run_main(monkeypatch, capsys, "export", book, "-o", victim)
    assert code == 2 and "已存在" in err and victim.read_bytes() == b"keep me"
    assert run("export", book, "-o", victim, "--force")[0] == 0
    assert load(victim) == load(SUQIAN_2024)


@pytest.mark.parametrize("where, value, problem", [
    (("proactive", "penalty", "decisions"), 12_345_678_901_234_567,
     "proactive.penalty.decisions 的值 12345678901234567 位数过多，工作簿无法原样保存"),
    (("proactive", "admin_fees", "amount"), "12345678901234567890.123456",
     "proactive.admin_fees.amount 的值 12345678901234567890.123456 位数过多，工作簿无法原样保存"),
    (("text", "overview", None), "字" * 32_768, "text.overview 有 32768 个字，超过 Excel 单元格上限 32767 字"),
])
def test_what_a_workbook_would_change_is_refused(where, value, problem):
    data = load(SUQIAN_2024)
    table, row, col = where
    if col is None:
        data[table][row] = value
    else:
        data[table][row][col] = value
    refused(data, problem)


def test_a_tiny_fee_keeps_its_digits_and_plain_notation(tmp_path):
    data = load(SUQIAN_2024)
    data["proactive"]["admin_fees"]["amount"] = "0.0000001"
    assert through_workbook(data, tmp_path / "fee.xlsx")["proactive"]["admin_fees"]["amount"] == "0.0000001"
