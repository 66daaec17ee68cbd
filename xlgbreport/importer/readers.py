"""Read a published report (web page, Word, PDF, text) into a :class:`~.document.Document`.

Readers are thin: they know file formats, not reports (no labels, no schema), so the parser sees
one shape whatever the source. Every file is untrusted: what it may cost is bounded before a
library allocates (:class:`ReadLimits`, the one place for the numbers), it is read only when it
is a regular file, and every refusal is one Chinese line (:class:`~xlgbreport.errors.InputError`).

The kind is chosen by content where the bytes say it (``%PDF``, a zip holding
``word/document.xml``, an OLE2 container), whatever the suffix: portals serve PDFs as ``.htm``.
A ``.docx`` or ``.pdf`` whose bytes are neither is refused; ``.html``, ``.htm``, ``.txt`` and
``.md`` are decoded and sniffed for HTML. Text and Markdown lines (:func:`text_lines`):
``number`` is the file's line, empty lines are kept (one empty cell: blank lines separate the
rows of a one-value-per-line table), cells are the line split on tabs, ``|``, ``｜`` and runs
of two or more spaces, with empty cells kept (「|||」 fillers and the pipes framing a row are
layout); a ``|---|`` rule is dropped.

A scan goes to OCR (:mod:`.readers_ocr`, the optional ``ocr`` extra): a PDF none of whose pages
has text, a picture (.png, .jpg, .jpeg, .tif, .tiff: one page, or a TIFF's frames), or a folder
of pictures (one report, its pages in name order); a PDF's scanned pages among typed ones are
read alone and joined in page order. With ``ocr=False`` a scan is refused as
before (the import first reads every file within its usual budget, then a scan within the
larger one OCR needs).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import charset_normalizer

from .. import errors
from ..errors import InputError
from ..files import paths
from .document import Document, Line, Recognised
from .limits import DIGITS_TOO_LONG, LIMITS, LINE_TOO_LONG, ROW_TOO_WIDE, ReadLimits
from .readers_ocr import OCR_MISSING, SCAN_TOO_MANY_PAGES  # light: OCR packages load on a scan

__all__ = ["LIMITS", "SUFFIXES", "IMAGE_SUFFIXES", "ReadLimits", "read", "decode", "text_cells", "text_lines"]


SUFFIXES = (".html", ".htm", ".docx", ".pdf", ".txt", ".md")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")  # as readers_ocr's, which needs numpy
#: Not read, but named for what they are (a legacy Word or WPS file is common in an archive),
#: or read by their content when it is a .docx or a PDF under an old name.
_LEGACY = (".doc", ".wps")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: What a Chinese report not in UTF-8 is written in; charset-normalizer chooses among these only,
#: since on a short text its unrestricted guess is often a Korean or Cyrillic code page.
_CANDIDATES = ["gb18030", "big5", "utf_16", "utf_32"]
_HTML_MARK = re.compile(r"<(!doctype\s+html|html|head|body|meta|table|div|p|br)[\s>/]", re.IGNORECASE)


def read(path: str | Path, limits: ReadLimits = LIMITS, *, ocr: bool = True) -> Document:
    """The lines of the published report ``path``; :class:`InputError` when it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES or paths.is_dir(path):
        return _scanned(path, b"", limits, ocr)
    if suffix not in SUFFIXES + _LEGACY:
        raise InputError(path, errors.PUBLISHED_UNKNOWN_KIND, suffix=suffix or "（无）")
    binary = suffix in (".docx", ".pdf") + _LEGACY
    limit = limits.binary_bytes if binary else limits.text_bytes
    data, size = paths.read_regular(path, limit)
    if size == 0 or not data:
        raise InputError(path, errors.EMPTY)
    if size > limit or len(data) > limit:
        raise InputError(path, errors.PUBLISHED_TOO_LARGE, size=_mb(max(size, len(data))), limit=_mb(limit))
    kind = sniff(data)
    if kind == "pdf":
        from .readers_pdf import read_pdf
        scanned: list[tuple[int, int]] = []
        try:
            lines = read_pdf(path, data, limits, scanned)
        except InputError as exc:
            if exc.code != errors.PDF_NO_TEXT.code or not ocr:
                raise
            return _scanned(path, data, limits, ocr)
        if scanned:
            return _mixed(path, data, lines, scanned, limits, ocr)
        return Document(str(path), "pdf", bounded(path, lines, limits))
    if kind == "zip":  # a .docx, or refused as not one (an .xlsx, any other zip)
        from .readers_docx import read_docx
        return Document(str(path), "docx", bounded(path, read_docx(path, data, limits), limits))
    if kind == "ole2":
        raise InputError(path, errors.DOCUMENT_ENCRYPTED if _ENCRYPTED_MARK in data[:4 * 1024 * 1024]
                         else errors.OLD_WORD)
    if binary:
        raise InputError(path, {".pdf": errors.NOT_PDF, ".docx": errors.NOT_DOCX}.get(suffix, errors.OLD_WORD))
    text = decode(path, data)
    if is_html(text, suffix):
        from .readers_html import page_titles, read_html
        return Document(str(path), "html", bounded(path, read_html(path, text, limits), limits),
                        page_titles(text))
    kind = "md" if suffix == ".md" else "txt"
    return Document(str(path), kind, bounded(path, text_lines(text, markdown=kind == "md"), limits))


