"""What ``validate`` costs before it reads a file: the modules it imports, and the helpers that
stand in for a library so that it need not import it."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import warnings

from xlsxwriter import utility

from xlgbreport.workbook import layout

#: Libraries other commands need (writing workbooks, rendering, the add-in, pools) and
#: ``validate`` never does: each costs as much start-up as reading several workbooks.
NOT_FOR_VALIDATE = ("xlsxwriter", "jinja2", "openpyxl", "docxtpl", "urllib.request",
                    "multiprocessing", "xlgbreport.rendering", "xlgbreport.actions.carry",
                    "xlgbreport.workbook.formulas", "xlgbreport.importer")


def test_validate_imports_only_what_it_uses(tmp_path) -> None:
    from xlgbreport.workbook import writer as workbook_writer

    workbook_writer.write(tmp_path / "a.xlsx")
    code = ("import sys\nfrom xlgbreport.cli import main\n"
            f"sys.argv = ['xlgbreport', 'validate', '--format', 'json', {str(tmp_path)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "import json\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert '"valid"' in done.stdout  # the file was read and checked
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    assert not {m for m in loaded for name in NOT_FOR_VALIDATE if m == name or m.startswith(name + ".")}


def test_help_still_lists_every_command() -> None:
    from click.testing import CliRunner

    from xlgbreport.cli import cli

    out = CliRunner().invoke(cli, ["--help"]).output
    for name in ("validate", "render", "import", "consolidate", "excel", "export", "new", "carry-forward"):
        assert f"  {name} " in out


def test_cell_references_are_xlsxwriters() -> None:
    columns = [*range(0, 800), 16383, 16384, 18277, 18278, 475253, 475254]
    for row, col, row_abs, col_abs in itertools.product([0, 1, 9, 1048575], columns,
                                                        [False, True], [False, True]):
        assert (layout.xl_rowcol_to_cell(row, col, row_abs, col_abs)
                == utility.xl_rowcol_to_cell(row, col, row_abs, col_abs))
    with warnings.catch_warnings(record=True) as caught:  # a name's row 0: as XlsxWriter does
        warnings.simplefilter("always")
        assert layout.xl_rowcol_to_cell(-1, 2) == layout.xl_rowcol_to_cell(2, -1) == ""
    assert len(caught) == 2
    for name in ("封面", "依申请公开", "A1", "R1C1", "Sheet 1", "it's", "1st", "'quoted'"):
        assert layout.quote_sheetname(name) == utility.quote_sheetname(name)
