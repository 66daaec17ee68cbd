"""The front door: one function per action, for programs and for the command line alike.

Each function loads what its action needs when it is called: ``validate`` never pays for
XlsxWriter, Jinja2, the importer's readers or the process pool (``tests/test_startup.py``).
Batch actions return a :class:`~xlgbreport.actions.results.Batch` of
:class:`~xlgbreport.actions.results.FileResult`; problems a caller must handle raise an
:class:`~xlgbreport.errors.XlgbreportError` with a stable ``code``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import errors, logs
from .actions.prior_source import SKIPPED as PRIOR_SKIPPED
from .actions.results import Batch, FileResult
from .core import shown
from .core.findings import Finding, Severity, summary
from .core.model import Report
from .errors import InputError, Message, OutputError, RenderError, XlgbreportError

if TYPE_CHECKING:  # pragma: no cover - imported by the functions that need them
    import pandas

    from .importer.parse import Imported

__all__ = ["PRIOR_SKIPPED", "Batch", "FileResult", "Finding", "Severity", "InputError", "OutputError", "RenderError", "XlgbreportError",
           "build_addin", "carry_forward", "check", "collect", "compare", "consolidate", "errors",
           "excel_doctor", "excel_selftest",
           "export", "frame", "logs", "import_kinds", "import_reports", "iter_validate", "new", "read",
           "read_published", "render", "render_kinds", "rollover", "shown", "summary", "template", "validate",
           "write"]

Progress = Callable[[Iterable[Any], int], Iterable[Any]]
VALIDATED = "校验 {n} 个文件：{valid} 个通过，{invalid} 个有错误，{unreadable} 个无法读取"
RENDERED = "生成 {done} 份报告，{failed} 个文件未生成"
NOTICES = "已写出 {n} 份单位反馈意见和 1 份汇总情况通报 → {folder}"
NO_OUTPUT = Message("consolidate.output", "请给出汇总工作簿的保存位置，或给出要核对的汇总表")


def read(path: str | Path) -> Report:
    """The report in a workbook (judged by its content) or an interchange JSON file.

    Raises :class:`~xlgbreport.errors.InputError` with a code and a Chinese message when it
    cannot be read."""
    from .actions import sources

    return sources.load(Path(path))


def check(report: Report, prior: Report | None = None) -> list[Finding]:
    """Every rule's findings on ``report``, and the cross-year rules' with last year's ``prior``;
    a warning the report's 核实说明 explains carries it (``Finding.explanation``)."""
    from .actions import validation

    return validation.check(report, prior)[0]


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """The workbooks and interchange JSON files that ``paths`` (files and folders) name, in the
    order a batch reads them."""
    from .actions import sources

    return sources.collect(paths)


def iter_validate(paths: Iterable[str | Path], *, prior: str | Path | Report | None = None,
                  reports: bool = True) -> Iterator[FileResult]:
    """An iterator of one :class:`FileResult` per file (folders walked), in order, so memory
    stays flat for any number of files; 8 files or more are read on every core. Last year's
    report is ``prior`` (a report, or a file or folder holding it), else the one the 封面 names.
    ``reports=False`` keeps only each report's org, year and format: faster for a listing."""
    from .actions import validation

    return validation.validate_files(collect(paths), prior, find_prior=True, reports=reports)


def validate(paths: Iterable[str | Path], *, prior: str | Path | Report | None = None) -> Batch:
    """Every file's :class:`FileResult` (see :func:`iter_validate`), as one :class:`Batch`."""
    files = list(iter_validate(paths, prior=prior))
    unreadable = sum(f.failed_to_read for f in files)
    valid = sum(f.valid for f in files)
    return Batch(files, headline=VALIDATED.format(n=len(files), valid=valid, unreadable=unreadable,
                                                  invalid=len(files) - valid - unreadable))


def write(report: Report, path: str | Path, *, overwrite: bool = False) -> Path:
    """``report`` as interchange JSON (``.json``) or a filled template workbook (``.xlsx``); any
    other suffix is refused. Never over an existing file unless ``overwrite``; atomic."""
    from .actions import workbooks

    return workbooks.write(report, Path(path), overwrite=overwrite)


