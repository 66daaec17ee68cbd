"""The error family's catalogue: every message a code, every raise site a catalogue message.

This is the one test of the Chinese wording of errors (what a clerk must be told to do); every
other test compares ``error.code``.
"""

from __future__ import annotations

import ast
import importlib
import pickle
import pkgutil
import re
import string
from pathlib import Path
from types import ModuleType

import pytest

import xlgbreport
from xlgbreport import errors
from xlgbreport.errors import InputError, Message, OutputError, RenderError, XlgbreportError

PACKAGE = Path(xlgbreport.__file__).parent
FAMILY = {"XlgbreportError", "InputError", "OutputError", "RenderError"}
CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
CJK = re.compile(r"[\u4e00-\u9fff]")
#: The keyword argument of the error itself, so never the field of a template it is raised with.
RESERVED = {"problems"}


def modules() -> list[ModuleType]:
    """Every module of the package (``__main__`` would run the command line)."""
    names = [m.name for m in pkgutil.walk_packages([str(PACKAGE)], "xlgbreport.")
             if not m.name.endswith("__main__")]
    return [importlib.import_module(name) for name in ["xlgbreport", *names]]


def catalogue() -> dict[int, tuple[str, Message]]:
    """Every module-level :class:`Message`, once (a message imported elsewhere is the same
    object), with the module that defines or names it first."""
    found: dict[int, tuple[str, Message]] = {}
    for module in modules():
        for name, value in vars(module).items():
            if isinstance(value, Message):
                found.setdefault(id(value), (f"{module.__name__}.{name}", value))
    return found


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def catalogue_problems(messages: list[tuple[str, Message]]) -> list[str]:
    """What is wrong with a catalogue: a code not ASCII dotted lowercase, one code for two
    messages, a template that does not format with its fields, or that is not Chinese."""
    problems = []
    seen: dict[str, str] = {}
    for where, message in messages:
        if not CODE.fullmatch(message.code):
            problems.append(f"{where}: code {message.code!r} is not ASCII dotted lowercase")
        if message.code in seen:
            problems.append(f"{where}: code {message.code!r} is also {seen[message.code]}")
        seen.setdefault(message.code, where)
        try:
            named = fields(message)
        except ValueError as exc:
            problems.append(f"{where}: not a template: {exc}")
            continue
        if any(not n.isidentifier() for n in named):
            problems.append(f"{where}: fields {sorted(named)} are not identifiers")
            continue
        try:
            shown = message.format(**dict.fromkeys(named, 1))
        except (KeyError, IndexError, ValueError) as exc:
            problems.append(f"{where}: does not format with its fields: {exc!r}")
            continue
        literal = "".join(text for text, *_ in string.Formatter().parse(message))
        if literal.strip() and not CJK.search(shown):
            problems.append(f"{where}: not Chinese")
    return problems


def _resolve(node: ast.expr, namespace: dict) -> list[object]:
    """The objects an expression at a raise site names: a constant, ``module.NAME``, either
    branch of ``a if c else b``, or any value of ``{...}.get(key, default)``."""
    if isinstance(node, ast.Name):
        return [namespace.get(node.id, node)]
    if isinstance(node, ast.Attribute):
        found = _resolve(node.value, namespace)
        return [getattr(f, node.attr, node) if isinstance(f, ModuleType) else node for f in found]
    if isinstance(node, ast.IfExp):
        return _resolve(node.body, namespace) + _resolve(node.orelse, namespace)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and isinstance(node.func.value, ast.Dict)):
        values = [v for v in node.func.value.values if v is not None] + node.args[1:]
        return [o for v in values for o in _resolve(v, namespace)]
    return [node]  # a literal, an f-string, a "+" or a .format(): not a catalogue message


