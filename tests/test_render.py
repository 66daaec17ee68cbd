"""The rendered report read back as a reader gets it: Markdown, HTML (strict HTML5 parse) and Word
(python-docx). Numbers are compared with the report's cells at the template's positions, never by
re-running the templates; merged cells with the template workbook's own merged ranges."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import docx
import html5lib
import openpyxl
import pytest
from xl_helpers import EXAMPLES, ROOT, run

import xlgbreport
from xlgbreport import rendering as render
from xlgbreport.core.model import Invalid
from xlgbreport.core.tables import REPORT_TITLE, TableId
from xlgbreport.files import interchange
from xlgbreport.workbook import headers
from xlgbreport.workbook.layout import LAYOUT

SAMPLES = sorted((ROOT / "samples").glob("*.xlsx")) + sorted(EXAMPLES.glob("*.json"))
NS = "{http://www.w3.org/1999/xhtml}"


def expected(report: xlgbreport.Report, table_id: str) -> dict[tuple[int, int], str]:
    """Each value cell's text at its position in the table (the template's, moved to 0, 0)."""
    grid = headers.grids()[table_id]
    view = report.computed()
    out = {}
    for key, (_, (r, c)) in LAYOUT.cells.items():
        if key[0] == table_id:
            value = view.value(key)
            text = "" if value is None else value.raw if isinstance(value, Invalid) else str(value)
            out[(r - grid.top, c - grid.left)] = text
    return out


def html_grid(table) -> dict[tuple[int, int], tuple[str, int, int]]:
    """An HTML table as the table model places it: (row, col) → (text, rowspan, colspan)."""
    taken: set[tuple[int, int]] = set()
    out = {}
    rows = [tr for tr in table.iter(f"{NS}tr")]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            while (r, c) in taken:
                c += 1
            rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            out[(r, c)] = ("".join(cell.itertext()), rs, cs)
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            c += cs
    return out


def parse_html(text: str):
    """Strict: any HTML5 parse error fails the test."""
    return html5lib.HTMLParser(strict=True).parse(text)


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: p.name)
def rendered(request, tmp_path_factory) -> tuple[xlgbreport.Report, dict[str, bytes]]:
    report = xlgbreport.read(request.param)
    return report, {to: render.render(report, to) for to in ("md", "html", "docx")}


def test_html_tables_hold_the_reports_values_and_merged_headers(rendered) -> None:
    report, out = rendered
    page = parse_html(out["html"].decode("utf-8"))
    title = page.find(f".//{NS}h1")
    assert "".join(title.itertext()) == f"{report.org}{report.year}年{REPORT_TITLE}"
    # two pieces that each stay whole (inline-block): a break after the body's name or none
    assert [span.text for span in title] == [report.org, f"{report.year}年{REPORT_TITLE}"]
    for table_id in TableId:
        table = page.find(f".//{NS}table[@id='table-{table_id}']")
        cells = html_grid(table)
        for pos, text in expected(report, table_id).items():
            assert cells[pos][0] == text, (table_id, pos)
        for span in headers.grids()[table_id].spans:
            grid = headers.grids()[table_id]
            at = (span.top - grid.top, span.left - grid.left)
            assert cells[at] == (span.text, span.bottom - span.top + 1, span.right - span.left + 1)


def test_html_is_self_contained(rendered) -> None:
    text = rendered[1]["html"].decode("utf-8")
    page = parse_html(text)
    assert page.find(f".//{NS}script") is None and page.find(f".//{NS}img") is None
    assert page.find(f".//{NS}link") is None and "http" not in text.replace(
        "http-equiv", "").replace("http://www.w3.org", "")
    assert "default-src 'none'" in text and "@media print" in text and "overflow-x: auto" in text


def test_sections_come_in_the_formats_order_with_the_clerks_paragraphs(rendered) -> None:
    report, out = rendered
    md = out["md"].decode("utf-8")
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert [h[0] for h in headings] == list("一二三四五六")
    for section in ("overview", "problems", "other_matters"):
        lines = [x.strip() for x in (report.text.get(section) or "").splitlines() if x.strip()]
        word = [p.text for p in docx.Document(_io(out["docx"])).paragraphs]
        for line in lines:
            assert line in word  # one paragraph each, unchanged (Word has no escaping to undo)


def test_word_tables_hold_the_values_merged_cells_and_repeated_headers(rendered) -> None:
    report, out = rendered
    document = docx.Document(_io(out["docx"]))
    assert len(document.tables) == 3
    for table, table_id in zip(document.tables, TableId, strict=True):
        grid = headers.grids()[table_id]
        width = grid.right - grid.left + 1
        cells = table._cells  # python-docx's grid: a merged cell at each position it covers
        cell = lambda r, c, cells=cells, width=width: cells[r * width + c]  # noqa: E731
        for (r, c), text in expected(report, table_id).items():
            assert cell(r, c).text == text, (table_id, r, c)
        for span in grid.spans:
            first = cell(span.top - grid.top, span.left - grid.left)
            last = cell(span.bottom - grid.top, span.right - grid.left)
            assert first._tc is last._tc and first.text == span.text  # one merged cell
        repeated = [row for row in table.rows if row._tr.trPr is not None
                    and row._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None]
        first_value = min(r for r, _ in expected(report, table_id))
        # 三 and 四: their header rows; 二: none, each block has its own header
        assert len(repeated) == (0 if table_id == TableId.PROACTIVE else first_value) == \
            {TableId.PROACTIVE: 0, TableId.REQUESTS: 3, TableId.APPEALS: 3}[table_id]


def test_markdown_tables_hold_the_values(rendered) -> None:
    report, out = rendered
    md = out["md"].decode("utf-8")
    tables = _md_tables(md)
    for table, table_id in zip(tables, TableId, strict=True):
        for (r, c), text in expected(report, table_id).items():
            assert table[r][c] == text, (table_id, r, c)


def _md_tables(md: str) -> list[list[list[str]]]:
    tables, current = [], None
    for line in md.splitlines():
        if line.startswith("|"):
            if current is None:
                current = []
                tables.append(current)
            if not line.startswith("| ---"):
                current.append([c.strip() for c in line.strip("|").split(" |")])
        else:
            current = None
    return tables


def _io(data: bytes):
    import io

    return io.BytesIO(data)


def test_word_is_in_the_official_document_style() -> None:
    """GB/T 9704: A4, margins 37/35/28/26 mm, fonts and sizes, 「— 1 —」 page numbers."""
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    document = docx.Document(_io(render.render(report, "docx")))
    section = document.sections[0]
    mm = lambda length: round(length.mm)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(x) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                            section.right_margin)] == [37, 35, 28, 26]
    styles = document.styles
    assert (styles["报告标题"].font.name, styles["报告标题"].font.size.pt) == ("方正小标宋简体", 22)
    assert (styles["Heading 1"].font.name, styles["Heading 1"].font.size.pt) == ("黑体", 16)
    assert (styles["报告正文"].font.name, styles["报告正文"].font.size.pt) == ("仿宋_GB2312", 16)
    # 22 characters of 二号 do not fit the 20 of a line: the title breaks after the body's name
    assert [p.style.name for p in document.paragraphs[:2]] == ["报告标题"] * 2
    assert [p.text for p in document.paragraphs[:2]] == ["宿迁市人民政府", "2024年" + REPORT_TITLE]
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "— " in xml and " —" in xml and " PAGE " in xml
    fonts = next(p for p in document.part.package.parts if p.partname.endswith("fontTable.xml"))
    assert b'w:name="\xe4\xbb\xbf\xe5\xae\x8b_GB2312"' in fonts.blob  # 仿宋_GB2312 → 仿宋
    for table in document.tables:
        cells = {c._tc: c.width for c in table.rows[-1].cells}  # a merged cell once
        assert abs(sum(w.mm for w in cells.values()) - 156) < 1  # the text width


def test_blank_stays_blank_and_fee_keeps_its_decimals() -> None:
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    fee = ("proactive", "admin_fees", "amount")
    report.cells[fee] = Decimal("0.1250")
    blank = next(k for k in report.format.schema.keys if k[0] == "requests"
                 and not report.format.schema.is_derived(k))
    report.cells[blank] = None
    report.cells.pop((blank[0], blank[1], "total"), None)
    page = parse_html(render.render(report, "html").decode("utf-8"))
    cells = html_grid(page.find(f".//{NS}table[@id='table-proactive']"))
    assert "0.1250" in [t for t, _, _ in cells.values()]
    grid = headers.grids()["requests"]
    _, (r, c) = LAYOUT.cells[blank]
    requests = html_grid(page.find(f".//{NS}table[@id='table-requests']"))
    assert requests[(r - grid.top, c - grid.left)][0] == ""
    total = (blank[0], blank[1], "total")
    _, (r, c) = LAYOUT.cells[total]
    assert requests[(r - grid.top, c - grid.left)][0] == ""  # a total of a blank is no number


def test_an_org_name_past_words_limit_for_a_title_still_renders_whole_in_the_body() -> None:
    """Word's document properties hold 255 characters; the body keeps the whole name (issue 21)."""
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    report.org = "某" * 240 + "人民政府"
    word = docx.Document(_io(render.render(report, "docx")))
    assert len(word.core_properties.title) == 255 and word.core_properties.title.startswith("某" * 240)
    assert report.org in "\n".join(p.text for p in word.paragraphs)


