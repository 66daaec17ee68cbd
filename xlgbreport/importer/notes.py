"""What an import says about a source, as data: each kind of note a small class with a stable
code, a Chinese title and a message template (as the rules are), and what was deduced, with
the equations that decided it. Text and JSON are renderings of these records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..core.findings import Finding, Severity
from ..core.model import Number
from ..core.tables import CellKey

if TYPE_CHECKING:
    from .cells import CellValue
    from .normalize import Token


class Note:
    """One kind of import note. A note is a :class:`Finding` (rule id ``import.…``), so it is
    listed, counted and serialised as the rules' findings are."""

    id: ClassVar[str]
    title: ClassVar[str]
    template: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING

    @classmethod
    def at(cls, source: str, source_line: int | None, key: CellKey | None = None, *,
           actual: Any = None, **args: Any) -> Finding:
        table, row, column = key if key else (None, None, None)
        return Finding(cls.id, cls.severity, cls.template, tuple(args.items()), table, row, column,
                       actual=actual, line=source_line, source=source)


class TableMissing(Note):
    id = "import.table_missing"
    title = "未找到表格"
    template = "未找到{table}：其单元格留空"


class RowMissing(Note):
    id = "import.row_missing"
    title = "未找到行"
    template = "{table}未找到「{row}」：该行留空"


class Unplaced(Note):
    id = "import.unplaced"
    title = "无法确定位置的数值"
    template = "第 {line} 行的数值「{values}」无法确定属于哪一格（{reason}）：未导入"
    NO_LABEL = "前面没有可识别的行名"
    COUNT = "{label}应有 {expected} 个数，这里有 {actual} 个"
    HEADER = "表头不是规定的格式，未按规定的顺序写明"
    UNIT = "单位不是这一格的单位"
    PER_YEAR = "比对文件中表四应每年 {n} 个数，共 {years} 年，这里有 {actual} 个"
    #: Table 二's run: no equation of its own; last year's report may decide it.
    NO_EQUATION = "表二没有勾稽关系，数字串不拆；加 --prior 上年报告可按现行有效件数拆"


class OutOfRange(Note):
    id = "import.out_of_range"
    title = "数值超出范围"
    template = "第 {line} 行的数值「{values}」超出可能的范围（件数不超过 10 亿，金额不超过 10¹² 万元且至多 6 位小数）：未导入"


class Ambiguous(Note):
    id = "import.ambiguous"
    title = "数字串有多种拆分"
    template = "「{row}」的数字串「{run}」有 {n} 种拆分都满足勾稽关系：该行留空"
    MANY = "很多"


class NoSplit(Note):
    id = "import.no_split"
    title = "数字串无法拆分"
    template = "「{row}」的数字串「{run}」没有一种拆分满足勾稽关系：该行留空"


class Repeated(Note):
    id = "import.repeated"
    title = "同一行出现多次"
    template = "「{row}」出现 {n} 次且数不同（第 {lines} 行）：该行留空"


class NotPerYear(Note):
    id = "import.not_per_year"
    title = "比对文件中行数不对"
    template = "比对文件中「{row}」出现 {n} 次（应为每年一次，共 {years} 次；第 {lines} 行）：该行留空"


class NoText(Note):
    id = "import.text_missing"
    title = "未找到正文"
    template = "未找到「{section}」的正文"


class Compared(Note):
    id = "import.compared"
    title = "比对文件"
    template = "这是 {years} 两年的比对文件：按表格出现的先后分给各年，正文两年交错，未导入"


class Converted(Note):
    id = "import.converted"
    title = "单位已换算"
    template = "「{row}」的「{raw}」换算为 {value} 万元导入"


class NotApplicable(Note):
    id = "import.not_applicable"
    title = "不适用记为空白"
    template = "「{row}」的「{raw}」表示不适用：该格留空，不记为 0"


NOTES: tuple[type[Note], ...] = (TableMissing, RowMissing, Unplaced, Ambiguous, NoSplit, Repeated,
                                 NotPerYear, NoText, Compared, Converted, NotApplicable)


def readings(source: str, line: int, key: CellKey, row: str,
             found: Sequence[tuple[Token, CellValue]]) -> list[Finding]:
    """The notes for a row's cells read other than as written (:func:`.cells.cell_values`): a
    unit converted, a not-applicable mark left blank; the marks of a row said once."""
    out: list[Finding] = []
    marks = [token.raw for token, read in found if read.note == "blank"]
    if marks:
        out.append(NotApplicable.at(source, line, key, row=row, raw=" ".join(dict.fromkeys(marks))))
    for token, read in found:
        if read.note == "converted":
            out.append(Converted.at(source, line, key, row=row, raw=token.raw, value=read.token.raw,
                                    actual=read.token.number))
    return out


@dataclass(frozen=True)
class Deduction:
    """Values the source did not set apart, placed because exactly one reading balances:
    ``rules`` are the equations that ruled the other readings out (none when the reading was
    the only one, e.g. a run of zeros, or identical values left over)."""

    row: str  # the row's name, as a clerk reads it
    keys: tuple[CellKey, ...]
    run: str  # what the source wrote
    values: tuple[Number | None, ...]  # None: a blank cell of the reading
    how: str  # split: a digit run cut; extra: values left over; order: no header, format's order
    rules: tuple[str, ...]
    line: int

    TEMPLATES: ClassVar[dict[str, str]] = {
        "split": "「{row}」的数字串「{run}」拆为 {values}（{why}）",
        "extra": "「{row}」多出数值，去掉后为 {values}（{why}）",
        "order": "「{row}」所在表未见表头，按规定格式的列序放置",
    }

    @property
    def message(self) -> str:
        why = "唯一满足 " + "、".join(self.rules) if self.rules else "只有这一种读法"
        return self.TEMPLATES[self.how].format(row=self.row, run=self.run, why=why,
                                               values=" | ".join(map(str, self.values)))

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "cells": ["/".join(k) for k in self.keys], "source_text": self.run,
                "values": [str(v) if not isinstance(v, int) else v for v in self.values],
                "how": self.how, "rules": list(self.rules), "line": self.line,
                "message": self.message}
