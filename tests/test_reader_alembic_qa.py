"""Alembic reader: what the SQL Alembic writes for a call implies (QA findings)."""

from __future__ import annotations

from typing import List

import pytest

from helpers import TIMEOUT_NOTES, options
from migrationlint import model as m
from migrationlint.context import Migration
from migrationlint.engine import lint_source
from migrationlint.findings import Finding
from migrationlint.readers import read_migration
from migrationlint.source import SourceFile
from migrationlint.versions import default_version

HEADER = "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"


def _lint(body: str, dialect: str = "postgres") -> List[Finding]:
    source = SourceFile("versions/1a2b_rev.py", HEADER + body)
    return lint_source(source, options(dialect, ignore=TIMEOUT_NOTES))


def _read(body: str, dialect: str = "postgres") -> Migration:
    return read_migration(SourceFile("versions/1a2b_rev.py", HEADER + body), dialect,
                          default_version(dialect))


def _rules(body: str, dialect: str = "postgres") -> List[str]:
    return [f.rule for f in _lint(body, dialect)]


# -- existing_type= is the type the column has now ---------------------------------
def test_varchar_widening_with_existing_type_rewrites_nothing_on_postgres():
    body = ('    op.alter_column("accounts", "handle", existing_type=sa.String(30),\n'
            "                    type_=sa.String(200))\n"
            '    op.alter_column("accounts", "bio", existing_type=sa.VARCHAR(length=80),\n'
            "                    type_=sa.Text())\n")
    assert "ML107" not in _rules(body)


def test_existing_type_names_the_old_type_in_a_real_rewrite():
    body = ('    op.alter_column("accounts", "score", existing_type=sa.Integer(),\n'
            "                    type_=sa.String(12))\n")
    (finding,) = [f for f in _lint(body) if f.rule == "ML107"]
    assert "from integer to varchar(12)" in finding.message
    assert "not known from this file" not in finding.message


def test_mysql_copy_is_explained_from_existing_type():
    body = ('    op.alter_column("accounts", "handle", existing_type=sa.String(30),\n'
            "                    type_=sa.String(90), existing_nullable=True,\n"
            "                    existing_server_default=None)\n")
    findings = _lint(body, "mysql")
    assert [f.rule for f in findings] == ["ML404"]
    assert "from varchar(30) to varchar(90)" in findings[0].message
    assert "does not show the current one" not in findings[0].message


# -- MySQL: MODIFY restates the column from the call's arguments -------------------
def test_mysql_modify_without_existing_nullable_and_default_is_flagged():
    body = ('    op.alter_column("accounts", "handle", existing_type=sa.String(30),\n'
            "                    type_=sa.String(40))\n")
    findings = {f.rule: f for f in _lint(body, "mysql")}
    assert set(findings) == {"ML109", "ML110"}
    assert "existing_nullable=False" in findings["ML109"].rewrite.steps[0].instruction
    assert "existing_server_default=" in findings["ML110"].rewrite.summary
    assert "NOT NULL today" in findings["ML109"].message


def test_mysql_modify_with_existing_arguments_keeps_the_column():
    body = ('    op.alter_column("accounts", "handle", existing_type=sa.String(30),\n'
            "                    type_=sa.String(40), existing_nullable=False,\n"
            "                    existing_server_default=sa.text(\"''\"))\n")
    assert _rules(body, "mysql") == []


def test_nullable_false_on_mysql_still_drops_an_unstated_default():
    body = ('    op.alter_column("accounts", "handle", existing_type=sa.String(30),\n'
            "                    nullable=False)\n")
    rules = _rules(body, "mysql")
    assert "ML110" in rules and "ML109" not in rules


def test_server_default_alone_and_postgres_restate_nothing():
    mysql_default = '    op.alter_column("accounts", "handle", server_default="x")\n'
    assert not {"ML109", "ML110"} & set(_rules(mysql_default, "mysql"))
    widen = ('    op.alter_column("accounts", "handle", existing_type=sa.String(30),\n'
             "                    type_=sa.String(40))\n")
    assert not {"ML109", "ML110"} & set(_rules(widen))


# -- branches on the database's dialect --------------------------------------------
DIALECT_BRANCH = (
    "    bind = op.get_bind()\n"
    '    if bind.dialect.name == "postgresql":\n'
    "        with op.get_context().autocommit_block():\n"
    '            op.create_index("ix_visits_day", "visits", ["day"],\n'
    "                            postgresql_concurrently=True)\n"
    "    else:\n"
    '        op.create_index("ix_visits_day", "visits", ["day"])\n'
)


