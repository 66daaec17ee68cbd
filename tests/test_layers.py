"""The package's shape: no import cycle anywhere, and each layer imports only those below it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "xlgbreport"
#: A layer may import itself and the layers listed after it, never those before.
LAYERS = ("cli", "excel", "render", "published", "consolidate", "actions", "files", "core")
SHARED = {"errors", "__init__"}  # the catalogue of input problems, and the front door


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
    wrong = []
    for module, targets in GRAPH.items():
        mine = layer(module)
        if mine not in LAYERS:
            continue
        allowed = LAYERS[LAYERS.index(mine):]
        wrong += [f"{module} → {t}" for t in targets if layer(t) and layer(t) not in allowed]
    assert not wrong, wrong


def test_the_cycle_check_sees_a_cycle() -> None:
    """The checker itself: a graph with a loop is caught (guards against a vacuous test)."""
    GRAPH["xlgbreport.core.schema"].add("xlgbreport.core.rules")
    try:
        test_no_import_cycle()
    except AssertionError as exc:
        assert "xlgbreport.core.schema" in str(exc)
    else:
        raise AssertionError("a cycle went unnoticed")
    finally:
        GRAPH["xlgbreport.core.schema"].discard("xlgbreport.core.rules")


def test_row_ids_are_typed_only_in_the_formats() -> None:
    """A row id written as a literal outside the format modules is the bug of issue 7 (rows
    that rules and prose need are found by role)."""
    literal = re.compile(r"""["'](?:[1-4]|3\.[1-7](?:\.\d)?)["']""")
    allowed = {"xlgbreport.core.schema", "xlgbreport.core.gb2019"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        if module_name(path) in allowed:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if literal.search(code) and "fullCalcOnLoad" not in code and "<c r=" not in code:
                found.append(f"{module_name(path)}:{n}: {line.strip()}")
    assert not found, found
