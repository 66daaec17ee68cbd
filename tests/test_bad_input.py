"""Files that are not what they should be: each gets one clear Chinese line naming the file,
``validate`` exits 2, and the rest of a batch is still checked. No traceback reaches a clerk.

Every bad file here is made for real: renamed text, cut or damaged zips, OLE2 containers
(.xls/.et, and an .xlsx really encrypted with a password by msoffcrypto-tool), a workbook of
another template, oversized and zip-bomb workbooks, XML with entity declarations.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from msoffcrypto.format.ooxml import OOXMLFile
from xl_helpers import run_main, within_limit

from xlgbreport import errors
from xlgbreport.actions import validation
from xlgbreport.cli import cli
from xlgbreport.cli.validate import NO_PRIOR_BATCH
from xlgbreport.errors import InputError, Message
from xlgbreport.files import interchange
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.layout import REQUIRED_SHEETS
from xlgbreport.workbook.reader import Limits

ROOT = Path(__file__).resolve().parents[1]
SUQIAN_2024 = ROOT / "tests" / "data" / "examples" / "suqian_2024.json"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A valid filled workbook, the source of every damaged copy."""
    path = tmp_path_factory.mktemp("good") / "good.xlsx"
    report = interchange.load(SUQIAN_2024)
    within_limit(report.text)
    workbook_writer.write(path, report)
    return path


def ole2(extra: bytes = b"") -> bytes:
    """A minimal OLE2 container header (what .xls, .et and encrypted .xlsx files start with)."""
    return OLE2 + bytes(504) + extra


