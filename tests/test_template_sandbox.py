"""Issue 21, items 4 and 5: a template is untrusted code and an untrusted file.

Each attack runs ``xlgbreport render --template`` in a child process, whose own peak memory
(VmHWM) is measured: one Chinese line naming the template, exit 2, within 30 s and 500 MB,
nothing of the system printed and no report written.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from xl_helpers import EXAMPLES, ROOT

from xlgbreport import rendering
from xlgbreport.files import interchange
from xlgbreport.rendering import sandbox, writers

SOURCE = EXAMPLES / "suqian_2024.json"
WORD = ROOT / "templates" / "report.docx"
LIMIT_S, LIMIT_KIB = 30, 500 * 1024
_CHILD = ("import re, sys\nfrom pathlib import Path\nfrom xlgbreport.cli import main\n"
          "sys.argv = ['xlgbreport', *sys.argv[1:]]\ntry:\n    main()\nfinally:\n"
          "    status = Path('/proc/self/status').read_text()\n"
          "    print('peak', re.search(r'VmHWM:\\s*(\\d+) kB', status).group(1), file=sys.stderr)")


def render_cli(template: Path, to: str, out: Path) -> tuple[int, list[str], float, int]:
    """Exit code, output lines, seconds and peak KiB of one ``render`` in a child process."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _CHILD, "render", str(SOURCE), "--to", to,
                           "--template", str(template), "-o", str(out)],
                          capture_output=True, text=True, timeout=LIMIT_S * 2,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    seconds = time.monotonic() - start
    peak = int(re.findall(r"peak (\d+)", proc.stderr)[-1])
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if not line.startswith("peak")]
    return proc.returncode, lines, seconds, peak


def refused(template: Path, to: str, tmp_path: Path, expected: str) -> None:
    out = tmp_path / f"out.{to}"
    code, lines, seconds, peak = render_cli(template, to, out)
    assert code == 2 and lines == [f"✘ {SOURCE.name}：模板 {template.name}{expected}"], lines  # names its input
    assert seconds < LIMIT_S and peak < LIMIT_KIB, (seconds, peak)
    assert not out.exists()


TEXT_ATTACKS = {
    "shell": ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", " 第 1 行试图访问不允许的内容，已拦截"),
    "shell_by_item": ("{{ cycler['__init__'] }}", " 第 1 行试图访问不允许的内容，已拦截"),
    "huge_range": ("{% for i in range(10**9) %}x{% endfor %}", " 第 1 行生成的内容过大，已停止"),
    "huge_product": ("{{ 'x' * 10**10 }}", " 第 1 行生成的内容过大，已停止"),
    "huge_percent": ("\n{{ '%0999999999d' % 1 }}", " 第 2 行生成的内容过大，已停止"),
    "huge_format": ("{{ '{:>999999999}'.format(1) }}", " 第 1 行生成的内容过大，已停止"),
    "huge_padding": ("{{ 'x'.center(10**9) }}", " 第 1 行生成的内容过大，已停止"),
    "huge_batch": ("{{ [1]|batch(10**9, 0)|list }}", " 第 1 行生成的内容过大，已停止"),
    "doubling_macro": ("{% macro f(s, n) %}{{ f(s ~ s, n - 1) if n else s|length }}{% endmacro %}"
                       "{{ f('xxxxxxxx', 40) }}", " 第 1 行生成的内容过大，已停止"),
    "division": ("第一行\n{{ 1/0 }}", " 第 2 行计算出错（除以零）"),
    "syntax": ("ok\n\n{% for %}", " 第 3 行有语法错误"),
    "undefined": ("{{ content.title }}\n{{ no_such_thing }}", " 第 2 行用到了不存在的内容"),
}


@pytest.mark.parametrize("name", sorted(TEXT_ATTACKS))
def test_a_text_template_attack_is_one_line(tmp_path: Path, name: str) -> None:
    text, expected = TEXT_ATTACKS[name]
    template = tmp_path / f"{name}.html.j2"
    template.write_text(text, encoding="utf-8")
    refused(template, "html", tmp_path, expected)


def test_an_endless_loop_that_calls_nothing_is_stopped_by_the_budget(tmp_path: Path) -> None:
    """No call, attribute or operator inside the loop: only the watchdog can stop it."""
    template = tmp_path / "loop.md.j2"
    template.write_text("{% set s = 'x' * 99999 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
                        encoding="utf-8")
    refused(template, "md", tmp_path, f" 运行超过 {sandbox.TIME_BUDGET:.0f} 秒，已停止")


