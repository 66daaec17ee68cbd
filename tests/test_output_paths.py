"""Issue 21, paths: every output-path problem is one Chinese line, no command writes over its
own input, names that are not UTF-8 are escaped, org names compare in one normal form, side
lists are read as regular files only, and pool workers die with their command."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xlgbreport.core.prior import normalise, same_org
from xlgbreport.files import paths

DATA = Path(__file__).parent / "data"
TEXT = DATA / "published" / "huaian_szf_2024.txt"
JSON = DATA / "examples" / "suqian_2024.json"
LONG = "长" * 100 + ".xlsx"  # 300 bytes: over the 255 a name may have


def _cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("xlgbreport")
    env = {k: v for k, v in os.environ.items() if k != "XLGBREPORT_DEBUG"}
    return subprocess.run([str(exe) if exe.exists() else "xlgbreport", *argv], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", errors="replace", timeout=30,
                          env={**env, "PYTHONIOENCODING": "utf-8"})


def _one_line(proc: subprocess.CompletedProcess, reason: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    failures = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("✘")]
    assert len(failures) == 1 and reason in failures[0], proc.stdout + proc.stderr
    assert "内部错误" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(("output", "reason"), [
    ("plain", "已有同名文件"),
    ("plain/x.xlsx", "路径中有一段不是文件夹"),
    ("/proc/x.xlsx", "不存在"),
    ("/proc/新文件夹/", "不存在"),
    (LONG, "文件名过长"),
    ("out.csv", "扩展名"),
])
def test_import_output_problems_are_one_line(tmp_path, output, reason):
    shutil.copy(TEXT, tmp_path / "a.txt")
    (tmp_path / "plain").write_text("")
    _one_line(_cli("import", "a.txt", "-o", output, "--force", cwd=tmp_path), reason)
    assert not (tmp_path / "out.csv").exists()


def test_several_sources_into_a_file_name_are_refused_not_made_a_folder(tmp_path):
    shutil.copy(TEXT, tmp_path / "a.txt")
    shutil.copy(TEXT, tmp_path / "b.txt")
    _one_line(_cli("import", "a.txt", "b.txt", "-o", "out.csv", cwd=tmp_path), "像文件名")
    assert not (tmp_path / "out.csv").exists()
    done = _cli("import", "a.txt", "b.txt", "-o", "out.csv/", cwd=tmp_path)
    assert done.returncode in (0, 1) and len(list((tmp_path / "out.csv").iterdir())) == 2


@pytest.mark.parametrize("command", [("new", "--org", "县", "--year", "2024"), ("excel", "build-addin")])
def test_other_writers_say_a_long_name_in_one_line(tmp_path, command):
    proc = _cli(*command, "-o", LONG.replace(".xlsx", ".xlam" if "excel" in command else ".xlsx"),
                cwd=tmp_path)
    _one_line(proc, "文件名过长")


def test_consolidate_a_long_name_is_one_line(tmp_path):
    (tmp_path / "d").mkdir()
    shutil.copy(JSON, tmp_path / "d" / "a.json")
    _one_line(_cli("consolidate", "d", "-o", LONG, "--org", "县", cwd=tmp_path), "文件名过长")


def test_render_never_writes_over_its_input_even_with_force(tmp_path):
    source = Path(shutil.copy(JSON, tmp_path / "in.json"))
    before = source.read_bytes()
    _one_line(_cli("render", "in.json", "--to", "html", "-o", "in.json", "--force", cwd=tmp_path),
              "不能与输入文件相同")
    os.link(source, tmp_path / "hard.html")
    _one_line(_cli("render", "in.json", "--to", "html", "-o", "hard.html", "--force", cwd=tmp_path),
              "不能与输入文件相同")
    assert source.read_bytes() == before


def test_render_into_new_folder_with_a_trailing_separator(tmp_path):
    shutil.copy(JSON, tmp_path / "in.json")
    proc = _cli("render", "in.json", "--to", "md", "-o", "新文件夹/", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "新文件夹" / "in_报告.md").is_file()


def test_import_never_writes_over_a_source_through_a_link(tmp_path):
    source = Path(shutil.copy(TEXT, tmp_path / "a.txt"))
    (tmp_path / "link.json").symlink_to("a.txt")
    _one_line(_cli("import", "a.txt", "-o", "link.json", "--force", cwd=tmp_path), "不能与输入文件相同")
    assert source.read_bytes() == TEXT.read_bytes()


@pytest.mark.skipif(sys.platform != "linux", reason="names that are not UTF-8 are a Linux matter")
def test_consolidate_names_and_org_not_utf8(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copy(JSON, os.fsdecode(bytes(folder) + b"/\xc4\xe3.json"))
    proc = _cli("consolidate", "d", "-o", "out.xlsx", "--org", os.fsdecode("县".encode() + b"\xff"),
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "内部错误" not in proc.stderr and (tmp_path / "out.xlsx").is_file()
    assert paths.shown(os.fsdecode(b"\xc4\xe3.json")) == "\\xc4\\xe3.json"


def test_org_names_compare_in_one_normal_form():
    assert normalise(" 县Ａ局\u200b\u202e\x07 ") == "县a局"
    assert same_org("宿迁市 人民政府", "宿迁市人民政府\ufeff")
    assert not same_org("宿迁市人民政府", "宿迁县人民政府")


def test_consolidate_counts_an_org_variant_once(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    text = JSON.read_text(encoding="utf-8")
    org = '"org": "宿迁市人民政府"'
    assert org in text
    (folder / "a.json").write_text(text, encoding="utf-8")
    (folder / "b.json").write_text(text.replace(org, '"org": "宿迁市\u200b人民政府"'), encoding="utf-8")
    proc = _cli("consolidate", "d", "-o", "out.xlsx", "--org", "县", cwd=tmp_path)
    assert "已汇总 1 份" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")
@pytest.mark.parametrize("kind", ["fifo", "zero", "link"])
def test_expect_that_is_not_a_regular_file_is_refused_at_once(tmp_path, kind):
    (tmp_path / "d").mkdir()
    shutil.copy(JSON, tmp_path / "d" / "a.json")
    named = tmp_path / "list"
    if kind == "fifo":
        os.mkfifo(named)
    elif kind == "link":
        named.symlink_to("/dev/zero")
    start = time.monotonic()
    proc = _cli("consolidate", "d", "-o", "out.xlsx", "--org", "县", "--expect",
                "/dev/zero" if kind == "zero" else "list", cwd=tmp_path)
    _one_line(proc, "不是普通文件")
    assert time.monotonic() - start < 30


def test_expect_over_a_megabyte_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    shutil.copy(JSON, tmp_path / "d" / "a.json")
    (tmp_path / "list.txt").write_text("机关\n" * 300_000, encoding="utf-8")
    _one_line(_cli("consolidate", "d", "-o", "out.xlsx", "--org", "县", "--expect", "list.txt",
                   cwd=tmp_path), "过大")


@pytest.mark.skipif(sys.platform != "linux", reason="the kernel's parent-death signal")
def test_pool_workers_die_with_a_killed_command(tmp_path):
    for n in range(40):
        shutil.copy(TEXT, tmp_path / f"{n:02}.txt")
    exe = Path(sys.executable).with_name("xlgbreport")
    proc = subprocess.Popen([str(exe) if exe.exists() else "xlgbreport", "import", "."], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 20
    while not workers and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(proc.pid)
    assert workers, "no pool started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(w) for w in workers)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status
