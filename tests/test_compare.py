"""``xlgbreport compare``: the two-year comparison, rendered for real and read back.

Suqian's 2023 and 2024 reports (same city, two years) are rendered to all four kinds once; each
is read back (lxml for HTML, python-docx for Word, pdftotext for PDF) and every number of both
years must be in its table, beside the change, some of them computed here by hand.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import lxml.html
import pytest
from docx.oxml.ns import qn
from test_render import HOSTILE
from xl_helpers import EXAMPLES, ROOT, run

import xlgbreport
from xlgbreport.core import comparison, formats
from xlgbreport.core.model import Report
from xlgbreport.rendering import compare as rendering
from xlgbreport.rendering import word_tables, writers

THIS, LAST = EXAMPLES / "suqian_2024.json", EXAMPLES / "suqian_2023.json"
#: tests/hostile.py's terminal attack (ESC sequences, BEL, a bidi override, NEL) and
#: test_render's markup, in an org name.
CONTROLS = "\x1b[2J\x1b]0;x\x07\u202e\u0085"
#: Changes worked out by hand from the two JSON files: (table, row, column) -> (last, this, ±, %).
BY_HAND = {
    ("proactive", "normative_documents", "issued"): ("109", "50", "-59", "-54.1%"),  # -59/109
    ("proactive", "regulations", "repealed"): ("0", "1", "+1", ""),  # base below 30
    ("proactive", "coercion", "decisions"): ("20163", "29351", "+9188", "+45.6%"),
    ("proactive", "admin_fees", "amount"): ("59237.2449", "72701.2578", "+13464.0129", "+22.7%"),
    ("requests", "1", "natural_person"): ("3402", "3440", "+38", "+1.1%"),
    ("requests", "1", "nonprofit"): ("4", "1", "-3", ""),
    ("appeals", "review", "upheld"): ("309", "88", "-221", "-71.5%"),
}


def _year_values(path: Path) -> dict[tuple[str, str, str], str]:
    """Every cell of a report as written in its JSON (totals computed where left out)."""
    report = xlgbreport.read(path).computed()
    return {k: comparison.value_text(report.value(k)) for k in report.format.schema.keys}


@pytest.fixture(scope="module")
def outputs() -> dict[str, bytes]:
    this, last = xlgbreport.read(THIS), xlgbreport.read(LAST)
    return {to: rendering.render(this, last, to) for to in ("md", "html", "docx", "pdf")}


def _title(path: list[str]) -> str:
    """A row's title (``Row.title``) from its nested labels: the groups below the section's, then its own."""
    return "".join(path[1:]) if len(path) > 1 else path[0]


def _html_rows(page: bytes) -> dict[str, dict[tuple[str, str], list[str]]]:
    """Each comparison table of the web page: (row title, column label) -> the four values. Table
    三's totals (``requests-totals``: nested labels, one row each) are keyed by the 总计 column and
    joined to its other cells (``requests``)."""
    tree = lxml.html.fromstring(page)
    out: dict[str, dict[tuple[str, str], list[str]]] = {}
    for table in tree.iter("table"):
        rows: dict[tuple[str, str], list[str]] = {}
        name = table.get("id").removeprefix("table-")
        label, levels = "", []
        depth = int(table.xpath("string(.//tr[1]/th[1]/@colspan)") or 1)
        for tr in table.iter("tr"):
            heads = [th for th in tr.iter("th") if th.get("class") == "label"]
            values = [td.text_content() for td in tr.iter("td")]
            if name.endswith("-totals") and heads:
                start = depth - sum(int(th.get("colspan", 1)) for th in heads)
                levels = levels[:start] + [th.text_content() for th in heads]
                rows[(_title(levels), "总计")] = values
                continue
            if len(heads) == 2:
                label = heads[0].text_content()
            if heads:
                rows[(label, heads[-1].text_content())] = values
        out.setdefault(name.removesuffix("-totals"), {}).update(rows)
    return out


def _docx_rows(data: bytes) -> dict[tuple[str, str], list[str]]:
    """The Word document's tables alike, all in one (their keys do not meet): a merged label is
    carried down its lines; in table 三's totals the labels before the four numbers nest."""
    rows: dict[tuple[str, str], list[str]] = {}
    for table in docx.Document(io.BytesIO(data)).tables:
        label = ""
        head = [c.text for c in table.rows[0].cells]
        totals = head[0] == head[1] == rendering.ITEM
        for row in table.rows[1:]:
            texts = [c.text for c in row.cells]
            if totals:
                path = [t for i, t in enumerate(texts[:-4]) if i == 0 or t != texts[i - 1]]
                rows[(_title(path), "总计")] = texts[-4:]
                continue
            label = texts[0] or label
            rows[(label, texts[1])] = texts[2:]
    return rows


