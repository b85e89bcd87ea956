"""PostgreSQL behaviour fixed after the QA pass (one section per finding)."""

import pytest

from tests.helpers import TIMEOUT_NOTES, codes, lint


# -- ML204: a foreign key on a newly added column -------------------------------------
@pytest.mark.parametrize("sql, flagged", [
    # NULL on every existing row: PostgreSQL marks the constraint valid without a scan.
    ("ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id);", False),
    ("ALTER TABLE orders ADD COLUMN coupon_id bigint DEFAULT 0 REFERENCES coupons (id);", True),
    ("ALTER TABLE orders ADD COLUMN coupon_id bigserial REFERENCES coupons (id);", True),
    # Any default, or a table-level foreign key in the same statement, turns the skip off.
    ("ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id), "
     "ADD COLUMN n int DEFAULT 1;", True),
    ("ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id), "
     "ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES c (id) NOT VALID;", True),
])
def test_inline_references_validated_only_when_postgres_cannot_skip(sql, flagged):
    assert ("ML204" in codes(sql, ignore=TIMEOUT_NOTES)) is flagged


# -- ML208: volatility of built-in defaults, from pg_proc.provolatile -----------------
@pytest.mark.parametrize("default, flagged", [
    ("timezone('utc', now())", False),  # timezone(text, timestamptz) is immutable
    ("jsonb_build_object('k', 1)", False),  # stable
    ("json_build_object('k', 1)", False),
    ("jsonb_build_array(1, 2)", False),
    ("make_date(2020, 1, 1)", False),  # immutable
    ("make_timestamp(2020, 1, 1, 0, 0, 0)", False),
    ("make_interval(days => 1)", False),
    ("txid_current()", False),  # stable, not volatile
    ("pg_current_xact_id()", False),
    ("jsonb_build_object('at', clock_timestamp())", True),  # a volatile argument
    # timezone(text, timetz) is volatile: the offset depends on the current date.
    ("timezone('utc', current_time)", True),
    ("current_time AT TIME ZONE 'utc'", True),
    ("timezone('utc', '10:00'::timetz)", True),
])
def test_builtin_default_volatility(default, flagged):
    sql = f"ALTER TABLE t ADD COLUMN c text DEFAULT {default};"
    assert ("ML208" in codes(sql, ignore=TIMEOUT_NOTES)) is flagged


# -- ML302: PostgreSQL 11 lets a transaction add values to a type it created ----------
@pytest.mark.parametrize("sql, flagged", [
    ("BEGIN; CREATE TYPE ticket_state AS ENUM ('open', 'closed'); "
     "ALTER TYPE ticket_state ADD VALUE 'pending'; COMMIT;", False),
    # Created in an earlier transaction: the type is committed, so ADD VALUE fails.
    ("BEGIN; CREATE TYPE ticket_state AS ENUM ('open'); COMMIT; "
     "BEGIN; ALTER TYPE ticket_state ADD VALUE 'pending'; COMMIT;", True),
    ("BEGIN; CREATE TYPE other_state AS ENUM ('open'); "
     "ALTER TYPE ticket_state ADD VALUE 'pending'; COMMIT;", True),
    ("BEGIN; ALTER TYPE ticket_state ADD VALUE 'pending'; "
     "CREATE TYPE ticket_state AS ENUM ('open'); COMMIT;", True),
])
def test_enum_value_added_to_a_type_created_in_the_same_transaction(sql, flagged):
    assert ("ML302" in codes(sql, version="11", ignore=TIMEOUT_NOTES)) is flagged


# -- ML214: LOCK TABLE, RESET, and what REINDEX locks ---------------------------------
def _timeout_findings(sql):
    return [f for f in lint(sql) if f.rule == "ML214"]


