"""The one error family, and the catalogue of file, JSON, output and OS messages.

Code raises an :class:`XlgbreportError` (:class:`InputError`, :class:`OutputError` or
:class:`RenderError`) with a :class:`Message`: a stable ASCII ``code`` for programs and tests, a
Chinese template for clerks. The CLI and the Excel layer show ``error.message`` and go on with
the next file; no traceback reaches a clerk. The other concerns keep their messages in their own
module-level catalogue (``actions.carry``, ``consolidation.run``, ``importer.run``,
``rendering``, ``excel.addin`` ...); ``tests/test_error_catalogue.py`` finds them all.
Also here, for every door alike (command line, buttons, cell functions): the one wording of
"there is no last year's report" (each door adds what follows from it there) and of an
internal error, the last guard before a clerk's screen.
"""

from __future__ import annotations

import errno
from pathlib import Path


class Message(str):
    """A message template with its stable ASCII code (``file.encrypted``): code compares, the
    Chinese text is shown. A ``str``, so ``template.format(**args)`` works as before."""

    code: str

    def __new__(cls, code: str, text: str) -> Message:
        made = super().__new__(cls, text)
        made.code = code
        return made

    def __reduce__(self) -> tuple:  # pickled with its code (results cross process pools)
        return (Message, (self.code, str(self)))


NOT_FOUND = Message("file.not_found", "找不到文件")
NOT_A_WORKBOOK = Message("file.not_a_workbook", "不是 Excel 工作簿（.xlsx）")
EMPTY = Message("file.empty", "是空文件（0 字节）：请重新保存或重新获取该文件")
OLD_FORMAT = Message("file.old_format", "是旧版 .xls 或 WPS .et 格式：请在 Excel/WPS 中“另存为” .xlsx 后再试")
ENCRYPTED = Message("file.encrypted", "设有打开密码：请去掉密码（文件→信息→保护工作簿）后再试")
CORRUPT = Message("file.corrupt", "已损坏或不完整，无法打开：请重新保存或重新获取该文件")
TOO_LARGE = Message("file.too_large", "过大（{size}），超过上限 {limit}：这不像一份年度报告工作簿")
ZIP_BOMB = Message("file.zip_bomb", "解压后过大（压缩比 {ratio:.0f} 倍），为安全起见拒绝打开")
TOO_MANY_CELLS = Message("file.too_many_cells", "单元格过多（超过 {limit} 个），为安全起见拒绝读取")
WRONG_TEMPLATE = Message("file.wrong_template", "不是本模板的工作簿：缺少工作表 {missing}")
JSON_UNKNOWN_KEY = Message("json.unknown_key", "未知的键 {path}（请检查拼写）")
JSON_NOT_A_NUMBER = Message("json.not_a_number", "{path} 的值 {value} 不是数字")
JSON_TOO_PRECISE = Message("json.too_precise", "{path} 的值 {value} 位数过多，工作簿无法原样保存")
JSON_TOO_LONG = Message("json.too_long", "{path} 有 {n} 个字，超过 Excel 单元格上限 {limit} 字")
JSON_BAD_SHAPE = Message("json.bad_shape", "{path} 应为 {expected}")
JSON_FORMAT = Message("json.format", "format 应为 {expected}，实为 {actual}")
#: The problems above, ``listed`` joined with "；" (and passed one by one as ``problems=``).
JSON_PROBLEMS = Message("json.problems", "{listed}")
#: A report in a format without a template workbook (the 2019 trial format) asked for as one.
NO_TEMPLATE = Message("output.no_template",
                      "{name}（{source}）没有工作簿模板，无法生成工作簿（可用 validate 校验）")
WRITE_FAILED = Message("output.write_failed", "无法写入：{detail}")
#: The reason alone: callers already say 无法读取 where needed.
READ_FAILED = Message("file.read_failed", "{detail}")
#: Why the operating system refused, for a clerk (its own text is English).
OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "位置只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.EEXIST: "同名文件已存在",
    errno.ENAMETOOLONG: "文件名过长",
}
#: No last year's report, named or found: ``NO_PRIOR + "，跨年度检查已跳过"`` and so on.
NO_PRIOR = "没有上年数据"
#: Anything unexpected: the type of the exception (the command line adds its text), and where the
#: Excel layer logged the details (``excel.log.record``; empty on the command line).
INTERNAL = Message("internal.error", "内部错误（{error}）{log}，请把此信息发给维护人员")
NOT_EXPORTABLE = Message("json.not_exportable", "有 {n} 个值不是数字，交换 JSON 中无处存放，未导出，请先改正：{values}")
OUTPUT_EXISTS = Message("output.exists", "输出文件已存在，未覆盖（如需覆盖请加 --force）")
SAME_AS_INPUT = Message("output.same_as_input", "输出文件不能与输入文件相同")


class XlgbreportError(Exception):
    """Every error the package raises on purpose: a stable ``code`` for programs, a Chinese
    ``message`` (naming the file) for clerks, and ``problems`` when several are found at once."""

    def __init__(self, path: str | Path | None, template: Message, /, *, problems: tuple[str, ...] = (),
                 **args: object) -> None:
        self.path = str(path) if path is not None else None
        self.template = template
        self.code: str = template.code
        self.args_ = args
        self.problems = tuple(problems)
        super().__init__(self.message)

    @property
    def reason(self) -> str:
        """The template filled in; ``{problems}`` is the problems joined with "；"."""
        return self.template.format(problems="；".join(self.problems), **self.args_)

    @property
    def message(self) -> str:
        return f"{Path(self.path).name}：{self.reason}" if self.path else self.reason

    def __reduce__(self) -> tuple:  # keyword arguments survive pickling (process pools)
        return (_rebuild, (type(self), self.path, self.template, self.problems, self.args_))


