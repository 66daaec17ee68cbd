"""Last year's report: carry-over, cross-year rules, and finding last year's workbook.

The chain is real: 宿迁市人民政府 2023 → 2024 (shared/examples), where 二 of 2024 is 四 of 2023
column by column and 现行有效 continues (规章 11+2−1=12, 规范性文件 597+50−227=420).
"""

from __future__ import annotations

import errno
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xl_helpers import new_workbook, run, validate_json, within_limit

from xlgbreport.actions import prior_source, sources, validation
from xlgbreport.actions.results import FileResult
from xlgbreport.core import prior, rules
from xlgbreport.core.gb2021 import PROACTIVE, REQUEST_COLUMNS, REQUESTS, SCHEMA
from xlgbreport.core.model import Invalid, Report
from xlgbreport.errors import OS_REASONS, InputError
from xlgbreport.files import interchange
from xlgbreport.workbook import writer as workbook_writer
from xlgbreport.workbook.formulas import check_rows
from xlgbreport.workbook.layout import CHECK_SHEET, LAYOUT

EXAMPLES = Path(__file__).parent / "data" / "examples"  # copies of shared/examples
LAST_JSON, THIS_JSON = EXAMPLES / "suqian_2023.json", EXAMPLES / "suqian_2024.json"
PRIOR_RULES = {"prior.carry_over", "prior.in_force", "prior.mismatch", "prior.renamed"}


def last() -> Report:
    report = interchange.load(LAST_JSON)
    within_limit(report.text)
    return report


def this() -> Report:
    report = interchange.load(THIS_JSON)
    within_limit(report.text)
    return report


def data(path: Path = THIS_JSON) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    within_limit(doc["text"])
    return doc


# --- the pure core ------------------------------------------------------------------------

def test_carry_over_is_last_years_row_4_column_by_column():
    carried = prior.carry_over(last())
    assert set(carried) == {(REQUESTS.id, "2", c.id) for c in REQUEST_COLUMNS if not c.derived}
    for key, value in carried.items():
        assert value == this().value(key) == last().value((REQUESTS.id, "4", key[2]))
    assert carried[(REQUESTS.id, "2", "natural_person")] == 118


def test_carry_over_never_invents():
    report = last()
    report.cells[(REQUESTS.id, "4", "commercial")] = None
    report.cells[(REQUESTS.id, "4", "research")] = Invalid("无")
    carried = prior.carry_over(report)
    assert carried[(REQUESTS.id, "2", "commercial")] is None
    assert carried[(REQUESTS.id, "2", "research")] is None
    assert carried[(REQUESTS.id, "2", "natural_person")] == 118


def test_compare_gives_this_last_and_change():
    changes = prior.compare(this(), last())
    assert set(changes) == set(SCHEMA.keys)
    in_force = changes[(PROACTIVE.id, "normative_documents", "in_force")]
    assert (in_force.this, in_force.last, in_force.delta) == (420, 597, -177)
    total = changes[(REQUESTS.id, "1", "total")]  # a total absent from cells is computed
    assert total.delta == total.this - total.last
    report = this()
    report.cells[(REQUESTS.id, "1", "commercial")] = None
    blank = prior.compare(report, last())[(REQUESTS.id, "1", "commercial")]
    assert blank.this is None and blank.delta is None
    with pytest.raises(AttributeError):
        blank.delta = 1  # frozen


def test_next_year_carries_body_contact_and_row_2():
    before = last()
    before.meta = {"contact": "张三", "phone": "0527-1234567", "prior": "2022.xlsx"}
    after = prior.next_year(before)
    assert (after.org, after.year) == ("宿迁市人民政府", 2024)
    assert after.meta == {"contact": "张三", "phone": "0527-1234567"}  # prior: the caller's
    assert {k: after.value(k) for k in prior.carry_over(before)} == prior.carry_over(before)
    assert after.value((REQUESTS.id, "1", "natural_person")) is None  # nothing else guessed
    assert after.text == before.text  # a draft to revise
    before.year = None
    with pytest.raises(InputError) as err:
        prior.next_year(before)
    assert err.value.code == "rollover.no_year"


# --- the rules ----------------------------------------------------------------------------

def test_real_chain_holds():
    assert rules.check(this(), last()) == []


