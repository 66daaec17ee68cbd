"""VBA kept across years: rollover LAST.xlsm -o NEXT.xlsm and new --like carry the VBA project.

The project is a real one: xlwings' own quickstart_standalone.xlsm (its xlwings module, the
workbook's and a sheet's document modules). oletools reads the module texts back; LibreOffice
opens the result. A VBA project is never dropped without a word.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings
from click.testing import CliRunner
from oletools.olevba import VBA_Parser
from xl_helpers import EXAMPLES, ROOT, run_main

from xlgbreport.cli import cli
from xlgbreport.files import interchange
from xlgbreport.files import vba_project as vba
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.layout import CHECK_SHEET, COVER_SHEET

QUICKSTART = Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")
BUTTONS_BAS = ROOT / "xlgbreport" / "excel" / "bas" / "XlgButtons.bas"


def modules(path: Path) -> dict[str, str]:
    """Every VBA module's text, by its stream, as oletools decompresses it."""
    parser = VBA_Parser(str(path))
    try:
        return {stream: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


@pytest.fixture()
def last_xlsm(tmp_path: Path) -> Path:
    """A clerk's 2023 workbook after the per-workbook route: saved as .xlsm with VBA inside."""
    found = vba.read(QUICKSTART)
    assert found is not None
    project = vba.VbaProject(found.data, None, "ThisWorkbook", {COVER_SHEET: "Sheet1"})
    path = tmp_path / "宿迁2023.xlsm"
    workbook_writer.write(path, interchange.load(EXAMPLES / "suqian_2023.json"), vba=project)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_rollover_keeps_the_vba_project_module_for_module(last_xlsm: Path, tmp_path: Path) -> None:
    nxt = tmp_path / "宿迁2024.xlsm"
    result = run("rollover", str(last_xlsm), "-o", str(nxt))
    assert result.exit_code == 0, result.output
    assert part(nxt, vba.PROJECT_PART) == part(QUICKSTART, vba.PROJECT_PART)
    before, after = modules(QUICKSTART), modules(nxt)
    assert after == before
    assert "VBA/xlwings" in after and "Function RunPython" in after["VBA/xlwings"]
    assert b"macroEnabled.main+xml" in part(nxt, "[Content_Types].xml")
    assert vba.read(nxt).workbook_code_name == "ThisWorkbook"
    assert vba.read(nxt).sheet_code_names[COVER_SHEET] == "Sheet1"  # as the VBA knows it
    codes = list(vba.read(nxt).sheet_code_names.values())
    assert len(codes) == len(set(codes)) == len(openpyxl.load_workbook(nxt).sheetnames)
    report = workbook_reader.read(nxt)
    assert (report.org, report.year) == ("宿迁市人民政府", 2024)


def test_the_buttons_are_linked_to_the_macros_the_module_defines(last_xlsm: Path, tmp_path: Path) -> None:
    nxt = tmp_path / "next.xlsm"
    assert run("rollover", str(last_xlsm), "-o", str(nxt)).exit_code == 0
    with zipfile.ZipFile(nxt) as zf:
        drawings = [zf.read(n).decode() for n in zf.namelist() if n.endswith(".vml")]
    assert len(drawings) == 1  # on 封面 only
    linked = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", drawings[0])
    assert linked == [macro for macro, _ in vba.BUTTONS]
    defined = re.findall(r"^Sub (\w+)\(\)", BUTTONS_BAS.read_text(encoding="utf-8"), re.M)
    assert set(linked) <= set(defined)
    for _, caption in vba.BUTTONS:
        assert caption in drawings[0]


def test_new_like_carries_the_project(last_xlsm: Path, tmp_path: Path) -> None:
    out = tmp_path / "新镇2025.xlsm"
    result = run("new", "--org", "新镇人民政府", "--year", "2025", "--like", str(last_xlsm), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert modules(out) == modules(QUICKSTART)
    assert workbook_reader.read(out).org == "新镇人民政府"


def test_a_vba_project_is_never_dropped_silently(last_xlsm: Path, tmp_path: Path, monkeypatch,
                                                capsys) -> None:
    plain = tmp_path / "next.xlsx"
    code, out, err = run_main(monkeypatch, capsys, "rollover", last_xlsm, "-o", plain)
    assert code == 2 and not plain.exists() and not out
    assert err == "✘ 宿迁2023.xlsm：含有宏（VBA），输出文件须为 .xlsm，否则宏会丢失：请把输出文件名改为 next.xlsm\n"
    code, _, err = run_main(monkeypatch, capsys, "new", "--org", "某镇", "--year", "2025", "--like",
                            last_xlsm, "-o", plain)
    assert code == 2 and not plain.exists() and "next.xlsm" in err


def test_an_xlsm_without_a_vba_project_is_refused(tmp_path: Path, monkeypatch, capsys) -> None:
    last = tmp_path / "last.xlsx"
    workbook_writer.write(last, interchange.load(EXAMPLES / "suqian_2023.json"))
    out = tmp_path / "next.xlsm"
    for args in (("rollover", str(last), "-o", str(out)),
                 ("new", "--org", "某镇", "--year", "2025", "-o", str(out)),
                 ("new", "--org", "某镇", "--year", "2025", "--like", str(last), "-o", str(out))):
        code, _, err = run_main(monkeypatch, capsys, *args)
        assert code == 2 and not out.exists(), args
        assert "不含宏（VBA）" in err and "next.xlsx" in err and err.count("\n") == 1


def test_libreoffice_opens_the_carried_workbook(last_xlsm: Path, tmp_path: Path) -> None:
    """LibreOffice loads the .xlsm, VBA and buttons included, and saves it again as .xlsm with
    the VBA project still inside: it read the file as a macro workbook, not as a damaged one."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed for this test"
    nxt = tmp_path / "next.xlsm"
    assert run("rollover", str(last_xlsm), "-o", str(nxt)).exit_code == 0
    out = tmp_path / "lo"
    profile = tmp_path / "lo-profile"
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", "xlsm:Calc MS Excel 2007 VBA XML", "--outdir", str(out),
                           str(nxt)], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    saved = out / "next.xlsm"
    assert saved.exists(), (proc.stdout, proc.stderr)
    wb = openpyxl.load_workbook(saved, data_only=True)
    assert COVER_SHEET in wb.sheetnames and CHECK_SHEET in wb.sheetnames
    assert "VBA/xlwings" in modules(saved)
    with zipfile.ZipFile(saved) as zf:  # LibreOffice read the three buttons and wrote them again
        vml = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".vml"))
    assert vml.count('ObjectType="Button"') == len(vba.BUTTONS)


def test_a_signed_project_keeps_its_signature(tmp_path: Path) -> None:
    """A county that signs its VBA: the signature part travels with the project, unchanged
    (it signs the project's modules, which are copied byte for byte)."""
    found = vba.read(QUICKSTART)
    signature = b"\xd0\xcf\x11\xe0 a signature storage"
    last = tmp_path / "signed.xlsm"
    workbook_writer.write(last, interchange.load(EXAMPLES / "suqian_2023.json"),
                          vba=vba.VbaProject(found.data, signature))
    nxt = tmp_path / "next.xlsm"
    assert run("rollover", str(last), "-o", str(nxt)).exit_code == 0
    assert part(nxt, vba.SIGNATURE_PART) == signature
    assert part(nxt, vba.PROJECT_PART) == found.data


def test_code_names_are_found_through_absolute_targets_too(last_xlsm: Path, tmp_path: Path) -> None:
    """Some writers name a sheet's part from the package root (/xl/worksheets/...)."""
    odd = tmp_path / "odd.xlsm"
    with zipfile.ZipFile(last_xlsm) as src, zipfile.ZipFile(odd, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b'Target="worksheets/', b'Target="/xl/worksheets/')
                assert b'Target="/xl/worksheets/' in data
            out.writestr(info, data)
    assert vba.read(odd).sheet_code_names == vba.read(last_xlsm).sheet_code_names
    assert vba.read(odd).sheet_code_names[COVER_SHEET] == "Sheet1"
