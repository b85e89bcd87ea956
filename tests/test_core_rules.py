"""The four engine-proving rules: context cases, exact positions, rewrites with real names."""

import pytest
import sqlglot

from helpers import codes, lint, options
from migrationlint.engine import LintOptions, lint_source
from migrationlint.selection import Selection
from migrationlint.source import SourceFile


def only(findings, code):
    return [f for f in findings if f.rule == code]


def test_rename_column_position_and_message():
    sql = "SELECT 1;\nALTER TABLE users RENAME COLUMN email TO email_address;"
    [finding] = only(lint(sql), "ML101")
    assert (finding.span.line, finding.span.column) == (2, 33)
    assert (finding.span.end_line, finding.span.end_column) == (2, 55)
    assert "email" in finding.message and "users" in finding.message


@pytest.mark.parametrize("sql, column, new_name, at", [
    ("ALTER TABLE users RENAME email TO email_address;", "email", "email_address", (1, 26)),
    ('ALTER TABLE app.users RENAME "eMail" TO mail;', '"eMail"', "mail", (1, 30)),
])
def test_rename_column_without_the_column_word_is_a_column_rename(sql, column, new_name, at):
    # PostgreSQL's COLUMN is optional; sqlglot reads the rest as renaming the table.
    findings = lint(sql)
    assert not only(findings, "ML102")
    [finding] = only(findings, "ML101")
    assert (finding.span.line, finding.span.column) == at
    assert f"column {column} of" in finding.message and new_name in finding.message


def test_rename_table_stays_a_table_rename():
    assert "ML102" in codes("ALTER TABLE users RENAME TO members;")
    assert "ML101" not in codes("ALTER TABLE users RENAME TO members;")


def test_rename_column_rewrite_uses_real_quoted_names():
    [finding] = only(lint('ALTER TABLE "Billing"."Users" RENAME COLUMN "eMail" TO mail;'), "ML101")
    sql = "\n".join(s.sql or s.instruction for s in finding.rewrite.steps)
    assert '"Billing"."Users"' in sql
    assert '"eMail"' in sql and "mail" in sql
    phases = [s.phase.value for s in finding.rewrite.steps]
    assert phases[0] == "expand" and phases[-1] == "contract"
    assert "backfill" in phases and "switch" in phases


def test_rename_column_uses_known_type_from_same_file():
    sql = (
        "ALTER TABLE users ADD COLUMN nick varchar(40);\n"
        "-- a later statement of the same file cannot make the column new again\n"
        "ALTER TABLE accounts RENAME COLUMN nick TO nickname;"
    )
    [finding] = only(lint(sql), "ML101")
    assert finding.rewrite.steps[0].sql is None  # type of accounts.nick is unknown
    sql = "CREATE TABLE IF NOT EXISTS t (a int);\n"  # new table: no finding at all
    assert "ML101" not in codes(sql + "ALTER TABLE t RENAME COLUMN a TO b;")


def test_rename_column_mysql_rewrite_uses_backticks():
    [finding] = only(lint("ALTER TABLE `order` RENAME COLUMN `desc` TO summary;", dialect="mysql"), "ML101")
    joined = "\n".join(s.sql or s.instruction for s in finding.rewrite.steps)
    assert "`order`" in joined and "`desc`" in joined


def test_mysql_change_column_to_new_name_is_a_rename():
    assert "ML101" in codes("ALTER TABLE users CHANGE email email_address varchar(255);", dialect="mysql")
    assert "ML101" not in codes("ALTER TABLE users CHANGE email email varchar(320);", dialect="mysql")


def test_drop_column_every_column_of_a_multi_action_alter():
    findings = only(lint("ALTER TABLE t DROP COLUMN a, DROP COLUMN b;"), "ML103")
    assert [f.span.column for f in findings] == [27, 42]
    assert all("DROP COLUMN" in f.rewrite.steps[-1].sql for f in findings)


