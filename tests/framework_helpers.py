"""Helpers for the framework reader tests: read files the way the CLI does."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

from helpers import TIMEOUT_NOTES, options
from migrationlint import model as m
from migrationlint.context import Migration
from migrationlint.engine import lint_source
from migrationlint.findings import Finding
from migrationlint.readers import read_migration
from migrationlint.source import read_file
from migrationlint.versions import default_version

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "frameworks"


def read(path: Path, dialect: str = "postgres", convention: str = "auto") -> Migration:
    source = read_file(str(path), str(path))
    return read_migration(source, dialect, default_version(dialect), convention)


def lint_file(path: Path, dialect: str = "postgres") -> List[Finding]:
    return lint_source(read_file(str(path), str(path)), options(dialect))


def operations(migration: Migration) -> List[Tuple[int, m.Operation]]:
    """(line, operation) for every operation of the file, in order."""
    return [(op.span.line, op) for s in migration.statements for op in s.operations]


def of_type(migration: Migration, kind: type) -> List[m.Operation]:
    return [op for _, op in operations(migration) if isinstance(op, kind)]


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def django_app(folder: Path, app: str, migrations: Dict[str, str]) -> Path:
    """Writes ``<folder>/<app>/migrations/<name>.py`` for each (name, source) in order;
    returns the last file's path."""
    directory = folder / app / "migrations"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory
    for name, text in migrations.items():
        path = directory / f"{name}.py"
        path.write_text(text, encoding="utf-8")
    return path


def lint_django(path: Path, dialect: str = "postgres") -> List[Finding]:
    """Findings of a Django migration, the once-per-file lock-timeout notes left out."""
    return lint_source(read_file(str(path), str(path)), options(dialect, ignore=TIMEOUT_NOTES))
