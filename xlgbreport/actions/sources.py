"""One way into files: which files a batch names, and the reader each one gets.

Folders are walked with bounds and without following links; a file is read by its content
(a workbook, whatever its name says) or, for ``.json``, as the interchange format.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import errors
from ..core.model import Report
from ..errors import InputError, os_reason
from ..files import interchange
from ..files import paths as paths_
from ..workbook import reader as workbook_reader

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
#: Also collected from folders, so that a clerk hears why they are not read.
REFUSED_SUFFIXES = {".xls", ".et", ".ett", ".ods", ".csv"}


def collect(paths: Iterable[str | Path], *, json: bool = False) -> list[Path]:
    """Files named, and the workbooks inside folders named (not Office's ~$ lock files), with
    ``json`` the interchange files too. Subfolders and entries the system refuses are listed
    too (see :func:`walk`): reading them gives each its one line."""
    out: list[Path] = []
    for p in map(Path, paths):
        if not paths_.is_dir(p):  # a file, or a path the system refuses: reading it says why
            out.append(p)
            continue
        try:
            found = walk(p, json=json)
        except OSError:
            out.append(p)  # the folder itself cannot be listed: reading it says why
            continue
        # subfolders and entries the system refused are read too, so each one says why
        out += sorted(found.files + [entry for entry, _ in found.unreadable])
    return out


class LimitReached(Exception):
    """A bounded :func:`walk` met one of its bounds: ``kind`` is depth, files or entries."""

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__(kind, limit)
        self.kind, self.limit = kind, limit


@dataclass(frozen=True)
class Walk:
    files: list[Path]  # sorted as paths sort
    unreadable: list[tuple[Path, OSError]]  # subfolders (or entries) the system refused


def walk(folder: Path, *, max_depth: int | None = None, max_files: int | None = None,
         max_entries: int | None = None, json: bool = False,
         suffixes: frozenset[str] | None = None) -> Walk:
    """The workbooks (and refused formats) under ``folder``, not Office's ~$ lock files.

    Symlinked folders (and Windows junctions) are not followed, so a link cannot loop; an
    entry or subfolder the system refuses (permission, vanished, loop) is skipped and listed
    in ``unreadable``. An ``OSError`` is raised only when ``folder`` itself cannot be listed.
    With bounds, :class:`LimitReached` is raised as soon as a subfolder lies deeper than
    ``max_depth``, more than ``max_files`` files qualify, or more than ``max_entries``
    directory entries have been looked at: the search is refused, not cut short silently.
    ``suffixes`` names other files to collect (the importer's published reports)."""
    if suffixes is None:
        suffixes = frozenset(WORKBOOK_SUFFIXES | REFUSED_SUFFIXES | ({".json"} if json else set()))
    files: list[Path] = []
    unreadable: list[tuple[Path, OSError]] = []
    seen = 0
    pending = [(Path(folder), 0)]
    while pending:
        directory, depth = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            if depth == 0:
                raise
            unreadable.append((directory, exc))
            continue
        seen += len(entries)
        if max_entries is not None and seen > max_entries:
            raise LimitReached("entries", max_entries)
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if _is_link(entry):
                        continue
                    if max_depth is not None and depth >= max_depth:
                        raise LimitReached("depth", max_depth)
                    pending.append((path, depth + 1))
                elif (path.suffix.lower() in suffixes and not entry.name.startswith("~$")
                      and not entry.is_dir()):
                    # not only regular files: a FIFO, a dangling link or a link loop named
                    # like a workbook is read, and refused with its reason, not skipped unsaid
                    files.append(path)
                    if max_files is not None and len(files) > max_files:
                        raise LimitReached("files", max_files)
            except OSError as exc:
                unreadable.append((path, exc))
    return Walk(sorted(files), unreadable)


def _is_link(entry: os.DirEntry) -> bool:
    """A folder that is really a link elsewhere: a symlink, or (on Windows) a junction."""
    if entry.is_symlink():
        return True
    if os.name != "nt":
        return False
    tag = getattr(entry.stat(follow_symlinks=False), "st_reparse_tag", 0)
    return tag == getattr(stat, "IO_REPARSE_TAG_MOUNT_POINT", 0xA0000003)


def load(path: Path) -> Report:
    """A report from a workbook or an interchange JSON file."""
    if path.suffix.lower() == ".json":
        return interchange.load(path)
    if paths_.is_dir(path):  # a folder named but not listable (see collect)
        try:
            os.scandir(path).close()
        except OSError as exc:
            raise InputError(path, errors.READ_FAILED, detail=os_reason(exc)) from None
    return workbook_reader.read(path, fast=True)  # judged by content, whatever the name says
