"""`--format sarif`: real CLI output validated against the official SARIF 2.1.0 schema and
against the copy GitHub's upload action uses, plus what code scanning relies on."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from ci_helpers import make_repo, run_check
from migrationlint.docs import rule_page, rule_url
from migrationlint.formatters import sarif
from migrationlint.rules import all_rules

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "sarif"
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
SCHEMAS = {
    "sarif-schema-2.1.0.json": "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e",
    "sarif-schema-2.1.0.github.json": "46d4203e43b978a433943881354db1e40e81437d4b46c00f05016110c6b14693",
}

HAZARDS = (
    "-- héllo wörld: code points, not bytes\n"
    "ALTER TABLE \"Bestellungen\" DROP COLUMN \"Größe\";\n"
    "CREATE INDEX orders_status_idx ON orders (status);\n"
)
GARBAGE = "ALTER TABLE users ADD COLUMN email text;\nSELECT 'never closed;\n"
CLEAN = "CREATE TABLE invoices (id bigint PRIMARY KEY);\nCREATE INDEX invoices_id_idx ON invoices (id);\n"
# The tests are about the format: the missing-lock-timeout note that every DROP/ALTER of an
# existing table also gets would only shift the pinned results, so those runs ignore it.
NO_LOCK_TIMEOUT_NOTE = ("--ignore", "ML214")


def _validators():
    validators = {}
    for name in SCHEMAS:
        schema = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        # The GitHub copy misplaces one anyOf and so fails check_schema; like the upload
        # action, validate documents against it without checking the schema itself.
        validators[name] = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validators


VALIDATORS = _validators()


def assert_valid_sarif(text: str) -> dict:
    document = json.loads(text)
    for name, validator in VALIDATORS.items():
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(document)]
        assert errors == [], f"invalid against {name}: {errors[:5]}"
    return document


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo", {
        "db/migrations/0001_hazards.sql": HAZARDS,
        "db/migrations/0002_garbage.sql": GARBAGE,
        "db/migrations/0003_clean.sql": CLEAN,
        "db/migrations/0004_blob.sql": b"\x00\x01\x02binary",
    })


def sarif_of(cwd: Path, *args: str) -> tuple:
    result = run_check(cwd, ["--format", "sarif", *args])
    assert result.exit_code in (0, 1), result.output
    return assert_valid_sarif(result.stdout), result


# -- the schemas the tests use are the published ones ----------------------------------
@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_fixtures_are_the_published_files(name):
    data = (FIXTURES / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMAS[name]
    shared = SHARED_REFERENCE / name
    if shared.is_file():  # checked out next to shared/: the copies must not drift
        assert shared.read_bytes() == data


def test_schemas_reject_what_github_rejects():
    """The validators are live: a level and a fix GitHub rejects fail both."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "level": "info"},
        {"message": {"text": "m"}, "fixes": [{"description": {"text": "d"}}]}]}]}
    for validator in VALIDATORS.values():
        paths = {tuple(e.absolute_path)[:5] for e in validator.iter_errors(bad)}
        assert ("runs", 0, "results", 0, "level") in paths
        assert any(p[:4] == ("runs", 0, "results", 1) for p in paths)


# -- real output -------------------------------------------------------------------------
def test_findings_parse_errors_and_unreadable_files_validate_against_both_schemas(repo):
    document, result = sarif_of(repo, "db/migrations", *NO_LOCK_TIMEOUT_NOTE)
    assert result.exit_code == 1
    run, = document["runs"]
    assert document["version"] == "2.1.0"
    assert [r["ruleId"] for r in run["results"]] == ["ML103", "ML201", "ML001"]
    assert run["columnKind"] == "unicodeCodePoints"


def test_clean_run_has_an_empty_results_array(repo):
    document, result = sarif_of(repo, "db/migrations/0003_clean.sql")
    assert result.exit_code == 0
    run, = document["runs"]
    assert run["results"] == []
    assert run["invocations"][0]["toolExecutionNotifications"] == []
    assert "automationDetails" not in run


