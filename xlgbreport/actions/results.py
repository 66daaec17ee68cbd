"""The one result shape of every batch action (validate, consolidate, render, import): a
:class:`FileResult` per file and a :class:`Batch` around them, each with one ``to_dict``.

A result says what happened, never how the process should exit: the command line decides exit
codes from results, in one table (``cli.exits``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.findings import Finding, counts, has_errors
from ..core.model import Invalid, Report
from ..errors import XlgbreportError


@dataclass(frozen=True)
class FileResult:
    """One file's outcome: its report and findings, or the error (code and Chinese message) that
    stopped it; ``notes`` for the clerk, ``output`` where something was written, and ``extra``
    the action's own JSON keys (import: what was found and deduced; consolidate: the status, and
    the org and year of an input whose report is not kept)."""

    path: str
    report: Report | None = None
    findings: tuple[Finding, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    notes: tuple[str, ...] = ()
    output: str | None = None
    valid: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def checked(cls, path: str | Path, report: Report, findings: tuple[Finding, ...] = (),
                **more: Any) -> FileResult:
        """A file read: valid when no finding is an error (unless ``valid`` is given)."""
        more.setdefault("valid", not has_errors(list(findings)))
        return cls(str(path), report, tuple(findings), **more)

    @classmethod
    def failed(cls, path: str | Path | None, error: XlgbreportError | None = None, *,
               code: str = "error", message: str = "", **more: Any) -> FileResult:
        """A file that could not be done: the error's code and message (or those given)."""
        if error is not None:
            code, message = error.code, error.message
        return cls(str(path) if path is not None else "", error_code=code, error_message=message,
                   valid=False, **more)

    @property
    def warning_counts(self) -> tuple[int, int]:
        """Open and explained warnings (with a 核实说明): what the county's status shows."""
        _, open_, explained = counts(list(self.findings))
        return open_, explained

    @property
    def failed_to_read(self) -> bool:
        """Whether an error stopped this file (or last year's data named for it)."""
        return self.error_code is not None or "prior_error" in self.extra

    def to_dict(self) -> dict[str, Any]:
        """The JSON of one file (docs/interchange.md): path, org, year, valid, findings, and the
        error, notes, output and the action's own keys when there are any."""
        report = self.report
        year = report.year if report else None
        out: dict[str, Any] = {
            "path": self.path or None,
            "org": report.org if report else None,
            "year": year.raw if isinstance(year, Invalid) else year,
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.error_code is not None:
            out["error"] = self.error_message
            out["error_code"] = self.error_code
        if self.notes:
            out["notes"] = list(self.notes)
        if self.output is not None:
            out["output"] = self.output
        out.update(self.extra)  # may name the org and year where there is no report
        return out


@dataclass(frozen=True)
class Batch:
    """Every file's result, in input order, the batch's notes and its one-line headline; ``extra``
    holds the action's own JSON keys (consolidate: the totals and indicators)."""

    files: list[FileResult]
    notes: tuple[str, ...] = ()
    headline: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def valid(self) -> bool:
        return all(f.valid for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"files": [f.to_dict() for f in self.files], "notes": list(self.notes),
                               "headline": self.headline}
        out.update({k: v for k, v in self.extra.items() if k not in out})
        return out
