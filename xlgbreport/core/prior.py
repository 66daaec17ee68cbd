"""Last year's report as an input to this year's: what carries over, and what changed.

Pure core: it takes reports and gives values, knowing nothing of files. Two quantities of a
report are last year's by definition: 二、上年结转 is last year's 四、结转下年度继续办理, column by
column, each row found by its role in its own year's format (a 2020 report is in the 2019 trial
format, 2021's in the new one); 现行有效件数 follows from last year's plus 本年制发 minus 本年废止,
which holds only between reports of one format (2019's table 二 has no 现行有效件数). Nothing is
invented: what last year left blank (or not a number) stays blank for the clerk to fill.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..errors import InputError, Message
from .gb2021 import PROACTIVE, REQUESTS, SCHEMA
from .model import Number, Report, ReportView, Value, is_number
from .tables import CellKey, Role, Row, Schema

#: 四、结转下年度继续办理 → next year's 二、上年结转, in the template's format.
CARRIED_FROM = REQUESTS.role(Role.CARRIED_FORWARD).id
CARRIED_TO = REQUESTS.role(Role.CARRIED_OVER).id
#: Cover fields that stay with the body from one year to the next (year and prior do not).
CARRIED_META: tuple[str, ...] = ("contact", "phone")
NO_YEAR = Message("rollover.no_year", "上年数据没有有效的报告年度，无法生成下一年度的工作簿")


def carried_pairs(schema: Schema = SCHEMA, last: Schema | None = None
                  ) -> list[tuple[CellKey, CellKey]]:
    """(this year's 二 cell, last year's 四 cell) for every input column of table 三 that both
    years have; ``last`` is last year's format when it is another one."""
    table, before = schema.table(REQUESTS.id), (last or schema).table(REQUESTS.id)
    to, since = table.role(Role.CARRIED_OVER), before.role(Role.CARRIED_FORWARD)
    had = {c.id for c in since.columns}
    return [((table.id, to.id, c.id), (before.id, since.id, c.id))
            for c in to.columns if not c.derived and c.id in had]


def in_force_rows(schema: Schema = SCHEMA) -> tuple[Row, ...]:
    """The rows of table 二 whose 现行有效件数 continues from year to year."""
    return tuple(r for r in schema.table(PROACTIVE.id).with_role(Role.DOCUMENTS)
                 if any(c.id == "in_force" for c in r.columns))


def carry_over(last: Report) -> dict[CellKey, Value]:
    """This year's 二、上年结转 input cells from last year's 四 (the total stays a formula).

    A blank or non-number of last year's gives a blank: a guess would hide the gap."""
    out: dict[CellKey, Value] = {}
    for this_key, last_key in carried_pairs(SCHEMA, last.format.schema):
        value = last.value(last_key)
        out[this_key] = value if is_number(value) else None
    return out


@dataclass(frozen=True)
class Carry:
    """What carrying last year's 四 into an existing workbook's 二 writes, and what it leaves.

    ``numbers``: this year's 二 cells with last year's number; ``left``: this year's 二 cells
    whose last-year cell was blank or not a number, to be left as they are for the clerk."""

    numbers: dict[CellKey, Number]
    left: tuple[CellKey, ...]


def to_carry(last: Report) -> Carry:
    """Only numbers are carried: what is already in the workbook is never replaced by a blank.

    What ``carry-forward`` writes; the button 结转上年数据 applies the same rule."""
    numbers: dict[CellKey, Number] = {}
    left: list[CellKey] = []
    for key, value in carry_over(last).items():
        if is_number(value):
            numbers[key] = value
        else:
            left.append(key)
    return Carry(numbers, tuple(left))


def in_force_key(row_id: str, column: str = "in_force") -> CellKey:
    return (PROACTIVE.id, row_id, column)


def expected_in_force(this: ReportView, last: ReportView, row_id: str) -> Number | None:
    """Last year's 现行有效 + this year's 本年制发 − 本年废止, or None if any is not a number
    or last year's report is in another format (whose table 二 counts other things)."""
    if last.format is not this.format:
        return None
    before, issued, repealed = (last.number(in_force_key(row_id)),
                                this.number(in_force_key(row_id, "issued")),
                                this.number(in_force_key(row_id, "repealed")))
    if before is None or issued is None or repealed is None:
        return None
    return before + issued - repealed


