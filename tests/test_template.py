"""The template workbook: committed file up to date, structure derived from the schema, and a
print rendering (LibreOffice → PDF) that shows every official label and a filled report's numbers."""

from __future__ import annotations

import colorsys
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import coordinate_from_string, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula
from xlsxwriter.utility import xl_rowcol_to_cell

from xlgbreport.cli import cli
from xlgbreport.core.gb2021 import APPEALS, PROACTIVE, REPORT_TITLE, REQUESTS, SCHEMA, TABLES, Table
from xlgbreport.core.model import is_number, parts
from xlgbreport.core.rules import EQUATION_RULES, check
from xlgbreport.files import interchange
from xlgbreport.workbook import reason_sheet
from xlgbreport.workbook.formulas import check_rows, excel_value
from xlgbreport.workbook.layout import CHECK_SHEET, COVER_SHEET, LAYOUT, TEXT_SHEET, row_name

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook" / "xlgbreport-template.xlsx"
SAMPLES = ROOT / "samples"
FILLED = SAMPLES / "errors_demo_2023.xlsx"
FILLED_JSON = SAMPLES / "json" / "errors_demo_2023.json"
SHEETS = (COVER_SHEET, PROACTIVE.sheet, REQUESTS.sheet, APPEALS.sheet, TEXT_SHEET, CHECK_SHEET)
REFRESH_TEMPLATE = "run `xlgbreport template --force` and commit workbook/xlgbreport-template.xlsx"
REFRESH_SAMPLES = ("run `for f in samples/json/*.json; do xlgbreport new --from-json $f "
                   "-o samples/$(basename $f .json).xlsx --force; done` and commit samples/*.xlsx")
IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")


# --- content of a workbook, independent of its bytes -------------------------------------

def _colour(color: Any) -> str | None:
    rgb = getattr(color, "rgb", None)
    return rgb if isinstance(rgb, str) else None


def _formula(value: Any) -> Any:
    """An array formula as its text and range (openpyxl objects do not compare by value)."""
    if isinstance(value, ArrayFormula):
        return ("array formula", value.ref, value.text)
    return value