def sheet_part(book: Path, sheet: str) -> str:
    """The zip part that holds a worksheet, found through workbook.xml and its relationships."""
    with zipfile.ZipFile(book) as zf:
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    rid = re.search(rf'<sheet name="{sheet}" sheetId="\d+" r:id="(rId\d+)"', workbook).group(1)
    target = re.search(rf'<Relationship Id="{rid}" Type="[^"]+" Target="([^"]+)"', rels).group(1)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def rewrite(src: Path, dst: Path, change) -> Path:
    """A copy of a workbook with each part passed through ``change(name, bytes) -> bytes``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, change(info.filename, zin.read(info.filename)))
    return dst


def damaged(good: Path, folder: Path) -> dict[str, tuple[Path, Message]]:
    """Bad files of every kind, each with the reason a clerk must read (with its code)."""
    data = good.read_bytes()
    out: dict[str, tuple[Path, Message]] = {}

    def put(name: str, content: bytes, reason: Message) -> None:
        path = folder / name
        path.write_bytes(content)
        out[name] = (path, reason)

    put("记事本.xlsx", "这是一个文本文件，被改名为 .xlsx".encode(), errors.NOT_A_WORKBOOK)
    put("空文件.xlsx", b"", errors.EMPTY)
    put("半截.xlsx", data[: len(data) // 2], errors.CORRUPT)
    requests_part = sheet_part(good, "依申请公开")
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(requests_part)
    flipped = bytearray(data)  # damage the compressed bytes of the sheet with table 三
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 4
    for i in range(start, start + 200):
        flipped[i] ^= 0x5A
    put("坏压缩包.xlsx", bytes(flipped), errors.CORRUPT)
    put("旧版.xls", ole2(), errors.OLD_FORMAT)
    put("旧版伪装.xlsx", ole2(), errors.OLD_FORMAT)  # an .xls renamed: found by its bytes
    put("金山.et", ole2(), errors.OLD_FORMAT)
    put("加密伪造.xlsx", ole2("EncryptionInfo".encode("utf-16-le")), errors.ENCRYPTED)
    encrypted = io.BytesIO()
    with good.open("rb") as fh:
        OOXMLFile(fh).encrypt("mima123", encrypted)
    put("加密.xlsx", encrypted.getvalue(), errors.ENCRYPTED)
    other = folder / "别的表.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "收文登记"
    wb.save(other)
    out[other.name] = (other, Message(errors.WRONG_TEMPLATE.code,
                                      errors.WRONG_TEMPLATE.format(missing="、".join(REQUIRED_SHEETS))))
    zip_no_book = io.BytesIO()
    with zipfile.ZipFile(zip_no_book, "w") as z:
        z.writestr("readme.txt", "一个普通的压缩包")
    put("压缩包.xlsx", zip_no_book.getvalue(), errors.NOT_A_WORKBOOK)
    def cut_rows(name: str, b: bytes) -> bytes:  # the sheet's XML ends inside its rows
        return b[: b.index(b"</sheetData>") // 3] if name == requests_part else b

    half_sheet = rewrite(good, folder / "表格损坏.xlsx", cut_rows)
    out[half_sheet.name] = (half_sheet, errors.CORRUPT)
    return out


@pytest.fixture(scope="module")
def bad_files(good, tmp_path_factory) -> dict[str, tuple[Path, Message]]:
    return damaged(good, tmp_path_factory.mktemp("bad"))


BAD_NAMES = ["记事本.xlsx", "空文件.xlsx", "半截.xlsx", "坏压缩包.xlsx", "旧版.xls", "旧版伪装.xlsx",
             "金山.et", "加密伪造.xlsx", "加密.xlsx", "别的表.xlsx", "压缩包.xlsx", "表格损坏.xlsx"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_each_bad_file_gets_its_reason(bad_files, name):
    path, reason = bad_files[name]
    result = validation.validate_file(path)
    assert result.error_code == reason.code and not result.valid
    assert result.error_message is not None and result.error_message.startswith(f"{path.name}：")
    code, output = _validate(path)
    assert code == 2
    assert output.splitlines() == [f"✘ {name}：无法读取，{reason}"]


def test_the_encrypted_workbook_is_real(bad_files):
    path, _ = bad_files["加密.xlsx"]
    with path.open("rb") as fh:
        assert OOXMLFile(fh).is_encrypted()


def test_a_batch_goes_on_past_every_bad_file(good, bad_files, tmp_path):
    folder = tmp_path / "全县"
    folder.mkdir()
    for path, _ in bad_files.values():
        shutil.copy(path, folder / path.name)
    shutil.copy(good, folder / "zz_good.xlsx")
    shutil.copy(good, folder / "~$zz_good.xlsx")  # Excel's lock file beside an open workbook
    (folder / "~$锁.xlsx").write_bytes(b"\x05clerk" + bytes(160))
    code, doc = _validate_json(folder)
    assert code == 2
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert set(by_name) == set(BAD_NAMES) | {"zz_good.xlsx"}  # lock files are not read
    assert by_name["zz_good.xlsx"]["valid"] is True
    for name in BAD_NAMES:
        entry = by_name[name]
        assert entry["valid"] is False and entry["findings"] == []
        assert entry["error"] == f"{name}：{bad_files[name][1]}"

    code, output = _validate(folder)
    assert code == 2
    *lines, last = output.splitlines()
    assert len(lines) == len(BAD_NAMES) + 1
    assert "✔ zz_good.xlsx：全部通过（宿迁市人民政府 2024）" in lines
    assert last == NO_PRIOR_BATCH.format(n=1)  # the unreadable files were not checked at all


def test_the_console_script_never_shows_a_traceback(good, bad_files, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for path, _ in bad_files.values():
        shutil.copy(path, folder / path.name)
    shutil.copy(good, folder / "zz_good.xlsx")
    exe = Path(sys.executable).with_name("xlgbreport")
    exe = str(exe) if exe.exists() else shutil.which("xlgbreport")
    env = {k: v for k, v in os.environ.items() if k != "XLGBREPORT_DEBUG"}
    proc = subprocess.run([exe, "validate", str(folder)], capture_output=True, text=True,
                          encoding="utf-8", env={**env, "PYTHONIOENCODING": "utf-8"}, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr and proc.stderr == ""
    *lines, last = proc.stdout.splitlines()
    assert len(lines) == len(BAD_NAMES) + 1
    assert last == NO_PRIOR_BATCH.format(n=1)
    for name in BAD_NAMES:
        assert f"✘ {name}：无法读取，{bad_files[name][1]}" in lines


def test_a_directory_of_only_lock_files_has_nothing_to_check(tmp_path, good):
    shutil.copy(good, tmp_path / "~$report.xlsx")
    code, output = _validate(tmp_path)
    assert code == 2 and "没有找到要校验的文件" in output


# --- size, unzip ratio and cell count --------------------------------------------------------------

def test_too_large(good):
    with pytest.raises(InputError) as exc:
        workbook_reader.read(good, Limits(max_bytes=1024))
    assert exc.value.code == "file.too_large" and exc.value.message.startswith("good.xlsx：")
    assert exc.value.args_["limit"] == "0.0 MB"


def test_zip_bomb_is_refused_with_the_default_limits(good, tmp_path):
    """A workbook carrying a huge, highly compressible extra part (16 MB of zeros)."""
    bomb = tmp_path / "炸弹.xlsx"
    shutil.copy(good, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", bytes(16 * 1024 * 1024))
    assert bomb.stat().st_size < 200 * 1024  # small on disk
    with pytest.raises(InputError) as exc:
        workbook_reader.read(bomb)
    assert exc.value.code == "file.zip_bomb" and exc.value.message.startswith("炸弹.xlsx：")
    code, output = _validate(bomb)
    assert code == 2 and output.startswith("✘ 炸弹.xlsx：无法读取，解压后过大")


def test_unzipped_size_bound(good):
    with pytest.raises(InputError) as exc:
        workbook_reader.read(good, Limits(max_unzipped=10_000))
    assert exc.value.code == "file.zip_bomb"
    workbook_reader.read(good, Limits(max_unzipped=10_000_000))  # within bounds: read


def test_cell_count_bound(good):
    with pytest.raises(InputError) as exc:
        workbook_reader.read(good, Limits(max_cells=100))
    # the first report sheet (by name) over the bound is named, with its farthest cell
    assert (exc.value.code, exc.value.args_) == ("file.sheet_too_big",
                                                 {"sheet": "依申请公开", "cell": "J29", "limit": 100})


def test_a_defined_name_far_away_hits_the_cell_bound(good, tmp_path):
    """A name moved to row 1,000,000 would make the reader walk ten million cells: refused."""
    far = tmp_path / "远.xlsx"
    shutil.copy(good, far)
    wb = openpyxl.load_workbook(far)
    wb.defined_names["xlg_requests_1"].attr_text = "'依申请公开'!$D$1000000:$J$1000000"
    wb.save(far)
    with pytest.raises(InputError) as exc:
        workbook_reader.read(far)
    assert exc.value.code == "file.too_many_cells"
    code, output = _validate(far)
    assert code == 2 and "✘ 远.xlsx：无法读取，单元格过多" in output


ENTITIES = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>')


def _with_entities(part: str, use: bool):
    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        text = data.decode("utf-8").replace("?>", "?>" + ENTITIES, 1)
        if use:
            text = text.replace("<t>宿迁市人民政府</t>", "<t>&c;</t>", 1)
        return text.encode("utf-8")
    return change


@pytest.mark.parametrize("part,use", [("xl/sharedStrings.xml", True), ("依申请公开", False)])
def test_xml_entities_are_refused(good, tmp_path, part, use):
    part = part if part.startswith("xl/") else sheet_part(good, part)
    path = rewrite(good, tmp_path / "实体.xlsx", _with_entities(part, use))
    with pytest.raises(InputError) as exc:
        workbook_reader.read(path)
    assert exc.value.code == "file.corrupt" and Path(exc.value.path).name == "实体.xlsx"


def test_expanding_entities_via_the_cli(good, tmp_path):
    path = rewrite(good, tmp_path / "实体.xlsx", _with_entities("xl/sharedStrings.xml", True))
    code, doc = _validate_json(path)
    assert code == 2 and doc["files"][0]["error"] == f"实体.xlsx：{errors.CORRUPT}"


# --- text where a number belongs: a finding (exit 1), not an unreadable file ----------------------------

def test_text_in_a_number_cell(good, tmp_path):
    book = tmp_path / "文字.xlsx"
    shutil.copy(good, book)
    wb = openpyxl.load_workbook(book)
    wb["依申请公开"]["D6"] = "十二"
    wb["依申请公开"]["E6"] = " 5"
    wb.save(book)
    code, doc = _validate_json(book)
    assert code == 1
    invalid = [(f["cell"], f["actual"], f["message"]) for f in doc["files"][0]["findings"]
               if f["rule"] == "value.invalid"]
    assert invalid == [
        ("D6", "十二", "二、上年结转政府信息公开申请数量·自然人填成了文本，请改为数字：十二"),
        ("E6", " 5", "二、上年结转政府信息公开申请数量·商业企业填成了文本，请改为数字： 5"),
    ]


# --- new and export refuse to overwrite -------------------------------------------------------------

def _run_main(monkeypatch, capsys, *args) -> tuple[int, str]:
    """The command's exit code and all it printed."""
    code, out, err = run_main(monkeypatch, capsys, *args)
    return code, out + err


