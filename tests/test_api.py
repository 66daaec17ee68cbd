"""The front door: ``import xlgbreport`` and every action through it, on real files; each
result's shape and ``to_dict()``; the command line's exit-code table."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import xlgbreport
from xlgbreport.cli import cli, exits

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE = SAMPLES / "biaokouzhen_2022.xlsx"
FILE_KEYS = {"path", "org", "year", "valid", "findings"}


def test_read_check_write_round_trip(tmp_path: Path) -> None:
    report = xlgbreport.read(SAMPLE)
    assert isinstance(report, xlgbreport.Report) and report.format is xlgbreport.GB2021
    found = xlgbreport.check(report)
    assert isinstance(found, list) and [f.rule for f in found] == ["text.missing"]  # 六 is only 无。
    out = xlgbreport.write(report, tmp_path / "俵口镇.json")
    again = xlgbreport.read(out)
    assert again.computed().values == report.computed().values
    assert (again.org, again.year, again.text) == (report.org, report.year, report.text)
    book = xlgbreport.write(again, tmp_path / "俵口镇.xlsx")
    assert xlgbreport.check(xlgbreport.read(book)) == xlgbreport.check(report)
    with pytest.raises(xlgbreport.OutputError) as refused:
        xlgbreport.write(again, book)
    assert refused.value.code == "output.exists"


def test_write_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(xlgbreport.OutputError) as refused:
        xlgbreport.write(xlgbreport.read(SAMPLE), tmp_path / "x.csv")
    assert refused.value.code == "output.suffix" and not (tmp_path / "x.csv").exists()


def test_a_missing_file_raises_with_a_code(tmp_path: Path) -> None:
    with pytest.raises(xlgbreport.XlgbreportError) as missing:
        xlgbreport.read(tmp_path / "missing.xlsx")
    assert missing.value.code and missing.value.message.startswith("missing.xlsx")


def test_validate_is_a_batch_and_iter_validate_an_iterator(tmp_path: Path) -> None:
    batch = xlgbreport.validate([SAMPLES])
    assert isinstance(batch, xlgbreport.Batch) and isinstance(batch.files, list)
    by_name = {Path(r.path).name: r for r in batch.files}
    bad = by_name["errors_demo_2023.xlsx"]
    assert not bad.valid and {f.severity for f in bad.findings} == {xlgbreport.Severity.ERROR}
    assert isinstance(bad.findings, tuple) and by_name["biaokouzhen_2022.xlsx"].valid
    lazy = xlgbreport.iter_validate([SAMPLES])
    assert iter(lazy) is lazy and [r.path for r in lazy] == [r.path for r in batch.files]
    (tmp_path / "坏.xlsx").write_bytes(b"not a workbook")
    (broken,) = xlgbreport.validate([tmp_path]).files
    assert broken.error_code and broken.error_message.startswith("坏.xlsx") and not broken.valid
    doc = broken.to_dict()
    assert FILE_KEYS <= set(doc) and doc["error"] == broken.error_message
    assert doc["error_code"] == broken.error_code
    whole = batch.to_dict()
    assert [f["path"] for f in whole["files"]] == [r.path for r in batch.files] and whole["headline"]
    with pytest.raises(AttributeError):  # frozen
        broken.valid = True  # type: ignore[misc]


def test_every_action_through_the_front_door(tmp_path: Path) -> None:
    """Write, roll over, carry forward, consolidate three, render one to Markdown and import it."""
    report = xlgbreport.read(SAMPLE)
    towns = tmp_path / "乡镇"
    towns.mkdir()
    for name in ("甲镇", "乙镇", "丙镇"):
        report.org = f"{name}人民政府"
        xlgbreport.write(report, towns / f"{name}.xlsx")

    rolled = xlgbreport.rollover(towns / "甲镇.xlsx", tmp_path / "甲镇2023.xlsx")
    assert isinstance(rolled, xlgbreport.FileResult) and rolled.valid
    assert rolled.report.year == report.year + 1 and Path(rolled.output).exists()
    carried = xlgbreport.carry_forward(tmp_path / "甲镇2023.xlsx", towns / "甲镇.xlsx")
    assert carried.extra["backup"] is None and carried.notes  # rollover filled 二 already
    assert carried.to_dict()["output"] == str(tmp_path / "甲镇2023.xlsx")

    summed = xlgbreport.consolidate([towns], tmp_path / "县.xlsx", org="某县人民政府")
    assert [f.valid for f in summed.files] == [True] * 3 and summed.headline
    doc = summed.to_dict()
    # summed (valid), their warnings not explained
    assert {f["status"] for f in doc["files"]} == {"有提示未说明"} and FILE_KEYS <= set(doc["files"][0])
    assert doc["totals"]["org"] == "某县人民政府" and "indicators" in doc
    json.dumps(doc)  # plain JSON all through

    rendered = xlgbreport.render([towns / "甲镇.xlsx"], "md", output=tmp_path)
    (one,) = rendered.files
    assert one.output is not None and Path(one.output).read_text(encoding="utf-8")
    assert json.loads(json.dumps(rendered.to_dict()))["files"][0]["output"] == one.output

    back = xlgbreport.import_reports([one.output], tmp_path / "回读.json")
    (imported,) = back.files
    assert imported.error_code is None and Path(imported.output).exists()
    assert imported.report.org == "甲镇人民政府" and imported.extra["format"] == "gb2021"
    assert back.headline and json.dumps(back.to_dict())


def test_every_front_door_name_has_a_docstring_and_none_is_shadowed() -> None:
    for name in xlgbreport.__all__:
        value = getattr(xlgbreport, name)
        assert inspect.getdoc(value), name
    for name in ("read", "check", "validate", "iter_validate", "write", "rollover", "carry_forward",
                 "consolidate", "render", "import_reports", "read_published", "frame"):
        assert inspect.isfunction(getattr(xlgbreport, name)), name


def test_the_front_door_loads_lazily() -> None:
    """Importing the package loads no reader: the Excel functions import without them."""
    code = ("import sys, xlgbreport; assert 'xlgbreport.workbook.reader' not in sys.modules;"
            "xlgbreport.read; assert 'xlgbreport.workbook.reader' in sys.modules;"
            "print(xlgbreport.rollover, xlgbreport.carry_forward, xlgbreport.consolidate, xlgbreport.render,"
            " xlgbreport.frame, xlgbreport.import_reports)")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.count("<function ") == 6
    assert set(xlgbreport.__all__) <= set(dir(xlgbreport))
    with pytest.raises(AttributeError):
        xlgbreport.no_such_thing  # noqa: B018


def _batch(*files: xlgbreport.FileResult) -> xlgbreport.Batch:
    return xlgbreport.Batch(list(files))


def test_the_exit_code_table() -> None:
    ok = xlgbreport.FileResult("a.xlsx", valid=True)
    bad = xlgbreport.FileResult("b.xlsx", valid=False)
    unread = xlgbreport.FileResult.failed("c.xlsx", code="file.corrupt", message="c.xlsx：已损坏")
    prior = xlgbreport.FileResult("d.xlsx", valid=True, extra={"prior_error": "上年数据有两份"})
    assert exits.code_for(_batch(ok)) == 0
    assert exits.code_for(_batch(ok, bad)) == 1
    assert exits.code_for(_batch(ok, bad, unread)) == 2 == exits.code_for(_batch(prior))
    assert exits.code_for(_batch(ok, bad), invalid_counts=False) == 0  # render: written with errors
    assert set(exits.EXIT_CODES) == set(exits.MEANINGS)
    help_text = CliRunner().invoke(cli, ["--help"]).output
    for code in set(exits.EXIT_CODES.values()):
        assert f"{code} " in exits.HELP
    assert "退出码" in help_text and "130" in help_text


def test_new_refuses_a_year_or_suffix_and_template_writes_here(tmp_path: Path, monkeypatch) -> None:
    for kwargs, code in (({"year": 25}, "workbook.year"), ({"year": 2100}, "workbook.year")):
        with pytest.raises(xlgbreport.XlgbreportError) as refused:
            xlgbreport.api.new(tmp_path / "a.xlsx", org="镇", **kwargs)
        assert refused.value.code == code
    with pytest.raises(xlgbreport.OutputError) as refused:
        xlgbreport.api.new(tmp_path / "a.xls", org="镇", year=2024)
    assert refused.value.code == "output.suffix" and not list(tmp_path.iterdir())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["template"])
    assert result.exit_code == 0 and (tmp_path / "xlgbreport-template.xlsx").exists()
    assert str(tmp_path) in result.output
