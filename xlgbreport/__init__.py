"""xlgbreport: templates, checks and consolidation for the annual government-information-
disclosure report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号).

The front door, as sqlite-utils has ``Database``::

    import xlgbreport

    report = xlgbreport.read("胡集镇.xlsx")           # a workbook or an interchange JSON
    for finding in xlgbreport.check(report):
        print(finding.ref, finding.message)
    for result in xlgbreport.validate(["各乡镇/"]):   # files and folders, one result a file
        print(result.path, result.valid)
    xlgbreport.write(report, "胡集镇.json")           # .json: interchange; else a workbook
    df = xlgbreport.frame(["各乡镇/"])                # long form, one row a cell (pandas)
    for one in xlgbreport.read_published("胡集镇2022年报.pdf"):   # a published report
        print(one.report.format.id, one.found, [n.message for n in one.notes])

Names are loaded on first use, so that importing a part (the Excel functions, say) does not
load every reader.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["FORMATS", "GB2019", "GB2021", "FileResult", "Finding", "Format", "InputError", "OutputError",
           "RenderError", "Report", "Severity", "XlgbreportError", "check", "frame", "read", "read_published",
           "validate", "write"]

_WHERE = {
    "FORMATS": "core.formats", "GB2019": "core.formats", "GB2021": "core.formats",
    "Format": "core.formats", "Finding": "core.findings", "Severity": "core.findings",
    "Report": "core.model", "check": "core.rules", "InputError": "errors",
    "OutputError": "errors", "RenderError": "errors", "XlgbreportError": "errors",
    "FileResult": "actions.validation", "validate": "actions.validation",
    "read": "api", "write": "api", "frame": "consolidation.detail",
    "read_published": "importer.run",
}

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .actions.validation import FileResult, validate
    from .api import read, write
    from .consolidation.detail import frame
    from .core.findings import Finding, Severity
    from .core.formats import FORMATS, GB2019, GB2021, Format
    from .core.model import Report
    from .core.rules import check
    from .errors import InputError, OutputError, RenderError, XlgbreportError
    from .importer.run import read_published


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'xlgbreport' has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
