"""Statement splitting: spans must be exact, whatever the quoting."""

import pytest

from helpers import codes
from migrationlint.splitter import quoted_and_commented, split_statements


def texts(sql, dialect="postgres"):
    return [s.text for s in split_statements(sql, dialect).statements]


def test_spans_are_exact_offsets():
    sql = "SELECT 1;\n  ALTER TABLE t ADD COLUMN c int ;\n"
    result = split_statements(sql)
    for statement in result.statements:
        assert sql[statement.start:statement.end] == statement.text
    assert texts(sql) == ["SELECT 1", "ALTER TABLE t ADD COLUMN c int"]


@pytest.mark.parametrize("sql,expected", [
    ("SELECT 'a;b'; SELECT 2", ["SELECT 'a;b'", "SELECT 2"]),
    ("SELECT 'it''s;'; SELECT 2", ["SELECT 'it''s;'", "SELECT 2"]),
    ('SELECT ";" FROM t; SELECT 2', ['SELECT ";" FROM t', "SELECT 2"]),
    ("SELECT E'a\\';b'; SELECT 2", ["SELECT E'a\\';b'", "SELECT 2"]),
    ("SELECT 1 -- a; comment\n; SELECT 2", ["SELECT 1 -- a; comment", "SELECT 2"]),
    ("SELECT /* a; /* nested; */ b; */ 1; SELECT 2", ["SELECT /* a; /* nested; */ b; */ 1", "SELECT 2"]),
    ("SELECT $1; SELECT 2", ["SELECT $1", "SELECT 2"]),
    (";;SELECT 1;;", ["SELECT 1"]),
    ("", []),
    ("  \n-- only a comment\n", []),
])
def test_postgres_quoting(sql, expected):
    assert texts(sql) == expected


def test_dollar_quoted_function_body_with_semicolons():
    sql = (
        "CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  x := 1;\n  RETURN NEW;\n"
        "END;\n$body$ LANGUAGE plpgsql;\nSELECT 2;"
    )
    statements = texts(sql)
    assert len(statements) == 2
    assert statements[0].endswith("LANGUAGE plpgsql")


def test_plain_dollar_quote_and_nested_tags():
    sql = "DO $$ BEGIN PERFORM $x$;$x$; END $$; SELECT 1"
    assert texts(sql) == ["DO $$ BEGIN PERFORM $x$;$x$; END $$", "SELECT 1"]


def test_mysql_backslash_escapes_backticks_and_hash_comments():
    sql = "SELECT 'a\\';b' FROM `x;y`; # c;\nSELECT \"q\\\";\"; SELECT 1 --1\n;"
    assert texts(sql, "mysql") == [
        "SELECT 'a\\';b' FROM `x;y`", 'SELECT "q\\";"', "SELECT 1 --1",
    ]


def test_mysql_delimiter_blocks():
    sql = (
        "DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; "
        "SET NEW.b = 2; END$$\nDELIMITER ;\nALTER TABLE x DROP COLUMN c;"
    )
    statements = texts(sql, "mysql")
    assert len(statements) == 2
    assert statements[0].endswith("END")
    assert statements[1] == "ALTER TABLE x DROP COLUMN c"


def test_mysql_version_comments_are_code_with_offsets_kept():
    sql = "/*!40101 SET NAMES utf8mb4 */;\nSELECT 1;"
    result = split_statements(sql, "mysql")
    first = result.statements[0]
    assert first.text.strip() == "SET NAMES utf8mb4"
    assert len(first.text) == first.end - first.start


@pytest.mark.parametrize("sql,what", [
    ("SELECT 'never closed; SELECT 2;", "unterminated string"),
    ("SELECT $$ never closed; SELECT 2;", "unterminated dollar-quoted string $$"),
    ('SELECT "never closed; SELECT 2;', "unterminated quoted identifier"),
    ("SELECT 1; /* never closed", "unterminated block comment"),
])
def test_unterminated_regions_become_a_problem_statement(sql, what):
    statements = split_statements(sql).statements
    assert statements[-1].problem is not None
    assert statements[-1].problem.startswith(what)
    assert "line 1" in statements[-1].problem


