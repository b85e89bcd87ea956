"""Context cases of the PostgreSQL catalogue: objects new in the file, version gates,
transactions, one finding per hazard, and rewrites that name the real objects."""

from __future__ import annotations

import pytest

from helpers import codes, lint


def only(sql, code, **kwargs):
    found = [f for f in lint(sql, **kwargs) if f.rule == code]
    assert len(found) == 1, [f.rule for f in lint(sql, **kwargs)]
    return found[0]


def rewrite_sql(finding) -> str:
    return "\n".join(step.sql or step.instruction or "" for step in finding.rewrite.steps)


# -- objects created earlier in the same file ---------------------------------------
@pytest.mark.parametrize("sql", [
    "CREATE TABLE t (id bigint, a int); ALTER TABLE t RENAME TO t2;",
    "CREATE TABLE t (id bigint); DROP TABLE t;",
    "CREATE TABLE t (id bigint, a int); ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
    "CREATE TABLE t (id bigint, a int); ALTER TABLE t ALTER COLUMN a TYPE bigint;",
    "CREATE TABLE t (id bigint); ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
    "CREATE TABLE t (id bigint, p bigint); ALTER TABLE t ADD FOREIGN KEY (p) REFERENCES t (id);",
    "CREATE TABLE t (id bigint); ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();",
    "CREATE TABLE t (id bigint); TRUNCATE t;",
    "CREATE TABLE t (id bigint); UPDATE t SET id = 1;",
    "ALTER TABLE t ADD COLUMN a int; ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
    "CREATE INDEX CONCURRENTLY i ON t (a); REINDEX INDEX i;",
    "CREATE TABLE t (id int); REINDEX TABLE t; VACUUM FULL t; CLUSTER t USING t_pkey;",
    "ALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p) REFERENCES u (id) NOT VALID;"
    " ALTER TABLE t DROP CONSTRAINT t_p_fkey;",
])
def test_new_objects_are_not_flagged(sql):
    # ML301 is about transactions: VACUUM in a transaction fails whatever the table;
    # ML214 rightly notes the first ALTER of an existing table.
    assert [c for c in codes(sql) if c not in ("ML301", "ML214")] == []


def test_new_table_matching_ignores_missing_schema_but_not_other_tables():
    assert "ML201" in codes("CREATE TABLE a (id int); CREATE INDEX i ON b (id);")


# -- SET NOT NULL -------------------------------------------------------------------
def test_set_not_null_rewrite_uses_a_generated_check_name():
    finding = only('ALTER TABLE "Orders" ALTER COLUMN customer_id SET NOT NULL;', "ML106")
    sql = rewrite_sql(finding)
    assert 'ALTER TABLE "Orders" ADD CONSTRAINT orders_customer_id_not_null CHECK ' \
           '(customer_id IS NOT NULL) NOT VALID;' in sql
    assert 'VALIDATE CONSTRAINT orders_customer_id_not_null' in sql


