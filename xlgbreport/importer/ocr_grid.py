"""Where the text is on a scanned page: its ruled tables' cells and the lines outside them.

Pure image work (numpy and OpenCV, no OCR): a page is straightened by the angle that makes its
rows of ink sharpest, its ruling lines are found by morphology (an opening with a long
horizontal kernel keeps horizontal lines, a tall one vertical lines: strokes of characters are
shorter than :data:`RULE_INCHES`), a table is a connected block of ruling, and its cells are
the regions the ruling encloses. A cell's row is the row its top starts (a merged cell appears
once, in its first row, as the PDF reader gives it). Text outside the tables, and text inside a
cell, is cut into lines at the blank bands between them. Every box is ``(x0, y0, x1, y1)`` in
pixels of the straightened page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: A ruling line is at least this long (inches); a character's stroke (10.5 pt) is 0.15 inch.
RULE_INCHES = 0.3
#: Grey darker than this is ink of a ruling line; gaps along a line up to this long (inches) are closed.
RULE_INK, GAP_INCHES = 200, 0.02
#: Cells whose tops are within this (inches) start the same row.
ROW_TOLERANCE = 0.05
#: A cell or a text line smaller than this (inches) across is a speck, not text.
SPECK_INCHES = 0.03
#: A band of ink lower than this (inches; a 10.5 pt character is 0.15), at most JOIN_INCHES from
#: the next, is part of that line, not a line of its own (printed lines are further apart).
FRAGMENT_INCHES, JOIN_INCHES = 0.09, 0.03
#: Angles tried to straighten a page (degrees either side, and the step).
MAX_SKEW, SKEW_STEP = 2.0, 0.1

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Cell:
    """One cell of a ruled table: its box, and its text lines' boxes (none when it is empty)."""

    box: Box
    lines: tuple[Box, ...]


@dataclass(frozen=True)
class Layout:
    """A page's content top to bottom: each item a text line (its box) or a table row (its cells)."""

    items: tuple[tuple[int, Box | tuple[Cell, ...]], ...]  # (top, what)
    ruling: np.ndarray  # the ruling lines found (255), erased before the cells are read


def ink(gray: np.ndarray) -> np.ndarray:
    """Dark marks as 255 on 0: Otsu's threshold, robust to a scan's grey paper and noise."""
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return bw


def straighten(gray: np.ndarray) -> np.ndarray:
    """The page turned by the angle (within :data:`MAX_SKEW`) whose row profile of ink is sharpest."""
    small = cv2.resize(ink(gray), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    best, best_score = 0.0, -1.0
    for angle in np.arange(-MAX_SKEW, MAX_SKEW + SKEW_STEP / 2, SKEW_STEP):
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        rows = cv2.warpAffine(small, turn, (w, h)).sum(axis=1, dtype=np.float64)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    if abs(best) < SKEW_STEP / 2:
        return gray
    h, w = gray.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), best, 1.0)
    return cv2.warpAffine(gray, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def ruling(gray: np.ndarray, dpi: float) -> np.ndarray:
    """The page's ruling lines (255) by morphology, slightly thickened. Ink here is anything
    darker than :data:`RULE_INK` (a scanned thin line is grey and broken), and gaps of a few
    pixels along a line are closed before the long kernel keeps only lines."""
    bw = np.where(gray < RULE_INK, 255, 0).astype(np.uint8)
    length = max(10, int(RULE_INCHES * dpi))
    gap = max(3, int(GAP_INCHES * dpi))
    lines = []
    for along, across in (((length, 1), (gap, 1)), ((1, length), (1, gap))):
        closed = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, across))
        lines.append(cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, along)))
    return cv2.dilate(cv2.bitwise_or(lines[0], lines[1]), np.ones((3, 3), np.uint8))


