"""One report's files: a blank template, a new workbook, a report written by its suffix, a
workbook as interchange JSON, and next year's workbook built from last year's (rollover).

The work of the commands ``template``, ``new``, ``export`` and ``rollover`` and of the front
door's ``write``, so that the command line only shows what these return. XlsxWriter (the
template writer) is imported by the functions that write a workbook: ``validate`` never needs it.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from .. import errors
from ..core import prior
from ..core.model import Report
from ..errors import InputError, Message, OutputError
from ..files import atomic, interchange, paths, vba_project
from ..workbook import reader as workbook_reader
from ..workbook.layout import LAYOUT
from . import sources
from .results import FileResult

TEMPLATE_NAME = "xlgbreport-template.xlsx"
FIRST_YEAR = 2008  # the 条例 took effect on 1 May 2008: no report is older
MAX_LISTED = 5  # values named in one message; the rest are counted
MORE = " 等"
#: What ``write`` can write, by suffix; ``new`` also makes an .xlsm (with ``--like``).
REPORT_SUFFIXES = (".json", ".xlsx")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
UNKNOWN_SUFFIX = Message("output.suffix", "扩展名“{suffix}”无法识别：请用 {allowed}")
YEAR_OUT_OF_RANGE = Message("workbook.year", "年度 {year} 不在 {first} 至 {last} 之间：请写四位数的年度")


def _writer():
    """workbook.writer, imported when a workbook is written: XlsxWriter costs ``validate``'s
    start-up as much time as reading a dozen workbooks."""
    from ..workbook import writer as workbook_writer

    return workbook_writer


def refuse_suffix(path: Path, allowed: tuple[str, ...]) -> None:
    """An output whose suffix is not one of ``allowed`` (an .xlsx written under .csv) is refused."""
    if path.suffix.lower() not in allowed:
        raise OutputError(path, UNKNOWN_SUFFIX, suffix=path.suffix or "（无）", allowed="、".join(allowed))


def write(report: Report, path: Path, *, overwrite: bool = False) -> Path:
    """``report`` as interchange JSON (``.json``) or a filled template workbook (``.xlsx``)."""
    refuse_suffix(path, REPORT_SUFFIXES)
    if path.suffix.lower() == ".json":
        atomic.write_text(path, export_json(report) + "\n", overwrite=overwrite)
    else:
        _writer().write(path, report, overwrite=overwrite)
    return path


def template(output: Path | None = None, *, overwrite: bool = False) -> Path:
    """A blank template workbook, by default in the current folder."""
    output = output if output is not None else Path.cwd() / TEMPLATE_NAME
    refuse_suffix(output, (".xlsx",))
    _writer().write(output, overwrite=overwrite)
    return output


def new(output: Path, *, org: str | None = None, year: int | None = None, source: Path | None = None,
        like: Path | None = None, overwrite: bool = False) -> Report:
    """A new workbook: blank with ``org`` and ``year``, or filled from interchange JSON
    ``source``; ``like`` an .xlsm whose macros it keeps. Returns the report written."""
    if source:
        refuse_same(source, output)
    refuse_suffix(output, WORKBOOK_SUFFIXES)
    last = datetime.date.today().year + 1
    if year is not None and not FIRST_YEAR <= year <= last:
        raise InputError(None, YEAR_OUT_OF_RANGE, year=year, first=FIRST_YEAR, last=last)
    report = interchange.load(source) if source else Report()
    if source:
        _writer().refuse_without_template(report, source)
    if org is not None:
        report.org = org
    if year is not None:
        report.year = year
    vba = _vba(like, output)
    _writer().write(output, report, vba=vba, overwrite=overwrite)
    return report


def export_json(report: Report, source: Path | None = None) -> str:
    """``report`` as interchange JSON text; refused when a value has no place in it (text in a
    number cell), naming the first few."""
    bad = interchange.unplaceable(report)
    if bad:
        listed = "、".join(bad[:MAX_LISTED]) + (MORE if len(bad) > MAX_LISTED else "")
        raise InputError(source, errors.NOT_EXPORTABLE, n=len(bad), values=listed)
    return interchange.dumps(report)


def export(workbook: Path, output: Path | None = None, *, overwrite: bool = False) -> str:
    """A workbook as interchange JSON: written to ``output`` when given; the text returned."""
    text = export_json(workbook_reader.read(workbook), workbook)
    if output is not None:
        refuse_same(workbook, output)
        atomic.write_text(output, text + "\n", overwrite=overwrite)
    return text


def rollover(last: Path, output: Path, *, overwrite: bool = False) -> FileResult:
    """Next year's workbook from last year's: org and contacts kept, the year plus one, 二 filled
    from last year's 四, last year's in-force counts beside for reference, the text kept as a
    draft; the 封面 names last year's workbook. ``path`` is last year's, ``output`` the new one."""
    refuse_same(last, output)
    refuse_suffix(output, WORKBOOK_SUFFIXES)
    before = sources.load(last)
    vba = _vba(last, output)
    if os.path.lexists(output) and not overwrite:  # before the work of building it
        raise OutputError(output, errors.OUTPUT_EXISTS)
    report = prior.next_year(before)
    report.meta["prior"] = _relative(last, output.parent)
    reference = {key: before.value(key) for key in LAYOUT.reference}
    _writer().write(output, report, reference=reference, vba=vba, overwrite=overwrite)
    return FileResult.checked(last, report, output=str(output), valid=True)


def _vba(source: Path | None, output: Path) -> vba_project.VbaProject | None:
    """The VBA project to carry from ``source`` (read after the reader's guard), checked against
    the output's type: a macro is never dropped, an .xlsm never lacks one."""
    vba = vba_project.read(source, workbook_reader.guard(source)) if source is not None else None
    vba_project.check_output(source, vba, output)
    return vba


def _relative(path: Path, folder: Path) -> str:
    """``path`` as seen from ``folder`` (how the 封面 names last year's workbook), else absolute."""
    try:
        return os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:  # another drive on Windows
        return str(path.resolve())


def refuse_same(source: Path, output: Path) -> None:
    """An output that is the input itself (by name, link or hard link) is refused before
    anything is read or written."""
    paths.refuse_input(output, (source,))
