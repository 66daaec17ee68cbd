"""carry-forward writes last year's 四 into this year's 二 and changes nothing else in the file.

The target is a clerk's workbook: the template plus an extra sheet, a comment, a custom defined
name, workbook.xml as Excel saves it (no fullCalcOnLoad), and an .xlsm variant with a VBA part.
Every zip member is compared before and after. Only numbers are carried: a blank or non-number
of last year's leaves this year's cell as it was, and with nothing to carry nothing is written.
The one total that sums the carried cells (J6) gets its cached value brought up to date.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from xl_helpers import run_main, within_limit

from xlgbreport import cli as cli_module
from xlgbreport.actions import carry
from xlgbreport.cli import cli, workbooks
from xlgbreport.core import prior
from xlgbreport.core.gb2021 import REQUESTS
from xlgbreport.core.model import Invalid
from xlgbreport.errors import InputError
from xlgbreport.files import interchange, xlsx_patch
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.layout import LAYOUT
from xlgbreport.workbook.reader import LIMITS

EXAMPLES = Path(__file__).parent / "data" / "examples"  # copies of shared/examples
LAST_JSON = EXAMPLES / "suqian_2023.json"
THIS_JSON = EXAMPLES / "suqian_2024.json"
SHEET = REQUESTS.sheet
CARRIED = [this for this, _ in prior.carried_pairs()]
CARRIED_REFS = {LAYOUT.a1(k, sheet=False) for k in CARRIED}  # D6:I6
TOTAL = (REQUESTS.id, "2", "total")
TOTAL_REF = LAYOUT.a1(TOTAL, sheet=False)  # J6 =SUM(D6:I6)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXTRA_SHEET = "办事员备注"
CUSTOM_NAME = "my_total"
FAKE_VBA = b"\xd0\xcf\x11\xe0 not really a VBA project, kept byte for byte"
EXCEL_CALC_PR = b'<calcPr calcId="191029"/>'  # what Excel writes: no fullCalcOnLoad


# --- building a clerk's workbook ---------------------------------------------------------

def this_year_json(tmp_path: Path) -> Path:
    """2024's report with 二 left blank (the clerk has not typed it) except one wrong cell."""
    data = json.loads(THIS_JSON.read_text(encoding="utf-8"))
    within_limit(data["text"])  # 一 within 一千字: the carried workbook passes every check
    for col in data["requests"]["2"]:
        data["requests"]["2"][col] = None
    data["requests"]["2"]["commercial"] = 7
    out = tmp_path / "this.json"
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def clerk_workbook(tmp_path: Path, name: str = "本年.xlsx") -> Path:
    """The template filled in, then touched as a clerk would: a sheet, a comment, a name."""
    path = tmp_path / name
    workbook_writer.write(path, interchange.load(this_year_json(tmp_path)))
    wb = openpyxl.load_workbook(path)
    extra = wb.create_sheet(EXTRA_SHEET)
    extra["A1"] = "本表为办事员自用，请勿删除"
    extra["B2"] = f"='{SHEET}'!J29*2"
    wb[SHEET]["A6"].comment = Comment("上年结转数请与去年报告核对", "办事员")
    wb.defined_names[CUSTOM_NAME] = DefinedName(CUSTOM_NAME, attr_text=f"'{SHEET}'!$J$29")
    wb.save(path)
    _rewrite_member(path, "xl/workbook.xml",
                    lambda xml: re.sub(rb"<calcPr\b[^>]*/>", EXCEL_CALC_PR, xml))
    return path


def macro_workbook(tmp_path: Path) -> Path:
    """The same workbook as an .xlsm with a VBA part (a fake one: its bytes must survive)."""
    path = clerk_workbook(tmp_path).rename(tmp_path / "本年.xlsm")
    _rewrite_member(path, "[Content_Types].xml", lambda xml: xml.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"<Default ", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        b"<Default ", 1))
    _rewrite_member(path, "xl/_rels/workbook.xml.rels", lambda xml: xml.replace(
        b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/'
        b'2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'))
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", FAKE_VBA, compress_type=zipfile.ZIP_STORED)
    return path


def _rewrite_member(path: Path, member: str, change) -> None:
    tmp = path.with_name(path.name + ".rewrite")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == member else data)
    tmp.replace(path)