def test_the_budget_stops_a_nested_range_and_the_next_render_is_unaffected() -> None:
    env = sandbox.Sandbox()
    loop = sandbox.compile_text(env, "{% for i in range(99999) %}{% for j in range(99999) %}"
                                     "{% endfor %}{% endfor %}")
    start = time.monotonic()
    with pytest.raises(sandbox.Failure) as failure:
        sandbox.run(env, lambda: sandbox.render(env, loop, {}), budget=0.5)
    assert failure.value.kind == "time" and time.monotonic() - start < 3
    time.sleep(1.5)  # the watchdog's moment has passed: nothing is pending for this thread
    assert sandbox.render(env, sandbox.compile_text(env, "{{ 1 + 1 }}"), {}) == "2"


def test_ordinary_template_code_still_works() -> None:
    env = sandbox.Sandbox()
    text = ("{% for i in range(3) %}{{ i }}{% endfor %} {{ '%d 件，占 %.1f%%' % (12, 3.14159) }} "
            "{{ '{}年'.format(2024) }} {{ 'ab' * 2 }} {{ 2 ** 10 }} {{ '  x '.strip() }} {{ 'x'|center(5) }} "
            "{{ '{:,}'.format(123456789) }} {% macro m(n) %}{{ n }}{% endmacro %}{{ m(123456789) }}")
    assert sandbox.render(env, sandbox.compile_text(env, text), {}) == \
        "012 12 件，占 3.1% 2024年 abab 1024 x   x   123,456,789 123456789"


def test_our_templates_are_sandboxed_too() -> None:
    """The shipped templates and the narrative's render in sandboxes (no exceptions to audit)."""
    from jinja2.sandbox import SandboxedEnvironment

    from xlgbreport.core import narrative

    assert isinstance(writers._env(True), sandbox.Sandbox) and isinstance(writers._env(False), sandbox.Sandbox)
    assert isinstance(narrative._env(), SandboxedEnvironment)


def test_special_and_oversized_template_files_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.html.j2"
    os.mkfifo(fifo)
    not_regular = " 无法读取：不是普通文件（可能是管道、设备或套接字），没有打开"
    refused(fifo, "html", tmp_path, not_regular)
    for name, to in (("zero.html.j2", "html"), ("zero.docx", "docx")):
        link = tmp_path / name
        link.symlink_to("/dev/zero")
        refused(link, to, tmp_path, not_regular)
    big = tmp_path / "big.md.j2"
    big.write_bytes(b"x" * (rendering.inputs.MAX_BYTES + 1))
    refused(big, "md", tmp_path, " 过大（超过 10 MB），没有读取")


def _word(tmp_path: Path, name: str, change=None, extra: dict[str, bytes] | None = None) -> Path:
    """The shipped report.docx with one part changed or parts added."""
    target = tmp_path / name
    with zipfile.ZipFile(WORD) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, change(info.filename, data) if change else data)
        for part, data in (extra or {}).items():
            out.writestr(part, data)
    return target


def test_a_word_template_is_checked_like_any_docx_input(tmp_path: Path) -> None:
    def doctype(part: str, data: bytes) -> bytes:
        return data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1) if part == "word/styles.xml" else data

    refused(_word(tmp_path, "doctype.docx", doctype), "docx", tmp_path,
            " 含有 DOCTYPE 或实体声明（正常的 Word 文档没有），为安全起见拒绝打开")
    bomb = {"WORD/BIG.BIN": b"<a>" + b" " * 300_000_000 + b"</a>"}  # an XML part by any name
    refused(_word(tmp_path, "bomb.docx", extra=bomb), "docx", tmp_path, " 解压后过大，为安全起见拒绝打开")
    text = tmp_path / "text.docx"
    text.write_text("不是 Word", encoding="utf-8")
    refused(text, "docx", tmp_path, " 不是 Word 文档（.docx），或已损坏")


def test_a_word_template_s_jinja_is_sandboxed(tmp_path: Path) -> None:
    def shell(part: str, data: bytes) -> bytes:
        if part != "word/document.xml":
            return data
        return data.replace(b"{{ line }}", b"{{ cycler.__init__.__globals__.os.popen('id').read() }}", 1)

    template = _word(tmp_path, "shell.docx", shell)
    assert b"os.popen" in zipfile.ZipFile(template).read("word/document.xml")
    code, lines, seconds, peak = render_cli(template, "docx", tmp_path / "out.docx")
    assert code == 2 and lines == [f"✘ {SOURCE.name}：模板 shell.docx 试图访问不允许的内容，已拦截"], lines
    assert "uid=" not in "".join(lines) and not (tmp_path / "out.docx").exists()


def test_the_shipped_word_template_still_renders() -> None:
    report = interchange.load(SOURCE)
    assert rendering.render(report, "docx", template=WORD).startswith(b"PK")
