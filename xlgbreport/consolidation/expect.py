"""The list of bodies that must report (``--expect``): a text file or a workbook.

One body a line (text) or a row (first sheet of a workbook): its name, and optionally its
类别 (乡镇 or 部门) after a tab, a comma or a space, or in the next column. A first line that is
a header (机关名称, 类别) is skipped. Names are matched as ``--prior`` matches them
(``core.prior.normalise``: spaces ignored).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from .. import errors
from ..core.prior import normalise
from ..errors import InputError, Message
from ..files import paths
from ..workbook import reader as workbook_reader

HEADERS = frozenset({"机关", "机关名称", "单位", "单位名称", "名称", "报送单位"})
CATEGORIES = frozenset({"乡镇", "部门", "街道", "县直部门", "乡镇街道"})
MAX_BYTES = paths.LIST_LIMIT  # a list of bodies, not a data set
MAX_ROWS = 20_000
EMPTY = Message("consolidate.expect_empty", "应报名单是空的：每行写一个机关名称")
TOO_BIG = Message("consolidate.expect_too_big", "应报名单过大（超过 {limit} 行或 1 MB）")
NOT_TEXT = Message("consolidate.expect_not_text", "应报名单不是 UTF-8 或 GBK 编码的文本，也不是 .xlsx 工作簿")
_SPLIT = re.compile(r"[\t,，]")


@dataclass(frozen=True)
class Expected:
    org: str
    category: str | None = None
    parent: str | None = None  # its 上级 in a ``--units`` list

    @property
    def key(self) -> str:
        return normalise(self.org)


def load(path: Path) -> tuple[Expected, ...]:
    """The bodies in the list, each once, in the list's order. The file is read as every side
    file is (``files.paths.read_regular``): a FIFO, a device or a link to one is refused at
    once, and no more than ``MAX_BYTES`` is read."""
    data = _bounded(path)
    rows = _workbook_rows(path, 2) if _is_workbook(path) else _text_rows(path, data)
    if len(rows) > MAX_ROWS:
        raise InputError(path, TOO_BIG, limit=MAX_ROWS)
    if rows and normalise(rows[0][0]) in HEADERS:
        rows = rows[1:]
    found: dict[str, Expected] = {}
    for name, category in rows:
        body = Expected(" ".join(name.split()), category or None)
        if body.key and body.key not in found:
            found[body.key] = body
    if not found:
        raise InputError(path, EMPTY)
    return tuple(found.values())


def table_rows(path: Path, width: int) -> list[list[str]]:
    """The first ``width`` columns of a list given as a table (``--units``): a workbook's first
    sheet, or CSV text (comma or tab, as the first line uses; UTF-8 with or without a BOM, or
    GBK; CRLF or LF), read as ``load`` reads a list (bounded, regular files only)."""
    data = _bounded(path)
    if _is_workbook(path):
        rows = [list(r) for r in _workbook_rows(path, width)]
    else:
        text = _decoded(path, data)
        first = text.split("\n", 1)[0]
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text, newline=""),
                                                           delimiter=delimiter)]
    if len(rows) > MAX_ROWS:
        raise InputError(path, TOO_BIG, limit=MAX_ROWS)
    return rows


def _bounded(path: Path) -> bytes:
    data, size = paths.read_regular(path, MAX_BYTES)
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        raise InputError(path, TOO_BIG, limit=MAX_ROWS)
    return data


def _is_workbook(path: Path) -> bool:
    return path.suffix.lower() in {".xlsx", ".xlsm"}


def _decoded(path: Path, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(path, NOT_TEXT)


def _text_rows(path: Path, data: bytes) -> list[tuple[str, str]]:
    return [_split(line) for line in _decoded(path, data).splitlines() if line.strip()]


def _split(line: str) -> tuple[str, str]:
    """Name and 类别: after a tab or comma, or after the last space when it is a 类别."""
    parts = [p.strip() for p in _SPLIT.split(line, maxsplit=1)]
    if len(parts) == 2:
        return parts[0], parts[1]
    name, _, last = line.strip().rpartition(" ")
    return (name.strip(), last) if name and last in CATEGORIES else (line.strip(), "")


def _workbook_rows(path: Path, width: int) -> list[tuple[str, ...]]:
    import openpyxl  # only for a list given as a workbook: the command starts without it

    workbook_reader.guard(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for damaged parts
        raise InputError(path, errors.CORRUPT) from None
    try:
        out: list[tuple[str, ...]] = []
        for row in wb.worksheets[0].iter_rows(max_col=width, values_only=True):
            if len(out) > MAX_ROWS:
                break
            cells = tuple(str(c if c is not None else "").strip() for c in (*row, *[None] * width)[:width])
            if cells[0] or (width > 2 and any(cells)):
                out.append(cells)
        return out
    finally:
        wb.close()
