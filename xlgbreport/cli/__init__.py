"""The ``xlgbreport`` command: a thin click layer over the library; texts for clerks are Chinese."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import click

from .. import errors, logs
from ..actions import prior_source, sources, validation
from ..core import prior, shown
from ..core.findings import summary
from ..core.gb2021 import REQUESTS
from ..core.model import Report
from ..errors import InputError
from ..files import atomic, interchange, vba_project
from ..workbook import reader as workbook_reader
from ..workbook.layout import LAYOUT
from . import consolidate as consolidate_commands
from . import excel as excel_commands

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
UNREADABLE = "✘ 无法读取：{reason}"
NO_FILES = "没有找到要校验的文件"
WROTE = "已写入 {path}"
TEMPLATE_PATH = Path("workbook") / "xlgbreport-template.xlsx"
ROLLED = "已生成 {year} 年度工作簿 {path}：请修改文字说明（不得照抄上年），并填写本年数据"
CARRIED = "已从上年“{last_row}”结转 {n} 个单元格到 {path} 的“{this_row}”；原文件备份为 {backup}"
CARRIED_ALREADY = "{path} 的“{this_row}”已是上年“{last_row}”的数，文件未改动"
CARRY_LEFT = "上年有 {n} 格为空或不是数字（{columns}），没有结转，本年这些格保持原样，请核实后填写"
MAX_LISTED = 5  # values named in one message; the rest are counted
MORE = " 等"
NO_PRIOR_BATCH = "{n} 个文件" + errors.NO_PRIOR + "（--prior 或封面“上年工作簿”），跨年度检查已跳过"


class _Commands(click.Group):
    """The commands, ``render`` and ``import`` among them only when run or listed: the render
    package (Jinja2, the Word writer) and the importer's readers (PDF, HTML) would add to every
    ``validate`` run as much time to import as reading dozens of workbooks takes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY and cmd_name not in self.commands:
            self.add_command(_LAZY[cmd_name](), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xlgbreport")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, param, on: logs.show_on_stderr() if on or logs.debugging() else None,
              help="在屏幕（stderr）上显示内部错误的完整信息（同 XLGBREPORT_DEBUG=1）")
def cli() -> None:
    """xlgbreport：政府信息公开工作年度报告的模板、校验与数据交换。"""


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=TEMPLATE_PATH, show_default=True, help="模板工作簿的保存位置")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def template(output: Path, force: bool) -> None:
    """生成空白模板工作簿（含公式、数据有效性和校验表）。"""
    _writer().write(output, replace=force)
    click.echo(WROTE.format(path=output))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式")
@click.option("--prior", "prior_path", type=click.Path(path_type=Path, readable=False),
              help="上年工作簿或其所在文件夹（按工作簿内的机关和年度查找）；不给时按封面所填查找")
def validate(paths: tuple[Path, ...], fmt: str, prior_path: Path | None) -> None:
    """校验工作簿（文件或文件夹），逐条列出问题。退出码：0 通过，1 有错误，2 有文件无法读取。

    有上年数据时（--prior，或封面“上年工作簿”一栏）另做跨年度检查：上年结转、现行有效件数、文字雷同。
    """
    files = sources.collect(paths)
    if not files:
        _say(NO_FILES, err=True)
        sys.exit(EXIT_UNREADABLE)
    names = Counter(f.name for f in files)
    unreadable = invalid = skipped = 0
    if fmt == "json":  # the findings document, one file at a time: memory stays flat
        click.echo('{"files": [')
    for i, path in enumerate(files):
        result = validation.validate_file(path, prior_path, find_prior=True)
        unreadable += bool(result.error or result.prior_error)
        invalid += not result.valid
        skipped += prior_source.SKIPPED in result.notes
        if fmt == "text":  # the file name, or the path where two files share a name
            _print_result(result, path.name if names[path.name] == 1 else str(path))
        else:
            entry = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
            click.echo(("," if i else "") + shown.json_text(entry))
    if fmt == "json":
        click.echo("]}")
    elif skipped:
        _say(NO_PRIOR_BATCH.format(n=skipped))
    sys.exit(EXIT_UNREADABLE if unreadable else EXIT_INVALID if invalid else EXIT_OK)


