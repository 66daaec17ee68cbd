"""What is summed, and why each input is or is not: never a surprise.

Order of judgement for one input: unreadable (or not a report of this template) → 无法读取;
another year → 年度不符; the same org as another input → 重复 (both named, neither summed,
unless they are identical copies: then one counts and the other says so); errors → 有错误, left
out unless ``include_invalid``. Bodies on the ``--expect`` list with no input are 未报送.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..core.model import Report, is_number
from ..core.prior import normalise, org_key
from .expect import Expected
from .gather import INPUT_KEYS, Entry


class Status(StrEnum):
    SUMMED = "已汇总"
    INVALID = "有错误"
    DUPLICATE = "重复"
    COPY = "相同副本"
    WRONG_YEAR = "年度不符"
    UNREADABLE = "无法读取"
    MISSING = "未报送"


#: Statuses whose input is in the sums.
COUNTED = frozenset({Status.SUMMED})
DUPLICATE_OF = "与 {others} 是同一机关，两份都未汇总：请删去其中一份"
COPY_OF = "与 {first} 内容完全相同，按一份处理"
YEAR_IS = "报告年度为 {year}，汇总的是 {target} 年度"
NO_YEAR = "报告年度为空或无效，汇总的是 {target} 年度"
INCLUDED = "有 {n} 处错误，按 --include-invalid 计入汇总"
LEFT_OUT = "有 {n} 处错误，未汇总（加 --include-invalid 可计入）"
NOT_NUMBERS = "{n} 格为空或不是数字，未计入"
NOT_EXPECTED = "不在应报名单中"
HEADLINE = "已汇总 {summed} 份，未汇总 {left} 份{why}，未报送 {missing} 个单位"
YEARS_DIFFER = "各报告的年度不一致（{counts}），按 {target} 年度汇总；可用 --year 指定"


@dataclass(frozen=True)
class Line:
    """One row of the 汇总状态 sheet: an input, or a body on the list that sent nothing."""

    status: Status
    entry: Entry | None = None
    expected: Expected | None = None
    notes: tuple[str, ...] = ()

    @property
    def org(self) -> str | None:
        if self.entry is not None and self.entry.org:
            return self.entry.org
        return self.expected.org if self.expected else None

    @property
    def category(self) -> str | None:
        return self.expected.category if self.expected else None


@dataclass(frozen=True)
class Decision:
    year: int | None
    lines: tuple[Line, ...]
    sums: dict = field(default_factory=dict)  # INPUT_KEYS → summed number
    year_note: str | None = None

    @property
    def summed(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.status in COUNTED)

    def count(self, *statuses: Status) -> int:
        return sum(1 for line in self.lines if line.status in statuses)

    def left_out(self) -> list[str]:
        """One line per input not summed and per body missing, for the screen."""
        out = []
        for line in self.lines:
            if line.status in COUNTED:
                continue
            who = Path(line.entry.path).name if line.entry else line.org
            why = (line.notes or ((line.entry.error,) if line.entry and line.entry.error else ()))
            out.append(f"{who} {line.status.value}" + (f"：{why[0]}" if why else ""))
        return out

    @property
    def headline(self) -> str:
        """How many were summed, left out (and why) and missing, in one line."""
        left = [s for s in Status if s not in (Status.SUMMED, Status.MISSING) and self.count(s)]
        why = "（" + "、".join(f"{s.value} {self.count(s)}" for s in left) + "）" if left else ""
        return HEADLINE.format(summed=self.count(Status.SUMMED), left=self.count(*left), why=why,
                               missing=self.count(Status.MISSING))

    def report(self, org: str) -> Report:
        """The sum as a report of ``org``: input cells only, so the totals are the template's
        formulas over them; the text sections are left for the county to write."""
        return Report(org=org, year=self.year, cells=dict(self.sums))


def target_year(entries: Sequence[Entry], given: int | None) -> tuple[int | None, str | None]:
    """The year consolidated: ``given``, else the inputs' most common year (the latest of a
    tie); a note when the inputs disagree."""
    counts = Counter(e.year for e in entries if e.readable and isinstance(e.year, int))
    if given is not None:
        return given, None
    if not counts:
        return None, None
    top = max(counts.values())
    year = max(y for y, n in counts.items() if n == top)
    if len(counts) == 1:
        return year, None
    shown = "、".join(f"{y} 年 {n} 份" for y, n in sorted(counts.items()))
    return year, YEARS_DIFFER.format(counts=shown, target=year)


def decide(entries: Sequence[Entry], year: int | None = None, *,
           expected: Sequence[Expected] = (), include_invalid: bool = False) -> Decision:
    """Each input's status, the bodies missing, and the cell-wise sums of those summed."""
    target, year_note = target_year(entries, year)
    by_org: dict[str, list[int]] = defaultdict(list)
    status: dict[int, Status] = {}
    notes: dict[int, list[str]] = defaultdict(list)
    for i, e in enumerate(entries):
        if not e.readable:
            status[i] = Status.UNREADABLE
        elif e.year != target:
            status[i] = Status.WRONG_YEAR
            text = YEAR_IS if isinstance(e.year, int) else NO_YEAR
            notes[i].append(text.format(year=e.year, target=target))
        elif normalise(e.org):
            by_org[org_key(e.org)].append(i)
    for group in by_org.values():
        if len(group) > 1 and len({entries[i].digest for i in group}) == 1:
            for i in group[1:]:
                status[i] = Status.COPY
                notes[i].append(COPY_OF.format(first=Path(entries[group[0]].path).name))
        elif len(group) > 1:
            for i in group:
                others = "、".join(Path(entries[j].path).name for j in group if j != i)
                status[i] = Status.DUPLICATE
                notes[i].append(DUPLICATE_OF.format(others=others))
    sums: dict = dict.fromkeys(INPUT_KEYS, 0)
    for i, e in enumerate(entries):
        if i in status:
            continue
        if e.errors and not include_invalid:
            status[i] = Status.INVALID
            notes[i].append(LEFT_OUT.format(n=e.errors))
            continue
        status[i] = Status.SUMMED
        if e.errors:
            notes[i].append(INCLUDED.format(n=e.errors))
        skipped = add(sums, e.values or ())
        if skipped:
            notes[i].append(NOT_NUMBERS.format(n=skipped))
    by_key = {x.key: x for x in expected}
    lines = []
    reported: set[str] = set()
    for i, e in enumerate(entries):
        key = normalise(e.org)
        if expected and e.readable and key not in by_key:
            notes[i].append(NOT_EXPECTED)
        reported.add(key)
        lines.append(Line(status[i], e, by_key.get(key), tuple(notes[i])))
    lines += [Line(Status.MISSING, expected=x) for x in expected if x.key not in reported]
    counted = any(line.status in COUNTED for line in lines)
    return Decision(target, tuple(lines), sums if counted else {}, year_note)


def add(sums: dict, values: Sequence) -> int:
    """Add one report's input cells (``INPUT_KEYS``' values) into ``sums``; how many cells were not numbers."""
    skipped = 0
    for key, value in zip(INPUT_KEYS, values, strict=True):
        if is_number(value):
            sums[key] += value  # int + Decimal is a Decimal: the fee is summed exactly
        else:
            skipped += 1
    return skipped

