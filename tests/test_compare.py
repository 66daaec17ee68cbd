"""``xlgbreport compare``: the two-year comparison, rendered for real and read back.

Suqian's 2023 and 2024 reports (same city, two years) are rendered to all four kinds once; each
is read back (lxml for HTML, python-docx for Word, pdftotext for PDF) and every number of both
years must be in its table, beside the change, some of them computed here by hand.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import lxml.html
import pytest
from test_render import HOSTILE
from xl_helpers import EXAMPLES, ROOT, run

import xlgbreport
from xlgbreport.core import comparison, formats
from xlgbreport.core.model import Report
from xlgbreport.rendering import compare as rendering

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


def _html_rows(page: bytes) -> dict[str, dict[tuple[str, str], list[str]]]:
    """Each comparison table of the web page: (row label, column label) -> the four values."""
    tree = lxml.html.fromstring(page)
    out: dict[str, dict[tuple[str, str], list[str]]] = {}
    for table in tree.iter("table"):
        rows: dict[tuple[str, str], list[str]] = {}
        label = ""
        for tr in table.iter("tr"):
            heads = [th.text_content() for th in tr.iter("th") if th.get("class") == "label"]
            if len(heads) == 2:
                label = heads[0]
            if heads:
                rows[(label, heads[-1])] = [td.text_content() for td in tr.iter("td")]
        out[table.get("id").removeprefix("table-")] = rows
    return out


def _docx_rows(data: bytes) -> list[dict[tuple[str, str], list[str]]]:
    """The Word document's tables alike: a merged row label is carried down its lines."""
    out = []
    for table in docx.Document(io.BytesIO(data)).tables:
        rows: dict[tuple[str, str], list[str]] = {}
        label = ""
        for row in table.rows[1:]:
            texts = [c.text for c in row.cells]
            label = texts[0] or label
            rows[(label, texts[1])] = texts[2:]
        out.append(rows)
    return out


def _expected(table_id: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(row title, column label) -> (last year, this year), for every cell not 0 in both."""
    this, last = _year_values(THIS), _year_values(LAST)
    table = formats.GB2021.schema.table(table_id)
    return {(r.title, c.label): (last[k], this[k]) for r, c in table.cells()
            if (k := (table_id, r.id, c.id)) and not (last[k] == this[k] == "0")}


def _zeros(table_id: str) -> int:
    this, last = _year_values(THIS), _year_values(LAST)
    return sum(1 for k in this if k[0] == table_id and this[k] == last[k] == "0")


@pytest.mark.parametrize("table_id", ["proactive", "requests", "appeals"])
def test_every_number_of_both_years_is_in_its_table_in_html_and_word(outputs, table_id) -> None:
    expected = _expected(table_id)
    assert expected, "the examples have numbers in every table"
    html_rows = _html_rows(outputs["html"])[table_id]
    word_rows = next(t for t in _docx_rows(outputs["docx"]) if set(t) == set(expected))
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