def test_comments_are_collected_with_positions():
    sql = "-- one\nSELECT 1; -- two\n/* three */"
    comments = split_statements(sql).comments
    assert [c.text for c in comments] == ["-- one", "-- two", "/* three */"]
    assert all(sql[c.start:c.end].startswith(c.text[:2]) for c in comments)


def test_crlf_is_kept_out_of_statement_text():
    assert texts("SELECT 1;\r\nSELECT 2;\r\n") == ["SELECT 1", "SELECT 2"]


def split_block(body, dialect):
    """Split ``body`` as a goose StatementBegin ... StatementEnd block between two
    statements; every span must be exact."""
    sql = f"SELECT 0;\n{body}SELECT 3;"
    start = len("SELECT 0;\n")
    pieces = split_statements(sql, dialect, blocks=[(start, start + len(body))]).statements
    assert all(sql[p.start:p.end] == p.text for p in pieces)
    return [p.text for p in pieces]


@pytest.mark.parametrize("program", [
    "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN\n  SET NEW.a = 1;\n"
    "  SET NEW.b = 2;\nEND",
    "CREATE DEFINER = `app`@`%` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END",
    "create or replace definer='my app'@'%' event e on schedule every 1 day do begin "
    "delete from x; delete from y; end",
    "CREATE OR REPLACE DEFINER=CURRENT_USER() FUNCTION f() RETURNS int DETERMINISTIC BEGIN "
    "DECLARE n int; RETURN 1; END",
    "CREATE /* cleanup */ PROCEDURE q() BEGIN SELECT 1; DROP TABLE t; END",
    # MariaDB's anonymous block.
    "BEGIN NOT ATOMIC DECLARE x INT DEFAULT 0; ALTER TABLE users DROP COLUMN y; END",
])
def test_a_block_holding_a_mysql_stored_program_is_one_statement(program):
    assert split_block(f"{program};\n", "mysql") == ["SELECT 0", program, "SELECT 3"]
    # No delimiter before the block ends: its end ends the statement.
    assert split_block(f"{program}\n", "mysql") == ["SELECT 0", program, "SELECT 3"]


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_a_block_holding_a_mysqldump_trigger_is_one_statement(dialect):
    # mysqldump wraps the words in version comments, whose markers the split blanks.
    trigger = ("/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t "
               "BEFORE UPDATE ON x FOR EACH ROW BEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\n"
               "END */")
    sql = f"-- +goose StatementBegin\n{trigger};\n-- +goose StatementEnd\n"
    start = sql.index("/*!")
    block = (start, sql.index("-- +goose StatementEnd"))
    pieces = split_statements(sql, dialect, blocks=[block]).statements
    assert [(p.start, p.end) for p in pieces] == [(start, start + len(trigger))]


@pytest.mark.parametrize("dialect", ["mysql", "postgres"])
def test_a_block_of_ordinary_statements_splits_at_its_delimiters(dialect):
    body = ("ALTER TABLE users ADD COLUMN x int;\n"
            "ALTER TABLE users RENAME COLUMN name TO full_name;\nSELECT 2\n")
    assert split_block(body, dialect) == [
        "SELECT 0", "ALTER TABLE users ADD COLUMN x int",
        "ALTER TABLE users RENAME COLUMN name TO full_name", "SELECT 2", "SELECT 3"]


def test_a_stored_program_after_other_statements_in_a_block_runs_to_the_block_end():
    trigger = "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END"
    body = f"DROP TRIGGER IF EXISTS t;\n{trigger};\n"
    assert split_block(body, "mysql") == [
        "SELECT 0", "DROP TRIGGER IF EXISTS t", trigger, "SELECT 3"]


def test_a_mysql_goose_file_lints_its_trigger_whole_and_every_statement_of_other_blocks():
    sql = ("-- +goose Up\n-- +goose StatementBegin\n"
           "CREATE DEFINER=`app`@`%` TRIGGER users_bi BEFORE INSERT ON users FOR EACH ROW\n"
           "BEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\nEND;\n-- +goose StatementEnd\n"
           "-- +goose StatementBegin\nALTER TABLE users ADD COLUMN x int;\n"
           "ALTER TABLE users RENAME COLUMN name TO full_name;\n-- +goose StatementEnd\n"
           "-- +goose Down\nDROP TRIGGER users_bi;\n")
    found = codes(sql, dialect="mysql", path="20261210100000_users_bi.sql")
    assert "ML001" not in found and "ML101" in found


