"""What is summed, and why each input is or is not: never a surprise.

Every status comes from one decision table, :data:`TABLE`: the first row whose test holds for an
input's :class:`Facts` gives its status and whether it is counted. The facts are gathered here
(readable, year, a summary or the consolidating body itself, the same org twice, an identical
copy, errors, warnings open and explained); the table alone turns them into a status, so the
汇总状态 sheet, the batch's JSON and ``frame()`` can never disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..core.model import Report, is_number
from ..core.prior import normalise, org_key
from ..errors import InputError, Message
from .expect import Expected
from .gather import INPUT_KEYS, Entry


class Status(StrEnum):
    SUMMED = "通过"
    WARNED = "有提示未说明"
    INVALID = "有错误（退回）"
    DUPLICATE = "重复"
    COPY = "相同副本"
    WRONG_YEAR = "年度不符"
    UNREADABLE = "无法读取"
    SUMMARY = "汇总表（未计入）"
    MISSING = "未报送"


@dataclass(frozen=True)
class Facts:
    """What the table judges an input (or a listed body with no input) by."""

    missing: bool = False  # on the list, no file
    readable: bool = True
    summary: bool = False  # a consolidation (or the body consolidating) not counted as a unit
    right_year: bool = True
    copy: bool = False  # identical to an input counted before it
    duplicate: bool = False  # the same org as another input, with other numbers
    errors: int = 0
    open_warnings: int = 0
    explained_warnings: int = 0  # warnings with a 核实说明: counted, and 通过 when none is open
    include_invalid: bool = False


@dataclass(frozen=True)
class Row:
    """One row of the decision table: when ``test`` holds, the input has ``status`` and is
    (or is not) in the sums."""

    status: Status
    counted: bool
    test: Callable[[Facts], bool]


#: The one decision table, read top to bottom: the first row that holds decides.
TABLE: tuple[Row, ...] = (
    Row(Status.MISSING, False, lambda f: f.missing),
    Row(Status.UNREADABLE, False, lambda f: not f.readable),
    Row(Status.SUMMARY, False, lambda f: f.summary),
    Row(Status.WRONG_YEAR, False, lambda f: not f.right_year),
    Row(Status.COPY, False, lambda f: f.copy),  # its content is counted once, by its first
    Row(Status.DUPLICATE, False, lambda f: f.duplicate),
    Row(Status.INVALID, True, lambda f: f.errors > 0 and f.include_invalid),
    Row(Status.INVALID, False, lambda f: f.errors > 0),
    Row(Status.WARNED, True, lambda f: f.open_warnings > 0),
    Row(Status.SUMMED, True, lambda f: True),
)


def judge(facts: Facts) -> Row:
    """The table's row for ``facts``: the status and whether it is counted."""
    return next(row for row in TABLE if row.test(facts))


DUPLICATE_OF = "与 {others} 是同一机关，两份都未汇总：请删去其中一份"
COPY_OF = "与 {first} 内容完全相同，按一份处理"
YEAR_IS = "报告年度为 {year}，汇总的是 {target} 年度"
NO_YEAR = "报告年度为空或无效，汇总的是 {target} 年度"
INCLUDED = "有 {n} 处错误，按 --include-invalid 计入汇总"
LEFT_OUT = "有 {n} 处错误，未汇总（加 --include-invalid 可计入）"
NOT_NUMBERS = "{n} 格为空或不是数字，未计入"
NOT_EXPECTED = "不在应报名单中"
IS_SUMMARY = "是汇总工作簿（含 {n} 个单位），不作为单位计入"
IS_OWN = "机关与汇总机关相同，是汇总表，不作为单位计入"
SUMMARY_MEMBERS = "汇总了 {n} 个单位"
HEADLINE = "已汇总 {summed} 份，未汇总 {left} 份{why}"
COPIES = "，另有相同副本 {n} 份按一份计"
SUMMARIES = "，另有汇总表 {n} 份未计入"
#: Not summed, yet nothing for anyone to do: a copy is counted by its first, a summary by its
#: units. They are not 未汇总, and a re-run beside an earlier summary ends as the first run did.
SETTLED = frozenset({Status.COPY, Status.SUMMARY})
MISSING_LINE = "，未报送 {missing} 个单位"
YEARS_DIFFER = "各报告的年度不一致（{counts}），按 {target} 年度汇总；可用 --year 指定"
TWICE = Message("consolidate.counted_twice",
                "{unit} 会被计入两次：{first} 和 {second} 都含有它。请去掉其中一份再汇总")


