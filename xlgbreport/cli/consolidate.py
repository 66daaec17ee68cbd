"""``xlgbreport consolidate``: the front door's consolidation, its status lines and headline
(or JSON); texts for clerks are Chinese."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from .exits import code_for
from .output import document, progress_bar, say

READING = "读取各单位报告"
CONSOLIDATE_OUTPUT = "请用 -o 给出汇总工作簿的保存位置，或用 --check 给出要核对的汇总表"
CONSOLIDATE_ORG = "请用 --org 给出汇总机关的名称，或用 --units 给出以它为最上级的单位名单"


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="汇总工作簿的保存位置")
@click.option("--org", help="汇总机关的名称（写在汇总工作簿封面）")
@click.option("--year", type=int, help="汇总年度（默认：各报告共同的年度）")
@click.option("--expect", "expect_path", type=click.Path(dir_okay=False, path_type=Path),
              help="应报单位名单（文本或 .xlsx，每行一个机关，可带类别）")
@click.option("--units", "units_path", type=click.Path(dir_okay=False, path_type=Path),
              help="单位名单（.csv 或 .xlsx，列：单位、类别、上级）：汇总状态按类别分组，最上级即汇总机关")
@click.option("--summaries", is_flag=True, default=None,
              help="把输入中的汇总工作簿作为单位计入（市汇总各县；输入全是汇总表时自动如此）")
@click.option("--prior", "prior_path", type=click.Path(path_type=Path),
              help="上年各单位工作簿所在文件夹：指标表列出上年值和变化")
@click.option("--include-invalid", is_flag=True, help="有错误的报告也计入汇总")
@click.option("--check", "summary", type=click.Path(dir_okay=False, path_type=Path),
              help="不生成工作簿，而是逐格核对这份汇总表与各单位之和")
@click.option("--scheduler", help="交给 dask.distributed 集群读取（调度器地址，如 tcp://10.0.0.5:8786）")
@click.option("--scheduler-timeout", type=float, default=10.0, show_default=True,
              help="连接调度器的超时秒数")
@click.option("--format", "output_style", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式")
@click.option("--notices", "notices", type=click.Path(file_okay=False, path_type=Path),
              help="把给各单位的反馈意见（Word）和汇总情况通报写到这个文件夹")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def consolidate(paths: tuple[Path, ...], output: Path | None, org: str | None, year: int | None,
                expect_path: Path | None, units_path: Path | None, summaries: bool | None,
                prior_path: Path | None, include_invalid: bool,
                summary: Path | None, scheduler: str | None, scheduler_timeout: float,
                output_style: str, force: bool, notices: Path | None) -> None:
    """汇总各单位的年度报告（文件或文件夹）：生成同一模板的汇总工作簿，另有汇总状态、指标、图表、明细四表；
    或用 --check 核对已有的汇总表。退出码：0 全部汇总（核对无误），1 有报告未汇总、有单位未报送
    或有不符，2 有文件无法读取。"""
    if summary is None and output is None:
        raise click.UsageError(CONSOLIDATE_OUTPUT)
    if summary is None and not org and units_path is None:
        raise click.UsageError(CONSOLIDATE_ORG)
    batch = api.consolidate(paths, output, org=org, year=year, expect=expect_path, units=units_path,
                            summaries=summaries or None, prior=prior_path,
                            include_invalid=include_invalid, check=summary, scheduler=scheduler,
                            scheduler_timeout=scheduler_timeout,
                            overwrite=force, progress=None if summary else progress_bar(READING),
                            notices=notices)
    if output_style == "json":
        document(batch.to_dict())
    else:
        for result in batch.files:  # --check: the summary's cells that differ
            for f in result.findings:
                say(f"{Path(result.path).name} {f.ref} [{f.rule}] {f.message}")
        for line in batch.notes:
            say(line)
        say(batch.headline if summary else f"{batch.headline} → {output}")
    sys.exit(code_for(batch))
