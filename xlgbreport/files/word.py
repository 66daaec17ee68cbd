"""The guard of a Word (.docx) package, before python-docx opens it: for the importer's published
reports and render's Word templates alike.

The zip is bounded (declared sizes, XML sizes and tags, ratio), and every part python-docx would
parse as XML (by name or by the content type ``[Content_Types].xml`` declares, case-insensitively,
as python-docx looks them up) is streamed through expat with no DOCTYPE or entity allowed:
python-docx's lxml parser resolves no entities, but it would still read a DTD's declarations.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path
from xml.parsers import expat

from .. import errors
from ..errors import InputError

_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_BODY = "word/document.xml"
_CHUNK = 1 << 20


def guard(path: Path, data: bytes, *, unzipped: int, unzipped_xml: int, tags: int, ratio: float) -> None:
    """Refuse a zip that is not a .docx, is damaged, or would cost more than the bounds: its
    members' declared sizes (zipfile reads no further), its XML parts' sizes and tags, the ratio."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise InputError(path, errors.CORRUPT) from None
    with zf:
        infos = zf.infolist()
        if _BODY not in {i.filename for i in infos}:
            raise InputError(path, errors.NOT_DOCX)
        total = sum(i.file_size for i in infos)
        packed = max(sum(i.compress_size for i in infos), 1)
        if total > unzipped or total / packed > ratio:
            raise InputError(path, errors.ZIP_BOMB, ratio=total / packed)
        xml = [i for i in infos if _is_xml(i.filename, _xml_names(path, zf))]
        if sum(i.file_size for i in xml) > unzipped_xml:
            raise InputError(path, errors.UNPACKED_TOO_BIG, limit=f"{unzipped_xml >> 20} MB")
        seen = 0
        for info in xml:
            seen += _no_doctype(path, zf, info)
            if seen > tags:
                raise InputError(path, errors.TOO_MANY_TAGS, limit=tags)


def _xml_names(path: Path, zf: zipfile.ZipFile) -> tuple[set[str], set[str]]:
    """The extensions and part names ``[Content_Types].xml`` declares as XML, lower-cased:
    python-docx parses a part by its content type, whatever its name, and looks both up
    case-insensitively (an override for ``/WORD/BIG.BIN`` names ``word/big.bin``)."""
    try:
        raw = zf.read("[Content_Types].xml")
    except KeyError:
        return set(), set()
    except Exception:
        raise InputError(path, errors.CORRUPT) from None
    extensions: set[str] = set()
    parts: set[str] = set()
    parser = expat.ParserCreate(namespace_separator="}")

    def start(tag: str, attrs: dict[str, str]) -> None:
        xml = (attrs.get("ContentType") or "").lower().endswith("xml")
        if tag == f"{_CT[1:]}Default" and xml:
            extensions.add((attrs.get("Extension") or "").lower())
        elif tag == f"{_CT[1:]}Override" and xml:
            parts.add(posixpath.normpath((attrs.get("PartName") or "").lstrip("/")).lower())

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        parser.Parse(raw, True)
    except _Doctype:
        raise InputError(path, errors.XML_DOCTYPE) from None
    except expat.ExpatError:
        raise InputError(path, errors.CORRUPT) from None
    return extensions, parts


def _is_xml(name: str, declared: tuple[set[str], set[str]]) -> bool:
    extensions, parts = declared
    name = name.lower()
    ext = posixpath.splitext(name)[1].lstrip(".")
    return ext in ("xml", "rels") or ext in extensions or name in parts or posixpath.normpath(name) in parts


class _Doctype(Exception):
    """A DOCTYPE or an entity declaration in a part."""


def _refuse_doctype(*_: object) -> None:
    raise _Doctype


def _no_doctype(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Stream one part through expat: a DOCTYPE or entity is refused, XML that expat cannot
    read (not XML, an encoding Word never writes) is a damaged file. Nothing is built; the
    part's ``<`` are counted (at least one per element: what python-docx's tree will hold)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    tags = 0
    try:
        with zf.open(info) as fh:
            while block := fh.read(_CHUNK):
                tags += block.count(b"<")
                parser.Parse(block, False)
            parser.Parse(b"", True)
            return tags
    except _Doctype:
        raise InputError(path, errors.XML_DOCTYPE) from None
    except Exception:  # bad CRC, truncated member, not XML
        raise InputError(path, errors.CORRUPT) from None
