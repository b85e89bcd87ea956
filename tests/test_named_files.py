"""Files named on the command line (as pre-commit and CI name them) that are not linted:
down/undo scripts, unknown suffixes, binary and oversized files; the summary counts only
the files actually linted, and a run that finds nothing says so. Files skipped by
convention are said on standard error, never in a report."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from migrationlint.cli import cli
from migrationlint.source import MAX_FILE_BYTES

DROP = "ALTER TABLE t DROP COLUMN c;\n"


def check(*args, env=None, stdin=None):
    result = CliRunner().invoke(cli, ["check", "--no-cache", *args], env=env, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write(root, relative, text=DROP):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return relative


@pytest.mark.parametrize("relative, reason", [
    ("migrations/000002_add_c.down.sql", "golang-migrate down migration"),
    ("migrations/2026-12-01-000000_add_c/down.sql", "Diesel down migration"),
    ("sql/U2__undo.sql", "Flyway undo migration"),
])
def test_a_down_script_named_explicitly_is_skipped_not_linted(tmp_path, monkeypatch, relative, reason):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, relative)
    result = check("--format", "json", relative)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["findings"] == [] and report["files"] == 0
    # Not a problem in the file: no report lists it, one line on standard error says it.
    assert report["errors"] == []
    assert result.stderr == f"migrationlint: warning: {relative}: skipped, {reason}\n"


@pytest.mark.parametrize("relative, reason", [
    ("db/0001_x.down.pgsql", "golang-migrate down migration"),
    ("db/0002_y.DOWN.psql", "golang-migrate down migration"),
    ("db/0003_z.down.ddl", "golang-migrate down migration"),  # a configured suffix
    ("db/2026-12-01-000000_add_c/down.psql", "Diesel down migration"),
    ("db/U2__undo.ddl", "Flyway undo migration"),
])
def test_a_down_script_of_any_sql_suffix_is_skipped_found_or_named(tmp_path, monkeypatch,
                                                                    relative, reason):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "migrationlint.toml").write_text('extend_sql_suffixes = [".ddl"]\n')
    write(tmp_path, relative, "DROP TABLE y;\n")
    found = check("--format", "json", "db")
    assert (found.exit_code, json.loads(found.stdout)["files"]) == (0, 0)
    named = check("--format", "json", relative)
    assert (named.exit_code, json.loads(named.stdout)["files"]) == (0, 0)
    assert named.stderr == f"migrationlint: warning: {relative}: skipped, {reason}\n"


def test_an_up_script_of_a_configured_suffix_is_read_under_its_convention(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "migrationlint.toml").write_text('extend_sql_suffixes = [".ddl"]\n')
    relative = write(tmp_path, "db/0001_x.up.ddl",
                     "CREATE INDEX CONCURRENTLY i ON t (c);\nCREATE TABLE u (id int);\n")
    [finding] = json.loads(check("--format", "json", relative).stdout)["findings"]
    assert finding["rule"] == "ML301"
    assert "that golang-migrate sends in one message" in finding["message"]


@pytest.mark.parametrize("name", ["README.md", "deploy.sh", "notes.txt", "schema"])
def test_a_file_of_unknown_type_named_explicitly_is_not_parsed_as_sql(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, name, "# Migrations\nRun them with make migrate.\n" + DROP)
    result = check(name)
    assert result.exit_code == 0, result.output
    assert "ML001" not in result.output and "ML103" not in result.output
    assert result.stderr.startswith(f"migrationlint: warning: {name}: skipped, not a migration "
                                    "(migrations are .sql, .pgsql, .psql, .py")
    assert result.stdout == "No migration files checked.\n"


def test_standard_input_is_still_read_as_sql():
    result = check("--format", "json", "-", stdin=DROP)
    assert result.exit_code == 1
    assert "ML103" in [f["rule"] for f in json.loads(result.stdout)["findings"]]


def test_skipped_files_are_not_counted_as_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bin.sql").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with open(tmp_path / "huge.sql", "wb") as handle:  # sparse: no 10 MB written
        handle.truncate(MAX_FILE_BYTES + 1)
    write(tmp_path, "env.py", "import os\n")
    result = check("bin.sql", "huge.sql", "env.py")
    assert result.exit_code == 0
    # A binary or oversized .sql file is a problem in the report; env.py is no migration.
    assert result.stdout.count("skipped, ") == 2 and "env.py" not in result.stdout
    assert result.stderr.count("skipped, ") == 1
    assert result.stdout.rstrip().endswith("No migration files checked.")

    write(tmp_path, "0001_ok.sql", "SET lock_timeout = '2s';\nCREATE TABLE t (id int);\n")
    result = check("bin.sql", "huge.sql", "env.py", "0001_ok.sql")
    assert result.stdout.rstrip().endswith("All checks passed (1 file checked).")
    assert json.loads(check("--format", "json", "bin.sql", "0001_ok.sql").stdout)["files"] == 1


@pytest.mark.parametrize("layout", [{}, {"db/migrate/20260101000000_add_c.rb": "class AddC; end\n"}])
def test_a_folder_without_migrations_warns_and_passes(tmp_path, monkeypatch, layout):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "db").mkdir()
    for relative, text in layout.items():
        write(tmp_path, relative, text)
    result = check("db")
    assert result.exit_code == 0
    assert result.stderr == "migrationlint: warning: no migration files found in db\n"
    assert result.stdout == "No migration files checked.\n"
    for form in ("json", "sarif", "junit", "github", "gitlab"):
        machine = check("--format", form, "db")
        assert machine.exit_code == 0 and "no migration files found" in machine.stderr
        if form in ("json", "sarif", "gitlab"):
            json.loads(machine.stdout)  # still a valid document


def test_a_skipped_named_file_does_not_hide_a_folder_without_migrations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    down = write(tmp_path, "db/0001_x.down.sql")
    (tmp_path / "emptydir").mkdir()
    result = check(down, "emptydir")
    assert (result.exit_code, result.stdout) == (0, "No migration files checked.\n")
    assert result.stderr.splitlines() == [
        f"migrationlint: warning: {down}: skipped, golang-migrate down migration",
        "migrationlint: warning: no migration files found in emptydir"]
    # The skip line alone explains a run of only skipped files; pre-commit stays quiet.
    assert check(down).stderr.count("warning:") == 1
    assert check(down, "emptydir", env={"PRE_COMMIT": "1"}).output == "No migration files checked.\n"


def test_under_pre_commit_named_non_migrations_are_skipped_silently(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = [write(tmp_path, "migrations/env.py", "import os\n"),
             write(tmp_path, "migrations/000002_add_c.down.sql"),
             write(tmp_path, "migrations/README.md", "# notes\n")]
    result = check(*names, env={"PRE_COMMIT": "1"})
    assert result.exit_code == 0
    assert result.output == "No migration files checked.\n"
    # Outside pre-commit the same run says why each file was left out.
    assert check(*names).output.count("skipped, ") == 3


MACHINE_FORMATS = ["json", "sarif", "github", "gitlab", "junit"]


@pytest.mark.parametrize("form", ["text", "concise", *MACHINE_FORMATS])
def test_files_skipped_by_convention_stay_out_of_every_report(tmp_path, monkeypatch, form):
    monkeypatch.chdir(tmp_path)
    linted = write(tmp_path, "migrations/000001_add_c.up.sql")
    down = write(tmp_path, "migrations/000001_add_c.down.sql")
    notes = write(tmp_path, "migrations/README.md", "# notes\n")
    alone = check("--format", form, linted)
    result = check("--format", form, linted, down, notes)
    assert (result.exit_code, result.stdout) == (alone.exit_code, alone.stdout)
    assert result.stderr.splitlines() == [
        f"migrationlint: warning: {down}: skipped, golang-migrate down migration",
        f"migrationlint: warning: {notes}: skipped, not a migration (migrations are "
        ".sql, .pgsql, .psql, .py, .xml, .yaml, .yml, .json files)"]
    assert result.exit_code == 1  # the up script's DROP COLUMN


def test_a_report_file_holds_no_skips_and_standard_error_still_says_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    down = write(tmp_path, "migrations/000001_add_c.down.sql")
    result = check("--format", "json", "-o", "report.json", down, "env.py")
    assert result.exit_code == 2  # env.py does not exist: a real input error, reported
    assert result.stdout == ""
    assert result.stderr == (f"migrationlint: warning: {down}: skipped, golang-migrate down "
                             "migration\n")
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["errors"] == [
        {"path": "env.py", "message": "env.py: no such file or folder", "level": "error"}]


def test_standard_input_named_as_no_migration_is_said_on_standard_error():
    result = check("--format", "json", "--stdin-filename", "env.py", "-", stdin="import os\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["errors"] == []
    assert result.stderr == ("migrationlint: warning: env.py: skipped, not a migration of a "
                             "known framework (Alembic, Django, Liquibase)\n")


def test_fix_says_each_skip_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    down = write(tmp_path, "migrations/000001_add_c.down.sql")
    up = write(tmp_path, "migrations/000001_add_c.up.sql", "CREATE INDEX i ON t (c);\n")
    result = check("--fix", up, down)
    assert "Fixed 1 file." in result.stderr  # so the files were linted twice
    assert result.stderr.count("skipped, ") == 1


@pytest.mark.parametrize("name", ["0001_drop.pgsql", "0001_drop.psql", "0001_DROP.PGSQL"])
def test_pgsql_and_psql_files_are_sql_named_or_found(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    relative = write(tmp_path, f"db/{name}")
    for args in ([relative], ["db"]):
        result = check("--format", "json", *args)
        report = json.loads(result.stdout)
        assert (report["files"], report["errors"], result.stderr) == (1, [], "")
        assert [(f["path"], f["rule"]) for f in report["findings"]] == [
            (relative, "ML214"), (relative, "ML103")]


def test_a_pgsql_file_is_read_in_the_configured_dialect(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = write(tmp_path, "db/0001_drop.pgsql", "ALTER TABLE `t` DROP COLUMN c;\n")
    rules = [f["rule"] for f in json.loads(check("--format", "json", relative).stdout)["findings"]]
    assert rules == ["ML001"]  # backticks are not PostgreSQL
    (tmp_path / "pyproject.toml").write_text('[tool.migrationlint]\ndialect = "mysql"\n')
    report = json.loads(check("--format", "json", relative).stdout)
    assert [f["rule"] for f in report["findings"]] == ["ML411", "ML103"]