def test_only_the_branch_of_the_linted_dialect_is_read():
    assert _rules(DIALECT_BRANCH) == []  # no ML201 from the else branch
    for dialect, concurrently in (("postgres", True), ("mysql", False)):
        (index,) = [op for s in _read(DIALECT_BRANCH, dialect).statements
                    for op in s.operations if isinstance(op, m.CreateIndex)]
        assert index.concurrently is concurrently


def test_dialect_name_spellings_and_comparisons():
    index = '        op.create_index("ix_visits_day", "visits", ["day"])\n'
    for test in ('op.get_context().dialect.name != "postgresql"',
                 'op.get_bind().dialect.name in ("mysql", "mariadb")',
                 'not op.get_bind().dialect.name == "postgresql"'):
        assert "ML201" not in _rules(f"    if {test}:\n{index}"), test
    kind = '    kind = op.get_bind().dialect.name\n'
    assert "ML201" not in _rules(kind + f'    if kind == "sqlite":\n{index}')
    assert "ML201" in _rules(kind + f'    if kind == "postgresql":\n{index}')


@pytest.mark.parametrize("test, read", [
    ('"mysql" == op.get_bind().dialect.name', False),
    ('"postgresql" != op.get_bind().dialect.name', False),
    ('"postgresql" == op.get_bind().dialect.name', True),
])
def test_the_dialect_name_may_be_on_the_right_of_eq_and_not_eq(test, read):
    index = '        op.create_index("ix_visits_day", "visits", ["day"])\n'
    assert ("ML201" in _rules(f"    if {test}:\n{index}")) is read


@pytest.mark.parametrize("test, branches", [
    ('kind == "mysql" or kind == "mariadb"', ["else"]),
    ('not (kind == "postgresql" or "mysql" == kind)', ["else"]),
    ('kind == "postgresql" and kind != "mysql"', ["if"]),
    # One operand decides: the other may test anything.
    ('kind == "mysql" and not context.is_offline_mode()', ["else"]),
    ('kind == "postgresql" or context.is_offline_mode()', ["if"]),
    # Not decided by the dialect: both branches, as for any other condition.
    ('kind == "postgresql" and context.is_offline_mode()', ["if", "else"]),
    ('kind == "mysql" or context.is_offline_mode()', ["if", "else"]),
])
def test_and_or_not_of_dialect_tests_are_evaluated(test, branches):
    body = ('    kind = op.get_bind().dialect.name\n'
            f"    if {test}:\n"
            '        op.create_index("ix_if", "visits", ["day"])\n'
            "    else:\n"
            '        op.create_index("ix_else", "visits", ["day"])\n')
    read = [op.name.name[3:] for s in _read(body).statements for op in s.operations
            if isinstance(op, m.CreateIndex)]
    assert read == branches


def test_mariadb_may_be_called_mysql_so_both_branches_are_read():
    body = ('    if op.get_bind().dialect.name == "mysql":\n'
            '        op.drop_index("ix_a", table_name="visits")\n'
            "    else:\n"
            '        op.drop_index("ix_b", table_name="visits")\n')
    assert _rules(body, "mariadb").count("ML408") == 2
    assert _rules(body, "mysql").count("ML408") == 1


def test_other_conditions_read_both_branches_without_repeating_a_finding():
    source = ('PURGE = "DELETE FROM visits"\n\n\n'
              "def upgrade():\n"
              "    if context.is_offline_mode():\n"
              "        op.execute(PURGE)\n"
              "    else:\n"
              "        op.get_bind().execute(sa.text(PURGE))\n")
    text = "from alembic import op, context\nimport sqlalchemy as sa\n\n" + source
    findings = lint_source(SourceFile("versions/1a2b_rev.py", text),
                           options(ignore=TIMEOUT_NOTES))
    assert [f.rule for f in findings] == ["ML501"]


# -- tables and SQL computed at run time ---------------------------------------------
def test_a_table_passed_in_a_variable_is_a_placeholder():
    source = (HEADER.replace("def upgrade():\n", "")
              + "SHARDED = ['visits', 'clicks']\n\n\n"
              + "def _add_region(table):\n"
              + '    op.add_column(table, sa.Column("region", sa.Integer(), nullable=False))\n\n\n'
              + "def upgrade():\n"
              + "    for name in SHARDED:\n"
              + "        _add_region(name)\n")
    findings = lint_source(SourceFile("versions/1a2b_rev.py", source),
                           options(ignore=TIMEOUT_NOTES))
    (finding,) = [f for f in findings if f.rule == "ML105"]
    assert "region to {table} without a default" in finding.message
    assert "ALTER TABLE {table} ADD COLUMN region integer;" in finding.rewrite.steps[0].sql


