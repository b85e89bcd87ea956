"""The Alembic reader: op calls of upgrade() become operations at the call's line."""

from __future__ import annotations

from framework_helpers import FIXTURES, lint_file, line_of, of_type, operations, read
from helpers import TIMEOUT_NOTES, options
from migrationlint import model as m
from migrationlint.engine import lint_source
from migrationlint.readers import read_migration
from migrationlint.source import SourceFile
from migrationlint.versions import default_version

ORDERS = FIXTURES / "alembic_project" / "versions" / "3f2a9c1d_orders_status.py"


def _read_text(text: str, dialect: str = "postgres"):
    return read_migration(SourceFile("versions/abc_rev.py", text), dialect,
                          default_version(dialect))


def test_upgrade_ops_map_to_operations_at_their_call_line():
    migration = read(ORDERS)
    (add_status, add_placed) = of_type(migration, m.AddColumn)
    assert add_status.table.name.name == "orders"
    assert add_status.column.name.name == "status"
    assert add_status.column.type_sql == "varchar(20)"
    assert add_status.column.not_null and add_status.column.default is None
    assert add_status.span.line == line_of(ORDERS, '"status", sa.String')
    assert add_placed.column.type_sql == "timestamp with time zone"
    assert add_placed.column.default.sql == "now()"
    assert add_placed.column.default.volatility == "stable"
    rename = of_type(migration, m.RenameColumn)[0]
    assert (rename.column.name, rename.new_name.name) == ("total", "total_cents")
    assert rename.span.line == line_of(ORDERS, "new_column_name=")


def test_downgrade_is_not_linted():
    migration = read(ORDERS)
    dropped = [op.column.name for op in of_type(migration, m.DropColumn)]
    assert "status" not in dropped  # only downgrade() drops it
    assert not any(op.name.name.name == "orders_placed_at_idx" for op in of_type(migration, m.DropIndex))


def test_execute_sql_goes_through_the_sql_path_with_exact_spans():
    migration = read(ORDERS)
    fax = [op for op in of_type(migration, m.DropColumn) if op.column.name == "fax"][0]
    line = line_of(ORDERS, "DROP COLUMN fax")
    assert (fax.span.line, fax.span.column) == (
        line, ORDERS.read_text().splitlines()[line - 1].index("fax") + 1)
    # A module-level constant passed to op.execute is SQL too (its UPDATE is a DataChange
    # operation since the PostgreSQL catalogue models data changes).
    assert any(op.kind == "update" and op.table.name.name == "orders"
               for op in of_type(migration, m.DataChange))


def test_an_annotated_module_level_sql_constant_is_read_like_a_plain_one():
    text = ('from alembic import op\n\n'
            'DROP_LEGACY: str = "ALTER TABLE users DROP COLUMN legacy"\n\n\n'
            'def upgrade():\n    op.execute(DROP_LEGACY)\n')
    [drop] = of_type(_read_text(text), m.DropColumn)
    assert (drop.column.name, drop.span.line) == ("legacy", 3)


def test_batch_alter_table_supplies_the_table():
    migration = read(ORDERS)
    set_not_null = of_type(migration, m.SetNotNull)[0]
    assert (set_not_null.table.name.name, set_not_null.column.name) == ("invoices", "number")
    assert [op.column.name for op in of_type(migration, m.DropColumn)
            if op.table.name.name == "invoices"] == ["draft_note"]


def test_autocommit_block_runs_outside_the_transaction():
    migration = read(ORDERS)
    assert migration.runner_transaction is True
    by_index = {op.name.name: s for s in migration.statements for op in s.operations
                if isinstance(op, m.CreateIndex)}
    concurrent = by_index["orders_placed_at_idx"]
    assert concurrent.operations[0].concurrently
    assert migration.runs_in_transaction(concurrent) is False
    assert migration.runs_in_transaction(by_index["orders_customer_id_idx"]) is True


