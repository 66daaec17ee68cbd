"""``consolidate``: many bodies' reports into one report of the same template, with the status
of every input, the bodies missing and the indicators per body.

The result is itself a report: the input cells are the cell-wise sums of the reports summed
(the fee as decimals), the totals the template's own formulas, the text sections empty for the
county to write. It validates, rolls over and is consolidated again by the level above.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

from .. import errors
from ..actions import sources
from ..actions.results import Batch, FileResult
from ..core import rules
from ..core.indicators import INDICATORS, level
from ..core.model import Number, Report
from ..core.prior import normalise
from ..errors import InputError, Message, OutputError
from ..files import interchange
from ..files.paths import shown
from ..workbook import writer as workbook_writer
from . import copies, expect, members, sheets, units
from .decide import Decision, Line, add, decide
from .gather import INPUT_KEYS, Entry, measure, read_all

#: Wraps the entries as they are read, given how many files there are: a progress bar.
Progress = Callable[[Iterable[Entry], int], Iterable[Entry]]
NOTHING_SUMMED = Message("consolidate.nothing_to_sum", "没有可汇总的报告（{n} 个文件都未通过或无法读取），未生成汇总工作簿")
NO_YEAR = Message("consolidate.no_year", "无法确定汇总年度：没有一份报告有有效的年度，请用 --year 指定")
NO_ORG = Message("consolidate.no_org", "请用 --org 给出汇总机关的名称（或用 --units 给出以它为最上级的单位名单）：{why}")
NO_ORG_GIVEN = "没有给出"
DEFAULT_ORG = "汇总"  # a summary checked whose cover names no org: its inputs still compare
BOTH_LISTS = Message("consolidate.both_lists", "--expect 和 --units 只能用一个：--units 是带类别和上级的名单")
PRIOR_AMBIGUOUS = "上年数据中 {org} 有 {n} 份 {year} 年度的报告，指标的上年值留空"
CHECKED = "{name}：{n} 格与各单位之和不符；{inputs}"
OUTPUT_SKIPPED = "输出文件 {name} 也在输入中，已跳过"
UNREADABLE_CODE = "file.unreadable"  # an input that could not be read and says no code of its own


def _results(decision: Decision) -> list[FileResult]:
    """One result per input (and per body on the list that sent nothing): valid when summed
    or settled (an identical copy, a summary: nothing to do, see ``Line.settled``);
    its status, category and counts as the action's own JSON keys."""
    out = []
    for line in decision.lines:
        e = line.entry
        read = e if e is not None and e.readable else None
        extra = {"org": line.org, "category": line.category, "year": e.year if e else None,
                 "status": line.status.value, "errors": read.errors if read is not None else None,
                 "warnings": read.warnings if read is not None else None,
                 "explained": read.explained if read is not None else None}
        notes = tuple(sheets.describe(line))
        if e is not None and e.error:
            out.append(FileResult.failed(e.path, code=e.error_code or UNREADABLE_CODE, message=e.error,
                                         notes=notes, extra=extra))
        else:
            out.append(FileResult(e.path if e else "", notes=notes, extra=extra,
                                  valid=line.settled))
    return out


def _batch(decision: Decision, notes: list[str], headline: str, **extra: Any) -> Batch:
    """The batch: every input's result; the notes, then a line for each input not summed."""
    return Batch(_results(decision), (*notes, *decision.left_out()), headline,
                 {"year": decision.year, **extra})


