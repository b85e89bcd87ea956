"""ALTER forms that copy or rewrite a PostgreSQL table (ML218) and domain CHECKs added
without NOT VALID (ML219)."""

import pytest

from migrationlint import model as m
from migrationlint.normalize import normalize_statement
from migrationlint.source import LineIndex
from tests.helpers import TIMEOUT_NOTES, codes, lint


def _operations(sql, dialect="postgres"):
    return normalize_statement(sql, 0, LineIndex(sql), dialect).operations


def _only(sql, code):
    # PostgreSQL 17 accepts every form here (SET EXPRESSION is new in 17); on an older
    # target ML114 reports the syntax instead.
    found = [f for f in lint(sql, version="17", ignore=TIMEOUT_NOTES) if f.rule == code]
    assert len(found) == 1, found
    return found[0]


def _rewrite_sql(finding):
    return "\n".join(s.sql or s.instruction or "" for s in finding.rewrite.steps)


@pytest.mark.parametrize("sql, kind, fields", [
    ("ALTER TABLE events SET TABLESPACE fast;", m.SetTablespace, {"tablespace": "fast"}),
    ("ALTER TABLE events SET ACCESS METHOD heap2;", m.SetAccessMethod, {"method": "heap2"}),
    ("ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a + 1);", m.SetGenerationExpression,
     {"column": "c", "expression_sql": "a + 1"}),
    ("ALTER TABLE t ALTER c SET EXPRESSION AS ((a) + (b));", m.SetGenerationExpression,
     {"column": "c", "expression_sql": "(a) + (b)"}),
    ("ALTER DOMAIN positive_int ADD CONSTRAINT positive_int_check CHECK (VALUE > 0);",
     m.AddDomainConstraint, {"name": "positive_int_check", "expression_sql": "VALUE > 0",
                             "not_valid": False}),
    ("ALTER DOMAIN d ADD CHECK (VALUE > 0) NOT VALID;", m.AddDomainConstraint,
     {"name": None, "not_valid": True}),
    ("CREATE DOMAIN positive_int AS integer;", m.CreateType, {}),
    ("ALTER DOMAIN app.email SET NOT NULL;", m.SetDomainNotNull, {}),
    ("ALTER INDEX IF EXISTS idx_events_at SET TABLESPACE fast;", m.SetRelationTablespace,
     {"kind": "index", "tablespace": "fast"}),
    ("ALTER MATERIALIZED VIEW IF EXISTS daily SET TABLESPACE fast;", m.SetRelationTablespace,
     {"kind": "materialized view", "tablespace": "fast"}),
    ("ALTER TABLE ALL IN TABLESPACE old SET TABLESPACE fast;", m.MoveAllInTablespace,
     {"kind": "table", "tablespace": "old", "new_tablespace": "fast", "owners": (),
      "nowait": False}),
    ("ALTER MATERIALIZED VIEW ALL IN TABLESPACE old SET TABLESPACE fast;",
     m.MoveAllInTablespace, {"kind": "materialized view"}),
    ("ALTER INDEX ALL IN TABLESPACE old OWNED BY bob, \"Ann\" SET TABLESPACE fast NOWAIT;",
     m.MoveAllInTablespace, {"kind": "index", "nowait": True}),
])
def test_statements_become_typed_operations(sql, kind, fields):
    (op,) = _operations(sql)
    assert type(op) is kind
    for field, expected in fields.items():
        value = getattr(op, field)
        assert (value.name if isinstance(value, m.Ident) else value) == expected


def test_all_in_tablespace_keeps_the_owners_as_written():
    (op,) = _operations('ALTER INDEX ALL IN TABLESPACE old OWNED BY bob, "Ann" SET TABLESPACE fast;')
    assert op.owners == (m.Ident(name="bob"), m.Ident(name="Ann", quoted=True))


@pytest.mark.parametrize("sql", [
    "ALTER INDEX idx RENAME TO idx2;",
    "ALTER MATERIALIZED VIEW daily RENAME TO weekly;",
    "ALTER DOMAIN d VALIDATE CONSTRAINT c;",
    "ALTER DOMAIN d DROP NOT NULL;",
    "ALTER DOMAIN d ADD CONSTRAINT c NOT NULL;",
    "ALTER TABLE t ALTER COLUMN c DROP EXPRESSION;",
])
def test_other_forms_stay_raw(sql):
    assert [type(op) for op in _operations(sql)] == [m.RawStatement]


