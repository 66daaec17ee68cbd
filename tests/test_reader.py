"""Reading a clerk's workbook: totals typed over the template formula, the clerk's own formulas,
and what a cell's content means (blank is not zero, text is never read as a number).

Workbooks are written by the project's writer, then changed in a copy the way a clerk's
spreadsheet would change them: with openpyxl (which saves formulas without their values), or by
editing the sheet XML to add a formula together with the value Excel would have saved.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from xl_helpers import within_limit

from xlgbreport.cli import cli
from xlgbreport.core import rules
from xlgbreport.core.gb2021 import SCHEMA
from xlgbreport.core.model import Invalid
from xlgbreport.files import interchange
from xlgbreport.files.cells import cell_value
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.layout import LAYOUT

ROOT = Path(__file__).resolve().parents[1]
SUQIAN_2024 = ROOT / "tests" / "data" / "examples" / "suqian_2024.json"


def without_totals() -> dict:
    """The real report with every total left to the template's formulas."""
    data = json.loads(SUQIAN_2024.read_text(encoding="utf-8"))
    within_limit(data["text"])
    for table in ("requests", "appeals"):
        for row_id, cells in data[table].items():
            cells.pop("total", None)
            if row_id == "3.7":
                data[table][row_id] = {}
    return data


@pytest.fixture(scope="module")
def template_book(tmp_path_factory) -> Path:
    """A filled workbook whose totals are the template's formulas."""
    path = tmp_path_factory.mktemp("reader") / "formulas.xlsx"
    workbook_writer.write(path, interchange.from_dict(without_totals()))
    return path


def a1(key) -> tuple[str, str]:
    sheet, _ = LAYOUT.cells[key]
    return sheet, LAYOUT.a1(key, sheet=False)


def typed_copy(src: Path, dst: Path, values: dict) -> Path:
    """A copy saved by openpyxl with some cells typed over (numbers, text or formulas)."""
    shutil.copy(src, dst)
    wb = openpyxl.load_workbook(dst)
    for key, value in values.items():
        sheet, ref = a1(key)
        wb[sheet][ref] = value
    wb.save(dst)
    return dst


def findings(path: Path) -> set[tuple]:
    report = workbook_reader.read(path)
    return {(f.rule, f.table, f.row, f.column, f.cell) for f in rules.check(report)}


def validate_cli(path: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["validate", "--format", "json", str(path)])
    (entry,) = json.loads(result.output)["files"]
    return result.exit_code, entry


def test_template_formulas_are_computed_and_valid(template_book):
    report = workbook_reader.read(template_book)
    assert not any(report.given(k) for k in SCHEMA.keys if SCHEMA.is_derived(k))
    assert report.value(("requests", "1", "total")) == 3525
    assert report.value(("requests", "3.7", "natural_person")) == 1408 + 462 + sum(
        v["natural_person"] for k, v in without_totals()["requests"].items()
        if k.startswith("3.") and k not in ("3.1", "3.2", "3.7"))
    assert rules.check(report) == []


# --- a total typed over the template's formula ---------------------------------------------------

TYPED = {
    # (key typed over, a wrong value, the rule that must fire)
    "request_row_total": (("requests", "3.1", "total"), 1432, "requests.row_total"),
    "results_total": (("requests", "3.7", "commercial"), 40, "requests.results_total"),
    "appeal_group_total": (("appeals", "litigation_direct", "total"), 1, "appeals.group_total"),
}


@pytest.mark.parametrize("case", sorted(TYPED))
def test_typed_total_is_checked_like_any_other(tmp_path, template_book, case):
    key, wrong, rule = TYPED[case]
    right = workbook_reader.read(template_book).value(key)
    assert right != wrong

    ok = typed_copy(template_book, tmp_path / "right.xlsx", {key: right})
    report = workbook_reader.read(ok)
    assert report.given(key) and report.cells[key] == right
    assert rules.check(report) == []

    bad = typed_copy(template_book, tmp_path / "wrong.xlsx", {key: wrong})
    report = workbook_reader.read(bad)
    assert report.given(key) and report.cells[key] == wrong
    hit = [f for f in rules.check(report) if f.rule == rule and (f.table, f.row, f.column) == key]
    assert [(f.cell, f.expected, f.actual) for f in hit] == [(a1(key)[1], right, wrong)]

    code, entry = validate_cli(bad)  # the headless command agrees
    assert code == 1
    assert (rule, *key, a1(key)[1]) in {(f["rule"], f["table"], f["row"], f["column"], f["cell"])
                                        for f in entry["findings"]}
    assert validate_cli(ok)[0] == 0


