"""Headless validation of many files: each one read, checked and summarised on its own, so that
one bad file never stops a batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import rules
from ..core.findings import Finding, has_errors
from ..core.model import Invalid, Report
from ..errors import InputError, Message, os_reason
from . import prior_source
from .sources import collect, load

PRIOR_FAILED = "{reason}；跨年度检查已跳过"
PRIOR_UNREACHABLE = Message("prior.unreadable", "无法读取上年数据：{reason}")


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: findings, or the reason it could not be read."""

    path: str
    report: Report | None = None
    findings: tuple[Finding, ...] = ()
    error: InputError | None = None
    notes: tuple[str, ...] = field(default=())
    prior_error: InputError | None = None  # last year's data named but not usable

    @property
    def valid(self) -> bool:
        return self.error is None and not has_errors(list(self.findings))

    def to_dict(self) -> dict[str, Any]:
        report = self.report
        year = report.year if report else None
        out: dict[str, Any] = {
            "path": self.path,
            "org": report.org if report else None,
            "year": year.raw if isinstance(year, Invalid) else year,
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.error:
            out["error"] = self.error.message
        if self.prior_error:  # why the exit code is 2 although the file itself was read
            out["prior_error"] = self.prior_error.message
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def validate_file(path: str | Path, prior: str | Path | Report | None = None, *,
                  find_prior: bool = False) -> FileResult:
    """Check one file. With ``prior`` (last year's report, or a file or folder holding it) or
    ``find_prior`` (look where the 封面 says), the cross-year rules run too; ``notes`` say
    which file was last year's, or why the cross-year rules were skipped."""
    path = Path(path)
    try:
        report = load(path)
    except InputError as exc:
        return FileResult(str(path), error=exc)
    if prior is None and not find_prior:
        return FileResult(str(path), report, tuple(rules.check(report)))
    notes: list[str] = []
    try:
        last = prior if isinstance(prior, Report) else prior_source.resolve(
            report, path, Path(prior) if prior is not None else None, notes)
    except OSError as exc:  # prior_source says most of these itself; never a batch's end
        failed = InputError(None, PRIOR_UNREACHABLE, reason=os_reason(exc))
    except InputError as exc:
        failed = exc
    else:
        return FileResult(str(path), report, tuple(rules.check(report, last)), notes=tuple(notes))
    notes.append(PRIOR_FAILED.format(reason=failed.message))
    return FileResult(str(path), report, tuple(rules.check(report)), notes=tuple(notes),
                      prior_error=failed)


def validate(paths: Iterable[str | Path], prior: str | Path | Report | None = None, *,
             find_prior: bool = False) -> Iterator[FileResult]:
    for path in collect(paths):
        yield validate_file(path, prior, find_prior=find_prior)