def test_carry_over_rule_per_column():
    report = this()
    report.cells[(REQUESTS.id, "2", "commercial")] = 4
    found = [f for f in rules.check(report, last()) if f.rule == "prior.carry_over"]
    assert len(found) == 1
    f = found[0]
    assert (f.table, f.row, f.column, f.expected, f.actual) == (REQUESTS.id, "2", "commercial", 3, 4)
    assert f.severity == "error" and "商业企业" in f.message and "（4）" in f.message


def test_in_force_rule_is_a_warning_that_asks_why():
    report = this()
    report.cells[(PROACTIVE.id, "regulations", "in_force")] = 13
    found = [f for f in rules.check(report, last()) if f.rule.startswith("prior.")]
    assert [(f.rule, f.severity, f.row, f.expected, f.actual) for f in found] == [
        ("prior.in_force", "warning", "regulations", 12, 13)]
    assert "清理" in found[0].message and "11" in found[0].message


def test_mismatch_names_org_and_year():
    other = last()
    other.org, other.year = "宿豫区人民政府", 2022
    found = [f for f in rules.check(this(), other) if f.rule == "prior.mismatch"]
    assert [(f.expected, f.actual) for f in found] == [("宿迁市人民政府", "宿豫区人民政府"), (2023, 2022)]
    assert all(f.severity == "error" for f in found)
    spaced = last()
    spaced.org = " 宿迁市　人民政府 "  # spaces, a full-width one too, do not make another body
    assert not [f for f in rules.check(this(), spaced) if f.rule == "prior.mismatch"]


@pytest.mark.parametrize("text, flagged", [
    (None, True), ("", True), ("无", True), (" 无。", True),
    ("本年度未收取信息处理费。", False),
])
def test_text_missing(text, flagged):
    report = this()
    report.text["other_matters"] = text
    found = [f for f in rules.check(report, last()) if f.rule == "text.missing"]
    assert [f.message.startswith("六、其他需要报告的事项") for f in found] == ([True] if flagged else [])
    assert all(f.severity == "warning" for f in found)


def test_text_copied_from_last_year_is_flagged():
    report = this()
    report.text["problems"] = last().text["problems"].replace("2023", "2024")  # only the year changed
    found = [f for f in rules.check(report, last()) if f.rule == "text.missing"]
    assert len(found) == 1 and "雷同" in found[0].message


VALUES = st.one_of(st.integers(0, 200), st.none(), st.integers(-5, -1),
                   st.sampled_from([Invalid("无"), Decimal("1.5")]))


@st.composite
def reports(draw) -> Report:
    """The real 2024 report with some cells, the cover and the text spoiled."""
    report = this()
    for key in draw(st.lists(st.sampled_from(SCHEMA.keys), unique=True, max_size=10)):
        report.cells[key] = draw(VALUES)
    report.org = draw(st.sampled_from([None, "", "宿迁市人民政府", "宿豫区人民政府"]))
    report.year = draw(st.sampled_from([None, 2023, 2024, Invalid("二〇二四")]))
    report.text = {k: draw(st.sampled_from([None, "无", v])) for k, v in report.text.items()}
    return report


@settings(max_examples=40, deadline=None)
@given(reports(), st.sampled_from([LAST_JSON, THIS_JSON]))
def test_without_prior_nothing_changes_for_the_other_rules(report, prior_json):
    alone = rules.check(report)
    assert not {f.rule for f in alone} & PRIOR_RULES
    assert alone == [f for f in rules.check(report, interchange.load(prior_json))
                     if f.rule not in PRIOR_RULES and not copied(f)]


def copied(finding) -> bool:
    """text.missing for a text copied from last year: the one part of it that needs last year."""
    return dict(finding.args).get("problem") == rules.TextMissing.SAME


def test_prior_rules_are_not_compiled_to_the_check_sheet():
    assert {r.id for r in rules.RULES if r.needs_prior} == PRIOR_RULES
    assert not {row.rule for row in check_rows(CHECK_SHEET)} & PRIOR_RULES


# --- the command: a two-year chain of workbooks ---------------------------------------------

def test_two_year_chain_validates_clean(tmp_path):
    book_2023 = new_workbook(LAST_JSON, tmp_path / "2023.xlsx")
    book_2024 = new_workbook(THIS_JSON, tmp_path / "2024.xlsx")
    code, doc = validate_json("--prior", book_2023, book_2024)
    (entry,) = doc["files"]
    assert code == 0 and entry["valid"] and entry["findings"] == []
    assert entry["notes"] == [prior_source.USING.format(path=book_2023, org="宿迁市人民政府",
                                                       year=2023)]
    code, output = run("validate", "--prior", book_2023, book_2024)
    assert code == 0 and "上年数据：" in output and "2023.xlsx" in output


