"""A hostile corpus: each attack of issue 8, and those that already held, written for real.

``workbooks(good, folder)`` and ``jsons(good_json, folder)`` write the files and say, for each,
the one Chinese reason a clerk must read (``None`` for a file that is odd but harmless and must
be read like the good one). The tests in ``test_hostile.py`` run them through every entry point.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

from xlgbreport import errors

REQUESTS_PART = "xl/worksheets/sheet3.xml"  # 依申请公开 in the template
FAR_ROW = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
ENTITIES = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
EXTERNAL = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


@dataclass(frozen=True)
class Attack:
    name: str
    path: Path
    reason: str | None  # the Chinese reason, or None: harmless, read like the good file


def too_big(cell: str) -> str:
    return errors.SHEET_TOO_BIG.format(sheet="依申请公开", cell=cell, limit=2_000_000)


def rewrite(src: Path, dst: Path, part: str, change, extra: dict[str, bytes] | None = None) -> Path:
    """A copy of ``src`` with ``part`` passed through ``change``; ``extra`` members appended."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(data) if info.filename == part else data)
        with warnings.catch_warnings():  # a duplicate member is the point of one attack
            warnings.simplefilter("ignore")
            for name, data in (extra or {}).items():
                zout.writestr(name, data)
    return dst


def _before_end(row: bytes):
    return lambda data: data.replace(b"</sheetData>", row + b"</sheetData>", 1)


