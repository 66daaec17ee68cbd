"""``import``: published reports (files or a county's archive folder) read into workbooks or
interchange JSON, each with what was found, deduced and left blank, and the rules' findings.

One source may hold two reports (a comparison document); each report is written on its own,
in a folder named by org and year, never over an existing file. An unreadable source is one
Chinese line, and the batch goes on.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .. import errors, logs
from ..actions import sources as files_sources
from ..actions import workbooks
from ..actions.batch import CRASHED, POOL_FROM, pooled
from ..actions.results import Batch, FileResult
from ..core import crosswalk
from ..core.findings import Finding, Severity, summary
from ..core.formats import GB2021
from ..core.model import Report
from ..core.rule_base import plain_value
from ..core.rules import check
from ..core.tables import Schema
from ..errors import InputError, Message, OutputError, XlgbreportError
from ..files import atomic, interchange, paths
from ..files.paths import NAME_BYTES, UNNAMED, safe_name  # noqa: F401 - the names tests and docs know here
from ..workbook import writer as workbook_writer
from . import budget, notes, ocr_check, readers
from .parse import Imported, parse

SUFFIXES = frozenset(readers.SUFFIXES + readers.IMAGE_SUFFIXES)
#: A scan's budget: OCR takes seconds a page (the readers bound its pages and time per page).
SCAN_BUDGET = budget.Budget(seconds=600.0, memory=4096 * 1024 * 1024)
MAX_DEPTH, MAX_FILES, MAX_ENTRIES = 8, 100_000, 1_000_000  # a county's archive, many years
FOLDER_TOO_BIG = Message("import.folder_too_big", "文件夹过大（{kind}超过 {n}），未导入：请分批导入")
TOO_MANY_SAME_NAME = Message("import.too_many_same_name", "输出文件夹中同名文件过多")
FOLDER_LIMITS = {"depth": "层数", "files": "文件数", "entries": "条目数"}
OUTPUT_KINDS = ("xlsx", "json")
ORG_SET = "（机关名称按 --org 设定，标题写作 {title}）"
FORMAT_NAMES = {"gb2021": "2021 年格式（国办公开办函〔2021〕30号）",
                "gb2019": "2019 年试行格式（国办公开办函〔2019〕60号）"}
#: ``log``: where the traceback went (``logs.see``), "" when nowhere.
UNEXPECTED = Message("import.unexpected", "无法读取：文件结构异常，已跳过{log}（请把此文件发给维护人员）")
POOL_CHUNK = 2  # sources per task: a PDF is slow, so spread them finely
HEADLINE = "导入 {files} 个文件：{reports} 份报告，其中 {complete} 份完整无误"
HEADLINE_UNREADABLE = "，{n} 个无法读取"

Progress = Callable[[Iterable[list[FileResult]], int], Iterable[list[FileResult]]]


def _result(source: Path, one: Imported, findings: tuple[Finding, ...], kept: dict,
            output: Path | None, workbook: bool, titled: str | None = None) -> FileResult:
    """One report imported: valid when complete (nothing left blank, deduced or said, no error,
    nothing of the source left out of the output); the clerk's lines as ``notes``, what was found,
    deduced and kept as the action's own JSON keys."""
    report = one.report
    complete = (not one.notes and not one.deduced  # an inference is said, and checked by a person
                and not any(f.severity is Severity.ERROR for f in findings) and not (workbook and kept))
    blank = sum(1 for k in report.format.schema.keys
                if report.cells.get(k) is None and not report.format.schema.is_derived(k))
    extra = {"format": report.format.id, "format_evidence": one.format_evidence, "found": one.found,
             "blank": blank, "deduced": [d.to_dict() for d in one.deduced],
             "import_notes": [n.to_dict() for n in one.notes],
             "kept": {"/".join(k): plain_value(v) for k, v in kept.items()}}
    if isinstance(one, ocr_check.Sourced) and one.cells is not None:
        extra["recognised"] = {"cells": one.recognised, "to_check": one.to_check}
    lines = tuple(_report_lines(source, one, findings, kept, output, blank, titled))
    return FileResult.checked(source, report, findings, notes=lines,
                              output=str(output) if output else None, valid=complete, extra=extra)