@pytest.mark.parametrize("sql,expected", [
    ("ALTER TABLE t ADD COLUMN c int NOT NULL;", True),
    ("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;", False),
    ("ALTER TABLE t ADD COLUMN c int;", False),
    ("ALTER TABLE t ADD COLUMN c bigserial NOT NULL;", False),
    ("ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS IDENTITY NOT NULL;", False),
    ("ALTER TABLE t ADD COLUMN c int NOT NULL GENERATED ALWAYS AS (a + 1) STORED;", False),
    ("ALTER TABLE t ADD COLUMN c int PRIMARY KEY;", True),
    ("CREATE TABLE t (a int); ALTER TABLE t ADD COLUMN c int NOT NULL;", False),
])
def test_add_not_null_column(sql, expected):
    assert ("ML105" in codes(sql)) is expected


def test_add_not_null_rewrite_has_check_validate_and_version_gate():
    [finding] = only(lint("ALTER TABLE orders ADD COLUMN status text NOT NULL;"), "ML105")
    sqls = [s.sql for s in finding.rewrite.steps if s.sql]
    assert any("CHECK (status IS NOT NULL) NOT VALID" in s for s in sqls)
    assert any("VALIDATE CONSTRAINT orders_status_not_null" in s for s in sqls)
    assert any("SET NOT NULL" in s for s in sqls)
    [old] = only(lint("ALTER TABLE orders ADD COLUMN status text NOT NULL;", version="11"), "ML105")
    assert not any("SET NOT NULL" in (s.sql or "") for s in old.rewrite.steps)


@pytest.mark.parametrize("sql,expected", [
    ("CREATE INDEX i ON t (a);", True),
    ("CREATE INDEX CONCURRENTLY i ON t (a);", False),
    ("CREATE UNIQUE INDEX i ON s.t USING gin (a) WHERE b;", True),
    ("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);", False),
    ("BEGIN;\nCREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nCOMMIT;", False),
    ("CREATE TABLE other (a int);\nCREATE INDEX i ON t (a);", True),
])
def test_create_index_concurrently(sql, expected):
    assert ("ML201" in codes(sql)) is expected


def test_create_index_is_postgres_only():
    assert "ML201" not in codes("CREATE INDEX i ON t (a);", dialect="mysql")


def test_create_index_rewrite_keeps_method_where_and_names():
    [finding] = only(lint('CREATE UNIQUE INDEX "Idx" ON app.t USING gin (a) WHERE b > 1;'), "ML201")
    assert finding.rewrite.steps[0].sql == (
        'CREATE UNIQUE INDEX CONCURRENTLY "Idx" ON app.t USING gin (a) WHERE b > 1;'
    )


def test_every_rewrite_sql_parses_in_its_dialect():
    cases = [
        ("postgres", "ALTER TABLE users RENAME COLUMN email TO email_address;"),
        ("postgres", "ALTER TABLE orders ADD COLUMN status text NOT NULL;"),
        ("postgres", "ALTER TABLE users DROP COLUMN legacy;"),
        ("postgres", "CREATE INDEX i ON t (a);"),
        ("mysql", "ALTER TABLE users RENAME COLUMN email TO email_address;"),
        ("mysql", "ALTER TABLE orders ADD COLUMN status varchar(9) NOT NULL;"),
    ]
    checked = 0
    for dialect, sql in cases:
        for finding in lint(sql, dialect=dialect):
            for step in finding.rewrite.steps:
                if step.sql and "CREATE FUNCTION" not in step.sql:
                    sqlglot.parse(step.sql, read=dialect)
                    checked += 1
    assert checked >= 8


@pytest.mark.parametrize("sql, column, why", [
    ("ALTER TABLE `users` RENAME COLUMN `email` TO `mail`;", 13, "backticks"),
    ("ALTER TABLE users MODIFY total bigint NOT NULL;", 19, "MODIFY is MySQL syntax"),
    ("ALTER TABLE users ADD COLUMN x int, CHANGE a b int;", 37, "CHANGE is MySQL syntax"),
])
def test_mysql_syntax_in_a_postgres_file_is_a_parse_error_not_a_pass(sql, column, why):
    # sqlglot keeps these as unknown commands, which would pass unchecked.
    [finding] = lint(sql)
    assert finding.rule == "ML001" and (finding.span.line, finding.span.column) == (1, column)
    assert why in finding.message and 'set dialect = "mysql"' in finding.message


