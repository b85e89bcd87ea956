"""Shared test helpers: lint SQL text the way the CLI would."""

from __future__ import annotations

import inspect
from typing import List, Optional, Sequence

from click.testing import CliRunner

from migrationlint.engine import LintOptions, lint_source
from migrationlint.findings import Finding
from migrationlint.selection import Selection
from migrationlint.source import SourceFile
from migrationlint.versions import Version, default_version


# The once-per-file lock-timeout notes fire on almost any ALTER of an existing table;
# tests about other behaviour ignore them explicitly with ``ignore=TIMEOUT_NOTES``.
TIMEOUT_NOTES = ("ML214", "ML411")


def options(dialect: str = "postgres", version: Optional[str] = None,
            select: Sequence[str] = (), ignore: Sequence[str] = ()) -> LintOptions:
    return LintOptions(
        dialect=dialect,
        version=Version(version) if version else default_version(dialect),
        selection=Selection.build(dialect, select, ignore),
    )


def lint(sql: str, dialect: str = "postgres", version: Optional[str] = None,
         select: Sequence[str] = (), path: str = "migration.sql",
         ignore: Sequence[str] = ()) -> List[Finding]:
    return lint_source(SourceFile(path, sql), options(dialect, version, select, ignore))


def codes(sql: str, **kwargs) -> List[str]:
    return [f.rule for f in lint(sql, **kwargs)]


def separate_streams_runner() -> CliRunner:
    """A CliRunner whose results give stdout and stderr apart on every supported click:
    click 8.2+ always does (and dropped the option), older ones (the newest for Python
    3.9 is 8.1) only when asked with ``mix_stderr=False``."""
    if "mix_stderr" in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()
