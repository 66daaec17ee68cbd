"""Carry last year's 四 into this year's 二: the plan both doors share, and the file edit.

:func:`plan` is the one decision of the command ``carry-forward`` and of the button 结转上年数据:
last year must be the same body and the year before (``prior.mismatch``, the rule ``validate``
applies to the pair), and only numbers are carried (``prior.to_carry``); with nothing to carry,
nothing is written.

:func:`carry_forward` applies the plan to a workbook file through ``files.xlsx_patch``: only the
carried ``<c>`` elements are rewritten (their style kept), and the cached value (``<v>``) of a
total that sums them where the total still holds exactly the template's formula and the sum is
known (the 二 total, J6); ``xl/workbook.xml`` gets ``fullCalcOnLoad="1"`` so Excel and WPS
recalculate the rest (the 校验 sheet) on opening; every other part is copied as it was. The file
is the clerk's, so its environment is respected: a link is followed to the real workbook, a
workbook open in Excel/WPS/LibreOffice (their lock file beside it) or read-only is refused, one
run at a time holds it (``files.atomic``), the new file replaces the old one atomically, and the
old one is kept as ``NAME.xlsx.bak`` (``NAME.xlsx.2.bak`` … when that exists: the original is
never replaced). A file that already holds last year's numbers is not written again.
"""

from __future__ import annotations

import os
import stat
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from .. import errors
from ..core import prior, rules
from ..core.gb2021 import REQUESTS, SCHEMA, CellKey
from ..core.model import Number, Report, Value, below, is_number, parts
from ..errors import InputError, Message, OutputError
from ..files import atomic, xlsx_patch
from ..workbook import names as workbook_names
from ..workbook import reader as workbook_reader
from ..workbook.formulas import derived_formula
from ..workbook.layout import Layout
from . import prior_source

MISMATCH = Message("carry.mismatch", "上年数据与本工作簿不符，未结转：{details}{remedy}")
SKIP_CHECKS_REMEDY = "（确认无误可加 --skip-checks）"
UNSAFE = Message("carry.shared_formula", "{cell} 含共享或数组公式，为免破坏其他单元格未结转，请先清除该公式")
ODD_XML = Message("carry.odd_sheet", "工作表 {sheet} 的格式无法安全改写（{detail}），未结转")
ODD_PART = Message("carry.odd_part", "工作簿的 {part} 无法安全改写（{detail}），未结转")
NOTHING = Message("carry.nothing_to_carry", "上年“{row}”的 {n} 格都为空或不是数字，没有可结转的数，本工作簿未改动")
OPEN_ELSEWHERE = Message("carry.open_elsewhere",
                         "正在 {program} 中打开（旁边有锁定文件 {lock}），未结转：请先关闭它再试；"
                         "确认没有打开（锁定文件是上次异常退出留下的）可加 --skip-checks")
READ_ONLY = Message("carry.read_only", "是只读文件，未结转：请先取消只读属性再试")
NOT_A_FILE = Message("carry.not_a_file", "不是普通文件，未结转")
SHEET_MISSING = "找不到工作表"  # an ODD_XML detail
CHANGED_MEANWHILE = Message("carry.changed_meanwhile", "在结转过程中被其他程序改动，未结转：请关闭其他程序后再试")
#: The lock files Office and LibreOffice leave beside an open workbook, by program.
LOCK_FILES = (("Excel/WPS", "~${name}"), ("LibreOffice", ".~lock.{name}#"))
NO_PRIOR = Message("carry.no_prior", errors.NO_PRIOR + "，未结转：{why}")
#: Why there is no last year's report when the 封面 names none (a ``{why}`` of :data:`NO_PRIOR`).
NO_PRIOR_NAMED = "请在封面“{field}”填写上年工作簿的路径或所在文件夹"


def backup_path(target: Path) -> Path:
    """Where the first backup of ``target`` is kept (the original, never replaced)."""
    return atomic.backup_name(Path(target))


@dataclass(frozen=True)
class Carried:
    """What :func:`carry_forward` did: where the old file is kept (None when the file already
    held these numbers and was not written), the 二 cells written (with last year's numbers),
    the 二 cells left as they were, and the totals whose cached value was brought up to date."""

    backup: Path | None
    numbers: dict[CellKey, Number]
    left: tuple[CellKey, ...]
    totals: tuple[CellKey, ...] = ()


