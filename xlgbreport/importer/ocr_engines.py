"""Offline OCR engines that read one line of text from a picture, with a confidence.

Both run from registry packages and load no model from the internet: RapidOCR's onnxruntime
wheel ships its PP-OCRv4 models inside the package (only its recogniser is used: the page's
lines and cells are found by :mod:`.ocr_grid`), and Tesseract reads the ``chi_sim`` data the
system package installs (Debian: ``tesseract-ocr-chi-sim``). They are an optional extra
(``pip install xlgbreport[ocr]``); without one, a scan is refused with how to install it.

A confidence is 0 to 1: RapidOCR's is the mean probability of the characters it read,
Tesseract's the lowest of its words' (its 0-100 scale divided by 100).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..errors import Message

OCR_MISSING = Message("import.ocr_missing", "是扫描件或图片，需要文字识别（OCR）组件：请运行 "
                      "pip install xlgbreport[ocr]（用 Tesseract 时还需系统软件包 tesseract-ocr 和 "
                      "tesseract-ocr-chi-sim）后再试")
ENGINES = ("rapidocr", "tesseract")
#: The engine used unless ``XLGBREPORT_OCR_ENGINE`` names another (docs/import.md: why this one).
DEFAULT = "rapidocr"


class Engine(Protocol):
    name: str

    def read(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Each crop's text (one line, grey image) and confidence (0 to 1)."""
        ...


class Missing(Exception):
    """The engine's package or data is not installed."""


class Rapid:
    """RapidOCR's PP-OCRv4 recogniser (onnxruntime, models inside the wheel), lines in batches."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise Missing from exc
        # one thread: a batch reads its files in a process pool, one per core
        self._engine = RapidOCR(print_verbose=False, intra_op_num_threads=1, rec_batch_num=16)

    def read(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        import cv2
        colour = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
        found, _ = self._engine.text_rec(colour)
        return [(str(text), float(score)) for text, score in found]


class Tesseract:
    """Tesseract 5 (``chi_sim``) through pytesseract, a line at a time (``--psm 7``)."""

    name = "tesseract"

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
        out = []
        for crop in crops:
            data = self._tesseract.image_to_data(crop, lang="chi_sim", config="--psm 7",
                                                 output_type=self._tesseract.Output.DICT)
            words = [(w, float(c)) for w, c in zip(data["text"], data["conf"], strict=True) if w.strip()]
            text = "".join(w for w, _ in words)
            out.append((text, min((c for _, c in words), default=0.0) / 100))
        return out


@functools.cache
def _made(name: str) -> Engine:
    return Tesseract() if name == "tesseract" else Rapid()


def engine(name: str | None = None) -> Engine:
    """The engine ``name`` (default: ``XLGBREPORT_OCR_ENGINE``, else :data:`DEFAULT`); raises
    :class:`Missing` when it is not installed."""
    name = name or os.environ.get("XLGBREPORT_OCR_ENGINE") or DEFAULT
    return _made(name if name in ENGINES else DEFAULT)  # loaded once a process: models take a second