def last_year(tmp_path: Path) -> Path:
    path = tmp_path / "上年.xlsx"
    report = interchange.load(LAST_JSON)
    within_limit(report.text)
    workbook_writer.write(path, report)
    return path


def members(path: Path) -> dict[str, tuple[bytes, int]]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()}


def sheet_member(path: Path, sheet: str) -> str:
    return xlsx_patch.sheet_parts(zipfile.ZipFile(path))[sheet]


def cells_of(xml: bytes) -> dict[str, bytes]:
    """Every <c> of a sheet, serialised (attributes and content), by its reference."""
    root = ElementTree.fromstring(xml)
    return {c.get("r"): ElementTree.tostring(c) for c in root.iter(f"{{{MAIN}}}c")}


def without_cells(xml: bytes, refs: set[str]) -> bytes:
    """The sheet XML with the given <c> elements cut out: what must stay byte for byte."""
    for ref in refs:
        xml, n = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)', b"", xml,
                         flags=re.S)
        assert n == 1, ref
    return xml


def cached(xml: bytes, ref: str) -> str | None:
    """The cached value (``<v>``) of a cell."""
    cell = ElementTree.fromstring(cells_of(xml)[ref])
    return cell.findtext(f"{{{MAIN}}}v")


def without_value(cell: bytes) -> bytes:
    """A serialised <c> without its cached value: its formula, style and position."""
    return re.sub(rb"<(\w+:)?v\s*/>|<(\w+:)?v>[^<]*</(\w+:)?v>", b"", cell)


# --- the whole file, part by part --------------------------------------------------------

def plain_workbook(tmp_path: Path) -> Path:
    """The template as xlgbreport writes it (its calcPr already asks for recalculation)."""
    path = tmp_path / "本年.xlsx"
    workbook_writer.write(path, interchange.load(this_year_json(tmp_path)))
    return path


@pytest.mark.parametrize("kind", ["xlsx", "xlsm", "plain"])
def test_only_the_carried_cells_change(tmp_path, kind):
    make = {"xlsx": clerk_workbook, "xlsm": macro_workbook, "plain": plain_workbook}[kind]
    target = make(tmp_path)
    last = workbook_reader.read(last_year(tmp_path))
    original = target.read_bytes()
    before = members(target)
    report_before = workbook_reader.read(target)
    part = sheet_member(target, SHEET)

    done = carry.carry_forward(target, last)
    backup = done.backup
    assert done.numbers == prior.carry_over(last) and done.left == ()
    assert done.totals == (TOTAL,)

    after = members(target)
    assert list(after) == list(before)  # same members, same order, none added or lost
    changed = {name for name in before if after[name][0] != before[name][0]}
    assert changed == ({part} if kind == "plain" else {part, "xl/workbook.xml"})
    for name in before:  # and each stored with its original compression
        assert after[name][1] == before[name][1], name
    if kind == "xlsm":
        assert after["xl/vbaProject.bin"][0] == FAKE_VBA

    # xl/workbook.xml: only calcPr, now asking for a full recalculation on opening
    old_book, new_book = before["xl/workbook.xml"][0], after["xl/workbook.xml"][0]
    if kind != "plain":
        assert EXCEL_CALC_PR in old_book
        assert b'<calcPr calcId="191029" fullCalcOnLoad="1"/>' in new_book
        assert new_book.replace(b' fullCalcOnLoad="1"', b"") == old_book

    # the sheet: the six carried <c> elements differ, and the cached value of their total
    # (J6: its formula and style as they were); every other cell is the same, and
    # everything around the cells (validation, formats, protection, merges) is byte-identical
    old_sheet, new_sheet = before[part][0], after[part][0]
    old_cells, new_cells = cells_of(old_sheet), cells_of(new_sheet)
    assert set(old_cells) == set(new_cells)
    assert {ref for ref in old_cells if old_cells[ref] != new_cells[ref]} == \
        CARRIED_REFS | {TOTAL_REF}
    touched = CARRIED_REFS | {TOTAL_REF}
    assert without_cells(old_sheet, touched) == without_cells(new_sheet, touched)
    assert without_value(old_cells[TOTAL_REF]) == without_value(new_cells[TOTAL_REF])
    assert cached(new_sheet, TOTAL_REF) == "121"
    root = ElementTree.fromstring(new_sheet)
    for key in CARRIED:
        cell = next(c for c in root.iter(f"{{{MAIN}}}c") if c.get("r") == LAYOUT.a1(key, False))
        old = ElementTree.fromstring(old_cells[LAYOUT.a1(key, False)])
        assert cell.get("s") == old.get("s")  # the style (unlocked, yellow when blank) is kept
        assert cell.get("t") is None and cell.find(f"{{{MAIN}}}f") is None
    for tag in ("sheetProtection", "dataValidations", "conditionalFormatting", "mergeCells"):
        assert root.find(f"{{{MAIN}}}{tag}") is not None, tag

    # backup beside it, equal to the original; no temporary file left behind
    assert backup == target.with_name(target.name + ".bak")
    assert backup.read_bytes() == original
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {target.name, backup.name, "this.json", "上年.xlsx"}

    # it reads back with the carried values, and everything else as it was
    report_after = workbook_reader.read(target)
    carried = prior.carry_over(last)
    assert {k: report_after.value(k) for k in CARRIED} == carried
    assert carried[(REQUESTS.id, "2", "natural_person")] == 118
    assert report_after.value((REQUESTS.id, "2", "total")) == 121
    for key, value in report_before.cells.items():
        if key not in CARRIED:
            assert report_after.cells.get(key) == value, key
    assert (report_after.org, report_after.year, report_after.text) == \
        (report_before.org, report_before.year, report_before.text)

    # a full openpyxl load sees a valid workbook with the clerk's additions intact
    wb = openpyxl.load_workbook(target, keep_vba=kind == "xlsm")
    assert wb[SHEET]["D6"].value == 118 and wb[SHEET]["J6"].value == "=SUM(D6:I6)"
    assert openpyxl.load_workbook(target, data_only=True)[SHEET]["J6"].value == 121
    if kind == "plain":  # every cached total agrees with its parts: the fast reader can read it
        assert workbook_reader._read_fast(target, LIMITS) is not None
        return
    assert EXTRA_SHEET in wb.sheetnames
    assert wb[EXTRA_SHEET]["B2"].value == f"='{SHEET}'!J29*2"
    assert wb[SHEET]["A6"].comment.text == "上年结转数请与去年报告核对"
    assert CUSTOM_NAME in wb.defined_names
    assert wb[SHEET].protection.sheet
    if kind == "xlsm":
        assert wb.vba_archive is not None
        assert wb.vba_archive.read("xl/vbaProject.bin") == FAKE_VBA


