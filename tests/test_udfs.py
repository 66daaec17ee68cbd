"""The Excel functions (xlwings UDFs), called the way xlwings calls them.

Arguments are what Excel passes for the template's defined ranges: 2-D lists, ``None`` for a
blank cell, floats for whole numbers, strings as typed. The results must equal the core's on the
same data read from the workbook file (``workbook_reader.read`` + ``rules.check``).
"""

from __future__ import annotations

import importlib
import inspect
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
import xlwings
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xl_helpers import EXAMPLES, ROOT, excel_arguments, new_workbook

from xlgbreport import errors
from xlgbreport.cli import cli
from xlgbreport.core import narrative, rules
from xlgbreport.core.findings import summary
from xlgbreport.core.gb2021 import REQUESTS, SCHEMA, TABLES
from xlgbreport.core.model import Invalid, Report, is_number
from xlgbreport.excel import udfs
from xlgbreport.excel.ranges import TABLE_RANGES, report_from_ranges
from xlgbreport.files import cells, interchange
from xlgbreport.workbook import functions
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import udf_sheets as template_sheets
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.functions import ARGUMENT_NAMES
from xlgbreport.workbook.layout import CONF_SHEET, LAYOUT, UDF_SHEET

TEMPLATE = ROOT / "workbook" / "xlgbreport-template.xlsx"
SAMPLES = sorted((ROOT / "samples").glob("*.xlsx"))
PARTS = [t.id for t in TABLES]


def core_check(path: Path) -> list[list[str]]:
    """What XLG_CHECK must show, by the core on the file: all but the text rules (Excel passes
    the functions the tables, not the text)."""
    findings = rules.check(workbook_reader.read(path), text=False)
    return ([[rules.RULES_BY_ID[f.rule].title, f.ref, f.message] for f in findings]
            or [[functions.ALL_PASS]])


def workbooks(tmp_path: Path) -> list[Path]:
    made = [new_workbook(p, tmp_path / f"{p.stem}.xlsx") for p in sorted(EXAMPLES.glob("*.json"))]
    return SAMPLES + made


def test_functions_equal_the_core_on_real_workbooks(tmp_path: Path) -> None:
    paths = workbooks(tmp_path)
    assert len(paths) >= 7
    for path in paths:
        args = excel_arguments(path)
        report = workbook_reader.read(path)
        assert udfs.xlg_check(*args) == core_check(path), path.name
        assert udfs.xlg_status(*args) == summary(rules.check(report, text=False)), path.name
        for part in PARTS:
            assert udfs.xlg_text(*args, part) == narrative.paragraph(report, part), (path.name, part)


def test_the_demo_findings_point_at_cells() -> None:
    args = excel_arguments(ROOT / "samples" / "errors_demo_2023.xlsx")
    rows = udfs.xlg_check(*args)
    assert ["空白单元格", "依申请公开!F21", "（五）不予处理2.重复申请·科研机构为空（没有请填 0）"] in rows
    assert ["无效数值", "主动公开!B8", "行政许可不能为负数：-1"] in rows
    assert all(len(r) == 3 for r in rows)
    assert udfs.xlg_status(*args).startswith("✘ ")


def test_a_clean_report_shows_one_cell() -> None:
    args = excel_arguments(ROOT / "samples" / "biaokouzhen_2022.xlsx")
    assert udfs.xlg_check(*args) == [[functions.ALL_PASS]]


BAD_VALUES = st.one_of(
    st.none(), st.integers(0, 5000), st.integers(-50, -1),
    st.sampled_from([Decimal("2.5"), Decimal("-0.75"), Decimal("1E+3")]),
    st.builds(Invalid, st.sampled_from(["无", " 12 ", "12件", "\u3000", " ", "#N/A"])))


