"""Index visibility as each server spells it: MySQL's VISIBLE / INVISIBLE and MariaDB's
IGNORED / NOT IGNORED, in CREATE INDEX, ALTER TABLE ... ADD INDEX / ADD UNIQUE / ALTER INDEX
and inside CREATE TABLE, read on both reader paths and judged by ML114 for the target."""

from __future__ import annotations

import pytest

from helpers import lint
from migrationlint import model as m
from migrationlint.readers import read_migration
from migrationlint.source import SourceFile
from migrationlint.versions import Version


def operations(sql, dialect="mariadb"):
    migration = read_migration(SourceFile("m.sql", sql), dialect, Version("10.11"), "auto")
    return [op for statement in migration.statements for op in statement.operations]


def ml114(sql, dialect, version):
    return [(f.span.line, f.span.column) for f in lint(sql, dialect=dialect, version=version)
            if f.rule == "ML114"]


@pytest.mark.parametrize("sql, kind, word", [
    ("ALTER TABLE t ADD INDEX i (a) IGNORED;", m.CreateIndex, "IGNORED"),
    ("ALTER TABLE t ADD KEY i (a) NOT IGNORED, ALGORITHM=INPLACE, LOCK=NONE;",
     m.CreateIndex, "NOT IGNORED"),
    ("ALTER TABLE t ADD FULLTEXT INDEX f (a) COMMENT 'IGNORED' IGNORED;", m.CreateIndex, "IGNORED"),
    ("ALTER TABLE t ADD UNIQUE KEY u (a) IGNORED;", m.AddConstraint, "IGNORED"),
    ("ALTER TABLE t ADD CONSTRAINT c UNIQUE (a) NOT IGNORED;", m.AddConstraint, "NOT IGNORED"),
    ("ALTER TABLE t ADD UNIQUE KEY u (a) INVISIBLE;", m.AddConstraint, "INVISIBLE"),
])
def test_add_index_visibility_is_recorded(sql, kind, word):
    [index] = [op for op in operations(sql) if isinstance(op, kind)]
    assert index.visibility == word


def test_ignored_goes_to_its_own_index_only():
    ops = operations("ALTER TABLE t ADD INDEX ignored (a), ADD COLUMN b INT, "
                     "ADD INDEX j (b) IGNORED;")
    assert [(type(op).__name__, getattr(op, "visibility", None)) for op in ops] == [
        ("CreateIndex", None), ("AddColumn", None), ("CreateIndex", "IGNORED")]


def test_create_table_index_visibility_is_recorded():
    [table] = operations(
        "CREATE TABLE t (a INT, ignored INT, INDEX i (a) IGNORED, KEY k (a) NOT IGNORED, "
        "UNIQUE KEY u (a) INVISIBLE, CONSTRAINT c UNIQUE (a) VISIBLE, KEY ignored (ignored), "
        "PRIMARY KEY (a)) PARTITION BY HASH (a) PARTITIONS 4;")
    assert [(i.name.name, i.visibility) for i in table.indexes] == [
        ("i", "IGNORED"), ("k", "NOT IGNORED"), ("u", "INVISIBLE"), ("c", "VISIBLE"),
        ("ignored", None)]


@pytest.mark.parametrize("sql, dialect, version, found", [
    # MariaDB's words on MySQL: no MySQL version takes them.
    ("ALTER TABLE t ADD INDEX i (a) NOT IGNORED;", "mysql", "8.0", [(1, 25)]),
    ("ALTER TABLE t ADD INDEX i (a) IGNORED;", "mysql", "8.4", [(1, 25)]),
    ("ALTER TABLE t ADD INDEX i (a) IGNORED;", "mariadb", "10.5", [(1, 25)]),
    ("ALTER TABLE t ADD INDEX i (a) IGNORED;", "mariadb", "10.6", []),
    ("ALTER TABLE t ADD UNIQUE KEY u (a) INVISIBLE;", "mariadb", "10.11", [(1, 30)]),
    ("ALTER TABLE t ADD UNIQUE KEY u (a) INVISIBLE;", "mysql", "5.7", [(1, 30)]),
    ("ALTER TABLE t ADD UNIQUE KEY u (a) INVISIBLE;", "mysql", "8.0", []),
    # Each index of a CREATE TABLE where it is written.
    ("CREATE TABLE t (a INT, KEY k (a) INVISIBLE, KEY j (a) IGNORED);", "mysql", "8.0",
     [(1, 49)]),
    ("CREATE TABLE t (a INT, KEY k (a) INVISIBLE, KEY j (a) IGNORED);", "mysql", "5.7",
     [(1, 28), (1, 49)]),
    ("CREATE TABLE t (a INT, KEY k (a) INVISIBLE, KEY j (a) IGNORED);", "mariadb", "10.11",
     [(1, 28)]),
    ("CREATE TABLE t (a INT, KEY k (a) INVISIBLE, KEY j (a) IGNORED);", "mariadb", "10.5",
     [(1, 28), (1, 49)]),
    # MariaDB 10.11 takes VISIBLE in an index definition (a no-op), not in ALTER INDEX.
    ("CREATE TABLE t (a INT, KEY k (a) VISIBLE);", "mariadb", "10.11", []),
    ("ALTER TABLE t ADD INDEX i (a) VISIBLE;", "mariadb", "10.11", []),
    ("ALTER TABLE t ALTER INDEX i VISIBLE;", "mariadb", "10.11", [(1, 27)]),
])
def test_visibility_is_judged_for_the_target(sql, dialect, version, found):
    assert ml114(sql, dialect, version) == found