def consolidate(paths: Iterable[str | Path], output: str | Path, *, org: str | None = None,
                year: int | None = None, expect_path: Path | None = None,
                units_path: Path | None = None, summaries: bool | None = None,
                prior: Path | None = None, include_invalid: bool = False, overwrite: bool = False,
                executor: Executor | None = None, progress: Progress | None = None) -> Batch:
    """Read, check and sum ``paths`` (files and folders) into the workbook ``output`` of
    ``org`` (by default the root of the ``units_path`` list). Consolidated workbooks are units
    only in a run of summaries (``summaries``; by default when every input is one), and the
    output is marked as one with its members (``members``). ``progress`` wraps the stream of
    files read (the CLI's bar on a terminal). The batch's ``extra`` holds the output, org, year,
    totals (interchange) and indicators.

    Raises :class:`InputError` (Chinese) when no org is known, nothing can be summed or a unit
    would be counted twice, :class:`OutputError` when the output cannot be written; one bad
    input is one status line, never the batch's end."""
    output = Path(output)
    if os.path.lexists(output) and not overwrite:  # said before reading the batch; atomic checks it again
        raise OutputError(output, errors.OUTPUT_EXISTS)
    expected, org = _listed(expect_path, units_path, org)
    notes: list[str] = []
    files = _inputs(paths, output, notes)
    read = read_all(files, executor)
    entries = list(progress(read, len(files)) if progress else read)
    decision = decide(entries, year, expected=expected, include_invalid=include_invalid, org=org,
                      summaries=summaries)
    if decision.year is None and any(e.readable for e in entries):
        raise InputError(None, NO_YEAR)
    if not decision.sums:
        raise InputError(None, NOTHING_SUMMED, n=len(entries))
    if decision.year_note:
        notes.append(decision.year_note)
    name = shown(" ".join(org.split()))  # bytes not UTF-8: escaped
    report = decision.report(name)
    if prior is not None:
        report.meta["prior"] = str(_resolved(prior) or prior)  # the 封面's 上年工作簿
    last = _prior(prior, decision, name, executor, notes) if prior is not None else None
    copied = copies.search(copies.units_of(entries, decision.year), last.bodies if last else None)
    if copied.found:  # a copy is a warning: the statuses are decided again with it (the sums stay)
        decision = decide(copies.fold(entries, copied), year, expected=expected,
                          include_invalid=include_invalid, org=org, summaries=summaries)
    bodies, total = _bodies(decision, report, last)

    def add_sheets(wb: Any) -> None:
        sheets.write(wb, decision, decision.headline, bodies, total, last is not None, org)
        sheets.write_copies(wb, copied.found)
        members.write(wb, _members(decision), None)

    _save(output, report, add_sheets, overwrite)
    view = report.computed()
    values = {i.id: i.value(view) for i in INDICATORS}
    return copies.attach(_batch(decision, notes, decision.headline, output=str(output), org=name,
                                totals=interchange.to_dict(report),
                                indicators={k: _number(v) for k, v in values.items()},
                                levels={i.id: graded for i in INDICATORS
                                        if (graded := level(i.id, values[i.id], i.base(view)))}),
                         copied)


def _listed(expect_path: Path | None, units_path: Path | None, org: str | None
            ) -> tuple[tuple[expect.Expected, ...], str]:
    """The bodies expected (``--expect`` or ``--units``) and the org consolidating: given, or
    the root of the units' tree."""
    if expect_path is not None and units_path is not None:
        raise InputError(None, BOTH_LISTS)
    if units_path is None:
        if not (org and org.strip()):
            raise InputError(None, NO_ORG, why=NO_ORG_GIVEN)
        return (expect.load(expect_path) if expect_path is not None else ()), org
    tree = units.load(units_path)
    if not (org and org.strip()):
        if tree.root is None:
            raise InputError(units_path, NO_ORG, why=units.root_problem(tree))
        org = tree.root
    return tree.under(org), org


def _members(decision: Decision) -> list[members.Member]:
    """The units inside the output: each counted input, or a counted summary's own members."""
    out: list[members.Member] = []
    for line in decision.summed:
        e = line.entry
        if e is None:
            continue
        if e.members is None:
            out.append((e.org or "", line.category or "", e.digest, ""))
        else:
            out += [(name, "", digest, e.org or "") for name, digest in e.members]
    return out


def _number(value: Number | None) -> float | int | None:
    """An indicator for JSON: a rate as a float, rounded to what a percentage shows."""
    return round(float(value), 6) if isinstance(value, Decimal) else value


def check(paths: Iterable[str | Path], summary: Path, *, year: int | None = None,
          expect_path: Path | None = None, units_path: Path | None = None,
          include_invalid: bool = False, executor: Executor | None = None) -> Batch:
    """Compare ``summary`` (a consolidated or published report) with the sum of ``paths``:
    one finding per cell that differs, in the first result (the summary's); then a result per
    input, and bodies on the list (those under the summary's org) with no report as 未报送."""
    given = sources.load(summary)
    expected, _org = _listed(expect_path, units_path, given.org or DEFAULT_ORG)
    notes: list[str] = []
    entries = list(read_all(_inputs(paths, summary, notes), executor))
    year = year if year is not None else given.year if isinstance(given.year, int) else None
    decision = decide(entries, year, expected=expected, include_invalid=include_invalid,
                      org=given.org)
    if not decision.sums:
        raise InputError(None, NOTHING_SUMMED, n=len(entries))
    (rule,) = rules.CONSOLIDATION_RULES
    found = tuple(rule.check(given.computed(), decision.report(given.org or "").computed()))
    headline = CHECKED.format(name=summary.name, n=len(found), inputs=decision.headline)
    checked = FileResult.checked(summary, given, found, valid=not found)
    batch = _batch(decision, notes, headline, summary=str(summary))
    return Batch([checked, *batch.files], batch.notes, batch.headline, batch.extra)


