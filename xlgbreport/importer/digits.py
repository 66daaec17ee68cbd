"""What values a row of a published table can hold, and which of them the equations allow.

A row whose cells lost their separators reads as a run of digits: 「801000081」 is
80 | 1 | 0 | 0 | 0 | 0 | 81, or any other cut into seven numbers. Every cut is a candidate; the
row's own total (``requests.row_total``, ``appeals.group_total``) and then the table's
equations (``requests.balance``, ``requests.results_total``), the very rules ``validate`` runs,
keep the cuts that balance. A row is placed only when one candidate is left; otherwise its
cells stay blank and the run is reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..core.formats import Format
from ..core.model import Number, Report
from ..core.prior import expected_in_force, in_force_rows
from ..core.rule_base import Equation, EquationRule
from ..core.rules import for_format
from ..core.tables import CellKey
from .normalize import Token

#: Beyond this many cuts of one row, or combinations of rows, nothing is decided: reported.
MAX_CANDIDATES = 50_000
MAX_NODES = 20_000  # steps of cutting one row: a township's run takes a few hundred
MAX_EXTRA = 3  # a row with more values than cells: at most this many left over

Values = tuple[Number | None, ...]


def number(token: Token) -> Number | None:
    """The token's value as a cell holds it; None for a cell the source left blank."""
    value = token.number
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() and "." not in token.raw else value


class TooMany(Exception):
    """A run with more readings than are worth trying: nothing is decided, and that is said."""


def candidates(values: Sequence[Token], keys: tuple[CellKey, ...], fmt: Format) -> tuple[list[Values], str]:
    """The values the cells ``keys`` of a row can hold, given what the source wrote in it, and
    how they were found: ``""`` as written, ``split`` digit runs cut, ``extra`` values left over.
    An empty list: nothing fits (text, signs or decimals in a run too short, or a row with no
    total of its own, whose missing cell could be anywhere). A cut that breaks the row's own
    totals is no candidate (:class:`TooMany` when there are too many to try)."""
    k = len(keys)
    values = list(values)
    while len(values) > k and values[-1].blank:
        values.pop()  # empty cells past the row's width (a page's grid) are layout, not cells
    if len(values) == k:
        return [tuple(number(t) for t in values)], ""
    if len(values) > k:
        if len(values) - k > MAX_EXTRA:
            return [], "extra"
        seen = dict.fromkeys(tuple(number(t) for t in combo)
                             for combo in itertools.combinations(values, k))
        return list(seen), "extra"
    forced = _forced(keys, fmt)
    if not forced or not all(t.digits.isdigit() and t.digits == t.raw for t in values):
        return [], "split"  # no total to cut by (table 二): a missing cell is not a cut
    return list(_cuts([t.digits for t in values], k, {at: parts for at, (parts, _) in forced.items()})), "split"


def continued(values: Sequence[Token], keys: tuple[CellKey, ...], fmt: Format, prior: Report) -> list[Values]:
    """The cuts of a table-二 row's run (制发, 废止, 现行有效) for which 现行有效 = last year's +
    制发 − 废止 (``prior.in_force``, last year's report ``prior``): table 二 has no equation of
    its own, so only last year can decide it. Empty when the row does not continue (another
    format, no number last year, a run that is not digits); :class:`TooMany` as for any run."""
    rows = {r.id for r in in_force_rows(fmt.schema)}
    row = keys[0][1]
    if row not in rows or [k[2] for k in keys] != ["issued", "repealed", "in_force"]:
        return []
    if not all(t.digits.isdigit() and t.digits == t.raw for t in values):
        return []
    report = Report(format=fmt)
    out = []
    for cut in _cuts([t.digits for t in values], len(keys), {}):
        report.cells.update(zip(keys, cut, strict=True))
        if expected_in_force(report, prior, row) == cut[2]:
            out.append(cut)
    return out


def _forced(keys: tuple[CellKey, ...], fmt: Format) -> dict[int, tuple[tuple[int, ...], str]]:
    """Cells a row's own equation fixes once the cells before it are cut (a total after its
    parts: 「总计」 = the six applicant columns; each group total of table 四), with the rule."""
    index = {key: i for i, key in enumerate(keys)}
    out: dict[int, tuple[tuple[int, ...], str]] = {}
    for eq in _equations(fmt):
        if len(eq.actual) == 1 and eq.actual[0] in index and all(k in index for k in eq.expected):
            at, parts = index[eq.actual[0]], tuple(index[k] for k in eq.expected)
            if all(p < at for p in parts):
                out[at] = (parts, eq.rule.id)
    return out


def forcing_rules(keys: tuple[CellKey, ...], fmt: Format) -> tuple[str, ...]:
    """The rules whose equations fix cells of a row as it is cut: they decide its split."""
    return tuple(sorted({rule for _, rule in _forced(keys, fmt).values()}))


