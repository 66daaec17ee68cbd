"""The interchange JSON of ``shared/spec/report-json.md`` ⇄ :class:`Report`, in any format.

``format`` names the format (``core.formats.FORMATS``: gb2021 when absent, gb2019 for the 2019
trial layout), whose schema says which tables, rows and columns there are (docs/interchange.md).
Strict on input: an unknown format, an unknown key or a value that is not a number at all is
refused, with every problem named. Blank stays blank (``null``), the fee keeps every decimal
(a string).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .. import errors
from ..core import shown
from ..core.formats import DEFAULT, FORMATS, Format
from ..core.model import Invalid, Report, Value, is_number
from ..core.reasons import MAX_REASONS, Reason, collect
from ..core.rules import ValueInvalid
from ..errors import InputError
from . import paths

#: The most text an Excel cell holds; a longer section would be cut, so it is refused instead.
EXCEL_CELL_CHARS = 32_767
#: An interchange file is a few kilobytes; this is the bound of a workbook.
MAX_BYTES = 20 * 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")


def from_dict(data: Any, source: str | Path | None = None) -> Report:
    """Build a report from parsed JSON; raise :class:`InputError` listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        problem = errors.JSON_BAD_SHAPE.format(path="（顶层）", expected="对象 {…}")
        raise InputError(source, errors.JSON_PROBLEMS, listed=problem, problems=(problem,))
    fmt = format_of(data, source)
    schema = fmt.schema
    allowed = {"format", "org", "year", "text", "reasons"} | {t.id for t in schema.tables}
    problems += [errors.JSON_UNKNOWN_KEY.format(path=k) for k in data if k not in allowed]

    report = Report(org=data.get("org"), format=fmt)
    year = data.get("year")
    if isinstance(year, int) and not isinstance(year, bool) and not _fits_a_double(year):
        problems.append(errors.JSON_TOO_PRECISE.format(path="year", value=_shown(year)))
        report.year = None
    elif year is None or (isinstance(year, int) and not isinstance(year, bool)):
        report.year = year
    elif isinstance(year, str) and year.strip().isdigit():
        report.year = int(year)
    else:
        report.year = Invalid(str(year))
    if report.org is not None and not isinstance(report.org, str):
        problems.append(errors.JSON_BAD_SHAPE.format(path="org", expected="文本"))
    elif report.org is not None and len(report.org) > EXCEL_CELL_CHARS:
        problems.append(errors.JSON_TOO_LONG.format(path="org", n=len(report.org),
                                                    limit=EXCEL_CELL_CHARS))

    for table in schema.tables:
        block = _obj(data.get(table.id), table.id, problems)
        rows = {r.id: r for r in table.rows}
        problems += [errors.JSON_UNKNOWN_KEY.format(path=f"{table.id}.{k}")
                     for k in block if k not in rows]
        for row in table.rows:
            path = f"{table.id}.{row.id}"
            cells = _obj(block.get(row.id), path, problems)
            cols = {c.id for c in row.columns}
            problems += [errors.JSON_UNKNOWN_KEY.format(path=f"{path}.{k}")
                         for k in cells if k not in cols]
            for col in row.columns:
                key = (table.id, row.id, col.id)
                raw = cells.get(col.id)
                if raw is None and schema.is_derived(key):
                    continue  # absent total: computed
                value = _number(raw)
                if isinstance(value, Invalid):
                    problems.append(errors.JSON_NOT_A_NUMBER.format(path=f"{path}.{col.id}",
                                                                    value=json.dumps(raw, ensure_ascii=False)))
                elif is_number(value) and not _fits_a_double(value):
                    problems.append(errors.JSON_TOO_PRECISE.format(path=f"{path}.{col.id}",
                                                                   value=_shown(raw)))
                report.cells[key] = value

    text = _obj(data.get("text"), "text", problems)
    ids = {f.id for f in schema.text}
    problems += [errors.JSON_UNKNOWN_KEY.format(path=f"text.{k}") for k in text if k not in ids]
    for field in schema.text:
        value = text.get(field.id)
        if value is not None and not isinstance(value, str):
            problems.append(errors.JSON_BAD_SHAPE.format(path=f"text.{field.id}", expected="文本"))
        elif value is not None and len(value) > EXCEL_CELL_CHARS:
            problems.append(errors.JSON_TOO_LONG.format(path=f"text.{field.id}", n=len(value),
                                                        limit=EXCEL_CELL_CHARS))
        report.text[field.id] = value
    report.reasons = _reasons(data.get("reasons"), problems)

    if problems:
        raise InputError(source, errors.JSON_PROBLEMS, listed="；".join(problems), problems=tuple(problems))
    return report


REASON_KEYS = ("rule", "cell", "text")
REASON_SHAPE = "列表 [{rule, cell, text}, …]"