def test_rules_fire_at_op_call_lines():
    found = {(f.rule, f.span.line) for f in lint_file(ORDERS)}
    assert ("ML105", line_of(ORDERS, '"status", sa.String')) in found
    assert ("ML101", line_of(ORDERS, "new_column_name=")) in found
    assert ("ML103", line_of(ORDERS, 'op.drop_column("orders", "legacy_ref")')) in found
    assert ("ML201", line_of(ORDERS, '"orders_customer_id_idx"')) in found
    assert ("ML103", line_of(ORDERS, 'batch_op.drop_column("draft_note")')) in found
    # New table: its index is not flagged; the concurrent index is not flagged.
    assert ("ML201", line_of(ORDERS, '"order_events_order_id_idx"')) not in found
    assert ("ML201", line_of(ORDERS, '"orders_placed_at_idx"')) not in found
    # The server default keeps ML105 quiet for placed_at.
    assert [rule for rule, _ in found].count("ML105") == 1


def test_more_op_calls():
    migration = _read_text(
        "from alembic import op as alembic_op\nimport sqlalchemy as sa\n\n"
        "def upgrade():\n"
        "    alembic_op.create_foreign_key('fk_o_c', 'orders', 'customers', ['customer_id'], ['id'])\n"
        "    alembic_op.create_unique_constraint('uq_email', 'users', ['email'])\n"
        "    alembic_op.create_check_constraint('ck_qty', 'items', 'qty > 0')\n"
        "    alembic_op.create_primary_key('pk_t', 't', ['id'])\n"
        "    alembic_op.rename_table('old', 'new')\n"
        "    alembic_op.drop_table('gone')\n"
        "    alembic_op.drop_index('ix_a', table_name='a', postgresql_concurrently=True)\n"
        "    alembic_op.alter_column('t', 'c', type_=sa.Numeric(10, 2), nullable=True,\n"
        "                            server_default=None)\n"
        "    alembic_op.create_index('ix_u', 'users', ['email'], unique=True)\n"
    )
    kinds = [(line, type(op).__name__) for line, op in operations(migration)]
    assert kinds == [(5, "AddConstraint"), (6, "AddConstraint"), (7, "AddConstraint"),
                     (8, "AddConstraint"), (9, "RenameTable"), (10, "DropTable"),
                     (11, "DropIndex"), (12, "AlterColumnType"), (12, "DropNotNull"),
                     (12, "DropDefault"), (14, "CreateIndex")]
    constraints = of_type(migration, m.AddConstraint)
    assert [c.kind for c in constraints] == ["foreign_key", "unique", "check", "primary_key"]
    assert constraints[0].references.name.name == "customers"
    assert constraints[2].expression_sql == "qty > 0"
    assert of_type(migration, m.AlterColumnType)[0].new_type_sql == "numeric(10, 2)"
    assert of_type(migration, m.DropIndex)[0].concurrently
    assert of_type(migration, m.CreateIndex)[0].unique


def test_mysql_migration_has_no_runner_transaction():
    migration = _read_text("from alembic import op\n\ndef upgrade():\n    op.drop_table('t')\n",
                           dialect="mysql")
    assert migration.runner_transaction is False


def test_dynamic_sql_is_kept_as_raw_and_escaped_sql_is_pinned_to_the_call():
    migration = _read_text(
        "from alembic import op\n\ndef upgrade():\n"
        "    op.execute(statement_for(name))\n"
        "    op.execute('ALTER TABLE t\\n DROP COLUMN c')\n"
    )
    raw = of_type(migration, m.RawStatement)[0]
    assert "dynamic" in raw.keyword and raw.span.line == 4
    dropped = of_type(migration, m.DropColumn)[0]
    assert dropped.column.name == "c" and dropped.span.line == 5 and dropped.span.column == 5


def test_suppression_comment_in_python():
    text = ("from alembic import op\n\ndef upgrade():\n"
            "    # migrationlint: ignore drop-column -- unused since 2026.10\n"
            "    op.drop_column('users', 'fax')\n")
    # About suppression: the lock-timeout note the drop also gets is ignored.
    findings = lint_source(SourceFile("versions/x.py", text), options(ignore=TIMEOUT_NOTES))
    assert [f.rule for f in findings] == []


