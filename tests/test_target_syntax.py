"""ML114 syntax-not-supported-by-target: syntax the target version rejects."""

from __future__ import annotations

import pytest

from helpers import lint


def ml114(sql, dialect, version):
    return [f for f in lint(sql, dialect=dialect, version=version) if f.rule == "ML114"]


@pytest.mark.parametrize("sql, dialect, version", [
    ("ALTER TABLE orders RENAME COLUMN note TO memo;", "mysql", "5.7"),
    ("ALTER TABLE orders RENAME COLUMN note TO memo;", "mysql", "8.0.2"),
    ("ALTER TABLE orders RENAME COLUMN note TO memo;", "mariadb", "10.5.1"),
    ("ALTER TABLE orders ALTER INDEX idx INVISIBLE;", "mysql", "5.7"),
    ("CREATE INDEX idx ON orders (status) INVISIBLE;", "mysql", "5.7"),
    ("ALTER TABLE orders ADD INDEX idx (status) INVISIBLE;", "mysql", "5.7"),
    ("ALTER TABLE orders ALTER INDEX idx IGNORED;", "mysql", "8.0"),
    ("ALTER TABLE orders ALTER INDEX idx INVISIBLE;", "mariadb", "10.11"),
    ("CREATE INDEX idx ON orders (status) IGNORED;", "mariadb", "10.5"),
    ("ALTER TABLE events SET ACCESS METHOD columnar;", "postgres", "14"),
    ("ALTER TABLE t ALTER COLUMN total SET EXPRESSION AS (a + b);", "postgres", "16"),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a);", "postgres", "14"),
    ("CREATE UNIQUE INDEX u ON t (a) NULLS NOT DISTINCT;", "postgres", "14"),
    ("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u ON t USING btree (a) INCLUDE (b)"
     " NULLS NOT DISTINCT WITH (fillfactor = 90) WHERE b > 0;", "postgres", "14"),
    ("CREATE UNIQUE INDEX u ON t (a) NULLS DISTINCT;", "postgres", "14"),
    ("CREATE TABLE t (a INT UNIQUE NULLS NOT DISTINCT);", "postgres", "14"),
    ("CREATE TABLE t (a INT, CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a));", "postgres", "14"),
    ("ALTER TABLE t ADD COLUMN a INT UNIQUE NULLS NOT DISTINCT;", "postgres", "14"),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS DISTINCT (a);", "postgres", "14"),
    ("ALTER TABLE t ADD UNIQUE NULLS DISTINCT (a), ADD COLUMN b INT;", "postgres", "14"),
    ("ALTER TABLE t ADD COLUMN a INT UNIQUE NULLS DISTINCT;", "postgres", "14"),
    ("CREATE TABLE t (a INT, UNIQUE NULLS DISTINCT (a));", "postgres", "14"),
    ("CREATE UNLOGGED TABLE t (a INT CHECK (a > 0) UNIQUE NULLS DISTINCT);", "postgres", "14"),
    # A partition's column list holds constraints only (the columns are the parent's).
    ("CREATE TABLE t PARTITION OF p (a UNIQUE NULLS NOT DISTINCT) FOR VALUES IN (1);",
     "postgres", "14"),
    ("CREATE TABLE t PARTITION OF p (a NOT NULL, UNIQUE NULLS NOT DISTINCT (a)) DEFAULT;",
     "postgres", "14"),
    ("CREATE TABLE t PARTITION OF p (a UNIQUE NULLS DISTINCT) FOR VALUES IN (1);",
     "postgres", "14"),
])
def test_rejected_syntax_is_reported(sql, dialect, version):
    assert len(ml114(sql, dialect, version)) == 1