def test_changed_carried_cell_is_an_error_at_that_cell(tmp_path):
    book_2023 = new_workbook(LAST_JSON, tmp_path / "2023.xlsx")
    changed = data()
    changed["requests"]["2"]["legal_service"] = 2
    changed["requests"]["2"]["total"] = 123
    changed["requests"]["1"]["legal_service"] -= 2
    changed["requests"]["1"]["total"] -= 2  # this year's own sums still hold
    book_2024 = new_workbook(changed, tmp_path / "2024.xlsx")
    code, doc = validate_json("--prior", book_2023, book_2024)
    (entry,) = doc["files"]
    assert code == 1 and not entry["valid"]
    assert [(f["rule"], f["severity"], f["table"], f["row"], f["column"], f["sheet"], f["cell"],
             f["expected"], f["actual"]) for f in entry["findings"]] == [
        ("prior.carry_over", "error", "requests", "2", "legal_service", REQUESTS.sheet,
         LAYOUT.a1((REQUESTS.id, "2", "legal_service"), sheet=False), 0, 2)]


def test_changed_in_force_is_a_warning_and_exit_0(tmp_path):
    book_2023 = new_workbook(LAST_JSON, tmp_path / "2023.xlsx")
    changed = data()
    changed["proactive"]["normative_documents"]["in_force"] = 400  # after a 清理 campaign
    book_2024 = new_workbook(changed, tmp_path / "2024.xlsx")
    code, doc = validate_json("--prior", book_2023, book_2024)
    (entry,) = doc["files"]
    assert code == 0 and entry["valid"]
    (f,) = entry["findings"]
    assert (f["rule"], f["severity"], f["row"], f["column"], f["expected"], f["actual"]) == \
        ("prior.in_force", "warning", "normative_documents", "in_force", 420, 400)
    assert f["cell"] == LAYOUT.a1((PROACTIVE.id, "normative_documents", "in_force"), sheet=False)


def test_without_prior_the_checks_are_skipped_and_said_so(tmp_path):
    changed = data()
    changed["requests"]["2"]["legal_service"] = 2  # would be prior.carry_over with last year
    changed["requests"]["2"]["total"] = 123
    changed["requests"]["1"]["legal_service"] -= 2
    changed["requests"]["1"]["total"] -= 2
    book = new_workbook(changed, tmp_path / "2024.xlsx")
    code, doc = validate_json(book)
    (entry,) = doc["files"]
    assert code == 0 and entry["findings"] == []
    assert entry["notes"] == [prior_source.SKIPPED]
    result = validation.validate_file(book)  # the library call as before: no notes at all
    assert result.notes == () and result.findings == ()


# --- finding last year's workbook -------------------------------------------------------------

def make_folder(tmp_path: Path) -> Path:
    """Several bodies and years under misleading names; one of them is 宿迁 2023."""
    folder = tmp_path / "历年报告"
    (folder / "sub").mkdir(parents=True)
    new_workbook(LAST_JSON, folder / "sub" / "宿迁市_2022_旧.xlsx")  # the right one, badly named
    wrong_year = data(LAST_JSON)
    wrong_year["year"] = 2022
    new_workbook(wrong_year, folder / "宿迁市2023.xlsx")
    other_body = data(LAST_JSON)
    other_body["org"] = "宿豫区人民政府"
    new_workbook(other_body, folder / "宿迁市人民政府2023年报告.xlsx")
    (folder / "损坏.xlsx").write_bytes(b"PK\x03\x04 broken")
    return folder


def test_folder_is_searched_by_content_not_name(tmp_path):
    folder = make_folder(tmp_path)
    notes: list[str] = []
    found = prior_source.resolve(this(), None, folder, notes)
    assert (found.org, found.year) == ("宿迁市人民政府", 2023)
    assert any("宿迁市_2022_旧.xlsx" in n for n in notes)  # which one was used
    assert any("损坏.xlsx" in n for n in notes)  # the unreadable one was skipped, and said so
    book = new_workbook(THIS_JSON, tmp_path / "2024.xlsx")
    code, doc = validate_json("--prior", folder, book)
    assert code == 0 and doc["files"][0]["findings"] == []


