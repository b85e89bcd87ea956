"""The bad-input matrix: every kind of broken input gets a clear message (with the
file, and the line where one is known) and the right exit code, no traceback, and
the other files are still linted."""

from __future__ import annotations

import json
import os

import pytest

from helpers import separate_streams_runner
from migrationlint.cli import cli
from migrationlint.source import MAX_FILE_BYTES

# SET lock_timeout keeps the once-per-file lock-timeout note (ML214) out of these checks;
# the other fixtures below that drop a column set it too, for the same reason.
HAZARD = "SET lock_timeout = '2s'; ALTER TABLE accounts DROP COLUMN legacy_flag;\n"


def run(tmp_path, *args):
    """`migrationlint check` in tmp_path with JSON output; returns (exit code, document, stderr)."""
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = separate_streams_runner().invoke(cli, ["check", "--format", "json", "--no-cache", *args])
    finally:
        os.chdir(old)
    # Anything but a clean exit would be a traceback reaching the user.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    document = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, document, result.stderr


def by_path(document):
    findings = {}
    for finding in document["findings"]:
        findings.setdefault(finding["path"], []).append(finding)
    return findings


def messages(document):
    return {e["path"]: (e["level"], e["message"]) for e in document["errors"]}


@pytest.fixture
def folder(tmp_path):
    """A migrations folder with one ordinary hazard that must always be reported."""
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_hazard.sql").write_text(HAZARD)
    return migrations


def assert_hazard_reported(document):
    assert [f["rule"] for f in by_path(document)["migrations/0001_hazard.sql"]] == ["ML103"]


def test_binary_file_is_skipped_with_a_warning(tmp_path, folder):
    (folder / "0002_binary.sql").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1  # the hazard; a skipped binary file alone does not fail the run
    level, message = messages(document)["migrations/0002_binary.sql"]
    assert level == "warning" and "binary" in message
    assert_hazard_reported(document)


def test_invalid_utf8_is_read_as_latin1_and_still_linted(tmp_path, folder):
    (folder / "0002_latin1.sql").write_bytes(
        b"-- caf\xe9\nSET lock_timeout = '2s'; ALTER TABLE orders DROP COLUMN note;\n")
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1
    level, message = messages(document)["migrations/0002_latin1.sql"]
    assert level == "warning" and "0002_latin1.sql:1:" in message and "latin-1" in message
    [finding] = by_path(document)["migrations/0002_latin1.sql"]
    assert (finding["rule"], finding["line"]) == ("ML103", 2)
    assert_hazard_reported(document)


def test_utf16_with_bom_is_decoded(tmp_path, folder):
    (folder / "0002_utf16.sql").write_bytes(
        "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN note;\n".encode("utf-16"))
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1 and document["errors"] == []
    [finding] = by_path(document)["migrations/0002_utf16.sql"]
    assert (finding["line"], finding["column"]) == (2, 32)


def test_crlf_line_endings_keep_lines_and_columns(tmp_path, folder):
    (folder / "0002_crlf.sql").write_bytes(
        b"SET lock_timeout = '2s';\r\n\r\nALTER TABLE orders\r\n  DROP COLUMN note;\r\n")
    code, document, _ = run(tmp_path, "migrations")
    [finding] = by_path(document)["migrations/0002_crlf.sql"]
    assert (finding["line"], finding["column"], finding["end_column"]) == (4, 15, 19)


def test_nul_bytes_late_in_a_file_do_not_break_it(tmp_path, folder):
    # Past the binary sniffing window, a stray NUL reaches the SQL pipeline.
    body = b"-- padding\n" * 1000 + b"SELECT '\x00';\nALTER TABLE t DROP COLUMN c;\n"
    (folder / "0002_nul.sql").write_bytes(body)
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1
    assert "ML103" in [f["rule"] for f in by_path(document)["migrations/0002_nul.sql"]]
    assert_hazard_reported(document)


