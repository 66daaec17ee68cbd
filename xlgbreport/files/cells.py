"""Raw cell values (as openpyxl, python-calamine or Excel itself hand them over) into report
values, the one conversion every reader, the Excel layer and the importer share.

Blank stays ``None`` and text is never read as a number; a number format with fixed decimals
tells how many decimals a fee was given with.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from ..core.model import Invalid, Value

_FIXED = re.compile(r"^#?,?#*0\.(0+)$")


def cell_value(raw: Any, number_format: str = "", amount: bool = False) -> Value:
    """A cell's content as a report value: blank stays None, text is never read as a number."""
    if raw is None:
        return None
    if isinstance(raw, bool) or isinstance(raw, (datetime, date, time)):
        return Invalid(str(raw))
    if isinstance(raw, int):
        fixed = _FIXED.match(number_format or "")
        if amount and fixed:  # "0.0000" is stored as 0: the format keeps the decimals given
            return Decimal(raw).quantize(Decimal(1).scaleb(-len(fixed.group(1))))
        return raw
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return Invalid(str(raw))
        if not amount and raw.is_integer():  # the common case, without a Decimal
            return int(raw)
        number = Decimal(repr(raw))
        fixed = _FIXED.match(number_format or "")
        if amount and fixed:  # shown with N decimals: that is how many the clerk gave
            places = len(fixed.group(1))
            number = number.quantize(Decimal(1).scaleb(-places))
        if not amount and number == number.to_integral_value():
            return int(number)
        return number
    if isinstance(raw, str):
        return None if raw == "" else Invalid(raw)
    return Invalid(str(raw))


def text(raw: Any) -> str | None:
    """A cover or text cell as text. A phone number typed as a number is read as a float by
    value readers (and passed so by Excel): 13800000000.0 is written back as 13800000000."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    return text or None


def year(raw: Any) -> int | Invalid | None:
    value = cell_value(raw)
    if value is None or isinstance(value, Invalid):
        return value
    return int(value) if value == int(value) else Invalid(str(raw))
