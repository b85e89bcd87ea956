"""Readers turn a source file into a Migration. A reader claims files by name;
plain SQL is the fallback for anything explicitly given."""

from __future__ import annotations

from migrationlint.context import Migration
from migrationlint.readers.sql import read_sql
from migrationlint.source import SourceFile
from migrationlint.versions import Version

# File name suffixes that folder discovery picks up.
MIGRATION_SUFFIXES = (".sql",)


def read_migration(source: SourceFile, dialect: str, version: Version) -> Migration:
    return read_sql(source, dialect, version)
