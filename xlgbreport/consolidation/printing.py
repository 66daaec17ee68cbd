"""How the consolidation's own sheets print: page set-up written into the workbook, so that Excel,
WPS and LibreOffice print the same pages without a clerk touching 页面设置; and the short unit
names the charts label their axis with.

Only standard SpreadsheetML page set-up is used (orientation, paper, fit-to-width, print titles,
print area, row breaks, header and footer): the three applications read all of it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

A4 = 9  # XlsxWriter's paper index
LINE_POINTS = 13.5  # one wrapped line of a 10-point 宋体 cell
FOOTER = "&C&A　第 &P 页，共 &N 页"  # the sheet's name: a loose page says where it belongs
#: The administrative region a name begins with: 省, 市, then 县/区/旗 (each optional, in order).
_REGION = re.compile(r"(?:[^省市县区旗\s]{1,7}省)?(?:[^省市县区旗\s]{1,7}市)?(?:[^省市县区旗\s]{1,7}[县区旗])?")
#: A region's own government: left whole, its "short name" would say nothing.
_GOVERNMENT = ("人民政府", "政府")


def width(text: str) -> int:
    """Columns ``text`` takes in a cell: a Chinese character about two, an ASCII one one."""
    return sum(1 if ord(ch) < 0x2E80 else 2 for ch in text)


def lines(text: str, columns: float) -> int:
    """Lines ``text`` wraps to in a cell ``columns`` wide (a little margin kept)."""
    return max(1, math.ceil(width(text) / max(columns - 1.5, 1)))


def note(ws: Any, row: int, last_col: int, text: str, style: Any, widths: Sequence[float]) -> None:
    """A note across the table's width, wrapped and given the height it needs, so it prints
    whole instead of running past the print area's edge."""
    ws.merge_range(row, 0, row, last_col, text, style)
    ws.set_row(row, LINE_POINTS * lines(text, sum(widths[: last_col + 1])) + 4)


def table(ws: Any, header_row: int, headers: Sequence[str], widths: Sequence[float], *,
          last_row: int, last_col: int) -> None:
    """A wide table's print set-up: landscape A4, one page wide (as many tall as it takes), the
    header row and the first column (机关) on every page, the header row as tall as its longest
    wrapped title, page numbers in the footer; and the same panes frozen on screen."""
    ws.set_row(header_row, LINE_POINTS * max(lines(h, w) for h, w in zip(headers, widths,
                                                                           strict=False)) + 4)
    ws.freeze_panes(header_row + 1, 1)
    ws.set_landscape()
    ws.set_paper(A4)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.repeat_columns(0)
    ws.print_area(0, 0, last_row, last_col)
    ws.set_footer(FOOTER)


def pages(ws: Any, breaks: Sequence[int]) -> None:
    """A sheet printed at 100% on landscape A4, a new page above each row of ``breaks`` (Excel
    ignores row breaks on a sheet fitted to a page count, so none is set here)."""
    ws.set_landscape()
    ws.set_paper(A4)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_h_pagebreaks(list(breaks))
    ws.set_footer(FOOTER)


def region(name: str) -> str:
    """The region ``name`` begins with (``济宁市金乡县``), or "" when it begins with none."""
    found = _REGION.match(name.strip())
    return found.group() if found else ""


def short_names(names: Sequence[str], org: str | None = None) -> list[str]:
    """Each unit's name without the region every unit shares (or the ``org``'s region):
    ``金乡县羊山镇人民政府`` → ``羊山镇人民政府`` in a run of 金乡县's units. A name that would be
    left empty, or only the region's government, or the same as another's, stays whole."""
    common = _common([region(n) for n in names]) if len(names) > 1 else ""
    prefixes = sorted({p for p in (common, region(org or "")) if p}, key=len, reverse=True)
    out = []
    for name in names:
        short = name.strip()
        for prefix in prefixes:
            rest = short[len(prefix):].strip()
            if short.startswith(prefix) and rest and not rest.startswith(_GOVERNMENT):
                short = rest
                break
        out.append(short)
    seen = [out.count(s) for s in out]
    return [s if n == 1 else name for s, n, name in zip(out, seen, names, strict=True)]


def _common(regions: list[str]) -> str:
    """The longest region all of ``regions`` begin with, cut after a whole level (县, 市, 省)."""
    if not regions or not all(regions):
        return ""
    prefix = regions[0]
    for r in regions[1:]:
        while not r.startswith(prefix):
            prefix = prefix[:-1]
    return region(prefix)  # a prefix cut inside a level loses that level