def _reasons(value: Any, problems: list[str]) -> tuple[Reason, ...]:
    """``reasons``: the 核实说明, a list of {rule, cell, text} strings (at most ``MAX_REASONS``)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(errors.JSON_BAD_SHAPE.format(path="reasons", expected=REASON_SHAPE))
        return ()
    if len(value) > MAX_REASONS:
        problems.append(errors.JSON_BAD_SHAPE.format(path="reasons",
                                                     expected=f"至多 {MAX_REASONS} 条"))
        return ()
    rows = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            problems.append(errors.JSON_BAD_SHAPE.format(path=f"reasons[{i}]", expected="对象 {…}"))
            continue
        problems += [errors.JSON_UNKNOWN_KEY.format(path=f"reasons[{i}].{k}")
                     for k in item if k not in REASON_KEYS]
        parts = [item.get(k) for k in REASON_KEYS]
        for k, part in zip(REASON_KEYS, parts, strict=True):
            if not isinstance(part, str):
                problems.append(errors.JSON_BAD_SHAPE.format(path=f"reasons[{i}].{k}", expected="文本"))
            elif len(part) > EXCEL_CELL_CHARS:
                problems.append(errors.JSON_TOO_LONG.format(path=f"reasons[{i}].{k}", n=len(part),
                                                            limit=EXCEL_CELL_CHARS))
        rows.append((parts[0], parts[1], parts[2]))
    return collect(rows)


def format_of(data: dict[str, Any], source: str | Path | None = None) -> Format:
    """The format a document names (gb2021 when it names none); any other name is refused
    alone, since the rest of the document cannot be read without knowing its format."""
    name = data.get("format", DEFAULT.id)
    if isinstance(name, str) and name in FORMATS:
        return FORMATS[name]
    shown = name if isinstance(name, str) else json.dumps(name, ensure_ascii=False)
    problem = errors.JSON_FORMAT.format(expected=" 或 ".join(FORMATS), actual=_shown(shown))
    raise InputError(source, errors.JSON_PROBLEMS, listed=problem, problems=(problem,))


def _fits_a_double(value: int | Decimal) -> bool:
    """A workbook cell holds a double: the value must come back from one unchanged."""
    try:
        return Decimal(repr(float(value))) == value
    except OverflowError:  # beyond any double (10**400)
        return False


def _shown(value: Any) -> str:
    """A value as a message quotes it: a 400-digit number is cut, not printed whole."""
    text = str(value)
    return text if len(text) <= 40 else f"{text[:20]}…（共 {len(text)} 位）"


def _obj(value: Any, path: str, problems: list[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(errors.JSON_BAD_SHAPE.format(path=path, expected="对象 {…}"))
        return {}
    return value


def _number(raw: Any) -> Value:
    """A JSON value as a cell value: ints stay ints, other numbers become exact Decimals."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return Invalid(str(raw))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, (float, str)):
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            return Invalid(str(raw))
        if not number.is_finite():
            return Invalid(str(raw))
        if isinstance(raw, float) and number == number.to_integral_value():
            return int(number)
        return number
    return Invalid(json.dumps(raw, ensure_ascii=False))


def to_dict(report: Report) -> dict[str, Any]:
    """The report as interchange JSON in its format; absent totals are written as computed (or
    null)."""
    schema = report.format.schema
    out: dict[str, Any] = {"format": report.format.id, "org": report.org,
                           "year": report.year if not isinstance(report.year, Invalid)
                           else report.year.raw}
    for table in schema.tables:
        out[table.id] = {
            row.id: {col.id: _json_value(report.value((table.id, row.id, col.id)), col.kind)
                     for col in row.columns}
            for row in table.rows
        }
    out["text"] = {f.id: report.text.get(f.id) for f in schema.text}
    if report.reasons:  # the 核实说明, when there are any (docs/interchange.md)
        out["reasons"] = [{"rule": r.rule, "cell": r.cell, "text": r.text} for r in report.reasons]
    return out


def unplaceable(report: Report) -> list[str]:
    """The values the format has no place for (text where a number belongs, a year that is not
    a number), as ``where（value）``: export reports them instead of writing them. Negative
    and fractional numbers are numbers: they travel, and the rules report them."""
    out = [f"{f.ref}（{f.actual}）" for f in ValueInvalid().check(report)
           if dict(f.args)["problem"] in (ValueInvalid.TEXT, ValueInvalid.NOT_A_NUMBER, ValueInvalid.ERROR_VALUE)]
    if isinstance(report.year, Invalid):
        out.insert(0, f"{report.where.get('year', 'year')}（{report.year.raw}）")
    return out


def _json_value(value: Value, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, Invalid):
        return value.raw
    if kind == "amount":
        return format(value, "f") if isinstance(value, Decimal) else str(value)  # not 1E-7
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def load(path: str | Path) -> Report:
    """The report in an interchange JSON file: read only from a regular file, bounded in size
    and depth; every way it can be wrong is one Chinese line."""
    path = Path(path)
    raw, size = paths.read_regular(path, MAX_BYTES)
    if size > MAX_BYTES or len(raw) > MAX_BYTES:
        raise InputError(path, errors.TOO_LARGE, size=f"{size / 1024 / 1024:.1f} MB",
                         limit=f"{MAX_BYTES / 1024 / 1024:.1f} MB")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
        text_ok(data)
        return from_dict(data, path)
    except UnicodeDecodeError:
        raise InputError(path, errors.JSON_ENCODING) from None
    except json.JSONDecodeError as exc:
        raise InputError(path, errors.JSON_SYNTAX, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise InputError(path, errors.JSON_TOO_DEEP) from None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        raise InputError(path, errors.JSON_NUMBER_TOO_LONG) from None
    except _Surrogate as exc:
        raise InputError(path, errors.JSON_BAD_CHARACTER, code=exc.code) from None


class _Surrogate(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def text_ok(data: Any) -> None:
    """Refuse a lone surrogate (``"\\ud800"``) anywhere, keys included: no file, terminal or
    workbook can hold one. Walked without recursion: depth is bounded by the parser only."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, str):
            bad = _SURROGATE.search(item)
            if bad:
                raise _Surrogate(f"U+{ord(bad.group()):04X}")


def dumps(report: Report) -> str:
    """The interchange JSON text; controls in strings escaped, so it is safe to print."""
    return shown.json_text(json.dumps(to_dict(report), ensure_ascii=False, indent=1))


__all__ = ["from_dict", "to_dict", "format_of", "load", "dumps", "is_number", "unplaceable"]
