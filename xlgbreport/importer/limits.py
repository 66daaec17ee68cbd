"""What one untrusted published report may cost: the numbers, in one place, for every reader."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Message


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
    html_depth: int = 200  # elements inside one another (a page exported from Word: 30)
    tables: int = 2_000  # tables in a document (a report has 10)
    table_cells: int = 100_000  # cells in one table (a report's biggest: 300)
    pages: int = 500
    pdf_streams: int = 160 * 1024 * 1024  # a PDF's streams, decoded, all pages together (pdfminer keeps them)
    pdf_stream: int = 32 * 1024 * 1024  # one stream, decoded by all its filters (zlib, LZW, run-length, predictor)
    pdf_ruling: int = 5_000  # a page's lines and rectangles; beyond, its tables are not looked for
    page_objects: int = 50_000  # a page's characters, paths and images (a dense real page: 5,000)
    line_chars: int = 1_000_000  # a line's characters, its cells together (a whole report run together: 50,000)
    digit_run: int = 1_000  # digits in a row: a number in a report has at most 20
    row_cells: int = 10_000  # a line's cells: a table row (a real one has 10)
    lines: int = 200_000
    scan_pages: int = 60  # pages of a scan read by OCR (a real report: 10; OCR takes seconds a page)
    scan_pixels: int = 40_000_000  # one scanned page (A4 at 600 dpi: 35 million)
    scan_seconds: float = 60.0  # OCR of one page (a table page at 200 dpi: a few seconds)
    cells: int = 1_000_000  # all lines' cells together


LIMITS = ReadLimits()

PAGE_CROWDED = Message("import.page_crowded", "第 {page} 页内容过多（超过 {limit} 个对象），为安全起见拒绝读取")
LINE_TOO_LONG = Message("import.line_too_long", "第 {line} 行过长（超过 {limit} 个字符），为安全起见拒绝读取")
DIGITS_TOO_LONG = Message("import.digits_too_long", "第 {line} 行的数字串过长（超过 {limit} 位），为安全起见拒绝读取")
ROW_TOO_WIDE = Message("import.row_too_wide", "第 {line} 行单元格过多（超过 {limit} 个），为安全起见拒绝读取")
HTML_TOO_DEEP = Message("import.html_too_deep", "网页嵌套过深（超过 {limit} 层），为安全起见拒绝读取")
TOO_MANY_TABLES = Message("import.too_many_tables", "表格过多（超过 {limit} 个），为安全起见拒绝读取")
TABLE_TOO_BIG = Message("import.table_too_big", "表格过大（超过 {limit} 个单元格），为安全起见拒绝读取")
