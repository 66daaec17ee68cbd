"""Tesseract, the engine the OCR route is compared with in ``bench_ocr.py`` and never uses.

It reads the ``chi_sim`` data the system package installs (Debian: ``tesseract-ocr``,
``tesseract-ocr-chi-sim``) through pytesseract (in the ``test`` extra, not ``ocr``). Its
confidence is the lowest of its words' in a line (its 0-100 scale divided by 100). It is kept
out of the product because it placed wrong digits (a 6 read 0 at 0.94) at confidences as high
as right ones: docs/import.md gives the figures.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from xlgbreport.importer.ocr_engines import Missing


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