def find_last(this: Report, this_path: Path | None, explicit: Path | None,
              notes: list[str]) -> Report:
    """Last year's report for carrying, found as ``validate`` finds it (``prior_source``);
    :class:`InputError` when there is none, with the reason (taken out of ``notes``)."""
    last = prior_source.resolve(this, this_path, explicit, notes)
    if last is not None:
        return last
    if notes and notes[-1] != prior_source.SKIPPED:
        why = notes.pop()
    else:
        why = NO_PRIOR_NAMED.format(field=next(f.label for f in SCHEMA.meta if f.id == "prior"))
    raise InputError(None, NO_PRIOR, why=why)


def plan(this: Report, last: Report, *, skip_checks: bool = False, remedy: str = SKIP_CHECKS_REMEDY,
         path: Path | None = None) -> prior.Carry:
    """What carrying ``last`` into ``this`` writes; :class:`InputError` when it must not.

    Unless ``skip_checks``, last year's report must be this body's, of the year before, as the rule
    ``prior.mismatch`` judges the pair (a blank 机关名称 of last year's does not match);
    ``remedy`` tells the clerk what to do then. Nothing to carry is refused too."""
    if not skip_checks:
        found = list(rules.PriorMismatch().check(this, last))
        if found:
            raise InputError(path, MISMATCH, details="；".join(f.message for f in found),
                             remedy=remedy)
    decided = prior.to_carry(last)
    if not decided.numbers:
        raise InputError(path, NOTHING, row=REQUESTS.row(prior.CARRIED_FROM).label,
                         n=len(decided.left))
    return decided


def carry_forward(target: Path, last: Report, *, skip_checks: bool = False) -> Carried:
    """Write last year's 四 into ``target``'s 二、上年结转, number by number (:func:`plan`).

    ``skip_checks`` also carries into a workbook whose lock file says it is open elsewhere."""
    target = _editable(Path(target), skip_checks)
    with atomic.locked(target):
        before = os.stat(target)
        decided = plan(workbook_reader.read(target), last, skip_checks=skip_checks, path=target)
        layout = _layout(target)
        with zipfile.ZipFile(target) as zin:
            replaced, dropped, refreshed = _patch(target, zin, layout, decided.numbers)
            if not dropped and all(zin.read(n) == data for n, data in replaced.items()):
                return Carried(None, decided.numbers, decided.left, tuple(refreshed))
            now = os.stat(target)
            if (now.st_mtime_ns, now.st_size, now.st_ino) != \
                    (before.st_mtime_ns, before.st_size, before.st_ino):
                raise OutputError(target, CHANGED_MEANWHILE)
            kept = atomic.backup(target)
            atomic.commit(target, lambda tmp: xlsx_patch.write_package(zin, replaced, dropped, tmp),
                          overwrite=True)
    return Carried(kept, decided.numbers, decided.left, tuple(refreshed))


def _editable(target: Path, skip_checks: bool) -> Path:
    """The real file behind ``target`` (through a link), refused when it is not a regular
    file, is read-only, or (unless ``skip_checks``) is open in Excel, WPS or LibreOffice."""
    real = atomic.real_path(target)
    try:
        mode = os.stat(real).st_mode
    except OSError as exc:
        raise InputError(target, errors.READ_FAILED, detail=errors.os_reason(exc)) from None
    if not stat.S_ISREG(mode):
        raise InputError(target, NOT_A_FILE)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(real, os.W_OK):
        raise OutputError(target, READ_ONLY)
    if not skip_checks:
        for program, lock in open_elsewhere(real):
            raise OutputError(target, OPEN_ELSEWHERE, program=program, lock=lock.name)
    return real


def open_elsewhere(target: Path) -> list[tuple[str, Path]]:
    """The lock files beside ``target`` that say a program has it open, with the program."""
    found = []
    for program, pattern in LOCK_FILES:
        lock = target.with_name(pattern.format(name=target.name))
        if os.path.lexists(lock) and (program, lock) not in found:
            found.append((program, lock))
    return found


def _patch(target: Path, zin: zipfile.ZipFile, layout: Layout,
           numbers: dict[CellKey, Number]) -> tuple[dict[str, bytes], set[str], list[CellKey]]:
    """The parts to replace, the parts to drop, and the totals refreshed."""
    cells = _positions(layout, numbers)
    totals = dependent_totals(layout, numbers)
    sheet_parts = xlsx_patch.sheet_parts(zin)
    replaced: dict[str, bytes] = {}
    refreshed: list[CellKey] = []
    had_formula = False
    for name, values in cells.items():
        part = sheet_parts.get(name)
        if part is None:
            raise InputError(target, ODD_XML, sheet=name, detail=SHEET_MISSING)
        try:
            xml, formula, done = patch_sheet(zin.read(part), values, totals.get(name, []))
        except xlsx_patch.SharedFormula as exc:
            raise InputError(target, UNSAFE, cell=exc.ref) from None
        except xlsx_patch.PatchError as exc:
            raise InputError(target, ODD_XML, sheet=name, detail=exc.detail) from None
        replaced[part] = xml
        had_formula = had_formula or formula
        refreshed += done
    try:
        replaced["xl/workbook.xml"] = xlsx_patch.full_calc_on_load(zin.read("xl/workbook.xml"))
        dropped = xlsx_patch.drop_calc_chain(zin, replaced) if had_formula else set()
    except xlsx_patch.PatchError as exc:
        raise InputError(target, ODD_PART, part="xl/workbook.xml", detail=exc.detail) from None
    return replaced, dropped, refreshed