HOSTILE = ('<script>alert(1)</script> [链接](http://evil.example) ![图](http://evil.example/x.png)\n'
           '# 标题 & <img src=x onerror=alert(1)>\n| 表 |')


def test_clerk_text_cannot_become_markup_in_any_output() -> None:
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    report.org = "<b>某镇</b>"
    report.text["overview"] = HOSTILE
    page = render.render(report, "html").decode("utf-8")
    tree = parse_html(page)
    assert tree.find(f".//{NS}script") is None and tree.find(f".//{NS}img") is None
    assert tree.find(f".//{NS}b") is None and "&lt;script&gt;" in page
    md = render.render(report, "md").decode("utf-8")
    assert "<" not in md.replace("&lt;", "") and "](" not in md.replace("\\](", "")
    assert "\n# 标题" not in md and "\\# 标题" in md and "\\[链接\\]" in md
    word = docx.Document(_io(render.render(report, "docx")))
    assert "<script>alert(1)</script>" in "\n".join(p.text for p in word.paragraphs)


def test_the_render_kinds_are_not_the_report_formats() -> None:
    assert render.KINDS == ("docx", "html", "pdf", "md") and not hasattr(render, "FORMATS")


def test_a_report_with_errors_says_so_first_and_strict_refuses(tmp_path: Path) -> None:
    source = ROOT / "samples" / "errors_demo_2023.xlsx"
    md = render.render(xlgbreport.read(source), "md").decode("utf-8")
    first = md.split("\n## ", 1)[0]
    assert "待核实：本报告的表格有 5 处错误" in first and "依申请公开\\!J7" in first  # \! as every clerk text's !
    code, output = run("render", source, "--to", "md", "--strict", "-o", tmp_path)
    assert code == 2 and "有 5 处错误，未生成报告" in output
    assert not list(tmp_path.iterdir())


