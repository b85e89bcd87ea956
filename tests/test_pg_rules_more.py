"""PostgreSQL rule behaviour added in the fix round (reviewer findings)."""

import pytest

from tests.helpers import TIMEOUT_NOTES, codes, lint


def _only(sql, code, **kwargs):
    found = [f for f in lint(sql, ignore=TIMEOUT_NOTES, **kwargs) if f.rule == code]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("sql, flagged", [
    # A column added without a default is NULL on every existing row.
    ("ALTER TABLE t ADD COLUMN c int; ALTER TABLE t ALTER COLUMN c SET NOT NULL;", True),
    ("ALTER TABLE t ADD COLUMN c int DEFAULT NULL; ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
     True),
    # Filled by an UPDATE first: still a scan under ACCESS EXCLUSIVE.
    ("ALTER TABLE t ADD COLUMN c int; UPDATE t SET c = 0; "
     "ALTER TABLE t ALTER COLUMN c SET NOT NULL;", True),
    # A constant default fills every row, but SET NOT NULL still verifies it by a scan.
    ("ALTER TABLE t ADD COLUMN c int DEFAULT 0; ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
     True),
    ("CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN c int; "
     "ALTER TABLE t ALTER COLUMN c SET NOT NULL;", False),
])
def test_set_not_null_on_a_column_added_in_the_same_file(sql, flagged):
    assert ("ML106" in codes(sql, ignore=TIMEOUT_NOTES)) is flagged


def test_set_not_null_messages_say_why_for_a_new_column():
    empty = _only("ALTER TABLE t ADD COLUMN c int; ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
                  "ML106")
    assert "every existing row holds NULL" in empty.message
    assert "NOT NULL DEFAULT 0" in empty.rewrite.steps[0].instruction
    filled = _only("ALTER TABLE t ADD COLUMN c int; UPDATE t SET c = 0; "
                   "ALTER TABLE t ALTER COLUMN c SET NOT NULL;", "ML106")
    assert "filled earlier" in filled.message and "scans the whole" in filled.message


@pytest.mark.parametrize("version, scan_free", [("11", False), ("12", True)])
def test_set_not_null_summary_matches_the_steps_per_version(version, scan_free):
    found = _only("ALTER TABLE t ALTER COLUMN c SET NOT NULL;", "ML106", version=version)
    steps_set_not_null = any("SET NOT NULL" in (s.sql or "") for s in found.rewrite.steps)
    assert steps_set_not_null is scan_free
    assert ("without a scan" in found.rewrite.summary) is scan_free


@pytest.mark.parametrize("where, flagged", [
    ("id = ANY(ARRAY[1, 2])", False),
    ("id = ANY('{1,2}')", False),
    ("id = ANY(ARRAY['a', 'b']::text[])", False),
    ("id = ANY(ARRAY[other_id, 2])", True),
    ("state = ANY(ARRAY['paid'])", True),
])
def test_update_with_any_of_literal_keys_is_a_small_keyed_set(where, flagged):
    sql = f"UPDATE t SET c = 1 WHERE {where};"
    assert ("ML501" in codes(sql, ignore=TIMEOUT_NOTES)) is flagged


@pytest.mark.parametrize("value, flagged", [
    ("'2s'", False), ("'10s'", False), ("500", False), ("'1500ms'", False),
    ("'10min'", True), ("'11s'", True), ("'1h'", True), ("60000", True),
    ("0", True), ("'0'", True), ("DEFAULT", True),
])
def test_only_a_short_lock_timeout_counts(value, flagged):
    sql = f"SET lock_timeout = {value};\nALTER TABLE t ADD COLUMN a int;"
    assert ("ML214" in codes(sql)) is flagged


def test_a_long_lock_timeout_is_named_as_too_long():
    finding = _only_code("SET lock_timeout = '10min';\nALTER TABLE t ADD COLUMN a int;", "ML214")
    assert "lock_timeout of 10min (line 1), too long" in finding.message
    disabled = _only_code("SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN a int;", "ML214")
    assert "lock_timeout disabled" in disabled.message


