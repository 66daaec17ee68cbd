"""The two buttons (结转上年数据, 生成报告), run on a stand-in for the open workbook.

xlwings cannot drive Excel on Linux, so ``FakeBook`` holds a real workbook's shown values behind
the parts of the xlwings API the buttons use: defined names, ranges, ``fullname``, ``app.alert``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
from xl_helpers import EXAMPLES, ROOT, FakeBook, new_workbook, run_main

from xlgbreport import errors
from xlgbreport.actions import carry
from xlgbreport.core import narrative, rules
from xlgbreport.core.gb2021 import REQUESTS
from xlgbreport.core.model import Report
from xlgbreport.core.prior import CARRIED_FROM, CARRIED_TO
from xlgbreport.excel import macros
from xlgbreport.workbook import reader as workbook_reader
from xlgbreport.workbook.layout import LAYOUT

CARRIED = [("requests", CARRIED_TO, c.id) for c in REQUESTS.row(CARRIED_TO).columns if not c.derived]


@pytest.fixture()
def chain(tmp_path: Path) -> tuple[Path, Path]:
    """宿迁市人民政府 2023 and 2024: 二 of 2024 is 四 of 2023, column by column."""
    (tmp_path / "last").mkdir()
    last = new_workbook(EXAMPLES / "suqian_2023.json", tmp_path / "last" / "宿迁2023.xlsx")
    this = new_workbook(EXAMPLES / "suqian_2024.json", tmp_path / "宿迁2024.xlsx")
    return last, this


def cell(book: FakeBook, key) -> object:
    sheet, pos = LAYOUT.cells[key]
    return book.cells[sheet].get(pos)


def test_carry_over_fills_row_two_from_last_years_row_four(chain) -> None:
    last_path, this_path = chain
    book = FakeBook(this_path)
    for key in CARRIED:  # a clerk's fresh workbook: 二 not yet filled
        sheet, pos = LAYOUT.cells[key]
        book.cells[sheet].pop(pos, None)
    before = {s: dict(c) for s, c in book.cells.items()}
    book.set("xlg_prior", str(last_path))
    message = macros.carry_over_prior(book)

    last = workbook_reader.read(last_path)
    assert message == "已从上年工作簿（宿迁市人民政府 2023 年度）结转 6 个单元格到“二、上年结转政府信息公开申请数量”。"
    assert book.app.alerts == [(message, macros.TITLE)]
    assert [cell(book, k) for k in CARRIED] == [last.value(("requests", CARRIED_FROM, k[2]))
                                                 for k in CARRIED]
    assert len(book.written) == len(CARRIED)  # nothing else written: not the total, not others
    changed = {(s, p) for s, c in book.cells.items() for p, v in c.items() if before[s].get(p) != v}
    assert changed == {(LAYOUT.cells[k][0], LAYOUT.cells[k][1]) for k in CARRIED} | {
        (LAYOUT.meta["prior"][0], LAYOUT.meta["prior"][1])}
    this = macros.read_book(book)
    assert not [f for f in rules.check(this, last) if f.rule == "prior.carry_over"]


def test_a_relative_path_or_a_folder_on_the_cover(chain) -> None:
    last_path, this_path = chain
    for named in ("last/宿迁2023.xlsx", str(last_path.parent)):
        book = FakeBook(this_path)
        book.set("xlg_prior", named)
        assert macros.carry_over_prior(book).startswith("已从上年工作簿（宿迁市人民政府 2023 年度）")


def test_nothing_is_written_without_last_year(chain, tmp_path: Path) -> None:
    _, this_path = chain
    book = FakeBook(this_path)
    nothing_named = carry.NO_PRIOR.format(
        why=carry.NO_PRIOR_NAMED.format(field="上年工作簿（路径或文件夹）"))
    assert nothing_named.startswith(errors.NO_PRIOR)
    assert macros.carry_over_prior(book) == nothing_named
    book.set("xlg_prior", str(tmp_path / "不存在.xlsx"))
    message = macros.carry_over_prior(book)
    assert "不存在" in message and book.written == []
    assert [m for m, _ in book.app.alerts] == [nothing_named, message]


def test_a_workbook_of_another_year_is_not_carried(chain) -> None:
    last_path, this_path = chain
    book = FakeBook(last_path)  # the 2023 workbook pointed at itself: not the year before
    book.set("xlg_prior", str(last_path))
    message = macros.carry_over_prior(book)
    assert message == carry.MISMATCH.format(details="上年数据的报告年度应为 2022，实为 2023",
                                            remedy=macros.REMEDY)
    assert book.written == []
    book = FakeBook(this_path)
    book.set("xlg_prior", str(last_path))
    book.set("xlg_org", "淮安市人民政府")
    message = macros.carry_over_prior(book)
    assert message.startswith("上年数据与本工作簿不符，未结转") and "宿迁市人民政府" in message
    assert book.written == []


def test_last_years_blank_is_left_for_the_clerk(tmp_path: Path) -> None:
    new_workbook(Report(org="某镇人民政府", year=2023), tmp_path / "last.xlsx")
    this = new_workbook(Report(org="某镇人民政府", year=2024), tmp_path / "this.xlsx")
    book = FakeBook(this)
    book.set("xlg_prior", "last.xlsx")
    message = macros.carry_over_prior(book)
    assert message == carry.NOTHING.format(row=REQUESTS.row(CARRIED_FROM).label, n=6)
    assert book.written == []  # as the command line: nothing to carry, nothing written


def test_a_workbook_of_another_template_gets_a_message(chain) -> None:
    _, this_path = chain
    book = FakeBook(this_path)
    del book.names["xlg_requests"]
    assert macros.carry_over_prior(book) == macros.NOT_TEMPLATE.format(name="xlg_requests")
    assert macros.generate_report(book) == macros.NOT_TEMPLATE.format(name="xlg_requests")


def test_generate_report_writes_the_draft_beside_the_workbook(chain) -> None:
    _, this_path = chain
    book = FakeBook(this_path)
    message = macros.generate_report(book)
    target = this_path.with_name("宿迁2024_报告.md")
    word = this_path.with_name("宿迁2024_报告.docx")
    assert message == macros.WROTE.format(path=target) + "\n" + macros.WROTE.format(path=word)
    document = docx.Document(word)  # the Word report, with the official tables
    title = document.paragraphs[0].text + document.paragraphs[1].text  # broken after the body's name
    assert title == "宿迁市人民政府2024年政府信息公开工作年度报告"
    assert len(document.tables) == 3 and "3525" in [c.text for c in document.tables[1].rows[3].cells]
    text = target.read_text(encoding="utf-8")
    assert text == narrative.markdown(workbook_reader.read(this_path))  # as from the file
    assert text.startswith("# 宿迁市人民政府2024年政府信息公开工作年度报告")
    assert "本机关新收政府信息公开申请3525件" in text and "较上年" not in text
    assert book.written == [] and [p.name for p in this_path.parent.glob("*.tmp")] == []


def test_generate_report_compares_with_last_year_named_on_the_cover(chain) -> None:
    last_path, this_path = chain
    book = FakeBook(this_path)
    book.set("xlg_prior", str(last_path))
    macros.generate_report(book)
    text = this_path.with_name("宿迁2024_报告.md").read_text(encoding="utf-8")
    assert text == narrative.markdown(workbook_reader.read(this_path), workbook_reader.read(last_path))
    assert "较上年增加14件" in text


def test_generate_report_needs_a_saved_workbook(chain, tmp_path: Path) -> None:
    _, this_path = chain
    for fullname in ("工作簿1", "https://example.org/sites/x/宿迁2024.xlsx"):
        book = FakeBook(this_path, fullname=fullname)
        assert macros.generate_report(book) == macros.NOT_SAVED
    assert sorted(p.name for p in tmp_path.glob("*.md")) == []


def test_the_sample_with_errors_still_gets_a_draft(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    shutil.copy(ROOT / "samples" / "errors_demo_2023.xlsx", path)
    macros.generate_report(FakeBook(path))
    text = path.with_name("demo_报告.md").read_text(encoding="utf-8")
    assert "尚未填写完整" in text and "有 1 处错误" in text


def test_an_unexpected_error_is_one_message_box(chain, monkeypatch, log_folder) -> None:
    _, this_path = chain

    def broken(report, prior=None):
        raise ZeroDivisionError

    monkeypatch.setattr(narrative, "markdown", broken)
    book = FakeBook(this_path)
    log = log_folder / "xlgbreport.log"
    assert macros.generate_report(book) == errors.INTERNAL.format(
        error="ZeroDivisionError", log=f"，详情已记入 {log}")
    assert "_generate failed" in log.read_text(encoding="utf-8")
    assert len(book.app.alerts) == 1


def test_check_lists_the_verdict_and_the_cells(tmp_path: Path) -> None:
    """Button 校验: the command line's findings, text rules included, each with its cell."""
    sample = ROOT / "samples" / "errors_demo_2023.xlsx"
    book = FakeBook(sample)
    message = macros.check_book(book)
    lines = message.split("\n")
    findings = rules.check(workbook_reader.read(sample))
    assert lines[0] == "✘ 5 处错误" and len(lines) == 1 + len(findings)
    assert "依申请公开!F21 （五）不予处理2.重复申请·科研机构为空（没有请填 0）" in lines
    assert book.app.alerts == [(message, macros.TITLE)] and not book.written