@pytest.mark.parametrize("sql", [
    # A psql variable or a template stands for a name or an action: not judged.
    "ALTER TABLE :tbl ENABLE ROW LEVEL SECURITY;",
    "ALTER TABLE :schema.:tbl REPLICA IDENTITY FULL;",
    "ALTER TABLE orders ${action};",
    "ALTER TABLE orders {{ action }};",
    "ALTER TABLE app.public.orders ENABLE ROW LEVEL SECURITY;",
    'ALTER TABLE U&"d\\0061ta" ENABLE ROW LEVEL SECURITY;',
])
def test_alter_table_words_it_cannot_judge_are_not_parse_errors(sql):
    assert "ML001" not in codes(sql)


@pytest.mark.parametrize("sql", [
    "ALTER TABLE ONLY app.\"Users\" * OWNER TO app;",
    "ALTER TABLE IF EXISTS users REPLICA IDENTITY FULL;",
    "ALTER TABLE users ENABLE TRIGGER users_audit, SET (fillfactor = 70);",
    "ALTER TABLE users ALTER COLUMN name SET STATISTICS 500;",
    "ALTER TABLE users NO INHERIT people;",
    "SELECT '`';",
    # A comma inside brackets does not start another action.
    "ALTER TABLE t ALTER COLUMN c SET DEFAULT ARRAY[1,2], ALTER COLUMN d SET STATISTICS 100;",
    # SPLIT / MERGE PARTITION(S): in Postgres Pro 17, and committed to PostgreSQL after 17.
    "ALTER TABLE sales SPLIT PARTITION sales_2026 INTO "
    "(PARTITION sales_h1 FOR VALUES FROM (1) TO (6), PARTITION sales_h2 FOR VALUES FROM (6) TO (13));",
    "ALTER TABLE sales MERGE PARTITIONS (sales_h1, sales_h2) INTO sales_2026;",
])
def test_postgres_alter_table_forms_sqlglot_cannot_read_are_not_parse_errors(sql):
    assert "ML001" not in codes(sql)


def test_statement_after_parse_error_is_still_checked():
    findings = lint("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT;\nALTER TABLE t DROP COLUMN d;",
                    ignore=["ML214"])
    assert [f.rule for f in findings] == ["ML001", "ML103"]
    assert findings[0].span.line == 1 and findings[1].span.line == 2


@pytest.mark.parametrize("sql,expected", [
    # sqlglot keeps these as a Command or rejects them; the recogniser reads them.
    ("CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT;", True),
    ("CREATE INDEX CONCURRENTLY i ON t (a) NULLS NOT DISTINCT;", False),
    ("CREATE INDEX ON ONLY parent (a);", False),
])
def test_create_index_forms_sqlglot_cannot_read(sql, expected):
    found = codes(sql)
    assert "ML001" not in found
    assert ("ML201" in found) is expected


def test_alter_table_with_an_unsupported_action_still_checks_the_others():
    sql = ("ALTER TABLE orders ADD COLUMN status text NOT NULL, ENABLE TRIGGER audit,\n"
           "    DROP COLUMN legacy;")
    findings = lint(sql, ignore=["ML214"])
    assert [(f.rule, f.span.line, f.span.column) for f in findings] == [
        ("ML105", 1, 31), ("ML103", 2, 17),
    ]


def test_mysql_change_rename_is_one_finding():
    findings = lint("ALTER TABLE users CHANGE email email_address varchar(255);",
                    dialect="mysql", ignore=["ML411"])
    assert [f.rule for f in findings] == ["ML101"]


@pytest.mark.parametrize("dialect,version,clause", [
    ("mysql", "8.0", ", ALGORITHM=INSTANT"),
    ("mysql", "5.7", ", ALGORITHM=INPLACE, LOCK=NONE"),
    ("postgres", "16", ""),
])
def test_drop_column_recipe_states_the_online_clause_once(dialect, version, clause):
    findings = lint("ALTER TABLE users DROP COLUMN signup_ip;", dialect=dialect, version=version,
                    ignore=["ML214", "ML411"])
    rules = [f.rule for f in findings]
    assert "ML406" not in rules  # the recipe states the clause ML406 would ask for
    [drop] = [f for f in findings if f.rule == "ML103"]
    assert drop.rewrite.steps[-1].sql == f"ALTER TABLE users DROP COLUMN signup_ip{clause};"


