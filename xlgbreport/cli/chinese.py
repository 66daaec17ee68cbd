"""click's own words in Chinese: the clerk's command line says 用法、选项、错误 rather than Usage,
Options, Error. click looks its messages up through a module-level ``_`` (gettext) and
``ngettext`` in each of its modules; :func:`install` points those at this catalogue. It must run
before the commands are declared: ``--version``'s help is looked up when its decorator runs.

click also shortens a command's help for a group's list at its first English full stop; Chinese
has none, so every line was cut mid-word with "...". :func:`short_help` cuts at the first 。；：
instead, and counts a Chinese character as the two columns it takes."""

from __future__ import annotations

import importlib
import inspect
import re
import unicodedata

import click

#: English msgid → Chinese. A translation may leave out a placeholder (str.format ignores extra
#: arguments) but never adds one. ``{name}`` of a path message is click's English "file",
#: "directory" or "path", so those messages do without it.
CATALOGUE: dict[str, str] = {
    # help pages
    "Usage:": "用法:",  # click adds a space; the section titles end in ":" too
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助后退出。",
    "Show the version and exit.": "显示版本号后退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "env var: {var}": "环境变量：{var}",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "(dynamic)": "（随情况而定）",
    "deprecated": "已停用",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不再询问，直接确认。",
    # usage errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "输入 '{command} {option}' 查看帮助。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option {name!r}.": "没有 {name!r} 这个选项。",
    "No such command {name!r}.": "没有 {name!r} 这个命令。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不能带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Value must be an iterable.": "这里需要一组值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "原因不明",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "提示：命令 {name!r} 已停用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "提示：{name!r} 已停用。{extra_message}",
    # values
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是“是”或“否”，可填：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{name} {filename!r} does not exist.": "{filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{filename!r} 是文件，这里要的是文件夹。",
    "{name} {filename!r} is a directory.": "{filename!r} 是文件夹，这里要的是文件。",
    "{name} {filename!r} is not readable.": "{filename!r} 无法读取（没有权限）。",
    "{name} {filename!r} is not writable.": "{filename!r} 无法写入（没有权限）。",
    "{name} {filename!r} is not executable.": "{filename!r} 不能运行（没有权限）。",
    # prompts and the progress bar
    "Aborted!": "已中止。",
    "Repeat for confirmation": "请再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
    "d": "天",

    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
}

#: English singular msgid → (Chinese for one, Chinese for several): Chinese has no plural, but
#: click gives the two forms different placeholders.
PLURALS: dict[str, tuple[str, str]] = {
    "Got unexpected extra argument ({args})": ("多余的参数（{args}）", "多余的参数（{args}）"),
    "Did you mean {possibility}?": ("是不是 {possibility}？", "是不是 {possibilities} 之一？"),
    "Option {name!r} requires an argument.":
        ("选项 {name!r} 后面要跟一个值。", "选项 {name!r} 后面要跟 {nargs} 个值。"),
    "Takes {nargs} values but 1 was given.":
        ("需要 {nargs} 个值，只给了 1 个。", "需要 {nargs} 个值，给了 {len} 个。"),
    "{value!r} is not {choice}.": ("{value!r} 不对，只能是 {choice}。", "{value!r} 不对，可选：{choices}。"),
    "{value!r} does not match the format {format}.":
        ("{value!r} 不符合格式 {format}。", "{value!r} 不符合以下任一格式：{formats}。"),
    "{len_type} values are required, but {len_value} was given.":
        ("需要 {len_type} 个值，给了 {len_value} 个。", "需要 {len_type} 个值，给了 {len_value} 个。"),
}

#: click's messages left in English, and why: a clerk never meets them.
UNTRANSLATED: dict[str, str] = {
    "file": "a path type's name, shown upper-cased as a metavar (FILE) beside click's TEXT, INTEGER",
    "directory": "as 'file'",
    "path": "as 'file'",
    "Choice({choices})": "a repr, for programmers",
    "Name '{name}' defined twice": "a programming error when the commands are declared",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "as above",
    "Could not determine name for option with declarations {decls!r}": "as above",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?": "as above",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": "as above",
    "Invalid start character for option ({option})": "as above",
    "Unknown standard stream '{name}'": "as above",
    "Unknown color {colour!r}": "as above",
    "Windows error: {error}": "an OSError of the Windows console: a crash with a traceback",
    "Shell completion is not supported for Bash versions older than 4.4.": "bash completion setup",
    "Couldn't detect Bash version, shell completion is not supported.": "bash completion setup",
}

#: The click modules that look messages up (``_winconsole`` is Windows-only and untranslated).
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils",
           "shell_completion", "_termui_impl")


def gettext(message: str) -> str:
    """The Chinese for one of click's messages; an unknown one stays as click wrote it."""
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The Chinese for one of click's counted messages, in the form ``n`` asks for."""
    one, several = PLURALS.get(singular, (singular, plural))
    return one if n == 1 else several


CLAUSE_END = re.compile(r"[。；：]")
MORE = "…"


def width(text: str) -> int:
    """Terminal columns ``text`` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def short_help(command: click.Command, limit: int = 45) -> str:
    """A command's line in its group's list: its ``short_help``, or its help's first clause,
    shortened to ``limit`` columns."""
    if command.short_help:
        return inspect.cleandoc(command.short_help)
    first = inspect.cleandoc(command.help or "").partition("\n\n")[0].removeprefix("\b")
    text = " ".join(CLAUSE_END.split(first, maxsplit=1)[0].split())
    if width(text) <= limit:
        return text
    while width(text + MORE) > limit:
        text = text[:-1]
    return text.rstrip() + MORE


def install() -> None:
    """Point every click module's ``_`` and ``ngettext`` at this catalogue (for the whole process:
    the command line is the only click program xlgbreport runs), and shorten commands' help at a
    Chinese clause's end."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    click.Command.get_short_help_str = short_help  # type: ignore[method-assign, assignment]
