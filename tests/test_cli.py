"""The command line, end to end through click's CliRunner."""

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrationlint import __version__
from migrationlint.cli import cli
from migrationlint.rules import all_rules

FIXTURES = Path(__file__).parent / "fixtures" / "cli"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the CLI fixtures in a folder without any config above it."""
    shutil.copytree(FIXTURES, tmp_path / "migrations")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def as_json(result):
    return json.loads(result.output)


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_folder_findings_positions_and_exit_code(project):
    result = run("check", "migrations", "--format", "json")
    assert result.exit_code == 1
    report = as_json(result)
    assert report["version"] == __version__ and report["files"] == 5 and report["errors"] == []
    got = [(f["path"], f["rule"], f["line"], f["column"]) for f in report["findings"]]
    assert got == [
        ("migrations/002_hazards.sql", "ML101", 4, 19),
        ("migrations/002_hazards.sql", "ML103", 6, 34),
        ("migrations/002_hazards.sql", "ML201", 8, 41),
        ("migrations/003_garbage.sql", "ML001", 1, 62),
        ("migrations/003_garbage.sql", "ML001", 2, 22),
        # The first ACCESS EXCLUSIVE statement of a file without SET lock_timeout.
        ("migrations/003_garbage.sql", "ML214", 3, 1),
        ("migrations/003_garbage.sql", "ML105", 3, 33),
        ("migrations/004_crlf.sql", "ML214", 1, 1),
        ("migrations/004_crlf.sql", "ML103", 2, 34),
        ("migrations/005_bom.sql", "ML201", 1, 35),
    ]
    rename = report["findings"][0]
    assert set(rename) == {"rule", "name", "severity", "path", "line", "column", "end_line",
                           "end_column", "message", "rewrite", "fix"}
    assert rename["rewrite"]["steps"][0]["phase"] == "expand"
    assert "primary_email" in json.dumps(rename["rewrite"])


def test_clean_file_exits_zero(project):
    result = run("check", "migrations/001_create_accounts.sql")
    assert result.exit_code == 0
    assert "All checks passed (1 file checked)." in result.output


def test_text_output_has_location_excerpt_caret_and_rewrite(project):
    result = run("check", "migrations/002_hazards.sql", "--select", "ML103")
    lines = result.output.splitlines()
    assert lines[0].startswith("migrations/002_hazards.sql:6:34: ML103 [drop-column] Dropping column user_agent")
    assert lines[2] == "6 | ALTER TABLE sessions DROP COLUMN user_agent;"
    assert lines[3] == "  |                                  ^^^^^^^^^^"
    assert "= rewrite:" in lines[4]
    assert lines[-1] == "Found 1 problem (1 error) in 1 file."
    assert "\x1b[" not in result.output  # not a terminal: no colour


def test_color_always_and_no_color_env(project, monkeypatch):
    assert "\x1b[" in run("check", "migrations/002_hazards.sql", "--color", "always").output
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run("check", "migrations/002_hazards.sql").output
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("check", "migrations/002_hazards.sql").output


def test_select_ignore_by_code_name_and_prefix(project):
    def rules_of(*args):
        return sorted({f["rule"] for f in as_json(run("check", "migrations", "--format", "json", *args))["findings"]})

    assert rules_of("--select", "drop-column") == ["ML103"]
    assert rules_of("--select", "ML1") == ["ML101", "ML103", "ML105"]
    assert rules_of("--ignore", "ML1,parse-error") == ["ML201", "ML214"]


def test_unknown_rule_in_select_is_a_usage_error(project):
    result = run("check", "migrations", "--select", "ML999")
    assert result.exit_code == 2
    assert "unknown rule `ML999`" in result.output


def test_exit_zero_and_notes_do_not_fail(project):
    assert run("check", "migrations", "--exit-zero").exit_code == 0
    Path("pyproject.toml").write_text('[tool.migrationlint]\nseverity = { "ML1" = "note", "ML2" = "note", "ML0" = "note" }\n')
    result = run("check", "migrations", "--format", "json")
    assert result.exit_code == 0
    assert {f["severity"] for f in as_json(result)["findings"]} == {"note"}
    streamed = run("check", "migrations")  # the text report, written as files finish
    assert streamed.exit_code == 0
    assert f"({len(as_json(result)['findings'])} notes)" in streamed.output


def test_output_file(project):
    result = run("check", "migrations", "--format", "json", "--output", "report.json")
    assert result.exit_code == 1 and result.output == ""
    assert len(json.loads(Path("report.json").read_text())["findings"]) == 10


def test_stdin_with_filename(project):
    result = run("check", "-", "--stdin-filename", "db/0042.sql", "--format", "json",
                 input="ALTER TABLE t DROP COLUMN c;\n")
    report = as_json(result)
    assert result.exit_code == 1 and report["files"] == 1
    assert report["findings"][0]["path"] == "db/0042.sql"


def test_missing_path_is_reported_and_others_still_linted(project):
    result = run("check", "nope.sql", "migrations/002_hazards.sql", "--format", "json")
    report = as_json(result)
    assert result.exit_code == 2
    assert report["errors"][0]["message"] == "nope.sql: no such file or folder"
    assert len(report["findings"]) == 3


def test_binary_file_is_skipped_with_a_message(project):
    Path("migrations/006_blob.sql").write_bytes(b"\x00\x01\x02binary")
    result = run("check", "migrations", "--format", "json")
    report = as_json(result)
    assert result.exit_code == 1
    assert report["errors"] == [{"path": "migrations/006_blob.sql", "level": "warning",
                                 "message": "migrations/006_blob.sql: skipped, looks like a binary file (contains NUL bytes)"}]


def test_folder_search_is_recursive_and_only_takes_sql(project):
    Path("migrations/sub/deeper").mkdir(parents=True)
    Path("migrations/sub/deeper/007.sql").write_text("ALTER TABLE t DROP COLUMN c;\n")
    Path("migrations/sub/notes.txt").write_text("ALTER TABLE t DROP COLUMN c;\n")
    report = as_json(run("check", "migrations", "--format", "json"))
    assert report["files"] == 6
    assert "migrations/sub/deeper/007.sql" in {f["path"] for f in report["findings"]}


def test_dialect_and_target_version_options(project):
    Path("m.sql").write_text("ALTER TABLE t ADD COLUMN c int NOT NULL;\n")
    mysql = as_json(run("check", "m.sql", "--dialect", "mysql", "--format", "json", "--select", "ML105"))
    assert "implicit zero value" in mysql["findings"][0]["message"]
    bad = run("check", "m.sql", "--target-version", "sixteen")
    assert bad.exit_code == 2 and "invalid version 'sixteen'" in bad.output


def test_unknown_format_is_a_usage_error(project):
    result = run("check", "migrations", "--format", "yaml")
    assert result.exit_code == 2 and "unknown format `yaml`" in result.output


def test_rules_lists_every_rule():
    result = run("rules")
    assert result.exit_code == 0
    for info in all_rules().values():
        assert any(line.startswith(f"{info.code}  {info.name} ") for line in result.output.splitlines())
    assert "ML201" not in run("rules", "--dialect", "mysql").output


def test_explain_by_code_and_name():
    by_code = run("explain", "ML201")
    assert by_code.exit_code == 0
    assert by_code.output.startswith("# ML201 create-index-without-concurrently")
    assert run("explain", "create-index-without-concurrently").output == by_code.output
    unknown = run("explain", "ML999")
    assert unknown.exit_code == 2 and "unknown rule" in unknown.output


def test_internal_error_has_no_traceback(project, monkeypatch, capsys):
    from migrationlint import cli as cli_module
    from migrationlint import parallel

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(parallel, "run_tasks", explode)
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main(["check", "migrations"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


def test_internal_error_in_one_file_does_not_hide_others(project, monkeypatch):
    from migrationlint import engine

    real = engine.read_migration

    def flaky(source, dialect, version, *args, **kwargs):
        if source.path.endswith("004_crlf.sql"):
            raise ValueError("reader bug")
        return real(source, dialect, version, *args, **kwargs)

    monkeypatch.setattr(engine, "read_migration", flaky)
    result = run("check", "migrations", "--format", "json")
    report = as_json(result)
    assert result.exit_code == 2
    assert "internal error: ValueError: reader bug" in report["errors"][0]["message"]
    assert len(report["findings"]) == 8  # all but the two of 004_crlf.sql


def test_target_version_must_fit_the_dialect(project):
    result = run("check", "migrations", "--dialect", "mysql", "--target-version", "16")
    assert result.exit_code == 2
    assert "target version 16 is not a MySQL version" in result.output
    assert run("check", "migrations", "--dialect", "mariadb", "--target-version", "10.6",
               "--exit-zero").exit_code == 0


def test_summary_does_not_claim_success_when_an_input_failed(project):
    result = run("check", "nope.sql", "migrations/001_create_accounts.sql")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "No problems found in 1 file, but 1 input could not be linted."
    )


def test_unwritable_output_is_a_usage_error(project):
    result = run("check", "migrations", "--output", "no/such/folder/report.json")
    assert result.exit_code == 2
    assert "cannot write no/such/folder/report.json" in result.output
    assert "Traceback" not in result.output


def test_summary_counts_files_with_problems(project):
    result = run("check", "migrations")
    assert result.output.strip().splitlines()[-1].endswith(" in 4 of 5 files.")


def test_multi_line_span_underlines_text_not_indentation(project):
    Path("multi.sql").write_text("ALTER TABLE t\n\tDROP COLUMN c;\n")
    result = run("check", "multi.sql", "--select", "ML214")
    lines = result.output.splitlines()
    assert lines[2:6] == [
        "1 | ALTER TABLE t",
        "  | ^^^^^^^^^^^^^",
        "2 | \tDROP COLUMN c;",
        "  | \t^^^^^^^^^^^^^",  # the statement, without its semicolon
    ]


def test_the_report_file_is_never_linted_and_a_failed_run_keeps_the_last_one(project, monkeypatch):
    from migrationlint import parallel

    expected = run("check", "migrations")
    report = Path("migrations/999_report.sql")  # written into the folder being linted
    result = run("check", "migrations", "--output", str(report))
    assert report.read_text() == expected.output and result.exit_code == expected.exit_code

    def explode(*args, **kwargs):
        raise RuntimeError("boom")
        yield  # a generator, as run_tasks is

    monkeypatch.setattr(parallel, "run_tasks", explode)
    assert run("check", "migrations", "-o", str(report)).exit_code != 0
    assert report.read_text() == expected.output
    assert sorted(p.name for p in Path("migrations").iterdir() if ".tmp" in p.name) == []


def test_standard_input_named_as_a_linted_file_counts_once_in_the_summary(project):
    name = "migrations/002_hazards.sql"
    sql = Path(name).read_text()
    streamed = run("check", "-", name, "--stdin-filename", name, input=sql)
    # The findings of both inputs carry the same name: one file with problems.
    assert streamed.output.splitlines()[-1].endswith(" in 1 of 2 files.")


def test_the_report_can_go_to_a_device_or_through_a_link(project):
    result = run("check", "migrations", "--output", os.devnull)
    assert result.exit_code == 1 and "cannot write" not in result.output
    Path("reports").mkdir()
    Path("latest.txt").symlink_to("reports/report.txt")
    run("check", "migrations", "--output", "latest.txt")
    assert Path("latest.txt").is_symlink()
    assert Path("reports/report.txt").read_text().endswith("in 4 of 5 files.\n")