def test_an_f_string_table_argument_keeps_its_literal_parts():
    body = '    op.drop_column(f"{tenant}_visits", "referrer")\n'
    (finding,) = [f for f in _lint(body) if f.rule == "ML103"]
    assert "of {tenant}_visits" in finding.message
    assert "ALTER TABLE {tenant}_visits DROP COLUMN referrer;" in finding.rewrite.steps[-1].sql


def test_f_string_sql_is_read_around_its_fields():
    body = ('    op.execute(f"ALTER TABLE {NAMES[0]} DROP COLUMN referrer")\n'
            '    op.execute(f"UPDATE visits SET referrer = \'{DEFAULT}\'")\n')
    findings = _lint(body)
    drop = next(f for f in findings if f.rule == "ML103")
    assert "of {NAMES[0]}" in drop.message and drop.span.line == 6
    assert "ALTER TABLE {NAMES[0]} DROP COLUMN referrer;" in drop.rewrite.steps[-1].sql
    assert any(f.rule == "ML501" and f.span.line == 7 for f in findings)
    statements = _read(body).statements
    assert statements[1].text == "UPDATE visits SET referrer = '{DEFAULT}'"


# -- a new column's ForeignKey is a constraint of its own ------------------------------
def test_add_column_with_foreign_key_adds_the_constraint_separately():
    body = ('    op.add_column("visits", sa.Column("site_id", sa.BigInteger(),\n'
            '                  sa.ForeignKey("web.sites.id", ondelete="CASCADE", name="fk_site")))\n')
    operations = [op for s in _read(body).statements for op in s.operations]
    assert [type(op).__name__ for op in operations] == ["AddColumn", "AddConstraint"]
    column, key = operations
    assert column.column.references is None
    assert (key.kind, key.name.name, key.columns[0].name) == ("foreign_key", "fk_site", "site_id")
    assert (key.references.schema_.name, key.references.name.name) == ("web", "sites")
    assert key.reference_columns[0].name == "id"
    assert key.reference_options == ("ON DELETE CASCADE",)
    (finding,) = [f for f in _lint(body) if f.rule == "ML204"]
    assert ("REFERENCES web.sites (id) ON DELETE CASCADE NOT VALID"
            in finding.rewrite.steps[0].sql)


def test_a_new_table_column_keeps_its_inline_foreign_key():
    body = ('    op.create_table("pages", sa.Column("id", sa.BigInteger(), primary_key=True),\n'
            '                    sa.Column("site_id", sa.BigInteger(), sa.ForeignKey("sites.id")))\n')
    (table,) = [op for s in _read(body).statements for op in s.operations]
    assert table.columns[1].references.name.name == "sites"
    assert "ML204" not in _rules(body)


# -- the rewrite names the runner's own way out of the transaction ---------------------
def test_concurrent_index_in_the_transaction_gets_alembics_autocommit_block():
    body = ('    op.create_index("ix_visits_day", "visits", ["day"],\n'
            "                    postgresql_concurrently=True)\n")
    (finding,) = [f for f in _lint(body) if f.rule == "ML301"]
    (step,) = finding.rewrite.steps
    assert "with op.get_context().autocommit_block():" in step.instruction
    assert "Rails" not in step.instruction and "Django" not in step.instruction


def test_plain_sql_still_lists_the_common_switches():
    sql = "CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY ix ON visits (day);\n"
    findings = lint_source(SourceFile("migration.sql", sql), options(ignore=TIMEOUT_NOTES))
    (finding,) = [f for f in findings if f.rule == "ML301"]
    instruction = finding.rewrite.steps[0].instruction
    assert "Django atomic = False" in instruction and "autocommit_block" in instruction


# -- batch_alter_table(recreate="always") copies the table ----------------------------
def _batch(recreate: str) -> str:
    return (f'    with op.batch_alter_table("visits", recreate="{recreate}") as batch_op:\n'
            '        batch_op.add_column(sa.Column("region", sa.String(10)))\n')


def test_recreate_always_is_a_whole_table_copy():
    for dialect in ("postgres", "mysql"):
        (finding,) = [f for f in _lint(_batch("always"), dialect) if f.rule == "ML502"]
        assert finding.span.line == 6
        assert "INSERT INTO _alembic_tmp_visits ... SELECT FROM visits" in finding.message
        assert "drops visits and renames the copy" in finding.message
    statements = _read(_batch("always")).statements
    assert [type(op).__name__ for s in statements for op in s.operations] == [
        "AddColumn", "DataChange"]


def test_recreate_auto_is_a_plain_alter():
    assert "ML502" not in _rules(_batch("auto"))
    assert [type(op).__name__ for s in _read(_batch("auto")).statements
            for op in s.operations] == ["AddColumn"]
