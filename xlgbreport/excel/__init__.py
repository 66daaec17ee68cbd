"""The Excel layer: xlwings functions (UDFs) and buttons over the same core as the command line.

``ranges`` turns what Excel passes into a core ``Report``; ``functions`` says what each Excel
function returns for a report; ``udfs`` and ``macros`` are the xlwings entry points;
``template_sheets`` writes the template's Python校验 and xlwings.conf sheets.
"""
