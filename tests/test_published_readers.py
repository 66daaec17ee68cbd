"""The readers of published reports, on documents made from known reports and on the real ones.

What each reader hands the parser is checked against the truth: the example's JSON and the
table as the renderer drew it (tests/published_docs.py). Hostile and damaged files each give one
Chinese line naming the file (InputError), nothing on stderr.
"""

from __future__ import annotations

import io
import logging
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import published_docs as docs
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from xlgbreport import errors
from xlgbreport.errors import InputError, Message
from xlgbreport.importer import readers
from xlgbreport.importer.limits import ReadLimits

SHARED = docs.EXAMPLES.parent
ROW_1 = "一、本年新收政府信息公开申请数量"


@pytest.fixture(scope="session")
def huaian() -> docs.Known:
    return docs.known("huaian_szf_2024")


@pytest.fixture(scope="session")
def made(tmp_path_factory, huaian) -> dict[str, Path]:
    """Every layout of the huaian report, the PDF once a session (LibreOffice is slow)."""
    return docs.every_layout(huaian, tmp_path_factory.mktemp("published"))


EXAMPLES = sorted(p.stem for p in docs.EXAMPLES.glob("*.json"))


def line_with(document, first: str):
    """The one line whose first non-empty cell is ``first``."""
    found = [line for line in document.lines if [c for c in line.cells if c][:1] == [first]]
    assert len(found) == 1, (first, found)
    return found[0]


def in_order(document, wanted: list[tuple[str, ...]]) -> None:
    """Each of ``wanted`` is some line's cells, in this order."""
    cells = [line.cells for line in document.lines]
    at = 0
    for row in wanted:
        assert row in cells[at:], (row, cells[at:at + 5])
        at = cells.index(row, at) + 1


# --- web page and Word: every table row exactly as drawn, merged cells once ----------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_s_tables_read_back_from_html_and_docx(tmp_path, name) -> None:
    report = docs.known(name)
    assert len(EXAMPLES) >= 3
    for kind in ("html", "docx"):
        document = readers.read(docs.rendered(report, kind, tmp_path))
        assert line_with(document, ROW_1).cells[1:] == tuple(report.row_values("requests", "1"))
        for table in ("proactive", "requests", "appeals"):
            in_order(document, [tuple(c.text for c in r) for r in report.table(table).rows() if any(c.text for c in r)])
        values = [c for line in document.lines for c in line.cells if c.isdigit()]
        assert len(values) >= sum(len(report.table(t).values()) for t in ("requests", "appeals"))


def test_html_blocks_breaks_scripts_and_nested_tables(tmp_path) -> None:
    page = tmp_path / "小.html"
    page.write_text("<html><head><title>标题</title><style>p{}</style></head><body>\n"
                    "<p>甲<br>乙</p><script>var x = '丁';</script>\n"
                    "<div>丙<table><tr><td>a<br>b<table><tr><td>内</td></tr></table></td><td rowspan=2>1</td></tr>\n"
                    "<tr><td>  c\n  d </td></tr></table>尾</div><!-- 注释 --></body></html>", encoding="utf-8")
    assert [(line.number, line.cells) for line in readers.read(page).lines] == [
        (2, ("甲",)), (2, ("乙",)), (3, ("丙",)), (3, ("a b", "1")), (3, ("内",)), (4, ("c d",)), (4, ("尾",))]

