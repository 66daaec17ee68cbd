"""The template's Excel formulas compute what the Python rules compute.

Each generated report is written as a filled template; an independent engine (the ``formulas``
package) recalculates every formula from the cells, and the results must equal
``excel_formulas.excel_value`` for totals, ``rules.check`` for every 校验 row and the summary, and
the values XlsxWriter cached in the file; the conditional formats, evaluated the same way, must
colour the cells Python finds blank, invalid or unbalanced. LibreOffice, made to recalculate,
judges what that engine gets wrong. Deliberately broken formulas must be caught.

Set XLG_EQUIV_EXAMPLES for a longer hunt (default 10 generated reports, ~2.5 s each).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from engine import SOFFICE, cached, evaluate, libreoffice, same
from hypothesis import HealthCheck, example, given, settings
from openpyxl.formula.translate import Translator
from strategies import balanced_reports, reports
from xlsxwriter.utility import xl_rowcol_to_cell

from xlgbreport.core import rules
from xlgbreport.core.findings import Finding, Severity, summary, summary_line
from xlgbreport.core.gb2021 import SCHEMA, TABLES, CellKey
from xlgbreport.core.model import Invalid, Report
from xlgbreport.core.rules import EQUATION_RULES, Equation
from xlgbreport.files import interchange
from xlgbreport.workbook import formulas as excel_formulas
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.formulas import FAIL, INCOMPLETE, PASS, WARN, excel_value
from xlgbreport.workbook.layout import CHECK_SHEET, LAYOUT

FIRST_CHECK_ROW = 4  # 1-based: title, hint and headers above
SETTINGS = settings(max_examples=int(os.environ.get("XLG_EQUIV_EXAMPLES", "10")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                    database=None)


def _a1(sheet_pos: tuple[str, tuple[int, int]]) -> tuple[str, str]:
    sheet, pos = sheet_pos
    return sheet.upper(), xl_rowcol_to_cell(*pos)


EQUATIONS: dict[tuple[str, str], Equation] = {
    (eq.rule.id, LAYOUT.a1(eq.at)): eq for rule in EQUATION_RULES for eq in rule.declared()}
META_AT = {f"{s}!{xl_rowcol_to_cell(*p)}": fid for fid, (s, p) in LAYOUT.meta.items()}
META_LABELS = {f.id: f.label for f in SCHEMA.meta}
TEXT_AT = {f"{s}!{xl_rowcol_to_cell(*p)}": {f.id: f.label for f in SCHEMA.text}[fid]
           for fid, (s, p) in LAYOUT.text.items()}
TABLE_BY_SHEET = {t.sheet: t for t in TABLES}


def row_findings(rule: str, where: str, findings: list[Finding]) -> list[Finding]:
    """The findings of the rules that one 校验 row stands for: what its 处数 must count."""
    mine = [f for f in findings if f.rule == rule]
    if (rule, where) in EQUATIONS:
        hits = [f for f in mine if (f.table, f.row, f.column) == EQUATIONS[(rule, where)].at]
        assert len(hits) <= 1, hits
        return hits
    if rule in (rules.ValueBlank.id, rules.ValueInvalid.id):
        return [f for f in mine if f.table == TABLE_BY_SHEET[where].id]
    if rule == rules.MetaMissing.id:
        return [f for f in mine if dict(f.args)["field"] == META_LABELS[META_AT[where]]]
    if rule == rules.TextMissing.id:
        return [f for f in mine if dict(f.args)["section"] == TEXT_AT[where]]
    if rule in (rules.MetaYear.id, rules.TextLength.id):
        return mine
    raise AssertionError(f"校验 row for an unknown rule {rule} at {where}")


def python_verdict(rule: str, where: str, report: Report, findings: list[Finding]
                   ) -> tuple[str, str | None]:
    """What one 校验 row must show by the Python rules: (status, message or None if any)."""
    hits = row_findings(rule, where, findings)
    if (rule, where) in EQUATIONS and not hits and any(
            report.number(k) is None for k in EQUATIONS[(rule, where)].support):
        return INCOMPLETE, ""
    if rule == rules.MetaYear.id and report.year is None:
        return INCOMPLETE, ""
    if not hits:
        return PASS, ""
    status = WARN if rules.RULES_BY_ID[rule].severity is Severity.WARNING else FAIL
    if rule in (rules.ValueBlank.id, rules.ValueInvalid.id):
        return status, None  # the sheet counts; the findings name each cell
    return status, hits[0].message


def discrepancies(report: Report, path: Path, recalculate: Callable[[Path], dict] = evaluate
                  ) -> list[str]:
    """Every way the recalculated workbook differs from Python's verdicts or the cached values."""
    workbook_writer.write(path, report)
    probed, uses = with_probes(path, python_fills(report)[0])
    return compare(report, path, recalculate(probed), uses)