@dataclass(frozen=True)
class YearChange:
    """One quantity this year and last, and the change (None unless both are numbers)."""

    this: Value
    last: Value
    delta: Number | None = field(default=None)


def compare(this: ReportView, last: ReportView) -> dict[CellKey, YearChange]:
    """Every cell of the tables, this year against last, for the narrative (本年 vs 上年, 增减)."""
    out: dict[CellKey, YearChange] = {}
    for key in this.format.schema.keys:
        now, before = this.value(key), last.value(key)
        delta = now - before if is_number(now) and is_number(before) else None
        out[key] = YearChange(now, before, delta)
    return out


def next_year(last: Report) -> Report:
    """Next year's report begun from last year's: the body and contact, year + 1, 二 carried,
    the text kept as a draft to revise. The caller sets ``meta["prior"]`` (where last year is)."""
    if not isinstance(last.year, int):
        raise InputError(None, NO_YEAR)
    meta = {k: last.meta.get(k) for k in CARRIED_META if last.meta.get(k)}
    return Report(org=last.org, year=last.year + 1, cells=dict(carry_over(last)),
                  text=dict(last.text), meta=meta)


def same_org(a: str | None, b: str | None) -> bool:
    """Whether two org names are the same body: written alike (whatever spaces, width or case a
    clerk typed), or alike but for a trailing 人民政府/政府 or a leading parent region
    (:func:`same_body`)."""
    return same_body(a, b)


#: What a body's name may end with or not: 「俵口镇」 is 「俵口镇人民政府」.
GOVERNMENT_SUFFIXES = ("人民政府", "政府")
#: A leading parent region: a name ending in a region's level (「某市」, 「金乡县」), not inside a
#: longer level (「广州」 of 「广州市」), and followed by a name of three characters or more, so
#: that 「新市镇」 keeps its 「新市」.
_PARENT = re.compile(r"^.+?(?:省|自治区|自治州|州|市|地区|盟|自治县|县|旗|区)(?![省市县区州旗盟])(?=.{3})")


def _regions(text: str | None) -> list[str]:
    """A name's forms from the longest to the shortest: normalised, without its government
    suffix, then each leading parent region dropped in turn (「某市某某区」, 「某某区」)."""
    name = normalise(text)
    for suffix in GOVERNMENT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    forms = [name] if name else []
    while name and (parent := _PARENT.match(name)):
        name = name[parent.end():]
        forms.append(name)
    return forms


def org_key(text: str | None) -> str:
    """The shortest form of a name (no parent region, no 人民政府): names of one body share it.
    A key for grouping (consolidation's duplicates); :func:`same_body` is the comparison."""
    forms = _regions(text)
    return forms[-1] if forms else ""


def same_body(a: str | None, b: str | None) -> bool:
    """Whether two names are one body: normalised alike, or one is the other without its
    trailing 人民政府/政府 or a leading parent region (「某市某某区人民政府」 and 「某某区人民政府」;
    「俵口镇」 and 「俵口镇人民政府」). Two different parents (「甲市某某区」, 「乙市某某区」) differ."""
    if normalise(a) == normalise(b):
        return True
    first, second = _regions(a), _regions(b)
    return bool(first and second) and (first[0] in second or second[0] in first)


def renamed(a: str | None, b: str | None) -> bool:
    """Whether two names are one body only once normalised past their spelling (a note names both)."""
    return normalise(a) != normalise(b) and same_body(a, b)


def normalise(text: str | None) -> str:
    """The one normal form org names are compared in, everywhere: NFKC (full-width 「Ａ」 is
    「A」), case-folded, without spaces, zero-width, control or format characters (Unicode
    categories Z*, Cc, Cf), and lone surrogates (bytes of a file name that is not UTF-8)."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] != "Z"
                   and unicodedata.category(c) not in _DROPPED)


_DROPPED = frozenset({"Cc", "Cf", "Cs"})
