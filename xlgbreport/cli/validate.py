"""``xlgbreport validate``: each file's findings and verdict, or its JSON, one file at a time."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from .. import api
from .exits import EXIT_CODES
from .output import failed, say, verdict

UNREADABLE = "无法读取，{reason}"
NO_FILES = "没有找到要校验的文件"
NO_PRIOR_BATCH = "{n} 个文件" + api.errors.NO_PRIOR + "（--prior 或封面“上年工作簿”），跨年度检查已跳过"


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("--format", "output_style", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式")
@click.option("--prior", "prior_path", type=click.Path(path_type=Path, readable=False),
              help="上年工作簿或其所在文件夹（按工作簿内的机关和年度查找）；不给时按封面所填查找")
def validate(paths: tuple[Path, ...], output_style: str, prior_path: Path | None) -> None:
    """校验工作簿（文件或文件夹），逐条列出问题。退出码：0 通过，1 有错误，2 有文件无法读取。

    有上年数据时（--prior，或封面“上年工作簿”一栏）另做跨年度检查：上年结转、现行有效件数、文字雷同。
    """
    files = api.collect(paths)
    if not files:
        say(NO_FILES, err=True)
        sys.exit(EXIT_CODES["unreadable"])
    names = Counter(f.name for f in files)
    unreadable = invalid = skipped = 0
    if output_style == "json":  # the findings document, one file at a time: memory stays flat
        click.echo('{"files": [')
    for i, result in enumerate(api.iter_validate(files, prior=prior_path, reports=False)):
        path = Path(result.path)
        unreadable += result.failed_to_read
        invalid += not result.valid
        skipped += api.PRIOR_SKIPPED in result.notes
        if output_style == "text":  # the file name, or the path where two files share a name
            _print_result(result, path.name if names[path.name] == 1 else str(path))
        else:
            entry = api.shown.json_text(_json(result))
            click.echo(("," if i else "") + entry)
    if output_style == "json":
        click.echo("]}")
    elif skipped:
        say(NO_PRIOR_BATCH.format(n=skipped))
    sys.exit(EXIT_CODES["unreadable" if unreadable else "invalid" if invalid else "ok"])


def _json(result: api.FileResult) -> str:
    import json

    return json.dumps(result.to_dict(), ensure_ascii=False)  # one line a file: the C encoder


def _print_result(result: api.FileResult, name: str) -> None:
    if result.error_code is not None:
        reason = (result.error_message or "").removeprefix(f"{Path(result.path).name}：")
        failed(name, UNREADABLE.format(reason=reason))
        return
    for note in result.notes:
        if note != api.PRIOR_SKIPPED:  # said once for the batch, after the files
            say(f"{name} {note}")
    for f in result.findings:
        say(f"{name} {f.ref} [{f.rule}] {f.shown}")
    report = result.report
    who = " ".join(str(x) for x in (report.org, report.year) if x is not None) if report else ""
    verdict(name, result.findings, who)
