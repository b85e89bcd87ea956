"""Alembic reader: what the SQL Alembic writes for a call implies (QA findings)."""

from __future__ import annotations

from typing import List

from helpers import TIMEOUT_NOTES, options
from migrationlint.engine import lint_source
from migrationlint.findings import Finding
from migrationlint.source import SourceFile

HEADER = "from alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n"


def _lint(body: str, dialect: str = "postgres") -> List[Finding]:
    source = SourceFile("versions/1a2b_rev.py", HEADER + body)
    return lint_source(source, options(dialect, ignore=TIMEOUT_NOTES))


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
