"""Honest counts (issue 17, item 10): docs/import.md's table of what ``import`` says for the real
sources is checked row by row against the import report itself, and an inference exits 1 as the
docs say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from xl_helpers import run

import xlgbreport
from xlgbreport.cli import exits

ROOT = Path(__file__).parents[1]
MARK = "<!-- import-counts:"
_ROW = re.compile(r"^\| `(?P<path>[^`]+)`[^|]* \| (?P<found>\d+) \| (?P<deduced>\d+) \| (?P<blank>\d+) \| (?P<code>\d) \|$")


def documented() -> list[tuple[str, int, int, int, int]]:
    """The table's rows: (path, 读出, 推断, 留空, exit code)."""
    text = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    after = text[text.index(MARK):].splitlines()[3:]
    rows = []
    for line in after:
        if not line.startswith("|"):
            break
        found = _ROW.match(line)
        assert found, line
        rows.append((found["path"], int(found["found"]), int(found["deduced"]), int(found["blank"]),
                     int(found["code"])))
    return rows


def test_the_table_is_there_and_names_every_real_source():
    names = {Path(p).name for p, *_ in documented()}
    real = {p.name for p in (ROOT / "tests" / "data" / "published").glob("*.txt")}
    assert names == real


@pytest.mark.parametrize(("path", "found", "deduced", "blank", "code"), documented())
def test_the_import_report_says_what_the_docs_say(path, found, deduced, blank, code):
    batch = xlgbreport.import_reports([ROOT / path])
    assert batch.files
    for result in batch.files:
        counts = (result.extra["found"], sum(len(d["cells"]) for d in result.extra["deduced"]),
                  result.extra["blank"])
        assert counts == (found, deduced, blank)
        line = next(n for n in result.notes if n.startswith("  读出"))
        assert line == f"  读出 {found} 格，推断 {deduced} 格，留空 {blank} 格"
    assert exits.code_for(batch) == code


def test_an_inference_is_named_and_exits_1():
    seed = ROOT / "tests" / "data" / "published" / "001_f343fc82610760f0.txt"
    code, output = run("import", seed)
    assert code == 1
    assert any(line.startswith("  推断：") for line in output.splitlines())
    assert not output.splitlines()[-1].endswith("其中 1 份完整无误")