@pytest.mark.parametrize("sql, line", [
    ("BEGIN;\nLOCK TABLE orders IN ACCESS EXCLUSIVE MODE;\nUPDATE orders SET a = 1 WHERE id = 5;"
     "\nCOMMIT;", 2),
    ("BEGIN;\nLOCK orders;\nCOMMIT;", 2),  # ACCESS EXCLUSIVE when no mode is given
    ("BEGIN;\nLOCK TABLE orders IN ACCESS SHARE MODE;\nCOMMIT;", None),
    ("BEGIN;\nLOCK TABLE orders IN ACCESS EXCLUSIVE MODE NOWAIT;\nCOMMIT;", None),
    ("SET lock_timeout = '2s';\nBEGIN;\nLOCK TABLE orders;\nCOMMIT;", None),
    # RESET (or RESET ALL) restores the server's default, usually no limit.
    ("SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;\nRESET lock_timeout;\n"
     "ALTER TABLE orders ADD COLUMN b int;", 4),
    ("SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;\nRESET ALL;\n"
     "ALTER TABLE orders ADD COLUMN b int;", 4),
    ("SET lock_timeout = '2s';\nRESET statement_timeout;\nALTER TABLE orders ADD COLUMN b int;",
     None),
])
def test_lock_timeout_sees_lock_table_and_reset(sql, line):
    assert [f.span.line for f in _timeout_findings(sql)] == ([line] if line else [])


def test_lock_timeout_message_for_a_reset_names_the_default():
    sql = "SET lock_timeout = '2s';\nRESET lock_timeout;\nALTER TABLE orders ADD COLUMN b int;"
    message = _timeout_findings(sql)[0].message
    assert "reset to the server's default on line 2" in message


@pytest.mark.parametrize("sql, taken", [
    ("REINDEX TABLE orders;", "SHARE on orders (blocking writes) and ACCESS EXCLUSIVE on each "
     "index of orders"),
    ("REINDEX INDEX orders_ref_idx;", "SHARE on its table (blocking writes) and ACCESS "
     "EXCLUSIVE on orders_ref_idx"),
])
def test_lock_timeout_message_says_what_reindex_locks(sql, taken):
    assert f"This statement takes {taken}" in _timeout_findings(sql)[0].message


# -- ML107: a type change of a column added to an existing table ----------------------
@pytest.mark.parametrize("sql, flagged", [
    ("ALTER TABLE t ADD COLUMN g integer; ALTER TABLE t ALTER COLUMN g TYPE bigint;", True),
    ("ALTER TABLE t ADD COLUMN g integer; "
     "ALTER TABLE t ALTER COLUMN g TYPE integer USING g * 2;", True),
    # No rewrite: nothing to report.
    ("ALTER TABLE t ADD COLUMN g varchar(10); ALTER TABLE t ALTER COLUMN g TYPE varchar(20);",
     False),
    # A table created in this migration is empty and unused.
    ("CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN g integer; "
     "ALTER TABLE t ALTER COLUMN g TYPE bigint;", False),
])
def test_type_change_of_a_column_added_to_an_existing_table(sql, flagged):
    found = [f for f in lint(sql, ignore=TIMEOUT_NOTES) if f.rule == "ML107"]
    assert bool(found) is flagged
    if found:
        assert "added earlier in this migration" in found[0].message
        assert "ADD COLUMN" in found[0].rewrite.steps[0].title


# -- objects created earlier: schemas must match --------------------------------------
@pytest.mark.parametrize("created, used, new", [
    ("app.orders", "public.orders", False),
    ("app.orders", "orders", False),  # unqualified: public
    ("app.orders", "app.orders", True),
    ("orders", "public.orders", True),
    ("public.orders", "orders", True),
    ("orders", "orders", True),
    ('"App".orders', "app.orders", False),
])
def test_table_is_new_only_in_the_same_schema(created, used, new):
    sql = f"CREATE TABLE {created} (id bigint, ref text); CREATE INDEX ON {used} (ref);"
    assert ("ML201" in codes(sql, ignore=TIMEOUT_NOTES)) is not new


def test_mysql_unqualified_name_matches_any_database():
    sql = "CREATE TABLE shop.orders (id int, ref text); ALTER TABLE orders RENAME COLUMN ref TO r;"
    assert "ML101" not in codes(sql, dialect="mysql")
