"""Command-line conventions ruff and click users expect: option spelling, usage errors,
colour and help."""

import io

from click.testing import CliRunner

import helpers
from migrationlint.cli import _use_color, cli

HAZARD = "CREATE INDEX idx ON orders (created_at);\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_format_is_case_insensitive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--format", "SARIF", "-"], input=HAZARD)
    assert result.exit_code == 1 and '"version": "2.1.0"' in result.output


def test_stdin_filename_without_standard_input_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.sql").write_text(HAZARD)
    result = helpers.separate_streams_runner().invoke(
        cli, ["check", "--stdin-filename", "db/a.sql", "a.sql"])
    assert result.exit_code == 2 and "add `-` to the paths" in result.stderr


def test_diff_wins_over_fix_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.sql").write_text(HAZARD)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--fix", "--diff", "a.sql"])
    assert result.exit_code == 1 and "+CREATE INDEX CONCURRENTLY" in result.output
    assert (tmp_path / "a.sql").read_text() == HAZARD


def test_no_command_prints_the_help_on_stderr_with_the_usage_error_status():
    result = helpers.separate_streams_runner().invoke(cli, [])
    assert result.exit_code == 2 and result.stdout == ""
    assert "Commands:" in result.stderr and "Error" not in result.stderr


def test_color_option_is_described_in_help():
    result = CliRunner().invoke(cli, ["check", "--help"])
    color_help = result.output[result.output.index("--color"):result.output.index("--stdin-filename")]
    assert "NO_COLOR" in color_help and "TERM" in color_help


def test_dumb_terminal_gets_no_colour_unless_forced(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    assert not _use_color("auto", _Terminal())
    assert _use_color("always", _Terminal())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert _use_color("auto", _Terminal())
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    assert _use_color("auto", _Terminal())