def _headline(files: int, results: list[FileResult]) -> str:
    reports = [r for r in results if r.error_code is None]
    unreadable = len(results) - len(reports)
    line = HEADLINE.format(files=files, reports=len(reports), complete=sum(r.valid for r in reports))
    return line + (HEADLINE_UNREADABLE.format(n=unreadable) if unreadable else "")


def read_published(path: str | Path, prior: Report | None = None, *, ocr: bool = True,
                   evidence: bool = False) -> list[Imported]:
    """The reports a published source holds (one, or one per year of a comparison document),
    each with what was found, deduced and left blank. Raises :class:`InputError` (one Chinese
    line) when the file cannot be read. Read in this process: the readers' bounds on size and
    shape hold (:mod:`.limits`), the time and memory budget of :func:`run` (:mod:`.budget`) does not.
    ``prior``, last year's report, may cut a table-二 digit run (:func:`.digits.continued`).
    A scan is read by OCR (unless ``ocr`` is False) and its cells held to the equations
    (:mod:`.ocr_check`); with ``evidence`` each report carries its source for the evidence page."""
    document = readers.read(path, ocr=ocr)
    return [ocr_check.sourced(one, document, keep=evidence) for one in parse(document, prior)]



def collect(sources: Iterable[str | Path]) -> list[Path]:
    """The files named, and the published reports inside folders named (walked as validation
    walks them: bounded, no links followed; a folder that cannot be listed is read, and says
    why)."""
    out: list[Path] = []
    for source in map(Path, sources):
        if not paths.is_dir(source):
            out.append(source)
            continue
        try:
            found = files_sources.walk(source, max_depth=MAX_DEPTH, max_files=MAX_FILES,
                                       max_entries=MAX_ENTRIES, suffixes=SUFFIXES)
        except OSError:
            out.append(source)
            continue
        except files_sources.LimitReached as hit:
            raise InputError(source, FOLDER_TOO_BIG, kind=FOLDER_LIMITS[hit.kind],
                             n=hit.limit) from None
        out += _scans_as_folders(found.files) + [entry for entry, _ in found.unreadable]
    return out


def _scans_as_folders(files: list[Path]) -> list[Path]:
    """Pictures found in a folder are one report, the folder (its pages in name order)."""
    out: list[Path] = []
    for path in files:
        source = path.parent if path.suffix.lower() in readers.IMAGE_SUFFIXES else path
        if source not in out:
            out.append(source)
    return out


def run(sources: Iterable[str | Path], output: str | Path | None, *, to: str | None = None,
        overwrite: bool = False, progress: Progress | None = None, prior: Report | None = None,
        org: str | None = None, evidence: str | Path | None = None) -> Batch:
    """Import every source; write each report to ``output`` (a file for one source, else a
    folder), or nowhere when ``output`` is None (the import report alone). One result per
    report (a comparison document gives two), or per source that could not be read. ``org``
    names the body of every report (the title's name is said beside it): a title may name it
    otherwise than last year's workbook does. With ``evidence``, a page per report showing
    each cell beside its source goes in that folder."""
    sources = list(sources)
    files = collect(sources)
    out = Path(output) if output is not None else None
    explicit = output is not None and paths.means_folder(output)  # as typed: DIR/ is a folder
    folder = out is not None and (len(files) > 1 or any(paths.is_dir(Path(s)) for s in sources)
                                  or explicit or not out.suffix)
    if out is not None and not folder and out.suffix.lower().lstrip(".") not in OUTPUT_KINDS:
        raise OutputError(out, workbooks.UNKNOWN_SUFFIX, suffix=out.suffix,
                          allowed="、".join(f".{k}" for k in OUTPUT_KINDS))
    kind = to or ("xlsx" if folder or out is None else out.suffix.lower().lstrip("."))
    if folder and out is not None:
        paths.output_folder(out, explicit=explicit)
    elif out is not None:
        paths.refuse_input(out, files)
    if evidence is not None:
        paths.output_folder(Path(evidence), explicit=True)
    stream = _each(files, out, folder=folder, kind=kind, overwrite=overwrite, prior=prior,
                   org=(org or "").strip() or None, evidence=Path(evidence) if evidence is not None else None)
    results = [r for rs in (progress(stream, len(files)) if progress else stream) for r in rs]
    return Batch(results, headline=_headline(len(files), results))