@pytest.mark.slow
def test_libreoffice_opens_and_recalculates_the_result(tmp_path):
    """LibreOffice headless converts both results; set to recalculate on load (as Excel does
    for fullCalcOnLoad), the totals and the 校验 sheet follow the carried values."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed for this test"
    last = workbook_reader.read(last_year(tmp_path))
    books = []
    for kind, make in (("xlsx", clerk_workbook), ("xlsm", macro_workbook)):
        folder = tmp_path / kind
        folder.mkdir()
        book = make(folder)
        carry.carry_forward(book, last)
        books.append(book)
    profile = tmp_path / "lo-profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>'
        '</oor:items>\n', encoding="utf-8")
    out = tmp_path / "converted"
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                           *map(str, books)], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    for book in books:
        converted = out / (book.stem + ".xlsx")
        assert converted.exists(), (proc.stdout, proc.stderr)
        wb = openpyxl.load_workbook(converted, data_only=True)
        row = [wb[SHEET].cell(6, c).value for c in range(4, 11)]
        assert row == [118, 3, 0, 0, 0, 0, 121]  # J6 recalculated from the carried cells
        assert wb["校验"]["B1"].value == "✔ 全部通过"
        assert EXTRA_SHEET in wb.sheetnames


# --- refusals and edge cases -------------------------------------------------------------

def test_wrong_body_or_year_is_refused_unless_forced(tmp_path):
    target = clerk_workbook(tmp_path)
    other = interchange.load(LAST_JSON)
    other.org = "宿豫区人民政府"
    original = target.read_bytes()
    with pytest.raises(InputError) as err:
        carry.carry_forward(target, other)
    assert err.value.code == "carry.mismatch" and "宿豫区人民政府" in err.value.message
    assert err.value.args_["remedy"] == carry.SKIP_CHECKS_REMEDY
    assert target.read_bytes() == original and not carry.backup_path(target).exists()
    other.org, other.year = "宿迁市人民政府", 2022
    with pytest.raises(InputError) as err:
        carry.carry_forward(target, other)
    assert err.value.code == "carry.mismatch" and "2023" in err.value.message
    carry.carry_forward(target, other, skip_checks=True)
    assert workbook_reader.read(target).value((REQUESTS.id, "2", "natural_person")) == 118


def test_blank_last_year_leaves_the_clerks_cell_never_guesses(tmp_path):
    """Partial: last year's 商业企业 blank and 科研机构 text; this year's two cells stay as
    they were (the 7 the clerk typed, and a blank), byte for byte; the other four are carried."""
    target = clerk_workbook(tmp_path)
    last = interchange.load(LAST_JSON)
    last.cells[(REQUESTS.id, "4", "commercial")] = None  # last year left it blank
    last.cells[(REQUESTS.id, "4", "research")] = Invalid("无")  # or typed text
    part = sheet_member(target, SHEET)
    old_sheet = members(target)[part][0]
    before = workbook_reader.read(target)

    done = carry.carry_forward(target, last)

    left = ((REQUESTS.id, "2", "commercial"), (REQUESTS.id, "2", "research"))
    assert done.left == left and set(done.numbers) == set(CARRIED) - set(left)
    report = workbook_reader.read(target)
    assert [report.value(k) for k in CARRIED] == [118, 7, None, 0, 0, 0]
    assert [before.value(k) for k in left] == [report.value(k) for k in left] == [7, None]
    new_sheet = members(target)[part][0]
    old_cells, new_cells = cells_of(old_sheet), cells_of(new_sheet)
    left_refs = {LAYOUT.a1(k, sheet=False) for k in left}
    assert {ref for ref in old_cells if old_cells[ref] != new_cells[ref]} == \
        CARRIED_REFS - left_refs | {TOTAL_REF}
    assert cached(new_sheet, TOTAL_REF) == "125"  # 118 + the clerk's 7 + 0 + 0 + 0 (+ blank)
    assert openpyxl.load_workbook(target, data_only=True)[SHEET]["J6"].value == 125


def test_nothing_to_carry_writes_nothing(tmp_path):
    target = clerk_workbook(tmp_path)
    last = interchange.load(LAST_JSON)
    for key in CARRIED:
        last.cells[(REQUESTS.id, "4", key[2])] = None
    original = target.read_bytes()
    with pytest.raises(InputError) as err:
        carry.carry_forward(target, last)
    assert err.value.code == "carry.nothing_to_carry" and err.value.args_["n"] == 6
    assert target.read_bytes() == original and not carry.backup_path(target).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, "this.json"])


def test_to_carry_is_the_buttons_rule():
    """Numbers only, the rest named: what the button 结转上年数据 writes and counts."""
    last = interchange.load(LAST_JSON)
    last.cells[(REQUESTS.id, "4", "other")] = Invalid("若干")
    last.cells[(REQUESTS.id, "4", "nonprofit")] = None
    plan = prior.to_carry(last)
    assert plan.left == ((REQUESTS.id, "2", "nonprofit"), (REQUESTS.id, "2", "other"))
    assert plan.numbers == {k: v for k, v in prior.carry_over(last).items() if v is not None}
    assert list(plan.numbers) == [k for k in CARRIED if k not in plan.left]


def test_edit_sheet_inserts_missing_cells_and_rows_in_order():
    xml = (b'<?xml version="1.0"?><x:worksheet xmlns:x="' + MAIN.encode() + b'"><x:sheetData>'
           b'<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c><x:c r="F2" s="3"><x:f>1+1</x:f>'
           b'<x:v>2</x:v></x:c></x:row><x:row r="5"/><x:row r="9"><x:c r="B9" t="s"><x:v>0</x:v>'
           b'</x:c></x:row></x:sheetData></x:worksheet>')
    values = {"C2": 4, "F2": Decimal("2.50"), "B5": 1, "A7": 0, "B9": None, "D12": 3, "E12": None}
    new, formula = xlsx_patch.edit_cells(xml, values)
    assert formula  # F2 held a formula: the calculation chain must go
    root = ElementTree.fromstring(new)
    rows = [(r.get("r"), [(c.get("r"), c.get("s"), c.get("t"), c.findtext(f"{{{MAIN}}}v"))
                          for c in r]) for r in root.iter(f"{{{MAIN}}}row")]
    assert rows == [
        ("2", [("A2", None, None, "1"), ("C2", None, None, "4"), ("F2", "3", None, "2.50")]),
        ("5", [("B5", None, None, "1")]),
        ("7", [("A7", None, None, "0")]),
        ("9", [("B9", None, None, None)]),
        ("12", [("D12", None, None, "3")]),  # a blank is not inserted where nothing was
    ]


def test_a_shared_formula_is_not_broken(tmp_path):
    xml = (b'<worksheet xmlns="' + MAIN.encode() + b'"><sheetData><row r="6">'
           b'<c r="D6"><f t="shared" ref="D6:I6" si="0">D5*2</f><v>0</v></c>'
           b'</row></sheetData></worksheet>')
    with pytest.raises(xlsx_patch.SharedFormula) as err:
        xlsx_patch.edit_cells(xml, {"D6": 1})
    assert err.value.ref == "D6"
    new, _, _ = carry.patch_sheet(xml.replace(b' ref="D6:I6"', b""), {"D6": 1}, [])
    assert b'<c r="D6"><v>1</v></c>' in new  # a cell of a shared group (not its anchor) is fine


def test_overwritten_formula_drops_a_stale_calc_chain(tmp_path):
    target = clerk_workbook(tmp_path)
    part = sheet_member(target, SHEET)
    _rewrite_member(target, part, lambda xml: re.sub(rb'<c r="D6"( s="\d+")[^>]*?(?:/>|></c>)',
                                                    rb'<c r="D6"\1><f>1+1</f><v>2</v></c>', xml))
    _rewrite_member(target, "[Content_Types].xml", lambda xml: xml.replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>'))
    _rewrite_member(target, "xl/_rels/workbook.xml.rels", lambda xml: xml.replace(
        b"</Relationships>", b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>'))
    with zipfile.ZipFile(target, "a") as zf:
        zf.writestr("xl/calcChain.xml", f'<calcChain xmlns="{MAIN}"><c r="D6" i="3"/></calcChain>')
    carry.carry_forward(target, workbook_reader.read(last_year(tmp_path)))
    after = members(target)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"][0]
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"][0]
    openpyxl.load_workbook(target)  # still a valid package
    assert workbook_reader.read(target).value((REQUESTS.id, "2", "natural_person")) == 118


def test_full_calc_on_load_is_added_where_the_schema_wants_it():
    bare = b'<workbook xmlns="m"><sheets/><definedNames/><extLst/></workbook>'
    assert xlsx_patch.full_calc_on_load(bare) == \
        b'<workbook xmlns="m"><sheets/><definedNames/><calcPr fullCalcOnLoad="1"/><extLst/></workbook>'
    off = b'<workbook><calcPr calcId="1" fullCalcOnLoad="0"/></workbook>'
    assert xlsx_patch.full_calc_on_load(off) == b'<workbook><calcPr calcId="1" fullCalcOnLoad="1"/></workbook>'
    on = b'<workbook><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    assert xlsx_patch.full_calc_on_load(on) == on


def sheet_xml(row6: bytes, prefix: bytes = b"") -> bytes:
    p = prefix + b":" if prefix else b""
    ns = b' xmlns:' + prefix + b'="' if prefix else b' xmlns="'
    body = row6.replace(b"<c ", b"<" + p + b"c ").replace(b"</c>", b"</" + p + b"c>") \
        .replace(b"<v>", b"<" + p + b"v>").replace(b"</v>", b"</" + p + b"v>") \
        .replace(b"<f>", b"<" + p + b"f>").replace(b"</f>", b"</" + p + b"f>")
    return (b"<" + p + b"worksheet" + ns + MAIN.encode() + b'"><' + p + b'sheetData><' + p +
            b'row r="6">' + body + b"</" + p + b"row></" + p + b"sheetData></" + p + b"worksheet>")


def refreshed(row6: bytes, carried: dict[str, object], prefix: bytes = b"") -> str | None:
    """J6's cached value after the carried cells (already written) are summed again."""
    totals = carry.dependent_totals(LAYOUT, {k: 0 for k in CARRIED})
    assert [t.key for t in totals[SHEET]] == [TOTAL]
    xml = sheet_xml(row6, prefix)
    sheet = xlsx_patch.Sheet(xml, {"D6", "E6", "F6", "G6", "H6", "I6", "J6"})
    done = carry.refresh_totals(sheet, totals[SHEET], carried)
    new = sheet.xml()
    if not done:
        assert new == xml  # left exactly as it was
        return None
    assert done == [TOTAL]
    root = ElementTree.fromstring(new)
    cell = next(c for c in root.iter(f"{{{MAIN}}}c") if c.get("r") == "J6")
    assert cell.findtext(f"{{{MAIN}}}f") == "SUM(D6:I6)" and cell.get("s") == "9"
    return cell.findtext(f"{{{MAIN}}}v")