def test_a_selection_built_by_hand_with_a_plain_set_works():
    # Python API users may pass any set of codes, not only Selection.build's frozenset.
    built = options(select=["ML103"])
    by_hand = LintOptions(built.dialect, built.version,
                          Selection(set(built.selection.enabled), dict(built.selection.severities)))
    sql = "ALTER TABLE t DROP COLUMN c;"
    assert [f.rule for f in lint_source(SourceFile("m.sql", sql), by_hand)] == ["ML103"]


@pytest.mark.parametrize("sql, dialect", [
    ("ALTER TABLE orders RENAME TO orders_old;\nCREATE VIEW orders AS SELECT * FROM orders_old;",
     "postgres"),
    ("BEGIN;\nALTER TABLE orders RENAME TO orders_old;\nCREATE TABLE t (id int);\n"
     "CREATE OR REPLACE VIEW orders AS SELECT * FROM orders_old;\nCOMMIT;", "postgres"),
    ("RENAME TABLE orders TO orders_old;\nCREATE VIEW orders AS SELECT * FROM orders_old;", "mysql"),
    ("RENAME TABLE orders TO orders_old, orders_new TO orders;", "mysql"),
    ("ALTER TABLE orders RENAME TO orders_old;\nALTER TABLE orders_new RENAME TO orders;",
     "postgres"),
])
def test_a_rename_whose_old_name_is_served_again_at_once_is_not_flagged(sql, dialect):
    assert "ML102" not in codes(sql, dialect=dialect, select=["ML102"])


@pytest.mark.parametrize("sql, dialect", [
    # Too late: MySQL commits the ALTER between them, and it may run for long.
    ("RENAME TABLE orders TO orders_old;\nALTER TABLE t ADD COLUMN c int;\n"
     "CREATE VIEW orders AS SELECT * FROM orders_old;", "mysql"),
    # A materialized view takes no writes.
    ("ALTER TABLE orders RENAME TO orders_old;\n"
     "CREATE MATERIALIZED VIEW orders AS SELECT * FROM orders_old;", "postgres"),
    # Another schema's orders (an unqualified name is public's).
    ("ALTER TABLE app.orders RENAME TO orders_old;\nCREATE VIEW archive.orders AS SELECT 1;",
     "postgres"),
    ("ALTER TABLE app.orders RENAME TO orders_old;\nCREATE VIEW orders AS SELECT 1;", "postgres"),
    # A new, empty table under the old name: the running version finds no rows.
    ("ALTER TABLE orders RENAME TO orders_old;\nCREATE TABLE orders (id bigint);", "postgres"),
    ("CREATE TABLE orders_new LIKE orders;\n"
     "RENAME TABLE orders TO orders_old, orders_new TO orders;", "mysql"),
])
def test_a_rename_whose_old_name_is_not_served_again_at_once_is_flagged(sql, dialect):
    assert "ML102" in codes(sql, dialect=dialect, select=["ML102"])


@pytest.mark.parametrize("sql, dialect", [
    ("CREATE TABLE orders_new LIKE orders;\n"
     "RENAME TABLE orders TO orders_old, orders_new TO orders;", "mysql"),
    ("CREATE TABLE orders_new (LIKE orders);\nALTER TABLE orders RENAME TO orders_old;\n"
     "ALTER TABLE orders_new RENAME TO orders;", "postgres"),
    # The same swap in two steps: the old name is created again at once.
    ("ALTER TABLE orders RENAME TO orders_old;\nCREATE TABLE orders (id bigint PRIMARY KEY);",
     "postgres"),
    ("RENAME TABLE orders TO orders_old;\nCREATE TABLE orders (id BIGINT PRIMARY KEY);", "mysql"),
])
def test_a_swap_with_a_table_created_in_the_migration_gets_no_view_recipe(sql, dialect):
    # orders still exists after the swap: a view under it would undo the swap.
    [finding] = only(lint(sql, dialect=dialect, select=["ML102"]), "ML102")
    assert "orders keeps existing" in finding.message and "unknown-table" not in finding.message
    assert [step.sql for step in finding.rewrite.steps] == [None]
    assert "keep it in sync" in finding.rewrite.steps[0].title