def test_set_not_null_check_name_fits_63_bytes():
    table, column = "t" * 40, "c" * 40
    finding = only(f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;", "ML106")
    name = rewrite_sql(finding).split("ADD CONSTRAINT ")[1].split()[0]
    assert len(name.encode()) <= 63


def test_validated_check_only_helps_from_12():
    sql = ("ALTER TABLE o ADD CONSTRAINT o_c_nn CHECK (c IS NOT NULL);"
           " ALTER TABLE o ALTER COLUMN c SET NOT NULL;")
    assert "ML106" not in codes(sql, version="12")
    assert "ML106" in codes(sql, version="11")


def test_not_valid_check_without_validate_does_not_help():
    sql = ("ALTER TABLE o ADD CONSTRAINT o_c_nn CHECK (c IS NOT NULL) NOT VALID;"
           " ALTER TABLE o ALTER COLUMN c SET NOT NULL;")
    assert "ML106" in codes(sql)


def test_check_on_another_column_does_not_help():
    sql = ("ALTER TABLE o ADD CONSTRAINT o_d_nn CHECK (d IS NOT NULL);"
           " ALTER TABLE o ALTER COLUMN c SET NOT NULL;")
    assert "ML106" in codes(sql)


# -- type changes -------------------------------------------------------------------
@pytest.mark.parametrize("old,new,flagged", [
    ("varchar(20)", "varchar(40)", False), ("varchar(40)", "varchar(20)", True),
    ("varchar(20)", "text", False), ("int", "bigint", True),
    ("numeric(10,2)", "numeric(14,2)", False), ("numeric(10,2)", "numeric(14,4)", True),
    ("timestamp", "timestamptz", True),
])
def test_type_change_with_known_old_type(old, new, flagged):
    sql = (f"ALTER TABLE t ALTER COLUMN c TYPE {old};"
           f" ALTER TABLE t ALTER COLUMN c TYPE {new};")
    lines = [f.span.line for f in lint(sql.replace("; ", ";\n")) if f.rule == "ML107"]
    # The first change is always flagged: its old type is not known from the file.
    assert lines == ([1, 2] if flagged else [1])


def test_type_change_rewrite_names_new_column_and_cast():
    finding = only("ALTER TABLE shop.orders ALTER COLUMN total_cents TYPE bigint;", "ML107")
    sql = rewrite_sql(finding)
    assert "ALTER TABLE shop.orders ADD COLUMN total_cents_new BIGINT;" in sql
    assert "SET total_cents_new = CAST(total_cents AS BIGINT)" in sql
    assert "DROP COLUMN total_cents;" in sql


def test_mysql_type_change_rewrite_is_quoted_for_mysql():
    finding = only("ALTER TABLE `order` MODIFY `total` BIGINT NOT NULL;", "ML107", dialect="mysql")
    sql = rewrite_sql(finding)
    assert "ALTER TABLE `order` ADD COLUMN total_new BIGINT;" in sql
    assert "BETWEEN :last_id + 1 AND :last_id + 1000" in sql and "ctid" not in sql


def test_enum_value_removal_supersedes_type_change_on_mysql():
    sql = ("ALTER TABLE t MODIFY s ENUM('a', 'b', 'c');"
           " ALTER TABLE t MODIFY s ENUM('a', 'c');")
    found = [f.rule for f in lint(sql, dialect="mysql")]
    assert found.count("ML111") == 1 and found.count("ML107") == 1  # only the first MODIFY


# -- defaults and version gates -----------------------------------------------------
def test_unknown_function_default_counts_as_volatile_and_says_so():
    finding = only("ALTER TABLE users ADD COLUMN token text DEFAULT make_token();", "ML208")
    assert "make_token()" in finding.message and "not a known built-in" in finding.message


@pytest.mark.parametrize("sql", [
    "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();",
    "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;",
    "ALTER TABLE t ADD COLUMN c text DEFAULT lower('X');",
])
def test_non_volatile_defaults_are_fine_from_11(sql):
    assert "ML208" not in codes(sql, version="11")
    assert "ML208" in codes(sql, version="10")


@pytest.mark.parametrize("sql", [
    "ALTER TABLE t ADD COLUMN c bigserial;",
    "ALTER TABLE t ADD COLUMN c bigint GENERATED ALWAYS AS IDENTITY;",
    "ALTER TABLE t ADD COLUMN c text GENERATED ALWAYS AS (lower(d)) STORED;",
    "ALTER TABLE t ADD COLUMN c double precision DEFAULT random();",
])
def test_rewriting_column_adds(sql):
    assert "ML208" in codes(sql)


def test_reindex_and_detach_gates():
    assert "ML203" not in codes("REINDEX TABLE t;", version="11")
    assert "ML203" in codes("REINDEX TABLE t;", version="12")
    assert "ML212" not in codes("ALTER TABLE p DETACH PARTITION c;", version="13")
    assert "ML212" in codes("ALTER TABLE p DETACH PARTITION c;", version="14")


@pytest.mark.parametrize("version,flagged", [("14.0", True), ("14.3", True), ("14.4", False),
                                             ("14", False), ("13", False), ("16", False)])
def test_pg14_concurrent_index_corruption(version, flagged):
    found = "ML215" in codes("CREATE INDEX CONCURRENTLY i ON t (a);", version=version)
    assert found is flagged


# -- constraints --------------------------------------------------------------------
def test_unique_rewrite_builds_index_concurrently_then_attaches_it():
    finding = only('ALTER TABLE "Orders" ADD CONSTRAINT uq UNIQUE (public_id, "Region");', "ML206")
    sql = rewrite_sql(finding)
    assert 'CREATE UNIQUE INDEX CONCURRENTLY orders_public_id_region_idx ON "Orders" ' \
           '(public_id, "Region");' in sql
    assert 'ADD CONSTRAINT uq UNIQUE USING INDEX orders_public_id_region_idx;' in sql


def test_inline_unique_and_references_on_add_column():
    sql = ("ALTER TABLE t ADD COLUMN code text UNIQUE; "
           "ALTER TABLE t ADD COLUMN p bigint DEFAULT 0 REFERENCES u (id);")
    assert {"ML206", "ML204"} <= set(codes(sql))


def test_fk_rewrite_and_fix():
    finding = only("ALTER TABLE s.orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES s.customers (id);",
                   "ML204")
    assert "REFERENCES s.customers (id) NOT VALID;" in rewrite_sql(finding)
    assert "ALTER TABLE s.orders VALIDATE CONSTRAINT fk;" in rewrite_sql(finding)
    assert finding.fix is not None


def test_no_split_fix_inside_explicit_transaction():
    finding = only("BEGIN; ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0); COMMIT;", "ML205")
    assert finding.fix is None


# -- transactions -------------------------------------------------------------------
@pytest.mark.parametrize("sql,flagged", [
    ("CREATE INDEX CONCURRENTLY i ON t (a);", False),
    ("SET lock_timeout = '1s'; CREATE INDEX CONCURRENTLY i ON t (a);", False),
    ("BEGIN; CREATE INDEX CONCURRENTLY i ON t (a); COMMIT;", True),
    ("CREATE INDEX CONCURRENTLY i ON t (a); CREATE INDEX CONCURRENTLY j ON t (b);", True),
    ("DROP INDEX CONCURRENTLY i; SELECT 1;", True),
    ("BEGIN; VACUUM t; COMMIT;", True),
    ("ALTER TABLE p DETACH PARTITION c CONCURRENTLY; ALTER TABLE p ADD COLUMN x int;", True),
])
def test_non_transactional_statements(sql, flagged):
    assert ("ML301" in codes(sql)) is flagged


def test_enum_add_value_in_transaction():
    sql = "BEGIN; ALTER TYPE mood ADD VALUE 'calm'; COMMIT;"
    assert "ML302" in codes(sql, version="11")
    assert "ML302" not in codes(sql, version="12")
    used = "BEGIN; ALTER TYPE mood ADD VALUE 'calm'; UPDATE people SET mood = 'calm' WHERE id = 1; COMMIT;"
    assert "ML302" in codes(used, version="12")


def test_validate_in_same_explicit_transaction_only():
    add = "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;"
    validate = "ALTER TABLE t VALIDATE CONSTRAINT c;"
    assert "ML303" in codes(f"BEGIN; {add} {validate} COMMIT;")
    assert "ML303" not in codes(f"BEGIN; {add} COMMIT; BEGIN; {validate} COMMIT;")
    assert "ML303" not in codes(f"{add} {validate}")


def test_nested_and_unterminated_transactions():
    assert codes("BEGIN; BEGIN; SELECT 1; COMMIT; COMMIT;", select=["ML304", "ML305"]) == ["ML304", "ML304"]
    assert codes("COMMIT;", select=["ML304"]) == ["ML304"]
    assert codes("BEGIN; ALTER TABLE t ADD COLUMN a int;", select=["ML305"]) == ["ML305"]
    assert codes("BEGIN; SELECT 1; COMMIT;", select=["ML304", "ML305"]) == []


def test_statements_after_exclusive_lock():
    base = "BEGIN; SET LOCAL lock_timeout = '1s'; ALTER TABLE users ADD COLUMN a text; {} COMMIT;"
    # A statement with its own, more specific finding reports the hazard once.
    assert codes(base.format("CREATE INDEX i ON users (b);")) == ["ML201"]
    assert "ML213" in codes(base.format("ALTER TABLE users VALIDATE CONSTRAINT users_b_check;"))
    assert "ML213" in codes(base.format("ALTER TABLE orders ADD COLUMN b text;"))
    assert "ML213" not in codes(base.format("ALTER TABLE users ADD COLUMN b text;"))
    assert "ML213" not in codes(base.format("CREATE TABLE n (id int); CREATE INDEX j ON n (id);"))


def test_missing_lock_timeout_once_per_file_and_respects_set():
    sql = "ALTER TABLE a ADD COLUMN x int; ALTER TABLE b ADD COLUMN y int;"
    assert codes(sql, select=["ML214"]) == ["ML214"]
    assert codes("SET lock_timeout = '2s'; " + sql, select=["ML214"]) == []
    assert codes("SET lock_timeout = 0; " + sql, select=["ML214"]) == ["ML214"]
    assert codes("CREATE INDEX CONCURRENTLY i ON t (a);", select=["ML214"]) == []
    assert codes("CREATE INDEX CONCURRENTLY i ON t (a); REINDEX INDEX i; DROP INDEX i;",
                 select=["ML214"]) == []
    assert codes("REINDEX INDEX i;", select=["ML214"]) == ["ML214"]


# -- data changes -------------------------------------------------------------------
def test_update_rewrite_is_batched_and_idempotent():
    finding = only("UPDATE users SET locale = 'en' WHERE locale IS NULL;", "ML501")
    sql = rewrite_sql(finding)
    assert ("WHERE <primary key> > :last_id AND <primary key> <= :last_id + 1000 AND "
            "((locale IS NULL) AND locale IS DISTINCT FROM 'en');") in sql


def test_mysql_update_rewrite():
    finding = only("UPDATE `users` SET `locale` = 'en';", "ML501", dialect="mysql")
    assert ("UPDATE `users` SET `locale` = 'en'\nWHERE <primary key> BETWEEN :last_id + 1 "
            "AND :last_id + 1000 AND (NOT (`locale` <=> 'en'));" in rewrite_sql(finding))


@pytest.mark.parametrize("where,flagged", [
    ("id = 5", False), ("account_id IN (1, 2)", False), ("state = 'paid'", True),
    ("created_at < now()", True), ("id > 5", True),
])
def test_keyed_where(where, flagged):
    assert ("ML501" in codes(f"DELETE FROM t WHERE {where};")) is flagged


# -- compatibility on MySQL -----------------------------------------------------------
def test_rename_table_rewrite_per_dialect():
    pg = only('ALTER TABLE "Accounts" RENAME TO customers;', "ML102")
    assert 'CREATE VIEW "Accounts" AS SELECT * FROM customers;' in rewrite_sql(pg)
    my = only("ALTER TABLE accounts RENAME TO `order`;", "ML102", dialect="mysql")
    assert "RENAME TABLE accounts TO `order`;" in rewrite_sql(my)  # reserved word quoted
    assert "CREATE VIEW accounts AS SELECT * FROM `order`;" in rewrite_sql(my)


def test_drop_foreign_key_on_mysql_is_a_note():
    finding = only("ALTER TABLE orders DROP FOREIGN KEY orders_ibfk_1;", "ML113", dialect="mysql")
    assert finding.severity.value == "note"
    assert "DROP FOREIGN KEY orders_ibfk_1;" in rewrite_sql(finding)


def test_drop_constraint_not_named_like_fk_is_not_flagged():
    assert "ML113" not in codes("ALTER TABLE users DROP CONSTRAINT users_email_check;")


def test_truncate_cascade_mentions_cascade():
    finding = only("TRUNCATE events CASCADE;", "ML112")
    assert "CASCADE" in finding.message


def test_fk_rewrite_keeps_the_users_clauses():
    sql = ('ALTER TABLE "b" ADD CONSTRAINT "b_fk" FOREIGN KEY ("a") REFERENCES "acc" ("id") '
           "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;")
    finding = only(sql, "ML204")
    assert sql[:-1] + " NOT VALID;" in rewrite_sql(finding)


def test_unnamed_constraint_rewrite_names_it_for_the_validate_step():
    finding = only("ALTER TABLE t ADD FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE CASCADE;", "ML204")
    assert ("ALTER TABLE t ADD CONSTRAINT t_a_id_fkey FOREIGN KEY (a_id) REFERENCES a (id) "
            "ON DELETE CASCADE NOT VALID;") in rewrite_sql(finding)
    assert "ALTER TABLE t VALIDATE CONSTRAINT t_a_id_fkey;" in rewrite_sql(finding)


def test_mysql_change_with_rename_is_reported_once_as_a_rename():
    # Only the compatibility family matters here; MySQL's online-DDL rules (ML4xx) also fire.
    found = codes("ALTER TABLE t CHANGE old_name new_name INT NOT NULL;", dialect="mysql")
    assert [c for c in found if c.startswith("ML1")] == ["ML101"]


def test_volatile_default_rewrite_keeps_values_for_new_rows_and_not_null():
    finding = only("ALTER TABLE o ADD COLUMN pid uuid NOT NULL DEFAULT gen_random_uuid();", "ML208")
    sql = rewrite_sql(finding)
    assert "ALTER TABLE o ADD COLUMN pid UUID;" in sql
    assert "ALTER TABLE o ALTER COLUMN pid SET DEFAULT GEN_RANDOM_UUID();" in sql
    assert "SET pid = GEN_RANDOM_UUID()" in sql and "+ 1000 AND (pid IS NULL);" in sql
    assert "CHECK (pid IS NOT NULL) NOT VALID" in sql


def test_serial_rewrite_uses_a_plain_integer_and_a_sequence():
    sql = rewrite_sql(only("ALTER TABLE events ADD COLUMN seq bigserial;", "ML208"))
    assert "ALTER TABLE events ADD COLUMN seq BIGINT;" in sql
    assert "CREATE SEQUENCE events_seq_seq OWNED BY events.seq;" in sql


# -- which statements share a transaction: one answer (Migration.transaction) for every rule --
_XML_NO_TRANSACTION = """<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
  <changeSet id="1" author="a">
    <addColumn tableName="users"><column name="x" type="int"/></addColumn>
  </changeSet>
  <changeSet id="2" author="a" runInTransaction="false">
    <sql>CREATE INDEX CONCURRENTLY ix_users_x ON users (x)</sql>
  </changeSet>
</databaseChangeLog>
"""
_FORMATTED_NO_TRANSACTION = """--liquibase formatted sql

--changeset a:1
ALTER TABLE users ADD COLUMN y int;

--changeset a:2 runInTransaction:false
CREATE INDEX CONCURRENTLY ix_users_y ON users (y);
"""
_ALEMBIC_AUTOCOMMIT = """from alembic import op

revision = "b1"
down_revision = "a0"


def upgrade():
    op.add_column("users", sa.Column("x", sa.Integer()))
    with op.get_context().autocommit_block():
        op.create_index("ix_users_x", "users", ["x"], postgresql_concurrently=True)


def downgrade():
    pass
"""


@pytest.mark.parametrize("path,text", [
    ("versions/b1_idx.py", _ALEMBIC_AUTOCOMMIT),
    ("changelog/changes.xml", _XML_NO_TRANSACTION),
    ("changelog/changes.sql", _FORMATTED_NO_TRANSACTION),
])
def test_runner_opt_out_per_statement_is_honoured(path, text):
    assert "ML301" not in codes(text, path=path)
    # The same change without the opt-out is flagged, so the check above can fail.
    wrapped = (text.replace(' runInTransaction="false"', "").replace(" runInTransaction:false", "")
               .replace("with op.get_context().autocommit_block():\n        ", ""))
    assert "ML301" in codes(wrapped, path=path)


def test_plain_begin_commit_still_fails_concurrently():
    [finding] = lint("BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;", select=["ML301"])
    assert "inside BEGIN ... COMMIT" in finding.message


def test_validate_in_the_same_liquibase_changeset_only():
    changelog = """<databaseChangeLog>
  <changeSet id="1" author="a">
    <sql>ALTER TABLE t ADD CONSTRAINT c CHECK (a &gt; 0) NOT VALID</sql>
  </changeSet>
  <changeSet id="2" author="a">
    <sql>ALTER TABLE t VALIDATE CONSTRAINT c</sql>
  </changeSet>
</databaseChangeLog>
"""
    assert "ML303" not in codes(changelog, path="changes.xml")
    one_changeset = changelog.replace('  </changeSet>\n  <changeSet id="2" author="a">\n', "")
    assert "ML303" in codes(one_changeset, path="changes.xml")


def test_new_enum_value_use_is_a_string_literal_not_a_comment():
    add = "BEGIN; ALTER TYPE mood ADD VALUE 'calm';"
    assert "ML302" not in codes(f"{add} UPDATE people SET mood = 'sad' /* 'calm' */; COMMIT;")
    assert "ML302" in codes(f"{add} UPDATE people SET mood = 'calm'; COMMIT;")


def test_second_commit_does_not_claim_earlier_statements_ran_outside_a_transaction():
    [finding] = lint("BEGIN; SELECT 1; COMMIT; COMMIT;", select=["ML304"])
    assert "were not in a transaction" not in finding.message
    assert "no BEGIN of the file open" in finding.message


# -- constraint rewrites generated from the operation (review round) -----------------
def _relint_steps(finding, *codes_to_check):
    """Lint the rewrite's SQL steps as one file; the codes it must not raise again."""
    steps = "\n".join(step.sql for step in finding.rewrite.steps if step.sql)
    return [f.rule for f in lint(steps) if f.rule in codes_to_check]


def test_fk_rewrite_ignores_a_comment_inside_the_statement():
    sql = ("ALTER TABLE orders -- add the customer fk\n"
           "  ADD FOREIGN KEY (customer_id) REFERENCES customers (id);")
    finding = only(sql, "ML204")
    assert rewrite_sql(finding).splitlines()[:2] == [
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) "
        "REFERENCES customers (id) NOT VALID;",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;",
    ]
    assert finding.fix is None  # no name to VALIDATE without editing the statement
    assert _relint_steps(finding, "ML204", "ML001") == []