J6 = b'<c r="J6" s="9"><f>SUM(D6:I6)</f><v>7</v></c>'


@pytest.mark.parametrize(("row6", "carried", "expected"), [
    # SUM skips blanks, text (shared or inline strings) and logical values; absent cells are 0
    (b'<c r="D6"><v>118</v></c><c r="E6" t="s"><v>3</v></c><c r="F6" s="7"/>'
     b'<c r="G6" t="inlineStr"><is><t>x</t></is></c><c r="H6" t="b"><v>1</v></c>' + J6,
     {"D6": 118}, "118"),
    (b'<c r="D6"><v>118</v></c><c r="E6"><v>7</v></c><c r="I6"><f>1+1</f><v>2</v></c>' + J6,
     {"D6": 118, "E6": Decimal("3")}, "123"),  # a clerk's formula: its cached value
    (b'<c r="D6"><v>1</v></c><c r="J6" s="9"><f>SUM(D6:I6)</f><v/></c>', {"D6": 1}, "1"),
    (b'<c r="D6"><v>1</v></c><c r="J6" s="9" t="n"><f>SUM(D6:I6)</f></c>', {"D6": 1}, "1"),
    # left for the recalculation on opening: what SUM gives is not known here, or J6 is not
    # the template's formula
    (b'<c r="D6"><v>1</v></c><c r="E6" t="e"><v>#REF!</v></c>' + J6, {"D6": 1}, None),
    (b'<c r="D6"><v>1</v></c><c r="E6"><f>1/3</f></c>' + J6, {"D6": 1}, None),
    (b'<c r="D6"><v>1</v></c><c r="E6"><v>0.5</v></c>' + J6, {"D6": 1}, None),
    (b'<c r="D6"><v>1</v></c>' + J6, {"D6": Decimal("1.5")}, None),
    (b'<c r="D6"><v>1</v></c><c r="J6" s="9"><v>121</v></c>', {"D6": 1}, None),
    (b'<c r="D6"><v>1</v></c><c r="J6" s="9"><f>SUM(D6:I6)+0</f><v>7</v></c>', {"D6": 1}, None),
    (b'<c r="D6"><v>1</v></c><c r="J6" s="9"><f>SUM(D6:H6)</f><v>7</v></c>', {"D6": 1}, None),
    (b'<c r="D6"><v>1</v></c><c r="J6" s="9"><f t="shared" ref="J6:J7" si="0">SUM(D6:I6)</f>'
     b'<v>7</v></c>', {"D6": 1}, None),
    (b'<c r="D6"><v>1</v></c><c r="J6" s="9" t="e"><f>SUM(D6:I6)</f><v>#VALUE!</v></c>',
     {"D6": 1}, None),
    (b'<c r="D6"><v>1</v></c>', {"D6": 1}, None),  # no J6 at all
])
def test_the_totals_cached_value(row6, carried, expected):
    assert refreshed(row6, carried) == expected