def compare(report: Report, path: Path, engine: dict, uses: list[Use]) -> list[str]:
    """``discrepancies`` of a workbook written to ``path``, its copy with probes recalculated
    into ``engine``."""
    stored = cached(path)
    out: list[str] = []

    # 1. every computed total is what excel_value says
    for key in SCHEMA.keys:
        if SCHEMA.is_derived(key) and key not in report.cells:
            ref = _a1(LAYOUT.cells[key])
            if ref not in engine or not same(engine[ref], excel_value(report, key)):
                out.append(f"total {key} at {ref}: engine {engine.get(ref)!r}, "
                           f"python {excel_value(report, key)!r}")

    # 4. every value cached in the file is what the engine computes
    for ref, value in stored.items():
        if ref not in engine or not same(engine[ref], value):
            out.append(f"cached {ref}: file {value!r}, engine {engine.get(ref, '<missing>')!r}")

    # 2. every 校验 row shows the Python verdict, and counts (处数) the findings its rule gives
    # there; every equation has its row. The sheet carries the rules a formula can say: not the
    # sentence-by-sentence text checks (on_check_sheet), not the cross-year ones (no last year)
    findings = [f for f in rules.check(report) if rules.RULES_BY_ID[f.rule].on_check_sheet]
    wb = openpyxl.load_workbook(path, read_only=True)
    labels = [(row[0], row[2]) for row in wb[CHECK_SHEET].iter_rows(min_row=FIRST_CHECK_ROW,
                                                                   max_col=3, values_only=True)]
    wb.close()
    seen = set()
    for r, (rule, where) in enumerate(labels, FIRST_CHECK_ROW):
        seen.add((rule, where))
        status, message = engine.get((CHECK_SHEET, f"F{r}")), engine.get((CHECK_SHEET, f"G{r}"))
        want_status, want_message = python_verdict(rule, where, report, findings)
        count, want_count = engine.get((CHECK_SHEET, f"H{r}")), len(row_findings(rule, where, findings))
        if not same(count, want_count):
            out.append(f"{rule} {where} (row {r}): engine counts {count!r}, the rule finds {want_count}")
        if status != want_status:
            out.append(f"{rule} {where} (row {r}): engine {status!r}, python {want_status!r}")
        if want_message is not None and not same(message, want_message):
            out.append(f"{rule} {where} (row {r}) message: engine {message!r}, "
                       f"python {want_message!r}")
        if want_message is None and not message:
            out.append(f"{rule} {where} (row {r}): ✘ without a message")
        if rule in (rules.ValueBlank.id, rules.ValueInvalid.id) and not same(
                engine.get((CHECK_SHEET, f"D{r}")), want_count):  # the count the message gives
            out.append(f"{rule} {where} (row {r}): engine counts "
                       f"{engine.get((CHECK_SHEET, f'D{r}'))!r} cells, the rule {want_count}")
    missing = set(EQUATIONS) - seen
    if missing:
        out.append(f"equations without a 校验 row: {sorted(missing)}")

    # 3. the headline is the command line's verdict on the same findings: len() of the error
    # and of the warning findings of the rules the sheet carries
    summary = engine.get((CHECK_SHEET, "B1"))
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    want = summary_line(errors, len(findings) - errors)
    if summary != want:
        out.append(f"summary B1: engine {summary!r}, python {want!r}")

    # 5. the conditional formats colour the cells Python finds blank, invalid or unbalanced
    got, want = fills(engine, uses), python_fills(report)[1]
    for kind in sorted(set(got) | set(want)):
        extra, lacking = got.get(kind, set()) - want[kind], want[kind] - got.get(kind, set())
        if extra or lacking:
            out.append(f"{kind} fill: engine only {sorted(extra)}, python only {sorted(lacking)}")
    return out


# --- reports from the strategies ------------------------------------------------------

def _spoiled(**cells: Any) -> Report:
    """A fixed balanced report with some request cells replaced (for explicit examples)."""
    report = Report(org="胡集镇人民政府", year=2024,
                    cells={k: 0 for k in SCHEMA.keys if not SCHEMA.is_derived(k)})
    for name, value in cells.items():
        row, col = name.split("__")
        report.cells[("requests", row.replace("_", "."), col)] = value
    return report


