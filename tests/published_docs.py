"""Published reports in the layouts the importer meets, made from a known report.

Each generator writes one file from a :class:`Known` report (an interchange JSON of
``../shared/examples/``), so what the file says is known cell by cell and an importer's accuracy
can be measured against it (:func:`every_layout` makes them all):

- :func:`rendered` — the project's own renderer: ``html`` (the official tables with rowspan and
  colspan), ``docx`` (Word tables with gridSpan and vMerge) or ``md`` (pipe tables);
- :func:`pdf_from_docx` — a PDF that LibreOffice makes from such a .docx (slow: once a session);
- :func:`gbk_html` — the rendered page in GBK with no charset declared, a header cell split by
  ``<br>`` (「商业<br>企业」), as many county portals serve it;
- :func:`one_value_per_line` — a .txt with every table cell on its own line and an empty line
  between rows (seed 002's layout);
- :func:`seed_like_md` — a .md with ``#`` headings and tab-separated tables whose merged cells
  leave empty cells (seed 001's layout);
- :func:`digit_runs` — a .txt whose table 三 value rows lost their separators: each row's
  numbers run together (「801000081」 for 80 | 1 | 0 | 0 | 0 | 0 | 81), built from the real table.

Also the bytes of hostile files: :func:`minimal_pdf` (a PDF written object by object, to make
an encrypted one or a decompression bomb) and :func:`rewrite_zip`.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

from import_attacks import pdf_of

import xlgbreport
from xlgbreport.core.model import Report
from xlgbreport.rendering import content, render, writers
from xlgbreport.rendering.content import Content, TableView

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
if not EXAMPLES.is_dir():  # a checkout beside ../shared, or the shared folder of the box
    EXAMPLES = Path("/work/shared/examples")


@dataclass(frozen=True)
class Known:
    """A report whose every cell is known: its JSON (the truth) and what it renders as."""

    name: str
    json_path: Path
    data: dict
    report: Report
    content: Content

    def table(self, table_id: str) -> TableView:
        return next(s.table for s in self.content.sections if s.table and s.table.id == table_id)

    def row_values(self, table_id: str, row_id: str) -> list[str]:
        """A row's numbers as the JSON gives them, in the schema's column order."""
        table = next(t for t in self.report.format.schema.tables if t.id == table_id)
        return [str(self.data[table_id][row_id][c.id]) for c in table.columns]


def known(name: str) -> Known:
    """The example ``name`` (``huaian_szf_2024``, ``suqian_2023``, ``suqian_2024``)."""
    path = EXAMPLES / f"{name}.json"
    report = xlgbreport.read(path)
    return Known(name, path, json.loads(path.read_text(encoding="utf-8")), report, content.build(report))


def every_layout(report: Known, folder: Path, pdf: bool = True) -> dict[str, Path]:
    """Every layout below of one report, by name (``html``, ``docx``, ``md``, ``pdf``, ``gbk``,
    ``per_line``, ``seed_md``, ``runs``); ``pdf`` False skips LibreOffice (seconds a file)."""
    out = {to: rendered(report, to, folder) for to in ("html", "docx", "md")}
    if pdf:
        out["pdf"] = pdf_from_docx(out["docx"], folder)
    out["gbk"] = gbk_html(report, folder)
    out["per_line"] = one_value_per_line(report, folder)
    out["seed_md"] = seed_like_md(report, folder)
    out["runs"] = digit_runs(report, folder)
    return out


def rendered(report: Known, to: str, folder: Path) -> Path:
    """The report as the project renders it for publication: ``html``, ``docx`` or ``md``."""
    path = folder / f"{report.name}.{to}"
    path.write_bytes(render(report.report, to))
    return path


def pdf_from_docx(docx: Path, folder: Path) -> Path:
    """The PDF LibreOffice makes from ``docx`` (what a clerk's 另存为 PDF gives)."""
    path = folder / f"{docx.stem}.pdf"
    path.write_bytes(writers.pdf(docx.read_bytes()))
    return path


def gbk_html(report: Known, folder: Path) -> Path:
    """The rendered page in GBK, its ``<meta charset>`` removed and 「商业企业」 split by a ``<br>``."""
    page = render(report.report, "html").decode("utf-8")
    page = page.replace('<meta charset="utf-8">\n', "").replace(">商业企业<", ">商业<br>企业<")
    assert "charset" not in page.lower() and "商业<br>企业" in page
    path = folder / f"{report.name}_gbk.html"
    path.write_bytes(page.encode("gbk"))
    return path




def _parts(report: Known) -> list[tuple[str, tuple[str, ...], TableView | None]]:
    return [(s.heading, s.paragraphs, s.table) for s in report.content.sections]


def one_value_per_line(report: Known, folder: Path) -> Path:
    """Seed 002's layout: each cell on its own line (tab-indented), an empty line after a row."""
    lines = [report.content.title]
    for heading, paragraphs, table in _parts(report):
        lines += ["", heading, *paragraphs, ""]
        for row in table.rows() if table else []:
            lines += [f"\t{cell.text}" for cell in row] + [""]
    path = folder / f"{report.name}_per_line.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seed_like_md(report: Known, folder: Path) -> Path:
    """Seed 001's layout: Markdown headings, tables as tab-separated rows of the full grid (a
    merged cell's text where it starts, empty cells where it spans)."""
    lines = [f"# {report.content.title}"]
    for heading, paragraphs, table in _parts(report):
        lines += ["", f"## {heading}", ""]
        for text in paragraphs:
            lines += [text, ""]
        for row in writers.grid(table) if table else []:
            lines.append("\t".join(row))
    path = folder / f"{report.name}_seed.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def digit_run(values: list[str]) -> str:
    """A row's numbers as a table that lost its separators shows them."""
    return "".join(values)


def digit_runs(report: Known, folder: Path) -> Path:
    """Tab-separated tables (as :func:`seed_like_md`, no headings marks), except table 三's value
    rows: their labels, then one run of their numbers (「300153006143119」)."""
    lines = [report.content.title]
    for heading, paragraphs, table in _parts(report):
        lines += ["", heading, *paragraphs]
        for row in table.rows() if table else []:
            labels = [c.text for c in row if c.kind != "value"]
            values = [c.text for c in row if c.kind == "value"]
            if table.id == "requests" and values:
                lines.append("\t".join([*labels, digit_run(values)]))
            else:
                lines.append("\t".join(c.text for c in row))
    path = folder / f"{report.name}_runs.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- hostile files --------------------------------------------------------------------------------

def minimal_pdf(page_stream: bytes, *, flate: bool = False, encrypt: bool = False) -> bytes:
    """A one-page PDF with ``page_stream`` as its content (deflated with ``flate``); with
    ``encrypt``, a Standard security handler whose user password is not empty."""
    data = zlib.compress(page_stream, 9) if flate else page_stream
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(data), b" /Filter /FlateDecode" if flate else b"")
        + data + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if encrypt:
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
                       + b"> /P -4 >>")
    extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), b"ab" * 16, b"ab" * 16) if encrypt else b""
    return pdf_of(objects, extra)


def text_stream(lines: list[str]) -> bytes:
    """A content stream writing ASCII ``lines`` down the page."""
    ops = [b"BT /F1 12 Tf 72 800 Td 14 TL"]
    ops += [b"(" + line.encode("ascii") + b") Tj T*" for line in lines]
    return b"\n".join([*ops, b"ET"])


def rewrite_zip(src: Path, dst: Path, changes: dict[str, bytes | None],
                extra: dict[str, bytes] | None = None) -> Path:
    """A copy of the zip ``src`` with members replaced (``None``: dropped) and ``extra`` added."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = changes.get(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst
