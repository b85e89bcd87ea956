"""Inline suppression comments."""

from functools import partial

import helpers

# Suppression mechanics are tested on ALTERs of existing tables, which also get the
# once-per-file lock-timeout note; it is not what these tests are about.
codes = partial(helpers.codes, ignore=helpers.TIMEOUT_NOTES)
lint = partial(helpers.lint, ignore=helpers.TIMEOUT_NOTES)


def test_suppression_on_line_before_by_name_with_reason():
    sql = "-- migrationlint: ignore drop-column -- planned in 2026.10\nALTER TABLE t DROP COLUMN c;"
    assert codes(sql) == []


def test_suppression_on_statement_first_line_by_code():
    sql = "ALTER TABLE t DROP COLUMN c; -- migrationlint: ignore ML103"
    assert codes(sql) == []


def test_suppression_only_covers_its_statement():
    sql = (
        "-- migrationlint: ignore ML103\nALTER TABLE t DROP COLUMN c;\n"
        "ALTER TABLE t DROP COLUMN d;"
    )
    findings = lint(sql)
    assert [(f.rule, f.span.line) for f in findings] == [("ML103", 3)]


def test_suppression_covers_findings_on_later_lines_of_the_statement():
    sql = "-- migrationlint: ignore ML103\nALTER TABLE t\n  DROP COLUMN c,\n  DROP COLUMN d;"
    assert codes(sql) == []


def test_comma_separated_codes_and_other_rules_still_fire():
    sql = (
        "/* migrationlint: ignore ML103, ML101 */\n"
        "ALTER TABLE t DROP COLUMN c, RENAME COLUMN a TO b;\n"
        "ALTER TABLE t ADD COLUMN x int NOT NULL;"
    )
    assert codes(sql) == ["ML105"]


def test_unknown_code_is_reported_and_finding_stays():
    sql = "-- migrationlint: ignore ML999, drop-colum\nALTER TABLE t DROP COLUMN c;"
    findings = lint(sql)
    assert sorted(f.rule for f in findings) == ["ML002", "ML002", "ML103"]
    messages = [f.message for f in findings if f.rule == "ML002"]
    assert any("ML999" in m for m in messages) and any("drop-colum" in m for m in messages)


def test_unused_suppression_is_reported_at_the_comment():
    sql = "SELECT 1;\n-- migrationlint: ignore ML103\nALTER TABLE t ADD COLUMN c int;"
    [finding] = lint(sql)
    assert finding.rule == "ML003" and finding.span.line == 2 and "ML103" in finding.message


def test_partly_used_suppression_reports_the_unused_code():
    sql = "-- migrationlint: ignore ML103, ML101\nALTER TABLE t DROP COLUMN c;"
    [finding] = lint(sql)
    assert finding.rule == "ML003" and "ML101" in finding.message


def test_suppression_of_disabled_rule_is_not_unused():
    sql = "-- migrationlint: ignore ML103\nALTER TABLE t ADD COLUMN c int;"
    assert codes(sql, select=["ML0", "ML101"]) == []


def test_ignore_file_all_rules_and_specific_rules():
    body = "ALTER TABLE t DROP COLUMN c;\nALTER TABLE t RENAME COLUMN a TO b;"
    assert codes("-- migrationlint: ignore-file\n" + body) == []
    assert codes("-- migrationlint: ignore-file ML103\n" + body) == ["ML101"]


def test_ignore_file_after_first_statement_is_invalid():
    sql = "ALTER TABLE t DROP COLUMN c;\n-- migrationlint: ignore-file\n"
    assert sorted(codes(sql)) == ["ML002", "ML103"]


def test_parse_error_can_be_suppressed():
    sql = "-- migrationlint: ignore parse-error -- vendor syntax\nALTER TABLE t ADD COLUMN c int DEFAULT;"
    assert codes(sql) == []


def test_trailing_comment_on_a_later_line_of_the_statement_is_honoured():
    # Where ruff users put a noqa: on the line the finding points at.
    sql = "ALTER TABLE users\n  DROP COLUMN a; -- migrationlint: ignore drop-column"
    assert codes(sql) == []


def test_trailing_comment_inside_a_statement_covers_only_its_line():
    # As ruff's noqa: the hazards on c and d, which the comment is not about, stay.
    sql = ("ALTER TABLE t\n"
           "  ADD COLUMN b int NOT NULL, -- migrationlint: ignore ML105 -- backfilled by job\n"
           "  ADD COLUMN c int NOT NULL,\n  ADD COLUMN d int NOT NULL;")
    findings = lint(sql, select=["ML105"])
    assert [(f.rule, f.span.line) for f in findings] == [("ML105", 3), ("ML105", 4)]


def test_comment_on_its_own_line_inside_a_statement_covers_the_next_line():
    sql = ("ALTER TABLE t\n  ADD COLUMN b int NOT NULL,\n"
           "  -- migrationlint: ignore ML105 -- backfilled by job\n"
           "  ADD COLUMN c int NOT NULL,\n  ADD COLUMN d int NOT NULL;")
    findings = lint(sql, select=["ML105"])
    assert [(f.rule, f.span.line) for f in findings] == [("ML105", 2), ("ML105", 5)]


