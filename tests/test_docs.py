"""docs/rules.md stays true: every rule is documented with its id, title and severity, every
example message is what the code says for the example input, and every 校验 formula shown is the
one the template holds. docs/template.md names what the template really has.

docs/rules.md holds fenced blocks a test can run (the format is explained at its top):
``json role=base`` the report every example starts from; ``json role=example`` the changes an
example makes to it; ``message rule=<id>`` the messages of that rule for the example above, one a line
(an empty block: the rule says nothing); ``excel rule=<id> where=<place> [column=<col>]`` a
formula of the 校验 sheet, exactly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from xlgbreport.core.gb2021 import SCHEMA, TABLES
from xlgbreport.core.model import Invalid, Report
from xlgbreport.core.rules import RULES, RULES_BY_ID, check
from xlgbreport.workbook.formulas import check_rows
from xlgbreport.workbook.layout import CHECK_SHEET, COVER_SHEET, LAYOUT, TEXT_SHEET, row_name

DOCS = Path(__file__).resolve().parent.parent / "docs"
RULES_MD = DOCS / "rules.md"
TEMPLATE_MD = DOCS / "template.md"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
SECTION = re.compile(r"^## `([\w.]+)` (.+)$", re.M)


@dataclass(frozen=True)
class Fence:
    kind: str
    attrs: dict[str, str]
    body: str
    line: int
    section: str | None  # the rule id of the section it is in

    def __str__(self) -> str:
        return f"rules.md line {self.line} ({self.kind} {self.attrs})"


def fences(text: str) -> list[Fence]:
    sections = [(m.start(), m.group(1)) for m in SECTION.finditer(text)]
    out = []
    for m in FENCE.finditer(text):
        lang, *words = (m.group(1) + m.group(2)).split()
        attrs = dict(w.split("=", 1) for w in words)
        section = next((rule for start, rule in reversed(sections) if start < m.start()), None)
        out.append(Fence(lang, attrs, m.group(3), text.count("\n", 0, m.start()) + 1, section))
    return out


@pytest.fixture(scope="module")
def doc() -> str:
    return RULES_MD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def blocks(doc: str) -> list[Fence]:
    return fences(doc)


# --- the example format: a base report and changes to it -----------------------------------

def _json(body: str) -> Any:
    return json.loads(body, parse_float=Decimal)  # 0.125 stays exactly 0.125


def _value(raw: Any) -> Any:
    """A cell value of an example: a number, ``null`` for blank, any string is typed text."""
    if isinstance(raw, str):
        return Invalid(raw)
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal, type(None))):
        raise ValueError(f"not a cell value: {raw!r}")
    return raw


def build(base: dict[str, Any], changes: dict[str, Any]) -> Report:
    """The base report (every input cell ``every_input``, totals computed) with the changes."""
    unknown = set(changes) - {"org", "year", "cells", "text"}
    assert not unknown, f"unknown keys {unknown}"
    year = changes.get("year", base["year"])
    report = Report(org=changes.get("org", base["org"]),
                    year=Invalid(year) if isinstance(year, str) else year)
    for key in SCHEMA.keys:
        if not SCHEMA.is_derived(key):
            report.cells[key] = _value(base["every_input"])
    for path, raw in changes.get("cells", {}).items():
        key = tuple(path.split("/"))
        assert key in SCHEMA.keys, f"no cell {path}"
        report.cells[key] = _value(raw)  # type: ignore[index]
    report.text = {f.id: base["text"] for f in SCHEMA.text} | changes.get("text", {})
    return report


def run(base: dict[str, Any], example: dict[str, Any]) -> list:
    """The findings for an example: with last year's report when it says ``prior``."""
    this = build(base, {k: v for k, v in example.items() if k != "prior"})
    if "prior" not in example:
        return check(this)
    return check(this, build(base["prior"], example["prior"]))


@pytest.fixture(scope="module")
def base(blocks: list[Fence]) -> dict[str, Any]:
    found = [b for b in blocks if b.kind == "json" and b.attrs.get("role") == "base"]
    assert len(found) == 1, "rules.md needs exactly one ```json role=base``` block"
    return _json(found[0].body)


