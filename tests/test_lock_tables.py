"""ML413 lock-tables: MySQL/MariaDB LOCK TABLES in a migration, and how it is read."""

from __future__ import annotations

import pytest

from helpers import lint
from migrationlint import model as m
from migrationlint.readers import read_migration
from migrationlint.source import SourceFile
from migrationlint.versions import Version


def ml413(sql, dialect="mysql"):
    return [f for f in lint(sql, dialect=dialect) if f.rule == "ML413"]


def test_lock_tables_is_read_per_table_with_its_mode():
    sql = "LOCK TABLES `orders` WRITE, order_items AS oi READ LOCAL, audit LOW_PRIORITY WRITE;"
    migration = read_migration(SourceFile("m.sql", sql), "mysql", Version("8.0"), "auto")
    locks = migration.statements[0].operations
    assert [(op.table.name.name, op.mode) for op in locks if isinstance(op, m.LockTable)] == [
        ("orders", "WRITE"), ("order_items", "READ LOCAL"), ("audit", "LOW_PRIORITY WRITE")]


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_lock_tables_on_an_existing_table_is_reported_with_its_unlock(dialect):
    sql = ("LOCK TABLES `orders` WRITE, customers READ;\n"
           "UPDATE `orders` SET status = 'x' WHERE id = 1;\n"
           "UNLOCK TABLES;\n")
    [finding] = ml413(sql, dialect)
    assert finding.span.line == 1
    assert ("a WRITE lock on `orders` (other sessions' reads and writes of it wait), a READ "
            "lock on customers (other sessions' writes of it wait), until UNLOCK TABLES on "
            "line 3") in finding.message
    assert "commits any open transaction" in finding.message and "ERROR 1100" in finding.message
    assert "`orders`, customers" in finding.rewrite.steps[1].title


def test_lock_table_without_unlock_holds_until_the_session_ends():
    [finding] = ml413("LOCK TABLE orders READ;\nSELECT 1;\n")
    assert "never runs UNLOCK TABLES, so until the session ends" in finding.message


def test_lock_tables_on_a_table_the_file_created_is_not_reported():
    sql = ("CREATE TABLE countries (code CHAR(2) PRIMARY KEY);\n"
           "LOCK TABLES countries WRITE;\n"
           "INSERT INTO countries VALUES ('NO');\n"
           "UNLOCK TABLES;\n")
    assert ml413(sql) == []


def test_lock_tables_is_no_ddl_for_the_transaction_rules():
    # LOCK TABLES is no schema change: a data-only file with it is not "multiple DDL".
    sql = ("LOCK TABLES orders WRITE;\nUPDATE orders SET a = 1 WHERE id = 1;\nUNLOCK TABLES;\n")
    assert {f.rule for f in lint(sql, dialect="mysql")} == {"ML413"}


@pytest.mark.parametrize("unlock", ["UNLOCK TABLES;", "unlock table;", "UNLOCK\n  TABLE"])
def test_unlock_table_and_unlock_tables_are_read_as_one_operation(unlock):
    migration = read_migration(SourceFile("m.sql", unlock), "mysql", Version("8.0"), "auto")
    [statement] = migration.statements
    assert [type(op) for op in statement.operations] == [m.UnlockTables]


def test_unlock_table_synonym_releases_the_locks():
    findings = lint("lock table orders write;\nunlock table;\n", dialect="mysql")
    assert [f.rule for f in findings] == ["ML413"]  # no parse error on UNLOCK TABLE
    assert "until UNLOCK TABLES on line 2" in findings[0].message


def test_unlock_table_is_no_ddl_for_the_transaction_rules():
    sql = "LOCK TABLE orders WRITE;\nUPDATE orders SET a = 1 WHERE id = 1;\nUNLOCK TABLE;\n"
    assert {f.rule for f in lint(sql, dialect="mysql")} == {"ML413"}


def test_a_second_lock_tables_releases_the_locks_of_the_first():
    sql = "LOCK TABLES orders WRITE;\nLOCK TABLES customers READ;\nUNLOCK TABLES;\n"
    first, second = ml413(sql)
    assert "until the LOCK TABLES on line 2, which releases them" in first.message
    assert "until UNLOCK TABLES on line 3" in second.message


@pytest.mark.parametrize("begin", ["START TRANSACTION;", "BEGIN;", "begin work;"])
def test_beginning_a_transaction_releases_the_locks(begin):
    # MySQL: beginning a transaction performs an implicit UNLOCK TABLES.
    sql = f"LOCK TABLES orders WRITE;\nUPDATE orders SET a = 1 WHERE id = 1;\n{begin}\nCOMMIT;\n"
    [finding] = ml413(sql)
    assert ("until the transaction begun on line 3, which releases them (START TRANSACTION "
            "and BEGIN perform an implicit UNLOCK TABLES)") in finding.message
    assert "never runs UNLOCK TABLES" not in finding.message


def test_commit_does_not_release_the_locks():
    sql = "LOCK TABLES orders WRITE;\nCOMMIT;\nUNLOCK TABLES;\n"
    [finding] = ml413(sql)
    assert "until UNLOCK TABLES on line 3" in finding.message
