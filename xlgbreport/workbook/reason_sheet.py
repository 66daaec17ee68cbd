"""The 核实说明 sheet, where the clerk writes a reason beside a warning, and its place in the 校验
sheet: a column that shows each warning row's reason, looked up by rule and cell.

Rows from ``FIRST_ROW`` on hold 规则, 单元格, 说明 (``core.reasons``); written prefilled with the
report's reasons, then its open warnings with 说明 left for the clerk. The sheet is optional:
a workbook without it has no reasons.
"""

from __future__ import annotations

from typing import Any

from ..core.findings import Finding, Severity
from ..core.reasons import MAX_REASONS, Reason, key
from ..core.rules import RULES_BY_ID
from .layout import REASON_FIRST_ROW, REASON_SHEET, Area, xl_rowcol_to_cell

TITLE = "核实说明"
HINT = ("“校验”表或 validate 列出的提示（不是错误）如核实无误，请在“说明”栏写明理由，例如"
        "“核实无误：本年清理废止 12 件”。规则和单元格照抄提示所列（如 text.length、文字说明!B3）。"
        "有说明的提示计为“已说明”；错误不能以说明代替更正。下一年度的工作簿不带入本表。")
HEADERS = ("规则", "单元格", "说明")
FIRST_ROW = REASON_FIRST_ROW
LAST_ROW = FIRST_ROW + MAX_REASONS - 1
#: The defined name of the rows, which the Excel functions take as their ``reasons`` argument.
NAME = "xlg_reasons"
AREA = Area(REASON_SHEET, (FIRST_ROW, 0), (LAST_ROW, len(HEADERS) - 1))


def rows(report_reasons: tuple[Reason, ...], findings: list[Finding]) -> list[tuple[str, str, str]]:
    """What the sheet is written with: the reasons, then each open warning's rule and cell."""
    out = [(r.rule, r.cell, r.text) for r in report_reasons]
    given = {r.key for r in report_reasons}
    for f in findings:
        if f.severity is Severity.WARNING and key(f.rule, f.ref) not in given:
            given.add(key(f.rule, f.ref))
            out.append((f.rule, f.ref, ""))
    return out[:MAX_REASONS]


def write_reason_sheet(ws, filled: list[tuple[str, str, str]], cell_formats) -> None:
    """Fill the sheet; ``cell_formats`` holds the writer's title, note, header and input. Rows a
    clerk fills take the columns' format: no blank cells are written (a reader counts them)."""
    for c, width in enumerate((18, 18, 80)):
        ws.set_column(c, c, width, cell_formats.input)
    ws.merge_range(0, 0, 0, 2, TITLE, cell_formats.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 2, HINT, cell_formats.note)
    ws.set_row(1, 44)
    for j, head in enumerate(HEADERS):
        ws.write_string(2, j, head, cell_formats.header)
    for i, values in enumerate(filled):
        for j, value in enumerate(values):
            if value:
                ws.write_string(FIRST_ROW + i, j, value, cell_formats.input)
    ws.freeze_panes(FIRST_ROW, 0)
    ws.repeat_rows(FIRST_ROW - 1)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def is_warning(rule: str) -> bool:
    found = RULES_BY_ID.get(rule)
    return found is not None and found.severity is Severity.WARNING


def _column(j: int) -> str:
    first = xl_rowcol_to_cell(FIRST_ROW, j, row_abs=True, col_abs=True)
    last = xl_rowcol_to_cell(LAST_ROW, j, row_abs=True, col_abs=True)
    return f"{REASON_SHEET}!{first}:{last}"


def lookup_formula(rule: str, ref: str, status: str, warn: str) -> str:
    """The 校验 sheet's 核实说明 cell of a warning row: the reason for its rule and cell (the
    last one given, blank ones skipped) while the row shows ``warn``, else empty. SUMPRODUCT
    finds the sheet row: plain functions, no array entry, in every spreadsheet application."""
    rule_col, cell_col, text_col = (_column(j) for j in range(len(HEADERS)))
    row = (f'SUMPRODUCT(MAX(({rule_col}="{_quoted(rule)}")*({cell_col}="{_quoted(ref)}")'
           f'*(LEN({text_col})>0)*ROW({text_col})))')
    whole = f"{REASON_SHEET}!$C$1:$C${LAST_ROW + 1}"
    return f'=IF({status}<>"{warn}","",IF({row}=0,"",INDEX({whole},{row})))'


def _quoted(text: str) -> str:
    return text.replace('"', '""')


def shown(reasons: tuple[Reason, ...], rule: str, ref: str, warned: bool) -> Any:
    """What :func:`lookup_formula` shows for a report: its reason, when the row warns."""
    if not warned:
        return ""
    by_key = {r.key: r.text for r in reasons}
    return by_key.get(key(rule, ref), "")