def test_set_expression_next_to_another_action_is_still_read():
    ops = _operations("ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a + 1), ADD COLUMN d int;")
    assert [type(op) for op in ops] == [m.SetGenerationExpression, m.AddColumn]


@pytest.mark.parametrize("sql, code, line, column", [
    ("ALTER TABLE events SET TABLESPACE fast;", "ML218", 1, 35),
    ("SELECT 1;\nALTER TABLE events SET ACCESS METHOD heap2;", "ML218", 2, 38),
    ("ALTER TABLE t\n  ALTER COLUMN c SET EXPRESSION AS (a + 1);", "ML218", 2, 3),
    ("ALTER DOMAIN positive_int\n  ADD CONSTRAINT positive_int_check CHECK (VALUE > 0);",
     "ML219", 2, 3),
    ("ALTER DOMAIN email\n  SET NOT NULL;", "ML219", 2, 3),
])
def test_findings_point_at_the_clause(sql, code, line, column):
    span = _only(sql, code).span
    assert (span.line, span.column) == (line, column)


@pytest.mark.parametrize("sql, code", [
    ("CREATE TABLE events (id int); ALTER TABLE events SET TABLESPACE fast;", "ML218"),
    ("CREATE TABLE events (id int); ALTER TABLE events SET ACCESS METHOD heap2;", "ML218"),
    ("CREATE TABLE t (a int, c int GENERATED ALWAYS AS (a) STORED);"
     " ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a + 1);", "ML218"),
    ("CREATE DOMAIN positive_int AS integer;"
     " ALTER DOMAIN positive_int ADD CHECK (VALUE > 0);", "ML219"),
    ("ALTER DOMAIN positive_int ADD CHECK (VALUE > 0) NOT VALID;", "ML219"),
    ("CREATE DOMAIN email AS text; ALTER DOMAIN email SET NOT NULL;", "ML219"),
])
def test_new_objects_and_not_valid_are_not_flagged(sql, code):
    assert code not in codes(sql, ignore=TIMEOUT_NOTES)


def test_a_domain_of_another_schema_is_not_new():
    sql = "CREATE DOMAIN a.positive_int AS integer; ALTER DOMAIN b.positive_int ADD CHECK (VALUE > 0);"
    assert "ML219" in codes(sql, ignore=TIMEOUT_NOTES)


def test_messages_name_the_lock():
    assert "ACCESS EXCLUSIVE" in _only("ALTER TABLE events SET TABLESPACE fast;", "ML218").message
    domain = _only("ALTER DOMAIN d ADD CHECK (VALUE > 0);", "ML219")
    assert "SHARE lock" in domain.message and "ACCESS EXCLUSIVE" not in domain.message


def test_rewrites_quote_the_real_names():
    tablespace = _only('ALTER TABLE app."Events" SET TABLESPACE "Fast";', "ML218")
    assert '--table=app."Events" --tablespace="Fast"' in _rewrite_sql(tablespace)
    expression = _only('ALTER TABLE "T" ALTER COLUMN "Total" SET EXPRESSION AS ("A" + 1);', "ML218")
    assert 'ALTER TABLE "T" DROP COLUMN "Total";' in _rewrite_sql(expression)
    assert 'UPDATE "T" SET "Total_new" = ("A" + 1)' in _rewrite_sql(expression)


def test_expression_recipe_copies_a_known_column_type():
    found = _only("ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a) STORED;"
                  " ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a + 1);", "ML218")
    assert "ALTER TABLE t ADD COLUMN c_new INT;" in _rewrite_sql(found)


def test_domain_recipe_adds_not_valid_and_validates_with_the_same_name():
    named = _only('ALTER DOMAIN "PosInt" ADD CONSTRAINT pos CHECK (VALUE > 0);', "ML219")
    assert _rewrite_sql(named).splitlines() == [
        'ALTER DOMAIN "PosInt" ADD CONSTRAINT pos CHECK (VALUE > 0) NOT VALID;',
        'ALTER DOMAIN "PosInt" VALIDATE CONSTRAINT pos;',
    ]
    unnamed = _only('ALTER DOMAIN "PosInt" ADD CHECK (VALUE > 0);', "ML219")
    # PostgreSQL names it <domain>_check, keeping the quoted name's case.
    assert 'VALIDATE CONSTRAINT "PosInt_check";' in _rewrite_sql(unnamed)