def test_folder_with_two_matches_is_an_error_naming_both(tmp_path):
    folder = make_folder(tmp_path)
    new_workbook(LAST_JSON, folder / "副本.xlsx")
    with pytest.raises(InputError) as err:
        prior_source.resolve(this(), None, folder, [])
    assert err.value.code == "prior.ambiguous"
    assert {Path(err.value.args_["first"]).name, Path(err.value.args_["second"]).name} == {"宿迁市_2022_旧.xlsx", "副本.xlsx"}
    book = new_workbook(THIS_JSON, tmp_path / "2024.xlsx")
    code, doc = validate_json("--prior", folder, book)
    assert code == 2
    *skipped, note = doc["files"][0]["notes"]
    assert len(skipped) == 1 and "损坏.xlsx" in skipped[0]
    assert "副本.xlsx" in note and "宿迁市_2022_旧.xlsx" in note and "跳过" in note
    error = doc["files"][0]["prior_error"]  # a program sees why the exit code is 2
    assert "副本.xlsx" in error and "宿迁市_2022_旧.xlsx" in error


def test_folder_without_a_match_says_so(tmp_path):
    folder = make_folder(tmp_path)
    (folder / "sub" / "宿迁市_2022_旧.xlsx").unlink()
    notes: list[str] = []
    assert prior_source.resolve(this(), None, folder, notes) is None
    assert any("宿迁市人民政府 2023" in n and "跳过" in n for n in notes)


def test_cover_field_names_last_year(tmp_path):
    (tmp_path / "去年").mkdir()
    new_workbook(LAST_JSON, tmp_path / "去年" / "a.xlsx")
    report = this()
    report.meta["prior"] = "去年/a.xlsx"  # relative to the workbook's own folder
    book = tmp_path / "本年" / "2024.xlsx"
    book.parent.mkdir()
    workbook_writer.write(book, report)
    code, doc = validate_json(book)
    (entry,) = doc["files"]
    assert code == 2  # the path does not exist from the workbook's folder
    assert "去年/a.xlsx" in entry["notes"][0]
    report.meta["prior"] = "../去年"  # a folder works too
    workbook_writer.write(book, report, overwrite=True)
    code, doc = validate_json(book)
    (entry,) = doc["files"]
    assert code == 0 and entry["findings"] == [] and "a.xlsx" in entry["notes"][0]
    changed = this()
    changed.meta["prior"] = "../去年/a.xlsx"
    changed.cells[(PROACTIVE.id, "regulations", "in_force")] = 15
    workbook_writer.write(book, changed, overwrite=True)
    code, doc = validate_json(book)
    assert [f["rule"] for f in doc["files"][0]["findings"]] == ["prior.in_force"]


def test_explicit_prior_wins_over_the_cover(tmp_path):
    right = new_workbook(LAST_JSON, tmp_path / "right.xlsx")
    report = this()
    report.meta["prior"] = "does-not-exist.xlsx"
    book = tmp_path / "2024.xlsx"
    workbook_writer.write(book, report)
    code, doc = validate_json("--prior", right, book)
    assert code == 0 and doc["files"][0]["findings"] == []


def test_wrong_org_or_year_is_prior_mismatch(tmp_path):
    other = data(LAST_JSON)
    other["org"], other["year"] = "宿豫区人民政府", 2021
    wrong = new_workbook(other, tmp_path / "wrong.xlsx")
    book = new_workbook(THIS_JSON, tmp_path / "2024.xlsx")
    code, doc = validate_json("--prior", wrong, book)
    found = doc["files"][0]["findings"]
    assert code == 1
    assert [(f["rule"], f["cell"], f["expected"], f["actual"]) for f in found] == [
        ("prior.mismatch", "B3", "宿迁市人民政府", "宿豫区人民政府"),
        ("prior.mismatch", "B4", 2023, 2021)]
    assert found[0]["message"] == "上年数据的机关名称应为 宿迁市人民政府，实为 宿豫区人民政府"


def test_missing_prior_path_is_a_usage_error(tmp_path):
    book = new_workbook(THIS_JSON, tmp_path / "2024.xlsx")
    code, _ = run("validate", "--prior", tmp_path / "none.xlsx", book)
    assert code == 2


# --- a 封面 path is untrusted: the folder search is robust and bounded ---------------------------

