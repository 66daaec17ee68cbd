"""The bounds scan's two ways through a sheet agree: the byte scan, where it takes a member as
written in the common form, finds what the element walk finds, in any block size."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from xlgbreport.files import bounds

#: Cells as writers (and hostile files) write them: common, error-typed, without ``r``, with a
#: lower-case or odd reference, odd spacing, self-closed.
CELLS = st.sampled_from([
    '<c r="{ref}"><v>1</v></c>', '<c r="{ref}" s="1" t="s"><v>0</v></c>', '<c r="{ref}"/>',
    '<c r="{ref}" t="e"><v>#REF!</v></c>', "<c r=\"{ref}\" t = 'e'/>", "<c><v>2</v></c>", "<c/>",
    '<c r="{low}"/>', '<c  r="{ref}"/>', '<c\tr="{ref}"/>', '<c t="n" r="{ref}"/>',
])
REFS = st.tuples(st.sampled_from(["A", "F", "Z", "AB", "XFD"]), st.integers(1, 2_000))


@st.composite
def sheets(draw) -> bytes:
    rows = []
    for r in range(1, draw(st.integers(0, 6)) + 1):
        cells = []
        for cell in draw(st.lists(CELLS, max_size=6)):
            letters, row = draw(REFS)
            cells.append(cell.format(ref=f"{letters}{row}", low=f"{letters.lower()}{row}"))
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    body = "".join(rows)
    return (f'<worksheet xmlns="{bounds.MAIN}"><cols><col min="1" max="2"/></cols>'
            f"<sheetData>{body}</sheetData></worksheet>").encode()


def extent(scan, data: bytes) -> tuple[int, int, int, bool] | None:
    found = bounds.Extent()
    if scan(io.BytesIO(data), found, bounds.Limits(max_cells=10**9)) is False:
        return None
    return found.rows, found.cols, found.cells, found.errors


@settings(max_examples=300, deadline=None)
@given(sheets())
def test_the_byte_scan_finds_what_the_walk_finds(data: bytes) -> None:
    walked = extent(bounds._walk, data)
    common = 0
    for block in (32, 100, 1 << 20):  # longer than any tag here, as 1 MB is than a cell's start
        chunk, bounds._CHUNK = bounds._CHUNK, block
        try:
            scanned = extent(bounds._scan_bytes, data)
        finally:
            bounds._CHUNK = chunk
        if scanned is not None:  # else the member is walked
            assert scanned == walked
            common += 1
    assert common in (0, 3)  # whether a member is in the common form does not depend on blocks


def test_common_and_odd_members() -> None:
    common = (f'<worksheet xmlns="{bounds.MAIN}"><sheetData><row r="3"><c r="B3" t="e"><v>#N/A</v>'
              '</c><c r="AB12"/></row></sheetData></worksheet>').encode()
    assert extent(bounds._scan_bytes, common) == (12, 28, 2, True) == extent(bounds._walk, common)
    for odd in (common.replace(b'<c r="AB12"', b"<c"), common.replace(b"<c ", b"<x:c ")):
        assert extent(bounds._scan_bytes, odd) is None


def test_a_member_inflated_in_one_call_is_what_zipfile_reads() -> None:
    """The one-call inflating gives zipfile's bytes, or nothing (and zipfile reads the member): a
    stored, empty, misnamed or damaged member is left to zipfile, which says what is wrong."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<c r='A1'/>" * 500)
        zf.writestr("xl/sharedStrings.xml", "<si>县</si>" * 50)
        zf.writestr("stored.xml", b"<a/>", compress_type=zipfile.ZIP_STORED)
        zf.writestr("empty.xml", b"")
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        inflated = {i.filename: bounds._inflated(zf, i) for i in zf.infolist()}
        assert inflated["stored.xml"] is None and inflated["empty.xml"] is None
        for name in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
            assert inflated[name] is not None and inflated[name].read() == zf.read(name)
    misnamed = data.replace(b"xl/worksheets/sheet1.xml", b"xl/worksheets/sheet2.xml", 1)  # local header
    damaged = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("xl/sharedStrings.xml")
        damaged[info.header_offset + 30 + len(info.filename) + 5] ^= 0xFF  # inside the deflated stream
    with zipfile.ZipFile(io.BytesIO(misnamed)) as zf:
        assert bounds._inflated(zf, zf.getinfo("xl/worksheets/sheet1.xml")) is None
    with zipfile.ZipFile(io.BytesIO(bytes(damaged))) as zf:
        assert bounds._inflated(zf, zf.getinfo("xl/sharedStrings.xml")) is None
