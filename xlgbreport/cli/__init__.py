"""The ``xlgbreport`` command: a thin click layer over the front door (:mod:`xlgbreport.api`),
one module per group of commands; texts for clerks are Chinese. How a command ends is decided
here only, from its results, by the table in :mod:`.exits`."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from .. import api
from . import chinese, consolidate, excel, validate, workbooks
from .exits import EXIT_CODES, HELP
from .output import say

chinese.install()  # before any command is declared: click's own words in Chinese


class _Commands(click.Group):
    """The commands, ``render`` and ``import`` among them only when run or listed: the render
    package (Jinja2, the Word writer) and the importer's readers (PDF, HTML) would add to every
    ``validate`` run as much time to import as reading dozens of workbooks takes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY and cmd_name not in self.commands:
            self.add_command(_LAZY[cmd_name](), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]}, epilog=HELP)
@click.version_option(package_name="xlgbreport")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, param, on: api.logs.show_on_stderr() if on or api.logs.debugging() else None,
              help="在屏幕（stderr）上显示内部错误的完整信息（同 XLGBREPORT_DEBUG=1）")
def cli() -> None:
    """xlgbreport：政府信息公开工作年度报告的模板、校验、汇总、生成报告与导入。

    \b
    常用的次序：
      template / new / rollover   取得本年度工作簿（空白、新建或由上年生成）
      carry-forward               把上年数据结转到本年工作簿
      validate                    校验填好的工作簿
      consolidate                 汇总各单位的工作簿
      render                      生成可发布的年度报告
      compare                     生成本年与上年的对比报告
      import                      导入已发布的年度报告
      export                      导出为交换 JSON
      excel                       Excel 加载项的检查与制作

    每个命令的用法：xlgbreport 命令 --help"""


def _render_command() -> click.Command:
    from .render import render_command

    return render_command()


def _import_command() -> click.Command:
    from .importer import import_command

    return import_command()


def _compare_command() -> click.Command:
    from .compare import compare_command

    return compare_command()


_LAZY: dict[str, Callable[[], click.Command]] = {"render": _render_command, "import": _import_command,
                                                 "compare": _compare_command}
for _command in (workbooks.template, workbooks.new, workbooks.export, workbooks.rollover,
                 workbooks.carry_forward, validate.validate, consolidate.consolidate, excel.excel):
    cli.add_command(_command)


def main() -> None:
    """Entry point: a refusal becomes one Chinese line (``✘ name：reason``) on stderr and its exit
    code, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except api.XlgbreportError as exc:
        say(f"✘ {exc.message}", err=True)  # the message is already "name：reason"
        sys.exit(EXIT_CODES["refused"])
    except click.exceptions.Abort:
        sys.exit(EXIT_CODES["interrupted"])
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # the last guard before a clerk's screen: one line, the log names the rest
        logged = api.logs.record(exc, "xlgbreport " + " ".join(sys.argv[1:]))
        click.echo(api.errors.INTERNAL.format(error=f"{type(exc).__name__}: {exc}",
                                              log=api.logs.see(logged)), err=True)
        sys.exit(EXIT_CODES["internal"])
