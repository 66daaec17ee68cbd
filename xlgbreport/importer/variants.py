"""How real reports word their title and headings, as data: every variant the importer accepts
is listed here once, with a report it was seen in (tests check each is there), so that a new
variant is one line added, never a pattern rewritten.

The format's own words (the six headings, the table labels) come from the format
(:mod:`xlgbreport.core.gb2021`); these are only the ways published reports depart from them.
"""

from __future__ import annotations

#: What a report's title calls it after the org and the year, longest first, each with where it
#: was seen (a file under /work/shared, or the issue that reported it). A title may be cut over
#: lines anywhere (seeds 000, 002, 004 and reports/huaian_szf_2024.txt are): lines are joined.
TITLE_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("政府信息公开工作年度报告", "seeds/001_f343fc82610760f0.txt"),
    ("政府信息公开工作报告", "issue 17: 「…年度政府信息公开工作报告」"),
    ("信息公开工作年度报告", "issue 17: 「某某镇政府2022年信息公开工作年度报告」"),
    ("政务公开工作年度报告", "issue 17, held out: 「…局2023年政务公开工作年度报告」"),
    ("政府信息公开年度报告", "issue 17, held out: 「…局2023年度政府信息公开年度报告」"),
)
#: A subject the year stands inside: 「…局政府信息公开工作2023年度报告」 (before, after the year).
YEAR_INSIDE: tuple[tuple[str, str], ...] = (("政府信息公开工作", "报告"),)
#: Words a title is wrapped in, around org, year and subject: 「关于…2023年度…报告的公示」, and
#: 「…局关于2023年度…」 (关于 between the org and the year: never part of the org).
TITLE_OPENERS: tuple[str, ...] = ("关于",)
TITLE_CLOSERS: tuple[str, ...] = ("的公示", "的公告", "的通知")
#: How the year stands before the subject: 「2022年」, 「2022年度」, 「2022 年」 (folded: no space).
YEAR_WORDS: tuple[str, ...] = ("年度", "年")
#: A comparison document's title (two years' reports side by side).
COMPARED_SUBJECT = "政务公开年报比对"

#: A crawler's or a page's metadata line (「标题: …」) naming the report, and what it gives. A
#: title line of the report itself always wins; these name it only when none does.
META_TITLE = ("标题", "文章标题", "ArticleTitle", "题名")
META_ORG = ("发布机构", "发布单位", "发文机关", "原发布单位")
#: Metadata that never names the org: a path or an address holds a file name, not a body
#: (「本地目录: zwgk/…/51234_某某2022年度…」 gave the org as the path).
META_IGNORED = ("本地目录", "网址", "链接", "来源", "URL", "url", "原文链接", "发布时间", "成文日期", "索引号")
#: HTML ``<meta name=…>`` whose content is the article's title, as government portals set it.
HTML_TITLE_META = ("ArticleTitle", "Title", "title", "og:title")

#: Words a section heading may add before the format's title words, each with where it was seen:
#: 「五、政府信息公开工作存在的主要问题及改进情况」 is 五.
HEADING_PREFIXES: tuple[tuple[str, str], ...] = (
    ("政府信息公开工作", "issue 17: 「五、政府信息公开工作存在的主要问题及改进情况」"),
)
#: How a section's numeral is written, folded (「（五）」 folds to 「(五)」): {n} is 一 … 六.
HEADING_NUMERALS: tuple[str, ...] = ("{n}、", "({n})", "{n}.")
#: A heading line may carry a note after its words (「( 重复率 : 80%)」 in a comparison document,
#: seen in reports/suqian_2023_2024_compare.txt), not a paragraph.
HEADING_SLACK = 24


def subjects() -> tuple[str, ...]:
    return tuple(s for s, _ in TITLE_SUBJECTS)


def heading_prefixes() -> tuple[str, ...]:
    return tuple(p for p, _ in HEADING_PREFIXES)
