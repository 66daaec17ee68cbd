"""The tables of a scanned report placed into a format's cells, or reported where they cannot be.

Each run of values is given to the row its label names (:mod:`.labels`); a row the source
gives as many values as it has cells is placed as written; a row with a digit run or values
left over goes to :func:`.digits.resolve`. A comparison document gives each row once per year,
and the k-th time a row appears is the k-th year's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..core.findings import Finding
from ..core.formats import Format
from ..core.model import Number, Report, Value, is_number
from ..core.tables import CellKey, Row, Table, TableId, where_key
from . import notes
from .cells import cell_values
from .digits import Pending, TooMany, candidates, continued, forcing_rules, resolve
from .labels import has_label, out_of_order, proactive_row, requests_row
from .normalize import Token, fold, numbered_parts
from .scan import Run, Scan

#: The rule that cuts a table-二 run with last year's report (``--prior``).
CONTINUED = "prior.in_force"
#: Table 四 has no row labels: its values are known by its header, which names two of these.
_APPEALS_HEADER_WORDS = 2


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
    said: set[tuple[str, str]] = field(default_factory=set)  # (table, row) given, placed or not
    prior: Report | None = None  # last year's report: its 现行有效 may cut a table-二 run


def header_levels(table: Table) -> tuple[tuple[str, ...], ...]:
    """The labels a table's header names, level by level in the format's order. Table 三: its
    six applicant columns in order (the spanning 法人或其他组织 may be there or not), and 总计
    anywhere (its spanning cell comes first in some texts, 会盟镇's; the row total's equation
    tells it from the others). Table 四: its groups, the two kinds of 行政诉讼 and its five
    columns, each in order."""
    columns = table.columns
    if table.id != TableId.APPEALS:
        totals = tuple((c.label,) for c in columns if c.derived)
        return (tuple(c.label for c in columns if not c.derived), *totals)
    groups = tuple(dict.fromkeys(r.parents[0] if r.parents else r.label for r in table.rows))
    kinds = tuple(r.label for r in table.rows if r.parents)
    return (groups, kinds, tuple(c.label for c in columns))


def place(scan: Scan, fmt: Format, source: str, prior: Report | None = None) -> list[Placed]:
    """The cells of each report in the document (one, or one per compared year); ``prior``,
    last year's report, cuts a table-二 run by the continuity of 现行有效 (one report only)."""
    schema = fmt.schema
    proactive = schema.table(TableId.PROACTIVE)
    requests = schema.table(TableId.REQUESTS)
    appeals = schema.table(TableId.APPEALS)
    years = max(len(scan.compared_years), 1)
    out = [Placed(fmt, prior=prior if years == 1 else None) for _ in range(years)]
    seen: dict[tuple[str, str], list[Run]] = {}
    appeal_runs: list[Run] = []
    header = ""  # what stands before table 三's first row: its header, if it has one
    appeal_names = {fold(p) for r in appeals.rows for p in (*r.parents, r.label)}
    group = ""
    for run in scan.runs:
        if run.section == appeals.id or appeal_runs or _names_appeals(run.label, appeal_names):
            appeal_runs.append(run)
            continue
        row = proactive_row(run.words, proactive)
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
        if table is requests and not any(t == requests.id for t, _ in seen):
            header = "".join(numbered_parts(run.label)[:-1])
        seen.setdefault((table.id, row.id), []).append(run)
    header_ok = _header(header, requests, out, source, seen)
    for (table_id, row_id), runs in seen.items():
        table = schema.table(table_id)
        row = table.row(row_id)
        if table is requests and not header_ok:
            continue
        for index, run in _per_year(runs, years, row, source, out):
            _give(out[index], table, row, run, source)
    _appeals(appeal_runs, appeals, out, source)
    for placed in out:
        _decide(placed, fmt, source)
        _missing(placed, fmt, source, scan, {k[:2] for k in seen} | placed.said)
    return out


def _names_appeals(label: str, names: set[str]) -> bool:
    """Whether label text is table 四's header (行政复议 … 行政诉讼, its groups' ``names``), met
    before its heading."""
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
    lines = "、".join(str(r.line) for r in runs)
    for placed in out:
        if years == 1:
            placed.problems.append(notes.Repeated.at(source, runs[0].line, row=row.title,
                                                     n=len(runs), lines=lines))
        else:
            placed.problems.append(notes.NotPerYear.at(source, runs[0].line, row=row.title,
                                                       n=len(runs), years=years, lines=lines))
    return []


def _give(placed: Placed, table: Table, row: Row, run: Run, source: str) -> None:
    keys = tuple((table.id, row.id, c.id) for c in row.columns)
    _offer(placed, keys, row.title, list(run.values), source, run.line)


def _offer(placed: Placed, keys: tuple[CellKey, ...], name: str, values: list[Token], source: str,
           line: int) -> None:
    placed.said.add(keys[0][:2])
    read = cell_values(placed.format, keys, values)
    if read is None:
        placed.problems.append(notes.Unplaced.at(source, line, keys[0], line=line,
                                                 values=_raw(values), reason=notes.Unplaced.UNIT))
        return
    values, readings = read
    placed.problems += notes.readings(source, line, keys[0], name, readings)
    rules = forcing_rules(keys, placed.format)
    try:
        found, how = candidates(values, keys, placed.format)
        if not found and how == "split" and placed.prior is not None:
            found = continued(values, keys, placed.format, placed.prior)
            rules = (CONTINUED,) if found else rules
    except TooMany:
        placed.problems.append(notes.Ambiguous.at(source, line, keys[0], row=name, run=_raw(values),
                                                  n=notes.Ambiguous.MANY))
        return
    if not found and how == "split" and forcing_rules(keys, placed.format) and all(
            t.digits == t.raw and t.digits.isdigit() for t in values):
        placed.problems.append(notes.NoSplit.at(source, line, keys[0], row=name, run=_raw(values)))
        return
    if not found:
        reason = notes.Unplaced.COUNT.format(label=f"「{name}」", expected=len(keys), actual=len(values))
        if placed.prior is None and _continues(keys, values):
            reason += "；" + notes.Unplaced.NO_EQUATION
        placed.problems.append(notes.Unplaced.at(source, line, keys[0], line=line,
                                                 values=_raw(values), reason=reason))
        return
    pending = Pending(keys, tuple(found), rules if how == "split" else ())
    if len(found) == 1 and not how:
        _put(placed, keys, found[0], source, line)
        placed.found += sum(v is not None for v in found[0])
        return
    placed.pending.append(_Given(pending, name, _raw(values), how, line))


