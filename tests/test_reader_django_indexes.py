"""Django indexes and unique constraints with expressions and conditions: the rewrite
keeps the key and the WHERE Django writes (checked against ``sqlmigrate``), or says it
cannot restate them; a UniqueConstraint Django builds as a unique index is ML201."""

from __future__ import annotations

from framework_helpers import django_app, line_of, lint_django, read

HEAD = ("from django.contrib.postgres.operations import AddIndexConcurrently\n"
        "from django.db import migrations, models\n"
        "from django.db.models.functions import Coalesce, Lower, Upper\n\n")
INITIAL = HEAD + (
    "class Migration(migrations.Migration):\n"
    "    operations = [migrations.CreateModel(name='Member', fields=[\n"
    "        ('id', models.BigAutoField(primary_key=True)),\n"
    "        ('email', models.CharField(max_length=200)),\n"
    "        ('team', models.CharField(max_length=40)),\n"
    "        ('active', models.BooleanField(default=True)),\n"
    "        ('nickname', models.CharField(max_length=50, null=True)),\n"
    "        ('group', models.ForeignKey('club.Group', models.CASCADE)),\n"
    "    ], options={'db_table': 'members'})]\n"
)


def _lint(tmp_path, operation: str):
    later = HEAD + f"class Migration(migrations.Migration):\n    operations = [\n{operation}\n    ]\n"
    path = django_app(tmp_path, "club", {"0001_initial": INITIAL, "0002_index": later})
    return path, lint_django(path)


def _build_step(finding):
    return finding.rewrite.steps[0]


def test_expression_index_keeps_its_expressions(tmp_path):
    _, (finding,) = _lint(tmp_path, "        migrations.AddIndex('member', models.Index(\n"
                                    "            Lower('email'), models.F('team').desc(),\n"
                                    "            Upper(models.F('nickname')).desc(), name='m_expr_idx')),")
    assert finding.rule == "ML201"
    assert _build_step(finding).sql == (
        "CREATE INDEX CONCURRENTLY m_expr_idx ON members "
        "((lower(email)), team DESC, (upper(nickname)) DESC);")


def test_partial_index_keeps_its_condition(tmp_path):
    _, (finding,) = _lint(tmp_path, "        migrations.AddIndex('member', models.Index(\n"
                                    "            fields=['team', '-email'], name='m_partial_idx',\n"
                                    "            condition=models.Q(active=True, nickname__isnull=False)\n"
                                    "                      | ~models.Q(team__in=['a', 'b']))),")
    assert _build_step(finding).sql == (
        "CREATE INDEX CONCURRENTLY m_partial_idx ON members (team, email DESC) "
        "WHERE ((active AND nickname IS NOT NULL) OR NOT (team IN ('a', 'b')));")


def test_fields_follow_columns_and_keep_their_operator_classes(tmp_path):
    _, (finding,) = _lint(tmp_path, "        migrations.AddIndex('member', models.Index(\n"
                                    "            fields=['group', '-team'], opclasses=['int8_ops', "
                                    "'varchar_pattern_ops'], name='m_ops_idx')),")
    assert _build_step(finding).sql == (
        'CREATE INDEX CONCURRENTLY m_ops_idx ON members '
        '(group_id int8_ops, team varchar_pattern_ops DESC);')


def test_conditional_unique_constraint_is_a_partial_unique_index(tmp_path):
    _, (finding,) = _lint(tmp_path, "        migrations.AddConstraint('member', models.UniqueConstraint(\n"
                                    "            fields=['email'], condition=models.Q(active=True), "
                                    "name='uniq_active_email')),")
    assert finding.rule == "ML201"
    assert _build_step(finding).sql == (
        "CREATE UNIQUE INDEX CONCURRENTLY uniq_active_email ON members (email) WHERE active;")


def test_unique_constraint_on_an_expression_is_a_unique_index_not_a_constraint(tmp_path):
    # Django writes CREATE UNIQUE INDEX (a SHARE lock); PostgreSQL cannot attach an
    # expression index as a constraint, so ADD CONSTRAINT ... USING INDEX would fail.
    _, findings = _lint(tmp_path, "        migrations.AddConstraint('member', models.UniqueConstraint(\n"
                                  "            Lower('email'), name='uniq_lower_email')),")
    assert [f.rule for f in findings] == ["ML201"]
    assert "SHARE lock" in findings[0].message
    assert _build_step(findings[0]).sql == (
        "CREATE UNIQUE INDEX CONCURRENTLY uniq_lower_email ON members ((lower(email)));")
    assert not [s for s in findings[0].rewrite.steps if s.sql and "USING INDEX" in s.sql]