def _scanned(path: Path, data: bytes, limits: ReadLimits, ocr: bool) -> Document:
    """A scan read by OCR: a PDF's ``data``, a picture, or a folder's pictures in name order."""
    if not ocr:
        raise InputError(path, errors.PDF_NO_TEXT)
    from . import readers_ocr
    if data:
        pages = readers_ocr.pages_of_pdf(path, data, limits)
    else:
        files = scan_pictures(path) if paths.is_dir(path) else [path]
        if not files:
            raise InputError(path, errors.EMPTY)
        datas = [_picture(f, limits) for f in files]
        pages = readers_ocr.pages_of_images(files, datas, limits)
    lines, cells = readers_ocr.read_pages(path, pages, limits)
    if not any(cell.strip() for line in lines for cell in line.cells):
        raise InputError(path, errors.PDF_NO_TEXT)
    return Document(str(path), "pdf", bounded(path, lines, limits), recognised=tuple(cells))


def _mixed(path: Path, data: bytes, typed: list[Line], scanned: list[tuple[int, int]], limits: ReadLimits,
           ocr: bool) -> Document:
    """A PDF of typed pages and scanned ones: each scanned page read by OCR alone, its lines put
    where the page is, all lines numbered again in order (the OCR'd cells with them). Without
    the ``ocr`` extra the typed pages are read alone, as before OCR was there: a scanned cover or
    seal page must not cost a clerk the whole report."""
    if not ocr:
        raise InputError(path, errors.PDF_PAGES_NO_TEXT, pages="、".join(str(n) for n, _ in scanned))
    from . import readers_ocr
    if len(scanned) > limits.scan_pages:
        raise InputError(path, SCAN_TOO_MANY_PAGES, limit=limits.scan_pages)
    lines: list[Line] = []
    cells: list[Recognised] = []
    done = 0
    for number, before in scanned:
        lines += typed[done:before]
        done = before
        try:
            read, found = readers_ocr.read_pages(path, readers_ocr.pages_of_pdf(path, data, limits, only=number),
                                                 limits, first=number)
        except InputError as exc:
            if exc.code != OCR_MISSING.code:
                raise
            return Document(str(path), "pdf", bounded(path, typed, limits))
        cells += [replace(c, line=c.line + len(lines)) for c in found]
        lines += read
    lines += typed[done:]
    lines = [Line(k, line.cells) for k, line in enumerate(lines, start=1)]
    return Document(str(path), "pdf", bounded(path, lines, limits), recognised=tuple(cells))


def scan_pictures(folder: Path) -> list[Path]:
    """The pictures directly in ``folder``, in name order (第2页 before 第10页: digits by value)."""
    def order(p: Path) -> list:
        return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in _NUMBERS.split(p.name)]
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
                   and not p.is_symlink()), key=order)


_NUMBERS = re.compile(r"(\d+)")


def _picture(path: Path, limits: ReadLimits) -> bytes:
    data, size = paths.read_regular(path, limits.binary_bytes)
    if size == 0 or not data:
        raise InputError(path, errors.EMPTY)
    if size > limits.binary_bytes or len(data) > limits.binary_bytes:
        raise InputError(path, errors.PUBLISHED_TOO_LARGE, size=_mb(max(size, len(data))),
                         limit=_mb(limits.binary_bytes))
    return data


def sniff(data: bytes) -> str:
    """``pdf``, ``zip`` (a .docx or not), ``ole2`` (a legacy .doc or an encrypted .docx) or
    ``text``, by the bytes alone."""
    if b"%PDF-" in data[:1024]:  # the header may follow junk within the first 1024 bytes
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(OLE2_MAGIC):
        return "ole2"
    return "text"


def is_html(text: str, suffix: str) -> bool:
    """A web page: for .html/.htm, markup in its first 8 KB (else it is text saved under that
    name); for .txt/.md, only a file that starts as a page does."""
    if suffix in (".html", ".htm"):
        return _HTML_MARK.search(text[:8192]) is not None
    return text.lstrip("\ufeff \t\r\n")[:20].lower().startswith(("<!doctype html", "<html"))


