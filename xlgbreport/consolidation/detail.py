"""Many reports in long form, one row a cell: the 明细 sheet (for a PivotTable) and, for
analysts, ``xlgbreport.frame(paths)`` as a pandas DataFrame.

Both walk the same :data:`LABELS` over the same computed report, and the frame's statuses come
from ``decide`` as the sheet's selection does, so its 通过 rows are the sheet's (a test holds it).
pandas is needed only by :func:`frame` (the ``analysis`` extra): the sheet is a plain loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..actions import sources
from ..core.gb2021 import SCHEMA, CellKey
from . import copies
from . import units as units_list
from .decide import decide
from .gather import Entry, read_all

if TYPE_CHECKING:  # pragma: no cover - pandas is optional
    import pandas

DETAIL_SHEET = "明细"
COLUMNS = ("机关", "类别", "年度", "表", "行", "列", "合计", "数值")
#: Bodies whose cells go on the 明细 sheet; a larger batch gets a note (and ``frame`` instead):
#: XlsxWriter keeps a sheet's cells in memory, about 200 rows a body.
DETAIL_LIMIT = 300
TOO_MANY = ("共 {n} 个单位，超过 {limit} 个，明细未写入本表（本表只为数据透视表准备）；"
            "需要时请用 Python 的 xlgbreport.frame(路径) 取得同样的长表")
#: Printed at the top of 明细's one page: its print area is the header row alone (about 200 rows a
#: body would print to hundreds of pages); every application honours a sheet's print area.
NOT_PRINTED = "&L明细共 {n} 行，不打印，本页只有表头：需要打印时请在“页面布局”中取消打印区域"
NO_PANDAS = "xlgbreport.frame 需要 pandas：pip install 'xlgbreport[analysis]'"


def _labels() -> tuple[tuple[CellKey, str, str, str, str], ...]:
    out = []
    for key in SCHEMA.keys:
        table = SCHEMA.table(key[0])
        row = table.row(key[1])
        out.append((key, table.title, row.title, row.column(key[2]).label,
                    "是" if SCHEMA.is_derived(key) else ""))
    return tuple(out)


#: Every cell's table, row and column labels, and whether it is a total: looked up once.
LABELS = _labels()


def rows(entry: Entry, category: str | None = None) -> Iterator[tuple[Any, ...]]:
    """One report's cells, totals included (``合计`` is 是 for a total): org, 类别, year, table,
    row, column, whether a total, value (a fee as a float; blank or text as None)."""
    number = entry.report().computed().number
    for key, table, row, column, total in LABELS:
        value = number(key)
        yield (entry.org, category, entry.year, table, row, column, total,
               float(value) if isinstance(value, Decimal) else value)


def write(wb: Any, bodies: list[tuple[Entry, str | None]], header: Any, cell: Any) -> None:
    """The 明细 sheet of the bodies summed (or a note when there are too many)."""
    ws = wb.add_worksheet(DETAIL_SHEET)
    ws.set_column(0, 0, 26)
    ws.set_column(3, 4, 30)
    ws.set_column(5, 5, 16)
    if len(bodies) > DETAIL_LIMIT:
        ws.write_string(0, 0, TOO_MANY.format(n=len(bodies), limit=DETAIL_LIMIT), cell)
        return
    ws.write_row(0, 0, COLUMNS, header)
    r = 0
    for entry, category in bodies:
        for values in rows(entry, category):
            r += 1
            for c, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
    ws.autofilter(0, 0, max(r, 1), len(COLUMNS) - 1)
    ws.freeze_panes(1, 1)
    ws.print_area(0, 0, 0, len(COLUMNS) - 1)
    ws.set_header(NOT_PRINTED.format(n=r))
    ws.set_landscape()
    ws.fit_to_pages(1, 1)


#: ``frame``'s columns: ASCII snake_case, for pandas.
FRAME_COLUMNS = ("path", "org", "category", "year", "table", "row", "column", "label", "value",
                 "amount", "is_total", "status")
#: The cells that are amounts (the fee, 万元), not counts: their value goes in ``amount``.
AMOUNTS = frozenset(k for k in SCHEMA.keys
                    if SCHEMA.table(k[0]).row(k[1]).column(k[2]).kind == "amount")
LABEL = "{table} / {row} / {column}"


def frame(paths: Iterable[str | Path], executor: Executor | None = None, *, org: str | None = None,
          year: int | None = None, units: Path | None = None,
          include_invalid: bool = False) -> pandas.DataFrame:
    """The long form of every readable report of the template's format under ``paths``, one row
    a cell, with the status ``decide`` gives it in a consolidation with the same arguments.
    ``table``/``row``/``column`` are the template's ids, ``label`` its titles (as 明细 shows
    them); a count is in ``value``, a nullable integer (``Int64``: a blank cell is <NA>, never
    0), and the fee, the one amount, exactly in ``amount`` as a :class:`~decimal.Decimal` (so one
    column never mixes kinds). Unreadable files are in ``df.attrs["problems"]``."""
    try:
        import pandas
    except ImportError:
        raise ImportError(NO_PANDAS) from None
    tree = units_list.load(units) if units is not None else None
    org = org or (tree.root if tree else None)
    entries = list(read_all(sources.collect(paths, json=True), executor))
    expected = tree.under(org) if tree and org else ()
    decision = decide(entries, year, expected=expected, include_invalid=include_invalid, org=org)
    copied = copies.search(copies.units_of(entries, decision.year))
    if copied.found:  # a text.copied warning changes a status, as in consolidate
        decision = decide(copies.fold(entries, copied), year, expected=expected,
                          include_invalid=include_invalid, org=org)
    columns: dict[str, list] = {c: [] for c in FRAME_COLUMNS}
    problems = []
    for line in decision.lines:
        e = line.entry
        if e is None:
            continue
        if not e.readable:
            problems.append({"path": e.path, "code": e.error_code, "message": e.error})
            continue
        number = e.report().computed().number
        for key, table, row, column, total in LABELS:
            columns["path"].append(e.path)
            columns["org"].append(e.org)
            columns["category"].append(line.category)
            columns["year"].append(e.year if isinstance(e.year, int) else None)
            columns["table"].append(key[0])
            columns["row"].append(key[1])
            columns["column"].append(key[2])
            columns["label"].append(LABEL.format(table=table, row=row, column=column))
            value = number(key)
            amount = key in AMOUNTS
            columns["value"].append(None if amount or value is None else int(value))
            columns["amount"].append(Decimal(value) if amount and value is not None else None)
            columns["is_total"].append(bool(total))
            columns["status"].append(line.status.value)
    df = pandas.DataFrame({
        **columns,
        "year": pandas.array(columns["year"], dtype="Int64"),
        "value": pandas.array(columns["value"], dtype="Int64"),
        "amount": pandas.Series(columns["amount"], dtype=object),
        "is_total": pandas.array(columns["is_total"], dtype="boolean"),
    }, columns=list(FRAME_COLUMNS))
    df.attrs["problems"] = problems
    return df
