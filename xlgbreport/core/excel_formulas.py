"""The check rules compiled to native Excel formulas, for the 校验 sheet and conditional formats.

Every formula here is built from a rule's declaration (``rules.Equation`` and friends) and the
layout, never typed by hand; beside each formula is the value Excel would compute for a given
report, so that written workbooks carry totals and verdicts before any recalculation. Tests
evaluate these formulas with an independent engine and compare them with ``rules.check``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from string import Formatter
from typing import Any

from .layout import LAYOUT, Area, Layout, ranges, sum_formula
from .model import Invalid, Report, is_number, parts
from .rules import (
    EQUATION_RULES,
    Equation,
    MetaMissing,
    MetaYear,
    TextLength,
    TextMissing,
    ValueBlank,
    ValueInvalid,
)
from .schema import SCHEMA, TABLES, CellKey, Table

PASS, FAIL, INCOMPLETE, WARN = "✔", "✘", "待填", "提示"
ALL_PASS = "✔ 全部通过"
SUMMARY = "✘ {n} 项未通过"
NO_ERRORS = "✔ 无错误"
WARN_SUMMARY = "，{m} 项提示"
BLANK_SUMMARY = "{table}：{n} 个单元格为空"
INVALID_SUMMARY = "{table}：{n} 个单元格不是有效数字（文本、负数或小数）"
WIDE_SPACES = ("\u3000", "\xa0")  # full-width (Chinese input) and no-break (pasted) spaces


# --- what Excel holds in a cell -----------------------------------------------------

def excel_value(report: Report, key: CellKey) -> Any:
    """What Excel shows in the cell once the template's formulas are calculated."""
    if key in report.cells:
        value = report.cells[key]
        return value.raw if isinstance(value, Invalid) else value
    if parts(key):  # an absent total is the template's SUM formula
        return shown_total(lambda k: excel_value(report, k), key)
    return None


def shown_total(shown: Callable[[CellKey], Any], key: CellKey) -> Any:
    """What the template's SUM formula in a derived cell shows, given what each of the cells it
    reads shows: the numbers among them (blank and text count as 0: SUM skips them)."""
    return sum((v for v in map(shown, parts(key)) if is_number(v)), 0)


def derived_formula(key: CellKey, layout: Layout = LAYOUT) -> str:
    """The template formula of a derived cell (a total)."""
    home = layout.cells[key][0]
    return "=" + sum_formula([layout.cells[k] for k in parts(key)], home)


# --- the 校验 sheet -----------------------------------------------------------------

@dataclass(frozen=True)
class CheckRow:
    """One row of the 校验 sheet: formulas and, for a given report, their values."""

    rule: str
    title: str
    where: str
    expected: str  # formula
    actual: str  # formula
    status: str  # formula giving PASS, FAIL or INCOMPLETE
    message: str  # formula giving the Chinese message when FAIL
    values: Callable[[Report], tuple[Any, Any, str, str]]  # (expected, actual, status, message)
    highlight: tuple[CellKey, ...] = ()
    failing: str = ""  # condition formula on the highlighted cells' sheet, for red fill


def _sum(keys: tuple[CellKey, ...], home: str, layout: Layout) -> str:
    return sum_formula([layout.cells[k] for k in keys], home)


def _text_expr(template: str, args: dict[str, str]) -> str:
    """A message template as an Excel string expression: literals joined with ``&`` to args."""
    pieces = []
    for literal, name, _spec, _conv in Formatter().parse(template):
        if literal:
            pieces.append('"' + literal.replace('"', '""') + '"')
        if name is not None:
            pieces.append(args[name])
    return "&".join(pieces)