def test_the_totals_cached_value_with_a_namespace_prefix():
    row6 = b'<c r="D6"><v>118</v></c><c r="E6"><v>3</v></c>' + J6
    assert refreshed(row6, {"D6": 118, "E6": 3}, prefix=b"x") == "121"


def test_a_total_typed_over_is_not_touched(tmp_path):
    """A total the clerk typed over (not the sum of its parts): J6 holds a number, no formula."""
    target = tmp_path / "本年.xlsx"
    report = interchange.load(THIS_JSON)
    report.cells[TOTAL] = 999
    workbook_writer.write(target, report)
    part = sheet_member(target, SHEET)
    old_cells = cells_of(members(target)[part][0])
    assert b"<f>" not in old_cells[TOTAL_REF]
    done = carry.carry_forward(target, interchange.load(LAST_JSON))
    assert done.totals == ()
    new_cells = cells_of(members(target)[part][0])
    assert new_cells[TOTAL_REF] == old_cells[TOTAL_REF]


# --- the command --------------------------------------------------------------------------

def test_cli_carry_forward(tmp_path):
    target = clerk_workbook(tmp_path)
    last = last_year(tmp_path)
    result = CliRunner().invoke(cli, ["carry-forward", "--prior", str(last), str(target)])
    assert result.exit_code == 0, result.output
    assert "本年.xlsx.bak" in result.output
    report = workbook_reader.read(target)
    assert {k: report.value(k) for k in CARRIED} == prior.carry_over(workbook_reader.read(last))
    code = CliRunner().invoke(cli, ["validate", "--prior", str(last), str(target)]).exit_code
    assert code == 0

    folder = tmp_path / "上年"
    folder.mkdir()
    shutil.copy(last, folder / "随便起的名字.xlsx")
    result = CliRunner().invoke(cli, ["carry-forward", "--prior", str(folder), str(target)])
    assert result.exit_code == 0, result.output
    assert "随便起的名字.xlsx" in result.output  # says which file was last year's


