"""Django indexes and unique constraints with expressions and conditions: the rewrite
keeps the key and the WHERE Django writes (checked against ``sqlmigrate``), or says it
cannot restate them; a UniqueConstraint Django builds as a unique index is ML201."""

from __future__ import annotations

from framework_helpers import django_app, line_of, lint_django

HEAD = ("from django.db import migrations, models\n"
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
