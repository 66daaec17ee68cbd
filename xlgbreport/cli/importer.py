"""``xlgbreport import``: built when it is run or listed (see ``cli._Commands``), since the
importer's readers (PDF, HTML) cost every ``validate`` run their import time. A source that
cannot be read is one line in the report, and the batch goes on."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from .exits import code_for
from .output import document, progress_bar, say

READING = "读取已发布的报告"


def import_command() -> click.Command:
    """The command, with ``--to``'s choices taken from the importer."""

    @click.command("import", short_help="导入已发布的年度报告（网页、Word、PDF、文本）")
    @click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option("-o", "--output", type=click.Path(),  # as typed: a trailing / means a folder
                  help="一个来源：工作簿（.xlsx）或交换 JSON（.json）；多个来源或文件夹：输出文件夹。"
                       "不给则只输出导入报告")
    @click.option("--to", "kind", type=click.Choice(api.import_kinds()),
                  help="输出文件夹中每份报告的类型（默认 xlsx）")
    @click.option("--format", "output_style", type=click.Choice(["text", "json"]), default="text",
                  show_default=True, help="导入报告的格式")
    @click.option("--force", is_flag=True, help="覆盖已存在的输出文件（只对单个输出文件；文件夹中从不覆盖）")
    @click.option("--prior", type=click.Path(path_type=Path),
                  help="上年的工作簿或交换 JSON：表二连在一起的数字串按“现行有效件数”的连续性拆分")
    @click.option("--org", help="机关名称：代替标题中的写法（如与上年工作簿的写法一致）")
    @click.option("--evidence", type=click.Path(path_type=Path),
                  help="核对页文件夹：每份报告一个网页，每格的值旁边是原文（扫描件为原图截图）")
    def import_(sources: tuple[Path, ...], output: str | None, kind: str | None, output_style: str,
                force: bool, prior: Path | None, org: str | None, evidence: Path | None) -> None:
        """导入已发布的年度报告（网页 .html、Word .docx、PDF、文本 .txt/.md，扫描件 PDF 或图片，或其所在文件夹）：
        按行名、列名放入表格，读不准的格留空并列出，不猜。退出码：0 全部完整无误，1 有留空、推断说明或
        校验错误，2 有文件无法读取。"""
        batch = api.import_reports(sources, output, to=kind, overwrite=force,
                                   progress=progress_bar(READING), prior=prior, org=org, evidence=evidence)
        if output_style == "json":
            document(batch.to_dict())
        else:
            for result in batch.files:
                if result.error_code is not None:
                    say(f"✘ {result.error_message}")
                for line in result.notes:
                    say(line)
            say(batch.headline)
        sys.exit(code_for(batch))

    return import_