def _expected(table_id: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(row title, column label) -> (last year, this year), for every cell not 0 in both, and for
    table 三 every row's 总计 (its totals table lists every row)."""
    this, last = _year_values(THIS), _year_values(LAST)
    table = formats.GB2021.schema.table(table_id)
    return {(r.title, c.label): (last[k], this[k]) for r, c in table.cells()
            if (k := (table_id, r.id, c.id)) and (not (last[k] == this[k] == "0")
                                                   or (table_id == "requests" and c.derived))}


def _zeros(table_id: str) -> int:
    this, last = _year_values(THIS), _year_values(LAST)
    table = formats.GB2021.schema.table(table_id)
    return sum(1 for r, c in table.cells() if (k := (table_id, r.id, c.id)) and this[k] == last[k] == "0"
               and not (table_id == "requests" and c.derived))


@pytest.mark.parametrize("table_id", ["proactive", "requests", "appeals"])
def test_every_number_of_both_years_is_in_its_table_in_html_and_word(outputs, table_id) -> None:
    expected = _expected(table_id)
    assert expected, "the examples have numbers in every table"
    html_rows = _html_rows(outputs["html"])[table_id]
    word_rows = _docx_rows(outputs["docx"])
    for where, (last, this) in expected.items():
        assert html_rows[where][:2] == [last, this], where
        assert word_rows[where][:2] == [last, this], where
    assert set(html_rows) == set(expected)  # nothing else, nothing twice
    note = f"另有 {_zeros(table_id)} 项两年均为 0" if _zeros(table_id) else "本表"
    assert note in outputs["md"].decode("utf-8")


def test_the_changes_are_right_by_hand(outputs) -> None:
    schema = formats.GB2021.schema
    tables = _html_rows(outputs["html"])
    for (table_id, row_id, col_id), values in BY_HAND.items():
        row = schema.table(table_id).row(row_id)
        assert tables[table_id][(row.title, row.column(col_id).label)] == list(values)
    # and every change is this year less last year, with a percentage only from a base of 30
    for table_id in ("proactive", "requests", "appeals"):
        for (last, this, change, share) in tables[table_id].values():
            diff = Decimal(this) - Decimal(last)
            assert Decimal(change) == diff
            assert (share != "") == (Decimal(last) >= 30)
            if share:
                assert abs(Decimal(share.rstrip("%")) - diff * 100 / Decimal(last)) <= Decimal("0.05")


def test_the_indicators_of_both_years(outputs) -> None:
    rows = {tr[0].text_content(): [td.text_content() for td in tr[1:]]
            for tr in lxml.html.fromstring(outputs["html"]).get_element_by_id("table-indicators").iter("tr")}
    assert rows["新收申请"] == ["3511", "3525", "+14（+0.4%）"]  # 3402+99+4+6 / 3440+75+1+6+3
    assert rows["公开率"][1] == f"{(Decimal(1431 + 471) / 3521 * 100):.1f}%"
    assert rows["公开率"][2].endswith("个百分点")


def test_pdf_and_markdown_hold_the_numbers_and_the_title(outputs, tmp_path: Path) -> None:
    (tmp_path / "c.pdf").write_bytes(outputs["pdf"])
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "c.pdf"), "-"], capture_output=True,
                          check=True, text=True).stdout
    words = text.split()  # a number broken over two lines of its cell would be two words
    md = outputs["md"].decode("utf-8")
    assert "宿迁市人民政府2023年与2024年政府信息公开工作年度报告对比" in md
    squeezed = "".join(text.split())
    assert "2023年与2024年政府信息" in squeezed and "主要指标" in squeezed
    for values in BY_HAND.values():
        for value in values:
            assert not value or (value in words and f"| {value} |" in md), value