def patch_sheet(xml: bytes, values: dict[str, Number],
                totals: list[Total]) -> tuple[bytes, bool, list[CellKey]]:
    """A sheet's XML with the carried cells written and the totals over them refreshed;
    whether a formula was overwritten; the totals refreshed."""
    refs = set(values) | {t.ref for t in totals} | {r for t in totals for r in t.parts}
    sheet = xlsx_patch.Sheet(xml, refs)
    for ref, value in values.items():
        sheet.set_number(ref, value)
    done = refresh_totals(sheet, totals, values)
    return sheet.xml(), sheet.had_formula, done


def _layout(target: Path) -> Layout:
    """The workbook's layout, found through its defined names."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import openpyxl  # the carry needs the defined names; validate loads no openpyxl

        wb = openpyxl.load_workbook(target, read_only=True, keep_links=False)
    try:
        return workbook_names.locate(wb)
    finally:
        wb.close()


def _positions(layout: Layout, values: dict[CellKey, Number]) -> dict[str, dict[str, Number]]:
    """The carried values by sheet and A1 cell."""
    out: dict[str, dict[str, Number]] = {}
    for key, value in values.items():
        sheet, (r, c) = layout.cells[key]
        out.setdefault(sheet, {})[xl_rowcol_to_cell(r, c)] = value
    return out


# --- the totals that sum the carried cells: their cached values ----------------------------

@dataclass(frozen=True)
class Total:
    """A template total that sums carried cells: its key, cell, formula (no ``=``), parts' cells."""

    key: CellKey
    ref: str
    formula: str
    parts: tuple[str, ...]


def dependent_totals(layout: Layout, carried: dict[CellKey, Number]) -> dict[str, list[Total]]:
    """By sheet, the derived cells whose template formula reads a carried cell, inner first.
    None at all when one of them sums cells of another sheet (not the template's layout)."""
    out: dict[str, list[Total]] = {}
    found = [k for k in SCHEMA.keys if SCHEMA.is_derived(k) and set(below(k)[1:]) & set(carried)]
    for key in sorted(found, key=lambda k: len(below(k))):  # a part's below() is shorter
        sheet, pos = layout.cells[key]
        if any(layout.cells[k][0] != sheet for k in parts(key)):
            return {}
        out.setdefault(sheet, []).append(Total(
            key, xl_rowcol_to_cell(*pos), derived_formula(key, layout)[1:],
            tuple(xl_rowcol_to_cell(*layout.cells[k][1]) for k in parts(key))))
    return out


def refresh_totals(sheet: xlsx_patch.Sheet, totals: list[Total],
                   carried: Mapping[str, Value]) -> list[CellKey]:
    """Bring the cached value of each total up to date in ``sheet``, where the cell holds
    exactly the template's formula (``Sheet.plain_formula``) and every part is known: a
    carried whole number, or what SUM takes from the cell as the file holds it. Otherwise
    (an error, an uncalculated formula, a fraction, an unusual cell) the total is left for the
    recalculation on opening. Returns the totals updated, inner first."""
    known = {ref: int(v) for ref, v in carried.items()
             if is_number(v) and v == int(v)}
    stale = set(carried) | {t.ref for t in totals}  # changed, or sums of what changed
    done: list[CellKey] = []
    for total in totals:
        if sheet.plain_formula(total.ref) != total.formula:
            continue
        try:
            value = sum(known[ref] if ref in known else _unchanged(sheet, ref, stale)
                        for ref in total.parts)
        except xlsx_patch.Unknown:
            continue
        sheet.set_cached(total.ref, value)
        known[total.ref] = value
        done.append(total.key)
    return done


def _unchanged(sheet: xlsx_patch.Sheet, ref: str, stale: set[str]) -> int:
    if ref in stale:  # changed to something not a whole number, or a total not refreshed
        raise xlsx_patch.Unknown(ref)
    return sheet.summed(ref)
