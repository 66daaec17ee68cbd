"""``python -m xlgbreport``: the command, where its Scripts folder is not on PATH (Windows)."""

from .cli import main

main()
