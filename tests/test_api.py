"""The front door: ``import xlgbreport`` and read, check, validate and write with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import xlgbreport

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def test_read_check_write_round_trip(tmp_path: Path) -> None:
    report = xlgbreport.read(SAMPLES / "biaokouzhen_2022.xlsx")
    assert isinstance(report, xlgbreport.Report) and report.format is xlgbreport.GB2021
    assert [f.rule for f in xlgbreport.check(report)] == ["text.missing"]  # 六 is only 无。
    out = xlgbreport.write(report, tmp_path / "俵口镇.json")
    again = xlgbreport.read(out)
    assert again.computed().values == report.computed().values
    assert (again.org, again.year, again.text) == (report.org, report.year, report.text)
    book = xlgbreport.write(again, tmp_path / "俵口镇.xlsx")
    assert xlgbreport.check(xlgbreport.read(book)) == xlgbreport.check(report)
    with pytest.raises(xlgbreport.OutputError) as refused:
        xlgbreport.write(again, book)
    assert refused.value.code == "output.exists"


def test_validate_reports_each_file(tmp_path: Path) -> None:
    results = list(xlgbreport.validate([SAMPLES]))
    by_name = {Path(r.path).name: r for r in results}
    assert not by_name["errors_demo_2023.xlsx"].valid
    bad = by_name["errors_demo_2023.xlsx"].findings
    assert all(isinstance(f, xlgbreport.Finding) for f in bad)
    assert {f.severity for f in bad} == {xlgbreport.Severity.ERROR}
    assert by_name["biaokouzhen_2022.xlsx"].valid


def test_the_front_door_loads_lazily() -> None:
    """Importing the package loads no reader: the Excel functions import without them."""
    code = ("import sys, xlgbreport; assert 'xlgbreport.workbook.reader' not in sys.modules;"
            "xlgbreport.read; assert 'xlgbreport.workbook.reader' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert set(xlgbreport.__all__) <= set(dir(xlgbreport))
    with pytest.raises(AttributeError):
        xlgbreport.no_such_thing  # noqa: B018
