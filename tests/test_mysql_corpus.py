"""Pins the findings of the MySQL rules on a realistic corpus of migrations
(tests/fixtures/corpus/mysql: Flyway, golang-migrate and Rails-style files), and how many
of its statements stay unrecognised."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from helpers import options
from migrationlint import model as m
from migrationlint.engine import lint_source
from migrationlint.readers import read_migration
from migrationlint.source import read_file
from migrationlint.versions import Version

CORPUS = Path(__file__).parent / "fixtures" / "corpus" / "mysql"
# The MySQL rules, and the cross-dialect ones this corpus exercises.
CODES = ("ML101", "ML103", "ML105") + tuple(f"ML4{n:02d}" for n in range(1, 13))

EXPECTED = {
    "000005_rename_display_name.up.sql": [("ML101", 2), ("ML411", 2)],
    # ML103's recipe states ALGORITHM=INSTANT itself, so ML406 does not repeat it.
    "000006_drop_legacy.up.sql": [("ML103", 2), ("ML401", 3), ("ML403", 2), ("ML408", 3),
                                  ("ML411", 2)],
    "000007_shipments.up.sql": [("ML410", 3)],
    "20261105093000_charset_and_fulltext.sql": [("ML404", 2), ("ML411", 2)],
    "20261106110000_fulltext_notes.sql": [("ML404", 2)],
    "20261107120000_required_reference.sql": [("ML105", 2)],
    "20261108080000_status_not_null.sql": [("ML409", 2)],
    "20261109100000_audit_trigger.sql": [],
    "20261110140000_maintenance.sql": [("ML405", 2)],
    # A RANGE partition (VALUES) is added in place with writes allowed: nothing to say.
    "20261111150000_partition_events.sql": [],
    "20261112160000_primary_key.sql": [("ML405", 2)],
    "20261113170000_rename_table.sql": [],
    "20261114180000_seed_countries.sql": [],
    "20261115190000_status_default.sql": [("ML411", 1)],
    "20261116100000_index_instant.sql": [("ML407", 3)],
    "20261117110000_event_source.sql": [("ML406", 2)],
    "V1__create_shop_schema.sql": [],
    "V2__orders_gift_note.sql": [],
    "V3__orders_status_index.sql": [],
    # The plain ADD INDEX on line 6 is online by default and cannot fall back: no ML406.
    "V4__widen_total_and_backfill.sql": [("ML401", 6), ("ML402", 4), ("ML404", 2),
                                         ("ML409", 2), ("ML411", 2)],
}


def _files():
    return sorted(CORPUS.glob("*.sql"))


def _findings_per_file():
    found = {}
    for path in _files():
        source = read_file(str(path), path.name)
        findings = lint_source(source, options("mysql", select=CODES))
        found[path.name] = sorted((f.rule, f.span.line) for f in findings)
    return found


def test_corpus_findings_per_file():
    assert _findings_per_file() == EXPECTED


def test_every_mysql_rule_fires_somewhere_in_the_corpus():
    fired = Counter(code for pins in _findings_per_file().values() for code, _ in pins)
    # ML412 needs a target of 8.0.29-8.0.31; the corpus targets the latest 8.0.
    assert sorted(c for c in CODES if c.startswith("ML4") and c != "ML412") == sorted(
        c for c in fired if c.startswith("ML4"))


def test_unrecognised_statements_in_the_corpus():
    unrecognised, statements = [], 0
    for path in _files():
        migration = read_migration(read_file(str(path), path.name), "mysql", Version("8.0"))
        for statement in migration.statements:
            statements += 1
            raw = [op.keyword for op in statement.operations
                   if isinstance(op, m.RawStatement) and not op.is_dml]
            if statement.error or raw:
                unrecognised.append((path.name, statement.span.line, raw))
    assert statements == 43
    # SET NAMES (a session setting with no value to track) and a trigger body.
    assert unrecognised == [
        ("20261109100000_audit_trigger.sql", 3, ["CREATE TRIGGER"]),
        ("V1__create_shop_schema.sql", 2, ["SET"]),
    ]
