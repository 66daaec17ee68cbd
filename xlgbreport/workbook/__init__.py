"""The template workbook: its layout, native formulas, the Excel functions' results, the
Python校验 sheet, and the reader and writer of that layout."""