@dataclass(frozen=True)
class Line:
    """One row of the 汇总状态 sheet: an input, or a body on the list that sent nothing."""

    status: Status
    entry: Entry | None = None
    expected: Expected | None = None
    notes: tuple[str, ...] = ()
    counted: bool = False

    @property
    def settled(self) -> bool:
        """Summed, or needing nothing: an identical copy or a summary (see :data:`SETTLED`)."""
        return self.counted or self.status in SETTLED

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
    listed: bool = False  # a list of bodies was given: 未报送 is meaningful

    @property
    def summed(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.counted)

    def count(self, *statuses: Status) -> int:
        return sum(1 for line in self.lines if line.status in statuses)

    def left_out(self) -> list[str]:
        """One line per input not summed (or summed with a question) and per body missing."""
        out = []
        for line in self.lines:
            if line.status is Status.SUMMED:
                continue
            who = Path(line.entry.path).name if line.entry else line.org
            why = (line.notes or ((line.entry.error,) if line.entry and line.entry.error else ()))
            if why and who and why[0].startswith(f"{who}："):  # the file is named once
                why = (why[0][len(who) + 1:],)
            out.append(f"{who} {line.status.value}" + (f"：{why[0]}" if why else ""))
        return out

    @property
    def headline(self) -> str:
        """How many were summed, left out (and why) and missing, in one line."""
        left = [s for s in Status if s is not Status.MISSING and s not in SETTLED
                and any(line.status is s and not line.counted for line in self.lines)]
        why = "（" + "、".join(
            f"{s.value} {sum(1 for x in self.lines if x.status is s and not x.counted)}"
            for s in left) + "）" if left else ""
        inputs = sum(1 for line in self.lines if line.entry is not None)
        copies = self.count(Status.COPY)
        skipped = sum(1 for line in self.lines if line.status is Status.SUMMARY and not line.counted)
        text = HEADLINE.format(summed=len(self.summed), left=inputs - len(self.summed) - copies - skipped,
                               why=why)
        text += COPIES.format(n=copies) if copies else ""
        text += SUMMARIES.format(n=skipped) if skipped else ""
        return text + (MISSING_LINE.format(missing=self.count(Status.MISSING)) if self.listed else "")

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


def of_summaries(entries: Sequence[Entry], org: str | None) -> bool:
    """A run of summaries (a prefecture's of its counties): every readable input but the
    consolidating body's own is a consolidated workbook."""
    own = normalise(org)
    others = [e for e in entries if e.readable and not (own and normalise(e.org) == own)]
    return bool(others) and all(e.members is not None for e in others)


