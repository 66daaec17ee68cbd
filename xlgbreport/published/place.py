"""The tables of a scanned report placed into a format's cells, or reported where they cannot be.

Each run of values is given to the row its label names (:mod:`.labels`); a row the source
gives as many values as it has cells is placed as written; a row with a digit run or values
left over goes to :func:`.digits.resolve`. A comparison document gives each row once per year,
and the k-th time a row appears is the k-th year's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.findings import Finding
from ..core.formats import Format
from ..core.model import Number, Value, is_number
from ..core.tables import CellKey, Row, Table, TableId, where_key
from . import notes
from .digits import Pending, TooMany, candidates, forcing_rules, resolve
from .labels import has_label, proactive_row, requests_row
from .normalize import Token, fold
from .scan import Run, Scan

#: Table 四 has no row labels: its values are known by its header alone.
_APPEALS_HEADER_WORDS = 2  # how many of its group labels a label text must name to start it


@dataclass(frozen=True)
class _Given:
    """A row given with more than one reading, waiting for the equations."""

    pending: Pending
    row: str
    run: str
    how: str
    line: int


@dataclass
class Placed:
    """One report's cells as the source gave them, with where each came from and what the
    import has to say."""

    format: Format
    cells: dict[CellKey, Value] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    found: int = 0  # cells placed as written
    deduced: list[notes.Deduction] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)  # import.… notes
    pending: list[_Given] = field(default_factory=list)


def _appeals_header(table: Table) -> tuple[str, ...]:
    """The labels table 四's header names: its groups' labels and parents, its columns."""
    labels = {p for r in table.rows for p in (*r.parents, r.label)}
    return tuple(sorted(labels | {c.label for c in table.columns}))


def place(scan: Scan, fmt: Format, source: str) -> list[Placed]:
    """The cells of each report in the document (one, or one per compared year)."""
    schema = fmt.schema
    proactive = schema.table(TableId.PROACTIVE)
    requests = schema.table(TableId.REQUESTS)
    appeals = schema.table(TableId.APPEALS)
    years = max(len(scan.compared_years), 1)
    out = [Placed(fmt) for _ in range(years)]
    seen: dict[tuple[str, str], list[Run]] = {}
    appeal_values: list[Token] = []
    group = ""
    in_appeals = False
    header_words = _appeals_header(appeals)
    for run in scan.runs:
        if run.section == appeals.id or in_appeals or _names_appeals(run.label, appeals):
            in_appeals = True
            appeal_values += run.values
            continue
        row = proactive_row(run.label, proactive)
        table = proactive
        if row is None:
            match = requests_row(run.label, requests, group)
            row, group, table = match.row, match.group, requests
        if row is None:
            for placed in out:
                placed.problems.append(notes.Unplaced.at(
                    source, run.line, line=run.line, values=_raw(run.values),
                    reason=notes.Unplaced.NO_LABEL))
            continue
        seen.setdefault((table.id, row.id), []).append(run)
    header_ok = any(t == requests.id for t, _ in seen) and _requests_header(scan, requests, out, source)
    for (table_id, row_id), runs in seen.items():
        table = schema.table(table_id)
        row = table.row(row_id)
        if table is requests and not header_ok:
            continue
        for index, run in _per_year(runs, years, row, source, out):
            _give(out[index], table, row, run, source)
    _appeals(appeal_values, appeals, header_words, scan, out, source)
    for placed in out:
        _decide(placed, fmt, source)
        _missing(placed, fmt, source, scan)
    return out


def _names_appeals(label: str, table: Table) -> bool:
    """Whether label text is table 四's header (行政复议 … 行政诉讼), met before its heading."""
    names = {fold(p) for r in table.rows for p in (*r.parents, r.label)}
    return sum(1 for name in names if name in label) >= _APPEALS_HEADER_WORDS


def _raw(values: tuple[Token, ...] | list[Token]) -> str:
    return " ".join(t.raw for t in values)


def _per_year(runs: list[Run], years: int, row: Row, source: str,
              out: list[Placed]) -> list[tuple[int, Run]]:
    """Which report each appearance of a row is for: the k-th of ``years``; a row that appears
    more often with different values is left blank (which one is meant is not known)."""
    if len(runs) == years:
        return list(enumerate(runs))
    if years == 1 and len({_raw(r.values) for r in runs}) == 1:
        return [(0, runs[0])]
    for placed in out:
        placed.problems.append(notes.Repeated.at(source, runs[0].line, row=row.title, n=len(runs),
                                                 lines="、".join(str(r.line) for r in runs)))
    return []


def _give(placed: Placed, table: Table, row: Row, run: Run, source: str) -> None:
    keys = tuple((table.id, row.id, c.id) for c in row.columns)
    _offer(placed, keys, row.title, list(run.values), source, run.line)


