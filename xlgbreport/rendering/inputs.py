"""A template file read as the untrusted input it is: a regular file, bounded, and a Word
template checked as every .docx input is.

``--template`` may name a FIFO, ``/dev/zero`` or a link to them: the file is read through
:func:`files.paths.read_regular` (opened without blocking, judged by ``fstat`` on the open file,
at most ``MAX_BYTES`` read). A Word template goes through :func:`files.word.guard`, as the
importer's .docx files do, with bounds of its own.
"""

from __future__ import annotations

from pathlib import Path

from .. import errors
from ..errors import InputError, Message, RenderError
from ..files import word
from ..files.paths import read_regular

MAX_BYTES = 10 * 1024 * 1024  # a template file; the shipped report.docx is 40 KB
MAX_UNZIPPED = 50 * 1024 * 1024  # a Word template's members (and its XML parts among them)
MAX_TAGS = 1_000_000  # in its XML parts (the shipped template has a few thousand)
MAX_RATIO = 200.0

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
    """Refuse a Word template that is not a .docx, would unpack past the bounds, or holds a
    DOCTYPE: the guard every .docx input goes through (:func:`files.word.guard`), in the template's
    words."""
    try:
        word.guard(Path(name), data, unzipped=MAX_UNZIPPED, unzipped_xml=MAX_UNZIPPED, tags=MAX_TAGS,
                   ratio=MAX_RATIO)
    except InputError as exc:
        if exc.code == errors.XML_DOCTYPE.code:
            raise RenderError(None, TEMPLATE_DOCTYPE, template=name) from None
        if exc.code in _TOO_BIG:
            raise RenderError(None, TEMPLATE_UNZIPPED, template=name) from None
        raise RenderError(None, TEMPLATE_NOT_WORD, template=name) from None  # damaged, not a .docx


_TOO_BIG = {errors.ZIP_BOMB.code, errors.UNPACKED_TOO_BIG.code, errors.TOO_MANY_TAGS.code}
