"""carry-forward killed (SIGKILL) at random moments: the workbook is always the old version or
the new one, never half of either, and every backup is the original.

Each run is a fresh process that imports everything, says it is ready, and waits for a line on
its standard input; the kill then comes at a random moment of the carry itself (its reading,
patching, backup, writing and renaming), not of Python's start-up. A run that was not killed in
time finishes. After every kill the next run must work as if nothing happened, and removes the
killed run's temporary file. ``XLG_CARRY_KILLS`` sets the number of kills (CI: a few dozen).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_carry_forward import clerk_workbook, last_year

from xlgbreport.files import atomic

KILLS = int(os.environ.get("XLG_CARRY_KILLS", "24"))
CHILD = """
import sys
from xlgbreport import cli
sys.argv = ["xlgbreport", "carry-forward", "--prior", sys.argv[1], sys.argv[2]]
print("ready", flush=True)
sys.stdin.readline()
cli.main()
"""


def start(last: Path, target: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(last), str(target)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def go(proc: subprocess.Popen) -> float:
    proc.stdin.write("\n")
    proc.stdin.flush()
    return time.monotonic()


@pytest.mark.slow
def test_a_killed_carry_leaves_the_old_file_or_the_new(tmp_path: Path) -> None:
    target, last = clerk_workbook(tmp_path), last_year(tmp_path)
    old = target.read_bytes()

    proc = start(last, target)  # one whole run: the new version, and how long a carry takes
    began = go(proc)
    assert proc.wait(timeout=60) == 0
    took = time.monotonic() - began
    new = target.read_bytes()
    assert new != old and atomic.backup_name(target).read_bytes() == old

    rng = random.Random(20261201)
    outcomes = {"old": 0, "new": 0, "temporary left": 0}
    proc = start(last, target)
    for _ in range(KILLS):
        if target.read_bytes() == new:  # begin again from the old version (backups stay)
            target.write_bytes(old)
        spare = start(last, target)  # the next run warms up while this one is killed
        began = go(proc)
        time.sleep(max(0.0, began + rng.uniform(0, took * 1.2) - time.monotonic()))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)

        now = target.read_bytes()
        assert now in (old, new), "a half-written workbook"
        outcomes["old" if now == old else "new"] += 1
        outcomes["temporary left"] += bool(atomic.stale_temps(target))
        backups = list(target.parent.glob(f"{target.name}*.bak"))
        assert atomic.backup_name(target) in backups
        for backup in backups:  # every backup is of the old version: the original
            assert backup.read_bytes() == old, backup.name
        proc = spare

    target.write_bytes(old)
    go(proc)  # a last run, not killed: it carries and clears what the killed ones left
    assert proc.wait(timeout=60) == 0
    assert target.read_bytes() == new
    assert atomic.stale_temps(target) == [] and not atomic.lock_name(target).exists()
    assert atomic.backup_name(target).read_bytes() == old
    print(f"{KILLS} kills: {outcomes}")