def test_typed_text_over_a_total_is_invalid(tmp_path, template_book):
    key = ("requests", "2", "total")
    bad = typed_copy(template_book, tmp_path / "t.xlsx", {key: "见附表"})
    assert ("value.invalid", *key, "J6") in findings(bad)


# --- the clerk's own formulas -----------------------------------------------------------------------

def test_uncalculated_formula_is_reported_as_not_a_number(tmp_path, template_book):
    """openpyxl saves ``=1+2`` with no value. The reader does not evaluate it, nor read it as
    blank or 0: the cell holds Invalid("=1+2"), so ``value.invalid`` names it."""
    key = ("requests", "1", "natural_person")
    book = typed_copy(template_book, tmp_path / "f.xlsx", {key: "=1+2"})
    report = workbook_reader.read(book)
    assert report.cells[key] == Invalid("=1+2")
    invalid = [f for f in rules.check(report) if f.rule == "value.invalid"]
    assert [(f.table, f.row, f.column, f.cell, f.actual) for f in invalid] == [(*key, "D5", "=1+2")]
    assert rules.ValueInvalid.TEXT in invalid[0].message
    # nothing that depends on the cell is evaluated: no balance guessed from a made-up value
    assert not [f for f in rules.check(report) if f.rule.startswith("requests.")]
    code, entry = validate_cli(book)
    assert code == 1
    assert [(f["rule"], f["cell"], f["actual"]) for f in entry["findings"]] == [
        ("value.invalid", "D5", "=1+2")]


def _sheet_part(book: Path, sheet: str) -> str:
    with zipfile.ZipFile(book) as zf:
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    rid = re.search(rf'<sheet name="{sheet}" sheetId="\d+" r:id="(rId\d+)"', workbook).group(1)
    target = re.search(rf'<Relationship Id="{rid}" Type="[^"]+" Target="([^"]+)"', rels).group(1)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def with_formula(src: Path, dst: Path, key, formula: str, cached) -> Path:
    """A copy where one cell holds ``formula`` and the value Excel saved with it."""
    sheet, ref = a1(key)
    part = _sheet_part(src, sheet)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                xml, n = re.subn(rf'<c r="{ref}"( s="\d+")?( t="\w+")?(/>|>.*?</c>)',
                                 rf'<c r="{ref}"\1><f>{formula}</f><v>{cached}</v></c>',
                                 data.decode("utf-8"), count=1)
                assert n == 1, ref
                data = xml.encode("utf-8")
            zout.writestr(info, data)
    return dst


def test_calculated_formula_in_an_input_cell_gives_its_value(tmp_path, template_book):
    key = ("requests", "1", "natural_person")
    book = with_formula(template_book, tmp_path / "c.xlsx", key, "3000+440", 3440)
    report = workbook_reader.read(book)
    assert report.cells[key] == 3440
    assert rules.check(report) == []
    assert validate_cli(book)[0] == 0
    wrong = with_formula(template_book, tmp_path / "w.xlsx", key, "3000+441", 3441)
    assert ("requests.balance", "requests", "1", "natural_person", "D5") in findings(wrong)


def test_clerks_own_total_formula_uses_its_value(tmp_path, template_book):
    """A total whose formula is not the template's is read as a given value, then checked."""
    key = ("appeals", "review", "total")
    book = with_formula(template_book, tmp_path / "t.xlsx", key, "A5+B5", 10)
    report = workbook_reader.read(book)
    assert report.given(key) and report.cells[key] == 10
    hit = [f for f in rules.check(report) if f.rule == "appeals.group_total"]
    assert [(f.row, f.cell, f.expected, f.actual) for f in hit] == [("review", "E5", 170, 10)]


def test_template_formula_spelled_differently_is_still_the_template(tmp_path, template_book):
    key = ("requests", "1", "total")
    book = with_formula(template_book, tmp_path / "s.xlsx", key, "sum($D$5:$I$5)", 3525)
    report = workbook_reader.read(book)
    assert not report.given(key) and report.value(key) == 3525


# --- what a cell's content means ---------------------------------------------------------------------