def template(output: str | Path | None = None, *, overwrite: bool = False) -> Path:
    """A blank template workbook at ``output``, by default ``xlgbreport-template.xlsx`` in the
    current folder; returns where it was written."""
    from .actions import workbooks

    return workbooks.template(Path(output) if output is not None else None, overwrite=overwrite)


def new(output: str | Path, *, org: str | None = None, year: int | None = None,
        source: str | Path | None = None, like: str | Path | None = None,
        overwrite: bool = False) -> Report:
    """A new workbook (.xlsx, or .xlsm with ``like``'s macros): blank with ``org`` and ``year``
    (2008 to next year), or filled from the interchange JSON ``source``."""
    from .actions import workbooks

    return workbooks.new(Path(output), org=org, year=year, overwrite=overwrite,
                         source=Path(source) if source is not None else None,
                         like=Path(like) if like is not None else None)


def export(workbook: str | Path, output: str | Path | None = None, *, overwrite: bool = False) -> str:
    """A workbook as interchange JSON text, also written to ``output`` when given; refused when
    a value has no place in JSON (text in a number cell)."""
    from .actions import workbooks

    return workbooks.export(Path(workbook), Path(output) if output is not None else None,
                            overwrite=overwrite)


def rollover(last: str | Path, output: str | Path, *, overwrite: bool = False) -> FileResult:
    """Next year's workbook at ``output`` from last year's ``last``: the result's ``report`` is
    the new year's, its ``output`` the file written."""
    from .actions import workbooks

    return workbooks.rollover(Path(last), Path(output), overwrite=overwrite)


def carry_forward(workbook: str | Path, prior: str | Path, *, skip_checks: bool = False,
                  on_note: Callable[[str], None] | None = None) -> FileResult:
    """Last year's 四 (from ``prior``, a workbook or its folder) into ``workbook``'s 二, nothing
    else changed; the old file kept as a backup. ``skip_checks`` carries despite an org or year
    mismatch or a lock file. ``notes`` say which file was last year's (also given to ``on_note``
    as soon as it is known, so a refusal that follows is not said alone); ``extra`` holds the
    ``backup`` (None when nothing changed), the cells ``carried`` and the columns ``left``."""
    from .actions import carry
    from .core import prior as prior_rows
    from .core.gb2021 import REQUESTS
    from .workbook import reader

    workbook = Path(workbook)
    notes: list[str] = []
    try:
        last = carry.find_last(reader.read(workbook), workbook, Path(prior), notes)
    finally:
        if on_note is not None:
            for note in notes:
                on_note(note)
    done = carry.carry_forward(workbook, last, skip_checks=skip_checks)
    row = REQUESTS.row(prior_rows.CARRIED_TO)
    extra = {"backup": str(done.backup) if done.backup else None, "carried": len(done.numbers),
             "left": [row.column(key[2]).label for key in done.left], "row": row.label,
             "prior_row": REQUESTS.row(prior_rows.CARRIED_FROM).label}
    return FileResult.checked(workbook, last, notes=tuple(notes), output=str(workbook), valid=True,
                              extra=extra)


