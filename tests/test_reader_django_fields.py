"""Django fields whose SQL holds more than the column: a unique field with a default
(one value for every row), Positive*Field CHECKs, and the default an AlterField sets
and drops within one operation. The SQL is what ``sqlmigrate`` shows."""

from __future__ import annotations

from framework_helpers import django_app, lint_django
from helpers import lint

HEAD = "import uuid\n\nfrom django.db import migrations, models\n\n"
INITIAL = HEAD + (
    "class Migration(migrations.Migration):\n"
    "    operations = [migrations.CreateModel(name='Customer', fields=[\n"
    "        ('id', models.BigAutoField(primary_key=True)),\n"
    "        ('score', models.IntegerField(default=10)),\n"
    "        ('nickname', models.CharField(max_length=50, null=True)),\n"
    "    ], options={'db_table': 'customers'})]\n"
)


def _lint(tmp_path, operation: str, dialect: str = "postgres"):
    later = HEAD + f"class Migration(migrations.Migration):\n    operations = [\n{operation}\n    ]\n"
    path = django_app(tmp_path, "crm", {"0001_initial": INITIAL, "0002_later": later})
    return lint_django(path, dialect)


def _by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_unique_field_with_a_callable_default_fails_and_gets_the_per_row_recipe(tmp_path):
    # ADD COLUMN "public_id" uuid DEFAULT '<one uuid>'::uuid NOT NULL UNIQUE: one value
    # for every row, so the unique index build fails on a table with two rows.
    findings = _lint(tmp_path, "        migrations.AddField('customer', 'public_id',\n"
                               "            models.UUIDField(default=uuid.uuid4, unique=True)),")
    (unique,) = _by_rule(findings, "ML206")
    assert "gives every existing row the same value" in unique.message
    assert "fails with a duplicate key error on any table with two rows or more" in unique.message
    steps = unique.rewrite.steps
    assert steps[0].sql == "ALTER TABLE customers ADD COLUMN public_id uuid;"
    assert "UPDATE customers SET public_id = gen_random_uuid()" in steps[2].instruction
    assert steps[3].sql == ("CREATE UNIQUE INDEX CONCURRENTLY customers_public_id_idx "
                            "ON customers (public_id);")
    assert steps[-1].sql.startswith("ALTER TABLE customers ALTER COLUMN public_id SET NOT NULL;")
    # The value Django computes once is no SQL: no step restates it.
    assert not [f for f in findings for s in f.rewrite.steps
                if "<value of" in (s.sql or "")]


def test_sql_unique_column_with_a_constant_default_fails_but_a_volatile_one_does_not():
    (constant,) = lint("ALTER TABLE accounts ADD COLUMN code int DEFAULT 0 UNIQUE;",
                       select=["ML206"])
    assert "with UNIQUE and the default 0 gives every existing row the same value" in (
        constant.message)
    assert constant.rewrite.steps[0].sql == "ALTER TABLE accounts ADD COLUMN code INT;"
    assert "Choose the value" in constant.rewrite.steps[2].instruction
    (volatile,) = lint("ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid() "
                       "UNIQUE;", select=["ML206"])
    assert volatile.message.startswith("Adding UNIQUE to accounts builds a unique index")


def test_positive_field_adds_a_check_that_scans_the_table(tmp_path):
    # sqlmigrate: ADD CONSTRAINT "customers_score_..._check" CHECK ("score" >= 0), and
    # ADD COLUMN "rank" integer DEFAULT 1 NOT NULL CHECK ("rank" >= 0): both validate the
    # check against every row under ACCESS EXCLUSIVE.
    findings = _lint(tmp_path, (
        "        migrations.AlterField('customer', 'score', models.PositiveIntegerField(default=10)),\n"
        "        migrations.AddField('customer', 'level', models.PositiveSmallIntegerField(null=True)),\n"
        "        migrations.AddField('customer', 'visits', models.PositiveBigIntegerField(null=True)),"))
    altered, level, visits = _by_rule(findings, "ML205")
    assert "Adding CHECK (score >= 0) to customers without NOT VALID" in altered.message
    assert altered.rewrite.steps[0].sql == (
        "ALTER TABLE customers ADD CONSTRAINT customers_score_check CHECK (score >= 0) NOT VALID;")
    assert "ADD COLUMN level ... CHECK (level >= 0)" in level.message
    assert level.rewrite.steps[0].sql == "ALTER TABLE customers ADD COLUMN level smallint;"
    assert "CHECK (visits >= 0)" in visits.message


def test_positive_field_adds_no_check_on_mysql_or_when_already_positive(tmp_path):
    # MySQL's column is UNSIGNED (a type change, reported as such); a field that was
    # positive already keeps its check.
    mysql = _lint(tmp_path / "mysql", "        migrations.AlterField('customer', 'score', "
                  "models.PositiveIntegerField(default=10)),", dialect="mysql")
    assert not _by_rule(mysql, "ML205") and _by_rule(mysql, "ML107")
    again = _lint(tmp_path / "again", (
        "        migrations.AlterField('customer', 'score', models.PositiveIntegerField(default=10)),\n"
        "        migrations.AlterField('customer', 'score', models.PositiveIntegerField(default=5)),"))
    assert len(_by_rule(again, "ML205")) == 1