def content(path: Path) -> dict[str, Any]:
    """Everything a user sees or relies on in a workbook, as plain comparable data."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {
        "sheets": wb.sheetnames,
        "defined names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
    }
    for ws in wb:
        setup = ws.page_setup
        out[ws.title] = {
            "cells": {c.coordinate: (_formula(c.value), c.number_format, c.protection.locked,
                                     _colour(c.fill.fgColor), bool(c.font.b))
                      for row in ws.iter_rows() for c in row
                      if c.value is not None or c.has_style},
            "merged ranges": sorted(str(r) for r in ws.merged_cells.ranges),
            "data validations": sorted(
                (str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, dv.allow_blank,
                 dv.showErrorMessage, dv.promptTitle, dv.prompt, dv.errorTitle, dv.error)
                for dv in ws.data_validations.dataValidation),
            "conditional formats": sorted(
                (str(rng.sqref), r.priority, r.type, r.operator, tuple(r.formula or ()),
                 _colour(r.dxf.fill.bgColor) if r.dxf and r.dxf.fill else None)
                for rng, rules in ws.conditional_formatting._cf_rules.items() for r in rules),
            "protection": {k: getattr(ws.protection, k) for k in (
                "sheet", "password", "hashValue", "formatCells", "formatColumns", "formatRows",
                "insertRows", "deleteRows", "selectLockedCells", "selectUnlockedCells")},
            "print setup": (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight,
                            ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr
                            else None, ws.print_title_rows, ws.print_options.horizontalCentered),
            "freeze panes": ws.freeze_panes,
            "column widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "row heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        }
    return out


def differences(old: dict[str, Any], new: dict[str, Any], limit: int = 15) -> list[str]:
    """Readable differences between two ``content`` snapshots, at most ``limit`` of them."""
    out: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(out) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b), key=str):
                walk(a.get(k), b.get(k), f"{where} › {k}")
        else:
            out.append(f"{where}: committed {_short(a)} ≠ fresh {_short(b)}")

    walk(old, new, "workbook")
    return out


def _short(value: Any, width: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _fresh(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output


def test_committed_template_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "template.xlsx"
    _fresh(["template", "-o", str(fresh)])
    diff = differences(content(TEMPLATE), content(fresh))
    assert not diff, ("the committed template differs from what the writer builds now; "
                      f"{REFRESH_TEMPLATE}:\n" + "\n".join(diff))


@pytest.mark.parametrize("source", sorted((SAMPLES / "json").glob("*.json")), ids=lambda p: p.stem)
def test_committed_samples_are_current(tmp_path: Path, source: Path) -> None:
    committed = SAMPLES / f"{source.stem}.xlsx"
    assert committed.exists(), f"samples/{committed.name} is missing; {REFRESH_SAMPLES}"
    fresh = tmp_path / committed.name
    _fresh(["new", "--from-json", str(source), "-o", str(fresh)])
    diff = differences(content(committed), content(fresh))
    assert not diff, f"samples/{committed.name} is out of date; {REFRESH_SAMPLES}:\n" + "\n".join(diff)


def test_the_differences_name_the_cell() -> None:
    """The staleness message must point at what changed, or nobody can act on it."""
    old = {"主动公开": {"cells": {"B4": (1,)}}}
    assert differences(old, {"主动公开": {"cells": {"B4": (2,)}}}) == [
        "workbook › 主动公开 › cells › B4: committed (1,) ≠ fresh (2,)"]


# --- structure of the template, derived from the schema -----------------------------------

@pytest.fixture(scope="module")
def wb() -> openpyxl.Workbook:
    return openpyxl.load_workbook(TEMPLATE)


def shown(ws, r: int, c: int) -> Any:
    """What a reader sees at 0-based (r, c): the value of the merged range that covers it."""
    coord = xl_rowcol_to_cell(r, c)
    for rng in ws.merged_cells.ranges:
        if coord in rng:
            return ws.cell(rng.min_row, rng.min_col).value
    return ws.cell(r + 1, c + 1).value


def cell_at(ws, key):
    _, (r, c) = LAYOUT.cells[key]
    return ws.cell(r + 1, c + 1)


def keys(table: Table):
    return [(table.id, r.id, c.id) for r, c in table.cells()]


def covered(ref: str) -> set[tuple[int, int]]:
    """0-based (row, col) of every cell in ``A1``/``A1:B2`` references, several space-separated."""
    out = set()
    for part in ref.replace("$", "").split():
        min_col, min_row, max_col, max_row = range_boundaries(part)
        out |= {(r - 1, c - 1) for r in range(min_row, max_row + 1)
                for c in range(min_col, max_col + 1)}
    return out


def hue(argb: str | None) -> str:
    """A colour name for an ARGB fill: what a clerk would call it."""
    if not argb:
        return "none"
    r, g, b = (int(argb[i:i + 2], 16) / 255 for i in (2, 4, 6))
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    if s < 0.08:
        return "grey"
    deg = h * 360
    if deg < 20 or deg >= 330:
        return "red"
    if 35 <= deg < 70:
        return "yellow"
    if 180 <= deg < 250:
        return "blue"
    return f"hue {deg:.0f}"


def test_sheets(wb) -> None:
    """The report's sheets come first, in this order (helper sheets may follow)."""
    assert wb.sheetnames[:len(SHEETS)] == list(SHEETS)
    assert [t.sheet for t in TABLES] == list(SHEETS[1:4])


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.id)
def test_every_official_label_sits_beside_its_cells(wb, table: Table) -> None:
    """Each value cell has its column label (and spanning headers) above it and its row label
    (and group labels) to its left or above it, on the table's own sheet."""
    ws = wb[table.sheet]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for wanted in filter(None, (table.title, table.note, table.header)):
        assert wanted in texts, f"{table.sheet}: {wanted!r} missing"
    for row, col in table.cells():
        sheet, (r, c) = LAYOUT.cells[(table.id, row.id, col.id)]
        assert sheet == table.sheet
        above = {shown(ws, rr, c) for rr in range(r)}
        left = {shown(ws, r, cc) for cc in range(c)}
        where = f"{table.sheet}!{xl_rowcol_to_cell(r, c)}"
        for label in (col.label, *col.parents):
            assert label in above, f"{where}: column label {label!r} not above the cell"
        for label in (row.label, *row.parents):
            assert label in left | above, f"{where}: row label {label!r} not beside the cell"
        if row.block:
            assert row.block in above, f"{where}: {row.block!r} not above the cell"