def _rebuild(cls: type[XlgbreportError], path: str | None, template: Message, problems: tuple[str, ...],
             args: dict[str, object]) -> XlgbreportError:
    return cls(path, template, problems=problems, **args)


class InputError(XlgbreportError):
    """A problem with one input file (missing, corrupt, hostile, wrong template, bad JSON)."""


class OutputError(XlgbreportError):
    """An output that cannot or must not be written (exists, same as the input, no room)."""


class RenderError(XlgbreportError):
    """A report that cannot be rendered (a broken template, an unknown kind, no LibreOffice)."""


def os_reason(exc: OSError) -> str:
    """An operating-system error in Chinese; a rare one by its code (``EDQUOT``), never the
    system's English words."""
    code = exc.errno or 0
    return OS_REASONS.get(code) or OS_UNKNOWN.format(code=errno.errorcode.get(code, code))


# --- Hostile files and paths (issue 8): what a crafted file or path is told -----------------------
NOT_REGULAR = Message("file.not_regular", "不是普通文件（可能是管道、设备或套接字），没有打开")
SHEET_TOO_BIG = Message("file.sheet_too_big", "工作表“{sheet}”用到的区域过大（远至 {cell}，超过 {limit} 个单元格），"
                        "为安全起见拒绝读取：请删除远处多余的内容后再试")
TOO_MANY_STRINGS = Message("file.too_many_strings", "文字过多（超过 {limit} 段），为安全起见拒绝读取")
JSON_TOO_DEEP = Message("json.too_deep", "嵌套层数过多，不是交换 JSON")
JSON_NUMBER_TOO_LONG = Message("json.number_too_long", "有位数过多的数字，不是交换 JSON")
JSON_BAD_CHARACTER = Message("json.bad_character", "含有无效的字符（不成对的代理码位 {code}）")
JSON_SYNTAX = Message("json.syntax", "不是有效的 JSON（第 {line} 行第 {column} 列附近）")
JSON_ENCODING = Message("json.encoding", "不是 UTF-8 编码的文本")
OS_UNKNOWN = "系统错误 {code}"
OS_REASONS.update({
    errno.ELOOP: "链接循环",
    errno.ENXIO: "不是普通文件（设备、管道或套接字）",
    errno.EIO: "读写出错（磁盘或网络故障）",
    errno.ENODEV: "不是普通文件（设备）",
    errno.ETXTBSY: "文件正被使用",
    errno.ESTALE: "网络文件已失效，请重新打开所在文件夹",
})

# --- Published reports read for import (issue 11): web pages, Word, PDF, text ---------------------
PUBLISHED_UNKNOWN_KIND = Message("import.unknown_kind", "不是可导入的报告文件（{suffix}）：只能读取 .html、.htm、.docx、.pdf、.txt、.md")
PUBLISHED_TOO_LARGE = Message("import.too_large", "过大（{size}），超过上限 {limit}：这不像一份年度报告")
NOT_DOCX = Message("import.not_docx", "不是 Word 文档（.docx）")
DOCX_OTHER_TYPE = Message("import.docx_other_type", "是启用宏的 Word 文档或 Word 模板（.docm、.dotx）：请在 Word/WPS 中“另存为” .docx 后再试")
OLD_WORD = Message("import.old_word", "是旧版 Word .doc 或 WPS .wps 格式：请在 Word/WPS 中“另存为” .docx 后再试")
DOCUMENT_ENCRYPTED = Message("import.encrypted", "设有打开密码：请去掉密码（文件→信息→保护文档）后再试")
NOT_PDF = Message("import.not_pdf", "不是 PDF 文件")
PDF_ENCRYPTED = Message("import.pdf_encrypted", "是加密的 PDF，没有密码无法读取：请取得未加密的文件后再试")
PDF_NO_TEXT = Message("import.pdf_no_text", "没有可提取的文字（可能是扫描件或图片）：请取得 Word、网页或可复制文字的 PDF")
PDF_PAGES_NO_TEXT = Message("import.pdf_pages_no_text", "第 {pages} 页没有可提取的文字（是扫描的图片），需要文字识别才能读全")
NOT_TEXT = Message("import.not_text", "不是文本文件，或无法识别其编码：请另存为 UTF-8 文本后再试")
XML_DOCTYPE = Message("import.xml_doctype", "含有 DOCTYPE 或实体声明（正常的 Word 文档没有），为安全起见拒绝打开")
UNPACKED_TOO_BIG = Message("import.unpacked_too_big", "解压后过大（超过 {limit}），为安全起见拒绝读取")
TOO_MANY_PAGES = Message("import.too_many_pages", "页数过多（超过 {limit} 页），为安全起见拒绝读取")
TOO_MANY_TAGS = Message("import.too_many_tags", "元素过多（超过 {limit} 个标签），为安全起见拒绝读取")
TOO_MANY_LINES = Message("import.too_many_lines", "行数过多（超过 {limit} 行），为安全起见拒绝读取")
