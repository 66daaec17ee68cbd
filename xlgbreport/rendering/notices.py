"""What the county sends back after a consolidation (``consolidate --notices DIR``): a short
Word notice to each unit with problems, and one 汇总情况通报 of who has reported.

Both are drawn as a :class:`~.content.Content` and written through ``report.docx`` by the same
``writers.docx`` as ``render``: its styles and fonts, its sandboxed jinja with autoescape, its
tables. Everything taken from the units' files (org names, messages quoting their text, file
names) has its controls escaped (``core.shown``). The run's result comes in as a
:class:`~xlgbreport.actions.results.Batch` (its findings complete: ``consolidation.problems``);
this module never reads a unit's file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ..actions.results import Batch, FileResult
from ..core import shown
from ..core.findings import Finding, Severity
from ..files import atomic, paths
from . import writers
from .content import NUMERALS, TITLE_CHARACTERS, Cell, Content, Section, TableView, ems

#: A title in two parts, broken between them when it does not fit one line (as official titles
#: break: after the year, never inside a word), and after the name too when the first part is long.
NOTICE_TITLE = ("关于{org}", "{year}年度", "政府信息公开工作年度报告的反馈意见")
FILE_TITLE = "关于报送文件 {file} 的反馈意见"  # a file whose org could not be read
SUMMARY_TITLE = ("{org}", "{year}年度", "政府信息公开工作年度报告汇总情况通报")
GREETING = "{org}："
STATUS_LINE = "你单位报送的年度报告（{file}）经汇总校验，状态为“{status}”。请按以下意见处理后重新报送。"
MISSING_LINE = "截至汇总时，未收到你单位的年度报告（状态为“{status}”）。请尽快报送。"
ERRORS_HEADING = "需要改正的错误"
WARNINGS_HEADING = "需要核实并写明理由的提示"
WARNINGS_HOW = ("请逐条核实：确有问题的，改正后重新报送；核实无误的，在工作簿中该提示旁写明核实说明（理由），"
                "汇总时可见。")
EXPLAINED = "另有 {n} 处提示已写明核实说明，无需再处理。"
NOTES_HEADING = "其他情况"
#: The status sheet's 「等共 N 处」 after its first problems: the notice lists them all.
_COUNTED = re.compile(r"^等共 \d+ 处$")
PROBLEM_HEADERS = ("序号", "位置", "规则", "问题")
MORE = "……另有 {n} 处，请用 xlgbreport validate 或工作簿的“校验”表查看全部"
MAX_ROWS = 100  # problems listed per table: a notice stays short
SUMMARY_HEADLINE = "本次汇总情况：{headline}。"
BY_STATUS_HEADING = "一、各单位报送情况"
BY_STATUS_HEADERS = ("状态", "单位数", "单位")
COPIES_HEADING = "二、文字雷同"
COPIES_LINE = "{n} 个单位的年度报告有部分内容与其他单位或本单位上年的报告相同或几乎相同：{units}。详见汇总工作簿的“雷同”表。"
COPIES_NONE = "未发现文字雷同。"
REQUEST_HEADING = "三、工作要求"
REQUEST = "有错误或提示的单位已另发反馈意见，请按意见改正或写明核实说明后重新报送；未报送的单位请尽快报送。"
NOTICE_SUFFIX = "_反馈意见.docx"
SUMMARY_SUFFIX = "_汇总情况通报.docx"
NAME_TRIES = 1000
UNKNOWN = "（未识别机关）"


def needs_notice(result: FileResult) -> bool:
    """A unit with something to do: not summed, an error, or a warning without a 核实说明."""
    return (not result.valid or result.error_code is not None
            or any(not f.explained for f in result.findings))


def write(batch: Batch, folder: Path, *, overwrite: bool = False) -> list[Path]:
    """The notices in ``folder`` (made when missing): one per unit with problems, then the
    county's 通报; the paths written. File names are the units' org names made safe
    (``files.paths.safe_name``); two units of one name get -2, -3 …"""
    paths.output_folder(folder, explicit=True)
    org = _text(batch.extra.get("org")) or UNKNOWN
    year = batch.extra.get("year") or ""
    taken: set[str] = set()
    written = []
    for result in batch.files:
        if needs_notice(result):
            target = _name(folder, _text(result.extra.get("org")) or Path(result.path).stem, NOTICE_SUFFIX, taken)
            _save(target, notice(result, year), overwrite)
            written.append(target)
    target = _name(folder, org, SUMMARY_SUFFIX, taken)
    _save(target, summary(batch, org, year), overwrite)
    written.append(target)
    return written


def notice(result: FileResult, year: object) -> Content:
    """One unit's notice: its status, the errors to correct (cell and message) and the
    warnings to verify and explain, each in a table; why it was not summed."""
    named = _text(result.extra.get("org"))
    org = named or _text(Path(result.path).name) or UNKNOWN
    status = _text(result.extra.get("status"))
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    warnings = [f for f in result.findings if f.severity is Severity.WARNING and not f.explained]
    explained = sum(f.severity is Severity.WARNING and f.explained for f in result.findings)
    if result.path:
        opening = STATUS_LINE.format(file=_text(Path(result.path).name), status=status)
    else:
        opening = MISSING_LINE.format(status=status)
    parts = []
    error_lines = (_text(result.error_message),) if result.error_message else ()
    if errors or error_lines:
        parts.append(_problems(ERRORS_HEADING, errors, error_lines))
    said = (EXPLAINED.format(n=explained),) if explained else ()
    if warnings:
        parts.append(_problems(WARNINGS_HEADING, warnings, (WARNINGS_HOW, *said)))
    elif said:
        parts.append(Section(WARNINGS_HEADING, said))
    # the status notes repeat the first few problems
    listed = {f"{f.ref} {text}" for f in result.findings for text in (f.message, f.shown)}
    listed.add(result.error_message or "")
    notes = tuple(_text(n) for n in result.notes if n not in listed and not _COUNTED.match(n))
    if notes:
        parts.append(Section(NOTES_HEADING, notes))
    numbered = [replace(p, heading=f"{NUMERALS[i]}、{p.heading}") for i, p in enumerate(parts)]
    lines = _title(NOTICE_TITLE, org, year) if named else (FILE_TITLE.format(file=org),)
    return Content("".join(lines), (),
                   (Section(GREETING.format(org=org), (opening,)), *numbered), lines)


def summary(batch: Batch, org: str, year: object) -> Content:
    """The county's 通报: the headline, the units by status with counts, the copies found."""
    by_status: dict[str, list[str]] = defaultdict(list)
    for result in batch.files:
        who = _text(result.extra.get("org")) or _text(Path(result.path).name) or UNKNOWN
        by_status[_text(result.extra.get("status"))].append(who)
    rows = [(status, str(len(units)), "、".join(units)) for status, units in by_status.items()]
    copied = sorted({_text(r.extra.get("org")) for r in batch.files
                     if any(f.rule == "text.copied" for f in r.findings)})
    sections = (
        Section(BY_STATUS_HEADING, (SUMMARY_HEADLINE.format(headline=_text(batch.headline)),),
                _table("status", BY_STATUS_HEADERS, rows)),
        Section(COPIES_HEADING, (COPIES_LINE.format(n=len(copied), units="、".join(copied))
                                 if copied else COPIES_NONE,)),
        Section(REQUEST_HEADING, (REQUEST,)),
    )
    lines = _title(SUMMARY_TITLE, org, year)
    return Content("".join(lines), (), sections, lines)