@pytest.mark.parametrize("sql, dialect, version", [
    ("ALTER TABLE orders RENAME COLUMN note TO memo;", "mysql", "8.0.3"),
    ("ALTER TABLE orders RENAME COLUMN note TO memo;", "mariadb", "10.5.2"),
    ("ALTER TABLE orders CHANGE note memo TEXT;", "mysql", "5.7"),
    ("ALTER TABLE orders ALTER INDEX idx INVISIBLE;", "mysql", "8.0"),
    ("CREATE INDEX idx ON orders (status) COMMENT 'invisible';", "mysql", "5.7"),
    ("ALTER TABLE orders ALTER INDEX idx NOT IGNORED;", "mariadb", "10.6"),
    ("ALTER TABLE events SET ACCESS METHOD columnar;", "postgres", "15"),
    ("ALTER TABLE t ALTER COLUMN total SET EXPRESSION AS (a + b);", "postgres", "17"),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a);", "postgres", "15"),
    ("CREATE UNIQUE INDEX u ON t (a) NULLS NOT DISTINCT;", "postgres", "15"),
    ("CREATE UNIQUE INDEX u ON t (a) INCLUDE (nulls);", "postgres", "14"),
    ("CREATE UNIQUE INDEX u ON t (a) NULLS DISTINCT;", "postgres", "15"),
    ("CREATE TABLE t (a INT UNIQUE NULLS NOT DISTINCT, b INT, UNIQUE NULLS NOT DISTINCT (b));",
     "postgres", "15"),
    ("ALTER TABLE t ADD COLUMN a INT UNIQUE NULLS NOT DISTINCT;", "postgres", "15"),
    ("CREATE TABLE t (a INT UNIQUE, b INT, UNIQUE (b));", "postgres", "14"),
    ("ALTER TABLE t ADD COLUMN a INT UNIQUE;", "postgres", "14"),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS DISTINCT (a);", "postgres", "15"),
    ("ALTER TABLE t ADD COLUMN a INT UNIQUE NULLS DISTINCT;", "postgres", "15"),
    ("CREATE TABLE t (a INT UNIQUE NULLS DISTINCT, b INT, UNIQUE NULLS DISTINCT (b));",
     "postgres", "15"),
    ("CREATE TABLE t PARTITION OF p (a UNIQUE NULLS NOT DISTINCT, UNIQUE NULLS NOT DISTINCT (b)) "
     "FOR VALUES IN (1);", "postgres", "15"),
    ("CREATE TABLE t PARTITION OF p (a UNIQUE, UNIQUE (b)) FOR VALUES IN (1);", "postgres", "14"),
])
def test_accepted_syntax_is_not_reported(sql, dialect, version):
    assert ml114(sql, dialect, version) == []


def test_only_the_rename_written_as_rename_column_is_reported_beside_a_change():
    sql = "ALTER TABLE orders CHANGE note memo TEXT, RENAME COLUMN code TO sku;"
    [finding] = ml114(sql, "mysql", "5.7")
    assert finding.span.column == sql.index("code TO") + 1
    rewrite = " ".join(step.sql or step.instruction for step in finding.rewrite.steps)
    assert "CHANGE code sku" in rewrite and "CHANGE note" not in rewrite


def test_rename_column_rewrite_restates_the_definition_the_file_shows():
    sql = ("CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(20) NOT NULL DEFAULT 'x');\n"
           "ALTER TABLE notes RENAME COLUMN body TO text_body;")
    [finding] = ml114(sql, "mysql", "5.7")
    assert finding.span.line == 2
    assert finding.rewrite.steps[0].sql == (
        "ALTER TABLE notes CHANGE body text_body VARCHAR(20) NOT NULL DEFAULT 'x';")
    assert "--target-version" in finding.rewrite.steps[1].instruction


def test_rename_column_without_a_known_definition_asks_to_restate_it():
    [finding] = ml114("ALTER TABLE orders RENAME COLUMN note TO memo;", "mysql", "5.7")
    step = finding.rewrite.steps[0]
    assert step.sql is None and "CHANGE note memo <definition>" in step.instruction
    assert "8.0.3" in finding.message


