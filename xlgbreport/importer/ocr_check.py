"""A scanned report's cells held to the table's equations, and counted apart, after parsing.

The OCR reader gives the parser only numbers read with confidence (:mod:`.readers_ocr`); a
confident misreading is still possible, so every equation of the format that does not hold
(the row and column totals the rules check: ``requests.row_total``, ``requests.balance``,
``requests.results_total``, ``appeals.group_total``) blanks each cell of it that OCR read,
and each is named. Table 二 has no equation: its cells stand on the confidence and form alone.
What OCR read is counted apart for the import report: 「识别 150 格，其中 12 格待核对」.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields

from ..core.findings import Finding
from ..core.rule_base import EquationRule
from ..core.rules import for_format
from ..core.tables import CellKey, where_key
from . import notes
from .document import Document, Recognised
from .parse import Imported


class ToCheck(notes.Note):
    id = "import.ocr_to_check"
    title = "识别待核对"
    template = "第 {page} 页「{row}」的一格识别为「{read}」，把握不足或不是规范的数：留空待核对"


class Rejected(notes.Note):
    id = "import.ocr_rejected"
    title = "识别结果不满足勾稽关系"
    template = "第 {page} 页{cell}识别为 {value}，但所在的「{rule}」不成立：留空待核对"


class Fixed(notes.Note):
    id = "import.ocr_fixed"
    title = "识别时改正的字母"
    template = "第 {page} 页「{read}」按数字读作 {value}（字母 O、l 视为 0、1）"


@dataclass(frozen=True)
class Sourced(Imported):
    """An imported report with its source: the OCR'd cells (``recognised`` counts the number
    cells read, ``to_check`` those not placed as read: unsure, rejected by the equations, or in a
    row or table the parser could not place; ``rejected`` the cells the equations blanked) and,
    when evidence is asked for, the Document itself."""

    recognised: int = 0
    to_check: int = 0
    cells: dict[CellKey, Recognised] | None = None
    rejected: tuple[CellKey, ...] = ()
    document: Document | None = None


def sourced(one: Imported, document: Document, *, keep: bool = False) -> Imported:
    """``one`` checked against its equations when ``document`` is a scan; with ``keep`` the
    document travels with it (for the evidence page)."""
    if not document.recognised:
        return Sourced(**_fields(one), document=document) if keep else one
    report = one.report
    cells = _cells_of(one, document)
    rejected: list[CellKey] = []
    problems: list[Finding] = []
    for rule in for_format(report.format):
        if not isinstance(rule, EquationRule) or rule.needs_prior:
            continue
        for equation in rule.declared(report.format.schema):
            if equation.evaluate(report) is None:
                continue
            for key in equation.expected + equation.actual:
                if key in cells and key not in rejected and report.cells.get(key) is not None:
                    rejected.append(key)
                    problems.append(Rejected.at(document.source, cells[key].line, key,
                                                page=cells[key].page,
                                                cell=report.format.schema.describe(key),
                                                value=report.cells[key], rule=equation.rule.title))
    for key in rejected:
        report.cells.pop(key, None)
        report.where.pop(where_key(key), None)
    numbers = [c for c in document.recognised if c.number]
    labels = {c.line: c.read for c in document.recognised if c.status == "text"}
    key_of = {id(c): k for k, c in cells.items()}
    for c in numbers:
        if c.status == "check":
            problems.append(ToCheck.at(document.source, c.line, key_of.get(id(c)), page=c.page,
                                       row=labels.get(c.line, ""), read=c.read))
        elif c.status == "fixed":
            problems.append(Fixed.at(document.source, c.line, page=c.page, read=c.read, value=c.given))
    placed = sum(1 for key, c in cells.items() if c.status in ("number", "fixed") and key in report.cells)
    to_check = len(numbers) - placed  # read but not placed as read: to check, rejected, or unplaced
    fields = _fields(one)
    fields["notes"] = one.notes + tuple(problems)
    fields["found"] = one.found - len(rejected)
    return Sourced(**fields, recognised=len(numbers), to_check=to_check, cells=cells,
                   rejected=tuple(rejected), document=document if keep else None)


def _fields(one: Imported) -> dict:
    return {f.name: getattr(one, f.name) for f in fields(Imported)}


def _cells_of(one: Imported, document: Document) -> dict[CellKey, Recognised]:
    """Which OCR'd cell each placed cell came from: the keys placed from one line, in the
    format's order, are that line's last cells (a row's values follow its labels)."""
    by_line: dict[int, list[CellKey]] = defaultdict(list)
    for key in one.report.format.schema.keys:
        number = one.report.where.get(where_key(key), "").rpartition(":")[2]
        if number.isdigit():
            by_line[int(number)].append(key)
    read: dict[int, list[Recognised]] = defaultdict(list)
    for cell in document.recognised:
        read[cell.line].append(cell)
    schema = one.report.format.schema
    out: dict[CellKey, Recognised] = {}
    for line, keys in by_line.items():
        rows = {k[:2] for k in keys}
        if len(rows) == 1:  # one row's cells, some maybe left blank: the whole row is mapped
            table, row_id = next(iter(rows))
            keys = [(table, row_id, c.id) for c in schema.table(table).row(row_id).columns]
        cells = sorted(read.get(line, []), key=lambda c: c.cell)
        if len(cells) < len(keys):
            continue
        for key, cell in zip(keys, cells[len(cells) - len(keys):], strict=True):
            out[key] = cell
    return out


__all__ = ["Sourced", "sourced", "ToCheck", "Rejected", "Fixed"]
