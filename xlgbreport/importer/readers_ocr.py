"""A scanned report (a PDF of page images, or pictures) read by OCR into the same lines of
cells the other readers give, never guessing a number.

Each page is straightened and cut into ruled tables' cells and text lines (:mod:`.ocr_grid`);
each cell, and each line outside the tables, is read on its own by an offline engine
(:mod:`.ocr_engines`). A table row is one line of its cells (a merged cell once, in its first
row), other text one line of one cell, top to bottom, pages in order: what the PDF reader gives
for a PDF with text, so the parser finds title, headings and rows as it does there.

Never a guess: a cell is a *number cell* when most of what was read is digits; its O/o and
l/I/| are read as 0 and 1 (and that is noted); it is given to the parser only when it then is a
well-formed number and the engine's confidence is at least :data:`CONFIDENCE`. Otherwise the
cell is given empty and recorded *to check* (待核对). Every cell read is recorded
(:class:`Recognised`: page, box, what was read, a small PNG of the crop) for the import
report's count and the evidence page; :mod:`.ocr_check` then blanks the cells the table's
equations reject.

Bounds, checked before a page is decoded: pages per file (:attr:`ReadLimits.scan_pages`), pixels
per page (:attr:`ReadLimits.scan_pixels`; Pillow reads only an image's header on ``open``), and
the time the OCR of one page may take (:attr:`ReadLimits.scan_seconds`).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

from .. import errors
from ..errors import InputError, Message
from .document import Line, Recognised
from .limits import ReadLimits
from .ocr_engines import OCR_MISSING

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
#: The engine's confidence (0 to 1) a number cell needs, unless the engine sets its own
#: (``Engine.confident``: RapidOCR 0.8, docs/import.md gives the figures); what passes is still
#: held to the table's equations (:mod:`.ocr_check`).
CONFIDENCE = 0.8
#: A picture without a resolution is taken to be an A4 page this many inches wide.
A4_WIDTH = 8.27
#: A page whose text lines are lower than this (median, pixels) is enlarged to bring them to it:
#: 7 pt table text scanned at 200 dpi (19 pixels) lost digits and labels (尚未 read 尚术), and
#: read right at 34 (28 and 40 each misread a label: the figures in docs/import.md).
LINE_PIXELS = 34
MAX_ENLARGEMENT = 3.0
#: A PDF page that is not one scanned image is drawn at this resolution for OCR.
PDF_DPI = 200
#: A page scanned finer than this is first scaled down to it: a 300 dpi scan read as scanned
#: lost its tables (「自然人」 read 「白然人」 in every example) where read at 200 every cell was right.
READ_DPI = 200
#: A cell whose lines are all at most this many times as wide as high is text set upright (a
#: narrow column's header, a character or two a line): its lines are read as one.
UPRIGHT = 2.5
#: Evidence crops are scaled to at most this height in pixels.
CROP_HEIGHT = 48

SCAN_TOO_MANY_PAGES = Message("import.scan_too_many_pages",
                              "扫描件页数过多（超过 {limit} 页），文字识别耗时过长，未导入：请只导入年度报告的页面")
SCAN_PAGE_TOO_BIG = Message("import.scan_page_too_big",
                            "第 {page} 页图像过大（{width}×{height} 像素，超过 {limit} 万像素），为安全起见拒绝读取")
SCAN_PAGE_SLOW = Message("import.scan_page_slow", "第 {page} 页文字识别超时（超过 {limit} 秒），未导入")
NOT_IMAGE = Message("import.not_image", "不是可读取的图片（PNG、JPEG 或 TIFF），或图片已损坏")

_NUMBERISH = re.compile(r"[0-9OoIl|.,，]")
_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_FIXES = str.maketrans("OoIl|，", "00111,")  # letters a digit is misread as, inside a number cell


def classify(text: str, confidence: float, threshold: float = CONFIDENCE) -> tuple[str, str]:
    """What a cell read as ``text`` gives the parser, and its status (see :class:`Recognised`)."""
    bare = "".join(text.split())
    if not bare:
        return "", "empty"
    numberish = sum(1 for ch in bare if _NUMBERISH.match(ch))
    if not any(ch.isdigit() for ch in bare) and bare not in ("O", "o") or numberish * 2 <= len(bare):
        return text.strip(), "text"
    fixed = bare.translate(_FIXES)
    if confidence < threshold or not _NUMBER.fullmatch(fixed):
        return "", "check"
    return fixed, "number" if fixed == bare else "fixed"


def pages_of_pdf(path: Path, data: bytes, limits: ReadLimits,
                 only: int | None = None) -> Iterator[tuple[object, float]]:
    """A PDF's pages (or page ``only``, counted from 1) as grey pictures and their dpi, each
    checked before it is drawn."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception:  # pdfium raises its own PdfiumError for a damaged file
        raise InputError(path, errors.CORRUPT) from None
    try:
        if only is None and len(pdf) > limits.scan_pages:
            raise InputError(path, SCAN_TOO_MANY_PAGES, limit=limits.scan_pages)
        for number in range(len(pdf)) if only is None else [only - 1]:
            page = pdf[number]
            image = _whole_page_image(page)
            size = image.get_px_size() if image is not None else tuple(PDF_DPI * v / 72 for v in page.get_size())
            if size[0] * size[1] > limits.scan_pixels:
                raise InputError(path, SCAN_PAGE_TOO_BIG, page=number + 1, width=int(size[0]),
                                 height=int(size[1]), limit=limits.scan_pixels // 10_000)
            if image is not None:  # the scanner's own pixels, not a resampling of them
                yield image.get_bitmap(render=False).to_pil().convert("L"), 72 * size[0] / page.get_width()
            else:
                yield page.render(scale=PDF_DPI / 72, grayscale=True).to_pil(), PDF_DPI
            page.close()
    finally:
        pdf.close()


def _whole_page_image(page):
    """The page's one image when it covers the page (a scanner's PDF), else None."""
    import pypdfium2.raw as pdfium_raw

    images = list(page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE], max_depth=1))
    if len(images) != 1:
        return None
    left, bottom, right, top = images[0].get_bounds()
    width, height = page.get_size()
    covers = (right - left) >= 0.9 * width and (top - bottom) >= 0.9 * height
    return images[0] if covers and min(images[0].get_px_size()) > 0 else None


