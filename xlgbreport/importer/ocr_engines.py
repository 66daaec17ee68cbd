"""Offline OCR engines that read one line of text from a picture, with a confidence.

Both run from registry packages and load no model from the internet: RapidOCR's onnxruntime
wheel ships its PP-OCRv4 models inside the package (only its recogniser is used: the page's
lines and cells are found by :mod:`.ocr_grid`), and Tesseract reads the ``chi_sim`` data the
system package installs (Debian: ``tesseract-ocr-chi-sim``). They are an optional extra
(``pip install xlgbreport[ocr]``); without one, a scan is refused with how to install it.

A confidence is 0 to 1: RapidOCR's is the mean probability of the characters it read,
Tesseract's the lowest of its words' in the line (its 0-100 scale divided by 100).
"""

from __future__ import annotations

import bisect
import functools
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ..errors import Message

if TYPE_CHECKING:  # numpy comes with the extra, not with the package
    import numpy as np

OCR_MISSING = Message("import.ocr_missing", "是扫描件或图片，需要文字识别（OCR）组件：请运行 "
                      "pip install xlgbreport[ocr]（用 Tesseract 时还需系统软件包 tesseract-ocr 和 "
                      "tesseract-ocr-chi-sim）后再试")
ENGINES = ("rapidocr", "tesseract")
#: The engine used unless ``XLGBREPORT_OCR_ENGINE`` names another (docs/import.md: why this one).
DEFAULT = "rapidocr"


class Engine(Protocol):
    name: str
    confident: float  # the confidence a number cell needs to be placed (their scales differ)

    def read(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Each crop's text (one line, grey image) and confidence (0 to 1)."""
        ...


class Missing(Exception):
    """The engine's package or data is not installed."""


class Rapid:
    """RapidOCR's PP-OCRv4 recogniser (onnxruntime, models inside the wheel), lines in batches."""

    name = "rapidocr"
    confident = 0.8  # a lone 0 reads at 0.87 to 0.99 on the test scans; misread digits fall below

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise Missing from exc
        # one thread: a batch reads its files in a process pool, one per core
        self._engine = RapidOCR(print_verbose=False, intra_op_num_threads=1, rec_batch_num=1)

    def read(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        import cv2
        colour = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
        found, _ = self._engine.text_rec(colour)
        return [(str(text), float(score)) for text, score in found]


class Tesseract:
    """Tesseract 5 (``chi_sim``) through pytesseract. Starting the program and loading its
    Chinese data takes longer than reading a line, so the lines are read :data:`STACK` at a
    time: stacked one under another with white between (``--psm 6``, a block of lines), and
    each word given back to the line its middle falls in."""

    name = "tesseract"
    confident = 0.7  # its digits read at 0.8 to 0.96 on the test scans
    STACK = 80
    GAP = 24  # pixels of white between stacked lines

    def __init__(self) -> None:
        try:
            import pytesseract
            languages = pytesseract.get_languages(config="")
        except Exception as exc:  # no binding, or no tesseract program (TesseractNotFoundError)
            raise Missing from exc
        if "chi_sim" not in languages:
            raise Missing
        self._tesseract = pytesseract

    def read(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        for start in range(0, len(crops), self.STACK):
            out += self._stacked(crops[start:start + self.STACK])
        return out

    def _stacked(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        import numpy as np

        width = max(c.shape[1] for c in crops) + 2 * self.GAP
        tops, y = [], self.GAP
        for crop in crops:
            tops.append(y)
            y += crop.shape[0] + self.GAP
        sheet = np.full((y, width), 255, np.uint8)
        for crop, top in zip(crops, tops, strict=True):
            sheet[top:top + crop.shape[0], self.GAP:self.GAP + crop.shape[1]] = crop
        data = self._tesseract.image_to_data(sheet, lang="chi_sim", config="--psm 6",
                                             output_type=self._tesseract.Output.DICT)
        words: list[list[tuple[int, str, float]]] = [[] for _ in crops]
        for text, conf, left, top, height in zip(data["text"], data["conf"], data["left"], data["top"],
                                                 data["height"], strict=True):
            middle = top + height / 2
            k = bisect.bisect_right(tops, middle) - 1
            if text.strip() and 0 <= k < len(crops) and middle < tops[k] + crops[k].shape[0] + self.GAP / 2:
                words[k].append((left, text.strip(), float(conf)))
        return [("".join(w for _, w, _ in sorted(found)), min((c for _, _, c in found), default=0.0) / 100)
                for found in words]


@functools.cache
def _made(name: str) -> Engine:
    return Tesseract() if name == "tesseract" else Rapid()


def engine(name: str | None = None) -> Engine:
    """The engine ``name`` (default: ``XLGBREPORT_OCR_ENGINE``, else :data:`DEFAULT`); raises
    :class:`Missing` when it is not installed."""
    name = name or os.environ.get("XLGBREPORT_OCR_ENGINE") or DEFAULT
    return _made(name if name in ENGINES else DEFAULT)  # loaded once a process: models take a second
