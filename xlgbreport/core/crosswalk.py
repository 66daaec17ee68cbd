"""A report carried from one format into another, only where the meaning is the same.

The formats give a cell the same id (table, row, column) exactly when it means the same thing
(``gb2019`` is described that way), so what carries is the cells both formats have: table 三
but 2019's single （六） row, table 四, and 行政许可, 处罚 and 强制's 处理决定数量. The rest is kept
aside, never forced into a cell of another meaning: 对外公开总数量 is not 现行有效件数, a 2019
fee item count is not 万元, and 政府集中采购 has no 2021 row.
"""

from __future__ import annotations

from .formats import Format
from .model import Report, Value
from .tables import CellKey, text_key, where_key


def carry(report: Report, target: Format) -> tuple[Report, dict[CellKey, Value]]:
    """``report`` in ``target``'s cells, and the cells it has that ``target`` has no place for
    (as the source format's keys, with their values)."""
    if report.format is target:
        return report, {}
    theirs = set(target.schema.keys)
    out = Report(org=report.org, year=report.year, text=dict(report.text), meta=dict(report.meta),
                 format=target)
    kept: dict[CellKey, Value] = {}
    for key in report.format.schema.keys:
        if key in theirs:
            if report.given(key):
                out.cells[key] = report.cells[key]
                if where_key(key) in report.where:
                    out.where[where_key(key)] = report.where[where_key(key)]
        else:
            kept[key] = report.value(key)
    for field in (*report.format.schema.meta, *report.format.schema.text):
        for ref in (field.id, text_key(field.id)):
            if ref in report.where:
                out.where[ref] = report.where[ref]
    return out, kept