def test_driver_lists_every_rule_with_its_page_and_metadata(repo):
    document, _ = sarif_of(repo, "db/migrations/0003_clean.sql")
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "migrationlint"
    assert driver["semanticVersion"] == driver["version"]
    assert driver["informationUri"].startswith("https://")
    rules = all_rules()
    assert [r["id"] for r in driver["rules"]] == list(rules)
    for descriptor in driver["rules"]:
        info = rules[descriptor["id"]]
        page = rule_page(info.name)
        assert page is not None, f"{info.name} has no page"
        assert descriptor["name"] == info.name
        assert descriptor["shortDescription"]["text"] == info.summary
        assert descriptor["fullDescription"]["text"] and len(descriptor["fullDescription"]["text"]) <= 1024
        assert descriptor["help"]["markdown"] == page
        assert "## Safe expand/contract recipe" in descriptor["help"]["markdown"]
        assert descriptor["help"]["text"]
        assert descriptor["helpUri"] == rule_url(info.name)
        assert descriptor["defaultConfiguration"]["level"] == info.severity.value
        tags = descriptor["properties"]["tags"]
        assert set(info.tags) <= set(tags) and len(tags) <= 20
        assert ("postgresql" in tags) == info.applies_to("postgres")
        assert ("mysql" in tags) == info.applies_to("mysql")


