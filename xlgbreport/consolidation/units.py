"""The bodies as a tree (``--units 单位名单.xlsx|csv``): columns 单位, 类别 and 上级.

A county's list names its townships, 街道 and departments with the county as their 上级; a
prefecture's names its counties (and may name their units below them). The root, the one 上级
that is no one's unit, or the one unit with no 上级, names the summary when ``--org`` is not given.
The units expected are those whose 上级 is the body consolidating (``Units.under``), so one list
serves the county's run and the prefecture's, each level expecting only its own. The text may be UTF-8 (with or without a BOM) or GBK, with
CRLF or LF line ends, comma- or tab-separated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.prior import normalise
from ..errors import InputError, Message
from . import expect
from .expect import Expected

UNIT, CATEGORY, PARENT = "单位", "类别", "上级"
PROBLEMS_SHOWN = 20
NO_HEADER = Message("consolidate.units_header", "单位名单的第一行应是表头：单位、类别、上级（缺少“{column}”列）")
BAD_ROWS = Message("consolidate.units_rows", "单位名单有 {n} 行不对，请改正后再汇总：{listed}")
NO_NAME = "第 {row} 行：没有单位名称"
TWICE = "第 {row} 行：{unit} 已在第 {first} 行出现"
OWN_PARENT = "第 {row} 行：{unit} 的上级是它自己"
ROOTS = "名单的最上级不止一个（{roots}）：请只留一个，或用 --org 指明汇总机关"
NO_ROOT = "名单没有最上级（每个单位都有上级，形成了环）"


@dataclass(frozen=True)
class Units:
    """The units listed, in the list's order, and the root (None if not exactly one)."""

    units: tuple[Expected, ...]  # every row, in the list's order
    root: str | None

    def under(self, org: str) -> tuple[Expected, ...]:
        """The units that report to ``org``: those whose 上级 it is (a prefecture's counties and
        departments; a county's townships, from the same list). When it is no one's 上级, every
        unit but ``org`` and the root (a list whose 上级 says nothing of ``org``)."""
        key = normalise(org)
        below = tuple(x for x in self.units if x.parent and normalise(x.parent) == key)
        return below or tuple(x for x in self.units if x.key not in {key, normalise(self.root)})


def load(path: Path) -> Units:
    """Read the list (bounded as ``--expect`` is); one Chinese line per bad row, all raised
    together in one :class:`InputError`."""
    rows = expect.table_rows(path, 3)
    if not rows:
        raise InputError(path, expect.EMPTY)
    header = [normalise(c) for c in rows[0]]
    for column in (UNIT, CATEGORY, PARENT):
        if column not in header:
            raise InputError(path, NO_HEADER, column=column)
    at = {c: header.index(c) for c in (UNIT, CATEGORY, PARENT)}
    problems: list[str] = []
    seen: dict[str, int] = {}
    units: list[tuple[str, str, str]] = []
    for n, row in enumerate(rows[1:], 2):
        cells = [" ".join(str(c).split()) for c in (*row, "", "", "")]
        unit, category, parent = (cells[at[c]] for c in (UNIT, CATEGORY, PARENT))
        if not any(cells):
            continue
        if not normalise(unit):
            problems.append(NO_NAME.format(row=n))
        elif normalise(unit) in seen:
            problems.append(TWICE.format(row=n, unit=unit, first=seen[normalise(unit)]))
        elif normalise(parent) == normalise(unit):
            problems.append(OWN_PARENT.format(row=n, unit=unit))
        else:
            seen[normalise(unit)] = n
            units.append((unit, category, parent))
    if problems:
        shown = tuple(problems[:PROBLEMS_SHOWN])
        raise InputError(path, BAD_ROWS, problems=shown, n=len(problems), listed="；".join(shown))
    if not units:
        raise InputError(path, expect.EMPTY)
    listed = {normalise(u) for u, _, _ in units}
    roots = list(dict.fromkeys([u for u, _, p in units if not normalise(p)]
                               + [p for _, _, p in units if normalise(p) and normalise(p) not in listed]))
    root = roots[0] if len(roots) == 1 else None
    return Units(tuple(Expected(u, c or None, p or None) for u, c, p in units), root)


def root_problem(units: Units) -> str:
    """Why the list names no single root, in Chinese."""
    roots = [x.org for x in units.units if not x.parent]
    return ROOTS.format(roots="、".join(roots[:5])) if roots else NO_ROOT

