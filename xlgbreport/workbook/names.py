"""Where a clerk's workbook keeps each area: the template's positions, moved where its ``xlg_…``
defined names say (a clerk may insert rows or move a table; the names move with it).

Read by both readers (openpyxl's names and python-calamine's workbook.xml names) and by
carry-forward, so one parser decides what a name points at. Bounded on hostile text: a name's
reference is matched by one anchored pattern, and only short texts are remembered.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..core.gb2021 import SCHEMA, TABLES
from .layout import LAYOUT, Area, Layout, row_name


def locate(wb) -> Layout:
    """The layout of an openpyxl workbook: default positions, moved where a defined name says."""
    names = [(name, dn.attr_text) for name, dn in wb.defined_names.items()]
    return layout_from_names(defined_names(names, wb.sheetnames))


def layout_from_names(found: dict[str, Area]) -> Layout:
    """Default positions, moved where the workbook's ``xlg_…`` defined names say."""
    for name, (sheet, first) in _ANCHORS.items():
        area = found.get(name)
        if area is not None and (area.sheet != sheet or area.first != first):
            break
    else:
        return LAYOUT  # nothing moved (every file made from the template): the default, memos and all
    lay = Layout(cells=dict(LAYOUT.cells), meta=dict(LAYOUT.meta), text=dict(LAYOUT.text),
                 names=dict(LAYOUT.names), widths=dict(LAYOUT.widths))
    for table in TABLES:
        for row in table.rows:
            area = found.get(row_name(table.id, row.id))
            if area is None:
                continue
            for j, col in enumerate(row.columns):
                key = (table.id, row.id, col.id)
                lay.cells[key] = (area.sheet, (area.first[0], area.first[1] + j))
    for f in SCHEMA.meta:
        area = found.get(f"xlg_{f.id}")
        if area:
            lay.meta[f.id] = (area.sheet, area.first)
    for f in SCHEMA.text:
        area = found.get(f"xlg_text_{f.id}")
        if area:
            lay.text[f.id] = (area.sheet, area.first)
    return lay


#: The names whose top-left cell places a row, a cover field or a text section, and where it is
#: in the template.
_ANCHORS: dict[str, tuple[str, tuple[int, int]]] = {
    **{row_name(t.id, r.id): (LAYOUT.names[row_name(t.id, r.id)].sheet,
                              LAYOUT.cells[(t.id, r.id, r.columns[0].id)][1])
       for t in TABLES for r in t.rows},
    **{f"xlg_{f.id}": LAYOUT.meta[f.id] for f in SCHEMA.meta},
    **{f"xlg_text_{f.id}": LAYOUT.text[f.id] for f in SCHEMA.text},
}


_NAME_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def _column_index(letters: str) -> int:
    """``A`` → 1, ``XFD`` → 16384."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


def defined_names(items, sheetnames: list[str]) -> dict[str, Area]:
    """``xlg_…`` names that point at one rectangle of an existing sheet; others are ignored
    (a broken name such as #REF! keeps the default position)."""
    out: dict[str, Area] = {}
    for name, text in items:
        if not name.startswith("xlg_"):
            continue
        text = text or ""
        area = _name_area(text) if len(text) <= _REMEMBERED else _parse_area(text)
        if area is not None and area.sheet in sheetnames:
            out[name] = area
    return out


def _parse_area(text: str) -> Area | None:
    """The rectangle a defined name's text points at, None if it is not one."""
    match = _NAME_REF.match(text.strip())
    if not match:
        return None
    quoted, bare, c1, r1, c2, r2 = match.groups()
    sheet = quoted.replace("''", "'") if quoted else bare
    c1, r1 = _column_index(c1), int(r1)
    c2, r2 = (_column_index(c2), int(r2)) if c2 else (c1, r1)
    return Area(sheet, (r1 - 1, c1 - 1), (r2 - 1, c2 - 1))


#: :func:`_parse_area`, remembered: every workbook made from the template holds the same few
#: dozen names, parsed once per batch. Only short texts (a real reference is): a hostile name's
#: megabyte of text is parsed, not kept.
_name_area = lru_cache(maxsize=1024)(_parse_area)
_REMEMBERED = 200
