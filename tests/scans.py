"""Scans made from the examples, as a county gets them: the report printed to PDF by
LibreOffice, rasterised by poppler's ``pdftoppm`` at a resolution, then turned a little, spotted
with noise and saved through JPEG (Pillow), as pictures and as a PDF of page images."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image
from published_docs import Known, pdf_from_docx, rendered


def printed(report: Known, folder: Path) -> Path:
    """The PDF LibreOffice makes of the rendered Word report (seconds: make it once)."""
    return pdf_from_docx(rendered(report, "docx", folder), folder)


def scan(pdf: Path, folder: Path, dpi: int, *, skew: float = 0.4, noise: float = 8.0,
         quality: int = 70, seed: int = 0) -> list[Path]:
    """``pdf``'s pages as scanned pictures (PNG) in ``folder``, in page order."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(folder / "raw")],
                   check=True, capture_output=True, timeout=300)
    rng = np.random.default_rng(seed)
    out = []
    for k, raw in enumerate(sorted(folder.glob("raw-*.png"), key=lambda p: int(p.stem.split("-")[1]))):
        page = Image.open(raw).convert("L").rotate(skew * (1 if k % 2 else -1), resample=Image.BILINEAR,
                                                   fillcolor=255)
        pixels = np.asarray(page, dtype=np.float32) + rng.normal(0, noise, (page.height, page.width))
        page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        jpeg = io.BytesIO()
        page.save(jpeg, "JPEG", quality=quality)
        path = folder / f"第{k + 1}页.png"
        Image.open(io.BytesIO(jpeg.getvalue())).save(path, dpi=(dpi, dpi))
        raw.unlink()
        out.append(path)
    return out


def image_pdf(pages: list[Path], path: Path, dpi: int) -> Path:
    """The pictures as one PDF of page images, no text layer (what a scanner saves)."""
    images = [Image.open(p).convert("L") for p in pages]
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi))
    return path