def _equation_row(eq: Equation, home: str, layout: Layout) -> CheckRow:
    support = eq.support
    count = f"COUNT({','.join(ranges([layout.cells[k] for k in support], home))})"
    expected = _sum(eq.expected, home, layout)
    actual = _sum(eq.actual, home, layout)
    args = {name: ('"' + arg.replace('"', '""') + '"' if isinstance(arg, str)
                   else _sum(arg, home, layout)) for name, arg in eq.args}
    status = (f'IF({count}<{len(support)},"{INCOMPLETE}",'
              f'IF({expected}={actual},"{PASS}","{FAIL}"))')
    message = _text_expr(eq.rule.template, args)
    eq_sheet = layout.cells[eq.at][0]
    failing = (f"AND({_count_local(support, eq_sheet, layout)}={len(support)},"
               f"{_sum(eq.expected, eq_sheet, layout)}<>{_sum(eq.actual, eq_sheet, layout)})")

    def values(report: Report) -> tuple[Any, Any, str, str]:
        xs = [excel_value(report, k) for k in eq.expected]
        ys = [excel_value(report, k) for k in eq.actual]
        e = sum((x for x in xs if is_number(x)), 0)
        a = sum((y for y in ys if is_number(y)), 0)
        if not all(is_number(excel_value(report, k)) for k in support):
            return e, a, INCOMPLETE, ""
        found = eq.evaluate(report)
        return e, a, (FAIL if found else PASS), (found.message if found else "")

    return CheckRow(eq.rule.id, eq.rule.title, layout.a1(eq.at), "=" + expected, "=" + actual,
                    "=" + status, f'=IF({_cell("status")}="{FAIL}",{message},"")', values,
                    eq.highlight, failing)


def _count_local(keys: tuple[CellKey, ...], home: str, layout: Layout) -> str:
    return f"COUNT({','.join(ranges([layout.cells[k] for k in keys], home))})"


def table_areas(table: Table, layout: Layout = LAYOUT) -> list[Area]:
    """The value cells of a table as rectangles (one per row), for COUNTBLANK and formats."""
    out = []
    for row in table.rows:
        cells = [layout.cells[(table.id, row.id, c.id)] for c in row.columns]
        out.append(Area(cells[0][0], cells[0][1], cells[-1][1]))
    return _merge_rows(out)


def _merge_rows(areas: list[Area]) -> list[Area]:
    """Stack rows of equal width into taller rectangles (D5:J29 rather than 25 rows)."""
    merged: list[Area] = []
    for a in areas:
        prev = merged[-1] if merged else None
        if (prev and prev.sheet == a.sheet and prev.first[1] == a.first[1]
                and prev.last[1] == a.last[1] and prev.last[0] + 1 == a.first[0]):
            merged[-1] = Area(a.sheet, prev.first, a.last)
        else:
            merged.append(a)
    return merged


def _blank_row(table: Table, layout: Layout) -> CheckRow:
    areas = table_areas(table, layout)
    count = "+".join(f"COUNTBLANK({a.ref()})" for a in areas)
    message = _text_expr(BLANK_SUMMARY, {"table": f'"{table.sheet}"', "n": _cell("expected")})

    def values(report: Report) -> tuple[Any, Any, str, str]:
        n = sum(1 for f in ValueBlank().check(report) if f.table == table.id)
        return n, 0, (FAIL if n else PASS), (BLANK_SUMMARY.format(table=table.sheet, n=n) if n else "")

    return CheckRow(ValueBlank.id, ValueBlank.title, table.sheet, "=" + count, "=0",
                    f'=IF({_cell("expected")}>0,"{FAIL}","{PASS}")',
                    f'=IF({_cell("status")}="{FAIL}",{message},"")', values)


def _invalid_count(area: Area, whole: bool) -> str:
    ref = area.ref()
    # ISTEXT()*1 rather than --ISTEXT(): the same in Excel, and right in engines that miss --.
    texts = f"SUMPRODUCT(ISTEXT({ref})*1)"
    count = f"{texts}+COUNTIF({ref},\"<0\")"
    if whole:  # fractions counted only without text: INT() would turn "12" into 12 in some apps
        count += f"+IF({texts}>0,0,IFERROR(SUMPRODUCT(ISNUMBER({ref})*({ref}<>INT({ref}))),0))"
    return count


