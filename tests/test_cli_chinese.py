"""A clerk meets no English from click: every help page and every usage error is Chinese, the
catalogue covers every message the installed click can show, and the top-level help names what
every command does."""

from __future__ import annotations

import ast
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xlgbreport.cli import chinese, cli

ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "Error:",
           "Missing argument", "No such", "Try '", "Invalid value", "is not one of", "is not a valid")


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), prog_name="xlgbreport")


def run(*args: str) -> str:
    return invoke(*args).output


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's words on the command line, subgroups walked (``excel doctor``)."""
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
    return found


def assert_chinese(output: str) -> None:
    assert "用法:" in output, output
    assert not [word for word in ENGLISH if word in output], output


def test_the_walk_finds_every_command() -> None:
    """Guards the help test against a vacuous walk."""
    found = commands(cli)
    assert {("validate",), ("render",), ("import",), ("excel",), ("excel", "doctor")} <= set(found)


@pytest.mark.parametrize("words", [(), *commands(cli)], ids=lambda words: " ".join(words) or "xlgbreport")
def test_every_help_page_is_chinese(words: tuple[str, ...]) -> None:
    output = run(*words, "--help")
    assert_chinese(output)
    assert "选项:" in output and "显示本帮助后退出。" in output


@pytest.mark.parametrize("args, chinese", [
    (["validate"], "错误：缺少参数"),
    (["validate", "--bogus", "a.xlsx"], "错误：没有 '--bogus' 这个选项。"),
    (["vlidate"], "错误：没有 'vlidate' 这个命令。"),
    (["validate", "--format", "xml", "a.xlsx"], "'xml' 不对，可选：'text', 'json'。"),
    (["consolidate", "--year", "二〇二四", "a.xlsx"], "'二〇二四' 不是有效的数字。"),
    (["export", "a.xlsx", "b.xlsx"], "错误：多余的参数（b.xlsx）"),
])
def test_usage_errors_are_chinese(args: list[str], chinese: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert_chinese(result.output)
    assert chinese in result.output
    assert "输入 'xlgbreport" in result.output and "--help' 查看帮助。" in result.output


def test_the_installed_command_says_it_in_chinese() -> None:
    """Through the real entry point (``main``), not only click's test runner."""
    done = subprocess.run([sys.executable, "-m", "xlgbreport", "validate"], capture_output=True,
                          text=True, encoding="utf-8")
    assert done.returncode == 2
    assert_chinese(done.stderr)
    assert "错误：缺少参数" in done.stderr


def test_the_top_level_help_names_every_job_and_command() -> None:
    output = run("--help")
    intro = output.split("选项:")[0]
    assert "模板、校验、汇总、生成报告与导入" in intro
    assert not [words[0] for words in commands(cli) if len(words) == 1 and words[0] not in intro]
    assert "显示版本号后退出。" in output  # --version's help, looked up when its decorator ran


def test_the_command_list_is_cut_at_a_chinese_clause_and_fits_the_line() -> None:
    output = run("--help")
    listed = output.split("命令:\n")[1].splitlines()
    assert "  validate       校验工作簿（文件或文件夹），逐条列出问题" in listed
    assert all(chinese.width(line) <= 80 for line in listed), listed


def test_short_help_counts_columns_and_keeps_an_explicit_one() -> None:
    assert chinese.width("校验 ab") == 7
    long = click.Command("x", help="一二三四五六七八九十。后面的不要")
    assert chinese.short_help(long, 45) == "一二三四五六七八九十"
    assert chinese.short_help(long, 12) == "一二三四五…"
    assert chinese.short_help(click.Command("x", help="长长长", short_help="短"), 45) == "短"


def click_lookups() -> list[tuple[str, ...]]:
    """Every message the installed click looks up, whatever its version: the string arguments of
    each ``_(…)`` (one) and ``ngettext(…)`` (singular, plural) in its source."""
    found: list[tuple[str, ...]] = [("required",)]  # looked up through a variable: _(extra["required"])
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                texts = [a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if texts:
                    found.append(tuple(texts))
    return found


def test_every_click_message_is_translated_or_said_why_not() -> None:
    messages = {texts[0] for texts in click_lookups()}
    assert len(messages) > 50  # the walk found click's messages
    missing = messages - set(chinese.CATALOGUE) - set(chinese.PLURALS) - set(chinese.UNTRANSLATED)
    assert not missing, missing


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_translations_add_no_placeholder() -> None:
    """click formats the Chinese with the English message's arguments: a new or misspelt one
    would raise KeyError on a clerk's screen."""
    english = {texts[0]: set().union(*map(fields, texts)) for texts in click_lookups()}
    wrong = [zh for en, zh in chinese.CATALOGUE.items() if not fields(zh) <= english.get(en, fields(en))]
    wrong += [zh for en, forms in chinese.PLURALS.items() for zh in forms if not fields(zh) <= english[en]]
    assert not wrong, wrong
