"""The official tables of 国办公开办函〔2021〕30号, described once, as data.

Every other module (workbook layout, JSON, rules, Excel formulas, rendering) derives
its ids, labels and shapes from the objects here; no label is typed anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Literal

FORMAT_ID = "gb2021"

Kind = Literal["count", "amount"]


@dataclass(frozen=True)
class Column:
    """One official column: a stable id and its exact Chinese label."""

    id: str
    label: str
    kind: Kind = "count"
    derived: bool = False  # a total, computed from the other columns of its row
    parents: tuple[str, ...] = ()  # spanning header labels above this one


@dataclass(frozen=True)
class Row:
    """One official row with numbers; ``parents`` are the spanning group labels beside it."""

    id: str
    label: str
    columns: tuple[Column, ...]
    parents: tuple[str, ...] = ()
    derived: bool = False  # （七）总计: computed from the result rows
    block: str = ""  # 第二十条第（…）项, for table 二

    @property
    def title(self) -> str:
        """A short name a clerk recognises: group label (without its section) plus row label."""
        return "".join(self.parents[1:]) + self.label if self.parents else self.label

    def column(self, column_id: str) -> Column:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(column_id)


@dataclass(frozen=True)
class Table:
    id: str
    title: str  # the section heading, e.g. 二、主动公开政府信息情况
    sheet: str  # the worksheet that holds it in the template
    rows: tuple[Row, ...]
    note: str = ""  # the official note in the header corner
    header: str = ""  # the spanning header above the columns

    def row(self, row_id: str) -> Row:
        return _rows_by_id(self)[row_id]

    def cells(self) -> list[tuple[Row, Column]]:
        return [(row, col) for row in self.rows for col in row.columns]


# --- 二、主动公开政府信息情况 -------------------------------------------------------

_ISSUED = Column("issued", "本年制发件数")
_REPEALED = Column("repealed", "本年废止件数")
_IN_FORCE = Column("in_force", "现行有效件数")
_DECISIONS = Column("decisions", "本年处理决定数量")
_AMOUNT = Column("amount", "本年收费金额（单位：万元）", kind="amount")

PROACTIVE = Table(
    id="proactive",
    title="二、主动公开政府信息情况",
    sheet="主动公开",
    header="信息内容",
    rows=(
        Row("regulations", "规章", (_ISSUED, _REPEALED, _IN_FORCE), block="第二十条第（一）项"),
        Row("normative_documents", "行政规范性文件", (_ISSUED, _REPEALED, _IN_FORCE),
            block="第二十条第（一）项"),
        Row("licensing", "行政许可", (_DECISIONS,), block="第二十条第（五）项"),
        Row("penalty", "行政处罚", (_DECISIONS,), block="第二十条第（六）项"),
        Row("coercion", "行政强制", (_DECISIONS,), block="第二十条第（六）项"),
        Row("admin_fees", "行政事业性收费", (_AMOUNT,), block="第二十条第（八）项"),
    ),
)

# --- 三、收到和处理政府信息公开申请情况 ---------------------------------------------

_ORG = "法人或其他组织"
REQUEST_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业", parents=(_ORG,)),
    Column("research", "科研机构", parents=(_ORG,)),
    Column("nonprofit", "社会公益组织", parents=(_ORG,)),
    Column("legal_service", "法律服务机构", parents=(_ORG,)),
    Column("other", "其他", parents=(_ORG,)),
    Column("total", "总计", derived=True),
)

_RESULTS = "三、本年度办理结果"
_WITHHELD = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER_HANDLING = "（六）其他处理"


def _req(row_id: str, label: str, *parents: str, derived: bool = False) -> Row:
    return Row(row_id, label, REQUEST_COLUMNS, parents=parents, derived=derived)


REQUESTS = Table(
    id="requests",
    title="三、收到和处理政府信息公开申请情况",
    sheet="依申请公开",
    note="（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    header="申请人情况",
    rows=(
        _req("1", "一、本年新收政府信息公开申请数量"),
        _req("2", "二、上年结转政府信息公开申请数量"),
        _req("3.1", "（一）予以公开", _RESULTS),
        _req("3.2", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", _RESULTS),
        _req("3.3.1", "1.属于国家秘密", _RESULTS, _WITHHELD),
        _req("3.3.2", "2.其他法律行政法规禁止公开", _RESULTS, _WITHHELD),
        _req("3.3.3", "3.危及“三安全一稳定”", _RESULTS, _WITHHELD),
        _req("3.3.4", "4.保护第三方合法权益", _RESULTS, _WITHHELD),
        _req("3.3.5", "5.属于三类内部事务信息", _RESULTS, _WITHHELD),
        _req("3.3.6", "6.属于四类过程性信息", _RESULTS, _WITHHELD),
        _req("3.3.7", "7.属于行政执法案卷", _RESULTS, _WITHHELD),
        _req("3.3.8", "8.属于行政查询事项", _RESULTS, _WITHHELD),
        _req("3.4.1", "1.本机关不掌握相关政府信息", _RESULTS, _UNABLE),
        _req("3.4.2", "2.没有现成信息需要另行制作", _RESULTS, _UNABLE),
        _req("3.4.3", "3.补正后申请内容仍不明确", _RESULTS, _UNABLE),
        _req("3.5.1", "1.信访举报投诉类申请", _RESULTS, _NOT_PROCESSED),
        _req("3.5.2", "2.重复申请", _RESULTS, _NOT_PROCESSED),
        _req("3.5.3", "3.要求提供公开出版物", _RESULTS, _NOT_PROCESSED),
        _req("3.5.4", "4.无正当理由大量反复申请", _RESULTS, _NOT_PROCESSED),
        _req("3.5.5", "5.要求行政机关确认或重新出具已获取信息", _RESULTS, _NOT_PROCESSED),
        _req("3.6.1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
             _RESULTS, _OTHER_HANDLING),
        _req("3.6.2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
             _RESULTS, _OTHER_HANDLING),
        _req("3.6.3", "3.其他", _RESULTS, _OTHER_HANDLING),
        _req("3.7", "（七）总计", _RESULTS, derived=True),
        _req("4", "四、结转下年度继续办理"),
    ),
)

#: The 21 result rows whose sum is （七）总计.
RESULT_ROWS: tuple[str, ...] = tuple(
    r.id for r in REQUESTS.rows if r.id.startswith("3.") and not r.derived
)

# --- 四、政府信息公开行政复议、行政诉讼情况 -----------------------------------------

APPEAL_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计", derived=True),
)

_LITIGATION = "行政诉讼"
APPEALS = Table(
    id="appeals",
    title="四、政府信息公开行政复议、行政诉讼情况",
    sheet="复议诉讼",
    rows=(
        Row("review", "行政复议", APPEAL_COLUMNS),
        Row("litigation_direct", "未经复议直接起诉", APPEAL_COLUMNS, parents=(_LITIGATION,)),
        Row("litigation_after_review", "复议后起诉", APPEAL_COLUMNS, parents=(_LITIGATION,)),
    ),
)

TABLES: tuple[Table, ...] = (PROACTIVE, REQUESTS, APPEALS)
TABLES_BY_ID: dict[str, Table] = {t.id: t for t in TABLES}


# --- the rest of the report: cover data and the three text sections ----------------

@dataclass(frozen=True)
class Field:
    id: str
    label: str
    in_json: bool = True  # part of the interchange JSON, or workbook-only


META_FIELDS: tuple[Field, ...] = (
    Field("org", "机关名称"),
    Field("year", "报告年度"),
    Field("contact", "联系人", in_json=False),
    Field("phone", "联系电话", in_json=False),
    Field("prior", "上年工作簿（路径或文件夹）", in_json=False),
)

TEXT_SECTIONS: tuple[Field, ...] = (
    Field("overview", "一、总体情况"),
    Field("problems", "五、存在的主要问题及改进情况"),
    Field("other_matters", "六、其他需要报告的事项"),
)

REPORT_TITLE = "政府信息公开工作年度报告"

CellKey = tuple[str, str, str]  # (table id, row id, column id)


@dataclass(frozen=True)
class Schema:
    """The whole report layout, so code can take it as one argument."""

    tables: tuple[Table, ...] = TABLES
    meta: tuple[Field, ...] = META_FIELDS
    text: tuple[Field, ...] = TEXT_SECTIONS
    keys: tuple[CellKey, ...] = field(init=False)

    def __post_init__(self) -> None:
        keys = tuple((t.id, r.id, c.id) for t in self.tables for r, c in t.cells())
        object.__setattr__(self, "keys", keys)

    def is_derived(self, key: CellKey) -> bool:
        return _is_derived(key)

    def describe(self, key: CellKey) -> str:
        """Where a cell is, in a clerk's words: 依申请公开 （三）不予公开1.属于国家秘密·自然人."""
        table = TABLES_BY_ID[key[0]]
        row = table.row(key[1])
        col = row.column(key[2])
        if len(row.columns) == 1:
            return f"{row.title}"
        return f"{row.title}·{col.label}"


@cache
def _rows_by_id(table: Table) -> dict[str, Row]:
    return {row.id: row for row in table.rows}


@cache
def _is_derived(key: CellKey) -> bool:
    row = TABLES_BY_ID[key[0]].row(key[1])
    return row.derived or row.column(key[2]).derived


SCHEMA = Schema()
