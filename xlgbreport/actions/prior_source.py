"""Where last year's report comes from: an explicit path, the 封面 field, or a folder.

Order: a path given explicitly (``--prior``, a file or a folder); else the path or folder named
on the 封面 (``meta["prior"]``, relative to the workbook's own folder); else none. In a folder
the right workbook is the one whose org and year *inside the workbook* are this report's org
and year − 1, never guessed from file names; two such workbooks are an error naming both. Orgs
are compared as :func:`~xlgbreport.core.prior.same_body` compares them (a parent region or
人民政府 optional), and a match made so is noted with both forms.

The 封面 field is whatever a clerk (or anyone) typed, so a folder search is bounded: symlinked
folders are not followed, an entry the system refuses is skipped, and a folder deeper or larger
than the limits below is refused with a note rather than read: ``/`` or ``C:\\`` typed there
must not make validation scan a disk.
Every problem becomes an :class:`InputError`, never an ``OSError``.
"""

from __future__ import annotations

import errno
from functools import lru_cache
from pathlib import Path

from .. import errors
from ..core.gb2021 import SCHEMA
from ..core.model import Report
from ..core.prior import normalise, renamed, same_org
from ..errors import InputError, Message, os_reason
from . import sources

AMBIGUOUS = Message("prior.ambiguous", "上年数据有两份：{first} 和 {second} 都是 {org} {year} 年度的报告，请只保留一份或用 --prior 指定")
NOT_FOUND_IN = "文件夹 {folder} 中没有 {org} {year} 年度的工作簿，跨年度检查已跳过"
NO_KEY = "本年报告缺少机关名称或报告年度，无法在文件夹中查找上年数据，跨年度检查已跳过"
SKIPPED_FILE = "已跳过无法读取的文件 {reason}"
COVER_NOT_FOUND = Message("prior.cover_not_found", "封面“{field}”所填的 {named} 不存在")
USING = "上年数据：{path}（{org} {year} 年度）"
#: A folder's match made by normalising the names (:func:`~xlgbreport.core.prior.same_body`).
RENAMED = "上年数据的机关名称写作 {last}，本年写作 {this}：按同一机关使用"
SKIPPED = errors.NO_PRIOR + "，跨年度检查已跳过"
UNREACHABLE = Message("prior.unreachable", "无法打开 {where}：{reason}")
SKIPPED_ENTRY = "已跳过无法访问的 {path}（{reason}）"
SKIPPED_ENTRIES = "已跳过 {n} 处无法访问的文件或文件夹，如 {path}（{reason}）"
LINK_LOOP = "链接循环"
TOO_BIG = Message("prior.folder_too_big", "文件夹 {folder} 太大（{limit}），没有在其中查找上年数据：请直接填写上年工作簿的路径")
TOO_DEEP = "子文件夹超过 {n} 层"
TOO_MANY_FILES = "工作簿超过 {n} 个"
TOO_MANY_ENTRIES = "文件和文件夹超过 {n} 个"

#: Bounds of a folder search: levels of subfolders, workbooks opened, directory entries looked at.
MAX_DEPTH = 8
MAX_FILES = 500
MAX_ENTRIES = 20_000


def resolve(this: Report, this_path: Path | None, explicit: Path | None,
            notes: list[str] | None = None) -> Report | None:
    """Last year's report for ``this``, or None when no source is named.

    ``notes`` (if given) receives one Chinese line per thing a clerk should know: which file
    was used, files skipped, or why the cross-year checks did not run."""
    notes = [] if notes is None else notes
    source = explicit
    if source is None:
        named = (this.meta.get("prior") or "").strip()
        if not named:
            notes.append(SKIPPED)
            return None
        source = _from_cover(named, this_path)
    source = Path(source)
    try:
        is_dir = source.is_dir()
    except OSError as exc:  # e.g. a folder the system will not even stat
        raise InputError(None, UNREACHABLE, where=source, reason=_why(exc)) from None
    if is_dir:
        found = find_in_folder(source, this, this_path, notes)
    else:
        found = source, sources.load(source)
    if found is None:
        return None
    path, report = found
    notes.append(USING.format(path=path, org=report.org or "", year=_year_text(report)))
    if renamed(report.org, this.org):  # validate's prior.renamed says it too; carry-forward by this
        notes.append(RENAMED.format(last=report.org, this=this.org))
    return report


