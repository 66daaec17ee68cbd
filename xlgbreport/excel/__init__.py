"""The Excel layer: xlwings functions (UDFs) and buttons over the same core as the command line.

``ranges`` turns what Excel passes into a core ``Report``; ``udfs`` and ``macros`` are the
xlwings entry points. What each function returns is pure and lives in
``core.excel_functions``; the template's Python校验 and xlwings.conf sheets are written by
``files.udf_sheets``.
"""
