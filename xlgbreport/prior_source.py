"""Where last year's report comes from: an explicit path, the 封面 field, or a folder.

Order: a path given explicitly (``--prior``, a file or a folder); else the path or folder named
on the 封面 (``meta["prior"]``, relative to the workbook's own folder); else none. In a folder
the right workbook is the one whose org and year *inside the workbook* are this report's org
and year − 1, never guessed from file names; two such workbooks are an error naming both.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import validation
from .errors import InputError
from .model import Report
from .prior import normalise, same_org
from .schema import SCHEMA

AMBIGUOUS = "上年数据有两份：{first} 和 {second} 都是 {org} {year} 年度的报告，请只保留一份或用 --prior 指定"
NOT_FOUND_IN = "文件夹 {folder} 中没有 {org} {year} 年度的工作簿，跨年度检查已跳过"
NO_KEY = "本年报告缺少机关名称或报告年度，无法在文件夹中查找上年数据，跨年度检查已跳过"
SKIPPED_FILE = "已跳过无法读取的文件 {reason}"
COVER_NOT_FOUND = "封面“{field}”所填的 {named} 不存在"
USING = "上年数据：{path}（{org} {year} 年度）"
SKIPPED = "未提供上年数据，跨年度检查已跳过"


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
    if source.is_dir():
        found = find_in_folder(source, this, this_path, notes)
    else:
        found = source, validation.load(source)
    if found is None:
        return None
    path, report = found
    notes.append(USING.format(path=path, org=report.org or "", year=_year_text(report)))
    return report


def _from_cover(named: str, this_path: Path | None) -> Path:
    path = Path(named).expanduser()
    if not path.is_absolute() and this_path is not None:
        path = Path(this_path).parent / path
    if not path.exists():
        label = next(f.label for f in SCHEMA.meta if f.id == "prior")
        raise InputError(this_path, COVER_NOT_FOUND, field=label, named=named)
    return path


def find_in_folder(folder: Path, this: Report, this_path: Path | None,
                   notes: list[str]) -> tuple[Path, Report] | None:
    """The one workbook in ``folder`` (and below) of the same org for the year before."""
    if not normalise(this.org) or not isinstance(this.year, int):
        notes.append(NO_KEY)
        return None
    own = Path(this_path).resolve() if this_path else None
    matches: list[tuple[Path, Report]] = []
    for path in validation.collect([folder]):
        if own is not None and path.resolve() == own:
            continue
        try:
            report = _load(path.resolve(), *_stamp(path))
        except InputError as exc:
            notes.append(SKIPPED_FILE.format(reason=exc.message))
            continue
        if same_org(report.org, this.org) and report.year == this.year - 1:
            matches.append((path, report))
    if len(matches) > 1:
        raise InputError(None, AMBIGUOUS, first=matches[0][0], second=matches[1][0],
                         org=this.org, year=this.year - 1)
    if not matches:
        notes.append(NOT_FOUND_IN.format(folder=folder, org=this.org, year=this.year - 1))
        return None
    return matches[0]


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=512)
def _load(path: Path, mtime_ns: int, size: int) -> Report:
    """A workbook read once per version: a batch looks in the same folder for every file."""
    return validation.load(path)


def _year_text(report: Report) -> str:
    return "" if report.year is None else str(report.year)
