"""The Django reader: operations of the Migration class, with the app's state replayed
statically from its earlier migrations."""

from __future__ import annotations

from framework_helpers import FIXTURES, lint_file, line_of, of_type, read
from helpers import TIMEOUT_NOTES, options
from migrationlint import model as m
from migrationlint.engine import lint_source
from migrationlint.source import SourceFile, read_file

APP = FIXTURES / "django" / "shop" / "migrations"
INITIAL = APP / "0001_initial.py"
TRACKING = APP / "0002_order_tracking.py"
CONCURRENT = APP / "0003_order_indexes_concurrently.py"


def test_create_model_uses_db_table_or_the_default_name():
    tables = [op.table.name.name for op in of_type(read(INITIAL), m.CreateTable)]
    assert tables == ["shop_customer", "shop_orders"]


def test_add_field_with_default_adds_then_drops_the_default():
    migration = read(TRACKING)
    statement = next(s for s in migration.statements
                     if any(isinstance(o, m.AddColumn) and o.column.name.name == "channel"
                            for o in s.operations))
    add, drop = statement.operations
    assert add.table.name.name == "shop_orders"  # db_table from 0001
    assert add.column.type_sql == "varchar(20)" and add.column.not_null
    assert add.column.default.sql == "'web'"
    assert isinstance(drop, m.DropDefault) and drop.column.name == "channel"


def test_callable_default_is_noted_on_findings():
    migration = read(TRACKING)
    statement = next(s for s in migration.statements
                     if any(isinstance(o, m.AddColumn) and o.column.name.name == "public_id"
                            for o in s.operations))
    assert "evaluates the callable default once" in statement.note


def test_field_names_follow_django_columns():
    migration = read(TRACKING)
    dropped = of_type(migration, m.DropColumn)
    # RemoveField of a ForeignKey drops <name>_id; RunSQL drops legacy_total.
    assert [d.column.name for d in dropped] == ["customer_id", "legacy_total"]
    rename = of_type(migration, m.RenameColumn)[0]
    assert (rename.column.name, rename.new_name.name) == ("reference", "order_number")


def test_alter_field_compares_with_the_previous_definition():
    migration = read(TRACKING)
    change = of_type(migration, m.AlterColumnType)[0]
    assert (change.table.name.name, change.column.name, change.new_type_sql) == (
        "shop_customer", "nickname", "varchar(80)")
    assert of_type(migration, m.SetNotNull)[0].column.name == "nickname"


