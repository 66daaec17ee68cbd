@echo off
rem xlgbreport offline install (see docs/excel.md). No admin, no network.
rem One virtual environment in the user's profile (default %LOCALAPPDATA%\xlgbreport\venv),
rem the add-in copied to Excel's XLSTART folder, and the add-in told to run that Python
rem (INTERPRETER_WIN in %USERPROFILE%\.PROJECT\PROJECT.conf), for functions and buttons alike.
rem Every step is checked after it ran: xlwings addin install says nothing and returns 0 even
rem when it failed. The messages are UTF-8: chcp 65001 comes before the first of them, and
rem everything above it is ASCII.
rem Usage: install.bat [FOLDER]   (FOLDER: where the virtual environment goes)
chcp 65001 >nul
setlocal EnableExtensions
cd /d "%~dp0"
set "HOME_DIR=%LOCALAPPDATA%\xlgbreport"
if not "%~1"=="" set "HOME_DIR=%~1"
set "VENV=%HOME_DIR%\venv"
set "PY=%VENV%\Scripts\python.exe"
set "PYW=%VENV%\Scripts\pythonw.exe"
set "XLSTART=%APPDATA%\Microsoft\Excel\XLSTART"
set "XLWINGS_VERSION="
for /f "tokens=2 delims==" %%v in ('findstr /b /i /c:"xlwings==" constraints.txt') do set "XLWINGS_VERSION=%%v"
if not defined XLWINGS_VERSION goto noconstraints
set "DLL=xlwings64-%XLWINGS_VERSION%.dll"
set "ADDIN=xlwings.xlam"
set "PROJECT=xlwings"
if exist xlgbreport.xlam set "ADDIN=xlgbreport.xlam"
if exist xlgbreport.xlam set "PROJECT=xlgbreport"

rem 1. a Python 3.11 or newer from python.org: py -3 first, then python on PATH
set "BASE="
py -3 -c "import sys; sys.exit(sys.version_info < (3, 11) or 'WindowsApps' in sys.executable)" >nul 2>&1 && set "BASE=py -3"
if not defined BASE python -c "import sys; sys.exit(sys.version_info < (3, 11) or 'WindowsApps' in sys.executable)" >nul 2>&1 && set "BASE=python"
if not defined BASE goto nopython
echo 请先关闭 Excel。正在安装到 %VENV%，不需要联网……

rem 2. the virtual environment, made afresh
%BASE% -m venv --clear "%VENV%"
if not exist "%PY%" goto novenv
if not exist "%PYW%" goto novenv

rem 3. xlgbreport and xlwings from wheels, at the pinned versions
"%PY%" -m pip install --no-index --find-links wheels -c constraints.txt --upgrade "xlgbreport[excel]"
"%PY%" -c "import sys, xlgbreport, xlwings; sys.exit(xlwings.__version__ != sys.argv[1])" %XLWINGS_VERSION% || goto noimport
if not exist "%VENV%\%DLL%" if not exist "%VENV%\Scripts\%DLL%" goto nodll

rem 4. the add-in into XLSTART
if not exist xlgbreport.xlam goto xlwingsaddin
"%PY%" -c "from xlwings.cli import main; main()" addin install --file "%~dp0xlgbreport.xlam"
goto addindone
:xlwingsaddin
"%PY%" -c "from xlwings.cli import main; main()" addin install
:addindone
if not exist "%XLSTART%\%ADDIN%" goto noaddin

rem 5. the add-in runs this environment's pythonw.exe
"%PY%" -c "import sys; from xlgbreport.excel import userconf; userconf.configure(sys.argv[1], sys.argv[2])" "%PYW%" %PROJECT% || goto noconf
if not exist "%USERPROFILE%\.%PROJECT%\%PROJECT%.conf" goto noconf

rem 6. the doctor checks it all as the add-in will see it
"%PY%" -m xlgbreport excel doctor || goto doctor
echo 安装完成：打开 Excel 即可使用。
pause
exit /b 0

:noconstraints
echo 安装包不完整：install.bat 旁边没有 constraints.txt，或其中没有 xlwings 的版本。请向县里重新索取安装包。
goto failed
:nopython
echo 没有找到 Python 3.11 或更新版本：请从 python.org 下载安装，选 Install Now，不要用 Microsoft Store 里的 Python，再运行本文件。
goto failed
:novenv
echo 没能在 %VENV% 建立 Python 环境：请关闭 Excel 后再运行本文件；仍不行，换一个文件夹：install.bat C:\xlgbreport
goto failed
:noimport
echo 安装 xlgbreport 和 xlwings %XLWINGS_VERSION% 没有成功，见上方 pip 的信息：请关闭 Excel 后再运行本文件。
goto failed
:nodll
echo %VENV% 里没有 %DLL%，加载项会报“找不到 DLL”：可能被杀毒软件隔离了，请在杀毒软件里恢复并信任该文件夹，再运行本文件。
goto failed
:noaddin
echo 加载项没有装进 Excel 启动文件夹 %XLSTART%：请关闭 Excel，检查杀毒软件是否隔离了 %ADDIN%，再运行本文件。
goto failed
:noconf
echo 没能写入 %USERPROFILE%\.%PROJECT%\%PROJECT%.conf，加载项不知道用哪个 Python：见上方的信息。
goto failed
:doctor
echo 已装好，但检查发现上面标 ✘ 的问题：请按每行的提示处理。
goto failed
:failed
echo 安装没有完成：请把本窗口截图发给维护人员。
pause
exit /b 1
