"""Run-together text (issue 17): table 二's runs cut only with last year's report, where 现行有效
continues from it; bad input (a 100,000-digit run, 10 MB run together) one Chinese line, the
batch going on."""

from __future__ import annotations

import json
import time
from pathlib import Path

import published_runtogether
import pytest
from published_docs import known
from xl_helpers import run_main

import xlgbreport
from xlgbreport.core.tables import TableId
from xlgbreport.errors import InputError
from xlgbreport.importer import run
from xlgbreport.importer.document import Document, Line
from xlgbreport.importer.parse import parse

IN_FORCE = ("issued", "repealed", "in_force")


def _row(report, row: str) -> list:
    return [report.cells.get((TableId.PROACTIVE, row, c)) for c in IN_FORCE]


def test_table_two_runs_stay_blank_unless_last_year_leaves_one_reading(tmp_path):
    """宿迁 2024 run together: 「50227420」 is 50 | 227 | 420 only with 2023's 597 in force
    (597 + 50 − 227); 「2112」 fits 2 | 1 | 12 and 2 | 11 | 2 with 2023's 11: blank either way."""
    last, now = known("suqian_2023").report, known("suqian_2024").report
    path = published_runtogether.write(now, "glued", tmp_path, "suqian_2024")
    (alone,) = run.read_published(path)
    assert _row(alone.report, "normative_documents") == [None] * 3
    assert any("50227420" in n.message and "--prior" in n.message for n in alone.notes)  # said why
    (one,) = xlgbreport.read_published(path, last)
    assert _row(one.report, "normative_documents") == [50, 227, 420]
    assert _row(one.report, "regulations") == [None] * 3
    [told] = [d for d in one.deduced if d.keys[0][1] == "normative_documents"]
    assert told.rules == ("prior.in_force",) and "prior.in_force" in told.message
    assert any("2112" in n.message and n.rule == "import.ambiguous" for n in one.notes)


def test_import_prior_on_the_command_line(tmp_path, monkeypatch, capsys):
    last = known("suqian_2023")
    path = published_runtogether.write(known("suqian_2024").report, "glued", tmp_path, "suqian_2024")
    code, out, _ = run_main(monkeypatch, capsys, "import", path, "--prior", last.json_path, "--format", "json")
    assert code == 1
    assert "50 | 227 | 420（唯一满足 prior.in_force）" in json.dumps(json.loads(out), ensure_ascii=False)
    code, out, err = run_main(monkeypatch, capsys, "import", path, "--prior", tmp_path / "无.json")
    assert code == 2 and "无.json" in out + err


def test_a_hundred_thousand_digit_run_is_one_line(tmp_path):
    glued = published_runtogether.text_of(known("suqian_2023").report, "glued")
    path = tmp_path / "数字.txt"
    path.write_text(glued[:2000] + "1" * 100_000 + glued[2000:], encoding="utf-8")
    with pytest.raises(InputError) as raised:
        run.read_published(path)
    assert raised.value.code == "import.digits_too_long" and "\n" not in str(raised.value)


@pytest.mark.slow
def test_ten_megabytes_run_together_is_one_line_or_read_and_the_batch_goes_on(tmp_path):
    """10 MB of run-together reports (in lines under the line bound, and on one line): each is
    imported with no wrong cell or gives one line (refused, or out of time), and the report
    beside them is imported whole."""
    report = known("suqian_2023").report
    glued = published_runtogether.text_of(report, "glued")
    copies = 10 * 1024 * 1024 // 3 // len(glued) + 1
    per_line = 900_000 // len(glued)
    (tmp_path / "连写.txt").write_text("\n".join([glued * per_line] * (copies // per_line + 1)), encoding="utf-8")
    (tmp_path / "一行.txt").write_text(glued.replace("\n", "") * copies, encoding="utf-8")
    published_runtogether.write(report, "pipes", tmp_path, "好")
    started = time.monotonic()
    batch = run.run([tmp_path], None)
    assert time.monotonic() - started < 90
    by_name = {Path(f.path).name: f for f in batch.files}
    assert by_name["好_pipes.txt"].error_code is None
    for name in ("连写.txt", "一行.txt"):
        result = by_name[name]
        if result.error_code is not None:
            assert result.error_message.startswith(f"{name}：") and "\n" not in result.error_message


def test_a_page_s_empty_cells_are_blank_cells_but_not_past_the_row_s_width():
    """In a web page every cell is real: 「31 | 4 | | 」 under a four-column header leaves two cells
    blank (never 0); empty cells past a row's width (a page's grid) are layout. A text file copied
    from the page reads the row's empty cells after its values so too."""
    rows = [["某镇人民政府2022年政府信息公开工作年度报告"], ["一、总体情况"], ["本年度依法公开。"],
            ["二、主动公开政府信息情况"], ["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "31", "", ""], ["行政规范性文件", "", "4", ""], ["第二十条第（五）项"],
            ["信息内容", "本年处理决定数量", "", ""], ["行政许可", "5", "", ""]]
    page = Document("a.html", "html", tuple(Line(i + 1, tuple(c)) for i, c in enumerate(rows)))
    (one,) = parse(page)
    assert _row(one.report, "regulations") == [31, None, None]
    assert _row(one.report, "normative_documents") == [None, 4, None]
    assert one.report.cells[(TableId.PROACTIVE, "licensing", "decisions")] == 5
    (as_text,) = parse(Document("a.txt", "txt", page.lines))  # a browser's copy of the page: the same
    assert _row(as_text.report, "regulations") == [31, None, None]  # cells, up to the row's width
    assert as_text.report.cells[(TableId.PROACTIVE, "licensing", "decisions")] == 5