@st.composite
def reports(draw) -> Report:
    """A real report (宿迁 2024) with some cells spoiled: blanks, text (with spaces), negative and
    fractional numbers, totals typed over or left empty; and the cover as a clerk may fill it."""
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    keys = draw(st.lists(st.sampled_from(SCHEMA.keys), max_size=6, unique=True))
    for key in keys:
        value = draw(BAD_VALUES)
        if key[2] == "amount" and is_number(value):  # a fee keeps its decimals
            value = Decimal(value).scaleb(-draw(st.integers(0, 4)))
        report.cells[key] = value
    report.org = draw(st.sampled_from([report.org, None, " 宿迁市人民政府 "]))
    report.year = draw(st.sampled_from([report.year, None, 2007, Invalid("2024年")]))
    return report


@pytest.mark.slow
@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(reports())
def test_generated_reports_agree_with_the_file_reader(tmp_path_factory, report: Report) -> None:
    """Blanks, text, negative and fractional values, totals typed over: same findings."""
    path = tmp_path_factory.mktemp("gen") / "report.xlsx"
    workbook_writer.write(path, report)
    args = excel_arguments(path)
    assert udfs.xlg_check(*args) == core_check(path)
    read = workbook_reader.read(path)
    for part in PARTS:
        assert udfs.xlg_text(*args, part) == narrative.paragraph(read, part)


# --- what Excel passes -------------------------------------------------------------------

def blank_args() -> list[Any]:
    """Every range of an empty template: all None (the totals show 0 from their SUM)."""
    return excel_arguments(TEMPLATE)


def _set(args: list[Any], key, value: Any) -> None:
    for i, tr in enumerate(TABLE_RANGES):
        for k, r, c in tr.offsets:
            if k == key:
                args[2 + i][r][c] = value
                return
    raise KeyError(key)


def test_floats_and_ints_read_alike() -> None:
    args = excel_arguments(ROOT / "samples" / "errors_demo_2023.xlsx")
    as_ints = [[[int(v) if isinstance(v, float) and v.is_integer() else v for v in row]
                for row in arg] for arg in args]
    assert udfs.xlg_check(*as_ints) == udfs.xlg_check(*args)
    report = report_from_ranges(*args)
    value = report.cells[("requests", "1", "natural_person")]
    assert value == 12 and type(value) is int


def test_blank_cells_are_blank_not_zero() -> None:
    args = blank_args()
    args[0], args[1] = [["胡集镇人民政府"]], [[2024.0]]
    rows = udfs.xlg_check(*args)
    inputs = [k for k in SCHEMA.keys if not SCHEMA.is_derived(k)]
    assert len(rows) == len(inputs)
    assert {r[0] for r in rows} == {"空白单元格"}
    assert [r[1] for r in rows] == [LAYOUT.where()["/".join(k)] for k in inputs]
    assert udfs.xlg_status(*args) == f"✘ {len(inputs)} 处错误"
    assert udfs.xlg_text(*args).startswith(f"“{REQUESTS.title}”尚未填写完整")


def test_text_with_spaces_is_reported_as_the_file_reader_does(tmp_path: Path) -> None:
    key = ("requests", "3.2", "commercial")
    report = Report(org=" 胡集镇人民政府 ", year=2024,
                    cells={k: 0 for k in SCHEMA.keys if not SCHEMA.is_derived(k)})
    report.cells[key] = Invalid(" 12 ")
    path = tmp_path / "spaces.xlsx"
    workbook_writer.write(path, report)
    args = excel_arguments(path)
    assert args[3][3][1] == " 12 "  # as Excel passes it
    rows = udfs.xlg_check(*args)
    assert rows == core_check(path)
    assert rows == [["无效数值", "依申请公开!E8",
                     f"（二）部分公开（区分处理的，只计这一情形，不计其他情形）·商业企业{rules.ValueInvalid.TEXT}： 12 "]]
    assert report_from_ranges(*args).org == "胡集镇人民政府"


@pytest.mark.parametrize("year,finding", [(2024.0, None), (" 2024 ", "meta.year"),
                                          ("二〇二四", "meta.year"), (None, "meta.missing")])
