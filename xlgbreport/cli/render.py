"""``xlgbreport render``: built when it is run or listed (see ``cli._Commands``), since the
render package (Jinja2, the Word writer) costs every ``validate`` run its import time."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from .exits import EXIT_CODES, code_for
from .output import WROTE, say

NO_FILES = "没有找到要生成报告的文件"
WITH_ERRORS = "（表格有 {n} 处错误，已在报告开头列为“待核实”）"
FROM = "（来自 {name}）"  # a folder's 胡集镇.json and 胡集镇.xlsx give 胡集镇_报告 and 胡集镇_报告-2


def render_command() -> click.Command:
    """The command, with ``--to``'s choices taken from the render package."""

    @click.command("render")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
    @click.option("--to", "to", required=True, type=click.Choice(api.render_kinds()), help="输出格式")
    @click.option("-o", "--output", type=click.Path(), help="输出文件或文件夹（默认在输入文件旁；以 / 结尾为文件夹）")
    @click.option("--prior", "prior_path", type=click.Path(exists=True, path_type=Path),
                  help="上年工作簿或其所在文件夹；不给时按封面所填查找")
    @click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="改过样式的模板（report.docx、report.html.j2 或 report.md.j2 的副本）")
    @click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
    @click.option("--strict", is_flag=True, help="表格有错误时不生成")
    def render(paths: tuple[Path, ...], to: str, output: str | None, prior_path: Path | None,
               template: Path | None, force: bool, strict: bool) -> None:
        """生成可发布的年度报告（Word、网页、PDF 或 Markdown）。退出码：0 全部生成，2 有文件未生成。"""
        batch = api.render(paths, to, output=output, prior=prior_path, template=template,
                           overwrite=force, strict=strict)
        for done in batch.files:  # file names and messages hold text from files: through say
            if done.output is None:
                say(f"✘ {done.error_message}")
            else:
                errors = sum(f.severity is api.Severity.ERROR for f in done.findings)
                say(WROTE.format(path=done.output) + FROM.format(name=Path(done.path).name)
                    + (WITH_ERRORS.format(n=errors) if errors else ""))
            for note in done.notes:
                if note != api.PRIOR_SKIPPED:
                    say(f"{Path(done.path).name} {note}", err=True)
        if not batch.files:
            say(NO_FILES, err=True)
            sys.exit(EXIT_CODES["unreadable"])
        sys.exit(code_for(batch, invalid_counts=False))

    return render