def test_the_base_report_passes(base) -> None:
    assert run(base, {}) == []
    assert run(base, {"prior": {}}) == []


def examples(blocks: list[Fence]) -> list[tuple[Fence, Fence]]:
    """(example, message block) pairs, each message block with the example just before it."""
    out, current = [], None
    for b in blocks:
        if b.kind == "json" and b.attrs.get("role") == "example":
            current = b
        elif b.kind == "message":
            assert current is not None, f"{b}: a message block before any example"
            out.append((current, b))
    return out


def test_every_example_message_is_what_the_code_says(blocks, base) -> None:
    pairs = examples(blocks)
    assert len(pairs) >= len(RULES)
    for example, block in pairs:
        rule = block.attrs.get("rule")
        assert rule in RULES_BY_ID, f"{block}: unknown rule {rule!r}"
        said = [f.message for f in run(base, _json(example.body)) if f.rule == rule]
        written = [line for line in block.body.splitlines() if line.strip()]
        assert written == said, f"{block} after the example at line {example.line}"


# --- every rule documented ---------------------------------------------------------------

def test_every_rule_has_its_section(doc: str) -> None:
    sections = dict(SECTION.findall(doc))
    assert set(sections) == {r.id for r in RULES}, "a section per rule, and none for a rule that is gone"
    for rule in RULES:
        assert sections[rule.id] == rule.title, rule.id


def test_every_section_states_severity_and_shows_its_rule_firing(doc: str, blocks) -> None:
    parts = SECTION.split(doc)[1:]
    bodies = {parts[i]: parts[i + 2] for i in range(0, len(parts), 3)}
    fired = {b.attrs["rule"] for b in blocks if b.kind == "message" and b.body.strip()}
    for rule in RULES:
        assert f"- 严重程度：`{rule.severity.value}`" in bodies[rule.id], rule.id
        assert f"| `{rule.id}` | {rule.severity.value} |" in doc, f"{rule.id} in the overview table"
        assert rule.id in fired, f"{rule.id}: no example where it fires"


def test_every_check_sheet_formula_shown_is_the_real_one(blocks) -> None:
    rows = {(r.rule, r.where): r for r in check_rows(CHECK_SHEET)}
    shown = [b for b in blocks if b.kind == "excel"]
    for b in shown:
        row = rows.get((b.attrs["rule"], b.attrs["where"]))
        assert row, f"{b}: no such row on the 校验 sheet"
        assert b.section == row.rule, f"{b}: shown under another rule's section"
        assert b.body.strip() == getattr(row, b.attrs.get("column", "status")), str(b)
    on_sheet = {rule for rule, _ in rows}
    assert {b.attrs["rule"] for b in shown} == on_sheet, "one formula for every rule on the 校验 sheet"


def test_the_example_format_refuses_what_it_cannot_mean() -> None:
    base = {"org": "x", "year": 2023, "every_input": 0, "text": "t"}
    with pytest.raises(AssertionError):
        build(base, {"cells": {"requests/9/natural_person": 1}})
    with pytest.raises(AssertionError):
        build(base, {"colour": "red"})
    assert build(base, {"cells": {"appeals/review/upheld": "两件"}}).cells[
        ("appeals", "review", "upheld")] == Invalid("两件")


# --- docs/template.md ------------------------------------------------------------------------

def test_template_doc_names_every_sheet_colour_and_defined_name() -> None:
    text = TEMPLATE_MD.read_text(encoding="utf-8")
    for sheet in (COVER_SHEET, *(t.sheet for t in TABLES), TEXT_SHEET, CHECK_SHEET):
        assert f"| `{sheet}` |" in text, f"sheet {sheet} not in the table of sheets"
    rows = {row_name(t.id, r.id) for t in TABLES for r in t.rows}
    for name in set(LAYOUT.names) - rows:
        assert f"`{name}`" in text, name
    for table in TABLES:
        assert f"`xlg_{table.id}_<" in text, f"the row names of {table.id}"
        example = re.search(rf"`(xlg_{table.id}_\w+)`", text)
        assert example and example.group(1) in rows, f"an example row name of {table.id}"
    for colour in ("黄色", "红色", "蓝色"):
        assert f"| {colour}" in text, colour
    assert "xlgbreport template" in text
