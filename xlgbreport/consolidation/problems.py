"""Every problem of each unit, for the notices sent back (``--notices``).

The run keeps only the first few problems per file (``gather.PROBLEMS_KEPT``), so that its
memory stays flat at 10,000 files; the units with errors or warnings are read and checked
again here, after the run, each with the same ``validate_file`` the workers used. A county's
run has tens of such units; a national one pays this only when it asks for notices.
"""

from __future__ import annotations

from dataclasses import replace

from ..actions.results import Batch, FileResult
from ..actions.validation import validate_files
from .decide import LEFT_OUT, Status


def _has_problems(result: FileResult) -> bool:
    """Errors or warnings to send back: an identical copy's are its first's, told there once."""
    return (result.error_code is None and result.extra.get("status") != Status.COPY.value
            and bool(result.extra.get("errors") or result.extra.get("warnings")))


def detailed(batch: Batch) -> Batch:
    """``batch`` with each readable input that has errors or warnings holding all of its
    findings (the run's own, such as ``text.copied``, kept after them). A summary not counted
    (an earlier run's, left in the folder) is no unit: no notice, no line in the 通报."""
    units = [f for f in batch.files if f.extra.get("status") != Status.SUMMARY.value]
    again = [f for f in units if _has_problems(f)]
    checked = {r.path: r for r in validate_files([f.path for f in again], reports=False)}
    files = []
    for f in units:
        found = checked.get(f.path) if _has_problems(f) else None
        if found is not None and found.error_code is None:
            f = replace(f, findings=(*found.findings, *f.findings))
        # the county's option to count it anyway is no business of the unit's
        f = replace(f, notes=tuple(n for n in f.notes if n != LEFT_OUT.format(n=f.extra.get("errors"))))
        files.append(f)
    return Batch(files, batch.notes, batch.headline, batch.extra)
