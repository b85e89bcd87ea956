"""Run the real `migrationlint check` command inside a throwaway git repository."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Sequence

from click.testing import Result

from helpers import separate_streams_runner

from migrationlint.cli import cli


def make_repo(root: Path, files: Dict[str, str]) -> Path:
    """A folder that counts as a git repository root (it holds `.git`), with ``files``."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return root


def run_check(cwd: Path, args: Sequence[str], stdin: str = "") -> Result:
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return separate_streams_runner().invoke(cli, ["check", *args], input=stdin, catch_exceptions=False)
    finally:
        os.chdir(previous)