def _prefixed(data: bytes) -> bytes:
    data = data.replace(b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                        b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
    data = re.sub(rb"<(/?)(?=[A-Za-z])(?!x:)", rb"<\1x:", data)
    return data.replace(b"</x:sheetData>", FAR_ROW.replace(b"<", b"<x:").replace(b"<x:/", b"</x:")
                        + b"</x:sheetData>")


def _utf16(data: bytes) -> bytes:
    text = _before_end(FAR_ROW)(data).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return b"\xff\xfe" + text.encode("utf-16-le")


def _shared(change):
    return lambda data: change(data.decode("utf-8")).encode("utf-8")


def workbooks(good: Path, folder: Path, org: str) -> list[Attack]:
    """Every hostile workbook, from the good one (whose org is ``org``)."""
    out: list[Attack] = []
    data = good.read_bytes()

    def put(name: str, content: bytes, reason: str | None) -> None:
        (folder / name).write_bytes(content)
        out.append(Attack(name, folder / name, reason))

    def edit(name: str, part: str, change, reason: str | None, extra=None) -> None:
        rewrite(good, folder / name, part, change, extra)
        out.append(Attack(name, folder / name, reason))

    # issue 8, 1: the extent of a sheet, however it is written
    edit("远格.xlsx", REQUESTS_PART, _before_end(FAR_ROW), too_big("XFD1048576"))
    edit("远格8192.xlsx", REQUESTS_PART, _before_end(b'<row r="8192"><c r="XFD8192"><v>1</v></c></row>'),
         too_big("XFD8192"))
    edit("远行无列号.xlsx", REQUESTS_PART, _before_end(b'<row r="1048576"><c><v>1</v></c></row>'),
         too_big("J1048576"))
    edit("小写列号.xlsx", REQUESTS_PART,
         _before_end(b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>'), too_big("XFD1048576"))
    edit("超出列.xlsx", REQUESTS_PART, _before_end(b'<row r="30"><c r="ZZZZ30"><v>1</v></c></row>'),
         too_big("ZZZZ30"))
    edit("前缀.xlsx", REQUESTS_PART, _prefixed, too_big("XFD1048576"))
    edit("UTF16.xlsx", REQUESTS_PART, _utf16, too_big("XFD1048576"))
    edit("谎报范围.xlsx", REQUESTS_PART,  # a lying <dimension> alone costs nothing: read as usual
         lambda d: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d), None)
    edit("无范围.xlsx", REQUESTS_PART, lambda d: re.sub(rb'<dimension ref="[^"]*"/>', b"", d), None)
    with zipfile.ZipFile(good) as zf:  # a second member of the same name, for a reader that takes it
        twin = _before_end(FAR_ROW)(zf.read(REQUESTS_PART))
    edit("重名成员.xlsx", "", lambda d: d, too_big("XFD1048576"), extra={REQUESTS_PART: twin})
    # issue 8, 4 and 8: text that drives a terminal; an error value
    edit("控制字符.xlsx", "xl/sharedStrings.xml",
         _shared(lambda t: t.replace(org, "_x001B_[2J_x001B_]0;x_x0007_\u202e\u0085" + org, 1)), None)
    # what already held: bombs, entities, foreign and damaged files, another layout
    bomb = io.BytesIO(data)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", bytes(16 * 1024 * 1024))
    with zipfile.ZipFile(bomb) as z:
        infos = z.infolist()
    ratio = sum(i.file_size for i in infos) / sum(i.compress_size for i in infos)
    put("炸弹.xlsx", bomb.getvalue(), errors.ZIP_BOMB.format(ratio=ratio))
    edit("实体膨胀.xlsx", "xl/sharedStrings.xml",
         _shared(lambda t: t.replace("?>", "?>" + ENTITIES, 1).replace(f"<t>{org}</t>", "<t>&d;</t>", 1)),
         errors.CORRUPT)
    edit("外部实体.xlsx", "xl/sharedStrings.xml",
         _shared(lambda t: t.replace("?>", "?>" + EXTERNAL, 1).replace(f"<t>{org}</t>", "<t>&e;</t>", 1)),
         errors.CORRUPT)
    encrypted = io.BytesIO()
    with good.open("rb") as fh:
        OOXMLFile(fh).encrypt("mima123", encrypted)
    put("加密.xlsx", encrypted.getvalue(), errors.ENCRYPTED)
    put("旧版.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), errors.OLD_FORMAT)
    put("半截.xlsx", data[: len(data) // 2], errors.CORRUPT)
    put("空文件.xlsx", b"", errors.EMPTY)
    put("文本.xlsx", "不是工作簿".encode(), errors.NOT_A_WORKBOOK)
    edit("表格截断.xlsx", REQUESTS_PART, lambda d: d[: d.index(b"</sheetData>") // 3], errors.CORRUPT)
    edit("名称远移.xlsx", "xl/workbook.xml",  # a defined name moved a million rows down
         lambda d: re.sub(rb"<definedName name=\"xlg_requests_1\">[^<]*<",
                          "<definedName name=\"xlg_requests_1\">依申请公开!$D$1000000:$J$1000000<"
                          .encode(), d),
         errors.TOO_MANY_CELLS.format(limit=2_000_000))
    edit("少表.xlsx", "xl/workbook.xml",  # another layout: a report sheet renamed away
         lambda d: d.replace('name="复议诉讼"'.encode(), 'name="其他"'.encode(), 1),
         errors.WRONG_TEMPLATE.format(missing="复议诉讼"))
    return out


def error_value(good: Path, folder: Path) -> Path:
    """The good workbook with ``#REF!`` typed into 依申请公开!D7 and a formula failing in E7."""
    def change(data: bytes) -> bytes:
        data = re.sub(rb'<c r="D7"[^>]*?(/>|>.*?</c>)', b'<c r="D7" t="e"><v>#REF!</v></c>', data, count=1)
        return re.sub(rb'<c r="E7"[^>]*?(/>|>.*?</c>)', b'<c r="E7" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
                      data, count=1)
    return rewrite(good, folder / "错误值.xlsx", REQUESTS_PART, change)


def jsons(good_json: Path, folder: Path) -> list[Attack]:
    """Every hostile interchange file."""
    base = json.loads(good_json.read_text(encoding="utf-8"))
    out: list[Attack] = []

    def put(name: str, content: str | bytes, reason: str) -> None:
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        out.append(Attack(name, path, reason))

    put("深.json", "[" * 100_000 + "]" * 100_000, errors.JSON_TOO_DEEP)
    put("大年份.json", json.dumps({**base, "year": 10**400}),
        errors.JSON_PROBLEMS.format(listed=errors.JSON_TOO_PRECISE.format(
            path="year", value="10000000000000000000…（共 401 位）")))
    put("长数字.json", '{"year": ' + "9" * 5000 + "}", errors.JSON_NUMBER_TOO_LONG)
    put("代理码位.json", json.dumps({**base, "org": "\ud800镇"}), errors.JSON_BAD_CHARACTER.format(code="U+D800"))
    put("长机关.json", json.dumps({**base, "org": "镇" * 40_000}, ensure_ascii=False),
        errors.JSON_PROBLEMS.format(listed=errors.JSON_TOO_LONG.format(path="org", n=40_000, limit=32_767)))
    put("语法.json", '{"year": ', errors.JSON_SYNTAX.format(line=1, column=10))
    put("GBK.json", '{"org": "胡集镇"}'.encode("gbk"), errors.JSON_ENCODING)
    return out
