"""Configuration discovery and validation."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrationlint.cli import cli
from migrationlint.config import ConfigError, load_settings

HAZARD = "SET lock_timeout = '2s';\nALTER TABLE t DROP COLUMN c;\nALTER TABLE t ADD COLUMN d int NOT NULL;\n"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "app" / "db").mkdir(parents=True)
    (tmp_path / "app" / "db" / "001.sql").write_text(HAZARD)
    monkeypatch.chdir(tmp_path / "app")
    return tmp_path


def rules_found(*args):
    result = CliRunner().invoke(cli, ["check", "db", "--format", "json", *args])
    return result, sorted(f["rule"] for f in json.loads(result.output)["findings"]) if result.output.startswith("{") else None


def test_nearest_pyproject_with_table_wins_and_tables_without_it_are_skipped(tree):
    (tree / "pyproject.toml").write_text('[tool.migrationlint]\nignore = ["ML103"]\n')
    (tree / "app" / "pyproject.toml").write_text('[project]\nname = "app"\n')
    loaded = load_settings()
    assert loaded.path == str(tree / "pyproject.toml")
    assert rules_found()[1] == ["ML105"]


def test_migrationlint_toml_wins_in_the_same_folder(tree):
    (tree / "app" / "pyproject.toml").write_text('[tool.migrationlint]\nignore = ["ML103"]\n')
    (tree / "app" / "migrationlint.toml").write_text('ignore = ["ML105"]\n')
    assert rules_found()[1] == ["ML103"]


def test_unknown_key_names_key_and_file(tree):
    (tree / "app" / "pyproject.toml").write_text('[tool.migrationlint]\ndialekt = "mysql"\n')
    result, _ = rules_found()
    assert result.exit_code == 2
    assert "unknown key `dialekt` in [tool.migrationlint]" in result.output
    assert str(tree / "app" / "pyproject.toml") in result.output


def test_pyproject_table_in_a_standalone_file_says_to_drop_the_header(tree):
    (tree / "app" / "migrationlint.toml").write_text('[tool.migrationlint]\ndialect = "mysql"\n')
    result, _ = rules_found()
    assert result.exit_code == 2
    assert "unknown key `tool` in top level (a standalone config file takes the keys at " \
        "the top level: remove the `[tool.migrationlint]` header" in result.output


@pytest.mark.parametrize("body,expected", [
    ('dialect = "oracle"', "`dialect`: Input should be 'postgres', 'mysql' or 'mariadb'"),
    ("select = 5", "`select`: Input should be a valid list"),
    ('target_version = "v16"', "`target_version`: invalid version 'v16'"),
    ('severity = { ML101 = "loud" }', "`severity.ML101`: Input should be"),
    ("dialect = ", "invalid TOML in"),
    ('extend_sql_suffixes = ["ddl"]', "`extend_sql_suffixes`: 'ddl' is not a file suffix: "
     'write it as a dot and a name without dots or slashes, such as ".ddl"'),
    ('extend_sql_suffixes = [".up.ddl"]', "`extend_sql_suffixes`: '.up.ddl' is not a file suffix"),
    ('extend_sql_suffixes = [".JSON"]', "`extend_sql_suffixes`: '.JSON' files are read by their "
     "content (Alembic, Django, Liquibase), not as SQL"),
    ("extend_sql_suffixes = [1]", "`extend_sql_suffixes.0`: Input should be a valid string"),
])
def test_invalid_values_are_clear_errors(tree, body, expected):
    (tree / "app" / "migrationlint.toml").write_text(body + "\n")
    result, _ = rules_found()
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_unknown_rule_in_config_is_an_error(tree):
    (tree / "app" / "migrationlint.toml").write_text('ignore = ["no-such-rule"]\n')
    result, _ = rules_found()
    assert result.exit_code == 2 and "unknown rule `no-such-rule`" in result.output
    assert str(tree / "app" / "migrationlint.toml") in result.output


def test_explicit_config_file(tree):
    (tree / "custom.toml").write_text('select = ["ML105"]\n')
    assert rules_found("--config", str(tree / "custom.toml"))[1] == ["ML105"]
    missing = CliRunner().invoke(cli, ["check", "db", "--config", "nope.toml"])
    assert missing.exit_code == 2 and "config file nope.toml does not exist" in missing.output


def test_cli_overrides_config(tree):
    (tree / "app" / "migrationlint.toml").write_text('ignore = ["ML105"]\ndialect = "mysql"\n')
    # ML1 only: the MySQL online-DDL rules are not what this test is about.
    assert rules_found("--select", "ML1", "--ignore", "ML103")[1] == []
    result, found = rules_found("--select", "ML105")
    assert found == []  # config ignore still applies on top of a CLI select


def test_exclude_globs_relative_to_config_folder(tree):
    (tree / "app" / "db" / "legacy").mkdir()
    (tree / "app" / "db" / "legacy" / "000.sql").write_text(HAZARD)
    (tree / "app" / "db" / "002.down.sql").write_text(HAZARD)
    (tree / "app" / "migrationlint.toml").write_text('exclude = ["db/legacy", "*.down.sql"]\n')
    result = CliRunner().invoke(cli, ["check", "db", "--format", "json"])
    assert json.loads(result.output)["files"] == 1


def test_per_folder_override_sets_dialect(tree):
    (tree / "app" / "mysql").mkdir()
    (tree / "app" / "mysql" / "001.sql").write_text("ALTER TABLE `t` ADD COLUMN `d` int NOT NULL;\n")
    (tree / "app" / "migrationlint.toml").write_text(
        '[[overrides]]\npaths = ["mysql"]\ndialect = "mysql"\ntarget_version = "5.7"\n'
    )
    result = CliRunner().invoke(cli, ["check", ".", "--format", "json"])
    messages = {f["path"]: f["message"] for f in json.loads(result.output)["findings"] if f["rule"] == "ML105"}
    assert "implicit zero value" in messages["mysql/001.sql"]
    assert "existing rows would be NULL" in messages["db/001.sql"]


def test_severity_override_and_off(tree):
    (tree / "app" / "migrationlint.toml").write_text('[severity]\ndrop-column = "warning"\nML105 = "off"\n')
    result = CliRunner().invoke(cli, ["check", "db", "--format", "json"])
    findings = json.loads(result.output)["findings"]
    assert [(f["rule"], f["severity"]) for f in findings] == [("ML103", "warning")]


def test_load_settings_rejects_pyproject_without_table_when_explicit(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match="has no \\[tool.migrationlint\\] table"):
        load_settings(str(path))


def test_unknown_rule_in_severity_names_the_file(tree):
    (tree / "app" / "migrationlint.toml").write_text('[severity]\ndrop-colum = "note"\n')
    result, _ = rules_found()
    assert result.exit_code == 2
    assert f"unknown rule `drop-colum` (see `migrationlint rules`), in {tree / 'app' / 'migrationlint.toml'}" in result.output


def test_explicit_config_that_is_not_a_file(tree):
    # click itself rejects a folder; a device such as /dev/null reaches our check.
    result = CliRunner().invoke(cli, ["check", "db", "--config", "/dev/null"])
    assert result.exit_code == 2 and "config file /dev/null is not a regular file" in result.output


def test_extend_sql_suffixes_adds_plain_sql_files_found_or_named(tree):
    (tree / "app" / "db" / "002.DDL").write_text("ALTER TABLE u DROP COLUMN c;\n")
    (tree / "app" / "db" / "notes.txt").write_text("ALTER TABLE v DROP COLUMN c;\n")
    assert rules_found("--ignore", "ML105")[1] == ["ML103"]  # 001.sql alone
    (tree / "app" / "migrationlint.toml").write_text('extend_sql_suffixes = [".ddl"]\n')
    assert rules_found("--ignore", "ML105")[1] == ["ML103", "ML103", "ML214"]
    named = CliRunner().invoke(cli, ["check", "--format", "json", "db/002.DDL", "db/notes.txt"])
    assert [f["path"] for f in json.loads(named.stdout)["findings"]] == ["db/002.DDL"] * 2
    assert named.stderr == ("migrationlint: warning: db/notes.txt: skipped, not a migration "
                            "(migrations are .sql, .pgsql, .psql, .ddl, .py, .xml, .yaml, "
                            ".yml, .json files)\n")
