"""rollover: next year's workbook from last year's, twice in a row.

Year Y is 宿迁市人民政府 2023 (real numbers). Y+1 is rolled over, then filled in as the clerk
would (2024's real numbers and a rewritten text), then rolled over again to Y+2, which must
validate against Y+1: carry-over holds and the identity is right.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from xl_helpers import run, validate_json, within_limit

from xlgbreport.cli.exits import EXIT_CODES
from xlgbreport.core import prior
from xlgbreport.core.gb2021 import PROACTIVE, REQUESTS, SCHEMA
from xlgbreport.files import interchange
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.layout import COVER_SHEET, LAYOUT
from xlgbreport.workbook.writer import PRIOR_REFERENCE

EXIT_UNREADABLE = EXIT_CODES["refused"]

EXAMPLES = Path(__file__).parent / "data" / "examples"  # copies of shared/examples
Y_JSON, Y1_JSON = EXAMPLES / "suqian_2023.json", EXAMPLES / "suqian_2024.json"
CONTACT = {"contact": "李四", "phone": "0527-84367777"}


def filled_year(tmp_path: Path) -> Path:
    report = interchange.load(Y_JSON)
    within_limit(report.text)
    report.meta = dict(CONTACT)
    path = tmp_path / "宿迁市2023.xlsx"
    workbook_writer.write(path, report)
    return path


def fill_in(path: Path, source: Path, text_suffix: str) -> None:
    """The clerk's work on a rolled-over workbook: this year's numbers, a revised text."""
    report = workbook_reader.read(path)
    real = interchange.load(source)
    for key in SCHEMA.keys:
        if key[:2] != (REQUESTS.id, prior.CARRIED_TO) and key in real.cells:
            report.cells[key] = real.cells[key]
    report.text = within_limit({k: (v or "") + text_suffix for k, v in real.text.items()})
    workbook_writer.write(path, report, overwrite=True)


def reference_cells(path: Path) -> dict[str, tuple]:
    """The label above and the value of each reference cell on the 主动公开 sheet."""
    ws = openpyxl.load_workbook(path)[PROACTIVE.sheet]
    out = {}
    for key, (_, (r, c)) in LAYOUT.reference.items():
        label = next(ws.cell(rr + 1, c + 1).value for rr in range(r, -1, -1)
                     if isinstance(ws.cell(rr + 1, c + 1).value, str))
        out[key[1]] = (label, ws.cell(r + 1, c + 1).value)
    return out


def test_rollover_twice(tmp_path):
    year_y = filled_year(tmp_path)
    last = workbook_reader.read(year_y)

    # Y → Y+1
    y1 = tmp_path / "next" / "2024.xlsx"
    y1.parent.mkdir()
    code, output = run("rollover", year_y, "-o", y1)
    assert code == 0 and "2024" in output, output
    new = workbook_reader.read(y1)
    assert (new.org, new.year) == ("宿迁市人民政府", 2024)
    assert {k: new.meta.get(k) for k in CONTACT} == CONTACT
    assert new.meta["prior"] == "../宿迁市2023.xlsx"  # relative: the folder can move as a whole
    assert openpyxl.load_workbook(y1)[COVER_SHEET]["B7"].value == "../宿迁市2023.xlsx"
    for key, value in prior.carry_over(last).items():
        assert new.value(key) == value
    assert new.value((REQUESTS.id, "2", "total")) == 121  # the template's total formula
    assert new.value((REQUESTS.id, "1", "natural_person")) is None  # to fill, not guessed
    assert new.text == last.text
    label = PRIOR_REFERENCE.format(label=PROACTIVE.row("regulations").column("in_force").label)
    assert reference_cells(y1) == {"regulations": (label, 11), "normative_documents": (label, 597)}
    assert new.value((PROACTIVE.id, "regulations", "in_force")) is None  # this year's: the clerk's

    # validated as it is, last year comes from the 封面: texts left identical are flagged
    code, doc = validate_json(y1)
    (entry,) = doc["files"]
    found = {f["rule"] for f in entry["findings"]}
    assert "prior.carry_over" not in found and "prior.mismatch" not in found
    copied = [f for f in entry["findings"] if f["rule"] == "text.missing"]
    assert [(f["severity"], f["sheet"], f["cell"]) for f in copied] == [
        ("warning", "文字说明", "B4"), ("warning", "文字说明", "B5")]
    assert any("宿迁市2023.xlsx" in n for n in entry["notes"])

    # the clerk fills Y+1 in; the real 2024 report continues 2023 exactly
    fill_in(y1, Y1_JSON, "（本年修订）")
    code, doc = validate_json(y1)
    assert code == 0 and doc["files"][0]["findings"] == []

    # Y+1 → Y+2, which validates against Y+1
    y2 = tmp_path / "2025.xlsx"
    code, output = run("rollover", y1, "-o", y2)
    assert code == 0, output
    rolled = workbook_reader.read(y2)
    assert (rolled.org, rolled.year, rolled.meta["prior"]) == ("宿迁市人民政府", 2025, "next/2024.xlsx")
    assert {k: rolled.meta.get(k) for k in CONTACT} == CONTACT
    assert rolled.value((REQUESTS.id, "2", "natural_person")) == 118
    assert rolled.value((REQUESTS.id, "2", "total")) == 125
    assert reference_cells(y2)["normative_documents"][1] == 420
    code, doc = validate_json("--prior", y1, y2)
    (entry,) = doc["files"]
    by_rule = {}
    for f in entry["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    assert "prior.carry_over" not in by_rule and "prior.mismatch" not in by_rule
    assert len(by_rule["text.missing"]) == 2  # the text is still 2024's
    assert "prior.in_force" not in by_rule  # nothing to compare before the clerk fills it in
    # the text still names 2024 in a 2025 report: text.year says so too
    assert set(by_rule) == {"value.blank", "text.missing", "text.year"}


def test_rollover_refuses_to_overwrite(tmp_path):
    year_y = filled_year(tmp_path)
    out = tmp_path / "2024.xlsx"
    out.write_bytes(b"clerk's work")
    code, output = run("rollover", year_y, "-o", out)
    assert code == 2 and out.read_bytes() == b"clerk's work"
    code, _ = run("rollover", year_y, "-o", year_y)
    assert code == 2
    code, _ = run("rollover", year_y, "-o", out, "--force")
    assert code == 0 and workbook_reader.read(out).year == 2024


def test_rollover_needs_a_year(tmp_path):
    report = interchange.load(Y_JSON)
    report.year = None
    path = tmp_path / "无年度.xlsx"
    workbook_writer.write(path, report)
    code, output = run("rollover", path, "-o", tmp_path / "out.xlsx")
    assert code == EXIT_UNREADABLE and not (tmp_path / "out.xlsx").exists()
    assert output == prior.NO_YEAR


def test_template_has_no_reference_column(tmp_path):
    """The reference is a rollover's: the template and new workbooks stay as they were."""
    path = tmp_path / "t.xlsx"
    workbook_writer.write(path)
    ws = openpyxl.load_workbook(path)[PROACTIVE.sheet]
    for _, (r, c) in LAYOUT.reference.values():
        assert all(ws.cell(rr + 1, c + 1).value is None for rr in range(r + 1))