@pytest.mark.parametrize("kind", ["html", "docx"])
def test_the_table_rows_are_lines_of_their_cells_as_drawn(made, huaian, kind) -> None:
    document = readers.read(made[kind])
    assert document.kind == kind and document.source == str(made[kind])
    row = line_with(document, ROW_1)
    assert list(row.cells) == [ROW_1, *huaian.row_values("requests", "1")]
    assert ["3001", "53", "0", "0", "61", "4", "3119"] == list(row.cells[1:])  # the JSON's own numbers
    for table in ("proactive", "requests", "appeals"):
        drawn = [tuple(c.text for c in r) for r in huaian.table(table).rows() if any(c.text for c in r)]
        in_order(document, drawn)
    # 「三、本年度办理结果」 spans 22 rows and 「（三）不予公开」 8: each appears once, where it starts
    texts = [c for line in document.lines for c in line.cells]
    assert texts.count("三、本年度办理结果") == 1 and texts.count("（三）不予公开") == 1
    start = line_with(document, "三、本年度办理结果")
    assert start.cells == ("三、本年度办理结果", "（一）予以公开", *huaian.row_values("requests", "3.1"))
    assert line_with(document, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）").cells[1:] == \
        tuple(huaian.row_values("requests", "3.2"))
    assert line_with(document, "2.其他法律行政法规禁止公开").cells[1:] == tuple(huaian.row_values("requests", "3.3.2"))


def test_html_line_numbers_are_source_lines(made) -> None:
    document = readers.read(made["html"])
    source = made["html"].read_text(encoding="utf-8").splitlines()
    for line in document.lines:
        assert line.cells[0] in re.sub(r"<[^>]+>", "", source[line.number - 1]), line
    assert document.lines[0].cells == ("淮安市人民政府2024年政府信息公开工作年度报告",)


def test_docx_line_numbers_count_paragraphs_and_rows(tmp_path) -> None:
    word = docx.Document()
    word.add_paragraph("甲")
    word.add_paragraph("")
    table = word.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "合并行"  # vMerge restart + continuation
    table.cell(0, 1).merge(table.cell(0, 2)).text = "合并列"  # gridSpan
    table.cell(1, 1).text, table.cell(1, 2).text = "1", "2"
    table.cell(2, 0).text = "行三\t制表"
    inner = table.cell(2, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "内", "9"
    word.add_paragraph("乙\t3")
    path = tmp_path / "小.docx"
    word.save(path)
    lines = readers.read(path).lines
    assert [(line.number, line.cells) for line in lines] == [
        (1, ("甲",)),
        (3, ("合并行", "合并列")),  # the merged cells once each
        (4, ("1", "2")),  # the vMerge continuation dropped
        (5, ("行三 制表", "", "")),
        (6, ("内", "9")),  # the nested table's row after the row holding it
        (7, ("乙", "3")),  # a paragraph's tab separates cells
    ]


# --- PDF by LibreOffice ---------------------------------------------------------------------------

def test_the_pdf_s_ruled_tables_are_rows_of_cells_and_its_text_lines(made, huaian) -> None:
    document = readers.read(made["pdf"])
    assert document.kind == "pdf"
    assert [line.number for line in document.lines] == list(range(1, len(document.lines) + 1))
    assert line_with(document, ROW_1).cells == (ROW_1, *huaian.row_values("requests", "1"))
    table = next(t for t in huaian.report.format.schema.tables if t.id == "requests")
    rows = [line.cells for line in document.lines]
    at = 0
    for row in table.rows:  # each row's seven numbers end a line, the rows in order
        values = tuple(huaian.row_values("requests", row.id))
        hits = [i for i, cells in enumerate(rows) if i >= at and cells[-7:] == values]
        assert hits, (row.id, values)
        at = hits[0] + 1
    assert ("规章", "1", "0", "11") in rows and ("行政许可", "447228") in rows
    appeals = [str(huaian.data["appeals"][g][c]) for g in ("review", "litigation_direct", "litigation_after_review")
               for c in ("upheld", "corrected", "other", "pending", "total")]
    assert tuple(appeals) in rows
    labels = [c for cells in rows for c in cells]
    assert labels.count("（三）不 予公开") == 1  # a merged cell once, its wrapped text joined by a space
    assert "— 4 —" in [cells[0] for cells in rows]  # page numbers are kept: the parser skips them
    as_text = readers.read(made["pdf"], ReadLimits(pdf_ruling=10))  # too many rules: text lines only
    assert all(len(line.cells) == 1 for line in as_text.lines)
    assert (ROW_1 + " " + " ".join(huaian.row_values("requests", "1")),) in [line.cells for line in as_text.lines]
    prose = [cells for cells in rows if cells[0].startswith("2024 年，本机关新收政府信息公开申请")]
    assert len(prose) == 1 and len(prose[0]) == 1  # text: one cell a line, wherever the page wraps it


# --- GBK page, text layouts ------------------------------------------------------------------------

def test_a_gbk_page_without_a_charset_is_decoded(made) -> None:
    assert b"charset" not in made["gbk"].read_bytes().lower()
    with pytest.raises(UnicodeDecodeError):
        made["gbk"].read_bytes().decode("utf-8")
    document = readers.read(made["gbk"])
    assert document.kind == "html"
    assert document.lines[0].cells == ("淮安市人民政府2024年政府信息公开工作年度报告",)
    assert line_with(document, "商业 企业").cells == ("商业 企业", "科研机构", "社会公益组织", "法律服务机构", "其他")


def test_a_declared_charset_is_used_and_a_lying_one_is_not(tmp_path) -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>' \
           '<body><p>胡集镇人民政府</p><table><tr><td>规章</td><td>1</td></tr></table></body></html>'
    declared = tmp_path / "gb.htm"
    declared.write_bytes(page.encode("gbk"))
    assert [line.cells for line in readers.read(declared).lines] == [("胡集镇人民政府",), ("规章", "1")]
    lying = tmp_path / "lying.html"
    lying.write_bytes(page.replace("gb2312", "utf-8").encode("gbk") * 20)
    assert readers.read(lying).lines[0].cells == ("胡集镇人民政府",)


def test_one_value_per_line_keeps_empty_lines_and_tabs(made, huaian) -> None:
    document = readers.read(made["per_line"])
    assert document.kind == "txt"
    raw = made["per_line"].read_text(encoding="utf-8").split("\n")[:-1]
    assert [line.text for line in document.lines] == raw  # every line, empty ones too, as cells
    row = line_with(document, ROW_1)
    following = document.lines[row.number:row.number + 8]
    assert [line.cells for line in following] == [("", v) for v in huaian.row_values("requests", "1")] + [("",)]


def test_the_seed_like_markdown_keeps_empty_leading_cells(made, huaian) -> None:
    document = readers.read(made["seed_md"])
    assert document.kind == "md"
    assert document.lines[0].cells == ("# 淮安市人民政府2024年政府信息公开工作年度报告",)
    row = line_with(document, "2.其他法律行政法规禁止公开")
    assert row.cells == ("", "", "2.其他法律行政法规禁止公开", *huaian.row_values("requests", "3.3.2"))


def test_rendered_markdown_pipe_tables_are_split(made, huaian) -> None:
    document = readers.read(made["md"])
    row = line_with(document, ROW_1)
    assert row.cells == (ROW_1, "", "", *huaian.row_values("requests", "1"))
    assert not any(set("".join(line.cells)) <= set("-: ") and line.cells != ("",) for line in document.lines)


def test_digit_runs_are_built_from_the_real_table(made, huaian) -> None:
    document = readers.read(made["runs"])
    assert line_with(document, ROW_1).cells == (ROW_1, "300153006143119")
    for row in ("2", "3.3.1", "4"):
        values = huaian.row_values("requests", row)
        assert any(line.cells[-1] == docs.digit_run(values) for line in document.lines), row
    assert docs.digit_run(["80", "1", "0", "0", "0", "0", "81"]) == "801000081"  # the example
    assert line_with(document, "规章").cells == ("规章", "1", "0", "11")  # other tables keep theirs


# --- the real published reports -------------------------------------------------------------------

def test_the_seeds_and_shared_reports_read_line_for_line() -> None:
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "reports").glob("*.txt"))
    assert len(files) >= 6
    for path in files:
        raw = path.read_bytes().decode("utf-8").splitlines()
        document = readers.read(path)
        assert document.kind == "txt" and len(document.lines) == len(raw), path.name
        for line in document.lines:  # tabs, pipes and runs of two or more spaces separate cells
            assert line.cells == tuple(readers.text_cells(raw[line.number - 1]))
            assert "".join(line.cells).replace(" ", "") == re.sub(r"[\t |｜]", "", raw[line.number - 1])
    seed = readers.read(SHARED / "seeds" / "001_f343fc82610760f0.txt")
    assert line_with(seed, ROW_1).cells == (ROW_1, "", "0", "0", "0", "0", "0", "0", "0", "", "")
    compare = readers.read(SHARED / "reports" / "suqian_2023_2024_compare.txt")
    assert any(line.cells[0].startswith("⼀、本年新收") for line in compare.lines)  # ⼀ is not normalised


