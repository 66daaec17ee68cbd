"""Notices (issue 19 item 4): ``consolidate --notices DIR`` writes a Word notice to each unit
with problems (every error's cell and message, every warning to explain) and the county's
汇总情况通报; read back with python-docx, hostile org names kept as text and out of the file
names, and the documents converted by LibreOffice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx
import pytest
from test_consolidate import body
from test_copies import planted, real_bodies
from xl_helpers import run as cli

import xlgbreport
from xlgbreport.core.gb2021 import REQUESTS
from xlgbreport.rendering import notices, writers

HOSTILE = "<w:p>镇</w:p>{{ 7*7 }}\u202e政府/../CON\x07"
FIRST_REQUEST_ROW = REQUESTS.rows[0].id


def text_of(path: Path) -> str:
    """Every paragraph and table cell of a Word document, one a line."""
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> tuple[Path, xlgbreport.Batch]:
    """Two units copying each other, one with errors, one hostile name with errors, one clean,
    a broken file and a unit on the list that sent nothing."""
    folder = tmp_path_factory.mktemp("notices")
    units = folder / "in"
    units.mkdir()
    huji = next(r for r in real_bodies().values() if "胡集镇" in (r.org or ""))
    a = body(huji.org or "", 2024, 1)
    a.text = dict(huji.text)
    copy = body("金乡县羊山镇人民政府", 2024, 2)
    copy.text = dict(planted(huji, "金乡县羊山镇人民政府").text)
    wrong = body("金乡县鸡黍镇人民政府", 2024, 3)
    for column in [c for c in REQUESTS.columns if not c.derived][:4]:
        wrong.cells[(REQUESTS.id, FIRST_REQUEST_ROW, column.id)] = 999
    hostile = body(HOSTILE, 2024, 4)
    hostile.cells[(REQUESTS.id, FIRST_REQUEST_ROW, "natural_person")] = 998
    clean = body("金乡县王丕街道办事处", 2024, 5)
    for name, report in (("a.xlsx", a), ("copy.xlsx", copy), ("wrong.xlsx", wrong),
                         ("hostile.xlsx", hostile), ("clean.xlsx", clean)):
        xlgbreport.write(report, units / name)
    (units / "broken.xlsx").write_bytes(b"not a workbook")
    listed = folder / "名单.txt"
    listed.write_text("\n".join([a.org or "", "金乡县羊山镇人民政府", "金乡县鸡黍镇人民政府",
                                 "金乡县王丕街道办事处", "金乡县高河街道办事处"]), encoding="utf-8")
    batch = xlgbreport.consolidate([units], folder / "汇总.xlsx", org="金乡县人民政府", expect=listed,
                                   notices=folder / "通知")
    return folder / "通知", batch


def test_each_unit_with_problems_gets_a_notice_naming_every_problem_and_a_clean_unit_none(county) -> None:
    folder, batch = county
    written = sorted(p.name for p in folder.iterdir())
    assert written == sorted(Path(p).name for p in batch.extra["notices"])
    assert not any("王丕" in name for name in written)  # clean: no notice
    assert any("高河" in name for name in written)  # listed, sent nothing
    wrong = text_of(folder / "金乡县鸡黍镇人民政府_反馈意见.docx")
    assert "需要改正的错误" in wrong and "requests.balance" in wrong and "依申请公开!" in wrong
    copied = text_of(folder / "金乡县羊山镇人民政府_反馈意见.docx")
    assert "text.copied" in copied and "需要核实并写明理由的提示" in copied and "核实说明" in copied
    assert "需要改正的错误" not in copied
    missing = text_of(folder / "金乡县高河街道办事处_反馈意见.docx")
    assert "未收到你单位的年度报告" in missing
    broken = text_of(folder / "broken_反馈意见.docx")
    assert broken.count("不是 Excel") == 1 and "无法读取" in broken  # the reason once, not again as a note


def test_every_finding_of_a_unit_is_in_its_notice(county) -> None:
    folder, batch = county
    for result in batch.files:
        if "鸡黍" not in str(result.extra.get("org")):
            continue
        again = xlgbreport.validate([result.path]).files[0].findings
        assert len(again) > 3  # more than the status sheet keeps
        said = text_of(folder / "金乡县鸡黍镇人民政府_反馈意见.docx")
        for finding in again:
            assert finding.ref in said and finding.message in said


def test_the_county_summary_counts_units_by_status(county) -> None:
    folder, batch = county
    said = text_of(folder / "金乡县人民政府_汇总情况通报.docx")
    document = docx.Document(str(folder / "金乡县人民政府_汇总情况通报.docx"))
    rows = {r.cells[0].text: int(r.cells[1].text) for r in document.tables[0].rows[1:]}
    statuses: dict[str, int] = {}
    for result in batch.files:
        statuses[result.extra["status"]] = statuses.get(result.extra["status"], 0) + 1
    assert rows == statuses and sum(rows.values()) == 7
    assert "金乡县羊山镇人民政府" in said and "雷同" in said


def test_a_hostile_org_name_is_text_in_the_document_and_safe_in_the_file_name(county) -> None:
    folder, _ = county
    (path,) = [p for p in folder.iterdir() if "CON" in p.name]
    assert path.parent == folder and "/" not in path.name and "\u202e" not in path.name
    said = text_of(path)
    assert "<w:p>镇</w:p>{{ 7*7 }}" in said and "49" not in said.split("\n")[0]
    assert "\\u202e" in said and "\x07" not in said


def test_notices_are_not_written_over_existing_ones(county, tmp_path: Path) -> None:
    folder, batch = county
    with pytest.raises(xlgbreport.OutputError):
        notices.write(batch, folder)


def test_the_command_line_writes_them_and_says_where(county, tmp_path: Path) -> None:
    units = county[0].parent / "in"
    _code, said = cli("consolidate", str(units), "-o", str(tmp_path / "s.xlsx"), "--org", "县",
               "--notices", str(tmp_path / "n"))
    assert "份单位反馈意见" in said and (tmp_path / "n" / "县_汇总情况通报.docx").exists()


def test_libreoffice_converts_a_notice_and_the_summary(county) -> None:
    folder, _ = county
    pdfs = writers.pdfs([(folder / name).read_bytes() for name in
                         ("金乡县鸡黍镇人民政府_反馈意见.docx", "金乡县人民政府_汇总情况通报.docx")])
    for data in pdfs:
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                              check=True).stdout.decode()
        text = "".join(text.split())  # lines wrap and pdftotext spaces digits from Chinese
        assert "反馈意见" in text or "汇总情况通报" in text


@pytest.mark.parametrize(("org", "name"), [("CON", "_CON"), ("nul.镇", "_nul.镇"), ("a/../b", "a_.._b"),
                                          ("", "未识别机关")])
def test_file_names_are_safe_on_windows_too(org: str, name: str) -> None:
    from xlgbreport.files.paths import safe_name

    assert safe_name(org) == name
