"""Crafted workbooks for ``excel doctor`` and ``new --like``, crafted arguments for ``excel
build-addin`` (issue 21, item 7): one Chinese line each with its exit code, never 内部错误, and
never an add-in saved with a part Excel cannot read."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest
from xl_helpers import run_main

from xlgbreport import errors
from xlgbreport.errors import InputError, OutputError
from xlgbreport.excel import addin, doctor
from xlgbreport.files import vba_project as vba
from xlgbreport.workbook import writer as workbook_writer

DOCTYPE = b'<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'


@pytest.fixture()
def xlsm(tmp_path: Path) -> Path:
    path = tmp_path / "胡集镇2025.xlsm"
    workbook_writer.write(path, vba=vba.VbaProject(b"\xd0\xcf\x11\xe0" + "xlwings_udfs".encode("utf-16-le") * 50))
    return path


def with_doctype(source: Path, target: Path) -> Path:
    """workbook.xml declaring entities after its XML declaration."""
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"^(<\?xml[^>]*\?>)", lambda m: m.group(1) + DOCTYPE, data)
                assert DOCTYPE in data
            out.writestr(info.filename, data)
    return target


def broken_vba(source: Path, target: Path) -> Path:
    """vbaProject.bin deflated, its stream then overwritten: zlib's error -3 on reading."""
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zf.infolist():
            out.writestr(info.filename, zf.read(info))
    raw = bytearray(target.read_bytes())
    with zipfile.ZipFile(target) as zf:
        info = zf.getinfo(vba.PROJECT_PART)
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    raw[start:start + info.compress_size] = b"\xff" * info.compress_size  # block type 3: invalid
    target.write_bytes(bytes(raw))
    return target


@pytest.fixture(params=["doctype", "zlib"])
def broken(request, xlsm: Path, tmp_path: Path) -> Path:
    make = with_doctype if request.param == "doctype" else broken_vba
    return make(xlsm, tmp_path / f"坏-{request.param}.xlsm")


def test_the_crafted_files_are_really_broken(xlsm: Path, tmp_path: Path) -> None:
    """What plain zipfile and defusedxml do with them: the errors issue 21 saw."""
    import zlib

    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    with zipfile.ZipFile(with_doctype(xlsm, tmp_path / "d.xlsm")) as zf:
        with pytest.raises(DefusedXmlException):
            ElementTree.fromstring(zf.read("xl/workbook.xml"))
    with zipfile.ZipFile(broken_vba(xlsm, tmp_path / "z.xlsm")) as zf:
        with pytest.raises(zlib.error):
            zf.read(vba.PROJECT_PART)


def test_a_broken_part_is_a_corrupt_workbook_for_the_vba_reader(broken: Path) -> None:
    with pytest.raises(InputError) as raised:
        vba.read(broken)
    assert raised.value.code == errors.CORRUPT.code


def test_doctor_says_corrupt_in_one_line(broken: Path, monkeypatch, capsys) -> None:
    code, out, err = run_main(monkeypatch, capsys, "excel", "doctor", broken)
    assert code == 1 and "内部错误" not in out + err, out + err
    bad = [line for line in out.splitlines() if broken.name in line]
    assert bad == [f"✘ {broken.name}：{errors.CORRUPT}"]
    assert out.splitlines()[-1] == "有 1 项需要处理"


def test_new_like_says_corrupt_in_one_line(broken: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    out_path = tmp_path / "新.xlsm"
    code, out, err = run_main(monkeypatch, capsys, "new", "--org", "某镇", "--year", "2025", "--like", broken,
                              "-o", out_path)
    assert (code, out) == (2, "") and err == f"✘ {broken.name}：{errors.CORRUPT}\n"
    assert not out_path.exists()


def test_a_sound_xlsm_still_carries_its_vba(xlsm: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    code, _, err = run_main(monkeypatch, capsys, "new", "--org", "某镇", "--year", "2025", "--like", xlsm,
                            "-o", tmp_path / "新.xlsm")
    assert code == 0, err
    assert vba.read(tmp_path / "新.xlsm").data == vba.read(xlsm).data


def test_a_broken_county_add_in_is_named_not_a_crash(tmp_path: Path) -> None:
    built = tmp_path / "xlgbreport.xlam"
    addin.build(built)
    checks = doctor._county_addin(with_doctype(built, tmp_path / "坏.xlam"))
    assert [c.mark for c in checks] == [doctor.BAD] and "已损坏" in checks[0].text


@pytest.mark.parametrize("interpreter", ["C:\\Python\\pythonw.exe\x01", "C:\\Py\x1b[2J\\pythonw.exe",
                                         "C:\\Py\x85\\pythonw.exe", "C:\\Py\nthon\\pythonw.exe",
                                         "C:\\Py\udcff\\pythonw.exe"])
def test_an_interpreter_with_controls_or_undecodable_bytes_is_refused(interpreter, tmp_path, monkeypatch,
                                                                       capsys) -> None:
    out_path = tmp_path / "xlgbreport.xlam"
    with pytest.raises(InputError) as raised:
        addin.build(out_path, interpreter)
    assert raised.value.code == addin.BAD_INTERPRETER.code
    code, out, err = run_main(monkeypatch, capsys, "excel", "build-addin", "-o", out_path,
                              "--interpreter", interpreter)
    assert code == 2 and not out_path.exists() and "内部错误" not in out + err
    assert err.count("\n") == 1 and "\x1b" not in err and "\x01" not in err, err


def test_xml_looking_and_non_ascii_interpreters_are_kept_escaped(tmp_path: Path) -> None:
    path = tmp_path / "a.xlam"
    text = "D:\\张三 & <李四>\\\"python\"\\pythonw.exe"
    addin.build(path, text)
    assert addin.read_conf(path)[1]["Interpreter_Win"] == text


def test_a_part_that_is_not_xml_is_never_saved(tmp_path: Path, monkeypatch) -> None:
    """Should any edit ever break a part, the add-in is refused before it is written."""
    monkeypatch.setattr(addin, "ribbon_xml", lambda: "<customUI><ribbon></customUI>")
    path = tmp_path / "a.xlam"
    with pytest.raises(OutputError) as raised:
        addin.build(path)
    assert raised.value.code == addin.BAD_PART.code and addin.RIBBON_PART in raised.value.message
    assert not path.exists()
    with pytest.raises(OutputError):
        addin.check_parts({"xl/workbook.xml": b'<?xml version="1.0"?>' + DOCTYPE + b"<workbook/>"})