def test_a_paragraph_copied_from_last_year_is_marked_everywhere() -> None:
    this, last = xlgbreport.read(THIS), xlgbreport.read(LAST)
    copied = last.text["other_matters"] or ""
    this.text["other_matters"] = copied
    found = comparison.compare(this, last)
    other = next(t for t in found.texts if t.heading.startswith("六"))
    assert other.share == 1.0 and other.carried == other.sentences > 0
    first = next(p for para in other.paragraphs for p in para if len(p.text) > 10)
    assert first.carried and first.mark == comparison.SAME
    page = lxml.html.fromstring(rendering.render(this, last, "html"))
    assert first.text in [m.text_content() for m in page.iter("mark")]
    md = rendering.render(this, last, "md").decode("utf-8")
    assert "约占文字的 100.0%" in md and "〔与上年相同〕" in md
    body = zipfile.ZipFile(io.BytesIO(rendering.render(this, last, "docx"))).read("word/document.xml").decode()
    run_xml = body[:body.index(first.text[:20])].rsplit("<w:r>", 1)[-1]
    assert 'w:fill="E6E6E6"' in run_xml and 'w:val="wave"' in run_xml
    # a sentence of this year only is not marked
    this.text["other_matters"] = "本机关今年首次开展政务公开满意度第三方评估并据此整改。"
    assert not any(p.carried for t in comparison.compare(this, last).texts for para in t.paragraphs for p in para
                   if "满意度" in p.text)


def test_an_unchanged_table_two_is_not_a_false_alarm() -> None:
    last = xlgbreport.read(LAST)
    this = copy.deepcopy(last)
    this.year = 2024
    for report in (this, last):  # table 二 as last year: nothing issued or repealed, as many in force
        for key in [k for k in report.cells if k[0] == "proactive" and k[2] in ("issued", "repealed")]:
            report.cells[key] = 0
    found = comparison.compare(this, last)
    two = found.tables[0]
    assert two.changed == 0 and two.notes[0] == comparison.UNCHANGED
    assert two.lines and all(not line.changed and line.change == "0" for line in two.lines)
    assert "表二 0 项" in found.summary
    assert not [f for f in xlgbreport.check(this, last) if f.table == "proactive"]  # in force as last year
    assert not any("主动公开" in line or "proactive" in line for line in found.findings[-1].lines)
    part = next(p for p in rendering.view(found).parts if p.heading.startswith("二"))
    assert not part.paragraphs and part.notes == (comparison.UNCHANGED, comparison.ZEROS.format(n=4))


def test_a_2019_last_year_goes_through_the_crosswalk_and_says_what_has_no_counterpart() -> None:
    this, recent = xlgbreport.read(THIS), xlgbreport.read(LAST)
    old = Report(org=recent.org, year=2023, text=dict(recent.text), format=formats.GB2019)
    for key in formats.GB2019.schema.keys:
        old.cells[key] = recent.cells.get(key, 5) if key[0] != "requests" else recent.cells.get(key, 0)
    found = comparison.compare(this, old)
    assert any("2019 年试行格式" in n for n in found.notes)
    assert any("上年栏标为“无对应”" in n and "规章" in n for n in found.notes)
    assert any("政府集中采购·采购总金额 5" in n for n in found.notes)
    line = next(x for x in found.tables[0].lines if x.key == ("proactive", "regulations", "in_force"))
    assert line.last == comparison.NO_COUNTERPART and line.this == "12" and not line.change
    requests = {x.key: x for x in found.tables[1].lines}
    assert requests[("requests", "1", "natural_person")].change == "+38"  # carried: same meaning
    md = rendering.render(this, old, "md").decode("utf-8")
    assert "无对应" in md and "2019 年试行格式" in md


def test_hostile_org_names_are_escaped_in_every_output() -> None:
    this, last = xlgbreport.read(THIS), xlgbreport.read(LAST)
    this.org = last.org = "<b>某镇</b>" + CONTROLS
    this.text["overview"] = HOSTILE
    page = rendering.render(this, last, "html").decode("utf-8")
    tree = lxml.html.fromstring(page)
    assert not tree.xpath("//b|//script|//img") and "&lt;b&gt;某镇&lt;/b&gt;" in page
    assert "\x1b" not in page and "\\x1b[2J" in page and "\\u202e" in page
    md = rendering.render(this, last, "md").decode("utf-8")
    assert "<" not in md.replace("&lt;", "") and "\x1b" not in md and "\\# 标题" in md
    word = docx.Document(io.BytesIO(rendering.render(this, last, "docx")))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "<b>某镇</b>\\x1b[2J" in text and "<script>alert(1)</script>" in text


