"""Titles, metadata, headings and comparison documents as real reports word them (issue 17,
items 3, 4 and 5): the variants are data (importer/variants.py), each seen where it says."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from published_layouts import lines_of
from xl_helpers import EXAMPLES, run

from xlgbreport.core.formats import GB2021
from xlgbreport.files import interchange
from xlgbreport.importer import readers, variants
from xlgbreport.importer.document import Document, Line
from xlgbreport.importer.parse import parse

SHARED = Path("/work/shared")
PUBLISHED = Path(__file__).parent / "data" / "published"


def _report():
    return interchange.load(EXAMPLES / "huaian_szf_2024.json")


def _doc(head: list[list[str]], lines: list[list[str]] | None = None, titles: tuple[str, ...] = ()) -> Document:
    body = (lines or lines_of(_report(), "rows"))[1:]  # without its title line
    rows = head + body
    return Document("made.txt", "txt", tuple(Line(i + 1, tuple(c)) for i, c in enumerate(rows)), titles)


def _named(head: list[list[str]], titles: tuple[str, ...] = ()) -> tuple[str | None, int | None]:
    (one,) = parse(_doc(head, titles=titles))
    return one.report.org, one.report.year


@pytest.mark.parametrize(("title", "org", "year"), [
    ("某某镇政府2022年信息公开工作年度报告", "某某镇政府", 2022),
    ("某某县2022年度政府信息公开工作报告", "某某县", 2022),
    ("2022年度某某县人民政府政府信息公开工作报告", "某某县人民政府", 2022),
    ("某某区人民政府 2023 年政府信息公开工作年度报告", "某某区人民政府", 2023),
])
def test_title_variants_name_the_org_and_year(title, org, year):
    assert _named([[title]]) == (org, year)


def test_a_crawler_dump_is_named_by_its_metadata_never_by_a_path():
    head = [["标题: 某某镇2022年度政府信息公开工作年度报告"], ["发布机构: 某某镇人民政府"],
            ["发布时间: 2023-01-20"], ["本地目录: zwgk/zfxxgk/51234_某某2022年度政府信息公开工作年度报告.html"],
            ["https://www.example.gov.cn/zwgk/51234_某某2022年政府信息公开工作年度报告.html"]]
    assert _named(head) == ("某某镇", 2022)
    assert _named(head[1:]) == ("某某镇人民政府", None)  # no title: the publisher is the org
    assert _named(head[2:]) == (None, None)  # a path or an address names no body


def test_a_title_line_wins_over_metadata():
    head = [["标题: 别的镇2021年政府信息公开工作年度报告"], ["某某镇人民政府2022年政府信息公开工作年度报告"]]
    assert _named(head) == ("某某镇人民政府", 2022)


def test_a_metadata_title_ends_at_its_subject():
    head = [["标题: 淮安市人民政府2024年政府信息公开工作年度报告（2021格式）。原发布单位：淮安市人民政府办公室"]]
    assert _named(head) == ("淮安市人民政府", 2024)


def test_a_page_names_itself_by_its_title_and_meta(tmp_path):
    body = "".join(f"<p>{''.join(c)}</p>" for c in lines_of(_report(), "spaced")[1:])
    page = tmp_path / "page.html"
    page.write_text('<html><head><meta name="ArticleTitle" content="某某街道2023年度政府信息公开工作年度报告">'
                    "<title>某某街道 - 某某区人民政府网</title></head><body>" + body + "</body></html>",
                    encoding="utf-8")
    document = readers.read(page)
    assert document.titles[0] == "某某街道2023年度政府信息公开工作年度报告"
    (one,) = parse(document)
    assert (one.report.org, one.report.year) == ("某某街道", 2023)
    page.write_text("<html><head><title>某某街道2023年政府信息公开工作年度报告_某某网</title></head><body>"
                    + body + "</body></html>", encoding="utf-8")
    (one,) = parse(readers.read(page))
    assert (one.report.org, one.report.year) == ("某某街道", 2023)


@pytest.mark.parametrize("prose", ["按照《某某规划（2021-2035年）》", "2019-2020年度连续获评", "2023年与2024年相比"])
def test_a_year_range_in_prose_is_no_comparison(prose):
    head = [["某某镇人民政府2022年政府信息公开工作年度报告"], [prose]]
    (one,) = parse(_doc(head))
    assert one.report.year == 2022 and "import.compared" not in {n.rule for n in one.notes}
    assert one.report.cells[("requests", "1", "total")] == 3119


def test_two_sets_of_tables_with_two_years_are_a_comparison():
    this = lines_of(_report(), "rows")
    start = next(i for i, c in enumerate(this) if c[0] == GB2021.schema.table("proactive").title)
    end = next(i for i, c in enumerate(this) if c[0] == GB2021.schema.text[1].label)
    titles = [[t.title] for t in GB2021.schema.tables]
    cuts = [i for i in range(start, end) if this[i] in titles] + [end]
    tables = [row for a, b in itertools.pairwise(cuts) for row in [this[a], *this[a + 1:b], *this[a + 1:b]]]
    twice = [this[0], ["年份 : 2023 vs 2024"], *this[1:start], *tables, *this[end:]]
    got = parse(Document("made.txt", "txt", tuple(Line(i + 1, tuple(c)) for i, c in enumerate(twice))))
    assert [g.report.year for g in got] == [2023, 2024]


@pytest.mark.parametrize("heading", ["五、政府信息公开工作存在的主要问题及改进情况",
                                     "（五）存在的主要问题及改进情况", "五.存在的主要问题及改进情况"])
def test_heading_variants_find_their_section(heading):
    lines = lines_of(_report(), "rows")
    field = GB2021.schema.text[1]
    lines = [[heading] if c == [field.label] else c for c in lines]
    (one,) = parse(_doc([lines[0]], lines))
    assert one.report.text[field.id]
    assert not [n for n in one.notes if n.rule == "import.text_missing"]


def test_a_sentence_starting_with_the_heading_words_is_no_heading():
    lines = lines_of(_report(), "rows")
    field = GB2021.schema.text[1]
    sentence = "五、政府信息公开工作存在的主要问题及改进情况" + "，本年度我们认真梳理了各项工作中存在的不足并逐一整改落实到位。"
    lines = [[sentence] if c == [field.label] else c for c in lines]
    (one,) = parse(_doc([lines[0]], lines))
    assert "import.text_missing" in {n.rule for n in one.notes}


def test_every_variant_said_to_be_seen_in_a_file_is_there():
    cited = [(text, where) for text, where in (*variants.TITLE_SUBJECTS, *variants.HEADING_PREFIXES)]
    files = [(text, where) for text, where in cited if not where.startswith("issue")]
    assert files
    for text, where in files:
        source = SHARED / where
        if not source.exists():
            source = PUBLISHED / Path(where).name
        assert text in source.read_text(encoding="utf-8").replace(" ", ""), where
    for _, where in cited:
        assert where.startswith(("issue 17", "seeds/", "reports/", "examples/")), where


def test_a_title_of_5000_characters_is_one_line_and_the_batch_goes_on(tmp_path):
    long = tmp_path / "长标题.txt"
    rows = lines_of(_report(), "rows")
    rows[0] = ["某" * 5000 + "2022年政府信息公开工作年度报告"]
    long.write_text("\n".join("\t".join(r) for r in rows), encoding="utf-8")
    code, output = run("import", long, PUBLISHED / "000_55d5c156145a1778.txt")
    first = output.splitlines()[0]
    assert first.startswith("长标题.txt：（未识别机关）")  # no 5,000-character org
    assert len(first) < 300 and "Traceback" not in output
    assert output.splitlines()[-1].startswith("导入 2 个文件：2 份报告")