def test_the_year_as_excel_passes_it(tmp_path: Path, year: Any, finding: str | None) -> None:
    args = excel_arguments(ROOT / "samples" / "biaokouzhen_2022.xlsx")
    args[1] = [[year]]
    rules_hit = {r[0] for r in udfs.xlg_check(*args)}
    if finding is None:
        assert rules_hit == {functions.ALL_PASS}
    else:
        assert rules_hit == {rules.RULES_BY_ID[finding].title}
    assert report_from_ranges(*args).year == (2024 if finding is None else
                                              cells.year(year))


def test_an_excel_error_value_is_not_a_number() -> None:
    args = excel_arguments(ROOT / "samples" / "biaokouzhen_2022.xlsx")
    _set(args, ("appeals", "review", "upheld"), "#DIV/0!")  # err_to_str=True passes the text
    rows = udfs.xlg_check(*args)
    assert ["无效数值", "复议诉讼!A5", f"行政复议·结果维持{rules.ValueInvalid.ERROR_VALUE}：#DIV/0!"] in rows


def test_a_total_typed_over_is_checked_and_a_formula_total_is_not_reported_twice() -> None:
    args = excel_arguments(ROOT / "samples" / "biaokouzhen_2022.xlsx")
    _set(args, ("requests", "1", "total"), 5.0)  # typed over: the parts sum to 0
    rows = udfs.xlg_check(*args)
    assert [r[0] for r in rows if r[1] == "依申请公开!J5"] == ["申请表行总计", "申请数勾稽关系"]
    args = excel_arguments(ROOT / "samples" / "biaokouzhen_2022.xlsx")
    _set(args, ("requests", "1", "natural_person"), -2.0)
    _set(args, ("requests", "1", "total"), -2.0)  # what the template's SUM then shows
    rows = udfs.xlg_check(*args)
    assert [r[1] for r in rows if r[0] == "无效数值"] == ["依申请公开!D5"]


def test_a_range_of_the_wrong_shape_is_a_message() -> None:
    good = excel_arguments(ROOT / "samples" / "biaokouzhen_2022.xlsx")
    cases = [
        (3, good[3][:-1], "依申请公开的区域（xlg_requests）应为 25 行 × 7 列，实为 24 行 × 7 列"),
        (2, [row + [None] for row in good[2]], "主动公开的区域（xlg_proactive）应为 12 行 × 3 列，实为 12 行 × 4 列"),
        (4, [[1.0, 2.0]], "复议诉讼的区域（xlg_appeals）应为 1 行 × 15 列，实为 1 行 × 2 列"),
        (4, 0.0, "复议诉讼的区域（xlg_appeals）应为 1 行 × 15 列，实为 一个单元格"),
        (0, [["a", "b"]], "机关名称应为一个单元格（xlg_org），实为 1 行 × 2 列"),
    ]
    for index, value, message in cases:
        args = list(good)
        args[index] = value
        for f in (udfs.xlg_check, udfs.xlg_status, udfs.xlg_text):
            assert f(*args) == "✘ " + message


def test_a_flat_row_is_accepted_where_the_range_is_one_row() -> None:
    """Without ndim=2 xlwings passes one row as a flat list: xlg_appeals still reads."""
    args = excel_arguments(ROOT / "samples" / "errors_demo_2023.xlsx")
    flat = list(args)
    flat[4] = args[4][0]
    flat[0], flat[1] = args[0][0][0], args[1][0][0]
    assert udfs.xlg_check(*flat) == udfs.xlg_check(*args)


def test_unknown_part_and_blank_part() -> None:
    args = excel_arguments(ROOT / "samples" / "huimengzhen_2021.xlsx")
    assert udfs.xlg_text(*args, "第七部分").startswith("✘ 没有“第七部分”这张表")
    assert udfs.xlg_text(*args, None) == udfs.xlg_text(*args, "requests")
    assert udfs.xlg_text(*args, "") == udfs.xlg_text(*args, "依申请公开")
    assert udfs.xlg_text(*args, " 复议诉讼 ") == narrative.paragraph(
        workbook_reader.read(ROOT / "samples" / "huimengzhen_2021.xlsx"), "appeals")


