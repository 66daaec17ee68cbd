"""The command line's exit codes, in one table: results say what happened, this says how a
command ends. Shown in ``xlgbreport --help`` (:data:`HELP`) and tested."""

from __future__ import annotations

from .. import api

#: Outcome → exit code, the same for every command.
EXIT_CODES = {
    "ok": 0,           # everything done, nothing wrong
    "invalid": 1,      # a file has errors, was left out or missing, or its import is incomplete
    "unreadable": 2,   # a file (or last year's data named for it) could not be read or written
    "refused": 2,      # the command refused: bad input or options, an output that exists
    "internal": 3,     # an unexpected error (a bug): one line, details with --debug
    "interrupted": 130,  # Ctrl+C
}
MEANINGS = {
    "ok": "成功", "invalid": "有错误、未汇总、未报送或导入不完整", "unreadable": "有文件无法读取或写入",
    "refused": "拒绝执行（输入或选项有误、输出文件已存在）", "internal": "内部错误", "interrupted": "已中断",
}
#: One line a code, kept as written (``\b``): click would rewrap Chinese past the line's width.
HELP = "\b\n退出码：\n" + "\n".join(
    f"  {code:<4}{'；'.join(MEANINGS[k] for k, c in EXIT_CODES.items() if c == code)}"
    for code in sorted(set(EXIT_CODES.values())))


def outcome(batch: api.Batch, *, invalid_counts: bool = True) -> str:
    """How a batch went: ``unreadable`` when a file could not be read, else ``invalid`` when a
    file is not valid (unless ``invalid_counts`` is off: render writes a report with errors)."""
    if any(f.failed_to_read for f in batch.files):
        return "unreadable"
    if invalid_counts and not batch.valid:
        return "invalid"
    return "ok"


def code_for(batch: api.Batch, *, invalid_counts: bool = True) -> int:
    return EXIT_CODES[outcome(batch, invalid_counts=invalid_counts)]
