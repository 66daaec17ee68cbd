"""Where a value came from: a cell of a workbook (``sheet!A1``) or a line of a text source
(``path:12``, for published reports read by the importer). One type, so findings, notes and
import reports name places the same way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A workbook cell (``sheet`` and ``cell``) or a text line (``source`` and ``line``)."""

    sheet: str | None = None
    cell: str | None = None
    source: str | None = None
    line: int | None = None

    @classmethod
    def parse(cls, text: str) -> Location:
        """``sheet!A1`` (the sheet may itself hold ``!``) or ``path:12``."""
        sheet, bang, cell = text.rpartition("!")
        if bang:
            return cls(sheet=sheet, cell=cell)
        source, colon, line = text.rpartition(":")
        if colon and line.isdigit():
            return cls(source=source, line=int(line))
        return cls(source=text)

    def __str__(self) -> str:
        if self.sheet is not None:
            return f"{self.sheet}!{self.cell}"
        return f"{self.source}:{self.line}" if self.line is not None else str(self.source)
