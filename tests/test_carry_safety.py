"""carry-forward against the clerk's real environment, and the one atomic write under it.

A second run, a concurrent run, a link, a workbook open in Excel or LibreOffice, a read-only file
or folder, the temporary files of a killed run; and for every writer: the umask and the
no-overwrite rule. CI runs as root, which no permission stops, so the folder case runs the
command as ``nobody`` (a forked child that drops to that user).
"""

from __future__ import annotations

import errno
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from test_carry_forward import CARRIED, clerk_workbook, last_year
from xl_helpers import run_main

from xlgbreport import cli as cli_module
from xlgbreport import errors
from xlgbreport.actions import carry
from xlgbreport.core import prior
from xlgbreport.errors import OutputError
from xlgbreport.files import atomic, interchange
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook import writer as workbook_writer

EXE = str(Path(sys.executable).with_name("xlgbreport"))  # the installed command


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """This year's clerk workbook (二 to carry into) and last year's workbook."""
    return clerk_workbook(tmp_path), last_year(tmp_path)


def carried_value(path: Path) -> object:
    return workbook_reader.read(path).value(CARRIED[0])


def test_a_second_run_never_replaces_the_first_backup(pair) -> None:
    target, last_path = pair
    original = target.read_bytes()
    last = workbook_reader.read(last_path)
    first = carry.carry_forward(target, last)
    after_first = target.read_bytes()
    assert first.backup == target.with_name("本年.xlsx.bak")

    again = carry.carry_forward(target, last)  # the same numbers: nothing to write
    assert again.backup is None and target.read_bytes() == after_first

    last.cells[(prior.carried_pairs()[0][1])] = 5  # last year's file corrected: a real change
    second = carry.carry_forward(target, last)
    assert second.backup == target.with_name("本年.xlsx.2.bak")
    assert first.backup.read_bytes() == original  # the original, still
    assert second.backup.read_bytes() == after_first
    assert carried_value(target) == 5


def test_the_cli_says_when_nothing_changed(pair, monkeypatch, capsys) -> None:
    target, last_path = pair
    assert run_main(monkeypatch, capsys, "carry-forward", "--prior", last_path, target)[0] == 0
    code, out, _ = run_main(monkeypatch, capsys, "carry-forward", "--prior", last_path, target)
    assert code == 0 and "文件未改动" in out and "备份" not in out
    assert sorted(p.name for p in target.parent.glob("本年.xlsx*")) == ["本年.xlsx", "本年.xlsx.bak"]


def test_a_run_while_another_holds_the_file_is_refused(pair) -> None:
    target, last_path = pair
    original = target.read_bytes()
    with atomic.locked(target):
        with pytest.raises(OutputError) as err:
            carry.carry_forward(target, workbook_reader.read(last_path))
    assert err.value.code == "output.busy" and Path(err.value.path).name == "本年.xlsx"
    assert target.read_bytes() == original and not carry.backup_path(target).exists()
    carry.carry_forward(target, workbook_reader.read(last_path))  # released: it goes through
    assert not atomic.lock_name(target).exists()


