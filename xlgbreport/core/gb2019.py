"""The trial format of 国办公开办函〔2019〕60号, which every 2019 and 2020 report uses.

Described as data so that an importer can place every cell of such a report and check it with
the rules that hold in it: table 三's balance, row totals and results total (its （六）其他处理 is
one row), and table 四's groups. Table 二 counts other things than 2021's (本年新制作数量,
上一年项目数量, 本年增/减 …) and has no continuity rule. Ids are 2021's where the meaning is
the same. There is no 2019 workbook template.
"""

from __future__ import annotations

from . import gb2021
from .tables import Column, Role, Row, Schema, Table

FORMAT_ID = "gb2019"

_MADE = Column("made", "本年新制作数量")
_PUBLISHED = Column("published", "本年新公开数量")
_PUBLIC_TOTAL = Column("public_total", "对外公开总数量")
_PRIOR_ITEMS = Column("prior_items", "上一年项目数量")
_CHANGE = Column("change", "本年增/减", signed=True)
_DECISIONS = Column("decisions", "处理决定数量")
_PROJECTS = Column("projects", "采购项目数量")
_PROCUREMENT = Column("amount", "采购总金额", kind="amount")


def _item(row_id: str, label: str, block: str, *columns: Column) -> Row:
    role = Role.DECISIONS if _DECISIONS in columns else None  # 处理决定数量, as in 2021
    return Row(row_id, label, columns, block=f"第二十条第（{block}）项", role=role)


PROACTIVE = Table(
    id="proactive",
    title=gb2021.PROACTIVE.title,
    sheet=gb2021.PROACTIVE.sheet,
    header=gb2021.PROACTIVE.header,
    rows=(
        _item("regulations", "规章", "一", _MADE, _PUBLISHED, _PUBLIC_TOTAL),
        _item("normative_documents", "规范性文件", "一", _MADE, _PUBLISHED, _PUBLIC_TOTAL),
        _item("licensing", "行政许可", "五", _PRIOR_ITEMS, _CHANGE, _DECISIONS),
        _item("other_services", "其他对外管理服务事项", "五", _PRIOR_ITEMS, _CHANGE, _DECISIONS),
        _item("penalty", "行政处罚", "六", _PRIOR_ITEMS, _CHANGE, _DECISIONS),
        _item("coercion", "行政强制", "六", _PRIOR_ITEMS, _CHANGE, _DECISIONS),
        _item("admin_fees", "行政事业性收费", "八", _PRIOR_ITEMS, _CHANGE),
        _item("procurement", "政府集中采购", "九", _PROJECTS, _PROCUREMENT),
    ),
)

_OTHER_HANDLING = "（六）其他处理"


def _request_rows() -> tuple[Row, ...]:
    """2021's rows of table 三, with its three （六） rows replaced by 2019's single one."""
    rows: list[Row] = []
    for row in gb2021.REQUESTS.rows:
        if row.parents[1:] != (_OTHER_HANDLING,):
            rows.append(row)
        elif all(r.id != "3.6" for r in rows):
            rows.append(Row("3.6", _OTHER_HANDLING, row.columns, parents=row.parents[:1],
                            role=Role.RESULT))
    return tuple(rows)


REQUESTS = Table(
    id=gb2021.REQUESTS.id,
    title=gb2021.REQUESTS.title,
    sheet=gb2021.REQUESTS.sheet,
    note=gb2021.REQUESTS.note,
    header=gb2021.REQUESTS.header,
    rows=_request_rows(),
)

APPEALS = gb2021.APPEALS  # the same table in both formats

SCHEMA = Schema(FORMAT_ID, "国办公开办函〔2019〕60号", (PROACTIVE, REQUESTS, APPEALS))
