"""The docs cannot drift from the code: every dotted ``xlgbreport.…`` name the README, docs/ and
bench/README.md mention imports, every file or folder they name exists, every link between them
lands, every documented command's ``--help`` runs, and the README's layer list is the one
tests/test_layers.py enforces."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from test_layers import RANKS

from xlgbreport.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
#: A dotted name, not part of a path (``…\xlgbreport\xlgbreport.log``) nor of a longer word.
DOTTED = re.compile(r"(?<![\w\\/.-])xlgbreport(?:\.[A-Za-z_]\w*)+")
FILE_SUFFIXES = {"log", "xlam", "conf", "py", "md", "xml", "json", "xlsx", "docx"}  # files, not Python
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)
#: The folders a path the docs name starts with: the repository's, the package's (``core/rules.py``)
#: and the package's old names, so that a path from before a rename is caught.
FOLDERS = sorted({p.name for base in (ROOT, ROOT / "xlgbreport") for p in base.iterdir()
                  if p.is_dir() and not p.name.startswith(("__", ".git"))} | {"published", "render", "consolidate"})
PATH = re.compile(rf"(?<![\w/.-])((?:{'|'.join(map(re.escape, FOLDERS))})/[\w./*-]*)")
#: In code, a name from inside the package (``actions.carry.plan``), its old names included.
SUBPACKAGES = sorted({p.name for p in (ROOT / "xlgbreport").iterdir() if (p / "__init__.py").exists()}
                     | {"published", "render", "consolidate", "api", "errors"})
NOT_NAMES = {"xlgbreport.consolidation.sum"}  # a rule's id (consolidation.sum), not a Python name


def error_codes() -> set[str]:
    """Every error code (``render.template_syntax``): docs name them, and they are not Python names."""
    from test_error_catalogue import catalogue  # the catalogue test's own collection

    return {f"xlgbreport.{message.code}" for _, message in catalogue().values()}

INNER = re.compile(rf"(?<![\w\\/.-])(?:{'|'.join(SUBPACKAGES)})(?:\.[A-Za-z_]\w*)+")
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
COMMAND = re.compile(r"(?<![\w/.-])xlgbreport((?: [a-z][a-z-]*)+)")


def text(doc: Path) -> str:
    return doc.read_text(encoding="utf-8")


def code(doc: Path) -> str:
    """The doc's code: fenced blocks and inline spans, where names, paths and commands are."""
    return "\n".join(a or b for a, b in CODE.findall(text(doc)))


def where(doc: Path) -> str:
    return str(doc.relative_to(ROOT))


def resolves(name: str) -> bool:
    """A module, or an attribute reached from the longest module prefix that imports; never a
    namespace package (a folder left behind by a rename, its ``__pycache__`` only)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        if getattr(target, "__file__", None) is None:  # a leftover folder (old name) imports as a namespace
            return False
        try:
            for attribute in parts[cut:]:
                target = getattr(target, attribute)
        except AttributeError:
            return False
        return True
    return False


def test_the_resolver_refuses_what_does_not_import() -> None:
    assert resolves("xlgbreport.core.rules.RULES") and resolves("xlgbreport.excel.udfs")
    assert not resolves("xlgbreport.prior") and not resolves("xlgbreport.core.rules.NOT_THERE")


NAMES = sorted({(where(doc), name) for doc in DOCS
                for name in [*DOTTED.findall(text(doc)), *(f"xlgbreport.{n}" for n in INNER.findall(code(doc)))]
                if name.rsplit(".", 1)[1] not in FILE_SUFFIXES and name not in NOT_NAMES | error_codes()})


def test_the_docs_name_the_front_door() -> None:
    """Guards the next test against a vacuous scan."""
    assert {name for _, name in NAMES} >= {"xlgbreport.read", "xlgbreport.validate", "xlgbreport.excel.udfs"}


@pytest.mark.parametrize("doc, name", NAMES)
def test_every_dotted_name_imports(doc: str, name: str) -> None:
    assert resolves(name), f"{doc} names {name}, which does not import"


def exists(path: str) -> bool:
    """From the repository's root, or (``core/rules.py``) from inside the package."""
    return any(any(base.glob(path.rstrip("/"))) for base in (ROOT, ROOT / "xlgbreport"))


def test_every_named_path_exists() -> None:
    named = {(where(doc), path.rstrip(".")) for doc in DOCS for path in PATH.findall(text(doc))}
    assert len(named) > 20  # the scan found the docs' paths
    missing = sorted((doc, path) for doc, path in named if not exists(path))
    assert not missing, missing


def test_every_link_lands() -> None:
    links = [(doc, target) for doc in DOCS for target in LINK.findall(text(doc))
             if not re.match(r"[a-z]+:", target)]
    assert links
    broken = [(where(doc), target) for doc, target in links if not (doc.parent / target).exists()]
    assert not broken, broken


def documented_commands() -> set[tuple[str, ...]]:
    """Each ``xlgbreport WORD [WORD]`` in the docs' code, cut where the words stop naming a command
    (a file name, a Chinese argument) but kept when the first word is no command at all."""
    found = set()
    for doc in DOCS:
        for words in COMMAND.findall(code(doc)):
            words = tuple(words.split())
            group, kept = cli, [words[0]]
            command = group.get_command(click.Context(group), words[0])
            if isinstance(command, click.Group) and len(words) > 1:
                kept.append(words[1])
            found.add(tuple(kept))
    return found


def test_the_docs_document_the_commands() -> None:
    """Guards the next test against a vacuous scan."""
    assert {("validate",), ("consolidate",), ("excel", "doctor")} <= documented_commands()


@pytest.mark.parametrize("words", sorted(documented_commands()), ids=" ".join)
def test_every_documented_command_has_its_help(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*words, "--help"], prog_name="xlgbreport")
    assert result.exit_code == 0, result.output


def test_the_readme_lists_the_layers_the_layer_test_enforces() -> None:
    """The README's list of layers, top to bottom, one rank a line, is ``RANKS``."""
    section = text(ROOT / "README.md").split("### Layers\n", 1)[1].split("\n#", 1)[0]
    listed = [tuple(re.findall(r"`(\w+)/?`", line.split(":", 1)[0]))
              for line in section.splitlines() if re.match(r"\d+\. ", line)]
    assert listed == list(RANKS)
