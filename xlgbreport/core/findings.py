"""Findings: what a check found, as immutable data. Text, JSON and Excel are renderings of it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

#: How an explained warning reads (command line, cell functions).
EXPLAINED = "已说明：{explanation}（原提示：{message}）"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One result of one rule at one place. ``message`` is ``template`` filled with ``args``."""

    rule: str
    severity: Severity
    template: str
    args: tuple[tuple[str, Any], ...] = ()
    table: str | None = None
    row: str | None = None
    column: str | None = None
    sheet: str | None = None
    cell: str | None = None
    expected: Any = None
    actual: Any = None
    line: int | None = None  # for a text source (an imported report): its line
    source: str | None = None
    #: The clerk's 核实说明 for a warning (``core.reasons``): it stays a warning, counted apart.
    explanation: str | None = None

    @property
    def explained(self) -> bool:
        return self.explanation is not None

    @property
    def args_dict(self) -> dict[str, Any]:
        return dict(self.args)

    @property
    def message(self) -> str:
        return self.template.format(**{k: _text(v) for k, v in self.args})

    @property
    def shown(self) -> str:
        """The message as a clerk reads it: an explained warning leads with its 核实说明."""
        if self.explanation is None:
            return self.message
        return EXPLAINED.format(explanation=self.explanation, message=self.message)

    @property
    def ref(self) -> str:
        """``sheet!cell`` when the finding points into a workbook, else the table position."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.line is not None:
            return f"{self.source}:{self.line}"
        return "/".join(p for p in (self.table, self.row, self.column) if p)

    def to_dict(self) -> dict[str, Any]:
        """The finding as in the spec's findings document."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "sheet": self.sheet,
            "cell": self.cell,
            "expected": _json(self.expected),
            "actual": _json(self.actual),
            "message": self.message,
            **({"source": self.source, "line": self.line} if self.line is not None else {}),
            **({"explanation": self.explanation} if self.explanation is not None else {}),
        }


def _text(value: Any) -> str:
    if value is None:
        return "空"
    return str(value)


def _json(value: Any) -> Any:
    """Decimals travel as strings so no digit is lost; other values as they are."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


#: The one wording of a report's verdict, for the command line, the buttons, the cell functions
#: and the 校验 sheet's headline (``excel_formulas.summary_formula`` builds it from these).
SUMMARY_OK = "✔ 全部通过"
SUMMARY_BAD = "✘ {errors} 处错误"
SUMMARY_NO_ERRORS = "✔ 无错误"
SUMMARY_WARN = "，{warnings} 处提示"
SUMMARY_EXPLAINED = "，{explained} 处提示已说明"


def counts(findings: list[Finding]) -> tuple[int, int, int]:
    """Errors, open warnings and explained warnings (those with a 核实说明)."""
    n_err = n_explained = 0
    for f in findings:
        if f.severity is Severity.ERROR:
            n_err += 1
        elif f.explanation is not None:
            n_explained += 1
    return n_err, len(findings) - n_err - n_explained, n_explained


def summary(findings: list[Finding]) -> str:
    """One short Chinese line: ``✘ 3 处错误，1 处提示``, ``✔ 无错误，2 处提示已说明`` or
    ``✔ 全部通过``."""
    return summary_line(*counts(findings))


def summary_line(errors: int, warnings: int, explained: int = 0) -> str:
    """The verdict for so many errors, open warnings and explained warnings."""
    if not errors and not warnings and not explained:
        return SUMMARY_OK
    head = SUMMARY_BAD.format(errors=errors) if errors else SUMMARY_NO_ERRORS
    return (head + (SUMMARY_WARN.format(warnings=warnings) if warnings else "")
            + (SUMMARY_EXPLAINED.format(explained=explained) if explained else ""))