def _stamp(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_new_does_not_overwrite_without_force(tmp_path, monkeypatch, capsys):
    out = tmp_path / "已有.xlsx"
    out.write_bytes(b"clerk's work")
    before = _stamp(out)
    code, text = _run_main(monkeypatch, capsys, "new", "--org", "某镇", "--year", "2024", "-o", out)
    assert code == 2
    assert f"已有.xlsx：{errors.OUTPUT_EXISTS}" in text and "Traceback" not in text
    assert _stamp(out) == before
    code, _ = _run_main(monkeypatch, capsys, "new", "--from-json", SUQIAN_2024, "-o", out)
    assert code == 2 and _stamp(out) == before
    code, text = _run_main(monkeypatch, capsys, "new", "--org", "某镇", "--year", "2024", "-o", out,
                           "--force")
    assert code == 0 and "已写入" in text
    report = workbook_reader.read(out)
    assert (report.org, report.year) == ("某镇", 2024)


def test_new_refuses_output_equal_to_input(tmp_path, monkeypatch, capsys):
    source = tmp_path / "报表.json"
    shutil.copy(SUQIAN_2024, source)
    before = _stamp(source)
    for output in (source, tmp_path / "." / "报表.json"):
        code, text = _run_main(monkeypatch, capsys, "new", "--from-json", source, "-o", output, "--force")
        assert code == 2 and f"报表.json：{errors.SAME_AS_INPUT}" in text
        assert _stamp(source) == before
    link = tmp_path / "link.json"
    link.symlink_to(source)
    code, text = _run_main(monkeypatch, capsys, "new", "--from-json", source, "-o", link, "--force")
    assert code == 2 and errors.SAME_AS_INPUT in text
    assert _stamp(source) == before


def test_export_refuses_output_equal_to_input(good, tmp_path, monkeypatch, capsys):
    book = tmp_path / "book.xlsx"
    shutil.copy(good, book)
    before = _stamp(book)
    code, text = _run_main(monkeypatch, capsys, "export", book, "-o", book)
    assert code == 2 and f"book.xlsx：{errors.SAME_AS_INPUT}" in text
    assert _stamp(book) == before


def test_export_of_a_bad_file(bad_files, tmp_path, monkeypatch, capsys):
    path, reason = bad_files["加密.xlsx"]
    out = tmp_path / "out.json"
    code, text = _run_main(monkeypatch, capsys, "export", path, "-o", out)
    assert code == 2 and text.strip() == f"✘ 加密.xlsx：{reason}"
    assert not out.exists()


# --- helpers -------------------------------------------------------------------------------------------

def _validate(*paths: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *map(str, paths)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _validate_json(*paths: Path) -> tuple[int, dict]:
    code, output = _validate_raw("--format", "json", *paths)
    return code, json.loads(output)


def _validate_raw(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("args, reason", [
    (["new", "--org", "某镇", "--year", "2024", "-o", "{file}/x.xlsx"], "路径中有一段不是文件夹"),
    (["new", "--org", "某镇", "--year", "2024", "-o", "{tmp}/没有/x.xlsx"], "文件或文件夹不存在"),
    (["template", "-o", "{file}/x.xlsx"], "路径中有一段不是文件夹"),
    (["export", "{file}", "-o", "{file}/a.json"], "路径中有一段不是文件夹"),
    (["rollover", "{file}", "-o", "{file}/b.xlsx"], "路径中有一段不是文件夹"),
    (["new", "--from-json", "{tmp}", "-o", "{tmp}/q.xlsx"], "这是一个文件夹，不是文件"),
])
def test_a_bad_output_or_input_path_is_one_chinese_line(good, tmp_path, args, reason):
    """Paths the operating system refuses: exit 2 and the reason in Chinese, no 内部错误."""
    file = shutil.copy(good, tmp_path / "本年.xlsx")
    argv = [a.format(file=file, tmp=tmp_path) for a in args]
    exe = Path(sys.executable).with_name("xlgbreport")
    exe = str(exe) if exe.exists() else shutil.which("xlgbreport")
    env = {k: v for k, v in os.environ.items() if k != "XLGBREPORT_DEBUG"}
    proc = subprocess.run([exe, *argv], capture_output=True, text=True, encoding="utf-8",
                          env={**env, "PYTHONIOENCODING": "utf-8"}, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert reason in proc.stderr and "内部错误" not in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["存为旧名.xls", "没有扩展名", "金山.et"])
def test_a_workbook_is_judged_by_its_content_not_its_name(good, tmp_path, name):
    """An .xlsx saved under another name is read (validate and export agree), as an .xls
    saved as .xlsx is refused by its bytes."""
    path = shutil.copy(good, tmp_path / name)
    assert workbook_reader.read(path) == workbook_reader.read(good)
    (result,) = validation.validate([path])
    assert result.error_code is None and result.valid
    assert interchange.to_dict(workbook_reader.read(path)) == interchange.to_dict(workbook_reader.read(good))
