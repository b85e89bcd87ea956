"""Readers turn a source file into a Migration.

Which reader applies is decided from the file's name and content: Python files that
import Alembic's ``op`` or define a Django ``Migration`` class, Liquibase changelogs
(XML/YAML/JSON with a ``databaseChangeLog`` root, or SQL starting with
``--liquibase formatted sql``), and plain SQL read under a directory convention
(Flyway, golang-migrate, dbmate, goose, sqitch, Atlas, Prisma, Diesel; ``conventions.py``).
Discovery asks ``reason_not_linted`` so that other ``.py``/``.json``/... files, and
down/undo/revert scripts, are skipped: silently in a searched folder, with a warning
when named explicitly.
"""

from __future__ import annotations

import os
import re
from typing import Optional, Tuple

from migrationlint.context import Migration
from migrationlint.source import SourceFile
from migrationlint.versions import Version

# Plain SQL: ``.sql``, and the PostgreSQL files ``.pgsql`` and ``.psql`` (psql scripts,
# editors' PostgreSQL mode), read in the configured dialect like any other.
SQL_SUFFIXES = (".sql", ".pgsql", ".psql")
# Framework files, linted only when their content is a known framework's migration.
FRAMEWORK_SUFFIXES = (".py", ".xml", ".yaml", ".yml", ".json")
# File name suffixes that discovery considers; ``reason_not_linted`` decides on content.
MIGRATION_SUFFIXES = SQL_SUFFIXES + FRAMEWORK_SUFFIXES
# How much of a non-SQL file is read to recognise its framework.
_SNIFF_CHARS = 65536
# Patterns for Python files, compiled by re on first use: plain SQL runs never need them.
_DJANGO_MIGRATION = r"(?m)^class\s+\w+\s*\(\s*(?:\w+\.)*Migration\s*\)\s*:"
_ALEMBIC_OP = r"(?m)^\s*from\s+alembic\s+import\s+[^\n]*\bop\b|^\s*import\s+alembic\b"
_LIQUIBASE_SQL = re.compile(r"\A\s*--\s*liquibase\s+formatted\s+sql", re.I)


class NotAMigration(ValueError):
    """Standard input named as a framework file that no reader recognises: not linted,
    and, like a named file that is no migration, said skipped in one line on standard
    error and in no report (engine.lint_one marks it a deliberate skip)."""


_UNKNOWN_FRAMEWORK = "not a migration of a known framework (Alembic, Django, Liquibase)"


def framework_of(path: str, text: str) -> Optional[str]:
    """"alembic", "django", "liquibase", "liquibase-sql", "sql", or None."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in SQL_SUFFIXES:
        return "liquibase-sql" if _LIQUIBASE_SQL.match(text) else "sql"
    if suffix == ".py":
        if re.search(_DJANGO_MIGRATION, text) and "operations" in text:
            return "django"
        if re.search(_ALEMBIC_OP, text) and "def upgrade" in text:
            return "alembic"
        return None
    if suffix in (".xml", ".yaml", ".yml", ".json") and "databaseChangeLog" in text:
        return "liquibase"
    return None


def reason_not_linted(
    path: str, convention: str = "auto", more_sql: Tuple[str, ...] = ()
) -> Optional[str]:
    """Why ``path`` is not linted, or None: not a migration of a known framework (by its
    suffix, or its content for non-SQL files), or a script the convention never runs
    forward (down, undo, revert, verify). Folder discovery skips such files silently;
    a file named explicitly is reported as skipped with this reason. ``more_sql``: the
    configured extend_sql_suffixes."""
    from migrationlint.readers.conventions import skip_reason

    suffix = os.path.splitext(path)[1].lower()
    if suffix not in MIGRATION_SUFFIXES + more_sql:
        known = ", ".join(dict.fromkeys(SQL_SUFFIXES + more_sql + FRAMEWORK_SUFFIXES))
        return f"not a migration (migrations are {known} files)"
    if suffix in SQL_SUFFIXES + more_sql:
        return skip_reason(path, convention, more_sql)
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as handle:
            head = handle.read(_SNIFF_CHARS)
    except OSError:
        return None  # let the reader report why it cannot be read
    return None if framework_of(path, head) is not None else _UNKNOWN_FRAMEWORK


def read_migration(
    source: SourceFile, dialect: str, version: Version, convention: str = "auto",
    more_sql: Tuple[str, ...] = (),
) -> Migration:
    """``more_sql``: the configured extend_sql_suffixes, which convention detection
    needs (``0001_x.up.ddl`` is a golang-migrate script)."""
    framework = framework_of(source.path, source.text)
    if framework == "alembic":
        from migrationlint.readers.alembic import read_alembic

        return read_alembic(source, dialect, version)
    if framework == "django":
        from migrationlint.readers.django import read_django

        return read_django(source, dialect, version)
    if framework == "liquibase":
        from migrationlint.readers.liquibase import read_changelog

        return read_changelog(source, dialect, version)
    if framework == "liquibase-sql":
        from migrationlint.readers.liquibase import read_formatted_sql

        return read_formatted_sql(source, dialect, version)
    # Files named explicitly were checked by reason_not_linted; this is standard input
    # under a framework file's name.
    if framework is None and os.path.splitext(source.path)[1].lower() in FRAMEWORK_SUFFIXES:
        raise NotAMigration(f"{source.path}: skipped, {_UNKNOWN_FRAMEWORK}")
    from migrationlint.readers.conventions import read_plain_sql

    return read_plain_sql(source, dialect, version, convention, more_sql)
