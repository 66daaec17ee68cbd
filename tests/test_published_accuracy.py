"""Accuracy, measured: each example report published in every layout (the project's HTML with
merged cells, Word with real tables, the PDF LibreOffice makes of it, a GBK page, Markdown, one
value per line, digit runs) and the 2019 trial format in the text layouts, imported through the
readers and counted per layout: cells right, wrong, blank. No cell may be wrong."""

from __future__ import annotations

from decimal import Decimal

import published_docs
import published_runtogether
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from published_docs import every_layout, known
from published_layouts import document, lines_of
from strategies import balanced_reports

from xlgbreport.core.formats import GB2019, GB2021
from xlgbreport.core.model import Report
from xlgbreport.core.tables import TableId
from xlgbreport.importer import run
from xlgbreport.importer.document import Document, Line
from xlgbreport.importer.parse import parse

EXAMPLES = ("huaian_szf_2024", "suqian_2023", "suqian_2024")
REQUESTS_TABLE = GB2021.schema.table(TableId.REQUESTS)


def count(got: Report, expected: Report) -> tuple[int, int, int]:
    right = wrong = blank = 0
    for key in expected.format.schema.keys:
        value = got.cells.get(key)
        if value is None:
            blank += 1
        elif value == expected.value(key):
            right += 1
        else:
            wrong += 1
    return right, wrong, blank


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Every layout of every example, made once (LibreOffice takes seconds a PDF)."""
    out = {}
    for name in EXAMPLES:
        truth = known(name)
        for layout, path in every_layout(truth, tmp_path_factory.mktemp(name)).items():
            out[(name, layout)] = (truth.report, path)
    return out


@pytest.mark.parametrize("layout", ["html", "docx", "pdf", "gbk", "md", "per_line", "seed_md", "runs"])
def test_every_layout_imports_every_cell_right(published, layout):
    for name in EXAMPLES:
        truth, path = published[(name, layout)]
        (one,) = run.read_published(path)
        right, wrong, blank = count(one.report, truth)
        assert (right, wrong, blank) == (len(truth.format.schema.keys), 0, 0), (name, one.notes)
        assert (one.report.org, one.report.year) == (truth.org, truth.year)
        assert [n.rule for n in one.notes] == []
        if layout == "runs":  # table 三 was published as digit runs: each row's split is said
            assert len(one.deduced) == len(truth.format.schema.table(TableId.REQUESTS).rows)
            assert all("requests.row_total" in d.rules for d in one.deduced)


def _report_2019(draw_report: Report, fees: int, projects: int) -> Report:
    """A balanced 2019-format report made of a balanced 2021 one: table 三 with （六）'s three
    rows as its one, table 四 as it is, table 二 in 2019's columns."""
    schema = GB2019.schema
    cells = {}
    for key in schema.keys:
        table, row, column = key
        if table == TableId.REQUESTS and row == "3.6":
            cells[key] = sum(draw_report.value((table, f"3.6.{i}", column)) for i in (1, 2, 3))
        elif table == TableId.PROACTIVE:
            column_def = schema.column(key)
            cells[key] = (Decimal(fees) / 100 if column_def.kind == "amount"
                          else -projects if column_def.signed else projects)
        else:
            cells[key] = draw_report.value(key)
    return Report(org=draw_report.org, year=2020, cells=cells, text=dict(draw_report.text),
                  format=GB2019)


@settings(max_examples=12, deadline=None)
@given(balanced_reports(big=False), st.integers(0, 10**6), st.integers(0, 30),
       st.sampled_from(["rows", "one_per_line", "spaced"]))
def test_a_2019_report_is_told_and_read_in_the_text_layouts(base, fees, projects, layout):
    report = _report_2019(base, fees, projects)
    (one,) = parse(document(report, layout, GB2019))
    assert one.report.format is GB2019
    assert count(one.report, report) == (len(GB2019.schema.keys), 0, 0)


# --- run-together text, `|` rows, one cell per line, web pages' empty cells (issue 17) ------------

GLUED_LAYOUTS = published_runtogether.LAYOUTS


def wrong_right_blank(got: Report, truth: Report) -> tuple[int, int, int]:
    """Cells wrong (a value the truth has not, a 0 for a blank included), right (the truth's value,
    or blank where the truth is blank), blank where the truth has a value."""
    right = wrong = blank = 0
    for key in truth.format.schema.keys:
        value, expected = got.cells.get(key), truth.cells.get(key, truth.value(key))
        if value is None:
            right, blank = (right + 1, blank) if expected is None else (right, blank + 1)
        elif value == expected:
            right += 1
        else:
            wrong += 1
    return wrong, right, blank


def _blank_tables(got: Report, truth: Report) -> set[str]:
    return {k[0] for k in truth.format.schema.keys if got.cells.get(k) is None and truth.value(k) is not None}


@pytest.fixture(scope="module")
def glued_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("glued")
    out = {}
    for name in EXAMPLES:
        report = known(name).report
        for layout in GLUED_LAYOUTS:
            truth = published_runtogether.blanked(report) if layout in published_runtogether.EMPTY_CELLS else report
            out[(name, layout)] = (truth, published_runtogether.write(report, layout, folder, name))
    return out


