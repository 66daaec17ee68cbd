"""Headless validation of many files: each one read, checked and summarised on its own, so that
one bad file never stops a batch."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from ..core import reasons, rules
from ..core.findings import Finding
from ..core.model import Report
from ..errors import InputError, Message, os_reason
from ..workbook.layout import layout_for
from . import batch, prior_source
from .results import FileResult
from .sources import collect, load

PRIOR_FAILED = "{reason}；跨年度检查已跳过"
PRIOR_UNREACHABLE = Message("prior.unreadable", "无法读取上年数据：{reason}")


def validate_file(path: str | Path, prior: str | Path | Report | None = None, *,
                  find_prior: bool = False) -> FileResult:
    """Check one file. With ``prior`` (last year's report, or a file or folder holding it) or
    ``find_prior`` (look where the 封面 says), the cross-year rules run too; ``notes`` say
    which file was last year's, or why the cross-year rules were skipped."""
    path = Path(path)
    try:
        report = load(path)
    except InputError as exc:
        return FileResult.failed(path, exc)
    if prior is None and not find_prior:
        return _checked(path, report, None)
    notes: list[str] = []
    try:
        last = prior if isinstance(prior, Report) else prior_source.resolve(
            report, path, Path(prior) if prior is not None else None, notes)
    except OSError as exc:  # prior_source says most of these itself; never a batch's end
        failed = InputError(None, PRIOR_UNREACHABLE, reason=os_reason(exc))
    except InputError as exc:
        failed = exc
    else:
        return _checked(path, report, last, notes)
    notes.append(PRIOR_FAILED.format(reason=failed.message))
    # why the exit code is 2 although the file itself was read (docs/prior-year.md)
    return _checked(path, report, None, notes,
                    extra={"prior_error": failed.message, "prior_error_code": failed.code})


def _checked(path: Path, report: Report, last: Report | None, notes: list[str] | None = None,
             **more: Any) -> FileResult:
    """The file's findings, warnings explained (:func:`check`); a reason given on an error is
    said in the notes."""
    findings, ignored = check(report, last)
    return FileResult.checked(path, report, tuple(findings), notes=(*(notes or ()), *ignored),
                              **more)


def check(report: Report, last: Report | None = None) -> tuple[list[Finding], list[str]]:
    """Every rule's findings, each warning the report's 核实说明 explains marked so, and a note
    for each reason given on an error (ignored). A report from JSON names no cells, so its
    reasons are matched to the cells its findings have in the template workbook."""
    findings = rules.check(report, last)
    places = None
    layout = layout_for(report.format) if report.reasons and not report.where else None
    if layout is not None:
        places = [f.ref for f in rules.check(replace(report, where=layout.where()), last)]
    return reasons.explain(findings, report.reasons, places)


def validate_files(files: Sequence[str | Path], prior: str | Path | Report | None = None, *,
                   find_prior: bool = False, reports: bool = True) -> Iterator[FileResult]:
    """:func:`validate_file` for each of ``files`` (files, not folders), yielded in order one at
    a time: the batch's memory stays flat. From ``batch.POOL_FROM`` files on (and with more than
    one core) they are read in the shared process pool; a file that kills its worker costs only
    itself (its result's ``error_code`` is ``batch.crashed``). Without ``reports`` a result's
    report keeps only org, year and format, what a listing shows: a whole report is ~25 times
    more to send back from a worker."""
    one = partial(_check, prior=prior, find_prior=find_prior, reports=reports)
    names = [str(f) for f in files]
    workers = os.cpu_count() or 1
    if workers == 1 or len(names) < batch.POOL_FROM:
        yield from map(one, names)
    else:
        yield from batch.pooled(one, names, workers, _crashed)


def _check(name: str, prior: str | Path | Report | None, find_prior: bool, reports: bool) -> FileResult:
    """One file's result, as it crosses back from a worker: without the report's cells and texts
    unless ``reports``."""
    result = validate_file(name, prior, find_prior=find_prior)
    report = result.report
    if reports or report is None:
        return result
    return dataclasses.replace(result, report=Report(org=report.org, year=report.year,
                                                     format=report.format))


def _crashed(name: str) -> FileResult:
    return FileResult.failed(name, InputError(name, batch.CRASHED))


def validate(paths: Iterable[str | Path], prior: str | Path | Report | None = None, *,
             find_prior: bool = False) -> Iterator[FileResult]:
    """Every file ``paths`` name (folders walked), checked one at a time: memory stays flat."""
    return validate_files(collect(paths), prior, find_prior=find_prior)

