"""xlgbreport: templates, checks and consolidation for the annual government-information-
disclosure report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号).

The front door, as sqlite-utils has ``Database``::

    import xlgbreport

    report = xlgbreport.read("胡集镇.xlsx")           # a workbook or an interchange JSON
    for finding in xlgbreport.check(report):         # a list of findings
        print(finding.ref, finding.message)
    batch = xlgbreport.validate(["各乡镇/"])          # a Batch: one FileResult a file
    for result in batch.files:
        print(result.path, result.valid, result.error_code)
    xlgbreport.write(report, "胡集镇.json")           # .json: interchange; .xlsx: a workbook
    xlgbreport.rollover("胡集镇2023.xlsx", "胡集镇2024.xlsx")
    xlgbreport.consolidate(["各乡镇/"], "全县.xlsx", org="某县人民政府")
    xlgbreport.render(["胡集镇.xlsx"], "docx")
    df = xlgbreport.frame(["各乡镇/"])                # long form, one row a cell (pandas)

Every batch action returns a ``Batch`` of ``FileResult`` with one ``to_dict()``; every error
raised on purpose is an ``XlgbreportError`` with a stable ``code``. Names are loaded on first
use, so that importing a part (the Excel functions, say) does not load every reader.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["FORMATS", "GB2019", "GB2021", "Batch", "FileResult", "Finding", "Format", "InputError",
           "OutputError", "RenderError", "Report", "Severity", "XlgbreportError", "build_addin",
           "carry_forward", "check", "compare", "consolidate", "excel_doctor", "excel_selftest", "frame",
           "import_reports", "iter_validate", "read", "read_published", "render", "rollover", "validate",
           "write"]

_API = ("build_addin", "carry_forward", "check", "compare", "consolidate", "excel_doctor", "excel_selftest",
        "frame",
        "import_reports", "iter_validate", "read", "read_published", "render", "rollover",
        "validate", "write")
_WHERE = {
    "FORMATS": "core.formats", "GB2019": "core.formats", "GB2021": "core.formats",
    "Format": "core.formats", "Finding": "core.findings", "Severity": "core.findings",
    "Report": "core.model", "Batch": "actions.results", "FileResult": "actions.results",
    **{name: "errors" for name in ("InputError", "OutputError", "RenderError", "XlgbreportError")},
    **dict.fromkeys(_API, "api"),
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .actions.results import Batch, FileResult
    from .api import (
        build_addin,
        carry_forward,
        check,
        compare,
        consolidate,
        excel_doctor,
        excel_selftest,
        frame,
        import_reports,
        iter_validate,
        read,
        read_published,
        render,
        rollover,
        validate,
        write,
    )
    from .core.findings import Finding, Severity
    from .core.formats import FORMATS, GB2019, GB2021, Format
    from .core.model import Report
    from .errors import InputError, OutputError, RenderError, XlgbreportError


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'xlgbreport' has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
