"""The one Markdown escaper (``core.shown``): a clerk's text is never a link, an image, a heading,
a list, a table cell, code or HTML, in the draft and in the rendered report alike."""

from __future__ import annotations

import re

import pytest
from xl_helpers import EXAMPLES

from xlgbreport import rendering
from xlgbreport.core import narrative, shown
from xlgbreport.files import interchange

HOSTILE = {
    "[x](javascript:alert(1))": "\\[x\\](javascript:alert(1))",
    "![i](http://evil.example/i.png)": "\\!\\[i\\](http\\://evil.example/i.png)",
    "<img src=x onerror=alert(1)>": "&lt;img src=x onerror=alert(1)&gt;",
    "a | b": "a \\| b",
    "`code` and ```fence```": "\\`code\\` and \\`\\`\\`fence\\`\\`\\`",
    "*em* _em_ ~~del~~ \\": "\\*em\\* \\_em\\_ \\~\\~del\\~\\~ \\\\",
    "see www.evil.example & <b>": "see www\\.evil.example &amp; &lt;b&gt;",
    "<https://evil.example>": "&lt;https\\://evil.example&gt;",
}


def live_markup(text: str) -> list[str]:
    """What a Markdown reader would obey in ``text``: an unescaped link or image opener, a bare
    URL, an HTML tag, a code span, a table separator."""
    unescaped = re.sub(r"\\.", "", text)  # drop every escaped character
    return re.findall(r"\[|\]\(|://|www\.|<|>|`|\|", unescaped)


@pytest.mark.parametrize("text", list(HOSTILE))
def test_hostile_inline_text_is_shown_not_obeyed(text: str) -> None:
    for escape in (shown.markdown, shown.markdown_line, shown.markdown_cell):
        assert escape(text) == HOSTILE[text], escape.__name__
        assert live_markup(escape(text)) == []


def test_a_line_start_is_no_heading_list_or_quote() -> None:
    text = "# 标题\n  ## 二级\n- 项\n+ 项\n1. 项\n2) 项\n> 引用\n===\n正文 # 不是标题"
    assert shown.markdown(text).splitlines() == [
        "\\# 标题", "  \\## 二级", "\\- 项", "\\+ 项", "1\\. 项", "2\\) 项", "\\&gt; 引用", "\\===",
        "正文 # 不是标题"]


def test_a_heading_or_a_cell_stays_one_line() -> None:
    assert shown.markdown_line("某镇\r\n# 假标题") == "某镇 # 假标题"  # mid-line: no heading
    assert shown.markdown_cell("1.重复申请\n| 伪造 | 行 |") == "1.重复申请 \\| 伪造 \\| 行 \\|"
    assert shown.markdown_cell("-3") == "-3"  # a cell starts no block: numbers stay as written


def test_controls_are_shown_as_escapes() -> None:
    assert shown.markdown("a\x1b[2Jb\u202e") == "a\\\\x1b\\[2Jb\\\\u202e"
    assert shown.markdown_cell("a\x1b") == "a\\\\x1b"


def test_the_draft_and_the_rendered_report_escape_alike() -> None:
    """One escaper for both: each hostile line comes out the same in the draft and in the
    report, and neither has a live link, image, heading or tag from the clerk."""
    report = interchange.load(EXAMPLES / "suqian_2024.json")
    hostile = "\n".join(HOSTILE) + "\n# 假标题"
    report.text["overview"] = hostile
    report.org = "某镇\n# 假标题 [x](http://evil.example)"
    draft = narrative.markdown(report)
    rendered = rendering.render(report, "md").decode("utf-8")
    for md in (draft, rendered):
        lines = md.splitlines()
        assert all(shown.markdown(line) in lines for line in hostile.splitlines())
        assert lines[0].startswith("# 某镇") and "\\[x\\](http\\://evil.example)" in lines[0]
        assert [line for line in lines if line.startswith("# ")] == [lines[0]]
        assert "](" not in md.replace("\\](", "") and "<" not in md and "http://" not in md