def _print_result(result: validation.FileResult, name: str) -> None:
    if result.error:
        _say(f"{name} {UNREADABLE.format(reason=result.error.reason)}")
        return
    for note in result.notes:
        if note != prior_source.SKIPPED:  # said once for the batch, after the files
            _say(f"{name} {note}")
    for f in result.findings:
        _say(f"{name} {f.ref} [{f.rule}] {f.message}")
    report = result.report
    who = " ".join(str(x) for x in (report.org, report.year) if x is not None) if report else ""
    _say(f"{name}：{summary(list(result.findings))}" + (f"（{who}）" if who else ""))


def _say(line: str, err: bool = False) -> None:
    """One line of output that may hold text from files (a name, an org, a cell, a path):
    controls are escaped (:mod:`core.shown`), so a file cannot drive the terminal."""
    click.echo(shown.terminal(line), err=err)


@cli.command()
@click.argument("workbook", type=click.Path(path_type=Path, readable=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON 文件（默认输出到屏幕）")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def export(workbook: Path, output: Path | None, force: bool) -> None:
    """把工作簿导出为交换 JSON（空白仍为空白）。"""
    report = workbook_reader.read(workbook)
    bad = interchange.unplaceable(report)
    if bad:
        listed = "、".join(bad[:MAX_LISTED]) + (MORE if len(bad) > MAX_LISTED else "")
        raise InputError(workbook, errors.NOT_EXPORTABLE, n=len(bad), values=listed)
    text = interchange.dumps(report)
    if output is None:
        click.echo(text)
        return
    _refuse_same(workbook, output)
    atomic.write_text(output, text + "\n", replace=force)
    _say(WROTE.format(path=output), err=True)


@cli.command()
@click.option("--org", help="机关名称")
@click.option("--year", type=int, help="报告年度")
@click.option("--from-json", "source", type=click.Path(path_type=Path), help="从交换 JSON 生成")
@click.option("--like", type=click.Path(path_type=Path, readable=False),
              help="沿用这个 .xlsm 工作簿里的宏（VBA），输出须为 .xlsm")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="新工作簿的保存位置")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def new(org: str | None, year: int | None, source: Path | None, like: Path | None, output: Path,
        force: bool) -> None:
    """新建工作簿：空白（--org --year）或由交换 JSON 填好（--from-json）；--like 沿用宏。"""
    if source is None and (org is None or year is None):
        raise click.UsageError("请给出 --org 和 --year，或 --from-json")
    report = interchange.load(source) if source else Report()
    if source:
        _writer().refuse_without_template(report, source)
        _refuse_same(source, output)
    if org is not None:
        report.org = org
    if year is not None:
        report.year = year
    vba = _vba(like, output)
    _writer().write(output, report, vba=vba, replace=force)
    click.echo(WROTE.format(path=output))


@cli.command()
@click.argument("last", type=click.Path(path_type=Path, readable=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="下一年度工作簿的保存位置")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def rollover(last: Path, output: Path, force: bool) -> None:
    """由上年工作簿生成下一年度工作簿：机关和联系人沿用，年度加 1，表三的“二”按上年的“四”填好，
    上年现行有效件数列在旁边供参考，文字说明沿用为草稿（须修改）。"""
    _refuse_same(last, output)
    before = sources.load(last)
    vba = _vba(last, output)
    if os.path.lexists(output) and not force:  # before the work of building it
        raise InputError(output, errors.OUTPUT_EXISTS)
    report = prior.next_year(before)
    report.meta["prior"] = _relative(last, output.parent)
    reference = {key: before.value(key) for key in LAYOUT.reference}
    _writer().write(output, report, reference=reference, vba=vba, replace=force)
    click.echo(ROLLED.format(year=report.year, path=output))


@cli.command("carry-forward")
@click.option("--prior", "prior_path", required=True, type=click.Path(path_type=Path, readable=False),
              help="上年工作簿或其所在文件夹")
@click.argument("workbook", type=click.Path(path_type=Path, readable=False))
@click.option("--force", is_flag=True,
              help="上年数据的机关或年度与本工作簿不符、或旁边有 Excel/WPS/LibreOffice 的锁定文件时仍然结转")
def carry_forward(prior_path: Path, workbook: Path, force: bool) -> None:
    """把上年表三的“四”写入本工作簿表三的“二”（上年结转），其余内容一概不动；原文件另存为 .bak
    （已有 .bak 时另存为 .2.bak 等，最早的备份从不覆盖）。

    只结转数字：上年为空或不是数字的格，本年保持原样；一格也结转不了时不改动文件。"""
    from ..actions import carry  # with the zip patcher: loaded for this command only

    _refuse_same(prior_path, workbook)
    notes: list[str] = []
    try:
        last = carry.find_last(workbook_reader.read(workbook), workbook, prior_path, notes)
    finally:
        for note in notes:
            _say(note, err=True)
    done = carry.carry_forward(workbook, last, force=force)
    row, last_row = REQUESTS.row(prior.CARRIED_TO), REQUESTS.row(prior.CARRIED_FROM)
    if done.backup is None:
        click.echo(CARRIED_ALREADY.format(path=workbook, this_row=row.label, last_row=last_row.label))
    else:
        click.echo(CARRIED.format(last_row=last_row.label, n=len(done.numbers), path=workbook,
                                  this_row=row.label, backup=done.backup))
    if done.left:
        columns = "、".join(row.column(key[2]).label for key in done.left)
        click.echo(CARRY_LEFT.format(n=len(done.left), columns=columns))


def _render_command() -> click.Command:
    """The ``render`` command, built when it is run or listed (see :class:`_Commands`)."""
    from .. import rendering as render

    @click.command("render")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option("--to", "to", required=True, type=click.Choice(render.FORMATS), help="输出格式")
    @click.option("-o", "--output", type=click.Path(path_type=Path), help="输出文件或文件夹（默认在输入文件旁）")
    @click.option("--prior", "prior_path", type=click.Path(exists=True, path_type=Path),
                  help="上年工作簿或其所在文件夹；不给时按封面所填查找")
    @click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="改过样式的模板（report.docx、report.html.j2 或 report.md.j2 的副本）")
    @click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
    @click.option("--strict", is_flag=True, help="表格有错误时不生成")
    def render_command(paths: tuple[Path, ...], to: str, output: Path | None, prior_path: Path | None,
                       template: Path | None, force: bool, strict: bool) -> None:
        """生成可发布的年度报告（Word、网页、PDF 或 Markdown）。退出码：0 全部生成，2 有文件未生成。"""
        results = list(render.render_all(list(paths), to, output, prior=prior_path, template=template,
                                         force=force, strict=strict))
        for done in results:  # file names and messages hold text from files: through _say
            _say(WROTE.format(path=done.output) + (render.WITH_ERRORS.format(n=done.errors)
                                                   if done.errors else "")
                 if done.output else f"✘ {done.error}")
            for note in done.notes:
                if note != prior_source.SKIPPED:
                    _say(f"{done.source.name} {note}")
        if not results:
            click.echo(render.NO_FILES, err=True)
        sys.exit(EXIT_OK if results and all(d.output for d in results) else EXIT_UNREADABLE)

    return render_command


def _import_command() -> click.Command:
    """The ``import`` command, loaded when it is run or listed (see :class:`_Commands`)."""
    from . import importer as commands

    return commands.import_command


_LAZY: dict[str, Callable[[], click.Command]] = {"render": _render_command, "import": _import_command}
cli.add_command(excel_commands.excel)
cli.add_command(consolidate_commands.consolidate)


def _writer():
    """files.workbook_writer, imported by the commands that write a workbook: importing XlsxWriter
    would add to every ``validate`` run as much time as reading a dozen workbooks."""
    from ..workbook import writer as workbook_writer

    return workbook_writer


def _vba(source: Path | None, output: Path) -> vba_project.VbaProject | None:
    """The VBA project to carry from ``source`` (read after the reader's guard), checked against
    the output's type: a macro is never dropped, an .xlsm never lacks one."""
    if source is not None:
        workbook_reader.guard(source)
    vba = vba_project.read(source) if source is not None else None
    vba_project.check_output(source, vba, output)
    return vba


def _relative(path: Path, folder: Path) -> str:
    """``path`` as seen from ``folder`` (how the 封面 names last year's workbook), else absolute."""
    try:
        return os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:  # another drive on Windows
        return str(path.resolve())


def _refuse_same(source: Path, output: Path) -> None:
    try:
        same = output.exists() and source.exists() and output.resolve() == source.resolve()
    except (OSError, RuntimeError):  # a path the system refuses: reading or writing says why
        same = False
    if same:
        raise InputError(output, errors.SAME_AS_INPUT)


def main() -> None:
    """Entry point: input problems become one Chinese line and exit 2, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except InputError as exc:
        _say(f"✘ {exc.message}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # the last guard before a clerk's screen: one line, the log names the rest
        logged = logs.record(exc, "xlgbreport " + " ".join(sys.argv[1:]))
        click.echo(errors.INTERNAL.format(error=f"{type(exc).__name__}: {exc}", log=logs.see(logged)),
                   err=True)
        sys.exit(3)
