"""The hostile corpus (``hostile.py``) through every entry point that reads a file: validate (a
file, a folder, ``--prior``, the 封面 上年工作簿 field), export, new --from-json, rollover,
carry-forward (a bad last year, a bad target).

Each run asserts the exit code, one Chinese line naming the file, that the other files of a
batch are still reported, and that no input changed. Paths the system refuses (too long, a
loop, a FIFO, a device, no permission, vanished) are here too; permissions are taken away by
patching the calls the code makes, as the tests run as root.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import FAR_ROW, REQUESTS_PART, Attack, error_value, jsons, rewrite, too_big, workbooks
from xl_helpers import EXAMPLES, excel_arguments, run_main, within_limit

from xlgbreport import errors
from xlgbreport.actions import sources, validation
from xlgbreport.cli.validate import NO_PRIOR_BATCH
from xlgbreport.core.model import Report
from xlgbreport.core.rules import ValueInvalid
from xlgbreport.errors import InputError
from xlgbreport.excel import udfs
from xlgbreport.files import interchange, paths
from xlgbreport.files.bounds import Limits
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer

THIS_JSON, LAST_JSON = EXAMPLES / "suqian_2024.json", EXAMPLES / "suqian_2023.json"


def load(path: Path) -> Report:
    """A real report with 一 within the format's 一千字 (see ``within_limit``): the good file
    passes every check, so a hostile variant's difference is all its own."""
    report = interchange.load(path)
    within_limit(report.text)
    return report