def _offer(placed: Placed, keys: tuple[CellKey, ...], name: str, values: list[Token], source: str,
           line: int) -> None:
    try:
        found, how = candidates(values, keys, placed.format)
    except TooMany:
        placed.problems.append(notes.Ambiguous.at(source, line, keys[0], row=name, run=_raw(values),
                                                  n=notes.Ambiguous.MANY))
        return
    if not found:
        reason = (notes.Unplaced.NOT_NUMBERS if how == "split" else notes.Unplaced.COUNT).format(
            label=f"「{name}」", expected=len(keys), actual=len(values))
        placed.problems.append(notes.Unplaced.at(source, line, keys[0], line=line,
                                                 values=_raw(values), reason=reason))
        return
    pending = Pending(keys, tuple(found), forcing_rules(keys, placed.format) if how == "split" else ())
    if len(found) == 1 and not how:
        _put(placed, keys, found[0], source, line)
        placed.found += len(keys)
        return
    placed.pending.append(_Given(pending, name, _raw(values), how, line))


def _put(placed: Placed, keys: tuple[CellKey, ...], values: tuple[Number, ...], source: str,
         line: int) -> None:
    for key, value in zip(keys, values, strict=True):
        placed.cells[key] = value
        placed.where[where_key(key)] = f"{source}:{line}"


def _decide(placed: Placed, fmt: Format, source: str) -> None:
    given, placed.pending = placed.pending, []
    certain = {k: v for k, v in placed.cells.items() if is_number(v)}
    for item, decided in zip(given, resolve(fmt, certain, [g.pending for g in given]), strict=True):
        if decided.values is not None:
            _put(placed, item.pending.keys, decided.values, source, item.line)
            placed.deduced.append(notes.Deduction(item.row, item.pending.keys, item.run,
                                                  decided.values, item.how, decided.rules, item.line))
        elif decided.left == 0:
            placed.problems.append(notes.NoSplit.at(source, item.line, item.pending.keys[0],
                                                    row=item.row, run=item.run))
        else:
            placed.problems.append(notes.Ambiguous.at(source, item.line, item.pending.keys[0],
                                                      row=item.row, run=item.run, n=decided.left))


def _requests_header(scan: Scan, table: Table, out: list[Placed], source: str) -> bool:
    """Table 三's columns are the format's, in its order, when its header names each of them;
    with no header at all the rows are placed in the format's order and that is said."""
    text = scan.zone_text.get(table.id, "")
    first = table.columns[0].label  # 自然人: where the header is, if there is one
    if not has_label(text, first):
        for placed in out:
            placed.deduced.append(notes.Deduction(table.title, (), "", (), "order", (),
                                                  scan.headings.get(table.id, 0)))
        return True
    missing = [c.label for c in table.columns if not has_label(text, c.label)]
    if missing:
        for placed in out:
            placed.problems.append(notes.Unplaced.at(
                source, scan.headings.get(table.id), line=scan.headings.get(table.id),
                values=table.title, reason=notes.Unplaced.HEADER + "：缺" + "、".join(missing)))
        return False
    return True


def _appeals(values: list[Token], table: Table, header: tuple[str, ...], scan: Scan,
             out: list[Placed], source: str) -> None:
    """Table 四's values, 5 per group in the format's order, once per compared year."""
    if not values:
        return
    text = scan.zone_text.get(table.id, "")
    keys = tuple((table.id, r.id, c.id) for r in table.rows for c in r.columns)
    line = values[0].line
    missing = [label for label in header if not has_label(text, label)]
    if missing:
        for placed in out:
            placed.problems.append(notes.Unplaced.at(
                source, line, line=line, values=_raw(values),
                reason=notes.Unplaced.HEADER + "：缺" + "、".join(missing)))
        return
    if len(out) > 1 and len(values) == len(keys) * len(out):
        for index, placed in enumerate(out):
            block = values[index * len(keys):(index + 1) * len(keys)]
            _offer(placed, keys, table.title, block, source, block[0].line)
        return
    for placed in out:
        _offer(placed, keys, table.title, values, source, line)


def _missing(placed: Placed, fmt: Format, source: str, scan: Scan) -> None:
    """Rows the source does not give: blank, each said (a table none of whose rows is given is
    said once)."""
    for table in fmt.schema.tables:
        rows = [r for r in table.rows if not any((table.id, r.id, c.id) in placed.cells
                                                  for c in r.columns)]
        if len(rows) == len(table.rows):
            placed.problems.append(notes.TableMissing.at(source, scan.headings.get(table.id),
                                                         table=table.title))
            continue
        for row in rows:
            placed.problems.append(notes.RowMissing.at(source, scan.headings.get(table.id),
                                                       (table.id, row.id, row.columns[0].id),
                                                       table=table.title, row=row.title))
