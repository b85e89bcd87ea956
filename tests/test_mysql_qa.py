"""MySQL/MariaDB behaviour found by QA runs on realistic migrations."""

from __future__ import annotations

import pytest

from helpers import TIMEOUT_NOTES, lint


def rules_by_line(sql, **kwargs):
    return sorted((f.span.line, f.rule) for f in lint(sql, ignore=TIMEOUT_NOTES, **kwargs))


def test_making_a_column_shown_not_null_nullable_again_is_a_rebuild():
    sql = ("ALTER TABLE invoices MODIFY paid_at DATETIME NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;\n"
           "ALTER TABLE invoices MODIFY paid_at DATETIME NULL;\n")
    [rebuild] = [f for f in lint(sql, dialect="mysql") if f.span.line == 2 and f.rule == "ML405"]
    assert "Making paid_at nullable" in rebuild.message


ENUM_REMOVE = (
    "ALTER TABLE tickets MODIFY state ENUM('open','pending','closed') NOT NULL DEFAULT 'open', "
    "ALGORITHM=INSTANT;\n"
    "ALTER TABLE tickets MODIFY state ENUM('open','closed') NOT NULL DEFAULT 'open';\n"
)


def test_removing_enum_values_reports_the_table_copy_too():
    # ML111 replaces change-column-type's finding; the copy it would have covered stays.
    assert [rule for line, rule in rules_by_line(ENUM_REMOVE, dialect="mysql") if line == 2] == [
        "ML111", "ML401", "ML404"]


def test_removing_enum_values_restates_the_whole_definition():
    [finding] = [f for f in lint(ENUM_REMOVE, dialect="mysql") if f.rule == "ML111"]
    assert finding.rewrite.steps[-1].sql == (
        "ALTER TABLE tickets MODIFY state ENUM('open', 'closed') NOT NULL DEFAULT 'open';")


@pytest.mark.parametrize("version,expected", [
    ("5.7", "on MySQL 5.7 this rebuilds the table in place"),
    ("8.0.11", "on MySQL 8.0.11 this rebuilds the table in place"),
    ("8.0.12", "an INSTANT, metadata-only change"),
])
@pytest.mark.parametrize("sql,rule", [
    ("ALTER TABLE orders MODIFY total BIGINT;", "ML107"),
    ("ALTER TABLE orders CHANGE total amount BIGINT;", "ML101"),
])
def test_the_add_column_step_says_what_adding_a_column_costs_on_the_target(
        sql, rule, version, expected):
    [finding] = [f for f in lint(sql, dialect="mysql", version=version) if f.rule == rule]
    assert expected in finding.rewrite.steps[0].title


def test_adding_a_virtual_column_on_8029_creates_no_row_version():
    sql = ("ALTER TABLE orders ADD COLUMN total_v DECIMAL(12,2) AS (qty * price) VIRTUAL, "
           "ALGORITHM=INSTANT;")
    assert rules_by_line(sql, dialect="mysql", version="8.0.29") == []
    stored = "ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;"
    assert rules_by_line(stored, dialect="mysql", version="8.0.29") == [(1, "ML412")]


ADD_PROMO_INSTANT = "ALTER TABLE orders ADD COLUMN promo_id BIGINT NULL, ALGORITHM=INSTANT"


@pytest.mark.parametrize("sql,dialect,version,expected", [
    # A server older than the comment's version reads the body as a comment: a no-op.
    (f"/*!80000 {ADD_PROMO_INSTANT} */;", "mysql", "5.7", []),
    (f"/*!50700 {ADD_PROMO_INSTANT} */;", "mysql", "5.7", [(1, 40, "ML407")]),
    (f"/*! {ADD_PROMO_INSTANT} */;", "mysql", "5.7", [(1, 35, "ML407")]),
    ("/*!80000 ALTER TABLE orders MODIFY total BIGINT NOT NULL */;", "mysql", "8.0.11",
     [(1, 36, "ML107")]),
    # "/*M!" runs on MariaDB from the 6-digit version on, and never on MySQL; MariaDB
    # runs "/*!NNNNN" as MySQL would.
    (f"/*M!100300 {ADD_PROMO_INSTANT} */;", "mariadb", "10.2", []),
    ("/*M!100300 ALTER TABLE orders MODIFY total BIGINT NOT NULL */;", "mariadb", "10.11",
     [(1, 38, "ML107")]),
    ("/*M!100300 ALTER TABLE orders MODIFY total BIGINT NOT NULL */;", "mysql", "8.0", []),
    ("/*!80000 ALTER TABLE orders MODIFY total BIGINT NOT NULL */;", "mariadb", "10.2",
     [(1, 36, "ML107")]),
    # Inside a statement, only the clause is skipped.
    ("ALTER TABLE orders ADD COLUMN a INT /*!80023 INVISIBLE */, ALGORITHM=INSTANT;",
     "mysql", "5.7", [(1, 31, "ML407")]),
])
def test_a_version_comment_runs_only_from_its_version_on(sql, dialect, version, expected):
    findings = lint(sql, dialect=dialect, version=version, ignore=TIMEOUT_NOTES)
    assert [(f.span.line, f.span.column, f.rule) for f in findings] == expected


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize("rollback", ["ROLLBACK TO s1", "ROLLBACK TO SAVEPOINT s1",
                                      "ROLLBACK WORK TO SAVEPOINT s1"])
def test_savepoints_are_read_and_rolling_back_to_one_keeps_the_transaction_open(
        dialect, rollback):
    sql = ("START TRANSACTION;\n"
           "SAVEPOINT s1;\n"
           f"{rollback};\n"
           "RELEASE SAVEPOINT s1;\n"
           "ALTER TABLE t ADD COLUMN b INT NULL, ALGORITHM=INSTANT;\n"
           "COMMIT;\n")
    assert rules_by_line(sql, dialect=dialect) == [(5, "ML403")]


def test_inline_references_in_create_table_point_at_each_column():
    sql = ("CREATE TABLE orders (\n"
           "  id BIGINT PRIMARY KEY,\n"
           "  user_id BIGINT REFERENCES users (id),\n"
           "  shop_id BIGINT REFERENCES shops (id)\n"
           ");\n")
    spans = [(f.span.line, f.span.column, f.span.end_line, f.span.end_column)
             for f in lint(sql, dialect="mysql", select=["ML410"])]
    assert spans == [(3, 3, 3, 38), (4, 3, 4, 38)]


def test_removing_enum_values_keeps_the_comment_charset_and_explicit_null():
    sql = ("ALTER TABLE tickets MODIFY state ENUM('open','pending') NULL, ALGORITHM=INSTANT;\n"
           "ALTER TABLE tickets MODIFY state ENUM('open') CHARACTER SET ascii NULL "
           "COMMENT 'it''s the state';\n")
    [finding] = [f for f in lint(sql, dialect="mysql") if f.rule == "ML111"]
    assert finding.rewrite.steps[-1].sql == (
        "ALTER TABLE tickets MODIFY state ENUM('open') CHARACTER SET ascii NULL "
        "COMMENT 'it''s the state';")
