"""核实说明: a reason typed beside a warning makes it 已说明 in validate (text and JSON), in the
校验 sheet (recalculated by LibreOffice too) and in the interchange JSON; rollover drops it;
errors cannot be explained away."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from engine import _PROFILE, SOFFICE

from xlgbreport import api
from xlgbreport.cli import cli
from xlgbreport.core import reasons
from xlgbreport.core.findings import Finding, Severity, summary, summary_line
from xlgbreport.files import interchange
from xlgbreport.workbook import functions, reason_sheet
from xlgbreport.workbook.layout import CHECK_SHEET, REASON_SHEET

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "json" / "biaokouzhen_2022.json"
#: 五 "无。" and 六 "无。": two text.missing warnings and no error.
WARNED = ("文字说明!B4", "文字说明!B5")
WHY = ("核实无误：本年未发现问题", "核实无误：无其他事项")


def _two_warnings(path: Path) -> Path:
    report = interchange.load(SAMPLE)
    report.text["problems"] = "无。"
    api.write(report, path)
    return path


def _type_reasons(path: Path) -> None:
    """What a clerk does: the reason typed into 说明 beside the prefilled rule and cell."""
    wb = openpyxl.load_workbook(path)
    ws = wb[REASON_SHEET]
    first = reason_sheet.FIRST_ROW + 1
    prefilled = {(ws.cell(r, 1).value, ws.cell(r, 2).value): r for r in range(first, first + 5)}
    for cell, why in zip(WARNED, WHY, strict=True):
        ws.cell(prefilled[("text.missing", cell)], 3).value = why
    wb.save(path)


def _validate(path: Path, *options: str):
    return CliRunner().invoke(cli, ["validate", str(path), *options])


def test_the_sheet_is_prefilled_with_the_open_warnings(tmp_path: Path) -> None:
    path = _two_warnings(tmp_path / "a.xlsx")
    ws = openpyxl.load_workbook(path)[REASON_SHEET]
    rows = list(ws.iter_rows(min_row=reason_sheet.FIRST_ROW, max_row=reason_sheet.FIRST_ROW + 3,
                             max_col=3, values_only=True))
    assert rows[0] == reason_sheet.HEADERS
    assert rows[1:] == [("text.missing", WARNED[0], None), ("text.missing", WARNED[1], None),
                        (None, None, None)]
    assert api.read(path).reasons == ()  # no 说明 yet: nothing explained


def test_a_typed_reason_shows_as_explained(tmp_path: Path) -> None:
    path = _two_warnings(tmp_path / "a.xlsx")
    before = _validate(path)
    assert "✔ a.xlsx：无错误，2 处提示（" in before.output
    _type_reasons(path)
    for fast in (True, False):  # both readers find the reasons
        from xlgbreport.workbook import reader

        assert {r.text for r in reader.read(path, fast=fast).reasons} == set(WHY)
    shown = _validate(path)
    assert shown.exit_code == 0, shown.output
    assert "✔ a.xlsx：无错误，2 处提示已说明（" in shown.output
    assert f"a.xlsx {WARNED[0]} [text.missing] 已说明：{WHY[0]}（原提示：" in shown.output
    again = _validate(path)  # keyed by rule and cell: re-validation keeps it
    assert again.output == shown.output
    data = json.loads(_validate(path, "--format", "json").output)
    found = data["files"][0]["findings"]
    assert [(f["severity"], f["cell"], f["explanation"]) for f in found] == [
        ("warning", "B4", WHY[0]), ("warning", "B5", WHY[1])]
    result = next(api.iter_validate([path]))
    assert result.warning_counts == (0, 2) and result.valid


def test_the_check_sheet_counts_explained_warnings_as_python_does(tmp_path: Path) -> None:
    """The 校验 sheet recalculated by LibreOffice (the reasons typed by openpyxl, which stores no
    values) shows the reasons and the headline Python gives; the saved file still validates."""
    assert SOFFICE, "LibreOffice (soffice) is needed for this test"
    (tmp_path / "in").mkdir()
    path = _two_warnings(tmp_path / "in" / "a.xlsx")
    _type_reasons(path)
    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(path)],
                   check=True, capture_output=True, timeout=180)
    saved = tmp_path / "out" / "a.xlsx"
    ws = openpyxl.load_workbook(saved, data_only=True)[CHECK_SHEET]
    python = summary(api.check(api.read(path)))
    assert python == "✔ 无错误，2 处提示已说明"
    assert ws["B1"].value == python
    shown = {ws.cell(r, 3).value: ws.cell(r, 9).value for r in range(4, ws.max_row + 1)
             if ws.cell(r, 1).value in ("text.missing", "text.length")}
    assert shown == {"文字说明!B3": None, WARNED[0]: WHY[0], WARNED[1]: WHY[1]}  # B3: text.length
    assert "✔ a.xlsx：无错误，2 处提示已说明" in _validate(saved).output


def test_a_reason_on_an_error_is_ignored_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    api.write(interchange.load(ROOT / "samples" / "json" / "errors_demo_2023.json"), path)
    error = next(f for f in api.check(api.read(path)) if f.severity is Severity.ERROR)
    wb = openpyxl.load_workbook(path)
    ws = wb[REASON_SHEET]
    ws["A4"], ws["B4"], ws["C4"] = error.rule, error.ref, "核实无误"
    wb.save(path)
    result = next(api.iter_validate([path]))
    assert not result.valid
    assert all(f.explanation is None for f in result.findings)
    assert reasons.ON_ERROR.format(ref=error.ref, rule=error.rule) in result.notes
    assert "✘ e.xlsx：5 处错误（" in _validate(path).output


def test_rollover_does_not_carry_reasons(tmp_path: Path) -> None:
    path = _two_warnings(tmp_path / "a.xlsx")
    _type_reasons(path)
    assert len(api.read(path).reasons) == 2
    nxt = tmp_path / "next.xlsx"
    api.rollover(path, nxt)
    assert api.read(nxt).reasons == ()
    ws = openpyxl.load_workbook(nxt)[REASON_SHEET]
    assert all(row[2] is None for row in ws.iter_rows(min_row=reason_sheet.FIRST_ROW + 1, max_col=3,
                                                       values_only=True))
    assert "已说明" not in _validate(nxt).output


def test_the_interchange_json_keeps_reasons(tmp_path: Path) -> None:
    path = _two_warnings(tmp_path / "a.xlsx")
    _type_reasons(path)
    text = api.export(path, tmp_path / "a.json")
    data = json.loads(text)
    assert data["reasons"] == [{"rule": "text.missing", "cell": c, "text": w}
                               for c, w in zip(WARNED, WHY, strict=True)]
    back = interchange.from_dict(data)
    assert back.reasons == api.read(path).reasons
    # validated as JSON (no cells of its own), the reasons meet the template's cells
    assert "✔ a.json：无错误，2 处提示已说明" in _validate(tmp_path / "a.json").output
    again = tmp_path / "b.xlsx"
    api.new(again, source=tmp_path / "a.json")
    assert api.read(again).reasons == back.reasons
    with pytest.raises(api.InputError) as bad:
        interchange.from_dict({**data, "reasons": [{"rule": "text.missing", "cell": 3, "text": "x"}]})
    assert "reasons[0].cell" in bad.value.message


def test_the_excel_functions_count_explained_warnings() -> None:
    """XLG_STATUS / XLG_CHECK take the xlg_reasons rows; a warning with a reason is 已说明."""
    warning = Finding("prior.in_force", Severity.WARNING, "现行有效件数不连续", sheet="主动公开", cell="D4")
    told, notes = reasons.explain([warning], reasons.collect([("prior.in_force", "主动公开!d4", "清理")]))
    assert notes == [] and told[0].explanation == "清理"  # the cell as Excel compares it: any case
    assert summary(told) == summary_line(0, 0, 1) == "✔ 无错误，1 处提示已说明"
    report = functions.with_reasons(api.read(ROOT / "samples" / "errors_demo_2023.xlsx"),
                                    [["value.blank", "复议诉讼!M5", "x"], [None, None, None]])
    assert [r.rule for r in report.reasons] == ["value.blank"]
    assert functions.status(report).startswith("✘ ")  # errors stay errors


def test_the_values_written_beside_the_formulas_are_what_an_engine_computes(tmp_path: Path) -> None:
    """A workbook written with reasons (from JSON) stores the 校验 headline and 核实说明 column
    an independent engine computes from its formulas."""
    from engine import cached, evaluate, same

    report = interchange.load(SAMPLE)
    report.text["problems"] = "无。"
    report.reasons = reasons.collect([("text.missing", WARNED[1], WHY[1]), ("value.blank", "x!A1", "y")])
    path = tmp_path / "r.xlsx"
    api.write(report, path)
    stored, engine = cached(path), evaluate(path)
    check = {ref: v for ref, v in stored.items() if ref[0] == CHECK_SHEET.upper()}
    assert check[(CHECK_SHEET.upper(), "B1")] == "✔ 无错误，1 处提示，1 处提示已说明"
    assert WHY[1] in check.values()
    assert [ref for ref, v in check.items() if not same(engine.get(ref), v)] == []


def test_the_county_status_counts_open_and_explained_warnings(tmp_path: Path) -> None:
    towns = tmp_path / "towns"
    towns.mkdir()
    explained = _two_warnings(towns / "a.xlsx")
    _type_reasons(explained)
    report = interchange.load(SAMPLE)
    other = interchange.load(SAMPLE.with_name("hujizhen_2022.json"))  # its own words: no copy of a's
    report.org, report.text = "另一镇人民政府", {**other.text, "problems": "无。"}
    api.write(report, towns / "b.xlsx")
    out = tmp_path / "county.xlsx"
    batch = api.consolidate([towns], out, org="某县人民政府")
    counts = {Path(f.path).name: (f.extra["warnings"], f.extra["explained"]) for f in batch.files}
    assert counts == {"a.xlsx": (0, 2), "b.xlsx": (2, 0)}
    ws = openpyxl.load_workbook(out)["汇总状态"]
    rows = {row[3]: row for row in ws.iter_rows(min_row=4, values_only=True) if row[3]}
    a, b = rows[str(explained)], rows[str(towns / "b.xlsx")]
    assert (a[4], a[6], a[7]) == ("通过", 0, 2)  # every warning explained: passed, and counted apart
    assert (b[4], b[6], b[7]) == ("有提示未说明", 2, 0)
    assert "2 处提示已说明" in a[8] and "已说明" not in (b[8] or "")
