"""What one untrusted published report may cost: the numbers, in one place, for every reader."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    """What one untrusted published report may cost (a real one: under 2 MB, 30 pages, 3,000 lines)."""

    text_bytes: int = 20 * 1024 * 1024  # .html, .htm, .txt, .md
    binary_bytes: int = 50 * 1024 * 1024  # .docx, .pdf
    unzipped: int = 200 * 1024 * 1024  # a .docx's members, as its zip directory declares them
    unzipped_xml: int = 30 * 1024 * 1024  # of which XML parts: python-docx builds trees of them all
    docx_tags: int = 1_000_000  # in those parts (a rendered report has 30,000; 1,000,000 take 150 MB)
    ratio: float = 200.0
    html_tags: int = 200_000  # lxml holds a page's tree at once: 20 MB of tags would take 800 MB
    pages: int = 500
    pdf_streams: int = 256 * 1024 * 1024  # a PDF's streams, decompressed, all pages together
    pdf_ruling: int = 5_000  # a page's lines and rectangles; beyond, its tables are not looked for
    lines: int = 200_000
    cells: int = 1_000_000  # all lines' cells together


LIMITS = ReadLimits()
