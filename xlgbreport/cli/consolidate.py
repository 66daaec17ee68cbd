"""The ``xlgbreport consolidate`` command: a thin click layer over :mod:`.run`; texts for
clerks are Chinese. Input problems raise :class:`~xlgbreport.errors.InputError`, which the CLI's
``main`` turns into one line and exit code 2."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..core import shown
from .output import progress_bar

if TYPE_CHECKING:  # the work is imported when the command runs, not with the CLI (start-up)
    from concurrent.futures import Executor


READING = "读取各单位报告"
T = TypeVar("T")
CONSOLIDATE_OUTPUT = "请用 -o 给出汇总工作簿的保存位置，或用 --check 给出要核对的汇总表"


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="汇总工作簿的保存位置")
@click.option("--org", help="汇总机关的名称（写在汇总工作簿封面）")
@click.option("--year", type=int, help="汇总年度（默认：各报告共同的年度）")
@click.option("--expect", "expect_path", type=click.Path(dir_okay=False, path_type=Path),
              help="应报单位名单（文本或 .xlsx，每行一个机关，可带类别）")
@click.option("--prior", "prior_path", type=click.Path(path_type=Path),
              help="上年各单位工作簿所在文件夹：指标表列出上年值和变化")
@click.option("--include-invalid", is_flag=True, help="有错误的报告也计入汇总")
@click.option("--check", "summary", type=click.Path(dir_okay=False, path_type=Path),
              help="不生成工作簿，而是逐格核对这份汇总表与各单位之和")
@click.option("--scheduler", help="交给 dask.distributed 集群读取（调度器地址，如 tcp://10.0.0.5:8786）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def consolidate(paths: tuple[Path, ...], output: Path | None, org: str | None, year: int | None,
                expect_path: Path | None, prior_path: Path | None, include_invalid: bool,
                summary: Path | None, scheduler: str | None, fmt: str, force: bool) -> None:
    """汇总各单位的年度报告（文件或文件夹）：生成同一模板的汇总工作簿，另有汇总状态、指标、图表、明细四表；
    或用 --check 核对已有的汇总表。退出码：0 全部汇总（核对无误），1 有报告未汇总、有单位未报送
    或有不符，2 有文件无法读取。"""
    from ..consolidation import gather  # the process pool and the output workbook: for this command only

    with gather.cluster(scheduler) if scheduler else contextlib.nullcontext() as executor:
        _consolidate(paths, output, org, year, expect_path, prior_path, include_invalid, summary,
                     executor, fmt, force)


def _consolidate(paths: tuple[Path, ...], output: Path | None, org: str | None, year: int | None,
                 expect_path: Path | None, prior_path: Path | None, include_invalid: bool,
                 summary: Path | None, executor: Executor | None, fmt: str, force: bool) -> None:
    from ..consolidation import run

    if summary is not None:
        checked = run.check(paths, summary, year=year, expect_path=expect_path,
                            include_invalid=include_invalid, executor=executor)
        found = [f"{summary.name} {f.ref} [{f.rule}] {f.message}" for f in checked.findings]
        _show(fmt, checked.to_dict(), found + checked.decision.left_out(), checked.headline)
        sys.exit(checked.exit_code)
    if output is None:
        raise click.UsageError(CONSOLIDATE_OUTPUT)
    done = run.consolidate(paths, output, org=org, year=year, expect_path=expect_path,
                           prior=prior_path, include_invalid=include_invalid, force=force,
                           executor=executor, progress=progress_bar(READING))
    _show(fmt, done.to_dict(), [*done.notes, *done.decision.left_out()],
          f"{done.headline} → {output}")
    sys.exit(done.exit_code)


def _show(fmt: str, document: dict[str, Any], lines: list[str], headline: str) -> None:
    """What reaches the screen is text from clerks' files: controls escaped (``core.shown``)."""
    if fmt == "json":
        click.echo(shown.json_text(json.dumps(document, ensure_ascii=False, indent=1)))
        return
    for line in [*lines, headline]:
        click.echo(shown.terminal(line))