def test_a_50_mb_file_is_skipped_with_its_size(tmp_path, folder):
    size = 50 * 1024 * 1024
    assert size > MAX_FILE_BYTES
    with open(folder / "0002_dump.sql", "wb") as handle:
        handle.write(b"INSERT INTO t VALUES (1);\n" * (size // 26 + 1))
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1
    level, message = messages(document)["migrations/0002_dump.sql"]
    assert level == "warning" and "50.0 MB" in message and "limit" in message
    assert_hazard_reported(document)


@pytest.mark.parametrize("sql", [
    "SELECT " + "(" * 10_000 + "1" + ")" * 10_000 + ";",
    "SELECT " + " + ".join(["1"] * 10_000) + ";",
    "SELECT " + "NOT " * 10_000 + "TRUE;",
    "CREATE TABLE t (c int DEFAULT " + "(" * 10_000 + "1" + ")" * 10_000 + ");",
], ids=["parentheses", "operator-chain", "not-chain", "in-a-default"])
def test_an_expression_nested_10000_deep(tmp_path, folder, sql):
    (folder / "0002_deep.sql").write_text(sql + "\n" + HAZARD)
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1 and document["errors"] == []
    rules = [(f["rule"], f["line"]) for f in by_path(document)["migrations/0002_deep.sql"]]
    # The deep statement is a parse error at line 1 or is checked; the next one is checked.
    assert ("ML103", 2) in rules
    assert all(rule in ("ML001", "ML103") for rule, _ in rules)
    assert_hazard_reported(document)


@pytest.mark.parametrize("text, what", [
    ("SELECT 'never closed;\n", "unterminated string"),
    ("DO $body$ BEGIN PERFORM 1; END;\n", "unterminated dollar-quoted string $body$"),
    ("SELECT 1; /* never closed\n", "unterminated block comment"),
])
def test_unterminated_strings_quotes_and_comments(tmp_path, folder, text, what):
    (folder / "0002_open.sql").write_text(HAZARD + text)
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1
    findings = by_path(document)["migrations/0002_open.sql"]
    assert ("ML103", 1) in [(f["rule"], f["line"]) for f in findings]
    [error] = [f for f in findings if f["rule"] == "ML001"]
    assert error["line"] == 2 and what in error["message"] and "line 2" in error["message"]
    assert_hazard_reported(document)


def test_a_folder_symlink_loop_ends(tmp_path, folder):
    (folder / "nested").mkdir()
    (folder / "nested" / "back").symlink_to(folder, target_is_directory=True)
    (folder / "nested" / "self").symlink_to(folder / "nested", target_is_directory=True)
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1 and document["files"] == 1
    assert_hazard_reported(document)


def test_a_file_symlink_loop_in_a_folder_is_skipped_with_a_warning(tmp_path, folder):
    (folder / "0002_a.sql").symlink_to(folder / "0003_b.sql")
    (folder / "0003_b.sql").symlink_to(folder / "0002_a.sql")
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1  # the hazard, not the links
    assert messages(document)["migrations/0002_a.sql"] == (
        "warning", "migrations/0002_a.sql: skipped, a symbolic link to no file (its target is "
        "missing, or a loop)")
    assert document["files"] == 1
    assert_hazard_reported(document)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_an_unreadable_file_a_fifo(tmp_path, folder):
    # Reading a FIFO would block forever; it must be refused, not opened. (chmod 000
    # cannot make a file unreadable here: the tests run as root.)
    os.mkfifo(folder / "0002_pipe.sql")
    code, document, _ = run(tmp_path, "migrations")
    assert code == 2
    level, message = messages(document)["migrations/0002_pipe.sql"]
    assert level == "error" and "cannot read: not a regular file" in message
    assert_hazard_reported(document)


def test_a_dangling_symlink_in_a_folder_is_skipped_with_a_warning(tmp_path, folder):
    # Emacs keeps a lock file beside a file being edited: a link to user@host.pid.
    (folder / ".#0002_edited.sql").symlink_to("root@host.4242:1700000000")
    code, document, _ = run(tmp_path, "migrations")
    assert code == 1  # the hazard, not the link
    level, message = messages(document)["migrations/.#0002_edited.sql"]
    assert level == "warning" and "symbolic link to no file" in message
    assert_hazard_reported(document)


def test_a_dangling_symlink_named_explicitly_is_an_error(tmp_path, folder):
    (folder / "0002_gone.sql").symlink_to(tmp_path / "deleted.sql")
    code, document, _ = run(tmp_path, "migrations/0002_gone.sql", "migrations/0001_hazard.sql")
    assert code == 2
    assert messages(document)["migrations/0002_gone.sql"] == (
        "error", "migrations/0002_gone.sql: no such file or folder")
    assert_hazard_reported(document)


def test_a_path_that_does_not_exist(tmp_path, folder):
    code, document, _ = run(tmp_path, "missing.sql", "migrations")
    assert code == 2
    assert messages(document)["missing.sql"] == ("error", "missing.sql: no such file or folder")
    assert_hazard_reported(document)


@pytest.mark.parametrize("config, key", [
    ('dialect = 5\n', "dialect"),
    ('select = "ML101"\n', "select"),
    ('target_version = "sixteen"\n', "target_version"),
    ('[severity]\nML101 = 3\n', "severity.ML101"),
    ('extend_sql_suffixes = ".ddl"\n', "extend_sql_suffixes"),
])
def test_a_config_value_of_the_wrong_type(tmp_path, folder, config, key):
    (tmp_path / "migrationlint.toml").write_text(config)
    code, document, stderr = run(tmp_path, "migrations")
    assert code == 2 and document is None
    assert "migrationlint.toml" in stderr and f"`{key}`" in stderr
    assert "unknown key" not in stderr  # a known key, with a value of the wrong type
    assert stderr.count("\n") == 1  # one clear line, not a pydantic dump


def test_an_unknown_rule_in_select(tmp_path, folder):
    code, document, stderr = run(tmp_path, "--select", "ML101,ML999", "migrations")
    assert code == 2 and document is None
    assert stderr.strip() == "migrationlint: error: unknown rule `ML999` (see `migrationlint rules`)"


def test_an_unknown_option_value_is_a_usage_error(tmp_path, folder):
    code, _, stderr = run(tmp_path, "--jobs", "0", "migrations")
    assert code == 2 and "--jobs" in stderr
