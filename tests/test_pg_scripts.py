"""PostgreSQL scripts as psql and the server read them: statement bodies, meta-commands,
savepoints and inline COPY data."""

from __future__ import annotations

from helpers import codes

SET_TIMEOUT = "SET lock_timeout = '2s';\n"


def test_begin_atomic_body_is_read_as_part_of_its_routine():
    sql = SET_TIMEOUT + (
        "CREATE PROCEDURE reset_flags()\nLANGUAGE sql\nBEGIN ATOMIC\n"
        "  UPDATE users SET flag = false;\n  TRUNCATE audit_log;\nEND;\n"
    )
    assert codes(sql) == []


def test_a_routine_sqlglot_rejects_without_a_standard_body_is_still_a_parse_error():
    assert codes("CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN ((;\n") == ["ML001"]


def test_psql_meta_command_does_not_swallow_the_next_statement():
    sql = "\\set ON_ERROR_STOP on\n" + SET_TIMEOUT + "ALTER TABLE users ADD COLUMN w13 text;\n"
    assert codes(sql) == []