def batch_with_cover(tmp_path: Path, named: str) -> tuple[Path, Path]:
    """A batch folder of three 2024 workbooks; the first one's 封面 names ``named``."""
    batch = tmp_path / "batch"
    batch.mkdir()
    report = this()
    report.meta["prior"] = named
    odd = batch / "a.xlsx"
    workbook_writer.write(odd, report)
    for name in ("b.xlsx", "c.xlsx"):
        new_workbook(THIS_JSON, batch / name)
    return batch, odd


def assert_batch_goes_on(batch: Path, odd: Path, *parts: str) -> str:
    """The odd workbook gets one note saying why (exit 2: its last year's data is unusable);
    the others are checked as usual. Returns that note."""
    code, doc = validate_json(batch)
    assert code == 2
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert set(by_name) == {"a.xlsx", "b.xlsx", "c.xlsx"}
    (note,) = by_name[odd.name]["notes"]
    assert note.endswith("跨年度检查已跳过") and all(p in note for p in parts), note
    assert by_name[odd.name]["valid"] and by_name[odd.name]["findings"] == []
    for other in ("b.xlsx", "c.xlsx"):
        assert by_name[other]["valid"] and by_name[other]["notes"] == [prior_source.SKIPPED]
    code, output = run("validate", batch)  # the text output too: no 内部错误, every file summed up
    assert code == 2 and "内部错误" not in output and note in output
    assert all(f"✔ {n}：全部通过" in output for n in ("a.xlsx", "b.xlsx", "c.xlsx"))
    return note


def locked(monkeypatch, *folders: Path) -> None:
    """Listing these folders fails as it would without permission (the tests run as root)."""
    real = sources.os.scandir
    shut = {str(f) for f in folders}

    def scandir(path="."):
        if str(path) in shut:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(sources.os, "scandir", scandir)


def test_a_cover_naming_a_folder_that_cannot_be_listed_does_not_stop_the_batch(tmp_path, monkeypatch):
    shut = tmp_path / "上锁"
    shut.mkdir()
    batch, odd = batch_with_cover(tmp_path, str(shut))
    locked(monkeypatch, shut)
    assert_batch_goes_on(batch, odd, "无法打开", "上锁", "没有权限")


def test_a_cover_naming_the_root_of_a_disk_is_refused_quickly(tmp_path):
    """The review's case: ``/`` (or ``C:\\``) on a 封面. The search stops at a bound."""
    batch, odd = batch_with_cover(tmp_path, Path(tmp_path.anchor).as_posix())
    assert_batch_goes_on(batch, odd, "太大", "没有在其中查找上年数据")


@pytest.mark.parametrize("bound, limit, make", [
    ("MAX_FILES", 3, lambda f: [(f / f"{i}.xlsx").write_bytes(b"x") for i in range(4)]),
    ("MAX_DEPTH", 2, lambda f: (f / "1" / "2" / "3").mkdir(parents=True)),
    ("MAX_ENTRIES", 10, lambda f: [(f / f"{i}.txt").write_bytes(b"") for i in range(11)]),
])
def test_a_folder_beyond_a_bound_is_refused_with_a_note(tmp_path, monkeypatch, bound, limit, make):
    huge = tmp_path / "huge"
    huge.mkdir()
    make(huge)
    monkeypatch.setattr(prior_source, bound, limit)
    batch, odd = batch_with_cover(tmp_path, "../huge")
    what = {"MAX_FILES": prior_source.TOO_MANY_FILES, "MAX_DEPTH": prior_source.TOO_DEEP,
            "MAX_ENTRIES": prior_source.TOO_MANY_ENTRIES}[bound].format(n=limit)
    note = assert_batch_goes_on(batch, odd, what, "huge")
    assert note == validation.PRIOR_FAILED.format(reason=prior_source.TOO_BIG.format(
        folder=batch / "../huge", limit=what))


def test_at_the_bounds_the_search_still_runs(tmp_path, monkeypatch):
    folder = make_folder(tmp_path)  # 4 workbooks, one level of subfolders
    monkeypatch.setattr(prior_source, "MAX_FILES", 4)
    monkeypatch.setattr(prior_source, "MAX_DEPTH", 1)
    found = prior_source.resolve(this(), None, folder, [])
    assert (found.org, found.year) == ("宿迁市人民政府", 2023)