def decode(path: Path, data: bytes) -> str:
    """Text by its BOM, the charset an HTML page declares, UTF-8, then charset-normalizer
    among the encodings Chinese reports use (GBK/GB18030 pages without a charset are common)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _no_nul(path, data.decode(codec))
            except UnicodeError:
                raise InputError(path, errors.NOT_TEXT) from None
    declared = declared_charset(data)
    for codec in ([declared] if declared else []) + ["utf-8"]:
        try:
            return _no_nul(path, data.decode(codec))
        except (UnicodeError, LookupError):  # 「undefined」 raises UnicodeError, not its Decode child
            continue  # a page that lies about its charset is decoded as if it said nothing
    try:
        best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES).best()
        text = None if best is None else str(best)
    except (UnicodeError, LookupError):
        text = None
    if text is None:
        raise InputError(path, errors.NOT_TEXT)
    return _no_nul(path, text)


_NOT_PAGE_CODECS = frozenset(("undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape",
                              "utf-7", "mbcs", "oem", "charmap"))
_META = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
#: What browsers read a declared charset as: a page saying gb2312 is written in GBK or wider.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
            "big5": "big5hkscs"}


def declared_charset(data: bytes) -> str | None:
    """The charset a page's ``<meta charset>`` or ``http-equiv`` names in its first 4 KB."""
    match = _META.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # a page names a text encoding; idna, punycode (quadratic) or the escape codecs are not one
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CODECS:
        return None
    return name


def _no_nul(path: Path, text: str) -> str:
    if "\x00" in text:  # a binary file with a text suffix decodes "successfully" as UTF-16
        raise InputError(path, errors.NOT_TEXT)
    return text


_NEWLINE = re.compile(r"\r\n|\r|\n")
#: Possessive (``*+``): the runs are of disjoint characters, so nothing is given back, and two
#: adjacent ``\s*`` cannot try every split of a long run of spaces (18 s at 80,000).
_RULE = re.compile(r"^\s*+\|?\s*+:?-{3,}+:?\s*+(?:\|\s*+:?-{3,}+:?\s*+)*+\|?\s*+$")
_PIPE = re.compile(r"(?<!\\)[|｜]")
#: 「|||」 fillers (pipes with nothing between, as some sites pad a row) are one separator.
_FILLER = re.compile(r"[|｜]{3,}")
#: Cells inside a pipe cell or a line: tabs, and runs of two or more spaces (matched once each).
_SPACES = re.compile(r"\t| {2,}|\u3000{2,}")


def text_lines(text: str, markdown: bool = False) -> Iterator[Line]:
    """A text file's lines (see the module's docstring)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    parts = _NEWLINE.split(text)
    if parts and parts[-1] == "":
        parts.pop()  # the newline that ends the last line
    for number, line in enumerate(parts, start=1):
        stripped = line.strip()
        if stripped.startswith(("|", "｜")) and len(stripped) > 1 and _RULE.match(stripped):
            continue  # a Markdown table's rule is layout
        yield Line(number, tuple(text_cells(line)))


def text_cells(line: str) -> list[str]:
    """A line's cells: split on ` | `, `｜` (a filler 「|||」 is one), tabs and runs of two or more
    spaces; the pipes that frame a row (「| a | b |」, 「11|」) are layout. A line without any is
    one cell, as written."""
    if "|" not in line and "｜" not in line:
        return [c for cell in line.split("\t") for c in _spaced(cell)]
    body = _FILLER.sub("|", line.strip())
    cells = _PIPE.split(body)
    if len(cells) > 1 and not cells[0].strip():
        cells = cells[1:]  # 「| a | b」: the pipe opens the row
    if len(cells) > 1 and not cells[-1].strip():
        cells = cells[:-1]  # 「a | b |」, 「11|」: the pipe closes it
    return [c.replace("\\|", "|") for cell in cells for c in _spaced(cell.strip())]


def _spaced(cell: str) -> list[str]:
    """A cell split at runs of two or more spaces (an empty cell stays one, empty)."""
    inner = cell.strip(" \u3000")
    if not _SPACES.search(inner):
        return [cell]
    return _SPACES.split(inner)


_DIGITS = re.compile(r"\d+")


def bounded(path: Path, lines: Iterable[Line], limits: ReadLimits) -> tuple[Line, ...]:
    """The lines, refused as soon as there are more lines or cells than allowed, or a line is
    longer, wider or holds a longer run of digits than allowed (the parser's patterns and
    number conversion then stay within the time budget)."""
    out: list[Line] = []
    cells = 0
    for line in lines:
        if len(line.cells) > limits.row_cells:
            raise InputError(path, ROW_TOO_WIDE, line=line.number, limit=limits.row_cells)
        if sum(map(len, line.cells)) > limits.line_chars:
            raise InputError(path, LINE_TOO_LONG, line=line.number, limit=limits.line_chars)
        if any(len(run) > limits.digit_run for cell in line.cells for run in _DIGITS.findall(cell)):
            raise InputError(path, DIGITS_TOO_LONG, line=line.number, limit=limits.digit_run)
        out.append(line)
        cells += len(line.cells)
        if len(out) > limits.lines:
            raise InputError(path, errors.TOO_MANY_LINES, limit=limits.lines)
        if cells > limits.cells:
            raise InputError(path, errors.TOO_MANY_CELLS, limit=limits.cells)
    return tuple(out)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"
