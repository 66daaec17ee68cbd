"""Speed and bounds (issue 17, item 11): a 300-page PDF stays within the readers' bounds and the
import's time budget, and is read, not refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from import_attacks import pdf_of
from xl_helpers import run

from xlgbreport.importer import budget, readers
from xlgbreport.importer.limits import LIMITS

#: A report's page: 28 lines of about 27 characters (淮安's PDF is 26 to 27 a line, 28 lines a page).
PAGES, LINES = 300, 28
LARGE = Path(__file__).parent / "data" / "published" / "huaian_szf_2024.txt"


def many_pages(pages: int, lines: int) -> bytes:
    """A PDF of ``pages`` pages, each with ``lines`` lines of text (one shared font)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for page in range(pages):
        ops = [b"BT /F1 11 Tf 60 800 Td 16 TL"]
        ops += [b"(Page %d line %d: 2024, 3119 cases.) Tj T*" % (page + 1, i) for i in range(lines)]
        stream = b"\n".join([*ops, b"ET"])
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 3 0 R >> >> >>" % content)
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    return pdf_of(objects)


@pytest.mark.slow
def test_a_300_page_pdf_is_read_within_the_bounds_and_the_budget(tmp_path):
    """Half the budget at most, so that the import (in a child, under the budget's wall clock
    too) reads it on a loaded machine: about 7 s of CPU on the 2-core development box."""
    assert PAGES < LIMITS.pages and PAGES * LINES < LIMITS.lines
    pdf = tmp_path / "厚报告.pdf"
    pdf.write_bytes(many_pages(PAGES, LINES))
    start = time.process_time()  # the budget bounds CPU time as well as wall time; CPU is what a
    document = readers.read(pdf)  # busy machine does not inflate
    seconds = time.process_time() - start
    assert len([ln for ln in document.lines if ln.cells != ("",)]) == PAGES * LINES
    assert seconds < budget.BUDGET.seconds / 2, f"{seconds:.1f} s of CPU for {PAGES} pages"
    start = time.monotonic()
    code, output = run("import", pdf, LARGE)
    took = time.monotonic() - start
    # bounded either way: read (1, nothing of a report in it) or, on a machine so loaded that
    # the budget's wall clock runs out first, one Chinese line; the batch goes on
    assert took < 2 * budget.BUDGET.seconds + 10
    lines = output.splitlines()
    assert code == 1 or (code == 2 and lines[0] == f"✘ {pdf.name}：" + budget.TIMED_OUT.format(n="20"))
    assert "Traceback" not in output
    assert any(line.startswith(f"{LARGE.name}：") for line in lines)  # the next file is read