@pytest.mark.parametrize("sql, lock_words", [
    ("ALTER INDEX idx_events_at SET TABLESPACE fast;",
     ["ACCESS EXCLUSIVE on it", "every read and write of its table"]),
    ("ALTER MATERIALIZED VIEW daily SET TABLESPACE fast;",
     ["ACCESS EXCLUSIVE on it", "every query reading daily", "indexes stay"]),
    ("ALTER TABLE ALL IN TABLESPACE old OWNED BY bob SET TABLESPACE fast NOWAIT;",
     ["ACCESS EXCLUSIVE on every table in old owned by bob before it moves any",
      "holding every lock until the transaction ends", "NOWAIT only makes it fail"]),
    ("ALTER INDEX ALL IN TABLESPACE old SET TABLESPACE fast;",
     ["every index in old", "every read and write of their tables"]),
])
def test_tablespace_moves_name_what_they_lock(sql, lock_words):
    message = _only(sql, "ML218").message
    assert all(words in message for words in lock_words), message


def test_an_index_created_in_the_migration_moves_freely():
    sql = ("CREATE INDEX idx_events_at ON events (at);\n"
           "ALTER INDEX idx_events_at SET TABLESPACE fast;")
    assert "ML218" not in codes(sql, ignore=TIMEOUT_NOTES)


def test_index_move_recipe_rebuilds_concurrently_from_14():
    sql = 'ALTER INDEX app."IdxAt" SET TABLESPACE "Fast";'
    assert _rewrite_sql(_only(sql, "ML218")).splitlines()[0] == (
        'REINDEX (TABLESPACE "Fast") INDEX CONCURRENTLY app."IdxAt";')
    [older] = [f for f in lint(sql, version="13", ignore=TIMEOUT_NOTES) if f.rule == "ML218"]
    assert ('CREATE INDEX CONCURRENTLY "IdxAt_new" ON <its table>' in _rewrite_sql(older)
            and 'ALTER INDEX app."IdxAt_new" RENAME TO "IdxAt"' in _rewrite_sql(older))


def test_all_in_tablespace_recipe_moves_one_relation_at_a_time():
    tables = _only("ALTER TABLE ALL IN TABLESPACE old SET TABLESPACE fast;", "ML218")
    assert "pg_repack --table=<table> --tablespace=fast --moveidx" in _rewrite_sql(tables)
    views = _only("ALTER MATERIALIZED VIEW ALL IN TABLESPACE old SET TABLESPACE fast;", "ML218")
    assert "ALTER MATERIALIZED VIEW <name> SET TABLESPACE fast for each" in _rewrite_sql(views)


def test_domain_set_not_null_names_the_lock_and_has_no_not_valid_form():
    message = _only("ALTER DOMAIN email SET NOT NULL;", "ML219").message
    assert "SHARE lock" in message and "no NOT VALID form" in message


def test_domain_set_not_null_recipe_is_a_not_valid_check_kept_in_place():
    found = _only('ALTER DOMAIN app."Email" SET NOT NULL;', "ML219")
    steps = found.rewrite.steps
    assert [s.sql for s in steps[:2]] == [
        'ALTER DOMAIN app."Email" ADD CONSTRAINT email_not_null CHECK (VALUE IS NOT NULL) '
        "NOT VALID;",
        'ALTER DOMAIN app."Email" VALIDATE CONSTRAINT email_not_null;',
    ]
    assert "SET NOT NULL would scan every table again" in steps[2].instruction


def test_lock_timeout_note_covers_the_rewrites():
    assert "ML214" in codes("ALTER TABLE events SET TABLESPACE fast;")
    assert "ML214" in codes("ALTER INDEX idx_events_at SET TABLESPACE fast;")
    assert "ML214" in codes("ALTER TABLE ALL IN TABLESPACE old SET TABLESPACE fast;")


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_mysql_runs_are_unaffected(dialect):
    for sql in ("ALTER TABLE events SET TABLESPACE fast;",
                "ALTER TABLE events SET ACCESS METHOD heap2;"):
        assert [type(op) for op in _operations(sql, dialect)] == [m.RawStatement]
        assert not {"ML218", "ML219"} & set(codes(sql, dialect=dialect))