# --- bounds and refusals -----------------------------------------------------------------------------

def refused(path: Path, reason: Message, limits: ReadLimits = readers.LIMITS, **args: object) -> None:
    """Reading ``path`` is refused for ``reason`` (its code), with these arguments, on one line."""
    with pytest.raises(InputError) as caught:
        readers.read(path, limits)
    assert (caught.value.code, caught.value.args_) == (reason.code, args)
    assert caught.value.message.startswith(f"{path.name}：") and "\n" not in caught.value.message


def test_bounds_refuse_before_reading(made, tmp_path) -> None:
    refused(made["per_line"], errors.PUBLISHED_TOO_LARGE, ReadLimits(text_bytes=1000),
            size=f"{made['per_line'].stat().st_size / 1024 / 1024:.1f} MB", limit="0.0 MB")
    refused(made["per_line"], errors.TOO_MANY_LINES, ReadLimits(lines=50), limit=50)
    refused(made["html"], errors.TOO_MANY_CELLS, ReadLimits(cells=100), limit=100)
    refused(made["pdf"], errors.TOO_MANY_PAGES, ReadLimits(pages=3), limit=3)
    refused(made["pdf"], errors.UNPACKED_TOO_BIG, ReadLimits(pdf_streams=100_000), limit="0 MB")
    refused(made["docx"], errors.UNPACKED_TOO_BIG, ReadLimits(unzipped_xml=100_000), limit="0 MB")
    refused(made["docx"], errors.TOO_MANY_TAGS, ReadLimits(docx_tags=1000), limit=1000)
    refused(made["gbk"], errors.TOO_MANY_TAGS, ReadLimits(html_tags=100), limit=100)