def _cuts(runs: list[str], width: int, forced: dict[int, tuple[int, ...]]) -> Iterator[Values]:
    """Every way to cut the runs (each kept whole or cut inside) into ``width`` numbers written
    without leading zeros (「0」 itself is one), a forced cell being the sum it must be."""
    text = "".join(runs)
    ends = list(itertools.accumulate(len(r) for r in runs))  # separators the source kept
    budget = [MAX_NODES]

    def walk(at: int, done: tuple[int, ...]) -> Iterator[Values]:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooMany
        if at == len(text) or len(done) == width:
            if at == len(text) and len(done) == width:
                yield done
            return
        limit = next(e for e in ends if e > at)  # a cell ends at the next separator, or before
        if len(done) in forced:
            want = str(sum(done[p] for p in forced[len(done)]))
            if text.startswith(want, at) and at + len(want) <= limit:
                yield from walk(at + len(want), (*done, int(want)))
            return
        for end in range(at + 1, limit + 1):
            head = text[at:end]
            if head != "0" and head.startswith("0"):
                break
            yield from walk(end, (*done, int(head)))

    return walk(0, ())


@dataclass(frozen=True)
class Pending:
    """A row (or table 四's cells) the source gave, with the values it may hold; ``rules``
    already ruled other cuts out."""

    keys: tuple[CellKey, ...]
    candidates: tuple[Values, ...]
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decided:
    """The outcome for one pending row: ``values`` when one candidate is left (``rules``: the
    equations that ruled the others out), else ``left`` candidates remain (0: none fits)."""

    pending: Pending
    values: Values | None
    rules: tuple[str, ...]
    left: int


def _equations(fmt: Format) -> list[Equation]:
    return [eq for rule in for_format(fmt) if isinstance(rule, EquationRule) and not rule.needs_prior
            for eq in rule.declared(fmt.schema)]


def _holds(equation: Equation, report: Report) -> bool:
    return equation.evaluate(report) is None


def resolve(fmt: Format, certain: dict[CellKey, Number], pending: Sequence[Pending]) -> list[Decided]:
    """Decide every pending row: first by the equations within the row, then by those that
    join rows, over every combination of what is left. ``certain`` holds the values placed as
    written; a blank cell makes an equation undecided, which rules nothing out."""
    equations = _equations(fmt)
    report = Report(cells=dict(certain), format=fmt)
    out: dict[int, Decided] = {}
    open_rows: list[tuple[int, Pending, list[Values], set[str]]] = []
    for index, row in enumerate(pending):
        keys = set(row.keys)
        local = [eq for eq in equations if set(eq.support) <= keys]
        kept, used = [], set(row.rules)
        for values in row.candidates:
            report.cells.update(zip(row.keys, values, strict=True))
            failed = [eq for eq in local if not _holds(eq, report)]
            if failed:
                used.update(eq.rule.id for eq in failed)
            else:
                kept.append(values)
        for key in row.keys:
            report.cells.pop(key, None)
        if len(kept) == 1:
            out[index] = Decided(row, kept[0], tuple(sorted(used)), 1)
            report.cells.update(zip(row.keys, kept[0], strict=True))
        elif not kept:
            out[index] = Decided(row, None, (), 0)
        else:
            open_rows.append((index, row, kept, used))
    _joint(report, equations, open_rows, out)
    return [out[i] for i in range(len(pending))]


def _joint(report: Report, equations: list[Equation],
           open_rows: list[tuple[int, Pending, list[Values], set[str]]], out: dict[int, Decided]) -> None:
    """Rows still open, decided together by the equations that read any of their cells."""
    if not open_rows:
        return
    size = 1
    for _, _, kept, _ in open_rows:
        size *= len(kept)
    if size > MAX_CANDIDATES:
        for index, row, kept, _ in open_rows:
            out[index] = Decided(row, None, (), len(kept))
        return
    open_keys = {k for _, row, _, _ in open_rows for k in row.keys}
    joining = [eq for eq in equations if open_keys & set(eq.support)]
    surviving: list[tuple[Values, ...]] = []
    ruled: set[str] = set()
    for combo in itertools.product(*(kept for _, _, kept, _ in open_rows)):
        for (_, row, _, _), values in zip(open_rows, combo, strict=True):
            report.cells.update(zip(row.keys, values, strict=True))
        failed = [eq.rule.id for eq in joining if not _holds(eq, report)]
        if failed:
            ruled.update(failed)
        else:
            surviving.append(combo)
    for _, row, _, _ in open_rows:
        for key in row.keys:
            report.cells.pop(key, None)
    for position, (index, row, _kept, used) in enumerate(open_rows):
        left = {combo[position] for combo in surviving}
        if len(left) == 1:
            out[index] = Decided(row, left.pop(), tuple(sorted(used | ruled)), 1)
        else:
            out[index] = Decided(row, None, (), len(left))


__all__ = ["Decided", "MAX_CANDIDATES", "Pending", "candidates", "continued", "number", "resolve"]