def test_other_servers_spelling_suggests_this_servers_word_without_a_version_step():
    [finding] = ml114("ALTER TABLE orders ALTER INDEX idx IGNORED;", "mysql", "8.0")
    assert [s.instruction for s in finding.rewrite.steps] == ["Replace IGNORED with INVISIBLE."]
    [finding] = ml114("ALTER TABLE orders ALTER INDEX idx INVISIBLE;", "mariadb", "10.11")
    assert finding.rewrite.steps[0].instruction == "Replace INVISIBLE with IGNORED."


def test_visibility_keyword_is_recorded_on_both_reader_paths():
    from migrationlint import model as m
    from migrationlint.readers import read_migration
    from migrationlint.source import SourceFile
    from migrationlint.versions import Version

    sql = ("ALTER TABLE t ALTER INDEX i INVISIBLE;\nALTER TABLE t ALTER INDEX i NOT IGNORED;\n"
           "CREATE INDEX i ON t (a) IGNORED;\nALTER TABLE t ADD INDEX j (a) VISIBLE;\n")
    migration = read_migration(SourceFile("m.sql", sql), "mariadb", Version("10.11"), "auto")
    words = [op.visibility for s in migration.statements for op in s.operations
             if isinstance(op, (m.AlterIndexVisibility, m.CreateIndex))]
    assert words == ["INVISIBLE", "NOT IGNORED", "IGNORED", "VISIBLE"]


def test_nulls_not_distinct_index_is_named_in_the_message():
    [finding] = ml114("CREATE UNIQUE INDEX u ON t (a) NULLS NOT DISTINCT;", "postgres", "14")
    assert finding.message.startswith("CREATE UNIQUE INDEX ... NULLS NOT DISTINCT is not "
                                      "accepted by PostgreSQL 14")
    assert (finding.span.line, finding.span.column) == (1, 26)


def test_explicit_nulls_distinct_index_says_to_leave_it_out():
    [finding] = ml114("CREATE UNIQUE INDEX u ON t (a) NULLS DISTINCT;", "postgres", "14")
    assert finding.message.startswith("CREATE UNIQUE INDEX ... NULLS DISTINCT is not accepted "
                                      "by PostgreSQL 14")
    assert finding.rewrite.steps[0].title == "Leave out NULLS DISTINCT"


def test_explicit_nulls_distinct_constraint_says_to_leave_it_out():
    [finding] = ml114("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS DISTINCT (a);", "postgres", "14")
    assert finding.message.startswith("UNIQUE NULLS DISTINCT is not accepted by PostgreSQL 14")
    assert finding.rewrite.steps[0].title == "Leave out NULLS DISTINCT"


@pytest.mark.parametrize("sql", [
    "CREATE TABLE t (a INT, UNIQUE NULLS DISTINCT (a));",
    "CREATE TABLE t (a INT, UNIQUE NULLS NOT DISTINCT (a));",
    "CREATE TABLE t (a INT UNIQUE NULLS DISTINCT);",
    "ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS DISTINCT (a);",
])
def test_unique_nulls_distinct_is_not_a_parse_error(sql):
    assert [f.rule for f in lint(sql, dialect="postgres", version="16")
            if f.rule in ("ML001", "ML114")] == []


def test_unique_nulls_distinct_is_recorded_on_the_constraint_that_wrote_it():
    from migrationlint.normalize import normalize_statement
    from migrationlint.source import LineIndex

    sql = ('CREATE TABLE t ("A" INT UNIQUE NULLS DISTINCT, a INT UNIQUE, b INT, '
           "UNIQUE NULLS DISTINCT (b), UNIQUE NULLS NOT DISTINCT (a), UNIQUE (b, a));")
    [table] = normalize_statement(sql, 0, LineIndex(sql), "postgres").operations
    assert [c.unique_nulls_distinct for c in table.columns] == [True, False, False]
    assert [i.nulls_distinct for i in table.indexes] == [True, False, False]
    assert [i.nulls_not_distinct for i in table.indexes] == [False, True, False]
    sql = "ALTER TABLE t ADD COLUMN a INT UNIQUE NULLS DISTINCT, ADD UNIQUE (a);"
    column, constraint = normalize_statement(sql, 0, LineIndex(sql), "postgres").operations
    assert column.column.unique_nulls_distinct and not constraint.nulls_distinct


