"""Headless validation of many files: each one read, checked and summarised on its own, so that
one bad file never stops a batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import errors, interchange, rules, workbook_reader
from .errors import InputError
from .findings import Finding, has_errors
from .model import Invalid, Report

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
#: Also collected from folders, so that a clerk hears why they are not read.
REFUSED_SUFFIXES = {".xls", ".et", ".ett", ".ods", ".csv"}


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: findings, or the reason it could not be read."""

    path: str
    report: Report | None = None
    findings: tuple[Finding, ...] = ()
    error: InputError | None = None
    notes: tuple[str, ...] = field(default=())

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


def validate_file(path: str | Path) -> FileResult:
    path = Path(path)
    try:
        report = load(path)
    except InputError as exc:
        return FileResult(str(path), error=exc)
    return FileResult(str(path), report, tuple(rules.check(report)))


def validate(paths: Iterable[str | Path]) -> Iterator[FileResult]:
    for path in collect(paths):
        yield validate_file(path)


def document(results: Iterable[FileResult]) -> dict[str, Any]:
    """The findings document of the spec."""
    return {"files": [r.to_dict() for r in results]}