def _is_amount_area(table: Table, area: Area, layout: Layout) -> bool:
    return any(layout.cells[k][1] == area.first and k[2] == "amount" for k in _keys(table))


def _invalid_row(table: Table, layout: Layout) -> CheckRow:
    areas = table_areas(table, layout)
    count = "+".join(_invalid_count(a, not _is_amount_area(table, a, layout)) for a in areas)
    message = _text_expr(INVALID_SUMMARY, {"table": f'"{table.sheet}"', "n": _cell("expected")})

    def values(report: Report) -> tuple[Any, Any, str, str]:
        """What the formula counts: problems in what the cells *show*, computed totals included
        (a negative part makes its total negative). Its ✔/✘ is ValueInvalid's verdict; the
        formula-equivalence tests check both against the engine."""
        n = 0
        for area in areas:
            keys = [k for k in _keys(table) if _inside(layout.cells[k], area)]
            vals = [excel_value(report, k) for k in keys]
            n += sum(1 for v in vals if isinstance(v, str))
            n += sum(1 for v in vals if is_number(v) and v < 0)
            if not _is_amount_area(table, area, layout) and not any(isinstance(v, str) for v in vals):
                n += sum(1 for v in vals if is_number(v) and v != int(v))
        return n, 0, (FAIL if n else PASS), (INVALID_SUMMARY.format(table=table.sheet, n=n) if n else "")

    return CheckRow(ValueInvalid.id, ValueInvalid.title, table.sheet, "=" + count, "=0",
                    f'=IF({_cell("expected")}>0,"{FAIL}","{PASS}")',
                    f'=IF({_cell("status")}="{FAIL}",{message},"")', values)


def _meta_rows(layout: Layout) -> list[CheckRow]:
    labels = {f.id: f.label for f in SCHEMA.meta}
    rows = []
    for fid in ("org", "year"):
        sheet, pos = layout.meta[fid]
        ref = Area(sheet, pos, pos).ref()
        message = MetaMissing.template.format(field=labels[fid])

        def values(report: Report, fid: str = fid):
            found = [f for f in MetaMissing().check(report) if f.args_dict["field"] == labels[fid]]
            return None, None, (FAIL if found else PASS), (found[0].message if found else "")

        test = _only_spaces(ref) if fid == "org" else f"ISBLANK({ref})"
        rows.append(CheckRow(MetaMissing.id, MetaMissing.title, ref.replace("$", ""), "", "",
                             f'=IF({test},"{FAIL}","{PASS}")',
                             f'=IF({_cell("status")}="{FAIL}","{message}","")', values))
    sheet, pos = layout.meta["year"]
    ref = Area(sheet, pos, pos).ref()
    ok = f"AND({ref}=INT({ref}),{ref}>={MetaYear.FIRST},{ref}<={MetaYear.LAST})"
    year_label = labels["year"]

    def year_values(report: Report):
        if report.year is None:
            return None, None, INCOMPLETE, ""
        found = list(MetaYear().check(report))
        return None, None, (FAIL if found else PASS), (found[0].message if found else "")

    message = _text_expr(MetaYear.template, {"field": f'"{year_label}"', "value": ref})
    rows.append(CheckRow(MetaYear.id, MetaYear.title, ref.replace("$", ""), "", "",
                         f'=IF(ISBLANK({ref}),"{INCOMPLETE}",IF(ISNUMBER({ref}),'
                         f'IF({ok},"{PASS}","{FAIL}"),"{FAIL}"))',
                         f'=IF({_cell("status")}="{FAIL}",{message},"")', year_values))
    return rows


