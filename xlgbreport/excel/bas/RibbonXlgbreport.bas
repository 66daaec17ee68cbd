Attribute VB_Name = "RibbonXlgbreport"
' xlgbreport add-in: the callbacks of the ribbon's tab (customUI/customUI.xml names them).
' Imported into the add-in by xlgbreport excel build-addin (Windows, Excel).
' The text stays ASCII: the VBA editor reads a .bas file in the system's code page.
Option Explicit

Sub OnCheck(control As IRibbonControl)
    RunPython "from xlgbreport.excel import macros; macros.check_book()"
End Sub

Sub OnCarryOver(control As IRibbonControl)
    RunPython "from xlgbreport.excel import macros; macros.carry_over_prior()"
End Sub

Sub OnReport(control As IRibbonControl)
    RunPython "from xlgbreport.excel import macros; macros.generate_report()"
End Sub

Sub OnCompare(control As IRibbonControl)
    RunPython "from xlgbreport.excel import macros; macros.generate_comparison()"
End Sub