def test_cover_and_text_labels_sit_left_of_their_input(wb) -> None:
    assert wb[COVER_SHEET]["A1"].value == REPORT_TITLE
    for fields, places in ((SCHEMA.meta, LAYOUT.meta), (SCHEMA.text, LAYOUT.text)):
        for f in fields:
            sheet, (r, c) = places[f.id]
            ws = wb[sheet]
            assert shown(ws, r, c - 1) == f.label
            assert ws.cell(r + 1, c + 1).protection.locked is False, f"{sheet} {f.label} is locked"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.id)
def test_inputs_are_unlocked_and_validated(wb, table: Table) -> None:
    ws = wb[table.sheet]
    validations = [(dv, covered(str(dv.sqref))) for dv in ws.data_validations.dataValidation]
    for key in keys(table):
        if SCHEMA.is_derived(key):
            continue
        cell = cell_at(ws, key)
        _, pos = LAYOUT.cells[key]
        assert cell.protection.locked is False, f"{cell.coordinate} is locked"
        assert cell.value is None, f"{cell.coordinate} is not blank in the template"
        found = [dv for dv, cells in validations if pos in cells]
        assert len(found) == 1, f"{cell.coordinate}: {len(found)} data validations"
        dv = found[0]
        kind = "decimal" if table.row(key[1]).column(key[2]).kind == "amount" else "whole"
        assert (dv.type, dv.operator, dv.formula1) == (kind, "greaterThanOrEqual", "0"), cell.coordinate
        assert dv.showErrorMessage and dv.error and dv.prompt, cell.coordinate


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.id)
def test_totals_are_locked_sum_formulas_over_their_parts(wb, table: Table) -> None:
    ws = wb[table.sheet]
    derived = [k for k in keys(table) if SCHEMA.is_derived(k)]
    assert derived or table is PROACTIVE
    for key in derived:
        cell = cell_at(ws, key)
        assert cell.protection.locked is True, f"{cell.coordinate} is not locked"
        assert isinstance(cell.value, str) and cell.value.startswith("=SUM("), cell.coordinate
        assert covered(" ".join(cell.value[5:-1].split(","))) == {LAYOUT.cells[k][1] for k in parts(key)}
        assert hue(_colour(cell.fill.fgColor)) == "blue", f"{cell.coordinate}: totals are blue"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.id)
def test_blank_cells_turn_yellow_and_bad_ones_red(wb, table: Table) -> None:
    ws = wb[table.sheet]
    rules = [(r, covered(str(rng.sqref))) for rng, rs in ws.conditional_formatting._cf_rules.items()
             for r in rs]
    for key in keys(table):
        _, pos = LAYOUT.cells[key]
        mine = {(r.formula[0].split("(")[0], hue(_colour(r.dxf.fill.bgColor)))
                for r, cells in rules if pos in cells}
        assert ("ISBLANK", "yellow") in mine, key
        # text, an error, negative or fractional; a total only when typed over its formula
        assert ("IF" if SCHEMA.is_derived(key) else "ISTEXT", "red") in mine, key


