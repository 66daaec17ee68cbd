"""核实说明: the clerk's reason beside a warning ("核实无误：本年清理废止 12 件").

A reason is keyed by the rule id and the cell a finding names (``文字说明!B5``, as ``validate``
prints it), not by the finding itself: it survives every re-validation while that warning stands.
It explains warnings only; an error must be corrected, so a reason on one is ignored and noted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .findings import Finding, Severity

#: The most reasons a workbook holds (rows of the 核实说明 sheet), and the longest one kept.
MAX_REASONS = 200
MAX_CHARS = 1000
ON_ERROR = "{ref} [{rule}] 是错误，核实说明不能代替更正，已忽略该说明"
MISTYPED = "核实说明“{rule}”“{cell}”与提示所列“{want_rule}”“{want_cell}”写法不同，未计入：请照抄"
#: What a clerk's typing adds to a rule or cell (spaces, the IME's full-width ！, Excel's $ and
#: quotes): ignored only to say which reason missed; matching stays exact, as the 校验 sheet's.
_LOOSE = str.maketrans({"！": "!", "$": None, "'": None, " ": None, "\u3000": None, "\t": None, "\n": None})


@dataclass(frozen=True)
class Reason:
    """One 核实说明: the rule id, the cell as a finding names it, and the clerk's text."""

    rule: str
    cell: str
    text: str

    @property
    def key(self) -> tuple[str, str]:
        """Rule and cell as the 校验 sheet's formulas compare them: exactly, but for case."""
        return key(self.rule, self.cell)


def key(rule: str, cell: str) -> tuple[str, str]:
    return (rule.casefold(), cell.casefold())


def reason(rule: object, cell: object, text: object) -> Reason | None:
    """A reason from what a clerk typed (any cell values), or None when a part is empty. Nothing
    is trimmed: the 校验 sheet's formulas match what the cells hold, and so does Python."""
    parts = [_typed(v) for v in (rule, cell, text)]
    if not all(parts):
        return None
    return Reason(parts[0], parts[1], parts[2][:MAX_CHARS])


def _typed(value: object) -> str:
    """A cell's value as text: a whole number without ".0" (a reader may give every number as
    a float)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def collect(rows: Iterable[tuple[object, object, object]]) -> tuple[Reason, ...]:
    """The reasons in the first ``MAX_REASONS`` rows of (规则, 单元格, 说明); of two for one rule and
    cell, the later one counts (as the 校验 sheet's lookup finds it)."""
    found: dict[tuple[str, str], Reason] = {}
    for _, row in zip(range(MAX_REASONS), rows, strict=False):
        one = reason(*row)
        if one is not None:
            found.pop(one.key, None)
            found[one.key] = one
    return tuple(found.values())


def explain(findings: list[Finding], reasons: Iterable[Reason], places: list[str] | None = None
            ) -> tuple[list[Finding], list[str]]:
    """The findings with each warning that has a reason carrying it (``Finding.explanation``),
    and a note for each reason given on an error (ignored: errors cannot be explained away).
    ``places``, one per finding, is the cell each names in a workbook (default: its ``ref``)."""
    by_key = {r.key: r.text for r in reasons}
    out: list[Finding] = []
    notes: list[str] = []
    for i, f in enumerate(findings):
        text = by_key.get(key(f.rule, places[i] if places else f.ref)) if by_key else None
        if text is None:
            out.append(f)
        elif f.severity is Severity.WARNING:
            out.append(replace(f, explanation=text))
        else:
            note = ON_ERROR.format(ref=places[i] if places else f.ref, rule=f.rule)
            if note not in notes:
                notes.append(note)
            out.append(f)
    return out, notes + _mistyped(out, reasons, places)


def _loose(rule: str, cell: str) -> tuple[str, str]:
    return key(rule.translate(_LOOSE), cell.translate(_LOOSE))


def _mistyped(found: list[Finding], reasons: Iterable[Reason], places: list[str] | None) -> list[str]:
    """A note for each reason that names an open warning but for what typing added (a space,
    ！ for !, $B$3): the clerk meant it, and would otherwise never learn why it did not count."""
    wanted = {_loose(f.rule, places[i] if places else f.ref): (f.rule, places[i] if places else f.ref)
              for i, f in enumerate(found) if f.severity is Severity.WARNING and f.explanation is None}
    notes = []
    for r in reasons:
        hit = wanted.get(_loose(r.rule, r.cell))
        if hit is not None and r.key != key(*hit):
            notes.append(MISTYPED.format(rule=r.rule, cell=r.cell, want_rule=hit[0], want_cell=hit[1]))
    return notes