def test_comment_before_or_on_the_first_line_covers_the_whole_statement():
    for sql in ("-- migrationlint: ignore ML105\nALTER TABLE t\n  ADD COLUMN b int NOT NULL,\n"
                "  ADD COLUMN c int NOT NULL;",
                "ALTER TABLE t -- migrationlint: ignore ML105\n  ADD COLUMN b int NOT NULL,\n"
                "  ADD COLUMN c int NOT NULL;"):
        assert lint(sql, select=["ML105"]) == []


def test_comment_on_its_own_line_inside_the_statement_is_honoured():
    sql = "ALTER TABLE users\n  -- migrationlint: ignore ML103\n  DROP COLUMN a;"
    assert codes(sql) == []


def test_comment_on_no_statement_says_where_it_must_go():
    sql = "-- migrationlint: ignore ML103\n\nALTER TABLE t DROP COLUMN c;"
    findings = lint(sql)
    assert sorted(f.rule for f in findings) == ["ML003", "ML103"]
    [unused] = [f for f in findings if f.rule == "ML003"]
    assert "line just before the statement" in unused.message


def test_unknown_directive_is_reported_and_suppresses_nothing():
    for verb in ("disable", "ignore-next-line"):
        findings = lint(f"-- migrationlint: {verb} ML103\nALTER TABLE t DROP COLUMN c;")
        assert sorted(f.rule for f in findings) == ["ML002", "ML103"], verb
        [invalid] = [f for f in findings if f.rule == "ML002"]
        assert f"Unknown directive `{verb}`" in invalid.message
        assert "`migrationlint: ignore [CODE ...] [-- reason]`" in invalid.message


def test_reason_without_its_dashes_is_one_finding_that_shows_the_syntax():
    findings = lint("-- migrationlint: ignore ML103 because legacy\nALTER TABLE t DROP COLUMN c;")
    [invalid] = findings  # ML103 is still suppressed
    assert invalid.rule == "ML002"
    assert "`migrationlint: ignore ML103 -- because legacy`" in invalid.message


def test_misspelt_rule_before_a_reason_is_reported_on_its_own():
    findings = lint("-- migrationlint: ignore drop-colum legacy\nALTER TABLE t DROP COLUMN c;")
    messages = sorted(f.message for f in findings if f.rule == "ML002")
    assert len(messages) == 2 and "Unknown rule `drop-colum`" in messages[0]


def test_bare_ignore_covers_every_rule_and_is_reported_when_unused():
    assert codes("-- migrationlint: ignore\nALTER TABLE t DROP COLUMN c, RENAME a TO b;") == []
    assert codes("-- migrationlint: ignore\nSELECT 1;") == ["ML003"]


def test_comment_on_the_wrong_line_of_its_statement_says_where_the_finding_is():
    sql = ("ALTER TABLE users\n"
           "  ALTER COLUMN score TYPE bigint;  -- migrationlint: ignore ML107, ML214\n")
    findings = helpers.lint(sql)  # with the lock-timeout note, which points at line 1
    assert sorted(f.rule for f in findings) == ["ML003", "ML214"]
    [unused] = [f for f in findings if f.rule == "ML003"]
    assert "points at line 1" in unused.message and "remove" not in unused.message


def test_comment_above_a_framework_call_covering_several_statements_is_reported_once():
    # The comment covers both statements of the op.execute SQL, which starts on the line
    # after the call: ML201 on both is suppressed, and the unused ML103 is one finding.
    text = ("from alembic import op\n\ndef upgrade():\n"
            "    # migrationlint: ignore ML201, ML103\n"
            "    op.execute(\n"
            "        'CREATE INDEX a ON t (a); CREATE INDEX b ON t (b)'\n"
            "    )\n")
    findings = lint(text, path="versions/abc_rev.py")
    assert [(f.rule, f.span.line) for f in findings] == [("ML003", 4)]
    assert findings[0].message == "Suppression of ML103 suppressed nothing; remove it."


def test_a_suppressed_finding_does_not_stand_in_for_a_broader_one():
    # ML103 supersedes ML406 on its operation; suppressed, it replaces nothing, as when
    # drop-column is turned off.
    sql = "-- migrationlint: ignore drop-column -- unused\nALTER TABLE t DROP COLUMN c;"
    assert codes(sql, dialect="mysql") == ["ML406"]
    assert codes(sql.split("\n")[1], dialect="mysql", ignore=["ML103", "ML411"]) == ["ML406"]


def test_a_suppression_of_a_finding_that_is_replaced_anyway_suppressed_nothing():
    # ML103, not suppressed, supersedes ML406: the comment changes nothing, so ML003.
    sql = "-- migrationlint: ignore ML406 -- online\nALTER TABLE t DROP COLUMN c;"
    assert codes(sql, dialect="mysql") == ["ML003", "ML103"]
    # On PostgreSQL 14 ML114 (not suppressed) replaces ML206 on the whole statement.
    rejected = ("-- migrationlint: ignore ML206 -- small table\nALTER TABLE t ADD CONSTRAINT a "
                "UNIQUE NULLS NOT DISTINCT (x), ADD CONSTRAINT b UNIQUE (y);")
    assert "ML003" in codes(rejected, version="14")
