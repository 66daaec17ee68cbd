"""One workbook's commands: ``template``, ``new``, ``export``, ``rollover`` and
``carry-forward``. Each calls the front door and says what it did: results on stdout,
diagnostics on stderr."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from .output import WROTE, say

TEMPLATE_WROTE = "已写入 {path}（在文件夹 {folder} 中）"
ROLLED = "已生成 {year} 年度工作簿 {path}：请修改文字说明（不得照抄上年），并填写本年数据"
CARRIED = "已从上年“{last_row}”结转 {n} 个单元格到 {path} 的“{this_row}”；原文件备份为 {backup}"
CARRIED_ALREADY = "{path} 的“{this_row}”已是上年“{last_row}”的数，文件未改动"
CARRY_LEFT = "上年有 {n} 格为空或不是数字（{columns}），没有结转，本年这些格保持原样，请核实后填写"
ORG_AND_YEAR = "请给出 --org 和 --year，或 --from-json"
OVERWRITE = "覆盖已存在的输出文件"


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="模板工作簿的保存位置（默认：当前文件夹中的 xlgbreport-template.xlsx）")
@click.option("--force", is_flag=True, help=OVERWRITE)
def template(output: Path | None, force: bool) -> None:
    """生成空白模板工作簿（含公式、数据有效性和校验表）。"""
    written = api.template(output, overwrite=force)
    say(TEMPLATE_WROTE.format(path=written.name, folder=written.resolve().parent))


@click.command()
@click.argument("workbook", type=click.Path(path_type=Path, readable=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON 文件（默认输出到屏幕）")
@click.option("--force", is_flag=True, help=OVERWRITE)
def export(workbook: Path, output: Path | None, force: bool) -> None:
    """把工作簿导出为交换 JSON（空白仍为空白）。"""
    text = api.export(workbook, output, overwrite=force)
    if output is None:
        click.echo(text)
    else:
        say(WROTE.format(path=output), err=True)


@click.command()
@click.option("--org", help="机关名称")
@click.option("--year", type=int, help="报告年度（2008 至明年）")
@click.option("--from-json", "source", type=click.Path(path_type=Path), help="从交换 JSON 生成")
@click.option("--like", type=click.Path(path_type=Path, readable=False),
              help="沿用这个 .xlsm 工作簿里的宏（VBA），输出须为 .xlsm")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="新工作簿的保存位置（.xlsx，或 --like 时 .xlsm）")
@click.option("--force", is_flag=True, help=OVERWRITE)
def new(org: str | None, year: int | None, source: Path | None, like: Path | None, output: Path,
        force: bool) -> None:
    """新建工作簿：空白（--org --year）或由交换 JSON 填好（--from-json）；--like 沿用宏。"""
    if source is None and (org is None or year is None):
        raise click.UsageError(ORG_AND_YEAR)
    api.new(output, org=org, year=year, source=source, like=like, overwrite=force)
    say(WROTE.format(path=output))


@click.command()
@click.argument("last", type=click.Path(path_type=Path, readable=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="下一年度工作簿的保存位置")
@click.option("--force", is_flag=True, help=OVERWRITE)
def rollover(last: Path, output: Path, force: bool) -> None:
    """由上年工作簿生成下一年度工作簿：机关和联系人沿用，年度加 1，表三的“二”按上年的“四”填好，
    上年现行有效件数列在旁边供参考，文字说明沿用为草稿（须修改）。"""
    done = api.rollover(last, output, overwrite=force)
    say(ROLLED.format(year=done.report.year if done.report else "", path=output))


@click.command("carry-forward", short_help="把上年表三的“四”结转到本年工作簿的“二”")
@click.option("--prior", "prior_path", required=True, type=click.Path(path_type=Path, readable=False),
              help="上年工作簿或其所在文件夹")
@click.argument("workbook", type=click.Path(path_type=Path, readable=False))
@click.option("--skip-checks", is_flag=True,
              help="上年数据的机关或年度与本工作簿不符、或旁边有 Excel/WPS/LibreOffice 的锁定文件时仍然结转")
def carry_forward(prior_path: Path, workbook: Path, skip_checks: bool) -> None:
    """把上年表三的“四”写入本工作簿表三的“二”（上年结转），其余内容一概不动；原文件另存为 .bak
    （已有 .bak 时另存为 .2.bak 等，最早的备份从不覆盖）。

    只结转数字：上年为空或不是数字的格，本年保持原样；一格也结转不了时不改动文件。"""
    done = api.carry_forward(workbook, prior_path, skip_checks=skip_checks,
                             on_note=lambda note: say(note, err=True))  # which file was last year's
    x = done.extra
    if x["backup"] is None:
        say(CARRIED_ALREADY.format(path=workbook, this_row=x["row"], last_row=x["prior_row"]))
    else:
        say(CARRIED.format(last_row=x["prior_row"], n=x["carried"], path=workbook, this_row=x["row"],
                           backup=x["backup"]))
    if x["left"]:
        say(CARRY_LEFT.format(n=len(x["left"]), columns="、".join(x["left"])))
