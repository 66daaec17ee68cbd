"""The format of 国办公开办函〔2021〕30号, described once, as data: the default format.

Every other module (workbook layout, JSON, rules, Excel formulas, rendering) derives its ids,
labels and shapes from a format value; this one is the template workbook's. No label is typed
anywhere else.
"""

from __future__ import annotations

from .tables import (
    META_FIELDS,
    REPORT_TITLE,
    TEXT_SECTIONS,
    CellKey,
    Column,
    Field,
    Role,
    Row,
    Schema,
    Table,
    TableId,
    text_key,
    where_key,
)

__all__ = ["META_FIELDS", "REPORT_TITLE", "TEXT_SECTIONS", "CellKey", "Column", "Field", "Row",
           "Schema", "Table", "text_key", "where_key"]

FORMAT_ID = "gb2021"

# --- 二、主动公开政府信息情况 -------------------------------------------------------

_ISSUED = Column("issued", "本年制发件数")
_REPEALED = Column("repealed", "本年废止件数")
_IN_FORCE = Column("in_force", "现行有效件数")
_DECISIONS = Column("decisions", "本年处理决定数量")
_AMOUNT = Column("amount", "本年收费金额（单位：万元）", kind="amount")

PROACTIVE = Table(
    id=TableId.PROACTIVE.value,
    title="二、主动公开政府信息情况",
    sheet="主动公开",
    header="信息内容",
    rows=(
        Row("regulations", "规章", (_ISSUED, _REPEALED, _IN_FORCE), block="第二十条第（一）项",
            role=Role.DOCUMENTS),
        Row("normative_documents", "行政规范性文件", (_ISSUED, _REPEALED, _IN_FORCE),
            block="第二十条第（一）项", role=Role.DOCUMENTS),
        Row("licensing", "行政许可", (_DECISIONS,), block="第二十条第（五）项",
            role=Role.DECISIONS),
        Row("penalty", "行政处罚", (_DECISIONS,), block="第二十条第（六）项",
            role=Role.DECISIONS),
        Row("coercion", "行政强制", (_DECISIONS,), block="第二十条第（六）项",
            role=Role.DECISIONS),
        Row("admin_fees", "行政事业性收费", (_AMOUNT,), block="第二十条第（八）项",
            role=Role.FEES),
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


def _req(row_id: str, label: str, *parents: str, role: Role = Role.RESULT,
         derived: bool = False) -> Row:
    return Row(row_id, label, REQUEST_COLUMNS, parents=parents, derived=derived, role=role)


REQUESTS = Table(
    id=TableId.REQUESTS.value,
    title="三、收到和处理政府信息公开申请情况",
    sheet="依申请公开",
    note="（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    header="申请人情况",
    rows=(
        _req("1", "一、本年新收政府信息公开申请数量", role=Role.NEW),
        _req("2", "二、上年结转政府信息公开申请数量", role=Role.CARRIED_OVER),
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
        _req("3.7", "（七）总计", _RESULTS, role=Role.RESULTS_TOTAL, derived=True),
        _req("4", "四、结转下年度继续办理", role=Role.CARRIED_FORWARD),
    ),
)

#: The 21 result rows whose sum is （七）总计.
RESULT_ROWS: tuple[str, ...] = tuple(r.id for r in REQUESTS.with_role(Role.RESULT))
#: 公开率's numerator, （一）予以公开 and （二）部分公开; 不予公开率's, the rows of （三）不予公开.
DISCLOSED_ROWS: tuple[str, ...] = ("3.1", "3.2")
WITHHELD_ROWS: tuple[str, ...] = tuple(r.id for r in REQUESTS.rows if _WITHHELD in r.parents)

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
    id=TableId.APPEALS.value,
    title="四、政府信息公开行政复议、行政诉讼情况",
    sheet="复议诉讼",
    rows=(
        Row("review", "行政复议", APPEAL_COLUMNS, role=Role.APPEAL),
        Row("litigation_direct", "未经复议直接起诉", APPEAL_COLUMNS, parents=(_LITIGATION,),
            role=Role.APPEAL),
        Row("litigation_after_review", "复议后起诉", APPEAL_COLUMNS, parents=(_LITIGATION,),
            role=Role.APPEAL),
    ),
)

#: 复议纠错率's row, and 诉讼纠错率's rows (both kinds of 行政诉讼).
REVIEW_ROWS: tuple[str, ...] = ("review",)
LITIGATION_ROWS: tuple[str, ...] = tuple(r.id for r in APPEALS.rows if _LITIGATION in r.parents)

TABLES: tuple[Table, ...] = (PROACTIVE, REQUESTS, APPEALS)
TABLES_BY_ID: dict[str, Table] = {t.id: t for t in TABLES}

SCHEMA = Schema(FORMAT_ID, "国办公开办函〔2021〕30号", TABLES)