def test_lock_timeout_note_does_not_contradict_a_failing_statement():
    # ML105 says the statement fails on a table with rows; the note is about the wait only.
    found = lint("ALTER TABLE t ADD COLUMN a int NOT NULL;")
    assert sorted(f.rule for f in found) == ["ML105", "ML214"]
    note = next(f for f in found if f.rule == "ML214")
    assert "millisecond" not in note.message and "waits for the lock" in note.message


def _only_code(sql, code):
    found = [f for f in lint(sql) if f.rule == code]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("statement", [
    "CREATE TABLE m_1 PARTITION OF m FOR VALUES IN (1);",
    "DROP TRIGGER trg ON m;",
    "ALTER TABLE m ENABLE ROW LEVEL SECURITY;",
])
def test_access_exclusive_statements_get_the_lock_notes(statement):
    assert "ML214" in codes(statement)
    # Held to COMMIT, the lock on m makes a later slow statement block m.
    later = codes(f"BEGIN; {statement} UPDATE o SET a = 1 WHERE id = 1; COMMIT;")
    assert "ML213" in later


@pytest.mark.parametrize("sql, create, attach", [
    ("CREATE TABLE m_1 PARTITION OF m FOR VALUES FROM (1) TO (10);",
     "CREATE TABLE m_1 (LIKE m INCLUDING ALL);",
     "ALTER TABLE m ATTACH PARTITION m_1 FOR VALUES FROM (1) TO (10);"),
    ("CREATE TABLE m_d PARTITION OF m DEFAULT;",
     "CREATE TABLE m_d (LIKE m INCLUDING ALL);",
     "ALTER TABLE m ATTACH PARTITION m_d DEFAULT;"),
    ("create table m_h partition of m for values with (modulus 4, remainder 0)",
     "CREATE TABLE m_h (LIKE m INCLUDING ALL);",
     "ALTER TABLE m ATTACH PARTITION m_h FOR VALUES WITH (MODULUS 4, REMAINDER 0);"),
    # The bound ends before PARTITION BY, which the plain table keeps (a sub-partitioned
    # partition is attached partitioned), and before a trailing comment.
    ("CREATE TABLE m_1 PARTITION OF m FOR VALUES IN ('a') PARTITION BY RANGE (at); -- monthly",
     "CREATE TABLE m_1 (LIKE m INCLUDING ALL) PARTITION BY RANGE(at);",
     "ALTER TABLE m ATTACH PARTITION m_1 FOR VALUES IN ('a');"),
    # Storage options stay on the plain table, in PostgreSQL's order.
    ('CREATE TABLE "M 1" PARTITION OF s.m (a NOT NULL) FOR VALUES FROM (MINVALUE) TO (0) '
     "TABLESPACE fast;",
     'CREATE TABLE "M 1" (LIKE s.m INCLUDING ALL) TABLESPACE fast;',
     'ALTER TABLE s.m ATTACH PARTITION "M 1" FOR VALUES FROM (MINVALUE) TO (0);'),
    ("CREATE TABLE m_2 PARTITION OF m FOR VALUES IN (2) PARTITION BY LIST (b) USING heap "
     'WITH (fillfactor = 70, autovacuum_enabled = false) TABLESPACE "Fast";',
     "CREATE TABLE m_2 (LIKE m INCLUDING ALL) PARTITION BY LIST(b) USING heap "
     'WITH (fillfactor=70, autovacuum_enabled=FALSE) TABLESPACE "Fast";',
     "ALTER TABLE m ATTACH PARTITION m_2 FOR VALUES IN (2);"),
])
def test_partition_of_recipe_creates_alone_then_attaches(sql, create, attach):
    found = _only(sql, "ML217")
    assert [s.sql for s in found.rewrite.steps] == [create, attach]


