"""What every command shows: lines with file text made safe for a terminal (results on stdout,
progress and diagnostics on stderr), the JSON documents, and a progress bar."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import click

from .. import api

T = TypeVar("T")
WROTE = "已写入 {path}"


def say(line: str, err: bool = False) -> None:
    """One line of output that may hold text from files (a name, an org, a cell, a path):
    controls are escaped (:mod:`core.shown`), so a file cannot drive the terminal."""
    click.echo(api.shown.terminal(line), err=err)


def failed(name: str, reason: str, err: bool = False) -> None:
    """The one form of a failure line: ``✘ name：reason``."""
    say(f"✘ {name}：{reason}", err=err)


def verdict(name: str, findings: Iterable[api.Finding], who: str = "") -> None:
    """The one form of a file's verdict: ``✔ name：全部通过`` or ``✘ name：2 处错误``."""
    mark, _, text = api.summary(list(findings)).partition(" ")
    say(f"{mark} {name}：{text}" + (f"（{who}）" if who else ""))


def document(data: dict[str, Any]) -> None:
    """A ``--format json`` document on stdout, controls escaped."""
    click.echo(api.shown.json_text(json.dumps(data, ensure_ascii=False, indent=1)))


def streamed_document(batch: api.Batch) -> None:
    """A batch's ``--format json`` document (``Batch.to_dict``'s), written one file at a time:
    10,000 files' results are never one text, nor one list of dicts, in memory."""
    click.echo('{\n "files": [', nl=False)
    for n, result in enumerate(batch.files):
        text = api.shown.json_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        click.echo(("," if n else "") + "\n" + textwrap.indent(text, "  "), nl=False)
    rest = api.shown.json_text(json.dumps(batch.rest_dict(), ensure_ascii=False, indent=1))
    click.echo("\n ]," + rest[1:])


def progress_bar(label: str) -> Callable[[Iterable[T], int], Iterator[T]]:
    """A bar on stderr while files are read, when stderr is a terminal; quiet otherwise."""
    def wrap(items: Iterable[T], n: int) -> Iterator[T]:
        if not sys.stderr.isatty():
            yield from items
            return
        with click.progressbar(items, length=n, label=label, file=sys.stderr) as bar:
            yield from bar

    return wrap