def test_check_cuts_a_long_list_short(tmp_path: Path, monkeypatch) -> None:
    book = FakeBook(ROOT / "samples" / "errors_demo_2023.xlsx")
    monkeypatch.setattr(macros, "MAX_SHOWN", 2)
    lines = macros.check_book(book).split("\n")
    assert len(lines) == 4 and lines[-1] == "另有 3 处，见“校验”表。"


def test_a_blank_org_last_year_is_decided_once_for_both_doors(chain, monkeypatch, capsys) -> None:
    """Last year's workbook with 机关名称 left blank: the command and the button give the same
    answer (refused: ``prior.mismatch`` cannot tell it is this body's), from one decision."""
    last_path, this_path = chain
    blank = this_path.parent / "last" / "机关空白2023.xlsx"
    source = json.loads((EXAMPLES / "suqian_2023.json").read_text(encoding="utf-8"))
    source["org"] = None
    data = this_path.parent / "blank.json"
    data.write_text(json.dumps(source, ensure_ascii=False), encoding="utf-8")
    new_workbook(data, blank)
    last_path.unlink()  # the blank one is the only workbook of last year
    original = this_path.read_bytes()

    code, out, err = run_main(monkeypatch, capsys, "carry-forward", "--prior", blank, this_path)
    book = FakeBook(this_path)
    book.set("xlg_prior", str(blank))
    shown = macros.carry_over_prior(book)

    refusal = "上年数据的机关名称应为 宿迁市人民政府，实为 空"
    assert code == 2 and refusal in err and "--skip-checks" in err
    assert this_path.read_bytes() == original and not carry.backup_path(this_path).exists()
    assert refusal in shown and shown == carry.MISMATCH.format(details=refusal, remedy=macros.REMEDY)
    assert book.written == []
    this = workbook_reader.read(this_path)
    last = workbook_reader.read(blank)
    with pytest.raises(errors.InputError) as decided:
        carry.plan(this, last)
    assert decided.value.code == "carry.mismatch" and refusal in decided.value.message
    assert [f.rule for f in rules.check(this, last) if f.rule == "prior.mismatch"]  # validate agrees
    assert carry.plan(this, last, skip_checks=True).numbers  # forced, the command would carry


