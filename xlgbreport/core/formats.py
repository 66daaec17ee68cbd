"""The report formats as values: a format's tables and labels, from which everything else derives.

``GB2021`` (国办公开办函〔2021〕30号) is the default and the only one with a template workbook;
``GB2019`` (the 2019 trial layout) is described so that its reports can be placed and checked.
The rules that hold in a format are selected by ``rules.for_format``, as Arelle selects its
checks per disclosure system.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import gb2019
from . import gb2021 as schema
from .tables import Schema


@dataclass(frozen=True, eq=False)
class Format:
    """One format: its tables and labels (``schema``); where its cells sit in a template workbook,
    if it has one, is the workbook layer's (``workbook.layout.layout_for``)."""

    schema: Schema
    name: str  # how a clerk calls it: 2021 年格式, 2019 年试行格式

    @property
    def id(self) -> str:
        return self.schema.id

    @property
    def source(self) -> str:
        return self.schema.source

    def __repr__(self) -> str:
        """Short: the whole schema would be 47,000 characters in a traceback or a notebook."""
        return f"<Format {self.id} {self.name}>"

    def __reduce__(self) -> tuple:
        """Pickled by name: a report handed back by a worker process keeps ``format is GB2021``."""
        return (by_id, (self.id,))


def by_id(format_id: str) -> Format:
    return FORMATS[format_id]


GB2021 = Format(schema.SCHEMA, "2021 年格式")
GB2019 = Format(gb2019.SCHEMA, "2019 年试行格式")
DEFAULT = GB2021
FORMATS: dict[str, Format] = {f.id: f for f in (GB2021, GB2019)}