def run_joined(monkeypatch, capsys, *args) -> tuple[int, str]:
    """The command's exit code and all it printed."""
    code, out, err = run_main(monkeypatch, capsys, *args)
    return code, out + err


def rolled_chain(tmp_path: Path) -> tuple[Path, Path]:
    """The defect's case: last year's workbook is fresh from rollover (its 四 empty); this
    year's workbook has 二 filled in (118/3/0/0/0/0, total 121) by the clerk."""
    start = tmp_path / "2024.xlsx"
    workbook_writer.write(start, interchange.load(THIS_JSON))
    rolled = tmp_path / "2025.xlsx"
    assert CliRunner().invoke(cli, ["rollover", str(start), "-o", str(rolled)]).exit_code == 0
    data = json.loads(THIS_JSON.read_text(encoding="utf-8"))
    data["year"] = 2026
    data["requests"]["2"]["total"] = None  # J6 the template's formula, its cached value 121
    source = tmp_path / "2026.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "2026.xlsx"
    assert CliRunner().invoke(cli, ["new", "--from-json", str(source), "-o", str(target)]) \
        .exit_code == 0
    return rolled, target


def test_cli_blank_row_four_leaves_row_two_and_writes_nothing(tmp_path, monkeypatch, capsys):
    rolled, target = rolled_chain(tmp_path)
    assert all(workbook_reader.read(rolled).value((REQUESTS.id, "4", k[2])) is None
               for k in CARRIED)
    before = workbook_reader.read(target)
    assert [before.value(k) for k in CARRIED] == [118, 3, 0, 0, 0, 0]
    original = target.read_bytes()

    code, text = run_joined(monkeypatch, capsys, "carry-forward", "--prior", rolled, target)

    assert code == cli_module.EXIT_CODES["refused"]
    assert "没有可结转的数" in text and "本工作簿未改动" in text and "已从上年" not in text
    assert target.read_bytes() == original and not carry.backup_path(target).exists()
    after = workbook_reader.read(target)
    assert {k: after.value(k) for k in [*CARRIED, TOTAL]} == \
        {k: before.value(k) for k in [*CARRIED, TOTAL]}


def test_cli_partial_says_what_was_carried_and_what_was_left(tmp_path, monkeypatch, capsys):
    rolled, target = rolled_chain(tmp_path)
    last = workbook_reader.read(rolled)
    last.cells.update({(REQUESTS.id, "4", "natural_person"): 5,
                       (REQUESTS.id, "4", "research"): 0})  # the rest of 四 still blank
    last_json = tmp_path / "2025.json"
    last_json.write_text(interchange.dumps(last), encoding="utf-8")

    code, text = run_joined(monkeypatch, capsys, "carry-forward", "--prior", last_json, target)

    assert code == 0, text
    assert "结转 2 个单元格" in text and "2026.xlsx.bak" in text
    assert workbooks.CARRY_LEFT.format(n=4, columns="商业企业、社会公益组织、法律服务机构、其他") in text
    report = workbook_reader.read(target)
    assert [report.value(k) for k in CARRIED] == [5, 3, 0, 0, 0, 0]  # 3: the clerk's, kept
    assert report.value(TOTAL) == 8
    assert openpyxl.load_workbook(target, data_only=True)[SHEET]["J6"].value == 8  # was 121
