"""Hypothesis strategies for whole reports, shared by tests that need many of them.

``balanced_reports`` hold every equation of ``rules`` by construction; ``reports`` starts from
one and spoils some cells: other numbers, blanks, text, negative or fractional values, and
totals typed over (given explicitly in ``Report.cells``). Fractions are multiples of 1/4, so a
spreadsheet's binary doubles hold them and their sums exactly, like Python's Decimals.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from xlgbreport.core.gb2021 import APPEALS, PROACTIVE, REQUESTS, RESULT_ROWS, SCHEMA, CellKey
from xlgbreport.core.model import Invalid, Report, Value

INPUT_KEYS: tuple[CellKey, ...] = tuple(k for k in SCHEMA.keys if not SCHEMA.is_derived(k))
DERIVED_KEYS: tuple[CellKey, ...] = tuple(k for k in SCHEMA.keys if SCHEMA.is_derived(k))

NAMED_ORGS = st.sampled_from(["胡集镇人民政府", "某某县司法局"])
ORGS = st.one_of(NAMED_ORGS, st.sampled_from([None, "", " ", "\u3000", "\t"]))
YEARS = st.one_of(st.sampled_from([None, 2007, 2008, 2100, 2101]),
                  st.integers(2008, 2100),
                  st.sampled_from([Invalid("二〇二四"), Invalid("2024年")]))
# Text a clerk might type into a number cell.
TEXTS = st.sampled_from(["无", "N/A", "一百", "1,000", " ", "—", "12件"])
# Sections 五 and 六 as written (text.missing passes) and as text.missing flags them.
WRITTEN = {"overview": "本年度依法做好政府信息公开工作。",
           "problems": "主动公开的深度还不够，下一步加强培训。",
           "other_matters": "本年度未收取信息处理费。"}
SECTION_TEXTS = st.one_of(st.sampled_from(list(WRITTEN.values())),
                          st.sampled_from([None, "", " \u3000", "无", " 无。", "暂\n无", "\t暂无。\xa0",
                                           "无需报告", "“无”", "无\u2003"]))
# Not here: text that looks like a number ("-5", "12"). Excel and LibreOffice ignore it in SUM
# and COUNT, as the rules do, but the ``formulas`` engine reads it as a number; the LibreOffice
# test in test_formula_equivalence.py covers it.


def counts(big: bool = False) -> st.SearchStrategy[int]:
    """A count as a clerk types it: mostly small; with ``big``, into the millions."""
    return st.integers(0, 5_000_000) if big else st.integers(0, 60)


def amounts() -> st.SearchStrategy[Value]:
    """A fee in 万元 with up to 6 decimals, as the interchange JSON gives it."""
    return st.one_of(
        st.integers(0, 1_000_000),
        st.builds(lambda units, places: Decimal(units).scaleb(-places),
                  st.integers(0, 10**9), st.integers(1, 6)),
    )


def fractions() -> st.SearchStrategy[Decimal]:
    """A count that is not whole (x.25, x.5, x.75): invalid, yet a number in equations."""
    return st.builds(lambda n, q: Decimal(n) + Decimal(q) / 4, st.integers(0, 1000),
                     st.integers(1, 3))


def bad_values(big: bool = False) -> st.SearchStrategy[Value]:
    """What may stand where a count should: another count, blank, text, negative, fraction."""
    return st.one_of(
        counts(big),
        st.none(),
        st.builds(Invalid, TEXTS),
        st.integers(-1000, -1),
        fractions(),
        st.builds(lambda f: -f, fractions()),
    )


@st.composite
def balanced_reports(draw, big: bool | None = None, typed_totals: bool | None = None) -> Report:
    """A report whose equations all hold: totals absent (computed) or typed in correctly."""
    if big is None:
        big = draw(st.booleans())
    if typed_totals is None:
        typed_totals = draw(st.booleans())
    n = counts(big)
    cells: dict[CellKey, Value] = {}
    for row in PROACTIVE.rows:
        for col in row.columns:
            cells[(PROACTIVE.id, row.id, col.id)] = draw(amounts() if col.kind == "amount" else n)
    for col in REQUESTS.rows[0].columns:
        if col.derived:
            continue
        results = [draw(n) for _ in RESULT_ROWS]
        carried, following = draw(n), draw(n)
        # 一 + 二 = （七）+ 四, with 一 >= 0: take 二 no larger than （七）+ 四.
        carried = min(carried, sum(results) + following)
        new = sum(results) + following - carried
        for row_id, value in zip(RESULT_ROWS, results, strict=True):
            cells[(REQUESTS.id, row_id, col.id)] = value
        cells.update({(REQUESTS.id, "1", col.id): new, (REQUESTS.id, "2", col.id): carried,
                      (REQUESTS.id, "4", col.id): following})
    for row in APPEALS.rows:
        for col in row.columns:
            if not col.derived:
                cells[(APPEALS.id, row.id, col.id)] = draw(n)
    report = Report(org=draw(NAMED_ORGS),
                    year=draw(st.integers(2008, 2100)), cells=cells, text=dict(WRITTEN))
    if typed_totals:
        for key in draw(st.lists(st.sampled_from(DERIVED_KEYS), unique=True, max_size=12)):
            report.cells[key] = report.value(key)
    return report


@st.composite
def reports(draw, max_spoiled: int = 12) -> Report:
    """A balanced report with some cells spoiled and any cover data (the general case)."""
    big = draw(st.booleans())
    report = draw(balanced_reports(big=big))
    keys = st.sampled_from(INPUT_KEYS + DERIVED_KEYS)
    for key in draw(st.lists(keys, unique=True, max_size=max_spoiled)):
        if key[2] == "amount":
            value = draw(st.one_of(amounts(), st.none(), st.builds(Invalid, TEXTS),
                                   st.builds(lambda a: -a, amounts().filter(bool))))
        else:
            value = draw(bad_values(big))
        report.cells[key] = value
    report.org = draw(ORGS)
    report.year = draw(YEARS)
    report.text.update(problems=draw(SECTION_TEXTS), other_matters=draw(SECTION_TEXTS))
    return report
