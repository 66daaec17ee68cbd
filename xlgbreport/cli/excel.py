"""``xlgbreport excel …``: the add-in's setup, for clerks (doctor) and the county's IT staff
(build-addin)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import api
from .exits import code_for
from .output import say

ADDIN_NAME = "xlgbreport.xlam"
SELFTEST_FOLDER = "xlgbreport-自检"
BUILT = "已生成 {path}：功能区“{tab}”和配置表 {conf} 已写好"
IMPORTED = "已导入函数和按钮的宏。请把 {path} 发给各单位，用 xlwings addin install --file {name} 安装"
LATER = "还差一步：在装有 Excel 的 Windows 电脑上运行同一条命令，导入函数和按钮的宏（需要勾选“信任对 VBA 工程对象模型的访问”）"


@click.group()
def excel() -> None:
    """Excel 加载项：检查安装（doctor）、新电脑的自检（selftest）、制作县里统一发放的加载项（build-addin）。"""


@excel.command("doctor")
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
def doctor_command(workbook: Path | None) -> None:
    """检查本机的 Python、xlwings、加载项和信任设置；给出工作簿时也检查它的 xlwings.conf 表和宏。"""
    batch = api.excel_doctor(workbook)
    for check in batch.files:
        for line in check.notes:
            say(line)
    say(batch.headline)
    sys.exit(code_for(batch))


@excel.command("selftest")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path(SELFTEST_FOLDER), show_default=True, help="自检工作簿和结果文件的文件夹")
@click.option("--force", is_flag=True, help="覆盖文件夹里上次自检的工作簿")
def selftest_command(output: Path, force: bool) -> None:
    """新电脑装好加载项后先运行：用 Excel 计算已知数据，逐项与命令行的结果比较，并写出可发回的结果文件。"""
    batch = api.excel_selftest(output, overwrite=force)
    for step in batch.files:
        for line in step.notes:
            say(line)
    for line in batch.files[0].extra["versions"] if batch.files else ():
        say(line)
    say(batch.headline)
    sys.exit(code_for(batch))


@excel.command("build-addin")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path(ADDIN_NAME), show_default=True, help="加载项的保存位置")
@click.option("--interpreter", help="各单位电脑上 pythonw.exe 的位置，可写环境变量，如 "
              r"%LOCALAPPDATA%\xlgbreport\venv\Scripts\pythonw.exe；不写则用 install.bat 写入的用户配置"
              "（没有配置时才用 PATH 上的 pythonw）")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件")
def build_addin(output: Path, interpreter: str | None, force: bool) -> None:
    """由 xlwings 自带的模板制作县级加载项（.xlam）：年报选项卡（校验、结转上年数据、生成报告）和函数。"""
    done = api.build_addin(output, interpreter, overwrite=force)
    say(BUILT.format(path=output, tab=done.extra["tab"], conf=done.extra["conf_sheet"]))
    say(IMPORTED.format(path=output, name=output.name) if done.extra["vba_imported"] else LATER)