def test_create_table_nulls_not_distinct_is_reported_where_the_file_shows_it():
    sql = ("CREATE TABLE t (\n"
           "  a INT UNIQUE NULLS NOT DISTINCT,\n"
           "  b INT,\n"
           "  CONSTRAINT u UNIQUE NULLS NOT DISTINCT (b)\n"
           ");")
    # The table constraint where it is written; the column's at the statement.
    assert sorted(f.span.line for f in ml114(sql, "postgres", "14")) == [1, 4]


@pytest.mark.parametrize("sql, recorded", [
    ("CREATE UNIQUE INDEX u ON t (a) INCLUDE (b) NULLS NOT DISTINCT WHERE b > 0;", True),
    ("CREATE UNIQUE INDEX u ON t (a) NULLS DISTINCT;", False),
    ("CREATE UNIQUE INDEX u ON t (a) WHERE note = 'NULLS NOT DISTINCT';", False),
])
def test_index_nulls_not_distinct_is_recorded(sql, recorded):
    from migrationlint.normalize import normalize_statement
    from migrationlint.source import LineIndex

    [op] = normalize_statement(sql, 0, LineIndex(sql), "postgres").operations
    assert op.nulls_not_distinct is recorded


def test_rename_column_rewrite_keeps_every_attribute_the_file_shows():
    sql = ("CREATE TABLE jobs (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY COMMENT 'job id', "
           "touched TIMESTAMP NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP COMMENT 'last run', "
           "slug VARCHAR(9) AS (LEFT(name, 9)) STORED);\n"
           "ALTER TABLE jobs RENAME COLUMN id TO job_id;\n"
           "ALTER TABLE jobs RENAME COLUMN touched TO ran_at;\n"
           "ALTER TABLE jobs RENAME COLUMN slug TO short;\n")
    steps = [f.rewrite.steps[0].sql for f in ml114(sql, "mysql", "5.7")]
    assert steps == [
        "ALTER TABLE jobs CHANGE id job_id BIGINT NOT NULL AUTO_INCREMENT COMMENT 'job id';",
        "ALTER TABLE jobs CHANGE touched ran_at TIMESTAMP NULL DEFAULT NULL "
        "ON UPDATE CURRENT_TIMESTAMP() COMMENT 'last run';",
        "ALTER TABLE jobs CHANGE slug short VARCHAR(9) GENERATED ALWAYS AS (LEFT(name, 9)) "
        "STORED;",
    ]


@pytest.mark.parametrize("dialect, version", [("mariadb", "10.4"), ("mysql", "5.7")])
def test_generated_column_restatement_has_no_null_mariadb_would_reject(dialect, version):
    # MariaDB's generated columns take no NULL / NOT NULL (checked on 10.11.18); MySQL's
    # may be NOT NULL, which is then kept.
    sql = ("CREATE TABLE t (a INT, b INT AS (a + 1) VIRTUAL COMMENT 'x', "
           "c INT AS (a + 2) STORED NOT NULL);\n"
           "ALTER TABLE t RENAME COLUMN b TO b2;\nALTER TABLE t RENAME COLUMN c TO c2;\n")
    steps = [f.rewrite.steps[0].sql for f in ml114(sql, dialect, version)]
    assert steps == [
        "ALTER TABLE t CHANGE b b2 INT GENERATED ALWAYS AS (a + 1) VIRTUAL COMMENT 'x';",
        "ALTER TABLE t CHANGE c c2 INT GENERATED ALWAYS AS (a + 2) STORED NOT NULL;",
    ]


