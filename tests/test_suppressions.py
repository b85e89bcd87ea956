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