def test_unreadable_subfolders_and_link_loops_are_skipped(tmp_path, monkeypatch):
    folder = make_folder(tmp_path)
    (folder / "上锁").mkdir()
    locked(monkeypatch, folder / "上锁")
    (folder / "sub" / "回到上层").symlink_to(folder, target_is_directory=True)  # a folder loop
    (folder / "环.xlsx").symlink_to(folder / "环.xlsx")  # a file that links to itself
    notes: list[str] = []
    found = prior_source.resolve(this(), None, folder, notes)
    assert (found.org, found.year) == ("宿迁市人民政府", 2023)  # the loop was not followed
    (skipped,) = [n for n in notes if "无法访问" in n]
    assert skipped.startswith("已跳过 2 处无法访问的文件或文件夹") and "（" in skipped
    book = new_workbook(THIS_JSON, tmp_path / "2024.xlsx")
    code, doc = validate_json("--prior", folder, book)
    assert code == 0 and doc["files"][0]["findings"] == []


def test_a_file_gone_between_the_scan_and_the_read_is_skipped(tmp_path, monkeypatch):
    folder = make_folder(tmp_path)
    gone = folder / "刚删除.xlsx"
    real = sources.walk

    def walk(*args, **kwargs):  # the scan saw a file that is gone when it is read
        found = real(*args, **kwargs)
        return sources.Walk(sorted([*found.files, gone]), found.unreadable)

    monkeypatch.setattr(sources, "walk", walk)
    notes: list[str] = []
    assert prior_source.resolve(this(), None, folder, notes).year == 2023
    assert any("刚删除.xlsx" in n and "不存在" in n for n in notes)


def test_an_os_error_from_prior_resolution_never_escapes_validate_file(tmp_path, monkeypatch):
    book = new_workbook(THIS_JSON, tmp_path / "2024.xlsx")

    def broken(*args):
        raise PermissionError(13, "Permission denied", "/somewhere")

    monkeypatch.setattr(prior_source, "resolve", broken)
    result = validation.validate_file(book, find_prior=True)
    assert "prior_error" in result.extra and result.error_code is None and result.findings == ()
    assert result.notes == (validation.PRIOR_FAILED.format(
        reason=validation.PRIOR_UNREACHABLE.format(reason="没有权限")),)
    code, doc = validate_json(book)
    assert code == 2 and doc["files"][0]["notes"] == list(result.notes)


def test_a_cover_naming_an_unknown_home_is_just_not_found(tmp_path):
    batch, odd = batch_with_cover(tmp_path, "~no_such_user_xlg/2023.xlsx")
    assert_batch_goes_on(batch, odd, "~no_such_user_xlg/2023.xlsx", "不存在")


def test_collect_survives_what_rglob_did_not(tmp_path, monkeypatch):
    folder = make_folder(tmp_path)
    (folder / "上锁").mkdir()
    (folder / "上锁" / "x.xlsx").write_bytes(b"x")
    locked(monkeypatch, folder / "上锁")
    (folder / "环.xlsx").symlink_to(folder / "环.xlsx")
    (folder / "sub" / "回到上层").symlink_to(folder, target_is_directory=True)
    names = [p.relative_to(folder).as_posix() for p in sources.collect([folder])]
    assert names == sorted(names, key=lambda n: Path(n).parts)
    # the locked folder and the link loop are listed, so that reading each says why
    assert set(names) == {"sub/宿迁市_2022_旧.xlsx", "宿迁市2023.xlsx", "宿迁市人民政府2023年报告.xlsx",
                          "损坏.xlsx", "上锁", "环.xlsx"}
    by_name = {Path(r.path).name: r for r in validation.validate([folder])}
    assert read_failed(by_name["上锁"]) == OS_REASONS[errno.EACCES]
    assert read_failed(by_name["环.xlsx"]) == OS_REASONS[errno.ELOOP]


def read_failed(result: FileResult) -> str:
    """Why a file could not be read, when that is the system's reason."""
    assert result.error_code == "file.read_failed" and result.error_message is not None
    return result.error_message.split("：", 1)[1]


def test_a_folder_named_on_the_command_line_that_cannot_be_listed_says_why(tmp_path, monkeypatch):
    folder = tmp_path / "上锁"
    folder.mkdir()
    locked(monkeypatch, folder)
    good = new_workbook(THIS_JSON, tmp_path / "本年.xlsx")
    bad, fine = validation.validate([folder, good])
    assert read_failed(bad) == OS_REASONS[errno.EACCES] and Path(bad.path).name == "上锁"
    assert fine.error_code is None and fine.valid  # the batch goes on