def _title(parts: tuple[str, str, str], org: str, year: object) -> tuple[str, ...]:
    """The title on one line when it fits, else broken after the year, and after the name
    when name and year alone overflow a line (``TITLE_CHARACTERS``, as ``render``'s title)."""
    name, when, what = parts[0].format(org=org), parts[1].format(year=year), parts[2]
    if ems(name + when + what) <= TITLE_CHARACTERS:
        return (name + when + what,)
    if ems(name + when) <= TITLE_CHARACTERS:
        return (name + when, what)
    return (name, when + what)


def _problems(heading: str, found: Sequence[Finding], lines: tuple[str, ...]) -> Section:
    rows = [(str(i), _text(f.ref), f.rule, _text(f.message)) for i, f in enumerate(found[:MAX_ROWS], 1)]
    more = (MORE.format(n=len(found) - MAX_ROWS),) if len(found) > MAX_ROWS else ()
    return Section(heading, lines + more, _table(heading, PROBLEM_HEADERS, rows) if rows else None)


def _table(name: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> TableView:
    """A plain grid: a header row repeated on every page, then one row per line. The last
    column is prose (a label: wrapped, left-aligned); the others are short codes kept whole
    (values: a cell as ``文字说明!B5`` or ``requests.balance`` never breaks)."""
    cells = [Cell(text, 0, c, kind="header") for c, text in enumerate(headers)]
    height = 1
    last = len(headers) - 1
    for r, row in enumerate(rows, 1):
        cells += [Cell(text, r, c, kind="label" if c == last else "value") for c, text in enumerate(row)]
        height = r + 1
    return TableView(name, name, len(headers), height, 1, tuple(cells))


def _text(value: object) -> str:
    """A text from a unit's file as a document shows it: controls escaped, never obeyed."""
    return shown.terminal(paths.shown(str(value))) if value not in (None, "") else ""


def _name(folder: Path, org: str, suffix: str, taken: set[str]) -> Path:
    base = paths.safe_name(org)
    for n in range(1, NAME_TRIES):
        name = f"{base}{suffix}" if n == 1 else f"{base}-{n}{suffix}"
        if name.casefold() not in taken:
            taken.add(name.casefold())
            return folder / name
    return folder / f"{base}-{len(taken)}{suffix}"


def _save(target: Path, content: Content, overwrite: bool) -> None:
    data = writers.docx(content)
    atomic.write(target, lambda tmp: tmp.write_bytes(data), overwrite=overwrite)