def test_comment_above_a_multi_line_op_call_covers_that_call_only():
    text = ("from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n"
            "    # migrationlint: ignore ML201 -- orders is tiny\n"
            "    op.execute(\n"
            "        'CREATE INDEX orders_a ON orders (a)'\n"
            "    )\n"
            "    # migrationlint: ignore ML105 -- backfilled by the previous release\n"
            "    op.add_column(\n"
            "        'orders',\n"
            "        sa.Column('score', sa.Integer(), nullable=False),\n"
            "    )\n"
            "    op.execute(\n"
            "        sa.text(\n"
            "            'CREATE INDEX orders_b ON orders (b)'\n"
            "        )\n"
            "    )\n")
    findings = lint_source(SourceFile("versions/x.py", text), options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in findings] == [("ML201", 16)]


def test_comment_on_the_first_line_of_an_op_call_covers_every_statement_of_its_sql():
    text = ("from alembic import op\n\ndef upgrade():\n"
            "    op.execute(  # migrationlint: ignore ML201 -- orders is tiny\n"
            "        \"\"\"\n"
            "        CREATE INDEX orders_a ON orders (a);\n"
            "        CREATE INDEX orders_b ON orders (b);\n"
            "        \"\"\"\n"
            "    )\n")
    findings = lint_source(SourceFile("versions/x.py", text), options(ignore=TIMEOUT_NOTES))
    assert findings == []


def test_python_syntax_error_is_a_parse_error_finding():
    findings = lint_source(
        SourceFile("versions/x.py", "from alembic import op\n\ndef upgrade(:\n    op.x()\n"),
        options())
    assert [(f.rule, f.span.line) for f in findings] == [("ML001", 3)]


def test_autogenerated_names_wrapped_in_op_f():
    migration = _read_text(
        "from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n"
        "    op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=False)\n"
        "    with op.batch_alter_table('users', schema=None) as batch_op:\n"
        "        batch_op.drop_index(batch_op.f('ix_users_old'))\n"
    )
    assert of_type(migration, m.CreateIndex)[0].name.name == "ix_users_email"
    dropped = of_type(migration, m.DropIndex)[0]
    assert (dropped.name.name.name, dropped.table.name.name) == ("ix_users_old", "users")
    assert migration.runner == "alembic"


def test_helpers_called_from_upgrade_are_read_and_python_defaults_are_explained():
    text = ("from alembic import op\nimport sqlalchemy as sa\n\n"
            "def _add_flag():\n"
            "    op.add_column('users', sa.Column('flag', sa.Boolean(), nullable=False, default=False))\n\n"
            "def _unused_in_downgrade():\n"
            "    op.drop_column('users', 'never')\n\n"
            "def upgrade():\n"
            "    _add_flag()\n"
            "    _add_flag()\n\n"
            "def downgrade():\n"
            "    _unused_in_downgrade()\n")
    # About what is read: the lock-timeout note on the first add_column is ignored.
    findings = lint_source(SourceFile("versions/x.py", text), options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in findings] == [("ML105", 5)]
    assert "applied by SQLAlchemy on INSERT" in findings[0].message


def test_multi_database_template_upgrade_functions():
    migration = _read_text(
        "from alembic import op\n\n"
        "def upgrade(engine_name):\n    globals()['upgrade_%s' % engine_name]()\n\n"
        "def upgrade_engine1():\n    op.drop_column('a', 'b')\n\n"
        "def downgrade_engine1():\n    op.drop_column('a', 'c')\n")
    assert [op.column.name for op in of_type(migration, m.DropColumn)] == ["b"]


def test_autocommit_block_marks_its_statements_runner_transaction_false():
    migration = _read_text(
        "from alembic import op\n\n"
        "def upgrade():\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index('ix_users_x', 'users', ['x'], postgresql_concurrently=True)\n"
        "        op.execute('CREATE INDEX CONCURRENTLY ix_users_y ON users (y)')\n"
        "    op.create_index('ix_users_z', 'users', ['z'])\n")
    marks = [(op.name.name, op.concurrently, s.runner_transaction)
             for s in migration.statements for op in s.operations]
    assert marks == [("ix_users_x", True, False), ("ix_users_y", True, False),
                     ("ix_users_z", False, None)]