def _each(files: list[Path], out: Path | None, *, folder: bool, kind: str,
          overwrite: bool, prior: Report | None = None,
          org: str | None = None, evidence: Path | None = None) -> Iterator[list[FileResult]]:
    """Each source's results, a list a source (for the progress bar)."""
    for path, imported, error in _reads(files, prior, evidence is not None):
        if error is not None:
            yield [FileResult.failed(path, code=error[0], message=error[1])]
            continue
        done = []
        for one in imported:
            titled = one.report.org
            if org is not None:
                one.report.org = org
            target = None
            if out is not None:
                target = _target(out, one, path, folder=folder, several=len(imported) > 1, kind=kind)
            try:
                done.append(_write(path, one, target, kind, overwrite=overwrite and not folder,
                                   titled=(titled or "") if org is not None and titled != org else None))
                if evidence is not None:
                    from .evidence import write_page
                    year = one.report.year if isinstance(one.report.year, int) else "年度不明"
                    write_page(evidence, one, path, f"{safe_name(one.report.org or path.stem)}_{year}_核对")
            except XlgbreportError as exc:
                done.append(FileResult.failed(path, exc))
                break
            except Exception as exc:  # one bad file never stops a batch
                done.append(FileResult.failed(path, code=UNEXPECTED.code,
                                              message=_unexpected(path, exc, "import write")))
                break
        yield done


Read = tuple[Path, list[Imported], tuple[str, str] | None]  # the error as its code and message


def _reads(files: list[Path], prior: Report | None = None, evidence: bool = False) -> Iterator[Read]:
    """Every source read and parsed, in order: in a process pool (as consolidation reads) from
    ``POOL_FROM`` files on, since a PDF takes a good part of a second; written here, in order,
    so that names are chosen one at a time."""
    names = [str(p) for p in files]
    workers = os.cpu_count() or 1
    read_one = functools.partial(_read_one, prior=prior, evidence=evidence)
    if len(names) < POOL_FROM or workers == 1:
        yield from map(read_one, names)
        return
    yield from pooled(read_one, names, workers, _crashed, chunk=POOL_CHUNK)


def _read_one(name: str, prior: Report | None = None, evidence: bool = False) -> Read:
    """One source's reports, or its one line, read in a child under the file's time and memory
    budget (:mod:`.budget`); a scan (a picture, a folder of them, a PDF without text) is read
    again by OCR under :data:`SCAN_BUDGET`. Never raises: a bad file never stops a batch."""
    path = Path(name)
    scan = path.suffix.lower() in readers.IMAGE_SUFFIXES or paths.is_dir(path)
    limit = SCAN_BUDGET if scan else budget.BUDGET
    done = budget.within(lambda: _read_here(path, prior, ocr=scan, evidence=evidence), limit)
    if done.value is not None and done.value[2] is not None and not scan \
            and done.value[2][0] in (errors.PDF_NO_TEXT.code, errors.PDF_PAGES_NO_TEXT.code):
        limit = SCAN_BUDGET
        done = budget.within(lambda: _read_here(path, prior, ocr=True, evidence=evidence), limit)
    if done.value is not None:
        return done.value
    if done.timed_out:
        return path, [], (budget.TIMED_OUT.code,
                          f"{path.name}：" + budget.TIMED_OUT.format(n=f"{limit.seconds:g}"))
    if done.out_of_memory:
        return path, [], (budget.OUT_OF_MEMORY.code,
                          f"{path.name}：" + budget.OUT_OF_MEMORY.format(n=limit.memory >> 20))
    return _crashed(name)


def _read_here(path: Path, prior: Report | None = None, *, ocr: bool = True, evidence: bool = False) -> Read:
    """One source's reports, or its one line, read in this process."""
    try:
        return path, read_published(path, prior, ocr=ocr, evidence=evidence), None
    except XlgbreportError as exc:
        return path, [], (exc.code, exc.message)
    except MemoryError:
        raise  # the budget's line, not a bug's
    except Exception as exc:  # one bad file never stops a batch
        return path, [], (UNEXPECTED.code, _unexpected(path, exc, "import read"))


def _unexpected(path: Path, exc: Exception, doing: str) -> str:
    """The clerk's line for a bug met on one file; its traceback goes to the log it names."""
    return f"{path.name}：" + UNEXPECTED.format(log=logs.see(logs.record(exc, f"{doing} {path}")))


