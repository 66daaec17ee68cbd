"""The offline OCR engine that reads one line of text from a picture, with a confidence.

RapidOCR runs from its registry package and loads no model from the internet: its onnxruntime
wheel ships its PP-OCRv4 models inside the package (only its recogniser is used: the page's
lines and cells are found by :mod:`.ocr_grid`). It is an optional extra (``pip install
xlgbreport[ocr]``); without it, a scan is refused with how to install it. It is the only engine
of the product: Tesseract, compared in ``bench/bench_ocr.py``, placed wrong digits at confidences
as high as right ones (docs/import.md gives the figures), and a confidence that cannot tell them
apart cannot keep a guess out of the table.

A confidence is 0 to 1: the mean probability of the characters read.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ..errors import Message

if TYPE_CHECKING:  # numpy comes with the extra, not with the package
    import numpy as np

OCR_MISSING = Message("import.ocr_missing", "是扫描件或图片，需要文字识别（OCR）组件：请运行 "
                      "pip install xlgbreport[ocr] 后再试")


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


@functools.cache
def engine() -> Engine:
    """RapidOCR, loaded once a process (its models take a second); raises :class:`Missing` when
    it is not installed."""
    return Rapid()