@pytest.mark.parametrize("routine", [
    "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC UPDATE users SET flag = false; "
    "TRUNCATE audit_log; END",
    "CREATE OR REPLACE FUNCTION f(o bigint) RETURNS text LANGUAGE sql BEGIN ATOMIC\n"
    "  SELECT CASE WHEN o > 0 THEN 'a' ELSE 'b' END;\n  SELECT (CASE o WHEN 1 THEN 'c' END);\nEND",
    "create or replace procedure p() language sql begin atomic select 1; end",
])
def test_sql_standard_routine_body_is_one_statement(routine):
    assert texts(f"{routine};\nSELECT 2;") == [routine, "SELECT 2"]


def test_begin_and_end_only_count_in_a_routine_definition():
    assert texts("BEGIN; SELECT 1; END;") == ["BEGIN", "SELECT 1", "END"]
    assert texts("CREATE TABLE t (begin int); SELECT 2;") == ["CREATE TABLE t (begin int)", "SELECT 2"]


def test_psql_meta_commands_end_at_their_line_and_are_not_statements():
    sql = "\\set ON_ERROR_STOP on\nSET lock_timeout = '2s';\n  \\connect app\n\\i more.sql\nSELECT 1;"
    assert texts(sql) == ["SET lock_timeout = '2s'", "SELECT 1"]
    assert texts("SELECT '\\x';") == ["SELECT '\\x'"]


@pytest.mark.parametrize("copy", ["COPY t (a, b) FROM stdin", "copy t from STDIN with (format csv)"])
def test_copy_from_stdin_data_up_to_its_end_line_is_not_sql(copy):
    data = "DE\tGermany; DROP TABLE users;\nFR\tFrance\n\\.\n"
    assert texts(f"{copy};\n{data}SELECT 1;") == [copy, "SELECT 1"]
    assert texts(f"{copy};\n1\t2; x\n") == [copy]  # no end line: data to the end
    assert texts(f"\\copy t from stdin\n{data}SELECT 1;") == ["SELECT 1"]
    assert texts("COPY t FROM '/tmp/t.csv';\nSELECT 1;") == ["COPY t FROM '/tmp/t.csv'", "SELECT 1"]


def test_a_psql_meta_command_ends_the_statement_before_it():
    query = "SELECT format('CREATE INDEX %I_idx ON %I (id)', t) FROM pg_tables WHERE s = 'a\\b'"
    sql = f"{query}\n\\gexec\nALTER TABLE users RENAME COLUMN name TO full_name;"
    pieces = split_statements(sql).statements
    assert [p.text for p in pieces] == [
        query, "ALTER TABLE users RENAME COLUMN name TO full_name"]
    assert all(sql[p.start:p.end] == p.text for p in pieces)
    assert texts("SELECT 1 \\g out.txt ; SELECT 3;\nSELECT 2;") == ["SELECT 1", "SELECT 2"]
    quoted = "SELECT $$\\g$$, E'\\\\' -- \\g\n/* \\g */"
    assert texts(f"{quoted} ;") == [quoted]


def test_psql_backslash_semicolon_is_a_delimiter_and_backslash_colon_a_colon():
    # psql sends "\;" as ";" without ending its buffer: the server still runs two statements.
    assert texts("SELECT 1 \\; SELECT 2;\nSELECT 3;") == ["SELECT 1", "SELECT 2", "SELECT 3"]
    assert texts("SELECT '1' \\:\\: int;\nSELECT 3;") == ["SELECT '1' \\:\\: int", "SELECT 3"]


@pytest.mark.parametrize("sql,dialect,regions", [
    ("SELECT 'a;b', $$x$$, $1 -- c\n/* d */;", "postgres", ["'a;b'", "$$x$$", "-- c", "/* d */"]),
    ("SELECT `g`, \"h\", 1--1 # e\n", "mysql", ["`g`", '"h"', "# e"]),
    ("SELECT 'open", "postgres", ["'open"]),
])
def test_quoted_and_commented_regions(sql, dialect, regions):
    assert [sql[start:end] for start, end in quoted_and_commented(sql, dialect)] == regions
