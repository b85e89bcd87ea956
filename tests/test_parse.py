"""Parse failures become clear, file-positioned parse-error findings."""

import pytest

from helpers import lint


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
