"""Names across years (issue 17, item 8): the org kept as written, ``import --org`` to set it,
and one comparison (core/prior.py) for last year's report, carry-forward and consolidation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xl_helpers import EXAMPLES, run

from xlgbreport.actions import prior_source
from xlgbreport.core import prior, rules
from xlgbreport.core.model import Report
from xlgbreport.errors import InputError
from xlgbreport.files import interchange
from xlgbreport.workbook import writer as workbook_writer

SEED_002 = Path(__file__).parent / "data" / "published" / "002_4f580d778f793ab4.txt"


@pytest.mark.parametrize(("a", "b"), [
    ("某某区人民政府", "某市某某区人民政府"),
    ("俵口镇", "俵口镇人民政府"),
    ("金乡县胡集镇人民政府", "胡集镇政府"),
    ("宿迁市 人民政府", "宿迁市人民政府"),
    ("ＡＢ镇人民政府", "AB镇"),
    ("济宁市金乡县人民政府", "金乡县人民政府"),
])
def test_one_body_written_two_ways(a, b):
    assert prior.same_body(a, b) and prior.same_body(b, a)
    assert prior.org_key(a) == prior.org_key(b)


@pytest.mark.parametrize(("a", "b"), [
    ("宿迁市人民政府", "宿迁县人民政府"),
    ("甲市某某区人民政府", "乙市某某区人民政府"),
    ("金乡县人民政府", "金乡县胡集镇人民政府"),
    ("新市镇人民政府", "老市镇人民政府"),
    ("人民政府", "政府"),
    ("", "胡集镇"),
])
def test_two_bodies_stay_two(a, b):
    assert not prior.same_body(a, b)


def test_a_new_town_keeps_its_name():
    """「新市」 is the town's name, not a parent city: too short to be one."""
    assert prior.org_key("新市镇人民政府") == "新市镇"


def _pair(this_org: str, last_org: str) -> tuple[Report, Report]:
    this = interchange.load(EXAMPLES / "suqian_2024.json")
    last = interchange.load(EXAMPLES / "suqian_2023.json")
    this.org, last.org = this_org, last_org
    return this, last


def test_validate_accepts_a_renamed_body_with_a_note_naming_both():
    this, last = _pair("某某区人民政府", "某市某某区人民政府")
    found = [f for f in rules.check(this, last) if f.rule.startswith("prior.")]
    assert "prior.mismatch" not in {f.rule for f in found}
    note = next(f for f in found if f.rule == "prior.renamed")
    assert "某市某某区人民政府" in note.message and "某某区人民政府" in note.message
    this, last = _pair("某某区人民政府", "某某区人民政府")
    assert not [f for f in rules.check(this, last) if f.rule == "prior.renamed"]
    this, last = _pair("甲镇人民政府", "乙镇人民政府")
    assert "prior.mismatch" in {f.rule for f in rules.check(this, last)}


def _folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "last"
    folder.mkdir()
    for i, name in enumerate(names):
        last = interchange.load(EXAMPLES / "suqian_2023.json")
        last.org = name
        workbook_writer.write(folder / f"{i}.xlsx", last)
    return folder


def test_a_folder_match_by_normalisation_is_noted_with_both_forms(tmp_path):
    folder = _folder(tmp_path, "江苏省宿迁市人民政府")
    this, _ = _pair("宿迁市", "")
    notes: list[str] = []
    found = prior_source.resolve(this, None, folder, notes)
    assert found is not None and found.org == "江苏省宿迁市人民政府"
    assert any("江苏省宿迁市人民政府" in n and "宿迁市" in n and "同一机关" in n for n in notes)


def test_two_candidates_that_normalise_alike_are_an_error_naming_both(tmp_path):
    folder = _folder(tmp_path, "宿迁市人民政府", "江苏省宿迁市")
    this, _ = _pair("宿迁市人民政府", "")
    with pytest.raises(InputError) as caught:
        prior_source.find_in_folder(folder, this, None, [])
    assert caught.value.code == "prior.ambiguous"
    assert "0.xlsx" in caught.value.message and "1.xlsx" in caught.value.message


def test_carry_forward_accepts_a_renamed_body_and_says_both_forms(tmp_path):
    this, last = _pair("宿迁市人民政府", "江苏省宿迁市")
    workbook, prior_file = tmp_path / "this.xlsx", tmp_path / "last.json"
    workbook_writer.write(workbook, this)
    prior_file.write_text(interchange.dumps(last), encoding="utf-8")
    code, output = run("carry-forward", workbook, "--prior", prior_file)
    assert code == 0, output
    assert "江苏省宿迁市" in output and "按同一机关使用" in output


def test_import_org_sets_the_name_and_says_the_titles(tmp_path):
    out = tmp_path / "俵口.json"
    code, output = run("import", SEED_002, "-o", out, "--org", "天津市北辰区俵口镇人民政府")
    assert code in (0, 1)
    assert json.loads(out.read_text(encoding="utf-8"))["org"] == "天津市北辰区俵口镇人民政府"
    first = output.splitlines()[0]
    assert "天津市北辰区俵口镇人民政府" in first and "标题写作 俵口镇" in first
    code, output = run("import", SEED_002)
    assert output.splitlines()[0].startswith(SEED_002.name + "：俵口镇 2022")
