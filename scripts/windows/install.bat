@echo off
rem xlgbreport offline install (see docs/excel.md). Python from python.org must be installed first.
chcp 65001 >nul
setlocal
cd /d "%~dp0"
py -3 -c "import sys; sys.exit(sys.version_info < (3, 11))" || goto nopython
echo 请先关闭 Excel。正在安装 xlgbreport 和 xlwings（不需要联网）……
py -3 -m pip install --no-index --find-links wheels --upgrade "xlgbreport[excel]" || goto failed
if exist xlgbreport.xlam (
  py -3 -c "from xlwings.cli import main; main()" addin install --file "%~dp0xlgbreport.xlam" || goto failed
) else (
  py -3 -c "from xlwings.cli import main; main()" addin install || goto failed
)
py -3 -m xlgbreport excel doctor
pause
exit /b 0
:nopython
echo 没有找到 Python 3.11 或更新版本：请从 python.org 下载安装（选 Install Now），再运行本文件。
pause
exit /b 1
:failed
echo 安装没有完成：请把本窗口截图发给维护人员。
pause
exit /b 1