def consolidate(paths: Iterable[str | Path], output: str | Path | None = None, *,
                org: str | None = None, year: int | None = None, expect: str | Path | None = None,
                units: str | Path | None = None, summaries: bool | None = None,
                prior: str | Path | None = None, include_invalid: bool = False,
                check: str | Path | None = None, scheduler: str | None = None,
                scheduler_timeout: float = 10.0, overwrite: bool = False,
                progress: Progress | None = None, notices: str | Path | None = None) -> Batch:
    """Many bodies' reports summed into the workbook ``output`` of ``org`` (or of the root of
    the ``units`` list: 单位, 类别, 上级), one result per input (valid when summed) and per body
    listed (``expect`` or ``units``) that sent nothing; the batch's ``extra`` holds the totals
    and indicators. Earlier summaries are skipped, unless the run is of summaries
    (``summaries``; by default when every input is one). With ``check``, that summary is compared with the sum instead:
    its findings are in the first result. ``scheduler`` (``tcp://host:port``) reads on a
    dask.distributed cluster, reached within ``scheduler_timeout`` seconds or refused in one line.
    ``notices`` is a folder for the Word notices: one to each unit with problems and the
    county's 汇总情况通报 (the batch's ``extra["notices"]`` lists them)."""
    from .consolidation import gather, run

    if check is None and output is None:
        raise InputError(None, NO_OUTPUT)
    expect_path = Path(expect) if expect is not None else None
    with gather.cluster(scheduler, scheduler_timeout) if scheduler else contextlib.nullcontext() as executor:
        if check is not None:
            return run.check(paths, Path(check), year=year, expect_path=expect_path,
                             units_path=Path(units) if units is not None else None,
                             include_invalid=include_invalid, executor=executor)
        done = run.consolidate(paths, Path(output or ""), org=org, year=year, expect_path=expect_path,
                               units_path=Path(units) if units is not None else None,
                               summaries=summaries, prior=Path(prior) if prior is not None else None,
                               include_invalid=include_invalid, overwrite=overwrite,
                               executor=executor, progress=progress)
    return done if notices is None else _notices(done, Path(notices), overwrite)


def _notices(done: Batch, folder: Path, overwrite: bool) -> Batch:
    """The consolidation's result (every finding of each unit with problems) handed to the
    notices' writer: consolidation and rendering never import each other."""
    from .consolidation import problems
    from .rendering import notices

    written = notices.write(problems.detailed(done), folder, overwrite=overwrite)
    note = NOTICES.format(n=len(written) - 1, folder=shown.terminal(str(folder)))
    return Batch(done.files, (*done.notes, note), done.headline,
                 {**done.extra, "notices": [str(p) for p in written]})


def render_kinds() -> tuple[str, ...]:
    """What :func:`render` makes: docx, html, pdf and md."""
    from . import rendering

    return tuple(rendering.KINDS)


def render(paths: Iterable[str | Path], to: str, *, output: str | Path | None = None,
           prior: str | Path | None = None, template: str | Path | None = None,
           overwrite: bool = False, strict: bool = False) -> Batch:
    """The published report of every file ``paths`` name, as ``to`` (see :func:`render_kinds`):
    one result per file, its ``output`` the file written beside it (or in ``output``), its
    findings the tables' (listed as 待核实); with ``strict`` a file with errors is not rendered."""
    from . import rendering

    files = list(rendering.render_all([Path(p) for p in paths], to, output,  # as typed: -o DIR/
                                      prior=Path(prior) if prior is not None else None,
                                      template=Path(template) if template is not None else None,
                                      overwrite=overwrite, strict=strict))
    failed = sum(f.output is None for f in files)
    return Batch(files, headline=RENDERED.format(done=len(files) - failed, failed=failed))


def compare(this: str | Path, prior: str | Path, to: str, *, output: str | Path | None = None,
            overwrite: bool = False) -> FileResult:
    """This year's report (a workbook or interchange JSON, one body's or a county's sum) against
    last year's ``prior``, as the two-year comparison a leader reads, in ``to`` (see
    :func:`render_kinds`): each official table in both years with the change, the indicators,
    sections 一, 五 and 六 with the sentences carried over from last year marked, and the findings
    of both years and across them. Written beside ``this`` (``X_对比.docx``) or at ``output``; the
    result's findings are this year's with the cross-year ones. A 2019-format last year is
    compared through the crosswalk."""
    from .rendering import compare as comparison

    return comparison.compare_file(Path(this), Path(prior), to,
                                   Path(output) if output is not None else None, overwrite=overwrite)


def import_kinds() -> tuple[str, ...]:
    """What :func:`import_reports` writes into a folder: xlsx or json."""
    from .importer import run

    return tuple(run.OUTPUT_KINDS)


