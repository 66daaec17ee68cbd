"""The consolidation's sheets on paper (issue 19, items 7 and 8): landscape, one page wide, print
titles, one chart a page with short names, 明细 left out of print; and rates on too few cases
shown but not coloured, wherever indicators are graded."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from engine import SOFFICE
from test_consolidate import body
from xl_helpers import run as cli

import xlgbreport
from xlgbreport.consolidation import charts, detail, gather, printing, run, sheets
from xlgbreport.core import indicators

TOWNS = ("羊山镇", "鸡黍镇", "司马镇", "胡集镇", "马庙镇", "化雨镇", "卜集镇", "高河镇", "兴隆镇", "霄云镇",
         "王丕街道办事处", "金乡街道办事处", "鱼山街道办事处", "教育局", "司法局", "市场监督管理局", "财政局",
         "公安局", "自然资源局", "住房和城乡建设局")


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> Path:
    """Twenty units of 金乡县 (numbers 0–400 a cell in the first five: rates on many cases)."""
    folder = tmp_path_factory.mktemp("units")
    for i, town in enumerate(TOWNS):
        report = body(f"金乡县{town}", 2024, i + 1)
        if i < 5:  # big enough to be graded
            report.cells.update({k: v * 50 for k, v in report.cells.items() if isinstance(v, int)})
        xlgbreport.write(report, folder / f"u{i:02d}.xlsx")
    out = folder.parent / "金乡县.xlsx"
    run.consolidate([folder], out, org="金乡县人民政府")
    return out


def test_short_names_drop_the_shared_region():
    assert printing.short_names(["金乡县羊山镇人民政府", "金乡县市场监督管理局", "金乡县 司法局"]) == [
        "羊山镇人民政府", "市场监督管理局", "司法局"]
    # the --org's region when the units share none; a region's own government stays whole
    assert printing.short_names(["胡集镇人民政府", "金乡县教育局", "金乡县人民政府"], "金乡县人民政府") == [
        "胡集镇人民政府", "教育局", "金乡县人民政府"]
    assert printing.short_names(["济宁市金乡县甲镇", "济宁市任城区乙街道"]) == ["金乡县甲镇", "任城区乙街道"]
    # two names that would become the same stay whole; one unit alone keeps its name
    assert printing.short_names(["甲县城关镇", "乙县城关镇"]) == ["甲县城关镇", "乙县城关镇"]
    assert printing.short_names(["金乡县教育局"]) == ["金乡县教育局"]


def test_small_denominators_are_not_graded():
    rate = indicators.INDICATORS_BY_ID["review_corrected_rate"]
    one = body("镇", 2024, 1, zero=True)
    one.cells[("appeals", "review", "corrected")] = 1  # one case, corrected: 100%
    assert rate.value(one) == 1 and rate.base(one) == 1
    assert indicators.level(rate.id, rate.value(one), rate.base(one)) is None
    assert indicators.level(rate.id, Decimal(1), indicators.SMALL_BASE) == "alert"
    assert indicators.level(rate.id, Decimal(1), indicators.SMALL_BASE - 1) is None
    assert indicators.INDICATORS_BY_ID["new"].base(one) is None  # a count has no denominator


def test_the_indicator_sheet_marks_small_rates_and_colours_only_the_others(summary):
    ws = openpyxl.load_workbook(summary)[sheets.INDICATOR_SHEET]
    header = [c.value for c in ws[3]]
    rules = [(str(rng.sqref), r.formula[0]) for rng in ws.conditional_formatting for r in rng.rules]
    assert len(rules) == len(indicators.THRESHOLDS)
    assert all(f">={indicators.SMALL_BASE})" in formula for _, formula in rules)
    back = xlgbreport.read(summary)  # the total: thousands of cases, graded
    marked = 0
    for row in ws.iter_rows(min_row=4):
        name = row[0].value
        for ind in indicators.INDICATORS:
            if ind.kind != "rate" or row[header.index(ind.label)].value is None:
                continue
            base = row[header.index(sheets.BASE.format(label=ind.label))].value
            small = "*" in row[header.index(ind.label)].number_format
            assert small == (base < indicators.SMALL_BASE), (name, ind.id, base)
            marked += small
    assert marked and "*" in ws["A2"].value and str(indicators.SMALL_BASE) in ws["A2"].value
    bases = ws.column_dimensions["J"]  # the four rates' denominators, J to M
    assert bases.hidden and (bases.min, bases.max) == (10, 13)
    assert indicators.INDICATORS_BY_ID["finished"].value(back) > indicators.SMALL_BASE


def test_the_json_levels_skip_small_rates(tmp_path):
    one = body("金乡县某镇人民政府", 2024, 1, zero=True)
    one.cells[("appeals", "review", "corrected")] = 1
    xlgbreport.write(one, tmp_path / "a.xlsx")
    code, text = cli("consolidate", tmp_path / "a.xlsx", "-o", tmp_path / "县.xlsx", "--org", "县",
                     "--format", "json")
    summary = json.loads(text)
    assert summary["indicators"]["review_corrected_rate"] == 1.0
    assert "review_corrected_rate" not in summary["levels"]


def test_the_page_setup_is_in_the_workbook(summary):
    wb = openpyxl.load_workbook(summary)
    for name in (sheets.STATUS_SHEET, sheets.INDICATOR_SHEET):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)  # 1 is the default
        assert (ws.print_title_rows, ws.print_title_cols) == ("$3:$3", "$A:$A")
        assert ws.row_dimensions[3].height >= printing.LINE_POINTS  # the headers' row, wrapped
    assert wb[detail.DETAIL_SHEET].print_area.endswith("$A$1:$H$1")  # the header row alone
    assert [b.id for b in wb[charts.CHART_SHEET].row_breaks.brk] == [23, 55, 87]
    names = [c.value for c in wb[charts.CHART_SHEET]["A"][1:21]]
    assert names[0] == "羊山镇" and "市场监督管理局" in names  # without 金乡县


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_each_sheet_on_the_pages_it_should(summary):
    """The 20-unit summary as LibreOffice prints it to PDF: pages counted per sheet by the
    footer (the sheet's name); 明细's one page has its header line."""
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp, "profile").as_uri()
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", tmp, str(summary)], check=True,
                       capture_output=True, timeout=120)
        pdf = Path(tmp, summary.with_suffix(".pdf").name)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
    pages = text.split("\f")
    def footed(name: str, page: str) -> bool:
        return re.search(rf"{name}\s+第 \d+ 页", page) is not None

    count = {name: sum(footed(name, p) for p in pages)
             for name in (sheets.STATUS_SHEET, sheets.INDICATOR_SHEET, charts.CHART_SHEET)}
    assert count == {sheets.STATUS_SHEET: 1, sheets.INDICATOR_SHEET: 1, charts.CHART_SHEET: 4}
    chart_pages = [p for p in pages if footed(charts.CHART_SHEET, p)][1:]
    for page, title in zip(chart_pages, ("本年新收申请", "办理结果", "行政复议和行政诉讼"), strict=True):
        assert title in page and "羊山镇" in page and "金乡县羊山镇" not in page
    assert sum("明细共" in p for p in pages) == 1
    indicator_page = next(p for p in pages if footed(sheets.INDICATOR_SHEET, p))
    assert "住房和城乡建设局" in indicator_page and "合计" in indicator_page


def test_the_guide_states_the_small_number_rule():
    guide = (Path(__file__).resolve().parents[1] / "docs" / "county.md").read_text(encoding="utf-8")
    assert f"不足 {indicators.SMALL_BASE} 件" in guide and "SMALL_BASE" in guide


def test_an_entry_is_small_and_unpacks_to_what_the_parent_would_compute(tmp_path):
    """Issue 19, item 9: the parent holds every entry until the last file is read, so an entry
    carries its cells and measures packed, and they are exactly those of its report."""
    report = body("金乡县某镇人民政府", 2024, 7, "12.34")
    xlgbreport.write(report, tmp_path / "a.xlsx")
    entry = gather.read_one(tmp_path / "a.xlsx")
    assert entry.packed is not None and len(entry.packed) < 1024 and not hasattr(entry, "__dict__")
    assert entry.values == tuple(report.cells.get(k) for k in gather.INPUT_KEYS)
    assert entry.measures == gather.measure(entry.report())
    assert entry.measures.indicators == tuple(i.value(report) for i in indicators.INDICATORS)
