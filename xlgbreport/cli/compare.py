"""``xlgbreport compare``: built when it is run or listed (see ``cli._Commands``), as ``render``
is, since it needs the render package."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from .exits import EXIT_CODES
from .output import WROTE, say

WITH_ERRORS = "（本年表格有 {n} 处错误，见对比报告的“校验结果”）"


def compare_command() -> click.Command:
    """The command, with ``--to``'s choices taken from the render package."""

    @click.command("compare")
    @click.argument("this", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--prior", "prior", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="上年的工作簿或交换 JSON")
    @click.option("--to", "to", required=True, type=click.Choice(api.render_kinds()), help="输出格式")
    @click.option("-o", "--output", type=click.Path(path_type=Path), help="输出文件或文件夹（默认在本年文件旁）")
    @click.option("--overwrite", "--force", "overwrite", is_flag=True, help="覆盖已存在的输出文件")
    def compare(this: Path, prior: Path, to: str, output: Path | None, overwrite: bool) -> None:
        """生成本年与上年的对比报告（逐表对照、主要指标、沿用上年的文字、两年的校验结果）。"""
        done = api.compare(this, prior, to, output=output, overwrite=overwrite)
        errors = sum(f.severity is api.Severity.ERROR for f in done.findings)
        say(WROTE.format(path=done.output) + (WITH_ERRORS.format(n=errors) if errors else ""))
        sys.exit(EXIT_CODES["ok"])

    return compare
