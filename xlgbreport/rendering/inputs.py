"""A template file read as the untrusted input it is: a regular file, bounded, and a Word
template checked as every .docx input is.

``--template`` may name a FIFO, ``/dev/zero`` or a link to them: the file is read through
:func:`files.paths.read_regular` (opened without blocking, judged by ``fstat`` on the open file,
at most ``MAX_BYTES`` read). A Word template is a zip: its members' real sizes are bounded while
they are streamed, the ratio to the packed size is bounded, and every member that is XML (by its
first bytes, whatever its name or declared content type says) goes through expat with no DOCTYPE
or entity declaration allowed, before python-docx builds a tree of it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.parsers import expat

from ..errors import InputError, Message, RenderError
from ..files.paths import read_regular

MAX_BYTES = 10 * 1024 * 1024  # a template file; the shipped report.docx is 40 KB
MAX_UNZIPPED = 50 * 1024 * 1024  # a Word template's members, as streamed
MAX_RATIO = 200.0
_CHUNK = 1 << 20

TEMPLATE_UNREADABLE = Message("render.template_unreadable", "模板 {template} 无法读取：{detail}")
TEMPLATE_TOO_LARGE = Message("render.template_too_large", "模板 {template} 过大（超过 {limit}），没有读取")
TEMPLATE_NOT_WORD = Message("render.template_not_word", "模板 {template} 不是 Word 文档（.docx），或已损坏")
TEMPLATE_UNZIPPED = Message("render.template_zip_bomb", "模板 {template} 解压后过大，为安全起见拒绝打开")
TEMPLATE_DOCTYPE = Message("render.template_doctype",
                           "模板 {template} 含有 DOCTYPE 或实体声明（正常的 Word 文档没有），为安全起见拒绝打开")


def read(path: Path) -> bytes:
    """The bytes of the template file ``path``, refused at once when it is not a regular file."""
    try:
        data, size = read_regular(path, MAX_BYTES)
    except InputError as exc:
        raise RenderError(None, TEMPLATE_UNREADABLE, template=path.name, detail=exc.reason) from None
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        raise RenderError(None, TEMPLATE_TOO_LARGE, template=path.name, limit=f"{MAX_BYTES >> 20} MB")
    return data


def check_word(name: str, data: bytes) -> None:
    """Refuse a Word template that is not a zip, would unpack past the bounds, or holds a DOCTYPE."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = 0
            for info in zf.infolist():
                total = _stream(name, zf, info, total)
    except RenderError:
        raise
    except Exception:  # not a zip, bad CRC, truncated member, XML that is not XML
        raise RenderError(None, TEMPLATE_NOT_WORD, template=name) from None
    if total / max(len(data), 1) > MAX_RATIO:
        raise RenderError(None, TEMPLATE_UNZIPPED, template=name)


class _Doctype(Exception):
    """A DOCTYPE or entity declaration in a member."""


def _refuse(*_: object) -> None:
    raise _Doctype


def _stream(name: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, total: int) -> int:
    """Read one member, counting its real bytes into ``total``; parse it with expat when it is XML."""
    parser = None
    with zf.open(info) as fh:
        first = True
        while block := fh.read(_CHUNK):
            total += len(block)
            if total > MAX_UNZIPPED:
                raise RenderError(None, TEMPLATE_UNZIPPED, template=name)
            if first:
                parser = _parser() if _looks_xml(block) else None
                first = False
            if parser is not None:
                _parse(name, parser, block, False)
        if parser is not None:
            _parse(name, parser, b"", True)
    return total


def _looks_xml(block: bytes) -> bool:
    head = block.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<") or block.startswith((b"\xff\xfe", b"\xfe\xff"))


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    return parser


def _parse(name: str, parser: expat.XMLParserType, block: bytes, last: bool) -> None:
    try:
        parser.Parse(block, last)
    except _Doctype:
        raise RenderError(None, TEMPLATE_DOCTYPE, template=name) from None

