"""Headless validation of many files: each one read, checked and summarised on its own, so that
one bad file never stops a batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import errors, interchange, prior_source, rules, workbook_reader
from .errors import InputError
from .findings import Finding, has_errors
from .model import Invalid, Report

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
#: Also collected from folders, so that a clerk hears why they are not read.
REFUSED_SUFFIXES = {".xls", ".et", ".ett", ".ods", ".csv"}
PRIOR_FAILED = "{reason}；跨年度检查已跳过"


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
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the workbooks inside folders named (not Office's ~$ lock files)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(
                f for f in p.rglob("*")
                if f.is_file() and not f.name.startswith("~$")
                and f.suffix.lower() in WORKBOOK_SUFFIXES | REFUSED_SUFFIXES
            )
        else:
            out.append(p)
    return out


def load(path: Path) -> Report:
    """A report from a workbook or an interchange JSON file."""
    if path.suffix.lower() == ".json":
        return interchange.load(path)
    if path.suffix.lower() in REFUSED_SUFFIXES and path.exists():
        raise InputError(path, errors.OLD_FORMAT if path.suffix.lower() in {".xls", ".et", ".ett"}
                         else errors.NOT_A_WORKBOOK)
    return workbook_reader.read(path, fast=True)


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
    except InputError as exc:
        notes.append(PRIOR_FAILED.format(reason=exc.message))
        return FileResult(str(path), report, tuple(rules.check(report)), notes=tuple(notes),
                          prior_error=exc)
    return FileResult(str(path), report, tuple(rules.check(report, last)), notes=tuple(notes))


def validate(paths: Iterable[str | Path], prior: str | Path | Report | None = None, *,
             find_prior: bool = False) -> Iterator[FileResult]:
    for path in collect(paths):
        yield validate_file(path, prior, find_prior=find_prior)


def document(results: Iterable[FileResult]) -> dict[str, Any]:
    """The findings document of the spec."""
    return {"files": [r.to_dict() for r in results]}
