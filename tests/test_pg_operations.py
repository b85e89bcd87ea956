"""PostgreSQL statements become operations of the model (not RawStatement), and the
realistic corpus under tests/fixtures/corpus/postgres keeps few unrecognised statements."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrationlint import model as m
from migrationlint.readers import read_migration
from migrationlint.source import SourceFile
from migrationlint.versions import Version

CORPUS = Path(__file__).parent / "fixtures" / "corpus" / "postgres"


def operations(sql: str):
    migration = read_migration(SourceFile("m.sql", sql), "postgres", Version("16"))
    assert all(s.error is None for s in migration.statements), migration.statements
    return [op for s in migration.statements for op in s.operations]


def only(sql: str):
    ops = operations(sql)
    assert len(ops) == 1, ops
    return ops[0]


def test_enum_add_value():
    op = only("ALTER TYPE shop.mood ADD VALUE IF NOT EXISTS 'calm' AFTER 'ok';")
    assert isinstance(op, m.AddEnumValue)
    assert (op.type_name.display, op.value, op.if_not_exists) == ("shop.mood", "calm", True)


def test_enum_rename_value_keeps_quoted_type():
    op = only("ALTER TYPE \"Mood\" RENAME VALUE 'a' TO 'b';")
    assert isinstance(op, m.RenameEnumValue)
    assert (op.type_name.name.quoted, op.value, op.new_value) == (True, "a", "b")


@pytest.mark.parametrize("sql,target,name,concurrently", [
    ("REINDEX INDEX CONCURRENTLY idx_a;", "index", "idx_a", True),
    ("REINDEX (VERBOSE) TABLE s.t;", "table", "s.t", False),
    ("REINDEX (CONCURRENTLY) TABLE t;", "table", "t", True),
])
def test_reindex(sql, target, name, concurrently):
    op = only(sql)
    assert isinstance(op, m.Reindex)
    assert (op.target, op.name.display, op.concurrently) == (target, name, concurrently)


@pytest.mark.parametrize("sql,full,tables", [
    ("VACUUM FULL t;", True, ["t"]),
    ("VACUUM (FULL, ANALYZE) t, s.u;", True, ["t", "s.u"]),
    ("VACUUM ANALYZE t (a, b);", False, ["t"]),
    ("VACUUM;", False, []),
])
def test_vacuum(sql, full, tables):
    op = only(sql)
    assert isinstance(op, m.Vacuum)
    assert (op.full, [t.display for t in op.tables]) == (full, tables)


def test_cluster_and_refresh_and_logged():
    cluster, bare, refresh, logged, unlogged = operations(
        "CLUSTER VERBOSE t USING t_pkey; CLUSTER; REFRESH MATERIALIZED VIEW CONCURRENTLY s.mv;"
        " ALTER TABLE t SET LOGGED; ALTER TABLE t SET UNLOGGED;"
    )
    assert (cluster.table.display, cluster.index.name, bare.table) == ("t", "t_pkey", None)
    assert (refresh.name.display, refresh.concurrently) == ("s.mv", True)
    assert (logged.logged, unlogged.logged) == (True, False)


def test_detach_partition():
    op = only("ALTER TABLE ONLY p DETACH PARTITION s.p_2023 CONCURRENTLY;")
    assert isinstance(op, m.DetachPartition)
    assert (op.table.display, op.partition.display, op.concurrently) == ("p", "s.p_2023", True)


def test_drops_and_truncate():
    schema, database, first, second = operations(
        "DROP SCHEMA staging CASCADE; DROP DATABASE old; TRUNCATE a, s.b CASCADE;"
    )
    assert (schema.name.name, schema.cascade, database.name.name) == ("staging", True, "old")
    assert [first.table.display, second.table.display, second.cascade] == ["a", "s.b", True]


@pytest.mark.parametrize("sql,kind,where,keyed", [
    ("UPDATE users SET a = 1;", "update", None, False),
    ("UPDATE users SET a = 1 WHERE id = 5;", "update", "id = 5", True),
    ("DELETE FROM users WHERE id IN (1, 2) AND tenant_id = 3;", "delete", None, True),
    ("DELETE FROM users WHERE created_at < '2020-01-01';", "delete", None, False),
    ("INSERT INTO archive (id) SELECT id FROM events;", "insert_select", None, False),
])
def test_data_changes(sql, kind, where, keyed):
    op = only(sql)
    assert isinstance(op, m.DataChange)
    assert (op.kind, op.keyed) == (kind, keyed)
    if where:
        assert op.where_sql == where


def test_insert_values_is_not_a_data_migration():
    op = only("INSERT INTO settings (key, value) VALUES ('a', 'b');")
    assert isinstance(op, m.RawStatement) and op.is_dml


def test_update_from_ignores_ctes():
    op = only("WITH x AS (SELECT 1 AS id) UPDATE t SET a = 1 FROM x, y WHERE t.id = x.id;")
    assert [s.display for s in op.sources] == ["y"]


def test_do_block_is_named():
    op = only("DO $$ BEGIN PERFORM 1; END $$;")
    assert isinstance(op, m.RawStatement) and op.keyword == "DO"


def test_corpus_unrecognised_statements_are_pinned():
    """DDL the model has no operation for. Growing this list means a recogniser
    regressed; shrinking it means update the pin."""
    raw = []
    for path in sorted(CORPUS.glob("*.sql")):
        migration = read_migration(SourceFile(path.name, path.read_text()), "postgres", Version("16"))
        assert not [s for s in migration.statements if s.error], path.name
        raw += [
            f"{path.name}: {op.keyword}" for s in migration.statements for op in s.operations
            if isinstance(op, m.RawStatement) and not op.is_dml
        ]
    assert raw == [
        "000043_partitions_and_maintenance.up.sql: DO",
        "V1__create_shop_schema.sql: CREATE SCHEMA",
        "V1__create_shop_schema.sql: CREATE OR",
        "V1__create_shop_schema.sql: COMMENT",
    ]


def test_corpus_findings_per_rule_are_pinned():
    """Any change in what the catalogue reports on the realistic corpus shows up here."""
    from collections import Counter

    from helpers import lint

    counts = Counter()
    for path in sorted(CORPUS.glob("*.sql")):
        counts.update(f.rule for f in lint(path.read_text(), path=path.name))
    assert dict(sorted(counts.items())) == {
        # ML105: 0007_auto_django.sql adds "status" NOT NULL DEFAULT 'new' and then drops
        # the default (Django's AddField): the old version's INSERTs fail.
        "ML101": 1, "ML102": 1, "ML104": 1, "ML105": 1, "ML106": 1, "ML107": 2, "ML108": 1,
        "ML109": 1,
        "ML110": 1, "ML111": 1, "ML112": 1, "ML113": 1,
        "ML201": 3, "ML202": 1, "ML203": 1, "ML204": 1, "ML205": 1, "ML206": 1, "ML207": 1,
        # ML213: 2 since the golang-migrate convention (merged frameworks branch) runs the
        # several statements of 000044_not_null_step1.up.sql in one transaction: its FK
        # line locks customers while orders is held ACCESS EXCLUSIVE.
        "ML208": 1, "ML209": 2, "ML210": 1, "ML211": 1, "ML212": 1, "ML213": 2, "ML214": 4,
        "ML301": 3, "ML302": 1, "ML303": 1, "ML501": 2, "ML502": 1,
    }


def test_actions_after_a_set_that_follows_another_action_are_all_read():
    # sqlglot keeps "SET ..." after another action, and all after it, as raw text.
    sql = "ALTER TABLE t ADD COLUMN x int, SET LOGGED, ALTER COLUMN y SET NOT NULL;"
    add, logged, not_null = operations(sql)
    assert isinstance(add, m.AddColumn) and isinstance(logged, m.SetLogged)
    assert isinstance(not_null, m.SetNotNull) and not_null.column.name == "y"
    assert (not_null.span.line, not_null.span.column) == (1, sql.index("y SET NOT") + 1)


def test_a_set_that_follows_another_action_names_its_tablespace():
    [_, moved] = operations('ALTER TABLE s.t ADD COLUMN x int, SET TABLESPACE "Fast";')
    assert isinstance(moved, m.SetTablespace) and moved.tablespace.name == "Fast"
    assert moved.table.schema_.name == "s"


def test_unique_and_primary_key_keep_their_index_storage_parameters_and_tablespace():
    [constraint] = operations(
        'ALTER TABLE t ADD CONSTRAINT u UNIQUE (b) INCLUDE (c) WITH (fillfactor = 70) '
        'USING INDEX TABLESPACE "Fast";')
    assert constraint.include == (m.Ident(name="c"),)
    assert constraint.storage_parameters == ("fillfactor=70",)
    assert constraint.tablespace == m.Ident(name="Fast", quoted=True)
    [column] = operations("ALTER TABLE t ADD COLUMN d int PRIMARY KEY "
                          "WITH (fillfactor=70) USING INDEX TABLESPACE fast;")
    spec = column.column
    assert (spec.index_storage_parameters, spec.index_tablespace) == (
        ("fillfactor=70",), m.Ident(name="fast"))
    [plain] = operations("ALTER TABLE t ADD CONSTRAINT u UNIQUE (b);")
    assert (plain.storage_parameters, plain.tablespace) == ((), None)
