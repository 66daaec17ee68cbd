"""What counts as prose carried over (core/similarity.py): real examples' texts and edits of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlgbreport.core import similarity

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"


def texts(name: str) -> dict[str, str]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))["text"]


def test_sentences_cut_after_each_end_and_keep_the_tail() -> None:
    assert similarity.sentences("一是公开。二是解读！\n三是回应；四是") == ["一是公开。", "二是解读！", "三是回应；", "四是"]
    assert similarity.sentences(None) == [] and similarity.sentences(" \n ") == []


def test_years_numbers_names_and_punctuation_do_not_make_sentences_differ() -> None:
    names = similarity.name_forms(["胡集镇人民政府", "金乡县人民政府"])
    a = similarity.normalise("2023年，胡集镇共受理政府信息公开申请12件。", names)
    b = similarity.normalise("2024 年度 金乡县共受理政府信息公开申请 31 件", names)
    assert a == b and "#" in a and "@" in a


def test_a_text_against_itself_is_all_carried_and_against_another_city_little() -> None:
    suqian, huaian = texts("suqian_2024.json"), texts("huaian_szf_2024.json")
    same = similarity.carried(suqian["overview"], suqian["overview"])
    assert same.share == 1.0 and same.carried == same.sentences > 3
    other = similarity.carried(suqian["overview"], huaian["overview"], names=["宿迁市", "淮安市"])
    assert other.share < 0.2


def test_last_year_with_new_numbers_and_one_edited_sentence_is_found() -> None:
    last = texts("suqian_2023.json")["overview"]
    parts = similarity.sentences(last)
    edited = [p.replace("2023", "2024") for p in parts]
    edited[0] = edited[0][:-2] + "（有改动）" + edited[0][-2:] if len(edited[0]) > 40 else edited[0]
    found = similarity.carried("".join(edited), last)
    assert found.share > 0.95
    assert all(m.score >= similarity.NEAR for m in found.matches)


def test_the_two_years_of_one_city_share_less_than_a_copy() -> None:
    """The examples' own distinct texts are no false alarm: suqian 2024 did not copy 2023."""
    this, last = texts("suqian_2024.json"), texts("suqian_2023.json")
    assert similarity.carried(this["overview"], last["overview"]).share < 0.5


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.text(alphabet="公开申请受理答复解读政策。，；0123456789年 \n", max_size=300))
def test_share_is_a_fraction_and_each_match_is_a_sentence_of_this(text: str) -> None:
    result = similarity.carried(text, text[::-1])
    assert 0.0 <= result.share <= 1.0
    assert {m.sentence for m in result.matches} <= set(similarity.sentences(text))


@pytest.mark.parametrize("size", [200_000])
def test_a_long_run_without_sentence_ends_is_one_sentence_quickly(size: int) -> None:
    result = similarity.carried("公" * size, "开" * size)
    assert result.sentences == 1 and result.share == 0.0