ORG = "宿迁市人民政府"
GOOD_LINE = f"✔ good.xlsx：全部通过（{ORG} 2024）"
CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + ["\u202e", "\u2028"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("hostile")
    good = folder / "good.xlsx"
    workbook_writer.write(good, load(THIS_JSON))
    last = folder / "last.xlsx"
    workbook_writer.write(last, load(LAST_JSON))
    bad = folder / "bad"
    bad.mkdir()
    attacks = workbooks(good, bad, ORG)
    good_json = folder / "good.json"
    good_json.write_text(interchange.dumps(load(THIS_JSON)), encoding="utf-8")
    json_attacks = jsons(good_json, bad)
    covers = folder / "covers"
    covers.mkdir()
    for attack in attacks + json_attacks:  # a good workbook whose 封面 names the attack
        report = load(THIS_JSON)
        report.meta["prior"] = str(attack.path)
        workbook_writer.write(covers / f"{attack.name}.xlsx", report)
    return {"folder": folder, "good": good, "last": last, "attacks": attacks,
            "refused": [a for a in attacks if a.reason], "harmless": [a for a in attacks if not a.reason],
            "json": json_attacks, "covers": covers, "stamp": _stamp(folder)}


def _stamp(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _unchanged(corpus: dict) -> None:
    assert _stamp(corpus["folder"]) == corpus["stamp"]


def _no_controls(text: str) -> None:
    assert not [c for c in CONTROLS if c not in "\n" and c in text], repr(text)
    assert "内部错误" not in text and "Traceback" not in text


def _refused(corpus) -> list[Attack]:
    return corpus["refused"] + corpus["json"]


# --- validate: one file, a folder, --prior, the 封面 -------------------------------------------------

def test_validate_each_file(corpus, monkeypatch, capsys):
    for attack in _refused(corpus):
        code, out, err = run_main(monkeypatch, capsys, "validate", attack.path)
        assert code == 2, attack.name
        assert out.splitlines() == [f"✘ {attack.name}：无法读取，{attack.reason}"] and err == ""
        _no_controls(out)
    _unchanged(corpus)


def test_harmless_oddities_read_like_the_good_file(corpus, monkeypatch, capsys):
    good = workbook_reader.read(corpus["good"], fast=True)
    for attack in corpus["harmless"]:
        report = workbook_reader.read(attack.path, fast=True)
        code, out, _ = run_main(monkeypatch, capsys, "validate", attack.path)
        _no_controls(out)
        if attack.name == "控制字符.xlsx":  # the org's controls are shown escaped, not obeyed
            assert code == 0 and "（\\x1b[2J\\x1b]0;x\\x07\\u202e\\x85宿迁市人民政府 2024）" in out
            code, out, _ = run_main(monkeypatch, capsys, "export", attack.path)
            _no_controls(out)  # JSON escapes what json.dumps leaves raw (C1, bidi), same data
            assert code == 0 and json.loads(out)["org"].endswith("\u202e\x85宿迁市人民政府")
            continue
        assert report.cells == good.cells and report.org == good.org
        assert code == 0 and out.splitlines()[0] == GOOD_LINE.replace("good.xlsx", attack.name)
    _unchanged(corpus)


def test_validate_a_folder_reports_every_file(corpus, monkeypatch, capsys):
    batch = corpus["folder"] / "bad"
    shutil.copy(corpus["good"], batch / "zz_good.xlsx")
    try:
        code, out, err = run_main(monkeypatch, capsys, "validate", "--format", "json", batch)
        doc = json.loads(out)
        by_name = {Path(f["path"]).name: f for f in doc["files"]}
        names = {a.name for a in corpus["attacks"]} | {"zz_good.xlsx"}  # folders hold workbooks
        assert code == 2 and set(by_name) == names
        assert by_name["zz_good.xlsx"]["valid"] is True
        for attack in corpus["refused"]:
            assert by_name[attack.name]["error"] == f"{attack.name}：{attack.reason}"
        _no_controls(out.replace("\\u001b", "").replace("\\u0007", ""))
        code, out, err = run_main(monkeypatch, capsys, "validate", batch)
        assert code == 2 and err == ""
        _no_controls(out)
        for attack in corpus["refused"]:
            assert f"✘ {attack.name}：无法读取，{attack.reason}" in out.splitlines()
        assert "✔ zz_good.xlsx：全部通过（宿迁市人民政府 2024）" in out.splitlines()
    finally:
        (batch / "zz_good.xlsx").unlink()
    _unchanged(corpus)


@pytest.mark.parametrize("how", ["--prior", "封面"])
def test_a_hostile_last_year_is_one_note_and_the_file_is_still_checked(corpus, monkeypatch, capsys, how):
    for attack in _refused(corpus):
        if how == "--prior":
            this, args = corpus["good"], ("--prior", attack.path)
        else:
            this, args = corpus["covers"] / f"{attack.name}.xlsx", ()
        code, out, err = run_main(monkeypatch, capsys, "validate", this, *args)
        assert code == 2, attack.name
        assert out.splitlines()[:1] == [
            f"{this.name} {validation.PRIOR_FAILED.format(reason=f'{attack.name}：{attack.reason}')}"]
        assert out.splitlines()[-1] == f"✔ {this.name}：全部通过（{ORG} 2024）" and err == ""
        _no_controls(out)
    _unchanged(corpus)


def test_a_prior_folder_of_hostile_files_is_searched_safely(corpus, monkeypatch, capsys):
    """Every hostile workbook in the folder is skipped with its reason; none is last year's."""
    code, out, err = run_main(monkeypatch, capsys, "validate", corpus["good"], "--prior",
                              corpus["folder"] / "bad")
    assert code == 0 and err == ""
    _no_controls(out)
    lines = out.splitlines()
    for attack in corpus["refused"]:
        assert f"good.xlsx 已跳过无法读取的文件 {attack.name}：{attack.reason}" in lines
    assert lines[-1] == GOOD_LINE
    _unchanged(corpus)


# --- export, new --from-json, rollover, carry-forward ------------------------------------------------

def test_export_rollover_and_carry_forward_refuse_with_one_line(corpus, monkeypatch, capsys, tmp_path):
    target = shutil.copy(corpus["good"], tmp_path / "本年.xlsx")
    before = Path(target).read_bytes()
    for attack in corpus["refused"]:
        line = f"✘ {attack.name}：{attack.reason}\n"
        for args in (("export", attack.path, "-o", tmp_path / "out.json"),
                     ("export", attack.path),
                     ("rollover", attack.path, "-o", tmp_path / "next.xlsx"),
                     ("carry-forward", "--prior", attack.path, target),
                     ("carry-forward", "--prior", corpus["last"], attack.path)):
            code, out, err = run_main(monkeypatch, capsys, *args)
            assert (code, out, err) == (2, "", line), (attack.name, args[0])
        assert not list(tmp_path.glob("out.json")) and not list(tmp_path.glob("next.xlsx"))
    assert Path(target).read_bytes() == before and not list(tmp_path.glob("*.bak"))
    _unchanged(corpus)


def test_new_from_hostile_json(corpus, monkeypatch, capsys, tmp_path):
    for attack in corpus["json"]:
        code, out, err = run_main(monkeypatch, capsys, "new", "--from-json", attack.path,
                                  "-o", tmp_path / "new.xlsx")
        assert (code, out, err) == (2, "", f"✘ {attack.name}：{attack.reason}\n")
        assert not (tmp_path / "new.xlsx").exists()
    _unchanged(corpus)


# --- paths the system refuses ---------------------------------------------------------------------

def _batch(corpus, monkeypatch, capsys, *named: Path) -> list[str]:
    """validate on ``named`` and the good file: exit 2, the good file still checked."""
    code, out, err = run_main(monkeypatch, capsys, "validate", *named, corpus["good"])
    assert code == 2 and err == "", err
    _no_controls(out)
    lines = out.splitlines()
    assert GOOD_LINE in lines and lines[-1] == NO_PRIOR_BATCH.format(n=1)
    return lines


def test_a_long_name_a_loop_and_a_vanished_file(corpus, monkeypatch, capsys, tmp_path):
    long = tmp_path / ("长" * 300 + ".xlsx")
    loop = tmp_path / "环.xlsx"
    loop.symlink_to(loop)
    gone = tmp_path / "已删除.xlsx"
    lines = _batch(corpus, monkeypatch, capsys, long, loop, gone)
    assert lines[:3] == [f"✘ {long.name}：无法读取，文件名过长", "✘ 环.xlsx：无法读取，链接循环",
                         f"✘ 已删除.xlsx：无法读取，{errors.NOT_FOUND}"]


def test_a_fifo_or_a_device_is_never_waited_on(corpus, monkeypatch, capsys, tmp_path):
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    lines = _batch(corpus, monkeypatch, capsys, fifo, Path("/dev/stdin"), Path("/dev/zero"))
    assert lines[:3] == [f"✘ {n}：无法读取，{errors.NOT_REGULAR}" for n in ("管道.xlsx", "stdin", "zero")]
    for named in (fifo, "/dev/stdin"):  # named on the 封面, and as --prior: a note, no hang
        report = load(THIS_JSON)
        report.meta["prior"] = str(named)
        book = tmp_path / "封面.xlsx"
        workbook_writer.write(book, report, overwrite=True)
        for args in ((book,), (corpus["good"], "--prior", named)):
            code, out, _ = run_main(monkeypatch, capsys, "validate", *args)
            assert code == 2 and errors.NOT_REGULAR in out.splitlines()[0]


def test_no_permission_without_root(corpus, monkeypatch, capsys, tmp_path):
    """A file in a folder that cannot be searched, a folder that cannot be listed or read (as
    click once checked, in English): each one line, the batch goes on."""
    shut = tmp_path / "上锁"
    shut.mkdir()
    inside = shut / "x.xlsx"
    shutil.copy(corpus["good"], inside)
    denied = PermissionError(13, "Permission denied")
    real_open, real_stat, real_scandir = os.open, os.stat, os.scandir

    def guarded(real):
        def call(path, *args, **kwargs):
            if str(path).startswith(str(shut)):
                raise denied
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(paths.os, "open", guarded(real_open))
    monkeypatch.setattr(paths.os, "stat", guarded(real_stat))
    monkeypatch.setattr(sources.os, "scandir", guarded(real_scandir))
    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # what click used to ask
    lines = _batch(corpus, monkeypatch, capsys, inside, shut)
    assert lines[:2] == ["✘ x.xlsx：无法读取，没有权限", "✘ 上锁：无法读取，没有权限"]
    code, out, err = run_main(monkeypatch, capsys, "validate", corpus["good"], "--prior", inside)
    assert code == 2 and out.splitlines()[0].endswith("x.xlsx：没有权限；跨年度检查已跳过")


@pytest.mark.parametrize("command", [("rollover", "{p}", "-o", "{tmp}/n.xlsx"), ("export", "{p}"),
                                     ("carry-forward", "--prior", "{p}", "{good}"),
                                     ("carry-forward", "--prior", "{good}", "{p}"),
                                     ("new", "--org", "某镇", "--year", "2024", "--like", "{p}",
                                      "-o", "{tmp}/n.xlsm")])
def test_a_path_refused_by_the_system_is_chinese_for_every_command(corpus, monkeypatch, capsys, tmp_path,
                                                                   command):
    """Not click's English ("Path … does not exist"), not 内部错误 (a name too long)."""
    for name, reason in (("没有.xlsx", errors.NOT_FOUND), ("长" * 300 + ".xlsx", "文件名过长")):
        argv = [a.format(p=tmp_path / name, tmp=tmp_path, good=corpus["good"]) for a in command]
        code, out, err = run_main(monkeypatch, capsys, *argv)
        assert (code, out) == (2, ""), argv
        assert err.startswith("✘ ") and err.endswith(f"{name}：{reason}\n") and err.count("\n") == 1
    _unchanged(corpus)


def test_an_unknown_os_error_is_named_by_its_code_not_in_english():
    assert errors.os_reason(OSError(122, "Disk quota exceeded")) == "系统错误 EDQUOT"


# --- the scan itself: counts, chunk boundaries --------------------------------------------------

def test_the_number_of_cells_is_bounded_even_within_a_small_rectangle(corpus, tmp_path):
    """Many cells at the same place cost memory in a reader, not area: counted."""
    twice = rewrite(corpus["good"], tmp_path / "重复.xlsx", REQUESTS_PART,
                    lambda d: d.replace(b"</sheetData>", b'<row r="1"><c r="A1"><v>1</v></c></row>' * 800
                                        + b"</sheetData>"))
    with pytest.raises(InputError) as exc:
        workbook_reader.read(twice, Limits(max_cells=1000), fast=True)
    assert (exc.value.code, exc.value.args_) == ("file.too_many_cells", {"limit": 1000})
    assert workbook_reader.read(twice, Limits(max_cells=5000), fast=True).org == ORG


def test_the_number_of_shared_strings_is_bounded(corpus, tmp_path):
    """Both readers hold every shared string at once: more strings than cells are refused."""
    many = rewrite(corpus["good"], tmp_path / "多字.xlsx", "xl/sharedStrings.xml",
                   lambda d: d.replace(b"</sst>", b"<si><t>x</t></si>" * 1200 + b"</sst>"))
    with pytest.raises(InputError) as exc:
        workbook_reader.read(many, Limits(max_cells=1000), fast=True)
    assert (exc.value.code, exc.value.args_) == ("file.too_many_strings", {"limit": 1000})
    assert workbook_reader.read(many, fast=True).org == ORG


@pytest.mark.parametrize("pad", [(1 << 20) - 7, (1 << 20) + 3, 3 << 20])
def test_a_far_cell_is_found_across_the_scan_s_chunks(corpus, tmp_path, pad):
    """The sheet is streamed in 1 MB blocks: a cell split across two is still seen."""
    far = rewrite(corpus["good"], tmp_path / "远.xlsx", REQUESTS_PART,
                  lambda d: d.replace(b"<sheetData>", b"<sheetData>" + b" " * pad, 1)
                  .replace(b"</sheetData>", FAR_ROW + b"</sheetData>"))
    with pytest.raises(InputError) as exc:
        workbook_reader.read(far, fast=True)
    assert exc.value.code == "file.sheet_too_big" and exc.value.args_["cell"] == "XFD1048576"


# --- error values, through both readers and the Excel layer ------------------------------------------

def test_error_values_are_reported_as_such(corpus, tmp_path, monkeypatch, capsys):
    book = error_value(corpus["good"], tmp_path)
    for fast in (True, False):
        report = workbook_reader.read(book, fast=fast)
        found = {f.ref: f.message for f in ValueInvalid().check(report)}
        assert found == {
            "依申请公开!D7": f"（一）予以公开·自然人{ValueInvalid.ERROR_VALUE}：#REF!",
            "依申请公开!E7": f"（一）予以公开·商业企业{ValueInvalid.ERROR_VALUE}：#DIV/0!"}
    # the Excel layer: xlwings passes error cells as "#REF!" (err_to_str, TABLE_OPTIONS)
    assert udfs.TABLE_OPTIONS["err_to_str"] is True
    rows = udfs.xlg_check(*excel_arguments(book))
    assert [r[1:] for r in rows] == [[ref, message] for ref, message in found.items()]
    code, out, _ = run_main(monkeypatch, capsys, "validate", book)
    assert code == 1 and "为空" not in out and "：#REF!" in out
    code, _, err = run_main(monkeypatch, capsys, "export", book)
    assert code == 2 and "#REF!" in err and "#DIV/0!" in err


# --- the issue's batch, measured ------------------------------------------------------------------

def test_the_issue_batch_reports_every_sample_and_stays_small(corpus, tmp_path):
    """The issue's reproduction: one cell at XFD1048576 among the samples. Every sample is
    reported, the bad file is named, exit 2; the child process's peak memory stays < 200 MB."""
    batch = tmp_path / "样例"
    shutil.copytree(Path(__file__).resolve().parents[1] / "samples", batch,
                    ignore=shutil.ignore_patterns("json"))
    bad = next(a for a in corpus["attacks"] if a.name == "远格.xlsx")
    shutil.copy(bad.path, batch / bad.name)
    # VmHWM is this process's own peak (ru_maxrss would include the pytest process it forked from)
    code = ("import re, sys\nfrom pathlib import Path\nfrom xlgbreport.cli import main\n"
            f"sys.argv = ['xlgbreport', 'validate', {str(batch)!r}]\ntry:\n    main()\nfinally:\n"
            "    status = Path('/proc/self/status').read_text()\n"
            "    print('peak', re.search(r'VmHWM:\\s*(\\d+) kB', status).group(1), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"✘ 远格.xlsx：无法读取，{too_big('XFD1048576')}" in lines
    for sample in sorted(p.name for p in batch.glob("*.xlsx") if p.name != bad.name):
        assert any(line in (f"✘ {sample}", f"✔ {sample}") or line.startswith((f"✘ {sample}：", f"✔ {sample}："))
                   for line in lines), sample
    peak_kib = int(proc.stderr.split("peak")[-1])
    assert peak_kib < 200 * 1024, peak_kib