@pytest.mark.slow
def test_concurrent_runs_are_serialised_or_refused(pair) -> None:
    """Eight processes at once on one file: each carries, finds it done, or is refused; the
    file is the carried one and the first backup the original."""
    target, last_path = pair
    original = target.read_bytes()
    procs = [subprocess.Popen([EXE, "carry-forward", "--prior", str(last_path), str(target)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for _ in range(8)]
    results = [(p.wait(timeout=120), p.stdout.read() + p.stderr.read()) for p in procs]
    for code, text in results:
        assert (code == 0 and ("原文件备份为" in text or "文件未改动" in text)) or \
            (code == 2 and atomic.BUSY in text), text
    assert sum("原文件备份为" in text for _, text in results) >= 1
    assert carry.backup_path(target).read_bytes() == original
    assert carried_value(target) == 118
    for extra in target.parent.glob("本年.xlsx.*.bak"):  # a later run backed up a carried file
        assert extra.read_bytes() == target.read_bytes()
    assert not list(target.parent.glob(".本年.xlsx*"))  # no lock, no temporary file


def test_a_linked_target_is_followed_to_the_real_workbook(pair, tmp_path, monkeypatch, capsys) -> None:
    target, last_path = pair
    original = target.read_bytes()
    link = tmp_path / "链接.xlsx"
    link.symlink_to(target)
    code, out, err = run_main(monkeypatch, capsys, "carry-forward", "--prior", last_path, link)
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == target  # still the link
    assert carried_value(target) == 118  # the real workbook carried
    assert carry.backup_path(target).read_bytes() == original  # backed up beside it
    assert str(carry.backup_path(target)) in out and not carry.backup_path(link).exists()


@pytest.mark.parametrize(("lock", "program"), [("~$本年.xlsx", "Excel/WPS"),
                                               (".~lock.本年.xlsx#", "LibreOffice")])
def test_a_workbook_open_elsewhere_is_refused_unless_forced(pair, lock, program, monkeypatch,
                                                             capsys) -> None:
    target, last_path = pair
    original = target.read_bytes()
    (target.parent / lock).write_bytes(b"\x05clerk")
    code, out, err = run_main(monkeypatch, capsys, "carry-forward", "--prior", last_path, target)
    assert code == 2 and lock in err and program in err and "--skip-checks" in err
    assert len(err.strip().splitlines()) == 2  # the note naming last year's file, then the refusal
    assert target.read_bytes() == original and not carry.backup_path(target).exists()
    code, out, err = run_main(monkeypatch, capsys, "carry-forward", "--skip-checks", "--prior",
                              last_path, target)
    assert code == 0 and carried_value(target) == 118


def test_a_read_only_workbook_is_refused_for_that_reason(pair, monkeypatch, capsys) -> None:
    target, last_path = pair
    original = target.read_bytes()
    target.chmod(0o444)
    code, _, err = run_main(monkeypatch, capsys, "carry-forward", "--prior", last_path, target)
    assert code == 2 and carry.READ_ONLY in err and "其他程序" not in err
    assert target.read_bytes() == original and not carry.backup_path(target).exists()


def as_nobody(*args: str) -> tuple[int, str]:
    """The command run by ``nobody`` (the tests run as root, who may write anywhere): a forked
    child of this process drops to that user and runs ``main``, so it needs no access to the
    checkout or the virtual environment, which may sit in a folder only root can enter."""
    import openpyxl  # noqa: F401  (imported lazily by the command; nobody may not read it)

    nobody = pwd.getpwnam("nobody")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            os.close(read)
            # pytest has replaced sys.stdout/stderr with its capture: write to the pipe itself
            sys.stdout = sys.stderr = open(write, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            sys.argv = ["xlgbreport", *args]
            try:
                cli_module.main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as fh:
        output = fh.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output


def test_a_read_only_folder_is_refused_for_that_reason(tmp_path) -> None:
    """As nobody, in a folder only root may write to (the file itself writable by all)."""
    folder = Path(tempfile.mkdtemp(prefix="xlg-ro-"))
    try:
        folder.chmod(0o755)
        target = shutil.copy(clerk_workbook(tmp_path), folder / "本年.xlsx")
        last = shutil.copy(last_year(tmp_path), folder / "上年.xlsx")
        os.chmod(target, 0o666)
        os.chmod(last, 0o644)
        original = Path(target).read_bytes()
        code, output = as_nobody("carry-forward", "--prior", str(last), str(target))
        assert code == 2, output
        assert f"所在文件夹 {folder} 没有权限" in output, output
        assert "其他程序" not in output and "内部错误" not in output
        assert Path(target).read_bytes() == original
        assert sorted(p.name for p in folder.iterdir()) == ["上年.xlsx", "本年.xlsx"]
    finally:
        shutil.rmtree(folder)


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(pair) -> None:
    target, last_path = pair
    folder = target.parent
    stale = [folder / ".本年.xlsx.0badf00d.tmp", folder / ".本年.xlsx.k3_x9qzw.tmp",
             folder / ".本年.xlsx.bak.abcd1234.tmp"]  # ours, and the names of earlier versions
    others = [folder / ".本年.xlsx.x.xlsx.0badf00d.tmp", folder / ".别的.xlsx.0badf00d.tmp",
              folder / "本年.xlsx.0badf00d.tmp"]
    for path in stale + others:
        path.write_bytes(b"PK half a zip")
    (folder / ".本年.xlsx.lock").write_bytes(b"")  # the lock file of a killed run: no lock held
    carry.carry_forward(target, workbook_reader.read(last_path))
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in others)  # other files' names are never touched
    assert not (folder / ".本年.xlsx.lock").exists()


def test_a_failed_write_leaves_the_file_and_no_temporary(pair, monkeypatch) -> None:
    target, last_path = pair
    original = target.read_bytes()

    def full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputError) as err:
        carry.carry_forward(target, workbook_reader.read(last_path))
    assert err.value.code == "output.write_failed" and err.value.args_["detail"] == errors.OS_REASONS[errno.ENOSPC]
    assert target.read_bytes() == original
    assert not list(target.parent.glob(".本年.xlsx*"))


# --- every writer: no overwriting, the umask, links -------------------------------------------

def test_template_does_not_overwrite_without_force(tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "模板.xlsx"
    out.write_bytes(b"the clerk's own file")
    code, _, err = run_main(monkeypatch, capsys, "template", "-o", out)
    assert code == 2 and errors.OUTPUT_EXISTS in err and out.read_bytes() == b"the clerk's own file"
    assert run_main(monkeypatch, capsys, "template", "-o", out, "--force")[0] == 0
    assert workbook_reader.read(out).org is None  # a template now


@pytest.mark.parametrize("command", [["template"], ["new", "--org", "某镇", "--year", "2024"]])
def test_a_broken_link_is_an_existing_output(tmp_path, monkeypatch, capsys, command) -> None:
    out = tmp_path / "输出.xlsx"
    out.symlink_to(tmp_path / "别处.xlsx")
    code, _, err = run_main(monkeypatch, capsys, *command, "-o", out)
    assert code == 2 and errors.OUTPUT_EXISTS in err and not (tmp_path / "别处.xlsx").exists()


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_new_files_follow_the_umask(tmp_path, monkeypatch, capsys, umask) -> None:
    old = os.umask(umask)
    try:
        assert run_main(monkeypatch, capsys, "template", "-o", tmp_path / "t.xlsx")[0] == 0
        assert run_main(monkeypatch, capsys, "new", "--org", "某镇", "--year", "2024", "-o",
                        tmp_path / "n.xlsx")[0] == 0
        book = workbook_writer.write  # the library too
        book(tmp_path / "w.xlsx", interchange.load(Path(__file__).parent / "data" / "examples" /
                                                   "suqian_2024.json"))
        run_main(monkeypatch, capsys, "export", tmp_path / "n.xlsx", "-o", tmp_path / "n.json")
    finally:
        os.umask(old)
    for name in ("t.xlsx", "n.xlsx", "w.xlsx", "n.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask, name


def test_a_replaced_file_keeps_its_mode(tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"old")
    out.chmod(0o640)
    assert run_main(monkeypatch, capsys, "template", "-o", out, "--force")[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_the_no_overwrite_check_is_the_rename_itself(tmp_path) -> None:
    """A file that appears while the new one is being written is not replaced either."""
    out = tmp_path / "a.json"

    def fill(tmp: Path) -> None:
        tmp.write_text("new", encoding="utf-8")
        out.write_text("appeared meanwhile", encoding="utf-8")

    with pytest.raises(OutputError) as err:
        atomic.write(out, fill)
    assert err.value.code == "output.exists"
    assert out.read_text(encoding="utf-8") == "appeared meanwhile"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_writes_of_one_file_take_turns(tmp_path) -> None:
    """While one write holds a file, another is refused with BUSY, never interleaved."""
    out = tmp_path / "a.json"
    inside, release = threading.Event(), threading.Event()

    def slow(tmp: Path) -> None:
        inside.set()
        release.wait(10)
        tmp.write_text("first", encoding="utf-8")

    worker = threading.Thread(target=atomic.write, args=(out, slow))
    worker.start()
    assert inside.wait(10)
    with pytest.raises(OutputError) as err:
        atomic.write_text(out, "second", overwrite=True)
    release.set()
    worker.join(10)
    assert err.value.code == "output.busy" and out.read_text(encoding="utf-8") == "first"