_AROUND_A_BLOCK = (
    "from alembic import op\nimport sqlalchemy as sa\n\n"
    "def upgrade():\n"
    "    op.alter_column('users', 'email', type_=sa.Text())\n"
    "    with op.get_context().autocommit_block():\n"
    "        op.create_index('ix_orders_x', 'orders', ['x'], postgresql_concurrently=True)\n"
    "    op.execute('UPDATE orders SET x = 0 WHERE x IS NULL')\n"
    "    op.execute('DELETE FROM carts WHERE expired')\n")


def test_alembic_begins_a_new_transaction_after_an_autocommit_block():
    migration = _read_text(_AROUND_A_BLOCK)
    groups = [[s.text.split("(")[0].split()[0] for s in group]
              for group in migration.transaction_groups()]
    # The block commits the ALTER's transaction; the two data changes share the next one.
    assert groups == [["op.alter_column"], ["UPDATE", "DELETE"]]


def test_a_lock_taken_before_an_autocommit_block_ends_with_it():
    from helpers import lint

    # The UPDATE no longer runs under the ALTER's ACCESS EXCLUSIVE lock on users...
    after_block = lint(_AROUND_A_BLOCK, path="versions/b1.py", select=["ML213"])
    assert after_block == []
    # ...which it would in one transaction, as without the block.
    block = ("    with op.get_context().autocommit_block():\n"
             "        op.create_index('ix_orders_x', 'orders', ['x'], postgresql_concurrently=True)\n")
    unsplit = _AROUND_A_BLOCK.replace(block, "")
    assert unsplit != _AROUND_A_BLOCK
    [finding] = lint(unsplit, path="versions/b1.py", select=["ML213"])
    assert "UPDATE" in finding.source and "line 5" in finding.message


def _bind_parameter_sql(dialect: str):
    return _read_text(
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        "def upgrade():\n"
        "    op.execute(sa.text('DELETE FROM users WHERE id IN :ids').bindparams(ids=(1, 2)))\n"
        "    op.execute(sa.text('UPDATE users SET note = :n WHERE note::text = \\'a:b\\''))\n"
        "    op.get_bind().execute('UPDATE users SET note = %(n)s, flag = %s')\n"
        "    op.execute(sa.text('ALTER TABLE :t DROP COLUMN legacy'))\n"
        "    op.execute('ALTER TABLE %s DROP COLUMN legacy')\n", dialect)


def test_bind_parameters_keep_their_spelling_and_never_name_an_object():
    for dialect in ("postgres", "mysql"):
        migration = _bind_parameter_sql(dialect)
        assert [s.error for s in migration.statements] == [None] * 5, dialect
        delete, note, pyformat = of_type(migration, m.DataChange)
        # .bindparams() is the same SQL; sqlglot's %(ids)s is turned back into :ids.
        assert (delete.kind, delete.where_sql) == ("delete", "id IN :ids")
        assert note.values_sql == (":n",) and "'a:b'" in note.where_sql
        assert pyformat.values_sql == ("%(n)s", "%s"), dialect
        assert migration.statements[2].text == "UPDATE users SET note = %(n)s, flag = %s"
        # A parameter where a table name belongs: unknown, not a table called "t" or "?".
        assert [op.keyword for op in of_type(migration, m.RawStatement)] == [
            "SQL with a bind parameter for a name"] * 2
        assert not of_type(migration, m.DropColumn)


def test_invalid_escapes_in_user_code_do_not_warn(recwarn):
    source = SourceFile("versions/a1_regex.py", (
        "from alembic import op\n\n"
        "PATTERN = '\\d+'\n\n"
        "def upgrade():\n"
        "    op.drop_column('users', 'legacy')\n"
    ))
    findings = lint_source(source, options())
    assert "ML103" in [f.rule for f in findings]
    assert [str(w.message) for w in recwarn] == []