def test_generate_report_never_replaces_a_revised_draft(chain) -> None:
    _, this_path = chain
    first = macros.generate_report(FakeBook(this_path))
    target = this_path.with_name("宿迁2024_报告.md")
    word = this_path.with_name("宿迁2024_报告.docx")
    assert first == macros.WROTE.format(path=target) + "\n" + macros.WROTE.format(path=word)
    assert macros.generate_report(FakeBook(this_path)) == first  # the same draft: nothing new
    target.write_text("经办人改过的草稿", encoding="utf-8")
    revised = docx.Document(word)
    revised.add_paragraph("经办人加的一段")
    revised.save(word)
    again = macros.generate_report(FakeBook(this_path))
    second = this_path.with_name("宿迁2024_报告（2）.md")
    second_word = this_path.with_name("宿迁2024_报告（2）.docx")
    assert again == (macros.WROTE.format(path=second) + macros.KEPT.format(path=target.name) + "\n"
                     + macros.WROTE.format(path=second_word) + macros.KEPT.format(path=word.name))
    assert "经办人加的一段" in [p.text for p in docx.Document(word).paragraphs]
    assert target.read_text(encoding="utf-8") == "经办人改过的草稿"
    assert second.read_text(encoding="utf-8") == narrative.markdown(workbook_reader.read(this_path))


def test_generate_comparison_writes_the_word_comparison_with_last_year_on_the_cover(chain) -> None:
    last_path, this_path = chain
    book = FakeBook(this_path)
    refused = macros.generate_comparison(book)
    assert "封面“上年工作簿”没有填写" in refused and not list(this_path.parent.glob("*对比*"))
    book.set("xlg_prior", str(last_path))
    message = macros.generate_comparison(book)
    (word,) = this_path.parent.glob("*_对比.docx")
    assert message == macros.WROTE.format(path=word)
    document = docx.Document(word)
    title = "".join(p.text for p in document.paragraphs[:2])  # on two lines, broken after 2024年
    assert title == "宿迁市人民政府2023年与2024年政府信息公开工作年度报告对比"
    assert "3511" in [c.text for t in document.tables for c in t.rows[1].cells]  # 新收申请, 2023
    assert book.written == []