def test_what_cannot_be_written_gives_an_instruction_not_sql(tmp_path):
    path, findings = _lint(tmp_path, (
        "        migrations.AddIndex('member', models.Index(Coalesce('nickname', 'team'),\n"
        "                                                   name='m_coalesce_idx')),\n"
        "        migrations.AddIndex('member', models.Index(fields=['team'], name='m_like_idx',\n"
        "                                                   condition=models.Q(email__startswith='a'))),\n"
        "        migrations.AddConstraint('member', models.UniqueConstraint(\n"
        "            fields=['email'], include=['team'], name='m_incl_uniq')),"))
    assert [(f.rule, f.span.line) for f in findings] == [
        ("ML201", line_of(path, "m_coalesce_idx") - 1), ("ML201", line_of(path, "m_like_idx")),
        ("ML201", line_of(path, "UniqueConstraint"))]
    coalesce, like, include = findings
    assert "the index key `Coalesce('nickname', 'team')` is not written as SQL" in coalesce.message
    assert "the condition `models.Q(email__startswith='a')`" in like.message
    assert "the `include=` option" in include.message
    for finding in findings:
        step = _build_step(finding)
        assert step.sql is None
        assert "with the key and WHERE clause the migration defines" in step.instruction
    assert _build_step(include).instruction.startswith(
        "CREATE UNIQUE INDEX CONCURRENTLY m_incl_uniq ON members")


def test_concurrent_operation_in_an_atomic_migration_is_refused_by_django(tmp_path):
    _, findings = _lint(tmp_path, (
        "        migrations.RunSQL('CREATE INDEX CONCURRENTLY m_team_idx ON members (team)'),\n"
        "        AddIndexConcurrently('member', models.Index(fields=['team'], name='m_team2_idx')),"))
    in_sql, operation = [f for f in findings if f.rule == "ML301"]
    # RunSQL reaches PostgreSQL, which refuses; Django refuses its own operation first.
    assert "fails with 'cannot run inside a transaction block'" in in_sql.message
    assert operation.message.startswith(
        "Django refuses AddIndexConcurrently in an atomic migration before PostgreSQL sees it: "
        "the migration fails with 'NotSupportedError: The AddIndexConcurrently operation cannot "
        "be executed inside a transaction (set atomic = False on the migration)'.")


def test_concurrent_operation_imported_under_another_name_is_known_by_its_django_name(tmp_path):
    aliased = ("from django.contrib.postgres.operations import RemoveIndexConcurrently as RIC\n"
               "from django.db import migrations\n\n"
               "class Migration(migrations.Migration):\n"
               "    operations = [RIC('member', 'm_team_idx')]\n")
    path = django_app(tmp_path, "club", {"0001_initial": INITIAL, "0002_drop": aliased})
    [statement] = read(path).statements
    assert statement.framework_operation == "RemoveIndexConcurrently"
    [finding] = [f for f in lint_django(path) if f.rule == "ML301"]
    assert finding.message.startswith(
        "Django refuses RemoveIndexConcurrently in an atomic migration before PostgreSQL sees "
        "it: the migration fails with 'NotSupportedError: The RemoveIndexConcurrently operation")


def test_on_mysql_a_conditional_unique_constraint_is_not_created_and_an_index_is_full(tmp_path):
    # MySQL has no partial (or covering) indexes: Django skips the constraint and builds
    # the index without its WHERE, so one DDL remains and ML401 has nothing to count.
    path = django_app(tmp_path, "club", {"0001_initial": INITIAL, "0002_mysql": HEAD + (
        "class Migration(migrations.Migration):\n    operations = [\n"
        "        migrations.AddConstraint('member', models.UniqueConstraint(\n"
        "            fields=['email'], condition=models.Q(active=True), name='uniq_active')),\n"
        "        migrations.AddIndex('member', models.Index(fields=['team'], name='m_team_idx',\n"
        "                                                   condition=models.Q(active=True))),\n"
        "        migrations.AddConstraint('member', models.UniqueConstraint(\n"
        "            fields=['team'], include=['email'], name='uniq_team')),\n"
        "    ]\n")})
    migration = read(path, dialect="mysql")
    (index,) = [op for s in migration.statements for op in s.operations]
    assert (index.name.name, index.columns_sql, index.where_sql) == ("m_team_idx", ("team",), None)
    assert not [f for f in lint_django(path, "mysql") if f.rule == "ML401"]