@pytest.mark.slow
@settings(SETTINGS, max_examples=max(2, SETTINGS.max_examples // 3))
@given(balanced_reports())
def test_balanced_reports_pass_in_the_engine_too(tmp_path_factory, report: Report) -> None:
    path = tmp_path_factory.mktemp("bal") / "report.xlsx"
    assert rules.check(report) == []
    assert discrepancies(report, path) == []  # so the engine's summary is ALL_PASS too


@pytest.mark.slow
@SETTINGS
@given(reports())
@example(_spoiled(**{"3_1__natural_person": Invalid("12件")}))  # text in a result row
@example(_spoiled(**{"3_1__total": 7, "3_7__total": None}))  # typed-over totals, one blank
@example(_spoiled(**{"1__commercial": Decimal("1.5"), "2__commercial": Decimal("1.5"),
                     "3_1__commercial": 2}))  # fractions: invalid, yet they balance
@example(_spoiled(**{"3_1__natural_person": Decimal("1.5"), "3_1__commercial": Decimal("1.5"),
                     "3_1__total": 2}))  # a sum of fractions in a message
@example(_spoiled(**{"4__other": -3, "3_2__other": Invalid("无")}))
@example(_spoiled(**{"3_7__research": Invalid("无")}))  # text over a total that feeds another
@example(_spoiled(**{"3_1__natural_person": 3, "3_2__total": None, "4__other": Decimal("-0.5")}))
@example(_spoiled(**{"3_1__natural_person": Invalid("无"), "3_1__commercial": Decimal("0.5"),
                     "3_2__research": -2, "3_2__total": -2}))  # text and a fraction in one row;
# a negative total typed as its parts' sum: each is one finding of value.invalid, and counted once
def test_any_report_gets_the_python_verdicts(tmp_path_factory, report: Report) -> None:
    path = tmp_path_factory.mktemp("any") / "report.xlsx"
    assert discrepancies(report, path) == []


# --- conditional formats: red and yellow cells on the table sheets --------------------------

RED, YELLOW = "FF7C80", "FFF2CC"  # the writer's fills for bad and for blank cells
VALUE_FORMATS = {(t.sheet.upper(), a.ref(absolute=False).split("!")[1], condition)
                 for t in TABLES for a, condition, _kind in excel_formulas.value_formats(t)}


Use = tuple[str, tuple[str, str], str]  # (kind and fill, cell, probe cell)


def with_probes(path: Path, cells: set[tuple[str, str]]) -> tuple[Path, list[Use]]:
    """A copy of the workbook whose probe cells compute the conditional formats: ``value`` rules
    (``excel_formulas.value_formats``: blank yellow; what value.invalid counts red) at ``cells`` only,
    ``equation`` rules (on the cells of an equation, red when it fails) everywhere. Each rule's
    formula, moved to the cell it applies to, goes into a probe; equal formulas share one."""
    wb = openpyxl.load_workbook(path)
    probes: dict[tuple[str, str], str] = {}  # (sheet, formula) -> probe cell
    uses: list[Use] = []
    for ws in wb.worksheets:
        if ws.title not in TABLE_BY_SHEET:
            continue
        sheet, free = ws.title.upper(), ws.max_row + 2
        for cf in ws.conditional_formatting:
            first = min(cf.sqref.ranges, key=lambda cr: (cr.min_row, cr.min_col))
            origin = first.coord.split(":")[0]  # relative references are relative to it
            for rule in cf.rules:
                kind = ("value" if (sheet, str(cf.sqref), rule.formula[0]) in VALUE_FORMATS
                        else "equation")
                fill = rule.dxf.fill.bgColor.rgb[-6:]
                for rng in cf.sqref.ranges:
                    for r, c in rng.cells:
                        cell = (sheet, ws.cell(r, c).coordinate)
                        if kind == "value" and cell not in cells:
                            continue
                        formula = Translator("=" + rule.formula[0], origin).translate_formula(cell[1])
                        if (sheet, formula) not in probes:
                            probe = ws.cell(free + len(probes), 1)
                            probe.value = formula
                            probes[(sheet, formula)] = probe.coordinate
                        uses.append((f"{kind} {fill}", cell, probes[(sheet, formula)]))
    probed = path.with_name(path.stem + "-probes.xlsx")
    wb.save(probed)
    return probed, uses


def fills(values: dict, uses: list[Use]) -> dict[str, set[tuple[str, str]]]:
    """The cells each kind of fill covers, by the probes' values (an error is not TRUE)."""
    out: dict[str, set[tuple[str, str]]] = {}
    for kind, cell, probe in uses:
        found = out.setdefault(kind, set())
        if values[(cell[0], probe)] is True:
            found.add(cell)
    return out


def python_fills(report: Report) -> tuple[set[tuple[str, str]], dict[str, set[tuple[str, str]]]]:
    """Cells worth probing, and the fills Python expects: blank shown values yellow, the cells
    ``value.invalid`` reports red (not a computed total, whatever it shows: its parts are the
    report's), cells of failing equations red."""
    probe, out = set(), {f"value {RED}": set(), f"value {YELLOW}": set(), f"equation {RED}": set()}
    invalid = rules.ValueInvalid()
    for table in TABLES:
        areas = [*excel_formulas.table_areas(table),
                 *(v.area for v in excel_formulas.value_areas(table))]
        probe.update((a.sheet.upper(), xl_rowcol_to_cell(*corner)) for a in areas
                     for corner in (a.first, a.last))
    found = rules.check(report)
    out[f"value {RED}"] = {_a1(LAYOUT.cells[(f.table, f.row, f.column)]) for f in found
                           if f.rule == invalid.id}
    for key in SCHEMA.keys:
        cell, shown = _a1(LAYOUT.cells[key]), excel_value(report, key)
        shown = Invalid(shown) if isinstance(shown, str) else shown
        if shown is None:
            out[f"value {YELLOW}"].add(cell)
        if shown is None or invalid.problem(key, shown) or SCHEMA.is_derived(key):
            probe.add(cell)
    for f in found:
        at = (f.table, f.row, f.column)
        if at in LAYOUT.cells and (f.rule, LAYOUT.a1(at)) in EQUATIONS:
            eq = EQUATIONS[(f.rule, LAYOUT.a1(at))]
            out[f"equation {RED}"].update(_a1(LAYOUT.cells[k]) for k in eq.highlight)
    out = {k: v & probe if k.startswith("value") else v for k, v in out.items()}
    return probe, out


# --- the harness has teeth --------------------------------------------------------------

def _unbalanced() -> Report:
    return _spoiled(**{"3_1__natural_person": 5, "3_6_3__natural_person": 4, "1__natural_person": 9,
                       "4__research": 2})


def test_a_wrong_total_formula_is_caught(tmp_path: Path, monkeypatch) -> None:
    """A total that forgets its last part: the engine's totals and verdicts differ from Python's."""
    original = excel_formulas.derived_formula

    def forgetful(key: CellKey, layout=LAYOUT) -> str:
        formula = original(key, layout)
        return re.sub(r":([A-Z]+)(\d+)\)$", lambda m: f":{m[1]}{int(m[2]) - 1})", formula) \
            if key == ("requests", "3.7", "natural_person") else formula

    monkeypatch.setattr(workbook_writer, "derived_formula", forgetful)
    problems = discrepancies(_unbalanced(), tmp_path / "broken.xlsx")
    assert any(p.startswith("total ('requests', '3.7', 'natural_person')") for p in problems)
    assert any(p.startswith("cached") for p in problems)


def test_a_wrong_check_formula_is_caught(tmp_path: Path, monkeypatch) -> None:
    """An equation compiled with <> for =: its 校验 rows and red cells show the opposite."""
    original = excel_formulas._equation_row

    def inverted(eq, home, layout):
        row = original(eq, home, layout)
        if eq.rule.id != rules.RequestsBalance.id:
            return row
        return excel_formulas.CheckRow(**{**row.__dict__,
                                          "status": row.status.replace("=SUM(", "<>SUM(", 1),
                                          "failing": row.failing.replace("<>", "=")})

    monkeypatch.setattr(excel_formulas, "_equation_row", inverted)
    problems = discrepancies(_unbalanced(), tmp_path / "broken.xlsx")
    assert any("requests.balance" in p and "engine '✔', python '✘'" in p for p in problems)
    assert any("requests.balance" in p and "engine '✘', python '✔'" in p for p in problems)
    assert any(p.startswith("summary B1") for p in problems)
    assert any(p.startswith(f"equation {RED} fill") for p in problems)


def test_a_wrong_python_verdict_is_caught(tmp_path: Path, monkeypatch) -> None:
    """The other side: a rule that forgets an equation disagrees with the sheet."""
    rule = rules.RULES_BY_ID[rules.RequestsBalance.id]
    monkeypatch.setattr(rule, "check", lambda report, prior=None: iter(()))
    problems = discrepancies(_unbalanced(), tmp_path / "broken.xlsx")
    assert any("requests.balance" in p and "python '✔'" in p for p in problems)



def test_an_invalid_count_of_what_cells_show_is_caught(tmp_path: Path, monkeypatch) -> None:
    """The count as the sheet had it (computed totals judged too): a negative part makes three
    totals negative (its row's, its column's （七）, the grand total), which value.invalid does
    not report: 4 cells for 1 finding, and a headline of 6 errors for 3."""
    monkeypatch.setattr(excel_formulas, "_given_term", excel_formulas.invalid_term)
    problems = discrepancies(_spoiled(**{"3_1__natural_person": -1}), tmp_path / "broken.xlsx")
    assert any(p.startswith("value.invalid 依申请公开") and "engine counts 4" in p for p in problems)
    assert any(p.startswith("summary B1") and "6 处错误" in p for p in problems)


def test_the_headline_counts_findings_as_the_command_line_does(tmp_path: Path) -> None:
    """Table 三's balance failing in three columns is three findings: 处数 1 on each of the three
    rows, and the headline says 3 处错误, as ``validate`` does (the two 提示: 五 and 六 empty)."""
    report = _spoiled(**{"1__natural_person": 1, "1__commercial": 1})
    path = tmp_path / "balance.xlsx"
    assert discrepancies(report, path) == []
    engine = evaluate(path)
    assert engine[(CHECK_SHEET, "B1")] == summary(rules.check(report)) == "✘ 3 处错误，2 处提示"
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[CHECK_SHEET].iter_rows(min_row=FIRST_CHECK_ROW, max_col=3, values_only=True))
    wb.close()
    counts = {where: engine[(CHECK_SHEET, f"H{r}")] for r, (rule, _t, where) in
              enumerate(rows, FIRST_CHECK_ROW) if rule == rules.RequestsBalance.id}
    assert {w for w, n in counts.items() if n} == {"依申请公开!D5", "依申请公开!E5", "依申请公开!J5"}
    assert sum(counts.values()) == 3

# --- a real spreadsheet application: LibreOffice ------------------------------------------

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "json"


def _blind_spots() -> Report:
    """What the ``formulas`` engine gets wrong or cannot see, for a real application to judge."""
    report = _spoiled(**{
        "3_1__natural_person": Invalid("-5"), "3_2__commercial": Invalid("12"),  # number-like text
        "1__research": Decimal("0.1"), "2__research": Decimal("0.2"),  # 0.1 + 0.2 = 0.3 exactly
        "3_1__research": Decimal("0.3"),
        "1__legal_service": 4_000_000, "3_3_1__legal_service": 3_999_999,
        "3_1__total": 7, "3_7__total": None, "4__other": -3})
    report.org = "\u3000\xa0 \t"  # only white space: Python calls it missing, so must the sheet
    report.text = {"problems": " 无。\n", "other_matters": "\xa0暂\t无\u3000",  # "无" in disguise
                   "overview": "字\u3000\xa0 " * 1000 + "字"}  # 1001 characters once spaces go
    report.cells[("appeals", "review", "total")] = 5
    # typed over its formula and negative: counted only if ISFORMULA is known (else taken for one)
    report.cells[("appeals", "litigation_direct", "total")] = -2
    report.cells[("proactive", "admin_fees", "amount")] = Decimal("12.3456")
    return report


LO_REPORTS = {"blind_spots": _blind_spots,
              **{name: (lambda name=name: interchange.load(SAMPLES / f"{name}.json"))
                 for name in ("errors_demo_2023", "hujizhen_2022")}}


@pytest.fixture(scope="module")
def recalculated_by_libreoffice(tmp_path_factory) -> dict[str, tuple[Report, Path, dict, list]]:
    """The LO_REPORTS written as workbooks and recalculated by one LibreOffice run."""
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is needed for this test")
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("libreoffice")
    made = {name: make() for name, make in LO_REPORTS.items()}
    paths = {name: folder / f"{name}.xlsx" for name in made}
    probed = {}
    for name, report in made.items():
        workbook_writer.write(paths[name], report)
        probed[name] = with_probes(paths[name], python_fills(report)[0])
    results = libreoffice(*(p for p, _uses in probed.values()))
    return {name: (made[name], paths[name], values, probed[name][1])
            for name, values in zip(made, results, strict=True)}


@pytest.mark.parametrize("name", list(LO_REPORTS))
def test_libreoffice_recalculates_the_python_verdicts(recalculated_by_libreoffice, name: str) -> None:
    """LibreOffice, made to recalculate every formula, shows the totals, 校验 verdicts and
    coloured cells Python computes, and the values cached in the file."""
    report, path, values, uses = recalculated_by_libreoffice[name]
    assert compare(report, path, values, uses) == []