def test_fk_rewrite_of_one_action_keeps_referenced_columns_and_actions():
    sql = ('ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (c_id, "Region") '
           'REFERENCES s.customers (id, "Region") ON DELETE CASCADE ON UPDATE SET NULL, '
           "ADD CONSTRAINT ck CHECK (x > 0);")
    finding = only(sql, "ML204")
    assert ('ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (c_id, "Region") REFERENCES '
            's.customers (id, "Region") ON DELETE CASCADE ON UPDATE SET NULL NOT VALID;'
            ) in rewrite_sql(finding)
    assert "CHECK" not in rewrite_sql(finding)


@pytest.mark.parametrize("sql,name", [
    ("ALTER TABLE orders ADD CHECK (total > 0);", "orders_total_check"),
    ("ALTER TABLE orders ADD CHECK (total > discount);", "orders_check"),
    ("ALTER TABLE orders /* why */ ADD CHECK (total > 0);", "orders_total_check"),
    # PostgreSQL names it from the names as stored: a quoted name keeps its case.
    ('ALTER TABLE "Orders" ADD CHECK ("Total" > 0);', '"Orders_Total_check"'),
    ('ALTER TABLE "Orders" ADD CHECK (total > 0);', '"Orders_total_check"'),
    ('ALTER TABLE "Orders" ADD COLUMN "Total" int CHECK ("Total" > 0);', '"Orders_Total_check"'),
])
def test_unnamed_check_gets_postgres_default_name(sql, name):
    finding = only(sql, "ML205")
    assert f"ADD CONSTRAINT {name} CHECK (" in rewrite_sql(finding)
    assert f"VALIDATE CONSTRAINT {name};" in rewrite_sql(finding)
    assert _relint_steps(finding, "ML205", "ML001") == []


