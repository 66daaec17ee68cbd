"""The Excel functions (xlwings UDFs): XLG_CHECK, XLG_STATUS, XLG_LAST_YEAR, XLG_TEXT.

Thin: each converts what Excel passes (``ranges``) and calls the same core as the command line
(``functions``). Only decorator options that both the classic Windows add-in and xlwings Lite
honour are used: ``ndim=2``, ``err_to_str`` and ``doc`` on arguments; results are plain nested
lists, which spill as dynamic arrays (no ``expand=``). The parameters carry no type hints on
purpose: xlwings reads a parameter's annotation as its converter.

A problem becomes a short Chinese message in the cell, never a traceback. Without xlwings (or
outside Excel, where its decorators do nothing) the module imports and the functions work as
plain Python, which is how the tests call them.

Every function takes a last parameter ``caller`` that is not typed in the formula: the classic
add-in fills a parameter of that name with the calling range. Its shape fits the result
(``ranges.fit``): Excel 2016/2019 keep a spilling formula as a legacy array over the range it
was saved with, and repeat a smaller result across it; padded, the extra cells are blank. A
text stays one scalar in one cell (xlwings' COM server returns a 1 × 1 result as a scalar, which
Excel takes up to 32,767 characters, where an array element may not exceed 255). For
XLG_LAST_YEAR the caller's workbook folder is also where a relative 封面 path starts, as on the
command line.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors
from ..core.model import Report
from ..errors import XlgbreportError
from ..files import cells
from ..workbook import functions
from ..workbook.functions import FAILED, NO_PRIOR, ArgumentError
from . import log as excel_log
from .ranges import caller_shape, fit, report_from_ranges

if TYPE_CHECKING:  # the functions below are checked against xlwings' own signatures
    from xlwings import arg, func
else:
    try:
        from xlwings import arg, func
    except ImportError:  # the optional ``excel`` extra is not installed: plain Python functions
        def func(f: Callable) -> Callable:
            return f

        def arg(*_args: Any, **_options: Any) -> Callable[[Callable], Callable]:
            return lambda f: f

PRIOR_NOT_FOUND = "找不到上年工作簿：{where}"
NO_LOCAL_FILES = "xlwings Lite 不能读取本机文件：上年数据请用 xlwings 加载项"
CALLER = "caller"  # the parameter xlwings fills with the calling range (classic add-in)
PRIOR_TTL = 60.0  # seconds a resolved prior year is reused (a folder's files may change inside)

DOC_ORG = "机关名称（xlg_org）"
DOC_YEAR = "报告年度（xlg_year）"
DOC_PROACTIVE = "主动公开表的数据区域（xlg_proactive）"
DOC_REQUESTS = "依申请公开表的数据区域（xlg_requests）"
DOC_APPEALS = "复议诉讼表的数据区域（xlg_appeals）"
DOC_REASONS = "核实说明表的区域（xlg_reasons，可省略）：有说明的提示计为“已说明”"
TABLE_OPTIONS = {"ndim": 2, "err_to_str": True}

log = logging.getLogger(__name__)


def _shown(f: Callable, *, text: bool = False) -> Callable:
    """Whatever goes wrong, the cell shows one short Chinese line; what is shown fits the
    calling range (``ranges.fit``; a ``text`` goes down a legacy array in pieces)."""
    signature = inspect.signature(f)

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            shape = caller_shape(signature.bind(*args, **kwargs).arguments.get(CALLER))
        except TypeError:
            shape = None
        try:
            result = f(*args, **kwargs)
        except XlgbreportError as exc:
            result = FAILED.format(message=exc.message)
        except ArgumentError as exc:
            result = FAILED.format(message=str(exc))
        except Exception as exc:  # the last guard before a clerk's cell
            result = FAILED.format(message=errors.INTERNAL.format(
                error=type(exc).__name__, log=excel_log.record(f.__name__)))
        return fit(result, shape, text=text)

    return wrapper


def _shown_text(f: Callable) -> Callable:
    return _shown(f, text=True)


def _report_arguments(f: Callable) -> Callable:
    """The five arguments every report function takes, documented for Excel's function wizard."""
    for name, doc in (("org", DOC_ORG), ("year", DOC_YEAR)):
        f = arg(name, doc=doc)(f)
    for name, doc in (("proactive", DOC_PROACTIVE), ("requests", DOC_REQUESTS),
                      ("appeals", DOC_APPEALS)):
        f = arg(name, doc=doc, **TABLE_OPTIONS)(f)
    return f