def test_equation_cells_turn_red_when_the_equation_fails(wb) -> None:
    for rule in EQUATION_RULES:
        for eq in rule.declared():
            sheet, pos = LAYOUT.cells[eq.at]
            ws = wb[sheet]
            here = [r for rng, rs in ws.conditional_formatting._cf_rules.items() for r in rs
                    if pos in covered(str(rng.sqref)) and r.formula[0].startswith("AND(COUNT(")]
            assert here and all(hue(_colour(r.dxf.fill.bgColor)) == "red" for r in here), eq.at


def test_sheets_are_protected_without_password(wb) -> None:
    for ws in map(wb.__getitem__, SHEETS):
        assert ws.protection.sheet is True, ws.title
        assert not ws.protection.password and not ws.protection.hashValue, ws.title


def _expected_names() -> dict[str, set[tuple[str, tuple[int, int]]]]:
    """Every defined name and the cells it must cover, from the schema alone."""
    out: dict[str, set[tuple[str, tuple[int, int]]]] = {}
    for f in SCHEMA.meta:
        out[f"xlg_{f.id}"] = {LAYOUT.meta[f.id]}
    for f in SCHEMA.text:
        out[f"xlg_text_{f.id}"] = {LAYOUT.text[f.id]}
    for table in TABLES:
        for row in table.rows:
            out[row_name(table.id, row.id)] = {LAYOUT.cells[(table.id, row.id, c.id)]
                                               for c in row.columns}
        out[f"xlg_{table.id}"] = {LAYOUT.cells[k] for k in keys(table)}
    area = reason_sheet.AREA  # the 核实说明 rows, for the Excel functions
    out[reason_sheet.NAME] = {(area.sheet, (r, c)) for r in range(area.first[0], area.last[0] + 1)
                              for c in range(area.first[1], area.last[1] + 1)}
    return out


def test_defined_names_point_at_the_input_areas(wb) -> None:
    expected = _expected_names()
    names = {n: d for n, d in wb.defined_names.items() if n.startswith("xlg_")}
    assert set(names) == set(expected)
    for name, cells in expected.items():
        (sheet, ref), = names[name].destinations
        got = {(sheet, p) for p in covered(ref)}
        if name.startswith("xlg_") and name[4:] in {t.id for t in TABLES}:
            assert cells <= got, name  # a table's name spans its rows (and the headings between)
        else:
            assert got == cells, name


