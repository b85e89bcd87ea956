"""Fuzzing the whole pipeline (decode → split → parse → normalise → rules →
suppressions): random and mutated SQL, Python and XML never make an exception
escape; every input gives findings (parse errors included) or a reported skip.

A small budget runs with the suite; MIGRATIONLINT_FUZZ_LONG=1 runs a long one:
    MIGRATIONLINT_FUZZ_LONG=1 .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import options
from migrationlint.engine import lint_one
from migrationlint.findings import Finding
from migrationlint.source import decode

LONG = os.environ.get("MIGRATIONLINT_FUZZ_LONG") == "1"
FUZZ = settings(
    max_examples=3000 if LONG else 40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
ROOT = Path(__file__).resolve().parent.parent
DIALECTS = ("postgres", "mysql", "mariadb")

SEEDS_SQL = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").rglob("*.sql"))] + [
    "CREATE TABLE t (id bigserial PRIMARY KEY, email text NOT NULL DEFAULT '');\n"
    "ALTER TABLE t ADD COLUMN c int NOT NULL; -- migrationlint: ignore ML105 -- reason\n"
    "CREATE INDEX CONCURRENTLY t_c_idx ON t (c);\n",
    "BEGIN;\nALTER TABLE a RENAME COLUMN x TO y;\nCOMMIT;\n"
    "CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;\n",
    "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\nDELIMITER ;\n"
    "/*!40101 SET NAMES utf8 */;\nALTER TABLE `t` DROP COLUMN `c`, ALGORITHM=INPLACE, LOCK=NONE;\n",
    "-- migrationlint: ignore-file ML103\nALTER TABLE t DROP COLUMN c;\n"
    "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES b (id) NOT VALID;\n"
    "ALTER TABLE t VALIDATE CONSTRAINT fk;\nSET lock_timeout = '2s';\n",
]
SEED_PYTHON = '''"""add status

Revision ID: 1a2b3c
"""
from alembic import op
import sqlalchemy as sa

revision = "1a2b3c"
down_revision = None


def upgrade():
    op.add_column("orders", sa.Column("status", sa.Text(), nullable=False))
    op.execute("ALTER TABLE orders RENAME COLUMN note TO notes")
    op.create_index("orders_status_idx", "orders", ["status"])
'''
SEED_XML = '''<?xml version="1.0" encoding="UTF-8"?>
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
  <changeSet id="1" author="dev">
    <addColumn tableName="orders"><column name="status" type="text"/></addColumn>
    <sql>ALTER TABLE orders DROP COLUMN note;</sql>
    <dropColumn tableName="orders" columnName="legacy"/>
  </changeSet>
</databaseChangeLog>
'''
# Pieces that stress the splitter and parser: quotes, comments, delimiters, nesting.
FRAGMENTS = ["'", '"', "`", "$", "$$", "$x$", ";", "--", "/*", "*/", "/*!", "#", "\\", "(",
             ")", "\n", "\r\n", "\x00", "\ufeff", "é", "DELIMITER ", " ALTER TABLE ",
             " DROP COLUMN ", " RENAME ", " CREATE INDEX ", " NOT NULL ", " DEFAULT ",
             " BEGIN;", " COMMIT;", " E'\\'", "-- migrationlint: ignore ", "ML", "<![CDATA[",
             "op.execute(", '"""', "<sql>"]


@st.composite
def mutated(draw, seeds):
    """A seed text with a few random cuts, insertions and duplications."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "text"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "duplicate":
            text = text[:at] + text[at:at + draw(st.integers(1, 80))] * 2 + text[at + 80:]
        else:
            text = text[:at] + draw(st.text(max_size=20)) + text[at:]
    return text


def check_clean(data: bytes, display: str, dialect: str) -> None:
    findings, errors = lint_one(options(dialect), display, data=data)
    # lint_one turns any exception into an error-level FileError: there must be none.
    assert [e.message for e in errors if e.level == "error"] == []
    assert all(isinstance(f, Finding) for f in findings)
    try:
        line_count = decode(data, display).lines.line_count
    except ValueError:  # skipped as binary: then nothing was reported for it
        assert findings == []
        return
    for finding in findings:
        assert 1 <= finding.span.line <= finding.span.end_line <= line_count, finding
        assert finding.span.column >= 1 and finding.message


@FUZZ
@given(st.text(max_size=400), st.sampled_from(DIALECTS))
def test_random_text(text, dialect):
    check_clean(text.encode("utf-8", "surrogatepass"), "random.sql", dialect)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(DIALECTS))
def test_random_bytes(data, dialect):
    check_clean(data, "random.sql", dialect)


@FUZZ
@given(mutated(SEEDS_SQL), st.sampled_from(DIALECTS))
def test_mutated_sql(text, dialect):
    check_clean(text.encode("utf-8", "surrogatepass"), "mutated.sql", dialect)


@FUZZ
@given(mutated([SEED_PYTHON]), st.sampled_from(DIALECTS))
def test_mutated_python(text, dialect):
    check_clean(text.encode("utf-8", "surrogatepass"), "versions/1a2b3c_add_status.py", dialect)


@FUZZ
@given(mutated([SEED_XML]), st.sampled_from(DIALECTS))
def test_mutated_xml(text, dialect):
    check_clean(text.encode("utf-8", "surrogatepass"), "changelog.xml", dialect)


@FUZZ
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60), st.sampled_from(DIALECTS))
def test_fragment_soup(pieces, dialect):
    check_clean("".join(pieces).encode("utf-8", "surrogatepass"), "soup.sql", dialect)