def bad_raise_sites(source: str, namespace: dict, where: str = "") -> list[str]:
    """Every call of an error of the family in ``source`` whose template (second argument) is not
    a catalogue :class:`Message` of ``namespace`` (the module's globals), or has a field named
    like the error's own keyword (``{problems}``: it would never reach the template)."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else \
            node.func.attr if isinstance(node.func, ast.Attribute) else None
        if name not in FAMILY:
            continue
        found = _resolve(node.args[1], namespace) if len(node.args) >= 2 else [None]
        if not all(isinstance(f, Message) for f in found):
            bad.append(f"{where}:{node.lineno}: {name} without a catalogue Message")
        elif any(fields(f) & RESERVED for f in found):  # type: ignore[arg-type]
            bad.append(f"{where}:{node.lineno}: {name} with a template field in {sorted(RESERVED)}")
    return bad


def raise_sites() -> list[tuple[str, str, dict]]:
    out = []
    for module in modules():
        path = Path(module.__file__ or "")
        out.append((str(path.relative_to(PACKAGE.parent)), path.read_text(encoding="utf-8"), vars(module)))
    return out


def test_every_code_is_unique_dotted_ascii_and_every_template_formats() -> None:
    found = list(catalogue().values())
    assert len(found) >= 80  # the scan found the catalogues
    assert catalogue_problems(found) == []


def test_every_raise_site_passes_a_catalogue_message() -> None:
    sites = raise_sites()
    calls = sum(len(re.findall(r"\b(?:Input|Output|Render|Xlgbreport)Error\(", text)) for _, text, _ in sites)
    assert calls >= 100  # the scan read the package
    assert [bad for where, text, namespace in sites for bad in bad_raise_sites(text, namespace, where)] == []


def test_the_checkers_catch_what_they_are_for() -> None:
    good = Message("file.good", "好的 {name}")
    namespace = {"errors": errors, "GOOD": good, "PLAIN": "不是消息", "ODD": Message("file.odd", "坏 {problems}")}
    assert bad_raise_sites("raise InputError(p, GOOD, name=1)\n"
                           "raise errors.OutputError(p, errors.OUTPUT_EXISTS)\n"
                           "raise RenderError(p, GOOD if x else errors.CORRUPT)\n"
                           "raise InputError(p, {1: GOOD}.get(k, errors.EMPTY))\n", namespace) == []
    bad = ('raise InputError(p, "坏")', 'raise OutputError(p, f"{p}坏")', "raise RenderError(p, GOOD.format(name=1))",
           'raise InputError(p, "甲" + GOOD)', "raise InputError(p, PLAIN)", "raise InputError(p, errors.os_reason)",
           "raise XlgbreportError(p, local)", "raise InputError(p, GOOD if x else PLAIN)", "raise InputError(p)",
           "raise InputError(p, {1: GOOD}.get(k, PLAIN))",
           "raise InputError(p, errors.CORRUPT if x else ODD)")
    for source in bad:
        assert len(bad_raise_sites(source, namespace)) == 1, source
    assert catalogue_problems([("a", good), ("b", Message("file.good", "另一个"))]) == ["b: code 'file.good' is also a"]
    for code, text in (("File.Bad", "坏"), ("file", "坏"), ("文件.坏", "坏"), ("file.ok", "{0}坏"),
                       ("file.ok", "坏 {n-1}"), ("file.ok", "坏 {n:d}{"), ("file.ok", "not Chinese {n}")):
        assert len(catalogue_problems([("x", Message(code, text))])) == 1, (code, text)


#: The wording a clerk acts on, pinned here once (docs quote some of it); elsewhere codes.
WORDING = {
    errors.OUTPUT_EXISTS: "输出文件已存在，未覆盖（如需覆盖请加 --force）",
    errors.SAME_AS_INPUT: "输出文件不能与输入文件相同",
    errors.NOT_FOUND: "找不到文件",
    errors.OLD_FORMAT: "是旧版 .xls 或 WPS .et 格式：请在 Excel/WPS 中“另存为” .xlsx 后再试",
    errors.ENCRYPTED: "设有打开密码：请去掉密码（文件→信息→保护工作簿）后再试",
    errors.CORRUPT: "已损坏或不完整，无法打开：请重新保存或重新获取该文件",
    errors.WRONG_TEMPLATE: "不是本模板的工作簿：缺少工作表 {missing}",
    errors.PDF_NO_TEXT: "没有可提取的文字（可能是扫描件或图片）：请取得 Word、网页或可复制文字的 PDF",
}


@pytest.mark.parametrize("message", list(WORDING), ids=[m.code for m in WORDING])
def test_the_wording_a_clerk_acts_on(message: Message) -> None:
    assert str(message) == WORDING[message]


def test_a_missing_file_is_an_error_of_the_family_with_a_code(tmp_path: Path) -> None:
    with pytest.raises(XlgbreportError) as err:
        xlgbreport.read(tmp_path / "missing.xlsx")
    assert isinstance(err.value, InputError) and err.value.code == "file.not_found"
    assert err.value.message == f"missing.xlsx：{err.value.reason}" and err.value.path is not None


def test_the_family_is_the_front_doors() -> None:
    assert {"XlgbreportError", "InputError", "OutputError", "RenderError"} <= set(xlgbreport.__all__)
    assert (xlgbreport.XlgbreportError, xlgbreport.OutputError, xlgbreport.RenderError) == \
        (XlgbreportError, OutputError, RenderError)


def test_an_error_keeps_its_code_arguments_and_problems_through_a_process_pool() -> None:
    error = OutputError("a/b.xlsx", errors.WRITE_FAILED, problems=("甲", "乙"), detail="没有权限")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is OutputError and again.code == "output.write_failed"
    assert (again.message, again.problems, again.template.code) == (error.message, ("甲", "乙"), error.code)


def test_several_json_problems_come_one_by_one_too() -> None:
    from xlgbreport.files import interchange

    with pytest.raises(InputError) as err:
        interchange.from_dict({"org": 1, "year": "x", "nonsense": 2})
    assert err.value.code == "json.problems" and len(err.value.problems) >= 2
    assert err.value.reason == "；".join(err.value.problems)
    with pytest.raises(InputError) as err:
        interchange.from_dict([])
    assert err.value.code == "json.problems" and len(err.value.problems) == 1


def test_an_unknown_render_kind_is_a_render_error() -> None:
    from xlgbreport import rendering
    from xlgbreport.files import interchange

    report = interchange.load(Path(__file__).parent / "data" / "examples" / "suqian_2024.json")
    with pytest.raises(RenderError) as err:
        rendering.render(report, "rtf")
    assert err.value.code == "render.unknown_kind" and err.value.path is None


def test_a_template_may_name_path_or_template() -> None:
    """The error's own path and template are positional only: a field may share their name."""
    error = RenderError(None, Message("render.x", "模板 {template} 在 {path}"), template="a.j2", path="b")
    assert error.message == "模板 a.j2 在 b"
