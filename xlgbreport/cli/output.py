"""What every command shows: lines with file text made safe for a terminal, and a progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import click

from ..core import shown

T = TypeVar("T")


def say(line: str, err: bool = False) -> None:
    """One line of output that may hold text from files (a name, an org, a cell, a path):
    controls are escaped (:mod:`core.shown`), so a file cannot drive the terminal."""
    click.echo(shown.terminal(line), err=err)


def progress_bar(label: str) -> Callable[[Iterable[T], int], Iterator[T]]:
    """A bar on stderr while files are read, when stderr is a terminal; quiet otherwise."""
    def wrap(items: Iterable[T], n: int) -> Iterator[T]:
        if not sys.stderr.isatty():
            yield from items
            return
        with click.progressbar(items, length=n, label=label, file=sys.stderr) as bar:
            yield from bar

    return wrap