def _inputs(paths: Iterable[str | Path], output: Path, notes: list[str]) -> list[str]:
    """The files named, without the output itself when it is an earlier consolidation (in an
    input folder); a body's own workbook named as the output is refused, never replaced. As
    strings: a Path is four times the size, and 10,000 are held while the files are read."""
    out = []
    target = _resolved(output)
    for path in sources.collect(paths, json=True):
        if target is not None and _resolved(path) == target:
            if not _consolidated(output):
                raise OutputError(output, errors.SAME_AS_INPUT)
            notes.append(OUTPUT_SKIPPED.format(name=output.name))
            continue
        out.append(str(path))
    return out


def _consolidated(path: Path) -> bool:
    """Whether ``path`` is a workbook this command wrote (``members.marked``)."""
    return members.marked(path)


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


@dataclass(frozen=True)
class LastYear:
    """Last year's entry of each body (by normalised org) and last year's total, if known."""

    bodies: dict[str, Entry]
    total: Report | None


def _prior(folder: Path, decision: Decision, org: str, executor: Executor | None,
           notes: list[str]) -> LastYear:
    """Last year's report of each body (by org and year inside the workbooks, as ``--prior``
    finds them), and the total's: last year's consolidated report of ``org`` if the folder
    holds it, else the sum of last year's reports when every summed body has one."""
    found: dict[str, list[Entry]] = defaultdict(list)
    last_year = decision.year - 1 if decision.year else None
    for e in read_all(sources.collect([folder], json=True), executor):
        if e.readable and e.year == last_year and normalise(e.org):
            found[normalise(e.org)].append(e)
    for group in found.values():
        if len(group) > 1:
            notes.append(PRIOR_AMBIGUOUS.format(org=group[0].org, n=len(group), year=last_year))
    one = {key: group[0] for key, group in found.items() if len(group) == 1}
    own = one.pop(normalise(org), None)
    total = own.report() if own is not None else None
    keys = [normalise(line.org) for line in decision.summed]
    if total is None and keys and all(k in one for k in keys):
        total = Report(org=org, year=last_year, cells=dict.fromkeys(INPUT_KEYS, 0))
        for k in keys:
            add(total.cells, one[k].values or ())
    return LastYear(one, total)


class _Bodies(Sequence[sheets.Body]):
    """The 指标 rows of the summed bodies, each made when it is read (its measures unpacked from
    the entry the worker sent), so that 10,000 bodies' numbers are never all held at once."""

    def __init__(self, lines: Sequence[Line], before: dict[str, Entry]) -> None:
        self._lines = [line for line in lines if line.entry is not None and line.entry.readable]
        self._before = before

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, i: int) -> sheets.Body: ...
    @overload
    def __getitem__(self, i: slice) -> list[sheets.Body]: ...

    def __getitem__(self, i: int | slice) -> sheets.Body | list[sheets.Body]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        line = self._lines[i]
        assert line.entry is not None and line.entry.measures is not None  # readable: packed
        then = self._before.get(normalise(line.org))
        return sheets.Body.of(line.org or "", line.category, line.entry.measures,
                              then.measures if then is not None else None)


def _bodies(decision: Decision, report: Report, last: LastYear | None
            ) -> tuple[_Bodies, sheets.Body]:
    """The 指标 rows: each summed body's indicators (this year and last, measured by the
    workers that read them) and the total's."""
    bodies = _Bodies(decision.summed, last.bodies if last is not None else {})
    total_then = last.total if last is not None else None
    total = sheets.Body.of(sheets.TOTAL, None, measure(report),
                           measure(total_then) if total_then is not None else None)
    return bodies, total


def _save(path: Path, report: Report, add_sheets, overwrite: bool) -> None:
    """The one write of the output: ``files.atomic`` through the template writer, with the
    consolidation's sheets added; an existing file only with ``overwrite``."""
    workbook_writer.write(path, report, sheets=add_sheets, overwrite=overwrite)