def decide(entries: Sequence[Entry], year: int | None = None, *,
           expected: Sequence[Expected] = (), include_invalid: bool = False,
           org: str | None = None, summaries: bool | None = None) -> Decision:
    """Each input's status (from :data:`TABLE`), the bodies missing, and the cell-wise sums of
    those counted. Consolidated workbooks count as units only in a run of summaries
    (``summaries``, by default when every input is one); an input whose org is ``org`` never.
    Raises :class:`InputError` when a unit would be counted twice in a run of summaries."""
    summaries = of_summaries(entries, org) if summaries is None else summaries
    own = normalise(org)
    # the year is the units': an earlier summary in the folder is no report of its own
    units = [e for e in entries if e.readable and (summaries or e.members is None)
             and not (own and normalise(e.org) == own)]
    target, year_note = target_year(units or entries, year)
    facts: dict[int, dict] = defaultdict(dict)
    notes: dict[int, list[str]] = defaultdict(list)
    by_org: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        if not e.readable:
            facts[i]["readable"] = False
        elif e.members is not None and not summaries:
            facts[i]["summary"] = True
            notes[i].append(IS_SUMMARY.format(n=len(e.members)))
        elif own and normalise(e.org) == own:
            facts[i]["summary"] = True
            notes[i].append(IS_OWN)
        elif e.year != target:
            facts[i]["right_year"] = False
            text = YEAR_IS if isinstance(e.year, int) else NO_YEAR
            notes[i].append(text.format(year=e.year, target=target))
        elif normalise(e.org):
            by_org[org_key(e.org)].append(i)
    for group in by_org.values():
        if len(group) > 1 and len({entries[i].digest for i in group}) == 1:
            for i in group[1:]:
                facts[i]["copy"] = True
                notes[i].append(COPY_OF.format(first=Path(entries[group[0]].path).name))
        elif len(group) > 1:
            for i in group:
                others = "、".join(Path(entries[j].path).name for j in group if j != i)
                facts[i]["duplicate"] = True
                notes[i].append(DUPLICATE_OF.format(others=others))
    sums: dict = dict.fromkeys(INPUT_KEYS, 0)
    rows: dict[int, Row] = {}
    for i, e in enumerate(entries):
        rows[i] = row = judge(Facts(**facts[i], errors=e.errors, open_warnings=e.warnings,
                                    explained_warnings=e.explained, include_invalid=include_invalid))
        if row.counted:
            if e.errors:
                notes[i].append(INCLUDED.format(n=e.errors))
            if e.members is not None:
                notes[i].append(SUMMARY_MEMBERS.format(n=len(e.members)))
            skipped = add(sums, e.values or ())
            if skipped:
                notes[i].append(NOT_NUMBERS.format(n=skipped))
        elif row.status is Status.INVALID:
            notes[i].append(LEFT_OUT.format(n=e.errors))
    _once([e for i, e in enumerate(entries) if rows[i].counted])
    by_key = {x.key: x for x in expected}
    lines = []
    reported: set[str] = set()
    for i, e in enumerate(entries):
        key = normalise(e.org) or _named(e, by_key)
        if expected and e.readable and key not in by_key and rows[i].status is not Status.SUMMARY:
            notes[i].append(NOT_EXPECTED)
        reported.add(key)
        lines.append(Line(rows[i].status, e, by_key.get(key), tuple(notes[i]), rows[i].counted))
    missing = judge(Facts(missing=True))
    lines += [Line(missing.status, expected=x) for x in expected if x.key not in reported]
    order = {c: n for n, c in enumerate(dict.fromkeys(x.category for x in expected if x.category))}
    lines.sort(key=lambda line: order.get(line.category or "", len(order)))  # grouped by 类别
    counted = any(line.counted for line in lines)
    return Decision(target, tuple(lines), sums if counted else {}, year_note, bool(expected))


def _named(entry: Entry, by_key: dict[str, Expected]) -> str:
    """The listed body an unreadable file is from, by its file name (胡集镇.xlsx is
    胡集镇人民政府's): the one body whose name holds the file's name or is held in it."""
    if entry.readable:
        return ""
    stem = normalise(Path(entry.path).stem)
    found = [k for k in by_key if len(stem) >= 2 and (k in stem or stem in k)]
    return found[0] if len(found) == 1 else ""


def _once(counted: Sequence[Entry]) -> None:
    """Refuse a run that counts a unit twice: directly and inside a summary, or in two."""
    seen: dict[str, Entry] = {}
    for e in counted:
        for name, _digest in e.members if e.members is not None else ((e.org or "", ""),):
            key = normalise(name)
            if not key:
                continue
            if key in seen:
                raise InputError(None, TWICE, unit=name, first=Path(seen[key].path).name,
                                 second=Path(e.path).name)
            seen[key] = e


def add(sums: dict, values: Sequence) -> int:
    """Add one report's input cells (``INPUT_KEYS``' values) into ``sums``; how many cells were not numbers."""
    skipped = 0
    for key, value in zip(INPUT_KEYS, values, strict=True):
        if is_number(value):
            sums[key] += value  # int + Decimal is a Decimal: the fee is summed exactly
        else:
            skipped += 1
    return skipped