@pytest.mark.parametrize("sql, version, flagged", [
    ("CREATE TABLE m_d PARTITION OF m DEFAULT;", "16", True),
    ("CREATE TABLE m_d PARTITION OF m DEFAULT;", "11", False),
    ("CREATE TABLE m (id int) PARTITION BY LIST (id); "
     "CREATE TABLE m_1 PARTITION OF m FOR VALUES IN (1);", "16", False),
    ("CREATE TABLE m_1 (LIKE m INCLUDING ALL);", "16", False),
])
def test_partition_of_flagged_only_on_an_existing_parent_from_12(sql, version, flagged):
    assert ("ML217" in codes(sql, version=version)) is flagged


def test_hazards_inside_a_do_block_are_checked_where_they_are_written():
    sql = "SET lock_timeout = '2s';\nDO $$ BEGIN ALTER TABLE users DROP COLUMN legacy; END $$;"
    found = _only(sql, "ML103")
    assert (found.span.line, found.span.column) == (2, 43)


IDEMPOTENT_FOREIGN_KEY = """DO $do$
DECLARE
  existing int;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'orders_user_fk') THEN
    ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
  ELSE
    FOR existing IN SELECT 1 LOOP
      UPDATE orders SET flag = true;
    END LOOP;
  END IF;
  EXECUTE 'ALTER TABLE orders DROP COLUMN flag';
EXCEPTION WHEN duplicate_object THEN NULL;
END
$do$ LANGUAGE plpgsql;"""


def test_do_block_branches_and_literal_dynamic_sql_are_checked():
    found = lint(IDEMPOTENT_FOREIGN_KEY, ignore=TIMEOUT_NOTES)
    assert sorted((f.rule, f.span.line) for f in found) == [
        ("ML103", 12), ("ML204", 6), ("ML501", 9)]


def test_do_block_locks_count_for_the_lock_timeout_note():
    assert "ML214" in codes("DO $$ BEGIN ALTER TABLE users DROP COLUMN legacy; END $$;")


DYNAMIC_SQL = r"""SET lock_timeout = '2s';
DO $$
BEGIN
  EXECUTE 'ALTER TABLE orders DROP COLUMN flag';
  EXECUTE 'ALTER TABLE users RENAME COLUMN note TO notes; UPDATE users SET x = ''a''';
  EXECUTE format('ALTER TABLE %I DROP COLUMN c', tbl);
  EXECUTE 'ALTER TABLE ' || tbl || ' DROP COLUMN c';
  EXECUTE E'ALTER TABLE t DROP COLUMN \'c\'';
END $$;"""


def test_dynamic_sql_is_checked_only_when_it_is_one_string_literal():
    found = [(f.rule, f.span.line, f.span.column, f.span.end_column) for f in lint(DYNAMIC_SQL)]
    # At its place inside the literal.
    assert ("ML103", 4, 43, 47) in found
    # Doubled quotes: the unescaped text does not map onto the file, so at the EXECUTE.
    assert ("ML101", 5, 3, 86) in found and ("ML501", 5, 3, 86) in found
    # Built at run time, or with backslash escapes: not read.
    assert len(found) == 3


@pytest.mark.parametrize("sql,expected", [
    # A body in a plain string maps onto the file: at its place.
    ("DO 'BEGIN ALTER TABLE users DROP COLUMN legacy; END';", [("ML103", 2, 41, 2, 47)]),
    # Doubled quotes: the unescaped body does not map, so at the DO statement.
    ("DO LANGUAGE plpgsql 'BEGIN\n  ALTER TABLE users DROP COLUMN legacy;\n"
     "  UPDATE users SET x = ''a'';\nEND';", [("ML103", 2, 1, 5, 5), ("ML501", 2, 1, 5, 5)]),
    # Another language, or an E'...' string with backslash escapes: not read.
    ("DO LANGUAGE plperl 'BEGIN ALTER TABLE users DROP COLUMN legacy; END';", []),
    ("DO E'BEGIN ALTER TABLE users DROP COLUMN legacy; END';", []),
])
def test_a_do_body_written_as_a_string_is_checked(sql, expected):
    found = lint("SET lock_timeout = '2s';\n" + sql)
    assert [(f.rule, f.span.line, f.span.column, f.span.end_line, f.span.end_column)
            for f in found] == expected