def test_cli_renders_beside_the_input_never_over_a_file_and_goes_on(tmp_path: Path) -> None:
    for name in ("hujizhen_2022.xlsx", "biaokouzhen_2022.xlsx"):
        (tmp_path / name).write_bytes((ROOT / "samples" / name).read_bytes())
    (tmp_path / "坏文件.xlsx").write_bytes(b"not a workbook")
    (tmp_path / "宿迁.json").write_bytes((EXAMPLES / "suqian_2024.json").read_bytes())
    code, output = run("render", tmp_path, "--to", "html")
    assert code == 2, output
    assert (tmp_path / "hujizhen_2022_报告.html").exists()
    assert (tmp_path / "biaokouzhen_2022_报告.html").exists() and (tmp_path / "宿迁_报告.html").exists()
    assert "✘ 坏文件.xlsx" in output and "Traceback" not in output
    before = (tmp_path / "宿迁_报告.html").read_bytes()
    code, output = run("render", tmp_path / "宿迁.json", "--to", "html")
    assert code == 2 and "已存在，未覆盖" in output
    assert (tmp_path / "宿迁_报告.html").read_bytes() == before
    code, _ = run("render", tmp_path / "宿迁.json", "--to", "md", "--force")
    assert code == 0 and (tmp_path / "宿迁_报告.md").exists()