def test_an_internal_error_is_one_short_line_naming_the_log(monkeypatch, log_folder) -> None:
    def broken(report):
        raise KeyError("boom")

    monkeypatch.setattr(functions, "check_table", broken)
    shown = udfs.xlg_check(*excel_arguments(ROOT / "samples" / "huimengzhen_2021.xlsx"))
    log = log_folder / "xlgbreport.log"
    assert shown == "✘ " + errors.INTERNAL.format(error="KeyError", log=f"，详情已记入 {log}")
    logged = log.read_text(encoding="utf-8")
    assert "xlg_check failed" in logged and "Traceback" in logged and "KeyError: 'boom'" in logged
    assert "Traceback" not in shown and "\n" not in shown


# --- XLG_LAST_YEAR-----------------------------------------------------------------------

@pytest.fixture(scope="module")
def last_year(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("prior")
    return new_workbook(EXAMPLES / "suqian_2023.json", folder / "宿迁2023.xlsx")


def test_prior_reads_last_years_row_and_cell(last_year: Path) -> None:
    last = workbook_reader.read(last_year)
    row = udfs.xlg_last_year(str(last_year), "requests", "4", None, "宿迁市人民政府", 2024.0)
    want = [[last.value(("requests", "4", c.id)) for c in REQUESTS.row("4").columns]]
    assert row == want and row[0][-1] == 121
    assert udfs.xlg_last_year(str(last_year), "依申请公开", 4.0, "自然人") == want[0][0]
    assert udfs.xlg_last_year(str(last_year), "requests", 3.1, "total") == last.value(
        ("requests", "3.1", "total"))
    assert udfs.xlg_last_year(str(last_year), "主动公开", "规章", "现行有效件数") == 11
    fee = udfs.xlg_last_year(str(last_year), "proactive", "admin_fees", "amount")
    assert isinstance(fee, float) and Decimal(str(fee)) == last.value(("proactive", "admin_fees", "amount"))


def test_prior_finds_the_workbook_in_a_folder_by_org_and_year(last_year: Path) -> None:
    new_workbook(EXAMPLES / "suqian_2024.json", last_year.parent / "宿迁2024.xlsx")
    value = udfs.xlg_last_year(str(last_year.parent), "requests", "4", "total", "宿迁市人民政府", 2024.0)
    assert value == workbook_reader.read(last_year).value(("requests", "4", "total"))
    missing = udfs.xlg_last_year(str(last_year.parent), "requests", "4", "total", "宿迁市人民政府", 2020.0)
    assert missing.startswith("✘ ") and "2019" in missing


def test_prior_messages(last_year: Path, tmp_path: Path) -> None:
    gone = tmp_path / "去年.xlsx"
    shown = udfs.xlg_last_year(str(gone), "requests", "4")
    assert shown.startswith("✘ ") and "去年.xlsx" in shown and "不存在" in shown
    assert udfs.xlg_last_year(None, "requests", "4") == "✘ " + functions.NO_PRIOR
    assert udfs.xlg_last_year("  ", "requests", "4") == "✘ " + functions.NO_PRIOR
    assert udfs.xlg_last_year(str(last_year), "requests", "9").startswith("✘ “依申请公开”中没有“9”")
    assert udfs.xlg_last_year(str(last_year), "requests", "4", "市民").startswith("✘ ")
    not_a_workbook = tmp_path / "note.xlsx"
    not_a_workbook.write_text("hello")
    assert udfs.xlg_last_year(str(not_a_workbook), "requests", "4").startswith("✘ note.xlsx：")


def test_prior_says_lite_cannot_read_files(monkeypatch, last_year: Path) -> None:
    monkeypatch.setattr(udfs.sys, "platform", "emscripten")
    assert udfs.xlg_last_year(str(last_year), "requests", "4") == "✘ " + udfs.NO_LOCAL_FILES


def test_a_blank_prior_cell_stays_blank(tmp_path: Path) -> None:
    report = Report(org="某镇人民政府", year=2023, cells={("requests", "4", "research"): 3})
    path = tmp_path / "last.xlsx"
    workbook_writer.write(path, report)
    row = udfs.xlg_last_year(str(path), "requests", "4")
    assert row[0][0] == "" and row[0][2] == 3  # never a 0 for what was blank


def fake_caller(fullname: Any) -> Any:
    """What the classic add-in passes as ``caller``: the calling cell, a Range of a Book."""
    return SimpleNamespace(sheet=SimpleNamespace(book=SimpleNamespace(fullname=fullname)))


def test_a_relative_prior_starts_from_the_calling_workbooks_folder(tmp_path: Path, monkeypatch) -> None:
    """rollover writes the 封面 path relative to the workbook; Excel's working folder is elsewhere."""
    folder = tmp_path / "信息公开"
    folder.mkdir()
    last = new_workbook(EXAMPLES / "suqian_2023.json", folder / "s23.xlsx")
    book = folder / "s24.xlsx"
    result = CliRunner().invoke(cli, ["rollover", str(last), "-o", str(book)])
    assert result.exit_code == 0, result.output
    named = workbook_reader.read(book).meta["prior"]
    assert named == "s23.xlsx"  # what the formula passes: =XLG_LAST_YEAR(xlg_prior, ...)
    elsewhere = tmp_path / "Documents"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    want = workbook_reader.read(last).value(("requests", "4", "total"))
    args = (named, "requests", "4", "total", "宿迁市人民政府", 2024.0)
    assert udfs.xlg_last_year(*args, fake_caller(str(book))) == want
    assert udfs.xlg_last_year(*args, caller=fake_caller(str(book))) == want
    folder_args = (".", "requests", "4", "total", "宿迁市人民政府", 2024.0)  # a folder works too,
    assert udfs.xlg_last_year(*folder_args, fake_caller(str(book))) == want  # the book itself left out
    # without a usable caller, as before: from the working folder, where there is no s23.xlsx
    before = udfs.xlg_last_year(*args)
    assert before.startswith("✘ ") and "s23.xlsx" in before and "不存在" in before
    for caller in (fake_caller("工作簿1"),  # never saved: no folder
                   fake_caller("https://d.docs.live.net/abc/s24.xlsx"),  # online, not a folder
                   fake_caller(None), object()):  # anything unexpected
        assert udfs.xlg_last_year(*args, caller) == before
    monkeypatch.chdir(folder)
    assert udfs.xlg_last_year(*args, object()) == want


def test_caller_is_last_and_optional() -> None:
    """The formula never types it: XLG_LAST_YEAR(source, table, row, column, org, year)."""
    params = list(inspect.signature(udfs.xlg_last_year).parameters.values())
    assert params[-1].name == udfs.CALLER == "caller" and params[-1].default is None
    assert params[-1].annotation is inspect.Parameter.empty  # an annotation is a converter


# --- the template's wiring --------------------------------------------------------------

FUNCTION = re.compile(r"\b(XLG_[A-Z_]+)\(")


def formulas_in(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = getattr(cell.value, "text", cell.value)  # dynamic arrays: ArrayFormula
                if isinstance(value, str) and value.startswith("="):
                    out.append(value)
    return out


def calls(formula: str) -> list[tuple[str, int]]:
    """(function, number of arguments) for every XLG_ call in a formula."""
    out = []
    for match in FUNCTION.finditer(formula):
        depth, count, i = 0, 1, match.end()
        while True:
            ch = formula[i]
            if ch == '"':
                i = formula.index('"', i + 1)
            elif ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                count += 1
            i += 1
        out.append((match.group(1), count))
    return out


def test_every_function_in_the_template_exists_with_its_arity() -> None:
    found = [c for f in formulas_in(TEMPLATE) for c in calls(f)]
    assert {name for name, _ in found} == {functions.CHECK, functions.STATUS, functions.TEXT,
                                           functions.LAST_YEAR}
    names = {n.lower() for n in openpyxl.load_workbook(TEMPLATE).defined_names}
    assert not names & {name.lower() for name, _ in found}, "a function named like a defined name"
    for name, count in found:
        f = getattr(udfs, name.lower(), None)
        assert callable(f), f"{name} is used in the template but not defined in udfs"
        params = [p for p in inspect.signature(f).parameters.values()
                  if p.name != udfs.CALLER]  # filled in by xlwings, never typed in a formula
        required = sum(1 for p in params if p.default is inspect.Parameter.empty)
        assert required <= count <= len(params), (name, count)


def test_the_template_names_the_udf_module() -> None:
    wb = openpyxl.load_workbook(TEMPLATE)
    conf = wb[CONF_SHEET]
    assert conf.sheet_state == "hidden"
    assert conf["A1"].value == "UDF Modules"
    assert conf["A2"].value is None  # the add-in reads keys from A1 down to the first blank
    assert importlib.import_module(conf["B1"].value) is udfs
    assert udfs.__name__ == functions.UDF_MODULE
    args = ",".join(ARGUMENT_NAMES)
    assert f"=XLG_CHECK({args},xlg_reasons)" in formulas_in(TEMPLATE)  # the 核实说明 too


def test_cached_values_of_the_python_sheet_are_what_the_functions_return(tmp_path: Path) -> None:
    for path in (ROOT / "samples" / "errors_demo_2023.xlsx",
                 new_workbook(EXAMPLES / "suqian_2024.json", tmp_path / "s.xlsx")):
        args = excel_arguments(path)
        ws = openpyxl.load_workbook(path, data_only=True)[UDF_SHEET]
        values = [[c.value for c in row] for row in ws.iter_rows()]
        row_of = {row[0]: i for i, row in enumerate(values) if row and row[0]}
        assert values[row_of[template_sheets.STATUS_LABEL]][1] == udfs.xlg_status(*args)
        for table in TABLES:
            label = template_sheets.TEXT_LABEL.format(sheet=table.sheet)
            assert values[row_of[label]][1] == udfs.xlg_text(*args, table.id)
        first_column = REQUESTS.row("4").columns[0].label
        assert values[row_of[first_column]][1] == "✘ " + functions.NO_PRIOR
        check = udfs.xlg_check(*args)
        top = row_of[template_sheets.CHECK_LABEL] + 1
        assert [row[1:1 + len(c)] for row, c in zip(values[top:top + len(check)], check, strict=True)] == check
        assert all(v is None for row in values[top + len(check):] for v in row)


def test_decorators_use_only_options_both_integrations_honour(monkeypatch) -> None:
    """Record what the module asks of xlwings: no expand=, only ndim / err_to_str / doc."""
    asked: list[tuple[str, dict]] = []

    def fake_func(f):
        asked.append((f.__name__, {"func": True}))
        return f

    def fake_arg(name, *convert, **options):
        asked.append((name, options))
        assert not convert
        return lambda f: f

    monkeypatch.setattr(xlwings, "func", fake_func)
    monkeypatch.setattr(xlwings, "arg", fake_arg)
    try:
        importlib.reload(udfs)
        assert sorted(n for n, o in asked if o == {"func": True}) == [
            "xlg_check", "xlg_last_year", "xlg_status", "xlg_text"]
        options = {k for _, o in asked for k in o if k != "func"}
        assert options <= {"ndim", "err_to_str", "doc"}
        tables = {n: o for n, o in asked if n in ("proactive", "requests", "appeals")}
        assert all(o["ndim"] == 2 and o["err_to_str"] is True for o in tables.values())
    finally:
        monkeypatch.undo()
        importlib.reload(udfs)


def test_the_module_imports_without_xlwings(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "xlwings", None)  # import xlwings now raises ImportError
    try:
        module = importlib.reload(udfs)
        args = excel_arguments(ROOT / "samples" / "biaokouzhen_2022.xlsx")
        assert module.xlg_check(*args) == [[functions.ALL_PASS]]
    finally:
        monkeypatch.undo()
        importlib.reload(udfs)


def test_writer_and_function_share_their_text() -> None:
    assert template_sheets.prior_value(Report()) == "✘ " + functions.NO_PRIOR
    assert template_sheets.formula(functions.STATUS) == "=XLG_STATUS(" + ",".join(ARGUMENT_NAMES) + ")"