def test_full_description_is_the_what_it_flags_section(repo):
    document, _ = sarif_of(repo, "db/migrations/0003_clean.sql")
    drop = next(r for r in document["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ML103")
    assert drop["fullDescription"]["text"] == (
        "`ALTER TABLE ... DROP COLUMN` on a column that existed before this migration.")


def test_results_carry_rule_index_level_rewrite_and_code_point_region(repo):
    document, _ = sarif_of(repo, "db/migrations/0001_hazards.sql", *NO_LOCK_TIMEOUT_NOTE)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    drop, index = run["results"]
    for result in (drop, index):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error"
        assert "fixes" not in result and "partialFingerprints" not in result
    # The concrete rewrite, with the real quoted names, is in the message GitHub shows.
    assert drop["message"]["text"].startswith("Dropping column")
    assert 'ALTER TABLE "Bestellungen" DROP COLUMN "Größe";' in drop["message"]["text"]
    assert "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);" in index["message"]["text"]
    line = HAZARDS.splitlines()[1]
    start = line.index('"Größe"') + 1
    location = drop["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "db/migrations/0001_hazards.sql",
                                            "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 2, "startColumn": start,
                                  "endLine": 2, "endColumn": start + len('"Größe"')}


def test_parse_failures_and_unreadable_files_are_tool_notifications(repo):
    document, _ = sarif_of(repo, "db/migrations")
    run = document["runs"][0]
    invocation, = run["invocations"]
    assert invocation["executionSuccessful"] is True  # a skipped binary file is a warning
    notes = invocation["toolExecutionNotifications"]
    by_uri = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n for n in notes}
    assert set(by_uri) == {"db/migrations/0002_garbage.sql", "db/migrations/0004_blob.sql"}
    parse = by_uri["db/migrations/0002_garbage.sql"]
    assert parse["associatedRule"]["id"] == "ML001"
    assert parse["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert "binary" in by_uri["db/migrations/0004_blob.sql"]["message"]["text"]
    assert by_uri["db/migrations/0004_blob.sql"]["level"] == "warning"
    parse_result = next(r for r in run["results"] if r["ruleId"] == "ML001")
    assert parse_result["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def test_missing_input_makes_execution_unsuccessful(repo):
    result = run_check(repo, ["--format", "sarif", "db/migrations/0003_clean.sql", "nope.sql"])
    assert result.exit_code == 2
    invocation = assert_valid_sarif(result.stdout)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["level"] == "error"


# -- paths -------------------------------------------------------------------------------
def test_uris_are_relative_to_the_git_root_from_a_subfolder(repo):
    document, _ = sarif_of(repo / "db", "migrations/0001_hazards.sql")
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "db/migrations/0001_hazards.sql", "uriBaseId": "%SRCROOT%"}


def test_sarif_root_option_changes_the_base(repo):
    document, _ = sarif_of(repo, "db/migrations/0001_hazards.sql", "--sarif-root", "db")
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "migrations/0001_hazards.sql"


def test_files_outside_the_root_never_get_absolute_paths(repo, tmp_path):
    outside = tmp_path / "elsewhere" / "0009_drop.sql"
    outside.parent.mkdir()
    outside.write_text("ALTER TABLE users DROP COLUMN legacy;\n")
    document, result = sarif_of(repo, str(outside))
    text = result.stdout
    # "file:/" rather than "file:": rule pages in the driver say "in the file: ...".
    assert str(tmp_path) not in text and "file:/" not in text
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "../elsewhere/0009_drop.sql"
    assert "outside the SARIF root" in result.stderr


def test_warning_names_the_outside_file_as_the_sarif_file_does(repo, tmp_path):
    outside = tmp_path / "elsewhere" / "0009_drop.sql"
    outside.parent.mkdir()
    outside.write_text("ALTER TABLE users DROP COLUMN legacy;\n")
    # From a subfolder the file is ../../elsewhere/... to the user, ../elsewhere/... to the root.
    document, result = sarif_of(repo / "db", str(outside))
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "../elsewhere/0009_drop.sql"
    assert "(e.g. ../elsewhere/0009_drop.sql)" in result.stderr


def test_symlinked_folder_reports_the_real_file(repo):
    (repo / "current").symlink_to(repo / "db" / "migrations", target_is_directory=True)
    document, _ = sarif_of(repo, "current/0001_hazards.sql")
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "db/migrations/0001_hazards.sql"


def test_names_that_need_percent_encoding(repo):
    make_repo(repo, {"db/my migrations/0005 100%.sql": "ALTER TABLE t DROP COLUMN c;\n"})
    document, _ = sarif_of(repo, "db/my migrations")
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "db/my%20migrations/0005%20100%25.sql"


@pytest.mark.parametrize("name, artifact, warning", [
    (None, {"uri": "%3Cstdin%3E"}, "name it with --stdin-filename PATH"),
    ("migrations/0042.sql", {"uri": "db/migrations/0042.sql", "uriBaseId": "%SRCROOT%"}, None),
])
def test_standard_input(repo, name, artifact, warning):
    args = ["--format", "sarif", *NO_LOCK_TIMEOUT_NOTE, "-"] + (
        ["--stdin-filename", name] if name else [])
    result = run_check(repo / "db", args, stdin="ALTER TABLE users DROP COLUMN legacy;\n")
    assert result.exit_code == 1
    result_, = assert_valid_sarif(result.stdout)["runs"][0]["results"]
    assert result_["locations"][0]["physicalLocation"]["artifactLocation"] == artifact
    if warning is None:
        assert result.stderr == ""
    else:
        assert warning in result.stderr


# -- determinism, category, limits ----------------------------------------------------------
def test_output_is_byte_for_byte_deterministic(repo):
    first = run_check(repo, ["--format", "sarif", "db/migrations"]).stdout
    second = run_check(repo, ["--format", "sarif", "db/migrations/0004_blob.sql",
                              "db/migrations"]).stdout
    assert first == second
    assert "Time" not in first  # no startTimeUtc / endTimeUtc


def test_category_sets_automation_details(repo):
    document, _ = sarif_of(repo, "db/migrations/0003_clean.sql", "--sarif-category", "migrations/pg")
    assert document["runs"][0]["automationDetails"] == {"id": "migrations/pg/"}


def test_output_file(repo):
    result = run_check(repo, ["--format", "sarif", *NO_LOCK_TIMEOUT_NOTE, "-o", "out.sarif",
                              "db/migrations/0001_hazards.sql"])
    assert result.exit_code == 1 and result.stdout == ""
    assert len(assert_valid_sarif((repo / "out.sarif").read_text())["runs"][0]["results"]) == 2


def test_no_warning_within_github_limits(repo):
    _, result = sarif_of(repo, "db/migrations/0001_hazards.sql")
    assert result.stderr == ""


def test_warns_when_github_limits_would_be_exceeded(repo, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 1)
    monkeypatch.setattr(sarif, "MAX_GZIPPED_BYTES", 100)
    document, result = sarif_of(repo, "db/migrations/0001_hazards.sql", *NO_LOCK_TIMEOUT_NOTE)
    assert len(document["runs"][0]["results"]) == 2  # still written in full
    assert "2 SARIF results exceed GitHub code scanning's limit of 1" in result.stderr
    assert "gzipped, over GitHub code scanning's limit of 100" in result.stderr
