"""Broken framework files never crash a reader: every fixture with any one line removed
still reads (parse errors become findings, not tracebacks)."""

from __future__ import annotations

import pytest

from framework_helpers import FIXTURES
from helpers import options
from migrationlint.engine import lint_source
from migrationlint.readers import NotAMigration
from migrationlint.source import SourceFile

FILES = sorted(p for p in FIXTURES.rglob("*")
               if p.is_file() and p.suffix in (".py", ".xml", ".yaml", ".json"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_line_removed(path):
    lines = path.read_text(encoding="utf-8").splitlines(True)
    for number in range(len(lines)):
        text = "".join(lines[:number] + lines[number + 1:])
        try:
            lint_source(SourceFile(str(path), text), options())
        except NotAMigration:
            pass  # removing the import line can make it no migration at all