def _text_rows(layout: Layout) -> list[CheckRow]:
    """text.missing on the report alone: a section empty or only "无" (a warning)."""
    rule = TextMissing()
    labels = {f.id: f.label for f in SCHEMA.text}
    rows = []
    for section in rule.SECTIONS:
        sheet, pos = layout.text[section]
        ref = Area(sheet, pos, pos).ref()
        text = _squeezed(ref, rule.SPACES)
        nothing = ",".join(f'{text}="{t}"' for t in sorted(rule.NOTHING_TEXTS))
        empty_msg = rule.template.format(section=labels[section], problem=rule.EMPTY)
        head, tail = rule.NOTHING.split("{text}")
        nothing_msg = _text_expr(rule.template, {
            "section": f'"{labels[section]}"',
            "problem": f'"{head}"&{text}&"{tail}"'})

        def values(report: Report, label: str = labels[section]):
            found = [f for f in rule.check(report) if f.args_dict["section"] == label]
            return None, None, (WARN if found else PASS), (found[0].message if found else "")

        rows.append(CheckRow(rule.id, rule.title, ref.replace("$", ""), "", "",
                             f'=IF(OR(LEN({text})=0,{nothing}),"{WARN}","{PASS}")',
                             f'=IF(LEN({text})=0,"{empty_msg}",'
                             f'IF({_cell("status")}="{WARN}",{nothing_msg},""))', values))
    return rows + [_length_row(layout)]


def _length_row(layout: Layout) -> CheckRow:
    """text.length: 一 counted as ``TextLength`` counts it (no spaces, no control characters)."""
    rule = TextLength()
    sheet, pos = layout.text[rule.SECTION]
    ref = Area(sheet, pos, pos).ref()
    count = f"LEN({_squeezed(ref, TextMissing.SPACES)})"
    message = _text_expr(rule.template, {"section": f'"{SCHEMA.label(rule.SECTION)}"', "n": count})

    def values(report: Report):
        found = list(rule.check(report))
        return None, None, (WARN if found else PASS), (found[0].message if found else "")

    return CheckRow(rule.id, rule.title, ref.replace("$", ""), "", "",
                    f'=IF({count}>{rule.LIMIT},"{WARN}","{PASS}")',
                    f'=IF({_cell("status")}="{WARN}",{message},"")', values)


def _squeezed(ref: str, spaces: tuple[str, ...]) -> str:
    """The text without ``spaces`` and control characters (CLEAN), as ``TextMissing.squeeze``."""
    text = f"CLEAN({ref})"
    for space in spaces:
        text = f'SUBSTITUTE({text},"{space}","")'
    return text


def check_summary(failed: int, warned: int) -> str:
    """The 校验 sheet's headline for so many failing and warning rows."""
    head = SUMMARY.format(n=failed) if failed else (NO_ERRORS if warned else ALL_PASS)
    return head + (WARN_SUMMARY.format(m=warned) if warned else "")


def _only_spaces(ref: str) -> str:
    """True when a cell is empty or only white space, as ``str.strip`` sees it: TRIM removes
    only ASCII spaces, so full-width and no-break spaces become spaces and CLEAN drops tabs."""
    text = ref
    for space in WIDE_SPACES:
        text = f'SUBSTITUTE({text},"{space}"," ")'
    return f"LEN(TRIM(CLEAN({text})))=0"


def _keys(table: Table) -> list[CellKey]:
    return [(table.id, r.id, c.id) for r, c in table.cells()]


def _inside(cell: tuple[str, tuple[int, int]], area: Area) -> bool:
    sheet, (r, c) = cell
    return (sheet == area.sheet and area.first[0] <= r <= area.last[0]
            and area.first[1] <= c <= area.last[1])


# Placeholders for same-row references on the 校验 sheet; the writer substitutes the row.
def _cell(column: str) -> str:
    return "{" + column + "}"


def check_rows(home: str, layout: Layout = LAYOUT) -> list[CheckRow]:
    """Every row of the 校验 sheet, in rule order; ``home`` is the 校验 sheet's name."""
    rows = _meta_rows(layout)
    for table in TABLES:
        rows.append(_blank_row(table, layout))
        rows.append(_invalid_row(table, layout))
    for rule in EQUATION_RULES:
        for eq in rule.declared():
            rows.append(_equation_row(eq, home, layout))
    return rows + _text_rows(layout)


def number_for_excel(value: Any) -> Any:
    """Decimals as floats for the file; Excel holds doubles."""
    return float(value) if isinstance(value, Decimal) else value