@pytest.mark.parametrize("sql, added", [
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (total > 0) NO INHERIT;",
     "ALTER TABLE t ADD CONSTRAINT c CHECK (total > 0) NO INHERIT NOT VALID;"),
    ("ALTER TABLE t ADD CHECK (total > 0) NO INHERIT;",
     "ALTER TABLE t ADD CONSTRAINT t_total_check CHECK (total > 0) NO INHERIT NOT VALID;"),
])
def test_no_inherit_check_is_flagged_and_kept(sql, added):
    # sqlglot cannot read NO INHERIT, so the statement was an unrecognised ALTER TABLE.
    finding = only(sql, "ML205")
    assert finding.rewrite.steps[0].sql == added
    assert _relint_steps(finding, "ML205", "ML001") == []


@pytest.mark.parametrize("sql", [
    "ALTER TABLE t ADD CONSTRAINT c CHECK (total > 0) NO INHERIT NOT VALID;",
    "ALTER TABLE t ADD CONSTRAINT c CHECK (total > 0) NOT VALID NO INHERIT;",
])
def test_no_inherit_check_added_not_valid_is_clean(sql):
    assert codes(sql, select=["ML205", "ML001"]) == []


def test_generated_fk_name_fits_63_bytes():
    table, column = "t" * 40, "c" * 40
    finding = only(f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES p (id);", "ML204")
    name = rewrite_sql(finding).split("ADD CONSTRAINT ")[1].split()[0]
    # makeObjectName cuts the longer part first, one byte at a time.
    assert name == "t" * 29 + "_" + "c" * 28 + "_fkey"


def test_default_fk_and_unique_names_keep_the_case_of_quoted_names():
    fk = only('ALTER TABLE "Orders" ADD FOREIGN KEY ("CustomerId") REFERENCES p (id);', "ML204")
    assert 'VALIDATE CONSTRAINT "Orders_CustomerId_fkey";' in rewrite_sql(fk)
    unique = only('ALTER TABLE "Orders" ADD UNIQUE ("Code");', "ML206")
    assert 'ADD CONSTRAINT "Orders_Code_key" UNIQUE USING INDEX' in rewrite_sql(unique)


def test_inline_check_on_add_column_is_flagged_with_the_bare_column_recipe():
    finding = only("ALTER TABLE t ADD COLUMN e int NOT NULL DEFAULT 1 CHECK (e > 0);", "ML205")
    assert "ACCESS EXCLUSIVE" in finding.message
    assert rewrite_sql(finding).splitlines() == [
        "ALTER TABLE t ADD COLUMN e INT DEFAULT 1 NOT NULL;",
        "ALTER TABLE t ADD CONSTRAINT t_e_check CHECK (e > 0) NOT VALID;",
        "ALTER TABLE t VALIDATE CONSTRAINT t_e_check;",
    ]
    assert _relint_steps(finding, "ML205", "ML204", "ML206") == []
    assert "ML205" not in codes("CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN e int CHECK (e > 0);")


def test_inline_references_rewrite_keeps_columns_and_actions():
    finding = only("ALTER TABLE t ADD COLUMN c int DEFAULT 0 REFERENCES u (id) ON DELETE SET NULL;",
                   "ML204")
    assert rewrite_sql(finding).splitlines()[:2] == [
        "ALTER TABLE t ADD COLUMN c INT DEFAULT 0;",
        "ALTER TABLE t ADD CONSTRAINT t_c_fkey FOREIGN KEY (c) REFERENCES u (id) ON DELETE SET NULL "
        "NOT VALID;",
    ]


def test_primary_key_recipe_makes_columns_not_null_before_attaching():
    finding = only("ALTER TABLE events ADD PRIMARY KEY (id);", "ML206")
    sql = rewrite_sql(finding)
    assert sql.index("SET NOT NULL") < sql.index("PRIMARY KEY USING INDEX")
    assert "ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx;" in sql


@pytest.mark.parametrize("sql,flagged", [
    ("ALTER TABLE o ADD CONSTRAINT o_pk PRIMARY KEY USING INDEX o_pk_idx;", True),
    ("CREATE UNIQUE INDEX CONCURRENTLY o_pk_idx ON o (id);"
     " ALTER TABLE o ADD CONSTRAINT o_pk PRIMARY KEY USING INDEX o_pk_idx;", True),
    ("CREATE UNIQUE INDEX CONCURRENTLY o_pk_idx ON o (id); ALTER TABLE o ALTER COLUMN id SET NOT NULL;"
     " ALTER TABLE o ADD CONSTRAINT o_pk PRIMARY KEY USING INDEX o_pk_idx;", False),
    ("ALTER TABLE o ALTER COLUMN id SET NOT NULL;"
     " ALTER TABLE o ADD CONSTRAINT o_pk PRIMARY KEY USING INDEX o_pk_idx;", False),
    ("ALTER TABLE o ADD COLUMN uid bigint NOT NULL DEFAULT 0; CREATE UNIQUE INDEX i ON o (uid);"
     " ALTER TABLE o ADD CONSTRAINT o_pk PRIMARY KEY USING INDEX i;", False),
    ("ALTER TABLE o ADD CONSTRAINT o_uq UNIQUE USING INDEX o_uq_idx;", False),
    ("CREATE TABLE o (id int); ALTER TABLE o ADD CONSTRAINT o_pk PRIMARY KEY USING INDEX i;", False),
])
def test_primary_key_using_index_on_nullable_columns(sql, flagged):
    assert ("ML216" in codes(sql)) is flagged


def test_primary_key_using_index_recipe_names_the_nullable_column():
    sql = ("CREATE UNIQUE INDEX CONCURRENTLY o_pk_idx ON o (\"Id\");"
           " ALTER TABLE o ADD CONSTRAINT o_pk PRIMARY KEY USING INDEX o_pk_idx;")
    finding = only(sql, "ML216")
    assert finding.severity.value == "warning"
    steps = rewrite_sql(finding).splitlines()
    assert steps[0] == 'ALTER TABLE o ADD CONSTRAINT o_id_not_null CHECK ("Id" IS NOT NULL) NOT VALID;'
    assert steps[-1] == "ALTER TABLE o ADD CONSTRAINT o_pk PRIMARY KEY USING INDEX o_pk_idx;"


@pytest.mark.parametrize("sql,flagged", [
    ("SET LOCAL lock_timeout = '2s'; ALTER TABLE t ADD COLUMN a int;", True),
    ("BEGIN; SET LOCAL lock_timeout = '2s'; ALTER TABLE t ADD COLUMN a int; COMMIT;", False),
    ("BEGIN; SET LOCAL lock_timeout = '2s'; COMMIT; ALTER TABLE t ADD COLUMN a int;", True),
    ("SELECT set_config('lock_timeout', '2s', false); ALTER TABLE t ADD COLUMN a int;", False),
    ("SELECT pg_catalog.set_config('lock_timeout', '2s', 'false'); ALTER TABLE t ADD COLUMN a int;",
     False),
    ("SELECT set_config('lock_timeout', '2s', true); ALTER TABLE t ADD COLUMN a int;", True),
    ("BEGIN; SELECT set_config('lock_timeout', '2s', true); ALTER TABLE t ADD COLUMN a int; COMMIT;",
     False),
    ("SET lock_timeout = '2s'; SET lock_timeout = 0; ALTER TABLE t ADD COLUMN a int;", True),
])
def test_lock_timeout_in_effect(sql, flagged):
    assert ("ML214" in codes(sql)) is flagged


def test_ignored_set_local_is_named_in_the_note():
    finding = only("SET LOCAL lock_timeout = '2s';\nALTER TABLE t ADD COLUMN a int;", "ML214")
    assert "SET LOCAL lock_timeout on line 1 does not cover it" in finding.message


def test_no_split_fix_when_a_comment_ends_the_statement():
    finding = only("ALTER TABLE o ADD CONSTRAINT pos CHECK (n > 0) -- positive\n;", "ML205")
    assert finding.fix is None


# -- sync triggers and keyset backfills (review fixes) ------------------------------
def _step(finding, phase, word):
    return next(s for s in finding.rewrite.steps if s.phase.value == phase and word in s.title)


def test_rename_sync_trigger_never_copies_an_unfilled_new_column_over_the_old_one():
    finding = only("ALTER TABLE users RENAME COLUMN email TO mail;", "ML101")
    body = _step(finding, "expand", "sync").sql
    # An old-version UPDATE of another column leaves both unchanged: fill the new one.
    assert "  ELSE\n    NEW.mail := COALESCE(NEW.mail, NEW.email);\n  END IF;" in body
    assert "ELSIF NEW.mail IS DISTINCT FROM OLD.mail THEN\n    NEW.email := NEW.mail;" in body
    assert "NEW.email := NEW.mail;\n  ELSE" in body  # only when the new column changed


def test_rename_sync_trigger_on_insert_prefers_a_written_new_column():
    # An omitted old column already holds its DEFAULT in a BEFORE INSERT trigger, so a
    # new-version INSERT of language alone kept locale = 'en' (run on PostgreSQL 15).
    finding = only("ALTER TABLE users RENAME COLUMN locale TO language;", "ML101")
    body = _step(finding, "expand", "sync").sql
    assert ("  IF TG_OP = 'INSERT' THEN\n    IF NEW.language IS NOT NULL THEN\n"
            "      NEW.locale := NEW.language;\n    ELSE\n      NEW.language := NEW.locale;\n"
            "    END IF;\n  ELSIF") in body


@pytest.mark.parametrize("sql, rule, new", [
    ("ALTER TABLE users RENAME COLUMN locale TO language;", "ML101", "language"),
    ("ALTER TABLE users ALTER COLUMN locale TYPE varchar(5);", "ML107", "locale_new"),
])
def test_new_column_is_told_to_take_the_old_ones_default_and_not_null(sql, rule, new):
    finding = only(sql, rule)
    step = finding.rewrite.steps[-2]
    assert step.phase.value == "contract" and "DEFAULT and NOT NULL of locale" in step.title
    assert f"ALTER TABLE users ALTER COLUMN {new} SET DEFAULT <default>;" in step.instruction
    assert (f"ADD CONSTRAINT users_{new}_not_null CHECK ({new} IS NOT NULL) NOT VALID;"
            in step.instruction)
    assert f"ALTER TABLE users ALTER COLUMN {new} SET NOT NULL;" in step.instruction


def test_type_change_with_a_default_still_restates_the_unknown_not_null():
    # SET DEFAULT next to the TYPE made the whole restate step go, NOT NULL included.
    finding = only("ALTER TABLE t ALTER COLUMN c TYPE bigint, ALTER COLUMN c SET DEFAULT 0;",
                   "ML107")
    default, not_null = finding.rewrite.steps[-3:-1]
    assert default.sql == "ALTER TABLE t ALTER COLUMN c_new SET DEFAULT 0;"
    assert "NOT NULL of c" in not_null.title and "DEFAULT" not in not_null.title
    assert "SET DEFAULT" not in not_null.instruction
    assert "ALTER TABLE t ALTER COLUMN c_new SET NOT NULL;" in not_null.instruction


@pytest.mark.parametrize("sql, rule, dialect", [
    ("ALTER TABLE t ALTER COLUMN c TYPE bigint, ALTER COLUMN c SET DEFAULT 0;", "ML107", "postgres"),
    ("ALTER TABLE users RENAME COLUMN locale TO language;", "ML101", "postgres"),
    ("ALTER TABLE t MODIFY c BIGINT NOT NULL DEFAULT 0;", "ML107", "mysql"),
    ("ALTER TABLE t MODIFY c BIGINT DEFAULT 0 COMMENT 'x';", "ML107", "mysql"),
])
def test_the_new_columns_default_waits_for_every_version_that_writes_only_the_old_one(
    sql, rule, dialect,
):
    # With the two-way trigger a non-NULL new column wins on INSERT: a default set once the
    # backfill is done overwrote the value an old version's INSERT wrote to the old column.
    titles = [step.title for step in only(sql, rule, dialect=dialect).rewrite.steps
              if "DEFAULT" in (step.sql or step.instruction or "")]
    assert titles and all("once no running or rollback version writes only the old column"
                          in title and "backfill is done" not in title for title in titles)


def test_type_change_sync_trigger_casts_both_ways_when_the_old_type_holds_the_new():
    finding = lint("ALTER TABLE t ALTER COLUMN n TYPE int;\n"
                   "ALTER TABLE t ALTER COLUMN n TYPE bigint;", select=["ML107"])[1]
    step = _step(finding, "expand", "sync")
    assert "NEW.n_new := CAST(NEW.n AS BIGINT);" in step.sql
    assert "NEW.n := CAST(NEW.n_new AS INT);" in step.sql
    assert "IF NEW.n_new IS NOT NULL THEN\n      NEW.n := CAST(NEW.n_new AS INT);" in step.sql
    assert "converting each write" in step.title


def test_type_change_sync_trigger_does_not_copy_back_a_lossy_conversion():
    finding = lint("ALTER TABLE t ALTER COLUMN n TYPE int;\n"
                   "ALTER TABLE t ALTER COLUMN n TYPE text;", select=["ML107"])[1]
    step = finding.rewrite.steps[1]
    assert "NEW.n_new := CAST(NEW.n AS TEXT);" in step.sql
    assert "NEW.n :=" not in step.sql
    assert "not copied back (INT cannot hold every TEXT value)" in step.title


def test_type_change_sync_trigger_applies_the_using_conversion_one_way():
    # Cents to a decimal amount: a plain CAST in the trigger would store 1234 as 1234.00
    # while the backfill stored 12.34, and no CAST back can undo the division.
    finding = lint("ALTER TABLE t ALTER COLUMN n TYPE int;\n"
                   'ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2) USING "n"::numeric / 100;',
                   select=["ML107"])[1]
    step = finding.rewrite.steps[1]
    assert "NEW.n_new := CAST(NEW.n AS DECIMAL) / 100;" in step.sql
    assert "CAST(NEW.n AS DECIMAL(12, 2))" not in step.sql
    assert "NEW.n :=" not in step.sql
    assert "not copied back (its USING conversion has no known inverse)" in step.title
    backfill = _step(finding, "backfill", "Backfill")
    assert 'SET n_new = CAST("n" AS DECIMAL) / 100' in backfill.instruction


def test_backfill_walks_the_primary_key_defined_in_the_file():
    finding = only("ALTER TABLE t ADD PRIMARY KEY (uid);\n"
                   "ALTER TABLE t ALTER COLUMN n TYPE bigint;", "ML107")
    step = _step(finding, "backfill", "Backfill")
    assert step.sql is None  # :last_id is a parameter, not SQL that runs as written
    assert ("WHERE uid > :last_id AND uid <= :last_id + 1000 AND (n_new IS NULL AND n IS NOT "
            "NULL);") in step.instruction
    assert "ctid" not in step.instruction and "<primary key>" not in step.instruction


def test_backfill_without_a_known_key_names_the_placeholder():
    finding = only("ALTER TABLE users RENAME COLUMN email TO mail;", "ML101")
    step = _step(finding, "backfill", "Backfill")
    assert step.sql is None
    assert "<primary key> stands for the integer primary key of users" in step.instruction
    assert "advance :last_id by 1000" in step.instruction
    assert "AND (mail IS NULL AND email IS NOT NULL);" in step.instruction


def test_delete_batches_walk_the_key():
    step = only("DELETE FROM events WHERE created_at < '2020-01-01';", "ML501").rewrite.steps[-1]
    assert ("DELETE FROM events\nWHERE <primary key> > :last_id AND <primary key> <= :last_id "
            "+ 1000 AND (created_at < '2020-01-01');") in step.instruction


def test_sync_function_lives_in_the_table_schema():
    functions = set()
    for schema in ("a", "b"):
        finding = only(f"ALTER TABLE {schema}.invoices RENAME COLUMN total TO amount;", "ML101")
        body = _step(finding, "expand", "sync").sql
        assert f"CREATE FUNCTION {schema}.invoices_sync_amount_fn()" in body
        assert f"EXECUTE FUNCTION {schema}.invoices_sync_amount_fn();" in body
        assert f"DROP FUNCTION {schema}.invoices_sync_amount_fn();" in finding.rewrite.steps[-1].sql
        functions.add(body.split("(")[0])
    assert len(functions) == 2


@pytest.mark.parametrize("version, keyword", [("10", "EXECUTE PROCEDURE"),
                                              ("11", "EXECUTE FUNCTION")])
def test_sync_trigger_calls_its_function_as_the_target_version_spells_it(version, keyword):
    # PostgreSQL 10's CREATE TRIGGER knows only EXECUTE PROCEDURE; 11+ accept both.
    for sql, rule in (("ALTER TABLE users RENAME COLUMN email TO mail;", "ML101"),
                      ("ALTER TABLE t ALTER COLUMN n TYPE bigint;", "ML107")):
        finding = next(f for f in lint(sql, version=version) if f.rule == rule)
        assert f"FOR EACH ROW {keyword} " in finding.rewrite.steps[1].sql


def test_rename_table_rewrite_opens_no_transaction_of_its_own():
    finding = only("ALTER TABLE orders RENAME TO purchases;", "ML102")
    swap = finding.rewrite.steps[0]
    assert "BEGIN" not in swap.sql and "COMMIT" not in swap.sql
    assert swap.sql.startswith("ALTER TABLE orders RENAME TO purchases;")
    assert "same migration" in swap.title
    assert "ML304" not in codes(swap.sql)


def test_type_change_carries_the_default_to_the_new_column_on_postgres():
    finding = only("ALTER TABLE users ALTER COLUMN status TYPE varchar(32), "
                   "ALTER COLUMN status SET DEFAULT 'new';", "ML107")
    assert ("ALTER TABLE users ALTER COLUMN status_new SET DEFAULT 'new';"
            in rewrite_sql(finding))


def _index_steps(sql: str):
    [finding] = [f for f in lint(sql) if f.rule == "ML201"]
    return [step.sql or step.instruction for step in finding.rewrite.steps]


def test_the_concurrent_index_keeps_every_option_as_written():
    build, _ = _index_steps(
        "CREATE UNIQUE INDEX accounts_email_uniq ON accounts (lower(email)) INCLUDE (id)\n"
        "  NULLS NOT DISTINCT WITH (fillfactor = 70) WHERE deleted_at IS NULL;")
    assert build == (
        "CREATE UNIQUE INDEX CONCURRENTLY accounts_email_uniq ON accounts (lower(email)) INCLUDE (id)\n"
        "  NULLS NOT DISTINCT WITH (fillfactor = 70) WHERE deleted_at IS NULL;")


def test_a_trailing_line_comment_gives_the_index_built_from_the_model():
    build, _ = _index_steps("CREATE INDEX orders_ref_idx ON orders (ref) -- for lookups\n;")
    assert build == "CREATE INDEX CONCURRENTLY orders_ref_idx ON orders (ref);"


def test_the_retry_drops_the_index_in_its_tables_schema():
    _, retry = _index_steps('CREATE UNIQUE INDEX "Orders_Number_Key" ON "Sales"."Orders" ("Number");')
    assert retry.startswith('DROP INDEX CONCURRENTLY IF EXISTS "Sales"."Orders_Number_Key";')


@pytest.mark.parametrize("dialect,sql", [
    ("postgres", "CREATE TABLE report_cache AS SELECT customer_id, sum(total) FROM orders GROUP BY 1;"),
    ("mysql", "CREATE TABLE report_cache AS SELECT * FROM orders;"),
    ("mysql", "CREATE TABLE report_cache SELECT * FROM orders;"),
])
def test_create_table_as_select_from_an_existing_table_is_ml502(dialect, sql):
    finding = only(sql, "ML502", dialect=dialect)
    assert finding.message.startswith("CREATE TABLE report_cache ... SELECT FROM orders copies")
    assert codes(sql, dialect=dialect) == ["ML502"]


def test_create_table_as_select_with_no_data_or_from_a_new_table_is_not_ml502():
    assert codes("CREATE TABLE r AS SELECT * FROM orders WITH NO DATA;") == []
    assert codes("CREATE TABLE a (id int); CREATE TABLE r AS SELECT * FROM a;") == []
    # The structure-only copy idiom copies no row.
    for condition in ("WHERE false", "WHERE 1 = 0", "LIMIT 0"):
        assert codes(f"CREATE TABLE r AS SELECT * FROM orders {condition};") == []


# -- partitioned tables: the rewrite says what to do instead --------------------------------
@pytest.mark.parametrize("sql, rule, refused", [
    ("CREATE INDEX orders_c_idx ON orders (c);", "ML201", "CREATE INDEX CONCURRENTLY"),
    ("ALTER TABLE orders ADD CONSTRAINT u UNIQUE (id, region);", "ML206",
     "CREATE INDEX CONCURRENTLY or UNIQUE USING INDEX"),
    ("ALTER TABLE orders ADD FOREIGN KEY (c) REFERENCES customers (id);", "ML204", "NOT VALID"),
])
def test_rewrite_points_to_the_page_for_a_partitioned_table(sql, rule, refused):
    # CONCURRENTLY, USING INDEX and NOT VALID foreign keys fail on a partitioned parent
    # (PostgreSQL 15), which this file cannot show; the rule page has the recipe.
    summary = only(sql, rule).rewrite.summary
    assert summary.endswith(f" On a partitioned table {refused} fails: the rule page gives the "
                            "per-partition recipe.")


def test_a_foreign_key_rewrite_says_nothing_about_partitions_from_postgresql_18():
    sql = "ALTER TABLE orders ADD FOREIGN KEY (c) REFERENCES customers (id);"
    assert "partition" not in only(sql, "ML204", version="18").rewrite.summary


def test_a_check_rewrite_says_nothing_about_partitions():
    summary = only("ALTER TABLE orders ADD CHECK (c > 0);", "ML205").rewrite.summary
    assert "partition" not in summary