@pytest.mark.parametrize("dialect, tools", [
    ("mysql", "gh-ost or pt-online-schema-change can"),
    ("mariadb", "; pt-online-schema-change can"),  # gh-ost does not support MariaDB
])
def test_a_fresh_swap_names_the_online_tools_of_the_dialect(dialect, tools):
    sql = ("CREATE TABLE orders_new LIKE orders;\n"
           "RENAME TABLE orders TO orders_old, orders_new TO orders;")
    [finding] = only(lint(sql, dialect=dialect, select=["ML102"]), "ML102")
    assert tools in finding.rewrite.steps[0].instruction
    assert (dialect == "mysql") == ("gh-ost" in finding.rewrite.steps[0].instruction)


def test_a_do_blocks_batching_loop_is_bounded_by_its_variables():
    sql = ("DO $$\nDECLARE last_id bigint := 0;\nBEGIN\n  LOOP\n"
           "    UPDATE users SET x = 1 WHERE id > last_id AND id <= last_id + 1000;\n"
           "    EXIT WHEN NOT FOUND;\n    last_id := last_id + 1000;\n    COMMIT;\n"
           "  END LOOP;\nEND $$;")
    assert "ML501" not in codes(sql, select=["ML501"])


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_drop_database_on_mysql_checks_emptiness_before_dropping(dialect):
    # MySQL and MariaDB have no RESTRICT: DROP DATABASE drops whatever the database holds.
    [finding] = only(lint("DROP DATABASE analytics_old;", dialect=dialect), "ML108")
    check, drop = finding.rewrite.steps[1:]
    assert "CASCADE" not in check.title + drop.title
    assert "must return 0" in check.title
    assert "information_schema.TABLES WHERE TABLE_SCHEMA = 'analytics_old'" in check.sql
    assert drop.sql == "DROP DATABASE analytics_old;"


def test_drop_schema_and_database_contract_steps_on_postgres():
    # DROP SCHEMA without CASCADE refuses a non-empty schema; DROP DATABASE has no CASCADE.
    [schema] = only(lint("DROP SCHEMA staging CASCADE;"), "ML108")
    assert [s.sql for s in schema.rewrite.steps[1:]] == ["DROP SCHEMA staging;"]
    assert "without CASCADE" in schema.rewrite.steps[1].title
    [database] = only(lint("DROP DATABASE analytics_old;"), "ML108")
    check, drop = database.rewrite.steps[1:]
    assert "CASCADE" not in drop.title and "connected to analytics_old" in check.title
    assert "pg_class" in check.sql and drop.sql == "DROP DATABASE analytics_old;"


def test_postgres_drop_database_check_counts_types_and_domains():
    # Enums, domains and ranges have no pg_class row; a relation's row type and every
    # type's array are counted with what they belong to, not again.
    [database] = only(lint("DROP DATABASE analytics_old;", select=["ML108"]), "ML108")
    check = database.rewrite.steps[1].sql
    assert "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace" in check
    assert "t.typrelid = 0" in check and "e.typarray = t.oid" in check
    assert check.count("NOT LIKE 'pg\\_temp%'") == 3


@pytest.mark.parametrize("dialect, statement", [
    ("postgres", "DROP DATABASE IF EXISTS analytics_old"),
    ("postgres", "DROP SCHEMA IF EXISTS analytics_old"),
    ("mysql", "DROP DATABASE IF EXISTS analytics_old"),
    ("mysql", "DROP SCHEMA IF EXISTS analytics_old"),  # MySQL's synonym of DROP DATABASE
    ("mariadb", "DROP SCHEMA IF EXISTS analytics_old"),
])
def test_drop_schema_or_database_keeps_if_exists_in_the_printed_drop(dialect, statement):
    # Without it, running the migration again fails once the database is gone.
    [finding] = only(lint(statement + ";", dialect=dialect, select=["ML108"]), "ML108")
    assert finding.rewrite.steps[-1].sql == statement + ";"
