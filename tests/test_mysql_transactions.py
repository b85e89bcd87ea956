"""ML401-ML403: MySQL's implicit commit around DDL makes multi-statement files unsafe."""

from __future__ import annotations

import pytest

from helpers import codes, lint

TRANSACTION_RULES = ("ML401", "ML402", "ML403")


def found(sql, dialect="mysql"):
    return [f for f in lint(sql, dialect=dialect) if f.rule in TRANSACTION_RULES]


def test_second_ddl_statement_is_flagged_with_the_file_split():
    sql = (
        "ALTER TABLE `orders` ADD COLUMN `shipped_at` DATETIME NULL;\n"
        "\n"
        "CREATE INDEX `idx_shipped` ON `orders` (`shipped_at`);\n"
    )
    [finding] = found(sql)
    assert (finding.rule, finding.span.line) == ("ML401", 3)
    assert "line 1" in finding.message
    sqls = [step.sql for step in finding.rewrite.steps]
    assert sqls == [
        "ALTER TABLE `orders` ADD COLUMN `shipped_at` DATETIME NULL;",
        "CREATE INDEX `idx_shipped` ON `orders` (`shipped_at`);",
    ]
    assert finding.rewrite.steps[0].title.startswith("Migration 1 of 2")


def test_guarded_statements_can_be_rerun_so_they_do_not_count():
    sql = (
        "CREATE TABLE IF NOT EXISTS a (id INT PRIMARY KEY);\n"
        "DROP TABLE IF EXISTS b;\n"
        "CREATE TABLE c (id INT PRIMARY KEY);\n"
    )
    assert "ML401" not in codes(sql, dialect="mysql")
    assert "ML401" in codes(sql + "CREATE TABLE d (id INT PRIMARY KEY);\n", dialect="mysql")


@pytest.mark.parametrize("sql,line", [
    ("ALTER TABLE customers ADD COLUMN tier VARCHAR(20);\nUPDATE customers SET tier = 'std';", 2),
    ("DELETE FROM sessions;\nALTER TABLE sessions DROP COLUMN token;", 2),
])
def test_ddl_mixed_with_dml_is_flagged_where_the_second_kind_appears(sql, line):
    [finding] = [f for f in found(sql) if f.rule == "ML402"]
    assert finding.span.line == line
    assert [s.phase.value for s in finding.rewrite.steps] in (
        ["expand", "backfill"], ["backfill", "contract"])


def test_ddl_in_explicit_transaction():
    sql = "START TRANSACTION;\nALTER TABLE invoices ADD COLUMN paid_at DATETIME;\nCOMMIT;\n"
    [finding] = found(sql)
    assert (finding.rule, finding.span.line) == ("ML403", 2)
    assert "ML403" in codes("BEGIN;\nRENAME TABLE a TO b;\nCOMMIT;", dialect="mariadb")


@pytest.mark.parametrize("sql", [
    "CREATE TABLE payments (id BIGINT PRIMARY KEY, amount DECIMAL(12,2) NOT NULL);",
    "START TRANSACTION;\nINSERT INTO countries VALUES ('NO', 'Norway');\nUPDATE t SET a = 1;\nCOMMIT;",
    "SET SESSION lock_wait_timeout = 5;\nALTER TABLE t ADD COLUMN x INT NULL, ALGORITHM=INSTANT;",
])
def test_single_statement_and_data_only_files_are_clean(sql):
    assert found(sql) == []


def test_postgres_files_are_not_checked():
    assert found("ALTER TABLE a ADD COLUMN x int;\nUPDATE a SET x = 1;", dialect="postgres") == []


def test_stored_program_in_the_split_is_an_instruction():
    sql = (
        "ALTER TABLE t ADD COLUMN a INT;\n"
        "DELIMITER $$\n"
        "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END$$\n"
        "DELIMITER ;\n"
    )
    [finding] = found(sql)
    assert finding.span.line == 3
    assert finding.rewrite.steps[1].sql is None and "DELIMITER" in finding.rewrite.steps[1].instruction


def test_mariadb_guarded_column_changes_are_rerunnable():
    sql = ("ALTER TABLE t ADD COLUMN IF NOT EXISTS a INT;\n"
           "ALTER TABLE t DROP COLUMN IF EXISTS b;\n"
           "ALTER TABLE t ADD COLUMN c INT;\n")
    assert "ML401" not in codes(sql, dialect="mariadb")


_CHANGELOG = """<databaseChangeLog>
  <changeSet id="1" author="a">
    <createTable tableName="t1"><column name="id" type="int"/></createTable>
  </changeSet>
  <changeSet id="2" author="a">
    <createTable tableName="t2"><column name="id" type="int"/></createTable>
  </changeSet>
  <changeSet id="3" author="a">
    <insert tableName="t1"><column name="id" valueNumeric="1"/></insert>
  </changeSet>
</databaseChangeLog>
"""


def test_each_liquibase_changeset_is_its_own_migration():
    assert [f for f in lint(_CHANGELOG, dialect="mysql", path="c.xml")
            if f.rule in TRANSACTION_RULES] == []
    together = _CHANGELOG.replace('  </changeSet>\n  <changeSet id="2" author="a">\n', "")
    [finding] = [f for f in lint(together, dialect="mysql", path="c.xml") if f.rule == "ML401"]
    assert finding.message.startswith("Changeset a:1 holds 2 DDL statements")
    assert "<createTable" not in finding.message  # the XML is not quoted as if it were SQL
    assert all(step.sql is None for step in finding.rewrite.steps)


def test_liquibase_formatted_sql_changesets_on_mysql():
    sql = ("--liquibase formatted sql\n\n--changeset a:1\nCREATE TABLE t1 (id int);\n"
           "--rollback DROP TABLE t1;\n\n--changeset a:2\nCREATE TABLE t2 (id int);\n")
    assert codes(sql, dialect="mysql", path="c.sql") == []  # no parse error, no ML401
    one = sql.replace("--changeset a:2\n", "")
    assert "ML401" in codes(one, dialect="mysql", path="c.sql")


def test_stored_program_split_step_keeps_its_delimiter_lines():
    sql = ("CREATE TABLE t (a int);\nDELIMITER //\nCREATE TRIGGER trg BEFORE INSERT ON t "
           "FOR EACH ROW BEGIN SET NEW.a = 1; END//\nDELIMITER ;\n")
    [finding] = [f for f in lint(sql, dialect="mysql") if f.rule == "ML401"]
    trigger = finding.rewrite.steps[1]
    assert trigger.sql is None and "DELIMITER" in trigger.instruction
