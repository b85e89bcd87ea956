"""Ctrl-C: the run stops with exit code 130 and one line, never "findings" (exit 1),
never a traceback from the main process or a worker, and never half a report file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrationlint import parallel
from migrationlint.cli import EXIT_INTERRUPTED, cli

STATEMENTS = (
    "ALTER TABLE orders_{n} RENAME COLUMN note TO notes;\n"
    "CREATE INDEX orders_{n}_note_idx ON orders_{n} (note);\n"
    "ALTER TABLE orders_{n} ADD COLUMN status_{n} text NOT NULL;\n"
)


def test_an_interrupt_exits_130_with_one_line(tmp_path, monkeypatch):
    (tmp_path / "0001.sql").write_text(STATEMENTS.format(n=1))
    monkeypatch.chdir(tmp_path)

    def interrupted(task):
        raise KeyboardInterrupt

    monkeypatch.setattr(parallel, "_lint_task", interrupted)
    result = CliRunner().invoke(cli, ["check", "0001.sql", "--no-cache"])
    assert result.exit_code == EXIT_INTERRUPTED == 130
    assert result.stderr.strip() == "migrationlint: interrupted"
    assert "Aborted" not in result.output


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the workers")
def test_ctrl_c_stops_a_parallel_run_cleanly(tmp_path):
    # Enough SQL for worker processes, and for the run to last well past the interrupt.
    for n in range(600):
        (tmp_path / f"{n:04}_orders.sql").write_text(STATEMENTS.format(n=n) * 10)
    report = tmp_path / "report.txt"
    process = subprocess.Popen(
        [sys.executable, "-m", "migrationlint", "check", ".", "--no-cache", "--jobs", "2",
         "-o", str(report)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        # A shell starts background commands with SIGINT ignored; a terminal's does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _wait_for_workers(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # hung: leave no process behind
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert stderr.decode().strip() == "migrationlint: interrupted"
    assert not report.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def _wait_for_workers(pid: int) -> None:
    """Until the run has started its worker processes (children of ``pid``)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for _ in range(600):
        if children.exists() and len(children.read_text().split()) >= 2:
            return
        time.sleep(0.05)
    raise AssertionError("the run did not start its workers")
