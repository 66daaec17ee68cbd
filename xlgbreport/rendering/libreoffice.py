"""What LibreOffice is told so that a PDF made here looks like the Word document in Word.

Two things Word does that LibreOffice, converting headless on Linux, would not:

- **Fonts.** The template names 方正小标宋简体, 仿宋_GB2312, 黑体 and 宋体, which a Linux machine lacks;
  fontconfig's nearest match is a sans face (Noto Sans CJK), so the body would print in sans. The
  private profile's font replacement table (Tools ▸ Options ▸ Fonts) names a free stand-in for each.
- **Tables kept on one page.** Word keeps a table on one page when every paragraph of its rows
  but the last is "keep with next"; LibreOffice reads that from .docx but does not act on it. The
  ODF it makes is told so (``style:may-break-between-rows="false"``) before it prints the PDF.
- **The character grid.** Word fits 28 三号 characters a line by narrowing each character to the
  grid's pitch (``w:charSpace``); LibreOffice's grid instead gives a character wider than the pitch
  two cells (14 a line). The copy it converts has no grid, and the styles on the grid are
  narrowed by the same amount as character spacing: 28 characters a line in both.
"""

from __future__ import annotations

import io
import math
import subprocess
import zipfile
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODF_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
DOCUMENT, STYLES = "word/document.xml", "word/styles.xml"

#: The free fonts that stand in, in a PDF made here, for the fonts the template names and a
#: Linux machine lacks: a serif face for the title, body and tables (never sans: 仿宋 and 宋体 are
#: serif faces), a sans face for 黑体. Only where fontconfig lists the named font as missing
#: (LibreOffice's own "only when missing" takes fontconfig's nearest match, a sans face, as present).
STAND_INS = {"方正小标宋简体": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC", "SimSun": "Noto Serif CJK SC",
             "仿宋_GB2312": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC", "FangSong": "Noto Serif CJK SC",
             "黑体": "Noto Sans CJK SC", "SimHei": "Noto Sans CJK SC"}


def profile(folder: Path) -> Path:
    """A LibreOffice user profile holding only the font replacement table (Tools ▸ Options ▸
    Fonts) of :data:`STAND_INS`."""
    def prop(name: str, value: str) -> str:
        return f'<prop oor:name="{name}" oor:op="fuse"><value>{escape(value)}</value></prop>'

    table = "/org.openoffice.Office.Common/Font/Substitution"
    items = [f'<item oor:path="{table}">{prop("Replacement", "true")}</item>']
    fonts = installed()
    pairs = [(name, stand_in) for name, stand_in in STAND_INS.items() if name not in fonts]
    for i, (name, stand_in) in enumerate(pairs):
        items.append(f'<item oor:path="{table}/FontPairs"><node oor:name="_{i}" '
                     f'oor:op="replace">{prop("Always", "true")}{prop("OnScreenOnly", "false")}'
                     f'{prop("ReplaceFont", name)}{prop("SubstituteFont", stand_in)}</node></item>')
    user = folder / "profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + "\n".join(items) + "\n</oor:items>\n", encoding="utf-8")
    return folder / "profile"


@cache
def installed() -> frozenset[str]:
    """The font families fontconfig knows (none where there is no fontconfig, as on Windows)."""
    try:
        done = subprocess.run(["fc-list", ":", "family"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    names = done.stdout.decode("utf-8", "replace").replace("\n", ",").split(",")
    return frozenset(n.strip() for n in names if n.strip())


def as_word_lays_out(data: bytes) -> bytes:
    """The .docx with its character grid turned into character spacing (see the module's
    docstring); unchanged when it has no character grid."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        document = etree.fromstring(source.read(DOCUMENT))
        grids = [g for g in document.iter(f"{W}docGrid") if g.get(f"{W}type") in ("linesAndChars", "snapToChars")]
        if not grids:
            return data
        styles = etree.fromstring(source.read(STYLES))
        pitch_change = int(grids[0].get(f"{W}charSpace", "0")) / 4096  # pt, from the default size
        for grid in grids:
            grid.attrib.pop(f"{W}type")
            grid.attrib.pop(f"{W}charSpace", None)
        _narrow(styles, pitch_change)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                body = {DOCUMENT: document, STYLES: styles}.get(item.filename)
                target.writestr(item, source.read(item) if body is None else etree.tostring(
                    body, xml_declaration=True, encoding="UTF-8", standalone=True))
    return out.getvalue()


def _narrow(styles: etree._Element, change: float) -> None:
    """Each paragraph style on the grid (no ``snapToGrid`` off) gets the pitch change as character
    spacing, rounded down to Word's twentieths of a point so that the grid's count still fits."""
    if change >= 0:
        return
    twentieths = str(math.floor(change * 20))
    for style in styles.iter(f"{W}style"):
        snap = style.find(f"{W}pPr/{W}snapToGrid")
        if style.get(f"{W}type") != "paragraph" or (snap is not None and snap.get(f"{W}val") in ("0", "false")):
            continue
        rpr = style.find(f"{W}rPr")
        if rpr is None:
            rpr = etree.SubElement(style, f"{W}rPr")
        spacing = rpr.find(f"{W}spacing")
        if spacing is None:
            spacing = etree.SubElement(rpr, f"{W}spacing")
        spacing.set(f"{W}val", twentieths)


def kept_tables(data: bytes) -> list[bool]:
    """For each table of the .docx body in order: whether Word keeps it on one page (every
    paragraph in every row but the last keeps with the next)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        document = etree.fromstring(source.read(DOCUMENT))
    kept = []
    for table in document.iter(f"{W}tbl"):
        rows = table.findall(f"{W}tr")
        kept.append(bool(rows) and all(p.find(f"{W}pPr/{W}keepNext") is not None
                                       for row in rows[:-1] for p in row.iter(f"{W}p")))
    return kept


def keep_tables_together(odf: Path, kept: list[bool]) -> None:
    """Mark the ODF's tables (in document order, as in the .docx) that ``kept`` says Word keeps
    on one page: LibreOffice then moves such a table whole to the next page."""
    with zipfile.ZipFile(odf) as source:
        items = [(item, source.read(item)) for item in source.infolist()]
    content = etree.fromstring(dict((i.filename, d) for i, d in items)["content.xml"])
    styles = {s.get(f"{ODF_STYLE}name"): s for s in content.iter(f"{ODF_STYLE}style")}
    for table, keep in zip(content.iter(f"{ODF_TABLE}table"), kept, strict=False):
        style = styles.get(table.get(f"{ODF_TABLE}style-name"))
        properties = style.find(f"{ODF_STYLE}table-properties") if style is not None else None
        if keep and properties is not None:
            properties.set(f"{ODF_STYLE}may-break-between-rows", "false")
    with zipfile.ZipFile(odf, "w") as target:
        for item, data in items:  # "mimetype" first and stored, as ODF requires
            if item.filename == "content.xml":
                data = etree.tostring(content, xml_declaration=True, encoding="UTF-8")
            target.writestr(item, data, zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED)