def _continues(keys: tuple[CellKey, ...], values: list[Token]) -> bool:
    """A table-二 row whose 现行有效 continues from last year, given as one digit run."""
    return (len(values) == 1 and values[0].digits == values[0].raw and values[0].digits.isdigit()
            and [k[2] for k in keys] == ["issued", "repealed", "in_force"])


#: The largest value a cell of each kind takes (a county's counts, its fees in 万元), and the
#: decimals an amount may have: beyond them a value is a misreading (60 digits, 1e60), not placed.
BOUNDS = {"count": Decimal(10) ** 9, "amount": Decimal(10) ** 12}
AMOUNT_DECIMALS = 6


def in_bounds(kind: str, value: Number) -> bool:
    """Whether ``value`` fits a cell of ``kind``: at most :data:`BOUNDS`, and an amount with at
    most :data:`AMOUNT_DECIMALS` decimals."""
    number = Decimal(value)
    if not number.is_finite() or abs(number) > BOUNDS.get(kind, BOUNDS["amount"]):
        return False
    exponent = number.as_tuple().exponent
    return kind != "amount" or not isinstance(exponent, int) or -exponent <= AMOUNT_DECIMALS


def _put(placed: Placed, keys: tuple[CellKey, ...], values: tuple[Number | None, ...], source: str,
         line: int) -> None:
    for key, value in zip(keys, values, strict=True):
        if is_number(value) and not in_bounds(placed.format.schema.column(key).kind, value):
            placed.problems.append(notes.OutOfRange.at(source, line, key, line=line, values=str(value),
                                                       actual=value))
            continue
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


def _header(text: str, table: Table, out: list[Placed], source: str,
            seen: dict[tuple[str, str], list[Run]]) -> bool:
    """Table 三's columns are the format's, in its order, when the text before its first row
    names them in that order, level by level; with no header at all (not even 自然人) the rows
    are placed in the format's order and that is said; a header naming others refuses them."""
    if not any(t == table.id for t, _ in seen):
        return True
    if not has_label(text, table.columns[0].label):
        for placed in out:
            placed.deduced.append(notes.Deduction(table.title, (), "", (), "order", (), 0))
        return True
    missing = out_of_order(text, header_levels(table))
    if missing:
        first = next(run for (t, _), runs in seen.items() if t == table.id for run in runs)
        for placed in out:
            placed.problems.append(notes.Unplaced.at(
                source, first.line, (table.id, table.rows[0].id, table.columns[0].id),
                line=first.line, values=table.title,
                reason=notes.Unplaced.HEADER + "：" + "、".join(missing)))
            placed.said.add((table.id, ""))
    return not missing


def _appeals(runs: list[Run], table: Table, out: list[Placed], source: str) -> None:
    """Table 四's values, 5 per group in the format's order, once per compared year: only when
    its header names its labels in order, and a comparison document gives every year's."""
    values = [t for run in runs for t in run.values]
    if not values:
        return
    keys = tuple((table.id, r.id, c.id) for r in table.rows for c in r.columns)
    line = values[0].line
    missing = out_of_order(runs[0].label, header_levels(table))
    reason = notes.Unplaced.HEADER + "：" + "、".join(missing) if missing else ""
    if not missing and len(out) > 1 and len(values) != len(keys) * len(out):
        reason = notes.Unplaced.PER_YEAR.format(n=len(keys), years=len(out), actual=len(values))
    if reason:
        for placed in out:
            placed.problems.append(notes.Unplaced.at(source, line, keys[0], line=line,
                                                     values=_raw(values), reason=reason))
            placed.said.add((table.id, ""))
        return
    if len(out) > 1:
        for index, placed in enumerate(out):
            block = values[index * len(keys):(index + 1) * len(keys)]
            _offer(placed, keys, table.title, block, source, block[0].line)
        return
    for placed in out:
        _offer(placed, keys, table.title, values, source, line)


def _missing(placed: Placed, fmt: Format, source: str, scan: Scan, said: set[tuple[str, str]]) -> None:
    """Rows the source does not give: blank, each said (a table none of whose rows it gives is
    said once). A row it gives that could not be placed is said already, for what it was."""
    for table in fmt.schema.tables:
        rows = [r for r in table.rows if not any((table.id, r.id, c.id) in placed.cells
                                                  for c in r.columns)]
        given = {row for t, row in said if t == table.id}
        if len(rows) == len(table.rows) and not given:
            placed.problems.append(notes.TableMissing.at(source, scan.headings.get(table.id),
                                                         table=table.title))
            continue
        if "" in given or (table.id == TableId.APPEALS and given):
            continue  # the whole table was refused or said (table 四 is one block)
        for row in rows:
            if row.id in given:
                continue
            placed.problems.append(notes.RowMissing.at(source, scan.headings.get(table.id),
                                                       (table.id, row.id, row.columns[0].id),
                                                       table=table.title, row=row.title))
