"""Every SQL step of every rewrite, on the corpus and the rule pages' bad examples, is
complete SQL that migrationlint itself parses for its dialect (a rewrite with a broken step is worse than none)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from helpers import lint
from migrationlint.parse import sqlglot_dialect
from migrationlint.normalize import normalize_statement
from migrationlint.source import LineIndex
from migrationlint.splitter import split_statements

ROOT = Path(__file__).resolve().parent
CORPORA = {
    "postgres": [ROOT / "fixtures" / "corpus" / "postgres", ROOT.parent / "examples" / "postgres"],
    "mysql": [ROOT / "fixtures" / "corpus" / "mysql", ROOT.parent / "examples" / "mysql"],
}
PAGES = ROOT.parent / "rules"
# What MySQL's CAST(expr AS type) / CONVERT(expr, type) accepts (8.0/8.4; MariaDB's list is a
# subset plus INTEGER/INT/DOUBLE/FLOAT): sqlglot parses other types without complaint.
MYSQL_CAST_TYPES = {
    "BINARY", "CHAR", "DATE", "DATETIME", "DECIMAL", "DOUBLE", "FLOAT", "JSON", "NCHAR",
    "REAL", "SIGNED", "TIME", "UNSIGNED", "YEAR",
}
# Rewrites of the MySQL type changes most migrations make, for the CAST check below.
MYSQL_TYPE_CHANGES = [
    "ALTER TABLE `order items` MODIFY COLUMN qty BIGINT NOT NULL;",
    "ALTER TABLE users MODIFY name VARCHAR(300);",
    "ALTER TABLE users MODIFY score DECIMAL(12,2);",
    "ALTER TABLE users MODIFY flags INT UNSIGNED;",
    "ALTER TABLE users MODIFY born DATE;",
    "ALTER TABLE users MODIFY payload JSON;",
    "ALTER TABLE users MODIFY bio TEXT;",
]


def _cases():
    for dialect, folders in CORPORA.items():
        for folder in folders:
            for path in sorted(folder.glob("*.sql")):
                yield pytest.param(path.read_text(), dialect, id=f"{dialect}-{path.name}")
    for number, sql in enumerate(MYSQL_TYPE_CHANGES, 1):
        yield pytest.param(sql, "mysql", id=f"mysql-type-change-{number}")
    from test_rule_docs import _BLOCK  # the same blocks test_rule_docs executes

    for page in sorted(PAGES.glob("*.md")):
        for number, match in enumerate(_BLOCK.finditer(page.read_text()), 1):
            if match.group("kind") != "bad":
                continue
            attrs = dict(a.split("=", 1) for a in match.group("attrs").split())
            yield pytest.param(match.group("body"), attrs.get("dialect", "postgres"),
                               id=f"{page.stem}-{number}")


@pytest.mark.parametrize("sql,dialect", list(_cases()))
def test_rewrite_steps_parse(sql, dialect):
    for finding in lint(sql, dialect=dialect):
        for step in (finding.rewrite.steps if finding.rewrite else ()):
            if step.sql is None:
                continue
            for piece in split_statements(step.sql, dialect).statements:
                # Our own parser (sqlglot plus the recognisers, which cover vendor syntax
                # such as MariaDB's IGNORED indexes) must understand every step.
                result = normalize_statement(piece.text, 0, LineIndex(piece.text), dialect)
                assert result.error is None, f"{finding.rule}: {piece.text!r}: {result.error}"


def _sql_steps(sql, dialect):
    for finding in lint(sql, dialect=dialect):
        for step in (finding.rewrite.steps if finding.rewrite else ()):
            if step.sql is not None:
                yield finding.rule, step.sql


def _cast_targets(sql, dialect):
    """The type word after AS in each CAST( ... ) of ``sql``, read from sqlglot's tokens."""
    tokens = _tokenizer(dialect).tokenize(sql)
    targets = []
    for index, token in enumerate(tokens):
        if token.text.upper() != "CAST":
            continue
        depth = 0
        for later, inner in enumerate(tokens[index + 1:], index + 1):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(inner.token_type, 0)
            if depth == 1 and inner.token_type == TokenType.ALIAS:
                targets.append(tokens[later + 1].text.upper())
                break
            if depth == 0:
                break
    return targets


def _tokenizer(dialect):
    return Dialect.get_or_raise(sqlglot_dialect(dialect)).tokenizer_class()


def test_cast_targets_are_read_from_the_tokens():
    assert _cast_targets("SELECT CAST(f(a, b) AS BIGINT), CAST(x AS CHAR(3))", "mysql") == [
        "BIGINT", "CHAR"]


@pytest.mark.parametrize("sql,dialect", [c for c in _cases() if c.values[1] != "postgres"])
def test_mysql_rewrites_cast_only_to_types_mysql_accepts(sql, dialect):
    for rule, step_sql in _sql_steps(sql, dialect):
        for target in _cast_targets(step_sql, dialect):
            assert target in MYSQL_CAST_TYPES, f"{rule}: CAST to {target} in {step_sql!r}"


def test_mysql_sync_trigger_names_are_one_quoted_identifier_within_64_chars():
    sql = "ALTER TABLE `order items` MODIFY COLUMN `quantity of every single item ordered` BIGINT;"
    statements = [s for _, step in _sql_steps(sql, "mysql") for s in step.split(";")
                  if "TRIGGER" in s]
    assert len(statements) == 4  # CREATE and DROP, for INSERT and UPDATE
    for statement in statements:
        tokens = _tokenizer("mysql").tokenize(statement)
        name = next(t for t, prev in zip(tokens[1:], tokens) if prev.text.upper() == "TRIGGER")
        following = tokens[tokens.index(name) + 1:]
        # the name is one token, followed by BEFORE or by nothing (DROP TRIGGER name)
        assert not following or following[0].text.upper() == "BEFORE", statement
        assert len(name.text) <= 64 and name.text.endswith(("trg_ins", "trg_upd"))