def test_print_setup(wb) -> None:
    landscape = {REQUESTS.sheet, APPEALS.sheet, CHECK_SHEET}
    for ws in map(wb.__getitem__, SHEETS):
        setup = ws.page_setup
        assert int(setup.paperSize) == 9, f"{ws.title}: paper is not A4"
        assert setup.orientation == ("landscape" if ws.title in landscape else "portrait"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth in (None, 1) and int(setup.fitToHeight) == 0, \
            f"{ws.title}: not one page wide"
    assert wb[REQUESTS.sheet].print_title_rows == f"$1:${LAYOUT.cells[keys(REQUESTS)[0]][1][0]}"


def test_headers_stay_frozen(wb) -> None:
    for table in (REQUESTS, APPEALS):
        _, (r, c) = LAYOUT.cells[keys(table)[0]]
        assert wb[table.sheet].freeze_panes == xl_rowcol_to_cell(r, c), table.sheet
    freeze = wb[PROACTIVE.sheet].freeze_panes
    assert freeze and coordinate_from_string(freeze)[1] >= 2, "主动公开: the title row scrolls away"
    assert wb[CHECK_SHEET].freeze_panes, "校验: the column headers scroll away"


# --- rendering: LibreOffice → PDF → text and word positions -------------------------------

@dataclass(frozen=True)
class Block:
    """A block of text on a PDF page (a cell's text, possibly wrapped) and its box."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def y(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Page:
    """One PDF page: its size and its words, grouped in the text blocks pdftotext found."""

    width: float
    height: float
    blocks: tuple[tuple[Block, ...], ...]

    @property
    def words(self) -> list[Block]:
        return [w for block in self.blocks for w in block]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)

    def find(self, label: str) -> list[Block]:
        """Where ``label`` is printed: runs of consecutive words of a block that spell it
        exactly (a label wrapped in its cell spans several lines)."""
        target, hits = _squash(label), []
        for words in self.blocks:
            for i in range(len(words)):
                spelled = ""
                for j in range(i, len(words)):
                    spelled += _squash(words[j].text)
                    if spelled == target:
                        run = words[i:j + 1]
                        hits.append(Block(target, min(w.x0 for w in run), min(w.y0 for w in run),
                                          max(w.x1 for w in run), max(w.y1 for w in run)))
                    if not target.startswith(spelled):
                        break
        return hits

    def has(self, label: str) -> bool:
        return bool(self.find(label))

    def block(self, label: str) -> Block:
        hits = self.find(label)
        assert len(hits) == 1, f"{label!r} printed {len(hits)} times"
        return hits[0]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    reason = f"{name} is not installed (LibreOffice / poppler-utils), needed to render the template"
    if IN_CI:
        pytest.fail(reason + "; CI must install it (see .ci/run)")
    pytest.skip(reason)


def _pages(pdf: Path) -> list[Page]:
    html = pdf.with_suffix(".html")
    subprocess.run([_tool("pdftotext"), "-bbox-layout", str(pdf), str(html)], check=True,
                   capture_output=True, timeout=60)
    root = ET.fromstring(html.read_text(encoding="utf-8"))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iter(f"{{{ns['h']}}}page"):
        blocks = tuple(tuple(_box(w) for w in block.iter(f"{{{ns['h']}}}word"))
                       for block in page.iter(f"{{{ns['h']}}}block"))
        pages.append(Page(float(page.get("width")), float(page.get("height")), blocks))
    return pages


def _box(word: ET.Element) -> Block:
    return Block(word.text or "", *(float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, list[Page]]:
    """The committed template and a filled sample, printed to PDF by LibreOffice, read back."""
    soffice = _tool("soffice")
    _tool("pdftotext")
    work = tmp_path_factory.mktemp("render")
    profile = work / "lo-profile"  # a private profile: parallel runs do not share a lock
    files = [shutil.copy(TEMPLATE, work / "template.xlsx"), shutil.copy(FILLED, work / "filled.xlsx")]
    done = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(work), *map(str, files)],
                          capture_output=True, text=True, timeout=240)
    pdfs = {name: work / f"{name}.pdf" for name in ("template", "filled")}
    missing = [p.name for p in pdfs.values() if not p.exists()]
    assert not missing, f"LibreOffice made no {missing}: {done.stdout}{done.stderr}"
    return {name: _pages(pdf) for name, pdf in pdfs.items()}


def _page_of(pages: list[Page], title: str) -> int:
    found = [i for i, p in enumerate(pages) if p.has(title)]
    assert found, f"{title!r} is on no page"
    return found[0]


def _labels(table: Table) -> set[str]:
    out = {table.title, table.note, table.header}
    for row, col in table.cells():
        out |= {row.label, *row.parents, row.block, col.label, *col.parents}
    return out - {""}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["template", "filled"])
def test_printed_pages_show_every_official_label(rendered, name: str) -> None:
    pages = rendered[name]
    cover = pages[_page_of(pages, REPORT_TITLE)]
    for f in SCHEMA.meta:
        assert cover.has(f.label), f"cover lacks {f.label!r}"
    for table in TABLES:
        page = pages[_page_of(pages, table.title)]
        missing = sorted(label for label in _labels(table) if not page.has(label))
        assert not missing, f"{table.sheet} printed without {missing}"
    for f in SCHEMA.text:
        _page_of(pages, f.label)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["template", "filled"])
def test_table_three_prints_on_one_landscape_page(rendered, name: str) -> None:
    pages = rendered[name]
    i = _page_of(pages, REQUESTS.title)
    assert _page_of(pages, APPEALS.title) == i + 1, "依申请公开 spills onto a second page"
    page = pages[i]
    assert page.width > page.height, "依申请公开 is not printed landscape"
    assert page.has(REQUESTS.rows[0].label) and page.has(REQUESTS.rows[-1].label)


def _numbers_by_column(page: Page, y0: float, y1: float, heads: dict[str, Block]) -> dict[str, str]:
    """The numbers printed between heights y0 and y1, each under the nearest column heading."""
    out: dict[str, str] = {}
    for w in page.words:
        if y0 <= w.y <= y1 and re.fullmatch(r"-?\d+(\.\d+)?", w.text):
            col = min(heads, key=lambda c: abs(heads[c].x - w.x))
            assert col not in out, f"two numbers under {col} at y={w.y:.0f}"
            out[col] = w.text
    return out


def _expected(report, table: Table, row) -> dict[str, str]:
    out = {}
    for col in row.columns:
        value = excel_value(report, (table.id, row.id, col.id))
        if is_number(value):
            out[col.id] = str(value)
    return out


@pytest.fixture(scope="module")
def filled_report():
    return interchange.load(FILLED_JSON)


@pytest.mark.slow
def test_filled_requests_page_shows_each_number_in_its_row_and_column(rendered, filled_report) -> None:
    pages = rendered["filled"]
    page = pages[_page_of(pages, REQUESTS.title)]
    first = page.block(REQUESTS.rows[0].label)
    heads = {}
    for col in REQUESTS.rows[0].columns:
        above = [b for b in page.words if b.text == col.label and b.y < first.y0]
        assert len(above) == 1, f"column heading {col.label!r}"
        heads[col.id] = above[0]
    for row in REQUESTS.rows:
        label = page.block(row.label)
        got = _numbers_by_column(page, label.y0, label.y1, heads)
        assert got == _expected(filled_report, REQUESTS, row), f"row {row.id} {row.label}"


@pytest.mark.slow
def test_filled_proactive_and_appeals_pages_show_the_numbers(rendered, filled_report) -> None:
    pages = rendered["filled"]
    page = pages[_page_of(pages, PROACTIVE.title)]
    for row in PROACTIVE.rows:
        label = page.block(row.label)
        got = [w.text for w in sorted(page.words, key=lambda w: w.x)
               if label.y0 <= w.y <= label.y1 and re.fullmatch(r"-?\d+(\.\d+)?", w.text)]
        assert got == list(_expected(filled_report, PROACTIVE, row).values()), row.label
    page = pages[_page_of(pages, APPEALS.title)]
    heading = max(b.y1 for b in page.words if b.text == APPEALS.rows[0].columns[0].label)
    got = [w.text for w in sorted(page.words, key=lambda w: w.x)
           if w.y > heading and re.fullmatch(r"-?\d+", w.text)]
    assert got == [v for row in APPEALS.rows for v in _expected(filled_report, APPEALS, row).values()]


@pytest.mark.slow
def test_filled_check_sheet_prints_the_rules_verdicts(rendered, filled_report) -> None:
    """What the 校验 sheet prints is what the Python rules say, message for message."""
    text = _squash("".join(p.text for p in rendered["filled"]))
    assert _squash(filled_report.org) in text
    equations = {r.id for r in EQUATION_RULES}
    messages = [f.message for f in check(filled_report) if f.rule in equations]
    assert messages, "the sample is meant to carry failing equations"
    for row in check_rows(CHECK_SHEET):
        message = row.values(filled_report)[3]
        if message:
            messages.append(message)
    for message in messages:
        assert _squash(message) in text, f"校验 does not print {message!r}"