def test_alter_field_to_not_null_with_a_default_drops_only_its_own_default(tmp_path):
    # SET DEFAULT 'anon'; UPDATE ... WHERE nickname IS NULL; SET NOT NULL; DROP DEFAULT:
    # the default lives only inside the operation, so no running version relied on it.
    findings = _lint(tmp_path, "        migrations.AlterField('customer', 'nickname',\n"
                               "            models.CharField(max_length=50, default='anon')),")
    assert [f.rule for f in findings] == ["ML106"]


def test_a_default_dropped_by_a_later_statement_is_still_reported():
    findings = lint("ALTER TABLE customers ALTER COLUMN tier SET DEFAULT 'basic';\n"
                    "ALTER TABLE customers ALTER COLUMN tier DROP DEFAULT;\n", select=["ML110"])
    assert [f.rule for f in findings] == ["ML110"]


# -- PostgreSQL: the second, _like index of a varchar or text field with db_index or unique
def _like_findings(findings):
    return [f for f in _by_rule(findings, "ML201") if "_like index" in f.message]


def test_added_char_field_with_db_index_builds_a_second_like_index(tmp_path):
    findings = _lint(tmp_path, "        migrations.AddField('customer', 'team',\n"
                               "            models.CharField(max_length=40, db_index=True, null=True)),")
    plain, like = _by_rule(findings, "ML201")
    assert plain.rewrite.steps[0].sql == "CREATE INDEX CONCURRENTLY ON customers (team);"
    assert "(the _like index Django also creates: team varchar_pattern_ops)" in like.message
    build, drop = like.rewrite.steps
    assert build.sql == "CREATE INDEX CONCURRENTLY ON customers (team varchar_pattern_ops);"
    assert drop.instruction.startswith(
        "DROP INDEX CONCURRENTLY IF EXISTS the _like index Django also creates;")


def test_added_unique_text_field_builds_a_like_index_besides_the_unique_one(tmp_path):
    findings = _lint(tmp_path, "        migrations.AddField('customer', 'bio',\n"
                               "            models.TextField(unique=True, null=True)),")
    assert len(_by_rule(findings, "ML206")) == 1
    (like,) = _by_rule(findings, "ML201")
    assert like.rewrite.steps[0].sql == "CREATE INDEX CONCURRENTLY ON customers (bio text_pattern_ops);"


def test_alter_field_turning_db_index_or_unique_on_builds_the_like_index(tmp_path):
    findings = _lint(tmp_path, "        migrations.AlterField('customer', 'nickname',\n"
                               "            models.CharField(max_length=50, null=True, unique=True)),")
    assert len(_by_rule(findings, "ML206")) == 1
    (like,) = _like_findings(findings)
    assert like.rewrite.steps[0].sql == (
        "CREATE INDEX CONCURRENTLY ON customers (nickname varchar_pattern_ops);")
    indexed = _lint(tmp_path, "        migrations.AlterField('customer', 'nickname',\n"
                              "            models.CharField(max_length=50, null=True, db_index=True)),")
    assert len(_by_rule(indexed, "ML201")) == 2 and len(_like_findings(indexed)) == 1


def test_no_like_index_where_django_creates_none(tmp_path):
    for field in ("models.IntegerField(db_index=True, null=True)",
                  "models.CharField(max_length=40, null=True)",
                  "ArrayField(models.CharField(max_length=40), db_index=True, null=True)",
                  "models.CharField(max_length=40, db_index=True, null=True, db_collation='ci')"):
        findings = _lint(tmp_path, f"        migrations.AddField('customer', 'extra', {field}),")
        assert _like_findings(findings) == [], field
    mysql = _lint(tmp_path, "        migrations.AddField('customer', 'team',\n"
                            "            models.CharField(max_length=40, db_index=True, null=True)),",
                  dialect="mysql")
    assert not [f for f in mysql if "_like" in f.message]
    # Only null changes: Django builds no index.
    unchanged = _lint(tmp_path, "        migrations.AlterField('customer', 'nickname',\n"
                                "            models.CharField(max_length=50, null=False)),")
    assert _like_findings(unchanged) == []


def test_slug_field_is_indexed_unless_db_index_is_false(tmp_path):
    # SlugField's db_index defaults to True: sqlmigrate shows CREATE INDEX ... ("slug")
    # and the ... ("slug" varchar_pattern_ops) _like index.
    findings = _lint(tmp_path / "default", "        migrations.AddField('customer', 'slug',\n"
                                           "            models.SlugField(null=True)),")
    plain, like = _by_rule(findings, "ML201")
    assert plain.rewrite.steps[0].sql == "CREATE INDEX CONCURRENTLY ON customers (slug);"
    assert like.rewrite.steps[0].sql == (
        "CREATE INDEX CONCURRENTLY ON customers (slug varchar_pattern_ops);")
    unindexed = _lint(tmp_path / "off", "        migrations.AddField('customer', 'slug',\n"
                                        "            models.SlugField(null=True, db_index=False)),")
    assert _by_rule(unindexed, "ML201") == []
