"""files.xlsx_patch: edits found by a parser, not a pattern; everything else byte for byte."""

from __future__ import annotations

import pytest

from xlgbreport.files import xlsx_patch

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet(rows: bytes, head: bytes = b"") -> bytes:
    return head + b'<worksheet xmlns="' + MAIN + b'"><sheetData>' + rows + b"</sheetData></worksheet>"


@pytest.mark.parametrize("head", [b"", b'<?xml version="1.0" encoding="UTF-8"?>\n',
                                  b"\xef\xbb\xbf<?xml version='1.0'?>"])
def test_what_a_pattern_would_misread_is_kept_byte_for_byte(head) -> None:
    """Attribute values with ``>`` and ``/>``, text with ``>``, a comment and a CDATA section
    that look like cells: only the real D6 changes."""
    rows = (b'<row r="6" x="a/>b"><c r="C6" t="inlineStr"><is><t>x &gt; y/></t></is></c>'
            b"<!-- <c r=\"D6\"><v>9</v></c> -->"
            b'<c r="D6" s="4" foo=\'1>2\'><f>1+1</f><v>2</v></c>'
            b'<c r="E6"><v><![CDATA[3]]></v></c></row>')
    xml = sheet(rows, head)
    new, formula = xlsx_patch.edit_cells(xml, {"D6": 118})
    assert formula
    assert new == xml.replace(b"<c r=\"D6\" s=\"4\" foo='1>2'><f>1+1</f><v>2</v></c>",
                              b"<c r=\"D6\" s=\"4\" foo='1>2'><v>118</v></c>")


def test_a_doctype_is_refused_entities_are_never_expanded() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + sheet(b'<row r="1"><c r="A1"><v>&b;</v></c></row>'))
    external = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
                sheet(b'<row r="1"><c r="A1"><v>&x;</v></c></row>'))
    for xml in (bomb, external):
        with pytest.raises(xlsx_patch.PatchError) as err:
            xlsx_patch.edit_cells(xml, {"A1": 1})
        assert err.value.detail == xlsx_patch.HAS_DTD


@pytest.mark.parametrize(("xml", "detail"), [
    (b'<?xml version="1.0" encoding="GBK"?>' + sheet(b""), xlsx_patch.NOT_UTF8),
    ("<worksheet/>".encode("utf-16"), xlsx_patch.NOT_UTF8),
    (sheet(b'<row r="1"><c r="A1"><v>1</v></row>'), xlsx_patch.NOT_XML),
    (b'<worksheet xmlns="' + MAIN + b'"/>', xlsx_patch.NO_SHEET_DATA),
    (sheet(b'<row><c r="A1"/></row>'), xlsx_patch.ROW_WITHOUT_NUMBER),
    (sheet(b'<row r="1"><c><v>1</v></c></row>'), xlsx_patch.CELL_WITHOUT_REF),
])
def test_a_part_that_cannot_be_edited_safely_says_why(xml, detail) -> None:
    with pytest.raises(xlsx_patch.PatchError) as err:
        xlsx_patch.edit_cells(xml, {"A1": 1})
    assert err.value.detail == detail


def test_an_empty_sheet_gets_its_rows_in_order() -> None:
    xml = b'<worksheet xmlns="' + MAIN + b'"><dimension ref="A1"/><sheetData/></worksheet>'
    new, _ = xlsx_patch.edit_cells(xml, {"B3": 1, "A3": 2, "A1": None, "C1": 5})
    assert new == (b'<worksheet xmlns="' + MAIN + b'"><dimension ref="A1"/><sheetData>'
                   b'<row r="1"><c r="C1"><v>5</v></c></row>'
                   b'<row r="3"><c r="A3"><v>2</v></c><c r="B3"><v>1</v></c></row>'
                   b"</sheetData></worksheet>")