def layout(gray: np.ndarray, dpi: float) -> Layout:
    """The page's tables (rows of cells) and text lines, in order of their top."""
    bw = ink(gray)
    grid = ruling(gray, dpi)
    speck = max(3, int(SPECK_INCHES * dpi))
    items: list[tuple[int, Box | tuple[Cell, ...]]] = []
    text = bw.copy()
    count, _, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    for i in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[i])
        if w < 4 * speck or h < 4 * speck:
            continue  # a lone rule (a page's border line, a signature line): not a table
        text[y:y + h, x:x + w] = 0
        for row in _rows(_cells(grid[y:y + h, x:x + w], bw[y:y + h, x:x + w], (x, y), speck, dpi), dpi):
            items.append((row[0].box[1], tuple(row)))
    items += [(box[1], box) for box in lines_of(text, (0, 0), speck, dpi)]
    items.sort(key=lambda item: (item[0], isinstance(item[1], tuple) and len(item[1]) > 0
                                 and isinstance(item[1][0], Cell)))
    return Layout(tuple(items), grid)


def _cells(grid: np.ndarray, bw: np.ndarray, at: tuple[int, int], speck: int, dpi: float) -> list[Cell]:
    """The regions one table's ruling encloses (not the outside, which touches its edge)."""
    h, w = grid.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(255 - grid, connectivity=4)
    out = []
    for i in range(1, count):
        x, y, cw, ch, _ = (int(v) for v in stats[i])
        if x == 0 or y == 0 or x + cw >= w or y + ch >= h or cw < speck or ch < speck:
            continue
        inside = np.where(labels[y:y + ch, x:x + cw] == i, bw[y:y + ch, x:x + cw], 0)
        lines = lines_of(inside, (at[0] + x, at[1] + y), max(2, speck // 2), dpi)
        out.append(Cell((at[0] + x, at[1] + y, at[0] + x + cw, at[1] + y + ch), tuple(lines)))
    return out


def _rows(cells: list[Cell], dpi: float) -> list[list[Cell]]:
    """Cells grouped by the row their top starts, each row left to right."""
    tolerance = ROW_TOLERANCE * dpi
    rows: list[list[Cell]] = []
    for cell in sorted(cells, key=lambda c: c.box[1]):
        if rows and cell.box[1] - rows[-1][0].box[1] <= tolerance:
            rows[-1].append(cell)
        else:
            rows.append([cell])
    return [sorted(row, key=lambda c: c.box[0]) for row in rows]


def lines_of(bw: np.ndarray, at: tuple[int, int], speck: int, dpi: float) -> list[Box]:
    """Text lines in ``bw`` (ink 255): bands of rows holding ink between blank ones, each cut to
    its ink's width; specks (a scan's noise) are not lines. A band much shorter than its
    neighbour, close to it, is part of it (a line whose characters all left the same row blank:
    a light horizontal stroke lost to the threshold)."""
    clean = cv2.morphologyEx(bw, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)) if speck > 2 else bw
    rows = np.flatnonzero(clean.any(axis=1))
    if rows.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) > 1)
    bands = [[int(a), int(b)] for a, b in zip(np.r_[rows[0], rows[breaks + 1]], np.r_[rows[breaks], rows[-1]],
                                               strict=True) if b - a + 1 >= speck]
    joined: list[list[int]] = []
    for band in bands:
        if joined and band[0] - joined[-1][1] <= JOIN_INCHES * dpi and (
                min(band[1] - band[0], joined[-1][1] - joined[-1][0]) + 1 < FRAGMENT_INCHES * dpi):
            joined[-1][1] = band[1]
        else:
            joined.append(band)
    out: list[Box] = []
    for start, stop in joined:
        columns = np.flatnonzero(clean[start:stop + 1].any(axis=0))
        if columns.size == 0 or columns[-1] - columns[0] + 1 < speck // 2:
            continue
        out.append((at[0] + int(columns[0]), at[1] + int(start), at[0] + int(columns[-1]) + 1,
                    at[1] + int(stop) + 1))
    return out