def test_alter_field_without_history_assumes_a_change_and_says_so(tmp_path):
    folder = tmp_path / "billing" / "migrations"
    folder.mkdir(parents=True)
    path = folder / "0007_x.py"
    path.write_text(
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.AlterField(model_name='invoice', name='total',\n"
        "                              field=models.DecimalField(max_digits=12, decimal_places=2)),\n"
        "    ]\n")
    migration = read(path)
    change = of_type(migration, m.AlterColumnType)[0]
    assert change.table.name.name == "billing_invoice"
    assert change.new_type_sql == "numeric(12, 2)"
    assert "table name billing_invoice assumed" in migration.statements[0].note
    assert "previous definition is not in this app's migrations" in migration.statements[0].note


def test_run_sql_and_run_python():
    migration = read(TRACKING)
    legacy = [op for op in of_type(migration, m.DropColumn) if op.column.name == "legacy_total"][0]
    assert legacy.span.line == line_of(TRACKING, "DROP COLUMN legacy_total")
    assert legacy.span.column > 20  # inside the string, not at the RunSQL call
    run_python = [op for op in of_type(migration, m.RawStatement) if "RunPython" in op.keyword]
    assert run_python and run_python[0].is_dml


def test_add_index_and_delete_model():
    migration = read(TRACKING)
    index = of_type(migration, m.CreateIndex)[0]
    assert (index.table.name.name, index.columns_sql, index.concurrently) == (
        "shop_orders", ("channel DESC",), False)
    assert of_type(migration, m.DropTable)[0].table.name.name == "shop_customer"


def test_non_atomic_migration_with_concurrent_operations():
    migration = read(CONCURRENT)
    assert migration.runner_transaction is False
    index = of_type(migration, m.CreateIndex)[0]
    assert index.concurrently and index.columns_sql == ("order_number",)
    assert of_type(migration, m.DropIndex)[0].concurrently
    unique = of_type(migration, m.AddConstraint)[0]
    assert unique.kind == "unique" and unique.columns[0].name == "public_id"
    # RunSQL given as a list, with an (sql, params) pair.
    concurrent_sql = of_type(migration, m.CreateIndex)[1]
    assert concurrent_sql.concurrently and concurrent_sql.name.name == "shop_order_priority_idx"
    # The UPDATE is a DataChange operation since the PostgreSQL catalogue models data changes.
    assert any(op.kind == "update" and op.table.name.name == "shop_orders"
               for op in of_type(migration, m.DataChange))


def test_atomic_migration_runs_in_a_transaction_on_postgres_only():
    assert read(TRACKING).runner_transaction is True
    assert read(TRACKING, dialect="mysql").runner_transaction is False


def test_rules_fire_at_operation_lines():
    found = {(f.rule, f.span.line) for f in lint_file(TRACKING)}
    assert found >= {
        ("ML105", line_of(TRACKING, 'name="warehouse_code"') - 2),  # the AddField( line
        ("ML101", line_of(TRACKING, "migrations.RenameField")),
        ("ML103", line_of(TRACKING, "migrations.RemoveField")),
        ("ML201", line_of(TRACKING, "migrations.AddIndex")),
        ("ML103", line_of(TRACKING, "DROP COLUMN legacy_total")),
    }
    # AddField with a default adds the column with it, then drops it: the old version's
    # INSERTs fail all the same (channel, public_id, priority), and no ML110 repeats it.
    assert sorted(line for rule, line in found if rule == "ML105") == [
        line_of(TRACKING, f'name="{name}"') - 2
        for name in ("channel", "public_id", "priority", "warehouse_code")]
    assert "ML110" not in [rule for rule, _ in found]
    assert not [f for f in lint_file(CONCURRENT) if f.rule == "ML201"]


def test_derived_table_name_is_said_in_messages():
    text = ("from django.db import migrations\n\n"
            "class Migration(migrations.Migration):\n"
            "    operations = [migrations.RemoveField(model_name='Invoice', name='memo')]\n")
    # About the derived name: the lock-timeout note the drop also gets is ignored.
    findings = lint_source(SourceFile("billing/migrations/0002_drop_memo.py", text),
                           options(ignore=TIMEOUT_NOTES))
    assert [f.rule for f in findings] == ["ML103"]
    assert "table name billing_invoice assumed from app label `billing`" in findings[0].message


def test_separate_database_and_state_lints_database_operations_only():
    text = ("from django.db import migrations\n\n"
            "class Migration(migrations.Migration):\n"
            "    operations = [migrations.SeparateDatabaseAndState(\n"
            "        state_operations=[migrations.RemoveField('order', 'memo')],\n"
            "        database_operations=[migrations.RunSQL('ALTER TABLE x DROP COLUMN y')],\n"
            "    )]\n")
    # About which operations are read: the lock-timeout note on the RunSQL is ignored.
    migration = lint_source(SourceFile("shop/migrations/0009_s.py", text),
                            options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in migration] == [("ML103", 6)]


def _django(operations_source: str, app: str = "shop", name: str = "0009_x.py"):
    text = ("from django.db import migrations, models\nfrom django.db.models.functions import Now\n\n"
            "class Migration(migrations.Migration):\n"
            f"    operations = [\n{operations_source}    ]\n")
    return SourceFile(f"{app}/migrations/{name}", text)


def test_comment_above_a_multi_line_operation_covers_that_call_only():
    # The RunSQL statement starts on the string's line, two lines below the comment; the
    # comment is about the call. The next RunSQL is a call of its own and is reported.
    source = _django(
        "        # migrationlint: ignore ML201 -- shop_order is tiny\n"
        "        migrations.RunSQL(\n"
        "            'CREATE INDEX shop_order_a ON shop_order (a);',\n"
        "        ),\n"
        "        # migrationlint: ignore ML105 -- backfilled in 0008\n"
        "        migrations.AddField(\n"
        "            model_name='order',\n"
        "            name='score',\n"
        "            field=models.IntegerField(),\n"
        "        ),\n"
        "        migrations.RunSQL(\n"
        "            'CREATE INDEX shop_order_b ON shop_order (b);',\n"
        "        ),\n")
    findings = lint_source(source, options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in findings] == [("ML201", 17)]


def test_db_default_stays_and_alter_field_to_not_null_backfills(tmp_path):
    folder = tmp_path / "crm" / "migrations"
    folder.mkdir(parents=True)
    (folder / "0001_initial.py").write_text(
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.CreateModel(name='Lead', fields=[\n"
        "        ('id', models.BigAutoField(primary_key=True)),\n"
        "        ('score', models.IntegerField(null=True)),\n"
        "    ], options={'db_table': 'leads'})]\n")
    path = folder / "0002_score.py"
    path.write_text(
        "from django.db import migrations, models\nfrom django.db.models.functions import Now\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.AddField('lead', 'seen_at', models.DateTimeField(db_default=Now())),\n"
        "        migrations.AlterField('lead', 'score', models.IntegerField(default=0)),\n"
        "        migrations.AlterUniqueTogether('lead', {('score', 'seen_at')}),\n"
        "        migrations.RenameModel('Lead', 'Prospect'),\n"
        "    ]\n")
    migration = read(path)
    add = of_type(migration, m.AddColumn)[0]
    assert add.table.name.name == "leads"
    assert add.column.default.sql == "now()" and add.column.default.volatility == "stable"
    assert of_type(migration, m.DropDefault) == [
        op for op in of_type(migration, m.DropDefault) if op.column.name == "score"]
    kinds = [type(op).__name__ for op in migration.statements[1].operations]
    assert kinds == ["SetDefault", "RawStatement", "SetNotNull", "DropDefault"]
    unique = of_type(migration, m.AddConstraint)[0]
    assert [c.name for c in unique.columns] == ["score", "seen_at"]
    # db_table is kept by RenameModel: nothing is renamed in the database.
    assert of_type(migration, m.RenameTable) == []


def _app_with_history(tmp_path, later_operations: str, dialect: str = "postgres"):
    """A ``blog`` app whose 0001 creates Post(title varchar(200)); lints its 0002."""
    folder = tmp_path / "blog" / "migrations"
    folder.mkdir(parents=True)
    (folder / "0001_initial.py").write_text(
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.CreateModel(name='Post', fields=[\n"
        "        ('id', models.BigAutoField(primary_key=True)),\n"
        "        ('title', models.CharField(max_length=200)),\n"
        "    ])]\n")
    path = folder / "0002_later.py"
    path.write_text("import django.utils.timezone\nfrom django.db import migrations, models\n\n"
                    "class Migration(migrations.Migration):\n"
                    f"    operations = [\n{later_operations}    ]\n")
    return path, lint_source(read_file(str(path), str(path)),
                             options(dialect, ignore=TIMEOUT_NOTES))


def test_add_field_with_a_python_default_is_a_not_null_hazard(tmp_path):
    path, findings = _app_with_history(
        tmp_path,
        "        migrations.AddField('post', 'score', models.IntegerField(default=0)),\n"
        "        migrations.AddField('post', 'rank', models.IntegerField(db_default=0)),\n"
        "        migrations.AddField('post', 'memo', models.TextField(null=True)),\n"
        "        migrations.AddField('post', 'votes', models.IntegerField(null=True, default=0)),\n"
        "        migrations.AddField('post', 'seen', models.DateTimeField(\n"
        "            default=django.utils.timezone.now)),\n")
    assert [(f.rule, f.span.line) for f in findings] == [
        ("ML105", line_of(path, "'score'")), ("ML105", line_of(path, "'seen'"))]
    score, seen = findings
    assert "adds NOT NULL column score to blog_post with the default 0" in score.message
    assert "then drops the default" in score.message
    assert "db_default= (Django 5.0+)" in score.message and "null=True" in score.message
    # A constant default: keep it in the database (what db_default= does).
    assert score.rewrite.steps[0].sql == (
        "ALTER TABLE blog_post ADD COLUMN score integer NOT NULL DEFAULT 0;")
    assert "db_default=" in score.rewrite.steps[0].title
    # timezone.now: a kept default would differ per row or rewrite; nullable first.
    assert seen.rewrite.steps[0].sql == (
        "ALTER TABLE blog_post ADD COLUMN seen timestamp with time zone;")
    assert "null=True" in seen.rewrite.steps[0].title


def test_alter_field_takes_the_old_type_from_earlier_migrations(tmp_path):
    path, findings = _app_with_history(
        tmp_path,
        "        migrations.AlterField('post', 'title', models.CharField(max_length=300)),\n")
    assert findings == []  # varchar widening: no rewrite, nothing the old version notices
    change = of_type(read(path), m.AlterColumnType)[0]
    assert (change.old_type_sql, change.new_type_sql) == ("varchar(200)", "varchar(300)")

    _, narrowed = _app_with_history(
        tmp_path / "again",
        "        migrations.AlterField('post', 'title', models.CharField(max_length=100)),\n")
    assert [f.rule for f in narrowed] == ["ML107"]
    assert "from varchar(200) to varchar(100)" in narrowed[0].message


def test_alter_field_without_history_is_one_finding_that_says_so(tmp_path):
    folder = tmp_path / "billing" / "migrations"
    folder.mkdir(parents=True)
    path = folder / "0007_x.py"
    path.write_text(
        "from django.db import migrations, models\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.AlterField('invoice', 'memo', models.CharField(max_length=40)),\n"
        "    ]\n")
    findings = lint_source(read_file(str(path), str(path)), options(ignore=TIMEOUT_NOTES))
    assert [f.rule for f in findings] == ["ML107"]
    assert "previous definition is not in this app's migrations" in findings[0].message
    assert "making it NOT NULL is a hazard of its own" in findings[0].message


def test_run_sql_with_params_parses_on_mysql_and_keeps_the_placeholders():
    source = _django(
        "        migrations.RunSQL(('UPDATE shop_order SET status = %s WHERE status IS NULL',\n"
        "                           ['new'])),\n")
    findings = lint_source(source, options("mysql", ignore=TIMEOUT_NOTES))
    assert [f.rule for f in findings] == ["ML501"]  # not a parse error
    assert "\nUPDATE shop_order SET status = %s\n" in findings[0].rewrite.steps[-1].instruction


def test_add_field_default_on_mysql_text_is_not_kept_in_the_database(tmp_path):
    # MySQL takes no literal default on TEXT: the rewrite adds the column nullable first.
    _, findings = _app_with_history(
        tmp_path,
        "        migrations.AddField('post', 'body', models.TextField(default='')),\n"
        "        migrations.AddField('post', 'kind', models.CharField(max_length=9, default='a')),\n",
        dialect="mysql")
    body, kind = [f for f in findings if f.rule == "ML105"]
    assert body.rewrite.steps[0].sql == "ALTER TABLE blog_post ADD COLUMN body longtext;"
    assert kind.rewrite.steps[0].sql == (
        "ALTER TABLE blog_post ADD COLUMN kind varchar(9) NOT NULL DEFAULT 'a';")
