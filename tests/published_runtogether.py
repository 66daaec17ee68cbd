"""Published reports as page text really comes: run together, ``|`` rows, one cell per line,
and web pages whose empty cells are real cells, written from a known report's lines of cells
(:func:`published_layouts.lines_of`), so what each file says is known cell by cell.

Layouts (:data:`LAYOUTS`):

- ``glued``: every line and cell joined with nothing (a crawler's or "copy all"'s body);
- ``glued_spaced``: joined with single spaces;
- ``pipes``: a row a line, its cells between `` | ``; ``pipes_filler``: framed by ``|`` with a
  ``|||`` filler after the label; ``fullwidth``: cells between ``｜``;
- ``pipe_per_line``: one cell per line, ending ``|``;
- ``html_empty``: a web page whose 0 cells and totals are empty ``<td></td>`` (the truth then
  has them blank), many of them at a row's end; ``docx_empty``: the project's Word report of
  that blanked report (real table cells, empty ones included).

``joints`` lets a test glue or unglue each joint at random (a space or nothing).
"""

from __future__ import annotations

import html
import random
from pathlib import Path

from published_layouts import lines_of

from xlgbreport.core.model import Report
from xlgbreport.rendering import render

LAYOUTS = ("glued", "glued_spaced", "pipes", "pipes_filler", "fullwidth", "pipe_per_line", "html_empty",
           "docx_empty")
EMPTY_CELLS = ("html_empty", "docx_empty")


def _joined(lines: list[list[str]], joint) -> str:
    cells = [c for line in lines for c in line if c]
    return "".join(c + (joint() if k + 1 < len(cells) else "") for k, c in enumerate(cells))


def text_of(report: Report, layout: str, rng: random.Random | None = None) -> str:
    """The report's text in a text ``layout``; ``rng`` glues or unglues the joints of the run-
    together layouts at random (a space or nothing)."""
    lines = lines_of(report, "rows")
    if layout in ("glued", "glued_spaced"):
        space = " " if layout == "glued_spaced" else ""
        return _joined(lines, (lambda: rng.choice(["", " "])) if rng else (lambda: space))
    if layout == "pipes":
        return "\n".join(" | ".join(cells) for cells in lines) + "\n"
    if layout == "fullwidth":
        return "\n".join("｜".join(cells) for cells in lines) + "\n"
    if layout == "pipes_filler":
        out = []
        for cells in lines:
            labels = [c for c in cells if not _number(c)]
            values = [c for c in cells if _number(c)]
            row = " | ".join(labels) + (" ||| " + " | ".join(values) if values else "")
            out.append(f"| {row} |")
        return "\n".join(out) + "\n"
    if layout == "pipe_per_line":
        return "\n".join(f"{c}|" for cells in lines for c in cells if c) + "\n"
    raise ValueError(layout)


def _number(cell: str) -> bool:
    return cell.replace(".", "", 1).isdigit()


def blanked(report: Report) -> Report:
    """The report with its 0 cells and its totals blank: what a page that leaves zeros and totals
    empty says (「<td>31</td><td>4</td><td></td>…」: a row's last cells empty)."""
    schema = report.format.schema
    cells = {k: (None if report.value(k) == 0 or schema.is_derived(k) else report.value(k)) for k in schema.keys}
    return Report(org=report.org, year=report.year, cells=cells, text=dict(report.text), format=report.format)


def page_with_empty_cells(report: Report) -> str:
    """A web page of the report's lines, every line with two cells or more a table row, its 0
    values and totals written as empty cells (:func:`blanked`)."""
    out = ["<html><head><meta charset=\"utf-8\"></head><body>"]
    in_table = False
    for cells in lines_of(blanked(report), "rows"):
        if len(cells) == 1:
            if in_table:
                out.append("</table>")
                in_table = False
            out.append(f"<p>{html.escape(cells[0])}</p>")
            continue
        if not in_table:
            out.append("<table>")
            in_table = True
        row = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
        out.append(f"<tr>{row}</tr>")
    out.append("</table></body></html>" if in_table else "</body></html>")
    return "\n".join(out)


def write(report: Report, layout: str, folder: Path, name: str) -> Path:
    """The report written in ``layout`` as a file of ``folder``."""
    if layout == "html_empty":
        path = folder / f"{name}_{layout}.html"
        path.write_text(page_with_empty_cells(report), encoding="utf-8")
    elif layout == "docx_empty":
        path = folder / f"{name}_{layout}.docx"
        path.write_bytes(render(blanked(report), "docx"))
    else:
        path = folder / f"{name}_{layout}.txt"
        path.write_text(text_of(report, layout), encoding="utf-8")
    return path