def test_two_consolidated_county_workbooks_compare(tmp_path: Path) -> None:
    """A county's sums of two years, as ``consolidate`` writes them, read back by ``api.read``."""
    folders = {2022: tmp_path / "2022", 2023: tmp_path / "2023"}
    for year, folder in folders.items():
        folder.mkdir()
        for name in ("hujizhen_2022", "biaokouzhen_2022"):
            data = json.loads((ROOT / "samples" / "json" / f"{name}.json").read_text(encoding="utf-8"))
            data["year"] = year
            if year == 2023:
                data["requests"]["1"]["natural_person"] = (data["requests"]["1"].get("natural_person") or 0) + 3
                data["requests"]["1"].pop("total", None)
            (folder / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    sums = {}
    for year, folder in folders.items():
        sums[year] = tmp_path / f"县_{year}.xlsx"
        xlgbreport.consolidate([folder], sums[year], org="某县人民政府", year=year, include_invalid=True)
    assert xlgbreport.read(sums[2023]).org == "某县人民政府"
    done = xlgbreport.compare(sums[2023], sums[2022], "md")
    md = Path(done.output or "").read_text(encoding="utf-8")
    assert "某县人民政府2022年与2023年" in md
    last, this = (xlgbreport.read(sums[y]).computed() for y in (2022, 2023))
    key = ("requests", "1", "natural_person")
    assert f"| {last.value(key)} | {this.value(key)} | +6 |" in md


def test_cli_writes_beside_this_year_and_never_over_a_file(tmp_path: Path) -> None:
    for source in (THIS, LAST):
        shutil.copy(source, tmp_path / source.name)
    code, output = run("compare", tmp_path / THIS.name, "--prior", tmp_path / LAST.name, "--to", "md")
    target = tmp_path / "suqian_2024_对比.md"
    assert code == 0 and target.exists() and "已写入" in output, output
    before = target.read_bytes()
    code, output = run("compare", tmp_path / THIS.name, "--prior", tmp_path / LAST.name, "--to", "md")
    assert code != 0 and "已存在" in output and "Traceback" not in output
    assert target.read_bytes() == before
    code, _ = run("compare", tmp_path / THIS.name, "--prior", tmp_path / LAST.name, "--to", "md", "--overwrite")
    assert code == 0
    code, output = run("compare", tmp_path / THIS.name, "--prior", tmp_path / LAST.name, "--to", "md",
                       "-o", tmp_path / LAST.name, "--overwrite")
    assert code != 0 and (tmp_path / LAST.name).read_bytes() == LAST.read_bytes()


def test_the_comparison_template_has_the_report_templates_styles() -> None:
    """compare.docx is built from report.docx (scripts/build-compare-docx): rebuild it when the
    report's styles change, so both documents keep one look."""
    templates = ROOT / "templates"
    styles = [zipfile.ZipFile(templates / name).read("word/styles.xml") for name in ("report.docx", "compare.docx")]
    assert styles[0] == styles[1]


# --- the comparison laid out as the report (issue 18: same fonts and tables as render) -----------

def _grid_widths(table) -> list[int]:
    return [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iter(qn("w:gridCol"))]


def test_the_word_tables_follow_the_reports_rules(outputs) -> None:
    """tests/test_word_layout.py's rules on the comparison's tables: every row kept whole, header
    rows repeated, columns at least two characters of the 表格文字 size and every number on one
    line (measured as printed), labels left and numbers centred, no theme font in any style."""
    document = docx.Document(io.BytesIO(outputs["docx"]))
    size = document.styles[word_tables.CELL_STYLE].font.size.pt
    found = comparison.compare(xlgbreport.read(THIS), xlgbreport.read(LAST))
    views = [s.table for p in rendering.view(found).parts for s in p.tables]
    assert len(document.tables) == len(views) == 5  # indicators, 二, 三 twice, 四
    for table, view in zip(document.tables, views, strict=True):
        rows = table._tbl.findall(qn("w:tr"))
        assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows), view.id
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        widths = _grid_widths(table)
        assert abs(sum(widths) - 156 / 25.4 * 1440) < 20
        for col, width in enumerate(widths):
            chars = (width - 2 * word_tables.CELL_MARGIN_TWIPS) / 20 / size
            values = [c.text for c in view.cells if c.col == col and c.cols == 1 and c.kind == "value"]
            assert chars >= 2 and all(word_tables.figure_ems(v) <= chars for v in values), (view.id, col)
        cells = table._cells
        for cell in view.cells:
            jc = cells[cell.row * view.width + cell.col].paragraphs[0]._p.pPr.find(qn("w:jc")).get(qn("w:val"))
            assert jc == ("left" if cell.kind == "label" else "center"), (view.id, cell.text)
    styles = zipfile.ZipFile(io.BytesIO(outputs["docx"])).read("word/styles.xml").decode("utf-8")
    assert not any(f'w:{attr}="' in styles for attr in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme"))
    assert document.styles[word_tables.CELL_STYLE].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_table_three_lists_every_row_by_its_total_nested_as_the_official_table() -> None:
    found = comparison.compare(xlgbreport.read(THIS), xlgbreport.read(LAST))
    three = next(t for t in found.tables if t.id == "requests")
    schema = formats.GB2021.schema.table("requests")
    assert [line.key[1] for line in three.totals] == [r.id for r in schema.rows]  # every row, in order
    assert all(line.column == "总计" for line in three.totals)
    assert not any(line.column == "总计" for line in three.lines)
    shown = rendering.table_views(three, found)
    assert [s.caption[:3] for s in shown] == ["（一）", "（二）"]
    grid = writers.grid(shown[0].table)
    refused = next(r for r in grid if r[2] == "1.属于国家秘密")  # 三、… then （三）不予公开 beside its eight
    secret = next(line for line in three.totals if line.key[1] == "3.3.1")
    assert refused[-4:] == [secret.last, secret.this, secret.change, secret.percent]
    labels = [c for c in shown[0].table.cells if c.text in ("三、本年度办理结果", "（三）不予公开")]
    assert sorted(c.rows for c in labels) == [8, 22]
    # a short table (二, 四) stays one line a cell
    assert all(not t.totals for t in found.tables if t.id != "requests")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
    return ["".join(page.split()) for page in text.split("\f")[:-1]]


def _tables_on_one_page(pages: list[str]) -> None:
    """Table 三's totals (its caption and every row's label, its first characters: a long one wraps
    in its cell), table 二 and table 四 (heading, labels and the note below) each on one page."""
    schema = formats.GB2021.schema
    wanted = {"三": ["（一）各项的总计栏", *(r.label[:6] for r in schema.table("requests").rows)],
              "二": ["二、主动公开政府信息情况", "规章", "行政事业性收费", "本表9项数字与上年不同"],
              "四": ["四、政府信息公开行政复议", "未经复议直接起诉", "复议后起诉", "本表14项数字与上年不同"]}
    for table, words in wanted.items():
        assert any(all(w in page for w in words) for page in pages), table


def test_the_pdf_keeps_each_table_on_a_page_in_a_serif_face(outputs, tmp_path: Path) -> None:
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(outputs["pdf"])
    _tables_on_one_page(_pages(pdf))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert "NotoSerifCJK" in fonts


@pytest.mark.slow
def test_chromium_prints_the_comparison_on_a4_with_its_tables_whole(outputs, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "headless Chromium (Debian package chromium) is needed: scripts/test installs it"
    page, printed = tmp_path / "c.html", tmp_path / "c.pdf"
    page.write_bytes(outputs["html"])
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={printed}", page.as_uri()], capture_output=True, timeout=120, check=True)
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:.*\(A4\)", info), info
    pages = _pages(printed)
    assert all(f"—{n}—" in text for n, text in enumerate(pages, 1))
    _tables_on_one_page(pages)


def test_item_headings_are_not_carried_over_prose() -> None:
    """「（六）政府信息公开标准化建设方面。」 is in every year's report: neither marked nor counted."""
    this, last = xlgbreport.read(THIS), xlgbreport.read(LAST)
    heading = "（六）政府信息公开标准化建设方面。"
    last.text["other_matters"] = heading + "本机关按照标准目录逐项梳理公开事项并动态更新。"
    this.text["other_matters"] = heading + "本年度首次开展第三方满意度评估并据此整改到位。"
    other = next(t for t in comparison.compare(this, last).texts if t.heading.startswith("六"))
    passages = [p for para in other.paragraphs for p in para]
    assert passages[0].text == heading and not passages[0].carried
    assert other.sentences == 1 and other.carried == 0 and other.share == 0
    this.text["other_matters"] = last.text["other_matters"]  # the prose after it copied: marked
    other = next(t for t in comparison.compare(this, last).texts if t.heading.startswith("六"))
    assert [p.carried for para in other.paragraphs for p in para] == [False, True] and other.share == 1.0
