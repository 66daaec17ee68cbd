"""The indicators a county office compares bodies by, and the thresholds that colour them.

Pure core: each indicator is a sum of cells, or a ratio of two sums, of one report. A ratio
whose denominator is zero (or not a number) has no value: blank, never 0% or 100%, since a body
that handled no request has no disclosure rate at all. ``THRESHOLDS`` is the one place that
says when a value deserves a look (docs/county.md lists the same values and says why, a
test keeps them in step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .gb2021 import APPEALS, DISCLOSED_ROWS, LITIGATION_ROWS, REQUESTS, REVIEW_ROWS, WITHHELD_ROWS
from .model import Number, ReportView, is_number
from .tables import CellKey, Role

Kind = Literal["count", "rate"]
Level = Literal["watch", "alert"]
_TOTAL = "total"  # the 总计 column of tables 三 and 四
#: 纠错率's denominator: the decided cases (结果维持, 结果纠正, 其他结果), not those pending.
DECIDED = ("upheld", "corrected", "other")
#: A rate whose denominator is below this many cases is shown, not coloured (the peer's rule too).
SMALL_BASE = 30


def _requests(*rows: str) -> tuple[CellKey, ...]:
    return tuple((REQUESTS.id, r, _TOTAL) for r in rows)


def _appeals(rows: tuple[str, ...], columns: tuple[str, ...]) -> tuple[CellKey, ...]:
    return tuple((APPEALS.id, r, c) for r in rows for c in columns)


@dataclass(frozen=True)
class Indicator:
    """A sum of cells (a count) or ``sum(numerator) / sum(denominator)`` (a rate)."""

    id: str
    label: str
    numerator: tuple[CellKey, ...]
    denominator: tuple[CellKey, ...] = ()

    @property
    def kind(self) -> Kind:
        return "rate" if self.denominator else "count"

    def value(self, report: ReportView) -> Number | None:
        """The indicator for one report (a ``Computed`` one is read as it is); None when a cell
        is not a number or the rate's denominator is zero."""
        number = report.computed().number
        top = _sum(number, self.numerator)
        if not self.denominator or top is None:
            return top
        bottom = _sum(number, self.denominator)
        if not bottom:  # None or zero: no rate, not 0% or 100%
            return None
        return Decimal(top) / Decimal(bottom)

    def base(self, report: ReportView) -> Number | None:
        """A rate's denominator (the cases it is built on); None for a count or an unknown cell."""
        return _sum(report.computed().number, self.denominator) if self.denominator else None


def _sum(number: Callable[[CellKey], Number | None], keys: tuple[CellKey, ...]) -> Number | None:
    values = [v for v in map(number, keys) if is_number(v)]
    return sum(values) if len(values) == len(keys) else None


_FINISHED = _requests(REQUESTS.role(Role.RESULTS_TOTAL).id)
INDICATORS: tuple[Indicator, ...] = (
    Indicator("new", "新收申请", _requests(REQUESTS.role(Role.NEW).id)),
    Indicator("finished", "办结", _FINISHED),
    Indicator("carried_forward", "结转下年", _requests(REQUESTS.role(Role.CARRIED_FORWARD).id)),
    Indicator("disclosed_rate", "公开率", _requests(*DISCLOSED_ROWS), _FINISHED),
    Indicator("withheld_rate", "不予公开率", _requests(*WITHHELD_ROWS), _FINISHED),
    Indicator("review_corrected_rate", "复议纠错率", _appeals(REVIEW_ROWS, ("corrected",)),
              _appeals(REVIEW_ROWS, DECIDED)),
    Indicator("litigation_corrected_rate", "诉讼纠错率", _appeals(LITIGATION_ROWS, ("corrected",)),
              _appeals(LITIGATION_ROWS, DECIDED)),
)
INDICATORS_BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}


@dataclass(frozen=True)
class Threshold:
    """A rate at or above ``at_least`` (or below ``below``) is coloured ``level``: 关注 (watch,
    amber) or 预警 (alert, red). ``why`` is the reason a county office is given."""

    indicator: str
    level: Level
    why: str
    at_least: float | None = None
    below: float | None = None

    def hit(self, value: Number | None) -> bool:
        if value is None:
            return False
        if self.at_least is not None:
            return value >= Decimal(str(self.at_least))
        return self.below is not None and value < Decimal(str(self.below))


#: The defaults; a county that wants others changes them here and nowhere else.
THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("disclosed_rate", "watch", "办结的申请中予以公开和部分公开不到一半：请看不予公开、无法提供的理由是否充分",
              below=0.5),
    Threshold("withheld_rate", "watch", "三成以上的申请不予公开：不予公开须有法定理由，值得逐件核对",
              at_least=0.3),
    Threshold("review_corrected_rate", "alert", "复议结案中两成以上被纠正：答复的依据或程序可能有共性问题",
              at_least=0.2),
    Threshold("litigation_corrected_rate", "alert", "诉讼结案中两成以上被纠正：应复盘败诉案件",
              at_least=0.2),
)
LEVEL_LABELS: dict[Level, str] = {"watch": "关注", "alert": "预警"}


def small(base: Number | None) -> bool:
    """Whether a rate built on ``base`` cases is too small to grade (blank counts as small)."""
    return base is None or base < SMALL_BASE


def level(indicator: str, value: Number | None, base: Number | None) -> Level | None:
    """The colour a value gets: the first threshold of its indicator that it meets; none for a
    rate on fewer than ``SMALL_BASE`` cases (``base``: its denominator, see ``Indicator.base``)."""
    if INDICATORS_BY_ID[indicator].kind == "rate" and small(base):
        return None
    return next((t.level for t in THRESHOLDS if t.indicator == indicator and t.hit(value)), None)


def change(indicator: Indicator, this: Number | None, last: Number | None) -> Number | None:
    """This year against last: a count's difference, a rate's difference in percentage points."""
    if this is None or last is None:
        return None
    if indicator.kind == "rate":
        return (Decimal(this) - Decimal(last)) * 100
    return this - last