@pytest.mark.parametrize("raw,amount,number_format,expected", [
    (None, False, "", None),
    ("", False, "", None),
    (0, False, "", 0),
    (12, False, "", 12),
    (12.0, False, "", 12),
    (2.5, False, "", Decimal("2.5")),
    (-3, False, "", -3),
    ("十二", False, "", Invalid("十二")),
    (" 5", False, "", Invalid(" 5")),
    ("5", False, "", Invalid("5")),
    ("0", False, "", Invalid("0")),
    (True, False, "", Invalid("True")),
    (datetime(2024, 1, 2), False, "", Invalid("2024-01-02 00:00:00")),
    (date(2024, 1, 2), False, "", Invalid("2024-01-02")),
    (float("nan"), False, "", Invalid("nan")),
    (float("inf"), False, "", Invalid("inf")),
    (0, True, "0.0000", Decimal("0.0000")),
    (5, True, "0.00", Decimal("5.00")),
    (0.1, True, "0.000", Decimal("0.100")),
    (123.456789, True, "0.000000", Decimal("123.456789")),
    (72701.2578, True, "#,##0.0000", Decimal("72701.2578")),
    (3, True, "General", 3),
])
def test_cell_value(raw, amount, number_format, expected):
    value = cell_value(raw, number_format, amount=amount)
    assert value == expected and type(value) is type(expected)
    if isinstance(expected, Decimal):
        assert str(value) == str(expected)  # the decimals given, trailing zeros included


def test_text_in_number_cells_is_reported_not_guessed(tmp_path, template_book):
    book = typed_copy(template_book, tmp_path / "text.xlsx", {
        ("requests", "2", "natural_person"): "十二",
        ("requests", "2", "commercial"): " 5",
        ("appeals", "review", "upheld"): "0",
        ("proactive", "penalty", "decisions"): "",
    })
    report = workbook_reader.read(book)
    assert report.cells[("requests", "2", "natural_person")] == Invalid("十二")
    assert report.cells[("requests", "2", "commercial")] == Invalid(" 5")
    invalid = {(f.row, f.column): f for f in rules.check(report) if f.rule == "value.invalid"}
    assert set(invalid) == {("2", "natural_person"), ("2", "commercial"), ("review", "upheld")}
    assert invalid[("2", "natural_person")].message.endswith(f"{rules.ValueInvalid.TEXT}：十二")
    assert invalid[("2", "natural_person")].cell == "D6"
    blank = [f for f in rules.check(report) if f.rule == "value.blank"]
    assert [(f.row, f.cell) for f in blank] == [("penalty", "B11")]


def test_cover_and_text_are_read(tmp_path, template_book):
    report = workbook_reader.read(template_book)
    assert (report.org, report.year) == ("宿迁市人民政府", 2024)
    book = tmp_path / "cover.xlsx"
    shutil.copy(template_book, book)
    wb = openpyxl.load_workbook(book)
    sheet, (r, c) = LAYOUT.meta["year"]
    wb[sheet].cell(r + 1, c + 1).value = "2024年"
    sheet, (r, c) = LAYOUT.meta["org"]
    wb[sheet].cell(r + 1, c + 1).value = "   "
    wb.save(book)
    report = workbook_reader.read(book)
    assert report.org is None and report.year == Invalid("2024年")
    found = {(f.rule, f.cell) for f in rules.check(report)}
    assert ("meta.missing", "B3") in found and ("meta.year", "B4") in found


@pytest.mark.parametrize("fast", [True, False])
def test_a_phone_number_typed_as_a_number_reads_as_its_digits(tmp_path, template_book, fast):
    book = tmp_path / "电话.xlsx"
    shutil.copy(template_book, book)
    wb = openpyxl.load_workbook(book)
    sheet, (r, c) = LAYOUT.meta["phone"]
    wb[sheet].cell(r + 1, c + 1).value = 13800000000
    wb.save(book)
    assert workbook_reader.read(book, fast=fast).meta["phone"] == "13800000000"


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE x>',
], ids=["laughs", "external", "bare"])
def test_a_doctype_in_the_workbook_part_is_refused(tmp_path: Path, doctype: str) -> None:
    """workbook.xml and its relationships are parsed by expat with no DOCTYPE allowed: an
    entity can be neither declared, expanded nor fetched; the file is one Chinese line."""
    source = ROOT / "samples" / "biaokouzhen_2022.xlsx"
    bad = tmp_path / "实体.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"?>", b"?>" + doctype.encode(), 1)
                data = data.replace(b'name="xlg_org"', b'name="xlg_org" comment="&b;"', 1) \
                    if "ENTITY a" in doctype else data
            zout.writestr(info, data)
    with pytest.raises(workbook_reader.InputError) as caught:
        workbook_reader.read(bad, fast=True)
    assert caught.value.code == "file.corrupt" and caught.value.message.startswith("实体.xlsx：")
