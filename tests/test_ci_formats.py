"""`--format github`, `--format gitlab` and `--format junit` on real CLI output."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import pytest

from ci_helpers import make_repo, run_check
from migrationlint.formatters import available_formats
from migrationlint.formatters.github import escape_data, escape_property

DROP = "ALTER TABLE users DROP COLUMN legacy_flag;\n"
MULTILINE_RENAME = "ALTER TABLE users\n  RENAME COLUMN email\n  TO email_address;\n"
GARBAGE = "SELECT 'never closed;\n"


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo", {
        # The tests are about the formats, not about rules: the missing-lock-timeout note
        # (ML214) that the DROP and RENAME also get would only shift every pinned list.
        "pyproject.toml": ('[tool.migrationlint]\nseverity = { "ML001" = "note" }\n'
                           'ignore = ["ML214"]\n'),
        "db/migrations/0001_drop.sql": DROP,
        "db/migrations/0002_rename.sql": MULTILINE_RENAME,
        "db/migrations/0003_garbage.sql": GARBAGE,
        "db/migrations/0004_blob.sql": b"\x00\x01binary",
    })


def test_every_ci_format_is_registered():
    formats = set(available_formats())
    assert {"sarif", "github", "gitlab", "junit"} <= formats
    assert not any(name.startswith("_") for name in formats)  # _common is a helper


# -- GitHub workflow commands -------------------------------------------------------------
def _commands(text: str):
    pattern = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
    commands = []
    for line in text.splitlines():
        match = pattern.match(line)
        assert match, f"not a workflow command: {line!r}"
        properties = dict(item.split("=", 1) for item in match.group(2).split(","))
        commands.append((match.group(1), properties, match.group(3)))
    return commands


def test_github_annotations_from_a_subfolder_use_repository_paths(repo):
    result = run_check(repo / "db", ["--format", "github", "migrations"])
    assert result.exit_code == 1
    (drop_level, drop, drop_message), (rename_level, rename, _), (note, parse, _), \
        (warning, blob, blob_message) = _commands(result.stdout)
    assert drop_level == "error"
    assert drop == {"file": "db/migrations/0001_drop.sql", "line": "1", "col": "31",
                    "endColumn": "42", "title": "ML103 [drop-column]"}
    # One message line: newlines escaped, the rewrite's SQL included.
    assert drop_message.startswith("Dropping column legacy_flag of users")
    assert "%0A%0ASafe rewrite: " in drop_message
    assert "ALTER TABLE users DROP COLUMN legacy_flag;" in drop_message
    # A span over several lines gives endLine and no columns.
    assert rename_level == "error" and "col" not in rename and "endColumn" not in rename
    assert int(rename["endLine"]) > int(rename["line"])
    # A note-level finding is a notice; a skipped binary file a warning.
    assert (note, parse["title"]) == ("notice", "ML001 [parse-error]")
    assert (warning, blob) == ("warning", {"file": "db/migrations/0004_blob.sql"})
    assert "binary" in blob_message


def test_github_escaping():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b: c%") == "a%2Cb%3A c%25"


def test_github_escapes_file_names(repo):
    make_repo(repo, {"db/odd/v1,2: 100%.sql": DROP})
    result = run_check(repo, ["--format", "github", "db/odd"])
    (_, properties, _), = _commands(result.stdout)
    assert properties["file"] == "db/odd/v1%2C2%3A 100%25.sql"


def test_github_clean_run_prints_nothing(repo):
    make_repo(repo, {"db/clean/0001.sql": "CREATE TABLE t (id int);\n"})
    result = run_check(repo, ["--format", "github", "db/clean"])
    assert (result.exit_code, result.stdout) == (0, "")


def test_github_annotates_no_file_skipped_by_convention(repo):
    # A PR that touches a down migration gets no annotation for it; the binary .sql
    # file, a problem in the file, still gets its warning.
    make_repo(repo, {"db/migrations/0005_drop.down.sql": DROP, "db/migrations/notes.txt": "x\n",
                     "db/go/000001_x.down.sql": DROP})
    result = run_check(repo, ["--format", "github", "db/migrations/0004_blob.sql",
                              "db/migrations/0005_drop.down.sql", "db/migrations/notes.txt",
                              "db/go/000001_x.down.sql"])
    (level, blob, _), = _commands(result.stdout)
    assert (level, blob) == ("warning", {"file": "db/migrations/0004_blob.sql"})
    assert result.stderr.count("migrationlint: warning: ") == 3
    for down in ("db/migrations/0005_drop.down.sql", "db/go/000001_x.down.sql"):
        assert f"{down}: skipped, golang-migrate down migration" in result.stderr


# -- GitLab Code Quality --------------------------------------------------------------------
def _gitlab(cwd, *paths):
    result = run_check(cwd, ["--format", "gitlab", *paths])
    assert not result.stdout.startswith("\ufeff")  # GitLab's parser rejects a BOM
    return json.loads(result.stdout), result


def test_gitlab_report_has_the_fields_gitlab_reads(repo):
    issues, result = _gitlab(repo, "db/migrations")
    assert result.exit_code == 1
    assert [i["check_name"] for i in issues] == [
        "ML103 drop-column", "ML101 rename-column", "ML001 parse-error", "migrationlint/file-error"]
    drop = issues[0]
    assert drop["severity"] == "major"
    assert drop["location"] == {"path": "db/migrations/0001_drop.sql",
                                "lines": {"begin": 1, "end": 1}}
    assert drop["description"].startswith("ML103 [drop-column] Dropping column legacy_flag")
    assert "ALTER TABLE users DROP COLUMN legacy_flag;" in drop["description"]
    assert issues[2]["severity"] == "info"  # the configured note
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert all(re.fullmatch(r"[0-9a-f]{64}", i["fingerprint"]) for i in issues)


def test_gitlab_fingerprints_are_unique_for_repeats_and_survive_moved_lines(repo):
    make_repo(repo, {"db/repeat/0001.sql": DROP + DROP})
    before, _ = _gitlab(repo, "db/repeat")
    assert len({i["fingerprint"] for i in before}) == 2
    make_repo(repo, {"db/repeat/0001.sql": "-- a comment moves the lines\n\n" + DROP + DROP})
    after, _ = _gitlab(repo, "db/repeat")
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert [i["location"]["lines"]["begin"] for i in after] == [3, 4]


def test_gitlab_clean_run_is_an_empty_array(repo):
    make_repo(repo, {"db/clean/0001.sql": "CREATE TABLE t (id int);\n"})
    issues, result = _gitlab(repo, "db/clean")
    assert (result.exit_code, issues) == (0, [])


def test_gitlab_has_no_issue_for_a_file_skipped_by_convention(repo):
    make_repo(repo, {"db/go/000001_x.down.sql": DROP, "db/go/env.py": "import os\n"})
    issues, result = _gitlab(repo, "db/go/000001_x.down.sql", "db/go/env.py",
                             "db/migrations/0004_blob.sql")
    assert result.exit_code == 0
    assert [(i["location"]["path"], i["severity"]) for i in issues] == [
        ("db/migrations/0004_blob.sql", "info")]
    assert result.stderr.count("skipped, ") == 2


# -- JUnit --------------------------------------------------------------------------------
def test_junit_one_suite_per_file_with_failures_errors_and_notes(repo):
    result = run_check(repo, ["--format", "junit", "db/migrations", "missing.sql"])
    assert result.exit_code == 2
    suites = ET.fromstring(result.stdout)
    assert suites.tag == "testsuites"
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("5", "2", "1")
    names = [s.get("name") for s in suites]
    assert names == sorted(names) and "db/migrations/0001_drop.sql" in names
    drop = suites[names.index("db/migrations/0001_drop.sql")]
    case, = drop
    assert case.get("name") == "ML103 [drop-column] at 1:31"
    failure = case.find("failure")
    assert failure.get("type") == "ML103"
    assert "ALTER TABLE users DROP COLUMN legacy_flag;" in failure.text
    garbage, = suites[names.index("db/migrations/0003_garbage.sql")]
    assert garbage.find("failure") is None and "parse" in garbage.find("system-out").text
    missing, = suites[names.index("missing.sql")]
    assert "no such file" in missing.find("error").get("message")


def test_junit_clean_run_is_one_passing_case(repo):
    make_repo(repo, {"db/clean/0001.sql": "CREATE TABLE t (id int);\n"})
    result = run_check(repo, ["--format", "junit", "db/clean"])
    assert result.exit_code == 0
    suites = ET.fromstring(result.stdout)
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("1", "0", "0")
    assert suites.find("testsuite/testcase").get("name") == "1 file checked"