def test_prior_years_report_adds_the_comparison(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    code, output = run("render", EXAMPLES / "suqian_2024.json", "--to", "md", "-o", out,
                       "--prior", EXAMPLES / "suqian_2023.json")
    assert code == 0, output
    assert "较上年增加14件" in out.read_text(encoding="utf-8")


def test_a_restyled_template_is_used_and_a_missing_value_is_an_error(tmp_path: Path) -> None:
    mine = tmp_path / "mine.html.j2"
    mine.write_text("<!DOCTYPE html><title>{{ content.title }}</title><p>我的样式</p>", encoding="utf-8")
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    assert "我的样式" in render.render(report, "html", template=mine).decode("utf-8")
    mine.write_text("{{ content.no_such_thing }}", encoding="utf-8")
    with pytest.raises(xlgbreport.RenderError) as err:
        render.render(report, "html", template=mine)
    assert err.value.code == "render.template_undefined" and "mine.html.j2 第 1 行" in err.value.message


def test_the_merged_header_cells_are_the_template_workbooks_own() -> None:
    """core.headers, which the renderer draws from, against the merged ranges of the shipped
    template (a change of the layout there shows up here)."""
    book = openpyxl.load_workbook(ROOT / "workbook" / "xlgbreport-template.xlsx")
    for table_id, grid in headers.grids().items():
        sheet = book[grid.table.sheet]
        merged = {(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                  for m in sheet.merged_cells.ranges}
        for span in grid.spans:
            if span.merged:
                assert (span.top, span.left, span.bottom, span.right) in merged, (table_id, span)


def test_the_docx_template_is_what_its_script_builds(tmp_path: Path) -> None:
    """templates/report.docx comes from scripts/build-report-docx: its jinja tags are there."""
    template = docx.Document(ROOT / "templates" / "report.docx")
    texts = [p.text for p in template.paragraphs]
    assert "{%p for line in title_lines %}" in texts and "{{p part.table }}" in texts
    assert subprocess.run([sys.executable, "-c", "import docxtpl, docxcompose"]).returncode == 0


def test_the_rendered_samples_are_current() -> None:
    """samples/rendered/ holds the sample workbook in all four formats; the text ones are exactly
    what rendering gives today (Word and PDF carry a time stamp, so only their tables are read)."""
    source = ROOT / "samples" / "biaokouzhen_2022.xlsx"
    folder = ROOT / "samples" / "rendered"
    report = xlgbreport.read(source)
    for to in ("md", "html"):
        assert (folder / f"biaokouzhen_2022_报告.{to}").read_bytes() == render.render(report, to), to
    word = docx.Document(folder / "biaokouzhen_2022_报告.docx")
    assert [t.cell(3, 1).text for t in word.tables[:1]] == [expected(report, "proactive")[(3, 1)]]
    assert (folder / "biaokouzhen_2022_报告.pdf").read_bytes().startswith(b"%PDF")


def test_a_wrong_template_file_is_one_chinese_line(tmp_path: Path) -> None:
    source = EXAMPLES / "suqian_2024.json"
    word = ROOT / "templates" / "report.docx"
    code, output = run("render", source, "--to", "html", "--template", word, "-o", tmp_path)
    assert code == 2 and "无法使用：不是 UTF-8 文本" in output and "Traceback" not in output
    text = tmp_path / "mine.docx"
    text.write_text("不是 Word", encoding="utf-8")
    code, output = run("render", source, "--to", "docx", "--template", text, "-o", tmp_path)
    assert code == 2 and "mine.docx 不是 Word 文档" in output
    assert not list(tmp_path.glob("*_报告.*"))


def test_a_restyled_word_template_is_used(tmp_path: Path) -> None:
    mine = docx.Document(ROOT / "templates" / "report.docx")
    mine.styles["报告正文"].font.name = "楷体"
    path = tmp_path / "mine.docx"
    mine.save(path)
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    document = docx.Document(_io(render.render(report, "docx", template=path)))
    assert document.styles["报告正文"].font.name == "楷体"
    assert document.paragraphs[0].text.startswith("宿迁市人民政府")


def test_the_sentences_state_the_tables_numbers(rendered) -> None:
    """The generated paragraphs, read back from the page, state the report's own numbers: the
    key ones by name, and every quantity text.number knows by one of its readings."""
    report, out = rendered
    page = parse_html(out["html"].decode("utf-8"))
    heads = [h for h in page.iter(f"{NS}h2")]
    body = list(page.find(f".//{NS}body"))
    prose = {}
    for h in heads:
        nxt = body[body.index(h) + 1]
        prose[h.text[0]] = "".join(nxt.itertext())
    if any(f.severity.value == "error" for f in xlgbreport.check(report)):
        # a table with errors or blanks gets a sentence saying so, never numbers guessed
        assert all("尚未填写完整" in prose[k] or "处错误" in prose[k] for k in "三四"), prose
        return
    n = report.computed().number
    new, nxt = n(("requests", "1", "total")), n(("requests", "4", "total"))
    if new or n(("requests", "2", "total")):
        assert f"新收政府信息公开申请{new}件" in prose["三"]
        assert f"结转下年度继续办理{nxt}件" in prose["三"]
    else:
        assert "未收到政府信息公开申请" in prose["三"]
    in_force = n(("proactive", "normative_documents", "in_force"))
    assert f"现行有效{in_force}件" in prose["二"] if in_force else "未制发、废止行政规范性文件" in prose["二"]
    assert not re.search(r"\D0(件|万元)", "".join(prose.values()))  # a zero is said in words
    probe = xlgbreport.Report(org=report.org, year=report.year, cells=dict(report.cells),
                              text={"overview": "。".join(prose[k] for k in "二三四")})
    assert [f for f in xlgbreport.check(probe) if f.rule == "text.number"] == []


def test_control_characters_from_a_file_are_shown_not_obeyed() -> None:
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    report.org = "某镇\x1b[2J"
    report.text["problems"] = "问题\u202e一\x07"
    report.cells[("proactive", "licensing", "decisions")] = Invalid("三\x00件")
    page = render.render(report, "html").decode("utf-8")
    parse_html(page)  # a control character would be a parse error
    assert "某镇\\x1b[2J" in page and "问题\\u202e一\\x07" in page and "三\\x00件" in page
    word = docx.Document(_io(render.render(report, "docx")))
    assert word.paragraphs[0].text.startswith("某镇\\x1b[2J")
    assert "\x1b" not in render.render(report, "md").decode("utf-8")


def test_several_inputs_go_into_the_output_folder_made_when_missing(tmp_path: Path) -> None:
    out = tmp_path / "报告"
    code, output = run("render", EXAMPLES / "suqian_2023.json", EXAMPLES / "suqian_2024.json",
                       "--to", "md", "-o", out)
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == ["suqian_2023_报告.md", "suqian_2024_报告.md"]


def test_a_folder_s_json_and_workbook_of_one_name_get_two_outputs_and_lines_naming_them(tmp_path: Path) -> None:
    """Issue 18: 「X.json」 and 「X.xlsx」 in one folder: X_报告.html and X_报告-2.html (numbered as
    import numbers its outputs), and every line names the input it is about."""
    shutil.copy(EXAMPLES / "suqian_2024.json", tmp_path / "X.json")
    shutil.copy(ROOT / "samples" / "biaokouzhen_2022.xlsx", tmp_path / "X.xlsx")
    code, output = run("render", tmp_path, "--to", "md")
    assert code == 0, output
    assert "X_报告.md（来自 X.json）" in output and "X_报告-2.md（来自 X.xlsx）" in output
    assert "宿迁市" in (tmp_path / "X_报告.md").read_text(encoding="utf-8")
    assert "俵口镇" in (tmp_path / "X_报告-2.md").read_text(encoding="utf-8")
    code, output = run("render", tmp_path, "--to", "md")
    lines = output.strip().splitlines()
    assert code == 2 and len(lines) == 2, output
    assert lines[0].startswith("✘ X.json → X_报告.md：") and lines[1].startswith("✘ X.xlsx → X_报告-2.md：")