def import_reports(sources: Iterable[str | Path], output: str | Path | None = None, *,
                   to: str | None = None, overwrite: bool = False,
                   progress: Progress | None = None, prior: str | Path | Report | None = None,
                   org: str | None = None, evidence: str | Path | None = None) -> Batch:
    """Published reports (web pages, Word, PDF, text, scans with the ``ocr`` extra, or their
    folders) read into workbooks or interchange JSON at ``output`` (a file for one source, else
    a folder; nowhere when None): one result per report found, valid when complete (nothing left
    blank, deduced or wrong). ``prior`` (last year's report, or its workbook or JSON) lets a
    table-二 digit run be cut where 现行有效 continues from last year's. ``org`` names the body
    instead of the title (the title's name is said beside it). ``evidence``: a folder for one
    HTML page per report showing each cell beside the part of the source it came from."""
    from .importer import run

    last = read(prior) if isinstance(prior, (str, Path)) else prior
    return run.run(sources, output, to=to, overwrite=overwrite, progress=progress, prior=last, org=org,
                   evidence=evidence)


def read_published(path: str | Path, prior: Report | None = None) -> list[Imported]:
    """The reports one published file holds (a comparison document holds two), each with what
    was found, deduced and left blank; raises :class:`InputError` when it cannot be read.
    ``prior``: last year's report, as for :func:`import_reports`."""
    from .importer import run

    return run.read_published(path, prior)


def frame(paths: Iterable[str | Path], *, org: str | None = None, year: int | None = None,
          units: str | Path | None = None, include_invalid: bool = False) -> pandas.DataFrame:
    """Every readable report under ``paths`` in long form, one row a cell, each with the status
    ``consolidate`` gives it (so ``status == '通过'`` is what is summed without question);
    unreadable files in ``df.attrs["problems"]`` (needs pandas)."""
    from .consolidation import detail

    return detail.frame(paths, org=org, year=year, units=Path(units) if units is not None else None,
                        include_invalid=include_invalid)


def excel_doctor(workbook: str | Path | None = None) -> Batch:
    """This computer's Python, xlwings, add-in and trust settings (and ``workbook``'s
    xlwings.conf sheet and macros): one result per check, its note the line (✔, ✘ or ·), valid
    unless something needs doing; the verdict is the headline."""
    from .excel import doctor

    checks = doctor.diagnose(Path(workbook) if workbook is not None else None)
    files = [FileResult(str(workbook or ""), notes=(c.line,), valid=c.mark != doctor.BAD) for c in checks]
    return Batch(files, headline=doctor.verdict(checks))


def excel_selftest(folder: str | Path, *, overwrite: bool = False,
                   app: Callable[[], Any] | None = None) -> Batch:
    """The acceptance test of a new PC: two workbooks with known numbers in ``folder``, the four
    functions and three buttons run in Excel and compared with the command line's results.
    One result per step (its note the ✔/✘ line, valid when it passed); the report file
    (steps and versions, to send back) is each result's ``output``; the verdict is the
    headline. ``app`` starts a stand-in for Excel (tests)."""
    from .excel import selftest

    steps, versions, path = selftest.run(Path(folder), app=app, overwrite=overwrite)
    files = [FileResult(str(folder), notes=(s.line,), valid=s.ok, output=str(path),
                        extra={"versions": versions}) for s in steps]
    return Batch(files, headline=selftest.verdict(steps, path))


def build_addin(output: str | Path, interpreter: str | None = None, *, overwrite: bool = False,
                import_vba: bool | None = None) -> FileResult:
    """The county's add-in (.xlam) at ``output``: ribbon and xlwings.conf sheet, and on Windows
    (or with ``import_vba``) the functions' and buttons' macros imported through Excel."""
    import sys

    from .excel import addin

    output = Path(output)
    if os.path.lexists(output) and not overwrite:  # a name too long: the write says so
        raise OutputError(output, errors.OUTPUT_EXISTS)
    addin.build(output, interpreter, overwrite=overwrite)
    imported = sys.platform.startswith("win") if import_vba is None else import_vba
    if imported:
        addin.import_vba_with_excel(output)
    return FileResult(str(output), output=str(output), valid=True,
                      extra={"tab": addin.TAB, "conf_sheet": addin.CONF_SHEET, "vba_imported": imported})