def test_a_pdf_that_inflates_past_the_bound_is_refused(tmp_path) -> None:
    bomb = tmp_path / "炸弹.pdf"
    bomb.write_bytes(docs.minimal_pdf(b" " * (8 << 20), flate=True))
    assert bomb.stat().st_size < 20_000
    refused(bomb, errors.UNPACKED_TOO_BIG, ReadLimits(pdf_streams=4 << 20), limit="4 MB")
    small = tmp_path / "小.pdf"
    small.write_bytes(docs.minimal_pdf(docs.text_stream(["Table 1 0 11", "page two"]), flate=True))
    assert [line.cells for line in readers.read(small).lines] == [("Table 1 0 11",), ("page two",)]


def test_a_docx_bomb_and_entities_are_refused_before_python_docx(made, tmp_path) -> None:
    bomb = docs.rewrite_zip(made["docx"], tmp_path / "炸弹.docx", {}, {"word/media/zeros.bin": bytes(40 << 20)})
    with zipfile.ZipFile(bomb) as zf:
        infos = zf.infolist()
    ratio = sum(i.file_size for i in infos) / sum(i.compress_size for i in infos)
    refused(bomb, errors.ZIP_BOMB, readers.LIMITS, ratio=ratio)
    with zipfile.ZipFile(made["docx"]) as zf:
        body = zf.read("word/document.xml")
    laughs = ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    for part, name in (("word/document.xml", "实体.docx"), ("word/styles.xml", "样式实体.docx")):
        with zipfile.ZipFile(made["docx"]) as zf:
            data = zf.read(part)
        head = data.index(b"?>") + 2
        docs.rewrite_zip(made["docx"], tmp_path / name, {part: data[:head] + laughs.encode() + data[head:]})
        refused(tmp_path / name, errors.XML_DOCTYPE)
    docs.rewrite_zip(made["docx"], tmp_path / "截断.docx", {"word/document.xml": body[: len(body) // 2]})
    refused(tmp_path / "截断.docx", errors.CORRUPT)
    with zipfile.ZipFile(made["docx"]) as zf:
        types = zf.read("[Content_Types].xml")
    macro = types.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    assert macro != types
    docs.rewrite_zip(made["docx"], tmp_path / "宏.docx", {"[Content_Types].xml": macro})
    refused(tmp_path / "宏.docx", errors.DOCX_OTHER_TYPE)


def test_encrypted_old_and_wrong_files_are_one_chinese_line(made, tmp_path) -> None:
    encrypted = io.BytesIO()
    with made["docx"].open("rb") as fh:
        OOXMLFile(fh).encrypt("mima123", encrypted)
    (tmp_path / "加密.docx").write_bytes(encrypted.getvalue())
    refused(tmp_path / "加密.docx", errors.DOCUMENT_ENCRYPTED)
    (tmp_path / "旧版.doc").write_bytes(readers.OLE2_MAGIC + bytes(504))
    refused(tmp_path / "旧版.doc", errors.OLD_WORD)
    (tmp_path / "加密.pdf").write_bytes(docs.minimal_pdf(docs.text_stream(["x"]), encrypt=True))
    refused(tmp_path / "加密.pdf", errors.PDF_ENCRYPTED)
    (tmp_path / "扫描.pdf").write_bytes(docs.minimal_pdf(b"0 0 m 100 100 l S"))  # a drawing, no text
    refused(tmp_path / "扫描.pdf", errors.PDF_NO_TEXT)
    (tmp_path / "坏.pdf").write_bytes(b"%PDF-1.7\n" + random.Random(11).randbytes(3000))
    refused(tmp_path / "坏.pdf", errors.CORRUPT)
    (tmp_path / "文本.docx").write_text("不是文档", encoding="utf-8")
    refused(tmp_path / "文本.docx", errors.NOT_DOCX)
    (tmp_path / "网页.pdf").write_bytes(made["html"].read_bytes())
    refused(tmp_path / "网页.pdf", errors.NOT_PDF)
    with zipfile.ZipFile(tmp_path / "表格.docx", "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    refused(tmp_path / "表格.docx", errors.NOT_DOCX)
    (tmp_path / "报告.rtf").write_text("{\\rtf1}", encoding="ascii")
    refused(tmp_path / "报告.rtf", errors.PUBLISHED_UNKNOWN_KIND, readers.LIMITS, suffix=".rtf")
    (tmp_path / "空.txt").write_bytes(b"")
    refused(tmp_path / "空.txt", errors.EMPTY)
    (tmp_path / "乱码.txt").write_bytes(bytes(range(256)) * 40)
    refused(tmp_path / "乱码.txt", errors.NOT_TEXT)
    os.mkfifo(tmp_path / "管道.html")
    refused(tmp_path / "管道.html", errors.NOT_REGULAR)


def test_content_wins_over_the_suffix(made, tmp_path) -> None:
    """Portals serve PDFs and Word files under other names; a .htm that is a PDF is read as one."""
    (tmp_path / "下载.htm").write_bytes(made["pdf"].read_bytes())
    assert readers.read(tmp_path / "下载.htm").kind == "pdf"
    (tmp_path / "附件.doc").write_bytes(made["docx"].read_bytes())
    assert readers.read(tmp_path / "附件.doc").kind == "docx"
    (tmp_path / "网页.txt").write_bytes(made["html"].read_bytes())
    assert readers.read(tmp_path / "网页.txt").kind == "html"
    (tmp_path / "文字.html").write_bytes(made["per_line"].read_bytes())
    assert readers.read(tmp_path / "文字.html").kind == "txt"


def test_damaged_files_never_raise_anything_else(made, tmp_path) -> None:
    for kind in ("docx", "pdf", "html", "gbk"):
        data = made[kind].read_bytes()
        for cut in (10, 100, len(data) // 3, len(data) - 300):
            path = tmp_path / f"cut{cut}{made[kind].suffix}"
            path.write_bytes(data[:cut])
            try:
                readers.read(path)
            except InputError as exc:
                assert exc.message.startswith(path.name + "：")


def test_no_warning_reaches_stderr(tmp_path, caplog) -> None:
    """pdfminer logs warnings for odd files (here a line width that is not a number): not on a
    clerk's screen, in-process or as a command."""
    broken = tmp_path / "线宽.pdf"
    broken.write_bytes(docs.minimal_pdf(b"/Bad w\n" + docs.text_stream(["kept"])))
    with caplog.at_level(logging.DEBUG):
        assert readers.read(broken).lines[0].cells == ("kept",)
    assert not [r for r in caplog.records if r.name.startswith("pdfminer") and r.levelno >= logging.WARNING]
    script = "import sys; from xlgbreport.importer import readers; readers.read(sys.argv[1])"
    done = subprocess.run([sys.executable, "-c", script, str(broken)], capture_output=True, text=True, check=True)
    assert done.stderr == ""
    unquiet = subprocess.run([sys.executable, "-c", "import sys, pdfplumber; "
                              "[p.extract_text() for p in pdfplumber.open(sys.argv[1]).pages]", str(broken)],
                             capture_output=True, text=True)
    assert unquiet.stderr  # without the reader's silencing pdfminer does complain