def cover_path(named: str, this_path: Path | None) -> Path:
    """Where the 封面 field ``named`` points: relative to the workbook's own folder (when the
    workbook is known), ``~`` expanded. Nothing is checked on disk."""
    path = Path(named)
    try:
        path = path.expanduser()
    except RuntimeError:  # ~someone unknown here: taken as written
        pass
    if not path.is_absolute() and this_path is not None:
        path = Path(this_path).parent / path
    return path


def _from_cover(named: str, this_path: Path | None) -> Path:
    path = cover_path(named, this_path)
    try:
        exists = path.exists()
    except OSError as exc:
        raise InputError(None, UNREACHABLE, where=path, reason=_why(exc)) from None
    if not exists:
        label = next(f.label for f in SCHEMA.meta if f.id == "prior")
        raise InputError(this_path, COVER_NOT_FOUND, field=label, named=named)
    return path


def find_in_folder(folder: Path, this: Report, this_path: Path | None,
                   notes: list[str]) -> tuple[Path, Report] | None:
    """The one workbook in ``folder`` (and below) of the same org for the year before."""
    if not normalise(this.org) or not isinstance(this.year, int):
        notes.append(NO_KEY)
        return None
    own = _resolved(Path(this_path)) if this_path else None
    matches: list[tuple[Path, Report]] = []
    for path in _candidates(folder, notes):
        try:
            real = path.resolve(strict=True)
            stamp = _stamp(real)
        except OSError as exc:  # gone since the scan
            notes.append(SKIPPED_FILE.format(reason=f"{path.name}：{_why(exc)}"))
            continue
        except RuntimeError:  # pathlib's word for a symlink loop (Python < 3.13)
            notes.append(SKIPPED_FILE.format(reason=f"{path.name}：{LINK_LOOP}"))
            continue
        if real == own:
            continue
        try:
            report = _load(real, *stamp)
        except InputError as exc:
            notes.append(SKIPPED_FILE.format(reason=exc.message))
            continue
        if same_org(report.org, this.org) and report.year == this.year - 1:
            matches.append((path, report))
    if len(matches) > 1:  # two that normalise alike are as ambiguous as two written alike
        raise InputError(None, AMBIGUOUS, first=matches[0][0], second=matches[1][0],
                         org=this.org, year=this.year - 1)
    if not matches:
        notes.append(NOT_FOUND_IN.format(folder=folder, org=this.org, year=this.year - 1))
        return None
    return matches[0]


def _candidates(folder: Path, notes: list[str]) -> list[Path]:
    """The workbooks under ``folder``, within the bounds; unreadable subfolders noted."""
    try:
        found = sources.walk(folder, max_depth=MAX_DEPTH, max_files=MAX_FILES,
                                max_entries=MAX_ENTRIES)
    except OSError as exc:  # the folder itself
        raise InputError(None, UNREACHABLE, where=folder, reason=_why(exc)) from None
    except sources.LimitReached as hit:
        limit = {"depth": TOO_DEEP, "files": TOO_MANY_FILES, "entries": TOO_MANY_ENTRIES}[hit.kind]
        raise InputError(None, TOO_BIG, folder=folder, limit=limit.format(n=hit.limit)) from None
    if found.unreadable:
        path, error = found.unreadable[0]
        template = SKIPPED_ENTRY if len(found.unreadable) == 1 else SKIPPED_ENTRIES
        notes.append(template.format(n=len(found.unreadable), path=path, reason=_why(error)))
    return found.files


def _why(exc: OSError) -> str:
    return LINK_LOOP if exc.errno == errno.ELOOP else os_reason(exc)


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=512)
def _load(path: Path, mtime_ns: int, size: int) -> Report:
    """A workbook read once per version: a batch looks in the same folder for every file."""
    return sources.load(path)


def _year_text(report: Report) -> str:
    return "" if report.year is None else str(report.year)