@pytest.mark.parametrize("sql, version, lock_rule", [
    ("ALTER TABLE events SET ACCESS METHOD columnar;", "14", "ML218"),
    ("ALTER TABLE t ALTER COLUMN total SET EXPRESSION AS (a + b);", "16", "ML218"),
    ("CREATE UNIQUE INDEX u ON t (a) NULLS NOT DISTINCT;", "14", "ML201"),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a);", "14", "ML206"),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS DISTINCT (a);", "14", "ML206"),
])
def test_rejected_syntax_alone_is_reported_not_its_locks(sql, version, lock_rule):
    found = {f.rule for f in lint(sql, dialect="postgres", version=version)}
    assert "ML114" in found and lock_rule not in found


# The rules ML114 silences on a statement the target rejects.
LOCK_RULES = {"ML201", "ML204", "ML205", "ML206", "ML207", "ML208", "ML210", "ML215", "ML216",
              "ML217", "ML218"}


@pytest.mark.parametrize("sql", [
    "ALTER TABLE t ADD CONSTRAINT a UNIQUE NULLS NOT DISTINCT (x), ADD CONSTRAINT b UNIQUE (y);",
    "ALTER TABLE t ADD CONSTRAINT b UNIQUE (y), ADD CONSTRAINT a UNIQUE NULLS NOT DISTINCT (x);",
    "ALTER TABLE t ADD COLUMN a int UNIQUE NULLS NOT DISTINCT, ADD COLUMN b int UNIQUE, "
    "ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES u, ADD COLUMN d timestamptz DEFAULT clock_timestamp();",
])
def test_a_rejected_statement_gets_no_lock_finding_on_any_of_its_operations(sql):
    # The whole statement fails on 14; on 15 each operation's lock finding is reported.
    found = {f.rule for f in lint(sql, dialect="postgres", version="14")}
    assert "ML114" in found and not found & LOCK_RULES
    assert {f.rule for f in lint(sql, dialect="postgres", version="15")} >= {"ML206"}


def test_a_rejected_statement_still_reports_what_breaks_running_versions():
    sql = "ALTER TABLE t ADD CONSTRAINT a UNIQUE NULLS NOT DISTINCT (x), ALTER COLUMN q TYPE bigint;"
    assert {"ML114", "ML107"} <= {f.rule for f in lint(sql, dialect="postgres", version="14")}


@pytest.mark.parametrize("sql, version, lock_rule", [
    ("ALTER TABLE events SET ACCESS METHOD columnar;", "15", "ML218"),
    ("ALTER TABLE t ALTER COLUMN total SET EXPRESSION AS (a + b);", "17", "ML218"),
    ("CREATE UNIQUE INDEX u ON t (a) NULLS NOT DISTINCT;", "15", "ML201"),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a);", "15", "ML206"),
    ("ALTER TABLE t ADD CONSTRAINT u UNIQUE NULLS DISTINCT (a);", "15", "ML206"),
    ("ALTER TABLE t ADD UNIQUE NULLS DISTINCT (a), ADD COLUMN b INT;", "16", "ML206"),
    ("ALTER TABLE t ADD COLUMN a INT UNIQUE NULLS DISTINCT;", "16", "ML206"),
])
def test_accepted_syntax_keeps_its_lock_finding(sql, version, lock_rule):
    found = {f.rule for f in lint(sql, dialect="postgres", version=version)}
    assert "ML114" not in found and lock_rule in found


def test_a_suppressed_rejection_silences_no_lock_finding():
    # The team runs 15 and says so: the statement runs there, so each operation takes its
    # lock, as with ML114 turned off.
    sql = ("ALTER TABLE t ADD CONSTRAINT a UNIQUE NULLS NOT DISTINCT (x), ADD CONSTRAINT b "
           "UNIQUE (y); -- migrationlint: ignore ML114 -- we run 15\n")
    found = lint(sql, dialect="postgres", version="14")
    assert [f.span.column for f in found if f.rule == "ML206"] == [30, 78]
    assert not {"ML002", "ML003", "ML114"} & {f.rule for f in found}
    off = lint(sql.split(";")[0] + ";", dialect="postgres", version="14", ignore=["ML114"])
    assert [f.span.column for f in off if f.rule == "ML206"] == [30, 78]
