"""Issue 21's attacks on the importer, made small on disk: generated, never checked in."""

from __future__ import annotations

import zlib
from pathlib import Path

TITLE = "某镇人民政府2022年政府信息公开工作年度报告"


def pdf(streams: list[tuple[bytes, bytes]]) -> bytes:
    """A one-page PDF whose content is the given streams, each ``(dictionary entries, data)``."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    contents = " ".join(f"{4 + i} 0 R" for i in range(len(streams))).encode()
    objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [" + contents
                   + b"] /Resources << /Font << /F1 " + str(4 + len(streams)).encode() + b" 0 R >> >> >>")
    for entries, data in streams:
        objects.append(b"<< " + entries + b" /Length " + str(len(data)).encode() + b" >>\nstream\n"
                       + data + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return pdf_of(objects)


def _text(data: bytes) -> tuple[bytes, bytes]:
    return b"", data


def lzw_bomb() -> bytes:
    """LZW codes that repeat ever longer strings: a few MB that decode to gigabytes."""
    codes, bits, writer = [256], 9, _Bits()
    next_code = 258
    codes.append(65)
    prev = 65
    while len(writer.out) < 3_000_000:
        codes.append(next_code if next_code < 4095 else prev)  # the KwKwK case grows each time
        if next_code < 4095:
            prev = next_code
            next_code += 1
        else:
            codes.append(256)
            codes.append(65)
            next_code, prev = 258, 65
        while codes:
            code = codes.pop(0)
            writer.put(code, bits)
            if code == 256:
                bits = 9
        bits = 9 if next_code < 511 else 10 if next_code < 1023 else 11 if next_code < 2047 else 12
    return writer.done()


class _Bits:
    def __init__(self) -> None:
        self.out, self.acc, self.n = bytearray(), 0, 0

    def put(self, code: int, bits: int) -> None:
        self.acc, self.n = (self.acc << bits) | code, self.n + bits
        while self.n >= 8:
            self.n -= 8
            self.out.append((self.acc >> self.n) & 0xFF)
            self.acc &= (1 << self.n) - 1

    def done(self) -> bytes:
        if self.n:
            self.out.append((self.acc << (8 - self.n)) & 0xFF)
        return bytes(self.out)


def pdf_of(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of these objects, numbered from 1 (the first the catalogue); ``trailer`` adds keys
    to the trailer (an /Encrypt entry)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R".encode() + trailer
    out += f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_HEAD = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< " + entries + b" /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream"


def reference_loop() -> bytes:
    """A page whose resources are an object that refers to an object that refers back: pdfminer
    resolves it forever."""
    return pdf_of(_HEAD + [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources 6 0 R >>",
        _stream(b"", b"BT ET"), b"6 0 R", b"5 0 R"])


def fan_out(levels: int = 8, width: int = 10) -> bytes:
    """A page drawing a form ``width`` times, which draws the next ``width`` times, ``levels``
    deep: ``width ** levels`` characters from a file of 2 KB."""
    def resources(form: int) -> bytes:
        return b"<< /XObject << /X " + str(form).encode() + b" 0 R >> /Font << /F1 5 0 R >> >>"
    objects = _HEAD + [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources "
        + resources(6) + b" >>",
        _stream(b"", b"/X Do " * width),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for level in range(levels):
        last = level == levels - 1
        objects.append(_stream(b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources "
                               + (b"<< /Font << /F1 5 0 R >> >>" if last else resources(7 + level)),
                               b"BT /F1 1 Tf (a) Tj ET" if last else b"/X Do " * width))
    return pdf_of(objects)


def write_all(folder: Path, scale: int = 1) -> dict[str, Path]:
    """Every attack as a file in ``folder``, by name; ``scale`` multiplies the sizes (issue 21
    asks for variants at ten times the size too)."""
    made: dict[str, bytes | str] = {
        "一行.txt": TITLE + "，" * (19 * 1024 * 1024 // 3 * scale),
        "一行.html": "<html><body><p>" + TITLE + "字" * (10 * 1024 * 1024 // 3 * scale) + "</p></body></html>",
        "深.html": "<html><body>" + "<div>" * (100_000 * scale) + TITLE + "</body></html>",
        "大表.html": "<html><body><table><tr>" + "<td>1" * (150_000 * scale) + "</table></body></html>",
        "数字.txt": TITLE + "\n" + "9" * (900_000 * scale) + "\n",
        "网格.pdf": pdf([_text(_grid(400))]),
        "LZW.pdf": pdf([(b"/Filter /LZWDecode", lzw_bomb())]),
        "游程.pdf": pdf([(b"/Filter /RunLengthDecode", b"\x81A" * (2_000_000 * scale) + b"\x80")]),
        "预测.pdf": pdf([(b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 1000000000 >>",
                          zlib.compress(b"\x00" * 1000))]),
        "文字.pdf": pdf([_text(b"BT /F1 1 Tf " + b"(a) Tj " * (200_000 * scale) + b"ET")]),
        "扇出.pdf": fan_out(),
    }
    out = {}
    for name, body in made.items():
        path = folder / name
        path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        out[name] = path
    return out


def _grid(n: int) -> bytes:
    """An ``n`` by ``n`` ruled grid: n + 1 horizontal and n + 1 vertical lines."""
    step = 560 / n
    lines = [f"{20 + i * step:.2f} 20 m {20 + i * step:.2f} 740 l S\n" for i in range(n + 1)]
    lines += [f"20 {20 + i * step * 1.2:.2f} m 580 {20 + i * step * 1.2:.2f} l S\n" for i in range(n + 1)]
    return "0.1 w\n".join(lines).encode() + b"BT /F1 8 Tf 30 750 Td (" + b"2022" + b") Tj ET"
