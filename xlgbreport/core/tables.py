"""The vocabulary every report format is described in: columns, rows, tables, fields.

A format (``schema`` for 国办公开办函〔2021〕30号, ``gb2019`` for the 2019 trial layout) is a
:class:`Schema` value built from these; rules, layout, JSON, formulas and prose read the
format they are given, never a fixed one. Rows that rules and prose need are found by their
:class:`Role`, not by a row id typed elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Literal

Kind = Literal["count", "amount"]
CellKey = tuple[str, str, str]  # (table id, row id, column id)


class TableId(StrEnum):
    """The three statistical tables, by the same id in every format (and in the JSON)."""

    PROACTIVE = "proactive"  # 二、主动公开政府信息情况
    REQUESTS = "requests"  # 三、收到和处理政府信息公开申请情况
    APPEALS = "appeals"  # 四、政府信息公开行政复议、行政诉讼情况


class Role(StrEnum):
    """What a row means to the rules and the prose, whatever its id in a format."""

    NEW = "new"  # 一、本年新收
    CARRIED_OVER = "carried_over"  # 二、上年结转 (last year's carried forward)
    RESULT = "result"  # one of the handling results summed into the results total
    RESULTS_TOTAL = "results_total"  # （七）总计
    CARRIED_FORWARD = "carried_forward"  # 四、结转下年度继续办理
    DOCUMENTS = "documents"  # 规章, 规范性文件: 制发, 废止, 现行有效
    DECISIONS = "decisions"  # 行政许可, 处罚, 强制: 处理决定数量
    FEES = "fees"  # 行政事业性收费
    APPEAL = "appeal"  # a group of table 四: 维持, 纠正, 其他, 尚未审结, 总计


@dataclass(frozen=True)
class Column:
    """One official column: a stable id and its exact Chinese label."""

    id: str
    label: str
    kind: Kind = "count"
    derived: bool = False  # a total, computed from the other columns of its row
    parents: tuple[str, ...] = ()  # spanning header labels above this one
    signed: bool = False  # may be negative (2019's 本年增/减)


@dataclass(frozen=True)
class Row:
    """One official row with numbers; ``parents`` are the spanning group labels beside it."""

    id: str
    label: str
    columns: tuple[Column, ...]
    parents: tuple[str, ...] = ()
    derived: bool = False  # the results total: computed from the table's result rows
    block: str = ""  # 第二十条第（…）项, for table 二
    role: Role | None = None

    def __repr__(self) -> str:
        return f"<Row {self.id} {self.label}, {len(self.columns)} columns>"

    @property
    def title(self) -> str:
        """A short name a clerk recognises: group label (without its section) plus row label."""
        return "".join(self.parents[1:]) + self.label if self.parents else self.label

    def column(self, column_id: str) -> Column:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(column_id)


@dataclass(frozen=True, eq=False)
class Table:
    id: str
    title: str  # the section heading, e.g. 二、主动公开政府信息情况
    sheet: str  # the worksheet that holds it in the template
    rows: tuple[Row, ...]
    note: str = ""  # the official note in the header corner
    header: str = ""  # the spanning header above the columns

    def __repr__(self) -> str:
        return f"<Table {self.id} {self.title}, {len(self.rows)} rows>"

    @cached_property
    def _by_id(self) -> dict[str, Row]:
        return {row.id: row for row in self.rows}

    def row(self, row_id: str) -> Row:
        return self._by_id[row_id]

    def cells(self) -> list[tuple[Row, Column]]:
        return [(row, col) for row in self.rows for col in row.columns]

    def with_role(self, role: Role) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.role is role)

    def role(self, role: Role) -> Row:
        """The one row with ``role``; a format that lacks it is a bug in the format."""
        (row,) = self.with_role(role)
        return row

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns of a table whose rows all share them (三, 四's groups)."""
        return self.rows[0].columns


@dataclass(frozen=True)
class Field:
    id: str
    label: str


META_FIELDS: tuple[Field, ...] = (
    Field("org", "机关名称"),
    Field("year", "报告年度"),
    Field("contact", "联系人"),
    Field("phone", "联系电话"),
    Field("prior", "上年工作簿（路径或文件夹）"),
)
#: The cover fields the interchange JSON holds; the others are the workbook's own.
JSON_META: tuple[str, ...] = ("org", "year")

TEXT_SECTIONS: tuple[Field, ...] = (
    Field("overview", "一、总体情况"),
    Field("problems", "五、存在的主要问题及改进情况"),
    Field("other_matters", "六、其他需要报告的事项"),
)

