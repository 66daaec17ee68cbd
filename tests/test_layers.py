"""The package's shape: no import cycle anywhere; each layer imports only those below it, and
siblings of one rank (rendering, importer, consolidation) never import each other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "xlgbreport"
#: Ranks from the top: a layer may import itself and layers of a lower rank (later in this
#: list), never a higher one nor another layer of its own rank. ``api`` is the front door's work.
RANKS: tuple[tuple[str, ...], ...] = (
    ("cli",), ("api",), ("excel",), ("rendering", "importer", "consolidation"), ("actions",),
    ("workbook",), ("files",), ("core",),
)
RANK = {name: n for n, names in enumerate(RANKS) for name in names}
SHARED = {"errors", "logs", "__init__", "__main__"}  # errors and the log, the front door, ``python -m``


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every xlgbreport module ``path`` imports, at the top or inside a function."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in MODULES and m != module_name(path)}


MODULES = {module_name(p) for p in PACKAGE.rglob("*.py")}
GRAPH = {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}


def layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in SHARED:
        return None
    return parts[1]


def wrong_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import that goes up a rank or across to a sibling of the same rank."""
    wrong = []
    for module, targets in graph.items():
        mine = layer(module)
        for target in sorted(targets):
            theirs = layer(target)
            if mine is None or theirs is None or theirs == mine:
                continue
            if RANK[theirs] <= RANK[mine]:
                wrong.append(f"{module} → {target}")
    return wrong


def test_every_layer_has_a_rank() -> None:
    assert {layer(m) for m in MODULES} - {None} <= set(RANK), "a new package needs its rank in RANKS"


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH.get(module, ())):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_layers_import_only_downwards() -> None:
    assert not wrong_imports(GRAPH)


def test_the_layer_check_sees_a_sibling_and_an_upward_import() -> None:
    """The checker itself: a sibling import, an upward one and one from api are caught."""
    graph = {"xlgbreport.importer.run": {"xlgbreport.consolidation.gather"},
             "xlgbreport.core.model": {"xlgbreport.workbook.layout"},
             "xlgbreport.api": {"xlgbreport.cli"},
             "xlgbreport.rendering.content": {"xlgbreport.core.model"}}
    assert wrong_imports(graph) == ["xlgbreport.importer.run → xlgbreport.consolidation.gather",
                                    "xlgbreport.core.model → xlgbreport.workbook.layout",
                                    "xlgbreport.api → xlgbreport.cli"]


def test_the_shared_modules_import_nothing_above_them() -> None:
    """errors and logs are used by every layer, so they may use none (logs only errors)."""
    assert GRAPH["xlgbreport.errors"] == set()
    assert GRAPH["xlgbreport.logs"] <= {"xlgbreport.errors"}


def test_core_names_no_upper_layer() -> None:
    """Not even in a string: the core knows nothing of workbooks, Excel, files or commands."""
    upper = [name for name in RANK if RANK[name] < RANK["core"]]
    found = [f"{p.name}: xlgbreport.{name}" for p in (PACKAGE / "core").glob("*.py")
             for name in upper if f"xlgbreport.{name}" in p.read_text(encoding="utf-8")]
    assert not found, found


def test_the_cycle_check_sees_a_cycle() -> None:
    """The checker itself: a graph with a loop is caught (guards against a vacuous test)."""
    GRAPH["xlgbreport.core.gb2021"].add("xlgbreport.core.rules")
    try:
        test_no_import_cycle()
    except AssertionError as exc:
        assert "xlgbreport.core.gb2021" in str(exc)
    else:
        raise AssertionError("a cycle went unnoticed")
    finally:
        GRAPH["xlgbreport.core.gb2021"].discard("xlgbreport.core.rules")


def test_row_ids_are_typed_only_in_the_formats() -> None:
    """A row id written as a literal outside the format modules is the bug of issue 7 (rows
    that rules and prose need are found by role)."""
    literal = re.compile(r"""["'](?:[1-4]|3\.[1-7](?:\.\d)?)["']""")
    allowed = {"xlgbreport.core.gb2021", "xlgbreport.core.gb2019"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        if module_name(path) in allowed:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if literal.search(code) and "fullCalcOnLoad" not in code and "<c r=" not in code:
                found.append(f"{module_name(path)}:{n}: {line.strip()}")
    assert not found, found


def cli_strays(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a ``cli`` module that is neither the front door nor the cli itself."""
    allowed = {"xlgbreport", "xlgbreport.api"}
    return [f"{module} → {target}" for module, targets in sorted(graph.items())
            if module == "xlgbreport.cli" or module.startswith("xlgbreport.cli.")
            for target in sorted(targets)
            if target not in allowed and target != "xlgbreport.cli" and not target.startswith("xlgbreport.cli.")]


def test_the_cli_imports_only_the_front_door() -> None:
    assert not cli_strays(GRAPH)
    planted = {"xlgbreport.cli.validate": {"xlgbreport.api", "xlgbreport.actions.validation"},
               "xlgbreport.cli": {"xlgbreport.cli.output", "xlgbreport.errors"}}
    assert cli_strays(planted) == ["xlgbreport.cli → xlgbreport.errors",
                                   "xlgbreport.cli.validate → xlgbreport.actions.validation"]
