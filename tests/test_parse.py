"""Parse failures become clear, file-positioned parse-error findings."""

import pytest
import sqlglot

from helpers import lint
from migrationlint.normalize import normalize_statement
from migrationlint.parse import to_sql
from migrationlint.source import LineIndex


@pytest.mark.parametrize("sql", ["x", "x;\n", "foo(1);", "1 + 2;", "oops oops"])
def test_garbage_is_not_a_statement(sql):
    [finding] = lint(sql)
    assert finding.rule == "ML001" and "not a SQL statement" in finding.message


def test_messages_hide_sqlglot_internals_and_relative_positions():
    findings = lint("SELECT 1;\nALTER TABLE ;\nALTER TABLE t ADD COLUMN c int DEFAULT;")
    assert [(f.span.line, f.span.column) for f in findings] == [(2, 11), (3, 38)]  # the last token sqlglot read
    for finding in findings:
        assert "<Token" not in finding.message and "sqlglot.expressions" not in finding.message
        assert "Line 1" not in finding.message and "Col:" not in finding.message
    assert "Expected table name but got the end of the statement" in findings[0].message


def test_a_real_statement_is_not_garbage():
    assert lint("SELECT 1;\nVALUES (1);\nSHOW search_path;") == []


def test_a_column_type_prints_in_each_statements_dialect():
    # Printed types are cached; the same type read in turn for two dialects must not
    # come out in the first one's spelling.
    sql = "ALTER TABLE t ADD COLUMN c double precision"
    printed = [
        normalize_statement(sql, 0, LineIndex(sql), dialect).operations[0].column.type_sql
        for dialect in ("postgres", "mysql", "postgres")
    ]
    assert printed == ["DOUBLE PRECISION", "DOUBLE", "DOUBLE PRECISION"]


def test_the_printed_type_cache_stays_bounded(monkeypatch):
    from migrationlint import parse

    monkeypatch.setattr(parse, "_TYPE_SQL_LIMIT", 3)
    monkeypatch.setattr(parse, "_TYPE_SQL", {})
    types = ["int", "text", "bigint", "boolean", "date", "int"]
    printed = []
    for name in types:
        sql = f"ALTER TABLE t ADD COLUMN c {name}"
        printed.append(normalize_statement(sql, 0, LineIndex(sql), "postgres")
                       .operations[0].column.type_sql)
        assert len(parse._TYPE_SQL) <= 3
    assert printed == ["INT", "TEXT", "BIGINT", "BOOLEAN", "DATE", "INT"]


def test_parameterised_types_are_printed_with_their_own_numbers():
    def printed(type_sql: str, dialect: str = "postgres") -> str:
        sql = f"ALTER TABLE t ADD COLUMN c {type_sql}"
        return normalize_statement(sql, 0, LineIndex(sql), dialect).operations[0].column.type_sql

    assert [printed(t) for t in ("varchar(255)", "varchar(100)", "numeric(12,2)",
                                 "numeric(12,3)", "varchar(255)")] == [
        "VARCHAR(255)", "VARCHAR(100)", "DECIMAL(12, 2)", "DECIMAL(12, 3)", "VARCHAR(255)"]
    assert printed("int[]") == "INT[]" and printed("timestamptz(3)") != printed("timestamptz")
    assert [printed("mood"), printed("public.color"), printed("geometry(Point, 4326)")] == [
        "mood", "public.color", "GEOMETRY(POINT, 4326)"]


def test_named_placeholders_print_as_written():
    # sqlglot's PostgreSQL generator would print :value as %(value)s.
    where = sqlglot.parse_one(
        "UPDATE t SET a = 1 WHERE s = :value AND id IN (SELECT id FROM u WHERE k = :key)",
        read="postgres").args["where"].this
    assert to_sql(where, "postgres") == "s = :value AND id IN (SELECT id FROM u WHERE k = :key)"
    assert "%(" not in to_sql(where, "postgres")