def pages_of_images(paths: list[Path], datas: list[bytes], limits: ReadLimits) -> Iterator[tuple[object, float]]:
    """Pictures (and a TIFF's frames) as grey pages with their dpi, each checked by its header
    before its pixels are decoded."""
    from PIL import Image

    count = 0
    for path, data in zip(paths, datas, strict=True):
        guard, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None  # the header only: sized below
        try:
            image = Image.open(io.BytesIO(data))
            frames = getattr(image, "n_frames", 1)
        except Exception:
            raise InputError(path, NOT_IMAGE) from None
        finally:
            Image.MAX_IMAGE_PIXELS = guard
        if count + frames > limits.scan_pages:
            raise InputError(path, SCAN_TOO_MANY_PAGES, limit=limits.scan_pages)
        for frame in range(frames):
            count += 1
            image.seek(frame)
            width, height = image.size
            if width * height > limits.scan_pixels:
                raise InputError(path, SCAN_PAGE_TOO_BIG, page=count, width=width, height=height,
                                 limit=limits.scan_pixels // 10_000)
            try:
                grey = image.convert("L")
            except Exception:
                raise InputError(path, NOT_IMAGE) from None
            dpi = image.info.get("dpi", (0, 0))[0]
            yield grey, float(dpi) if dpi and dpi >= 72 else width / A4_WIDTH


def read_pages(path: Path, pages: Iterator[tuple[object, float]], limits: ReadLimits,
               first: int = 1) -> tuple[list[Line], list[Recognised]]:
    """The scan's lines and the table cells read, pages in order (the first is page ``first``)."""
    from . import ocr_engines

    try:  # the ocr extra: numpy and OpenCV with an engine
        import cv2
        import numpy as np

        from . import ocr_grid
        engine = ocr_engines.engine()
    except (ImportError, ocr_engines.Missing):
        raise InputError(path, OCR_MISSING) from None
    lines: list[Line] = []
    cells: list[Recognised] = []
    for number, (picture, dpi) in enumerate(pages, start=first):
        started = time.monotonic()
        grey: np.ndarray = np.asarray(picture, dtype=np.uint8)
        if dpi > READ_DPI * 1.05:  # a finer scan is read as a 200 dpi one (see READ_DPI)
            grey = cv2.resize(grey, None, fx=READ_DPI / dpi, fy=READ_DPI / dpi, interpolation=cv2.INTER_AREA)
            dpi = READ_DPI
        grey = ocr_grid.straighten(grey)
        page = ocr_grid.layout(grey, dpi)
        scale = _enlargement(page)
        if scale > 1:  # small characters lose strokes: the engine reads them enlarged
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            dpi *= scale
            page = ocr_grid.layout(grey, dpi)
        clean = for_reading(grey)
        clean[page.ruling > 0] = 255  # and the ruling: a cell's edge is not a character
        crops, where = [], []  # every text line of the page, read in one batch
        for k, (_, item) in enumerate(page.items):
            if isinstance(item, tuple) and item and isinstance(item[0], ocr_grid.Cell):
                for c, cell in enumerate(item):
                    pieces = [_crop(clean, box, cell.box) for box in cell.lines]
                    if len(pieces) > 1 and all(x1 - x0 <= UPRIGHT * (y1 - y0) for x0, y0, x1, y1 in cell.lines):
                        pieces = [_side_by_side(pieces)]  # text set upright, a character or two a line
                    crops += pieces
                    where += [(k, c)] * len(pieces)
            else:
                crops.append(_crop(clean, item, None))  # type: ignore[arg-type]
                where.append((k, -1))
        read: dict[tuple[int, int], list[tuple[str, float]]] = {}
        for at, found in zip(where, engine.read(crops), strict=True):
            read.setdefault(at, []).append(found)
        if time.monotonic() - started > limits.scan_seconds:
            raise InputError(path, SCAN_PAGE_SLOW, page=number, limit=f"{limits.scan_seconds:g}")
        for k, (_, item) in enumerate(page.items):
            line = len(lines) + 1
            if not (isinstance(item, tuple) and item and isinstance(item[0], ocr_grid.Cell)):
                text = " ".join(t for t, _ in read.get((k, -1), []) if t.strip())
                if text:
                    lines.append(Line(line, (text,)))
                continue
            given = []
            for c, cell in enumerate(item):
                parts = read.get((k, c), [])
                text = " ".join(t for t, _ in parts if t.strip())
                confidence = min((s for _, s in parts), default=0.0)
                value, status = classify(text, confidence, getattr(engine, "confident", CONFIDENCE))
                given.append(value)
                crop = grey[_shown(cell)]
                scale = min(1.0, CROP_HEIGHT / max(1, crop.shape[0]))
                if scale < 1:
                    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
                png = cv2.imencode(".png", crop)[1].tobytes()
                cells.append(Recognised(line, c, number, cell.box, text, confidence, value, status, png))
            lines.append(Line(line, tuple(given)))
    return lines, cells


def _enlargement(page) -> float:
    """How much to enlarge a page for its text lines (cells' lines first) to be :data:`LINE_PIXELS` high."""
    import numpy as np

    from . import ocr_grid

    heights = [b[3] - b[1] for _, item in page.items if isinstance(item, tuple) and item
               and isinstance(item[0], ocr_grid.Cell) for cell in item for b in cell.lines]
    heights = heights or [item[3] - item[1] for _, item in page.items if not isinstance(item[0], ocr_grid.Cell)]
    if not heights:
        return 1.0
    median = float(np.median(heights))
    return min(MAX_ENLARGEMENT, LINE_PIXELS / median) if 0 < median < LINE_PIXELS * 0.9 else 1.0


def for_reading(grey):
    """The page as the engine reads it: a median filter takes out a scan's speckle, and the
    paper (lighter than Otsu's threshold) is made white; the ink keeps its greys. A hard black
    and white lost strokes (申 read 中, 直接起诉 盲接起诉) where this reads every label and digit
    of the test pages."""
    import cv2
    import numpy as np

    smooth = cv2.medianBlur(grey, 3)
    threshold, _ = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return np.where(smooth > threshold, 255, smooth).astype(np.uint8)


def _side_by_side(pieces: list) -> object:
    """Short lines read as one: 「结」「果」「维」「持」 is read better as 结果维持."""
    import cv2
    import numpy as np

    height = max(p.shape[0] for p in pieces)
    return np.hstack([cv2.copyMakeBorder(p, 0, height - p.shape[0], 0, 0, cv2.BORDER_CONSTANT, value=255)
                      for p in pieces])


def _shown(cell) -> tuple[slice, slice]:
    """What the evidence page shows of a cell: its text with a margin (the whole cell when empty)."""
    x0, y0, x1, y1 = cell.box
    if cell.lines:
        pad = 6
        x0, y0 = max(x0, min(b[0] for b in cell.lines) - pad), max(y0, min(b[1] for b in cell.lines) - pad)
        x1, y1 = min(x1, max(b[2] for b in cell.lines) + pad), min(y1, max(b[3] for b in cell.lines) + pad)
    return slice(y0, y1), slice(x0, x1)


def _crop(grey, box: tuple[int, int, int, int], within: tuple[int, int, int, int] | None):
    """A text line's pixels with a margin of white (engines read a line better with one)."""
    import cv2

    x0, y0, x1, y1 = box
    pad = max(2, (y1 - y0) // 4)
    if within is not None:  # not the ruling around it
        x0, y0 = max(x0 - pad, within[0] + 2), max(y0 - pad, within[1] + 2)
        x1, y1 = min(x1 + pad, within[2] - 2), min(y1 + pad, within[3] - 2)
    else:
        x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    h, w = grey.shape
    piece = grey[max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
    return cv2.copyMakeBorder(piece, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