REPORT_TITLE = "政府信息公开工作年度报告"


@dataclass(frozen=True, eq=False)
class Schema:
    """One format's whole report layout, so code can take it as one argument."""

    id: str  # the interchange ``format``: gb2021, gb2019
    source: str  # the document that fixes the format
    tables: tuple[Table, ...]
    meta: tuple[Field, ...] = META_FIELDS
    text: tuple[Field, ...] = TEXT_SECTIONS
    keys: tuple[CellKey, ...] = field(init=False)

    def __post_init__(self) -> None:
        keys = tuple((t.id, r.id, c.id) for t in self.tables for r, c in t.cells())
        object.__setattr__(self, "keys", keys)

    def __repr__(self) -> str:
        """Short (the tables' rows and labels are tens of thousands of characters)."""
        return f"<Schema {self.id} {self.source}, {len(self.tables)} tables, {len(self.keys)} cells>"

    @cached_property
    def _tables(self) -> dict[str, Table]:
        return {t.id: t for t in self.tables}

    @cached_property
    def derived_keys(self) -> frozenset[CellKey]:
        return frozenset(k for k in self.keys if self._derived(k))

    @cached_property
    def _parts(self) -> dict[CellKey, tuple[CellKey, ...]]:
        out: dict[CellKey, tuple[CellKey, ...]] = {}
        for key in self.derived_keys:
            table_id, row_id, col_id = key
            table = self.table(table_id)
            row = table.row(row_id)
            if row.column(col_id).derived:
                out[key] = tuple((table_id, row_id, c.id) for c in row.columns if not c.derived)
            else:
                out[key] = tuple((table_id, r.id, col_id) for r in table.with_role(Role.RESULT))
        return out

    def table(self, table_id: str) -> Table:
        return self._tables[table_id]

    @cached_property
    def _columns(self) -> dict[CellKey, Column]:
        return {(t.id, r.id, c.id): c for t in self.tables for r, c in t.cells()}

    def column(self, key: CellKey) -> Column:
        """The column a cell is in (its kind, whether it may be negative)."""
        return self._columns[key]

    def _derived(self, key: CellKey) -> bool:
        row = self.table(key[0]).row(key[1])
        return row.derived or row.column(key[2]).derived

    def is_derived(self, key: CellKey) -> bool:
        return key in self.derived_keys

    def parts(self, key: CellKey) -> tuple[CellKey, ...]:
        """The cells a derived cell is the sum of (a total: its row's other columns; the results
        total: the result rows); nothing for an input cell."""
        return self._parts.get(key, ())

    def below(self, key: CellKey) -> tuple[CellKey, ...]:
        """The cell and every cell its template formula reads, down to the inputs: any of them may
        have been typed over (a total given as text is not a number, whatever its parts are)."""
        return (key, *(k for sub in self.parts(key) for k in self.below(sub)))

    @cached_property
    def ordered_keys(self) -> tuple[CellKey, ...]:
        """Every key, parts before the totals made of them: one pass computes all totals."""
        done: dict[CellKey, None] = {}

        def visit(key: CellKey) -> None:
            for sub in self.parts(key):
                if sub not in done:
                    visit(sub)
            done[key] = None

        for key in self.keys:
            if key not in done:
                visit(key)
        return tuple(done)

    @cached_property
    def ordered_parts(self) -> tuple[tuple[CellKey, tuple[CellKey, ...] | None], ...]:
        """:attr:`ordered_keys`, each with its parts when it is derived (None for an input)."""
        return tuple((key, self.parts(key) if key in self.derived_keys else None)
                     for key in self.ordered_keys)

    def describe(self, key: CellKey) -> str:
        """Where a cell is, in a clerk's words: 依申请公开 （三）不予公开1.属于国家秘密·自然人."""
        row = self.table(key[0]).row(key[1])
        if len(row.columns) == 1:
            return row.title
        return f"{row.title}·{row.column(key[2]).label}"

    def label(self, field_id: str) -> str:
        """A cover field's or text section's label."""
        return next(f.label for f in (*self.meta, *self.text) if f.id == field_id)


def where_key(key: CellKey) -> str:
    """The key under which ``Report.where`` holds a cell's location."""
    return "/".join(key)


def text_key(section: str) -> str:
    """The key under which ``Report.where`` holds a text section's location."""
    return "text/" + section
