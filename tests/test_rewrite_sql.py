"""Every SQL step of every rewrite, on the corpus and the rule pages' bad examples, is
complete SQL that migrationlint itself parses for its dialect (a rewrite with a broken step is worse than none)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import lint
from migrationlint.normalize import normalize_statement
from migrationlint.source import LineIndex
from migrationlint.splitter import split_statements

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "fixtures" / "corpus" / "postgres"
PAGES = ROOT.parent / "rules"


def _cases():
    for path in sorted(CORPUS.glob("*.sql")):
        yield pytest.param(path.read_text(), "postgres", id=path.name)
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
