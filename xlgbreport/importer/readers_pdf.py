"""A PDF's lines, pages in order: a ruled table's rows as lines of cells, other text by line.

A table drawn with ruling lines (what Word and LibreOffice print) is found by pdfplumber
(``find_tables``): each row is one line of its cells where they start, as in a web page (a
merged cell once, in its first row; header rows a printer repeats on each page appear on each
page), a cell's wrapped text joined by a space, except a number wrapped in a narrow cell
(「30」 over 「9」 is 309: a cell holds one value). A row broken across pages is one line: the
page's first row, when it holds only the rest of the labels (no number, its first cell empty),
is joined to the last row of the page before (:func:`_continue_row`).
Everything else is one line per text line (``extract_text_lines``), one cell holding the
line as pdfplumber lays it out (words separated by a space), so an unruled table's row is one
cell and the parser splits numbers off labels itself; an empty line stands before a text line
that starts a paragraph (indented, or spaced apart from the line above), as a text file's blank
line does, so that paragraphs stay apart (:mod:`.paragraphs`). Lines and rows are in the order of
their top on the page. Nothing is normalised (compatibility ideographs such as ⼀ stay) and
nothing is dropped, page numbers (「— 3 —」) included: the parser skips what it does not know.
``number`` counts the lines across pages from 1. A PDF with no text at all (a scan) is
refused with that reason.

Bounds: pages are taken one at a time and refused past :attr:`ReadLimits.pages` (pdfplumber's
own ``pages`` would build every page first); what pdfminer decodes (Flate, LZW, run-length, PNG
and TIFF predictors) is counted against :attr:`ReadLimits.pdf_stream` per stream and
:attr:`ReadLimits.pdf_streams` per file, so a small file that inflates to gigabytes is refused
instead of exhausting memory; a page's characters, paths and images are counted as pdfminer's
layout device receives them (:attr:`ReadLimits.page_objects`). pdfminer's warnings about odd
files are silenced for the read.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from .. import errors
from ..errors import InputError
from .document import Line
from .limits import PAGE_CROWDED, ReadLimits
from .normalize import is_page_number


def read_pdf(path: Path, data: bytes, limits: ReadLimits,
             scanned: list[tuple[int, int]] | None = None) -> list[Line]:
    """The PDF's text lines; every failure is one :class:`InputError`. A page with no text but
    a picture (a scanned page among typed ones) is added to ``scanned`` as its number and the
    count of lines before it, for the OCR route to read it in its place."""
    import pdfplumber  # imported only when a PDF is read: pdfminer is slow to import
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    lines: list[Line] = []
    with _quiet(), _budget(limits.pdf_streams, limits.pdf_stream) as spent:
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                doctop: float = 0
                pages = islice(PDFPage.create_pages(pdf.doc), limits.pages + 1)
                for number, page_obj in enumerate(pages, start=1):
                    if number > limits.pages:
                        raise InputError(path, errors.TOO_MANY_PAGES, limit=limits.pages)
                    page = Page(pdf, page_obj, page_number=number, initial_doctop=doctop)
                    doctop += page.height
                    _local.crowd = crowd = [0, limits.page_objects, False]
                    try:
                        found = _page_lines(page, limits.pdf_ruling)
                    except Exception:
                        if crowd[2]:
                            raise InputError(path, PAGE_CROWDED, page=number,
                                             limit=limits.page_objects) from None
                        raise
                    finally:
                        _local.crowd = None
                    if crowd[2]:
                        raise InputError(path, PAGE_CROWDED, page=number, limit=limits.page_objects)
                    if scanned is not None and not any(c.strip() for cells, _ in found for c in cells) \
                            and page.images:
                        scanned.append((number, len(lines)))
                    head = _head_row(found)
                    for at, (cells, _) in enumerate(found):
                        if at == head and _continue_row(lines, cells):
                            continue
                        lines.append(Line(len(lines) + 1, cells))
                    page.close()
                    if len(lines) > limits.lines:
                        raise InputError(path, errors.TOO_MANY_LINES, limit=limits.lines)
                if spent.over:  # the bound was hit where pdfminer swallows errors
                    raise _TooMuch
            if not any(line.cells[0].strip() for line in lines):
                raise InputError(path, errors.PDF_NO_TEXT)
        except InputError:
            raise
        except Exception as exc:  # pdfminer and pdfplumber raise many types for a damaged file
            if spent.over:
                raise InputError(path, errors.UNPACKED_TOO_BIG,
                                 limit=f"{limits.pdf_streams >> 20} MB") from None
            if _encrypted(exc, (PDFPasswordIncorrect, PDFEncryptionError)):
                raise InputError(path, errors.PDF_ENCRYPTED) from None
            raise InputError(path, errors.CORRUPT) from None
    return lines


def _page_lines(page, ruling: int) -> list[tuple[tuple[str, ...], bool]]:
    """One page's rows and text lines, top to bottom, each with whether it is a table row. A page
    with more than ``ruling`` lines and rectangles is read as text lines: finding tables among
    them takes quadratic time."""
    tables = page.find_tables() if len(page.lines) + len(page.rects) <= ruling else []
    boxes = [t.bbox for t in tables]

    def outside(obj: dict) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text = page.filter(outside) if boxes else page
    found: list[tuple[float, int, tuple[str, ...]]] = []
    for line, starts in _paragraph_starts([line for line in text.extract_text_lines() if line["text"]]):
        if starts:  # an empty line where a paragraph starts, as a text file has (see .paragraphs)
            found.append((line["top"], -1, ("",)))
        found.append((line["top"], 0, (line["text"],)))
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=True):
            kept = tuple(_cell_text(c or "") for c in cells if c is not None)
            if any(kept):
                found.append((row.bbox[1], 1, kept))
    return [(cells, kind == 1) for _, kind, cells in sorted(found, key=lambda f: (f[0], f[1]))]


def _number(text: str) -> bool:
    return text.replace(".", "", 1).isdigit()


def _cell_text(text: str) -> str:
    """A cell's text on one line: wrapped words joined by a space, a wrapped number's digits by
    nothing (each of its lines digits alone: two values side by side share a line)."""
    parts = text.split()
    if len(parts) > 1 and all(p.isdigit() for p in parts) and len(text.splitlines()) == len(parts):
        return "".join(parts)
    return " ".join(parts)


def _head_row(found: list[tuple[tuple[str, ...], bool]]) -> int | None:
    """Where the page's first table row is, when nothing but page numbers and empty lines stands
    before it (a row broken across pages goes on there); else None."""
    for at, (cells, row) in enumerate(found):
        if row:
            return at
        if any(cells) and not is_page_number(" ".join(cells)):
            return None
    return None


def _continue_row(lines: list[Line], cells: tuple[str, ...]) -> bool:
    """Join ``cells``, a page's first table row, to the row the page before ended on, when it is
    that row's labels continued: its first cell empty, no number in it, and the row before (page
    numbers and empty lines aside) holds numbers. Its label pieces go to the row's label cells in
    order when they are as many, else to the last one. Whether it was joined."""
    texts = [c for c in cells if c]
    if cells[0] or not texts or any(_number(c) for c in texts):
        return False
    at = len(lines) - 1
    while at >= 0 and (not any(lines[at].cells) or is_page_number(" ".join(lines[at].cells))):
        at -= 1
    if at < 0 or not any(_number(c) for c in lines[at].cells):
        return False
    before = list(lines[at].cells)
    labels = [i for i, c in enumerate(before) if c and not _number(c)]
    if not labels:
        return False
    pairs = zip(labels, texts, strict=True) if len(labels) == len(texts) else [(labels[-1], " ".join(texts))]
    for index, text in pairs:
        before[index] = f"{before[index]} {text}"
    lines[at] = Line(lines[at].number, tuple(before))
    return True


#: A text line starts a paragraph when it is indented by this many line heights or more from
#: the page's left margin (Chinese paragraphs indent two characters), or set this many line
#: heights below the line before it (paragraphs spaced apart): a wrapped line is neither.
_INDENT, _SPACING = 0.9, 1.0


def _paragraph_starts(lines: list[dict]) -> Iterator[tuple[dict, bool]]:
    """Each text line of a page, and whether it starts a paragraph (see :data:`_INDENT`)."""
    margin = min((line["x0"] for line in lines), default=0.0)
    before = None
    for line in lines:
        height = max(line["bottom"] - line["top"], 1.0)
        indented = line["x0"] - margin >= _INDENT * height
        spaced = before is not None and line["top"] - before["bottom"] >= _SPACING * height
        yield line, (indented or spaced) and not is_page_number(line["text"])
        before = line


def _encrypted(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """Whether ``exc``, or what it wraps (pdfplumber wraps pdfminer's errors), is a password error."""
    at: BaseException | None = exc
    seen = 0
    while at is not None and seen < 10:
        if isinstance(at, kinds) or any(isinstance(a, kinds) for a in at.args):
            return True
        at, seen = at.__cause__ or at.__context__, seen + 1
    return False


@contextmanager
def _quiet() -> Iterator[None]:
    """No pdfminer log lines or library warnings on a clerk's screen during the read."""
    logger = logging.getLogger("pdfminer")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


class _Spent:
    """Bytes decompressed so far in this thread's read, and whether they went over."""

    def __init__(self, limit: int, stream_limit: int) -> None:
        self.limit, self.total, self.over = limit, 0, False
        self.stream_limit, self.stream = stream_limit, 0  # the stream being decoded


class _TooMuch(Exception):
    """The read's streams decompress to more than allowed."""


_local = threading.local()


def _count(spent: _Spent, out: bytes, cut: bool) -> bytes:
    """``out`` counted against the budget; ``cut`` when the decompressor stopped at its bound."""
    if cut or len(out) > spent.limit - spent.total or len(out) > spent.stream_limit - spent.stream:
        spent.over = True
        raise _TooMuch
    spent.total += len(out)
    spent.stream += len(out)
    return out


class _Counting:
    """A decompressor whose output counts against the thread's budget (pdfminer's repair of a
    damaged stream uses one)."""

    def __init__(self, spent: _Spent) -> None:
        self.spent, self.inner = spent, zlib.decompressobj()

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        room = self.spent.limit - self.spent.total + 1
        out = self.inner.decompress(data, min(max_length, room) if max_length else room)
        return _count(self.spent, out, bool(self.inner.unconsumed_tail) and not max_length)

    def flush(self, *args) -> bytes:
        return _count(self.spent, self.inner.flush(*args), False)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


class _BoundedZlib:
    """pdfminer's ``zlib``: within a read, what ``decompress`` and ``decompressobj`` make
    counts against the thread's budget and stops at it; otherwise it is the real module."""

    error = zlib.error

    def __getattr__(self, name: str):
        return getattr(zlib, name)

    @staticmethod
    def decompressobj(*args, **kwargs):
        spent: _Spent | None = getattr(_local, "spent", None)
        return _Counting(spent) if spent is not None and not args and not kwargs \
            else zlib.decompressobj(*args, **kwargs)

    @staticmethod
    def decompress(data: bytes, *args, **kwargs) -> bytes:
        spent: _Spent | None = getattr(_local, "spent", None)
        if spent is None or args or kwargs:
            return zlib.decompress(data, *args, **kwargs)
        d = zlib.decompressobj()
        out = d.decompress(data, spent.limit - spent.total + 1)
        _count(spent, out, bool(d.unconsumed_tail))
        if not d.eof:
            spent.total -= len(out)
            raise zlib.error("incomplete or truncated stream")  # as zlib.decompress says it
        return out


def _lzw(data: bytes) -> bytes:
    """pdfminer's LZW decoder, its output counted chunk by chunk."""
    from pdfminer.lzw import LZWDecoder

    spent: _Spent | None = getattr(_local, "spent", None)
    out = bytearray()
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        out += chunk if spent is None else _count(spent, chunk, False)
    return bytes(out)


def _run_length(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5) into bytes, counted run by run: pdfminer's builds a list
    of ints, 64 times the input and 8 bytes an item."""
    spent: _Spent | None = getattr(_local, "spent", None)
    out = bytearray()
    i = 0
    while i < len(data) and data[i] != 128:
        length = data[i]
        run = data[i + 1:i + 2 + length] if length < 128 else data[i + 1:i + 2] * (257 - length)
        i += 2 + length if length < 128 else 2
        out += run if spent is None else _count(spent, run, False)
    return bytes(out)


def _predictor(real):
    """A predictor whose row (``colors * columns * bits / 8`` bytes, allocated as a list of ints
    before any data is read) is bounded by the data, and whose output is counted."""
    def bounded(*args):
        *head, colors, columns, bits, data = args
        spent: _Spent | None = getattr(_local, "spent", None)
        if spent is not None and colors * columns * bits > 8 * (len(data) + 1):
            spent.over = True
            raise _TooMuch
        out = real(*head, colors, columns, bits, data)
        return out if spent is None else _count(spent, out, False)
    return bounded


class _Crowded(Exception):
    """A page holds more objects than allowed."""


def _counted(real):
    """A layout device's method that counts the page's objects against the thread's bound."""
    def counted(self, *args, **kwargs):
        crowd = getattr(_local, "crowd", None)
        if crowd is not None:
            crowd[0] += 1
            if crowd[0] > crowd[1]:
                crowd[2] = True  # pdfminer may swallow or wrap the exception: the flag stays
                raise _Crowded
        return real(self, *args, **kwargs)
    counted.bounded = True  # type: ignore[attr-defined]
    return counted


def _bound_pdfminer() -> None:
    """pdfminer's decoders and layout device replaced, once, by bounded look-alikes: each is
    unbounded outside a read (the bounds are per thread)."""
    from pdfminer import converter, pdftypes
    if isinstance(pdftypes.zlib, _BoundedZlib):
        return
    # pdfminer's zlib module replaced by a look-alike with the one function it calls: not a
    # module, as mypy rightly says
    pdftypes.zlib = _BoundedZlib()  # type: ignore[assignment]
    decode = pdftypes.PDFStream.decode

    def each_stream(self) -> None:  # the stream bound is per stream, the filters of one chained
        spent: _Spent | None = getattr(_local, "spent", None)
        if spent is not None:
            spent.stream = 0
        decode(self)

    pdftypes.PDFStream.decode = each_stream  # type: ignore[method-assign]
    pdftypes.lzwdecode = _lzw
    pdftypes.rldecode = _run_length
    pdftypes.apply_png_predictor = _predictor(pdftypes.apply_png_predictor)
    pdftypes.apply_tiff_predictor = _predictor(pdftypes.apply_tiff_predictor)
    for name in ("render_char", "paint_path", "render_image"):
        setattr(converter.PDFLayoutAnalyzer, name, _counted(getattr(converter.PDFLayoutAnalyzer, name)))


@contextmanager
def _budget(limit: int, stream_limit: int) -> Iterator[_Spent]:
    _bound_pdfminer()
    _local.spent = spent = _Spent(limit, stream_limit)
    try:
        yield spent
    finally:
        _local.spent = None