def _crashed(name: str) -> Read:
    return Path(name), [], (CRASHED.code, f"{Path(name).name}：{CRASHED}")


def _write(source: Path, one: Imported, target: Path | None, kind: str, *, overwrite: bool,
           titled: str | None = None) -> FileResult:
    findings = tuple(check(one.report))
    mapped, kept = crosswalk.carry(one.report, GB2021)
    if target is not None:
        if kind == "json":
            atomic.write_text(target, interchange.dumps(one.report) + "\n", overwrite=overwrite)
        else:
            workbook_writer.write(target, mapped, overwrite=overwrite)
    return _result(source, one, findings, kept, target, workbook=target is not None and kind != "json",
                   titled=titled)


def _target(out: Path, one: Imported, source: Path, *, folder: bool, several: bool,
            kind: str) -> Path:
    report = one.report
    year = report.year if isinstance(report.year, int) else "年度不明"
    if not folder:
        return out.with_name(f"{out.stem}_{year}{out.suffix}") if several else out
    base = f"{safe_name(report.org)}_{year}"
    for n in range(1, 10_000):
        name = out / (f"{base}.{kind}" if n == 1 else f"{base}-{n}.{kind}")
        if not name.exists():
            return name
    raise OutputError(source, TOO_MANY_SAME_NAME)


ROWS_MISSING = "{table}未找到 {n} 行（「{first}」至「{last}」）：这些行留空"


def _grouped(found: Iterable[Finding], schema: Schema) -> Iterator[str]:
    """The notes as lines, a table's missing rows said once where they follow one another in
    the table (seed 000 lacks ten in a row)."""
    run_of: list[Finding] = []

    def index(note: Finding) -> int:
        assert note.table is not None and note.row is not None  # a RowMissing note names both
        return [r.id for r in schema.table(note.table).rows].index(note.row)

    def follows(note: Finding) -> bool:
        last = run_of[-1]
        return last.table == note.table and index(note) == index(last) + 1

    def flush() -> Iterator[str]:
        if len(run_of) > 1:
            first, last = run_of[0].args_dict, run_of[-1].args_dict
            yield ROWS_MISSING.format(table=first["table"], n=len(run_of), first=first["row"],
                                      last=last["row"])
        elif run_of:
            yield run_of[0].message
        run_of.clear()

    for note in found:
        if note.rule == notes.RowMissing.id and (not run_of or follows(note)):
            run_of.append(note)
            continue
        yield from flush()
        if note.rule == notes.RowMissing.id:
            run_of.append(note)
        else:
            said_line = note.rule == notes.Unplaced.id  # its message names the line already
            yield note.message + (f"（第 {note.line} 行）" if note.line and not said_line else "")
    yield from flush()


def _report_lines(source: Path, one: Imported, findings: tuple[Finding, ...], kept: dict,
                  output: Path | None, blank: int, titled: str | None = None) -> Iterator[str]:
    """The import report of one report for people, a line each (the command shows them);
    ``titled`` is the title's name when ``--org`` named the body otherwise."""
    report = one.report
    name = FORMAT_NAMES.get(report.format.id, report.format.id)
    where = f" → {output}" if output else ""
    set_by = ORG_SET.format(title=titled or "（未识别）") if titled is not None else ""
    yield (f"{source.name}：{report.org or '（未识别机关）'}{set_by} {report.year or '（未识别年度）'} 年度，"
           f"{name}（{one.format_evidence}）{where}")
    yield f"  读出 {one.found} 格，推断 {sum(len(d.keys) for d in one.deduced)} 格，留空 {blank} 格"
    if isinstance(one, ocr_check.Sourced) and one.cells is not None:
        yield f"  识别 {one.recognised} 格，其中 {one.to_check} 格待核对"
    for d in one.deduced:
        yield f"  推断：{d.message}（第 {d.line} 行）" if d.line else f"  推断：{d.message}"
    for n in _grouped(one.notes, report.format.schema):
        yield f"  ⚠ {n}"
    if kept:
        yield "  2019 年格式独有、未放入 2021 年模板的数：" + "；".join(
            f"{report.format.schema.describe(k)} {plain_value(v)}" for k, v in kept.items())
    for f in findings:
        if f.rule != "value.blank":
            yield f"  [{f.rule}] {f.message}"
    yield "  校验：" + summary(list(findings))