@pytest.mark.parametrize("layout", GLUED_LAYOUTS)
def test_run_together_and_separated_layouts_import_right(glued_files, layout):
    """No cell wrong in any layout; separated layouts come back whole; run together with nothing,
    tables 二 and 四 are where the equations leave more than one reading (table 二 has none)."""
    for name in EXAMPLES:
        truth, path = glued_files[(name, layout)]
        (one,) = run.read_published(path)
        wrong, right, blank = wrong_right_blank(one.report, truth)
        assert wrong == 0, (name, layout)
        assert (one.report.org, one.report.year) == (truth.org, truth.year)
        if layout == "glued":
            assert _blank_tables(one.report, truth) <= {TableId.PROACTIVE, TableId.APPEALS}, one.notes
            assert {n.rule for n in one.notes} <= {"import.unplaced", "import.ambiguous", "import.no_split"}
            assert all(n.table in (TableId.PROACTIVE, TableId.APPEALS) for n in one.notes)  # named where
        else:
            assert (right, blank) == (len(truth.format.schema.keys), 0), (name, layout, one.notes)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(balanced_reports(big=False, typed_totals=False), st.sampled_from(GLUED_LAYOUTS), st.randoms(use_true_random=False))
def test_balanced_reports_in_every_new_layout_never_import_a_wrong_cell(tmp_path_factory, report, layout, rng):
    """Balanced reports written run together (each joint glued or spaced at random), in ``|``
    rows, one cell per line or as a page with empty cells: blank is allowed, wrong is not."""
    folder = tmp_path_factory.mktemp("balanced")
    if layout in ("glued", "glued_spaced"):
        path = folder / "made.txt"
        path.write_text(published_runtogether.text_of(report, layout, rng), encoding="utf-8")
    else:
        path = published_runtogether.write(report, layout, folder, "made")
    truth = published_runtogether.blanked(report) if layout in published_runtogether.EMPTY_CELLS else report
    (one,) = run.read_published(path)
    assert wrong_right_blank(one.report, truth)[0] == 0, (layout, path.read_text(encoding="utf-8")[:3000])
    if layout not in ("glued", "glued_spaced"):
        assert wrong_right_blank(one.report, truth)[2] == 0, one.notes


MISPLACED = [["1.属于国家秘密5000005"], ["2.其他法律行政法规禁止公开 3000003"]]


@pytest.mark.parametrize("rows", [MISPLACED, [["1.属于国家秘密5000005"], ["2.其他法律行政法规禁止公开3000003"]],
                                  [["1.属于国家秘密50000052.其他法律行政法规禁止公开3000003"]],
                                  [["1.属于国家秘密 5000005"], ["2.其他法律行政法规禁止公开3000003"]]])
def test_a_label_glued_to_its_digits_never_sends_the_next_row_s_values_to_it(rows):
    """The issue's case: 3.3.1 is 5…5 and 3.3.2 is 3…3, each line glued or not (and both on one
    line): each row gets its own values, never the other's."""
    lines = lines_of(known("suqian_2023").report, "rows")
    at = next(i for i, cells in enumerate(lines) if "1.属于国家秘密" in cells)
    lines[at:at + 2] = rows
    (one,) = parse(Document("made.txt", "txt", tuple(Line(i + 1, tuple(c)) for i, c in enumerate(lines))))
    got = {row: [one.report.cells.get(("requests", row, c.id)) for c in REQUESTS_TABLE.columns]
           for row in ("3.3.1", "3.3.2")}
    assert got == {"3.3.1": [5, 0, 0, 0, 0, 0, 5], "3.3.2": [3, 0, 0, 0, 0, 0, 3]}


SHARED = published_docs.EXAMPLES.parent
#: The cells each real report gives back run together (with nothing, with single spaces), measured
#: 2026-12-06: the rest are rows whose runs two readings fit, table 二's runs, and 001's extra values.
RUN_TOGETHER_CELLS = {"000_55d5c156145a1778.txt": (107, 113), "001_f343fc82610760f0.txt": (165, 193),
                      "002_4f580d778f793ab4.txt": (194, 200), "004_1eb3b7e7b76f4da9.txt": (176, 196),
                      "huaian_szf_2024.txt": (200, 200)}


@pytest.mark.parametrize("name", sorted(RUN_TOGETHER_CELLS))
def test_real_reports_run_together_give_no_cell_their_lines_do_not(name):
    """Each seed and shared report with its lines and cells joined (with nothing, then with single
    spaces) gives no cell its own lines do not give, and no other value."""
    folder = "reports" if name.startswith("huaian") else "seeds"
    document_read = run.readers.read(SHARED / folder / name)
    (base,) = parse(document_read)
    got = []
    for joint in ("", " "):
        text = joint.join(joint.join(c.strip() for c in line.cells if c.strip()) for line in document_read.lines)
        (glued,) = parse(Document(name, "txt", (Line(1, (text,)),)))
        keys = base.report.format.schema.keys
        placed = {k: v for k, v in glued.report.cells.items() if v is not None and k in keys}
        assert all(base.report.cells.get(k) == v for k, v in placed.items()), name
        if base.report.year is not None and not name.startswith("huaian"):  # its title is a 标题: note
            assert (glued.report.org, glued.report.year) == (base.report.org, base.report.year), joint
        got.append(len(placed))
    assert all(n >= least for n, least in zip(got, RUN_TOGETHER_CELLS[name], strict=True)), got
