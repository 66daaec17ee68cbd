Attribute VB_Name = "XlgButtons"
' xlgbreport: the macros of the workbook's buttons (per-workbook route, see docs/excel.md).
' Import once per office: Alt+F11, File > Import File. rollover and new --like keep it.
' The text stays ASCII: the VBA editor reads a .bas file in the system's code page.
Option Explicit

Sub XlgCheck()
    RunPython "from xlgbreport.excel import macros; macros.check_book()"
End Sub

Sub XlgCarryOver()
    RunPython "from xlgbreport.excel import macros; macros.carry_over_prior()"
End Sub

Sub XlgReport()
    RunPython "from xlgbreport.excel import macros; macros.generate_report()"
End Sub