@func
@_report_arguments
@arg("reasons", doc=DOC_REASONS, **TABLE_OPTIONS)
@_shown
def xlg_check(org, year, proactive, requests, appeals, reasons=None, caller=None):
    """列出全部校验问题（规则、单元格、说明），没有问题时显示“全部通过”。"""
    report = report_from_ranges(org, year, proactive, requests, appeals)
    return functions.check_table(functions.with_reasons(report, reasons))


@func
@_report_arguments
@arg("reasons", doc=DOC_REASONS, **TABLE_OPTIONS)
@_shown
def xlg_status(org, year, proactive, requests, appeals, reasons=None, caller=None):
    """一句话校验结论，例如“✘ 3 处错误，1 处提示”或“✔ 无错误，2 处提示已说明”。"""
    report = report_from_ranges(org, year, proactive, requests, appeals)
    return functions.status(functions.with_reasons(report, reasons))


@func
@_report_arguments
@arg("part", doc="哪一部分：requests（依申请公开，默认）、proactive 或 appeals")
@_shown_text
def xlg_text(org, year, proactive, requests, appeals, part=None, caller=None):
    """按表中数字生成一段报告文字；表未填完整时说明原因，不作推测。"""
    return functions.text(report_from_ranges(org, year, proactive, requests, appeals), part)


@func
@arg("source", doc="上年工作簿的路径或所在文件夹（封面 xlg_prior）")
@arg("table", doc="表：依申请公开、主动公开、复议诉讼（或 requests 等）")
@arg("row", doc="行：编号（如 4、3.1）或行名")
@arg("column", doc="列：列名或编号；省略时返回整行")
@arg("org", doc=DOC_ORG)
@arg("year", doc=DOC_YEAR)
@_shown
def xlg_last_year(source, table, row, column=None, org=None, year=None, caller=None):
    """上年工作簿中的一个数或一整行，用于填写“上年结转”和对比。"""
    if sys.platform == "emscripten":  # xlwings Lite runs Python in the browser
        return FAILED.format(message=NO_LOCAL_FILES)
    where = cells.text(source)
    if not where:
        return FAILED.format(message=NO_PRIOR)
    this = Report(org=cells.text(org), year=cells.year(year), meta={"prior": where})
    last, why = _last_year(this, _book_path(caller))
    if last is None:
        return FAILED.format(message=why or PRIOR_NOT_FOUND.format(where=where))
    return functions.lookup(last, table, row, column)


def _book_path(caller: Any) -> Path | None:
    """The file of the workbook the calling cell is in, or None (no caller, a workbook not
    saved in a local folder, anything unexpected): then a relative path is taken as before."""
    if caller is None:
        return None
    try:
        from .macros import saved_path  # the buttons' rule for "saved in a local folder"

        return saved_path(caller.sheet.book)
    except Exception:  # a cell must still show something: fall back to the old behaviour
        log.debug("no workbook folder from caller", exc_info=True)
        return None


_resolved: dict[tuple, tuple[float, Report | None, str]] = {}


def _last_year(this: Report, book: Path | None = None) -> tuple[Report | None, str]:
    """Last year's report as the prior-year resolver finds it (or why not), reused for a
    minute while the file is unchanged: Excel calls the function on every recalculation.
    ``book`` is this workbook's file: a relative 封面 path starts from its folder."""
    from ..actions import prior_source  # reads files: only needed when XLG_LAST_YEAR is used

    where = this.meta["prior"] or ""
    try:
        stat = os.stat(prior_source.cover_path(where, book))
        stamp: tuple = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = ()
    key = (where, book, this.org, this.year, stamp)
    now = time.monotonic()
    hit = _resolved.get(key)
    if hit and now - hit[0] < PRIOR_TTL:
        return hit[1], hit[2]
    notes: list[str] = []
    last = prior_source.resolve(this, book, None, notes)
    why = "" if last is not None or not notes else notes[-1]
    _resolved.clear()  # one workbook's prior at a time: the cache never grows
    _resolved[key] = (now, last, why)
    return last, why

