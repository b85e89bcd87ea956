"""Project hygiene that users rely on: the README's commands and rule table, CI script."""

import re
from pathlib import Path

from migrationlint.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"
)


def test_readme_lists_every_rule_with_its_page():
    table = re.findall(r"^\| (ML\d{3}) \| \[([a-z0-9-]+)\]\(rules/([a-z0-9-]+)\.md\)", README, re.M)
    assert {code: name for code, name, _ in table} == {
        code: info.name for code, info in all_rules().items()
    }
    assert all(name == page for _, name, page in table)


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one():
    assert ".venv/bin/migrationlint check examples/" in README
    assert TEST_COMMAND in README
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text()


def test_ci_script_turns_no_tests_into_failure():
    script = (ROOT / ".ci" / "run").read_text()
    assert '"$status" -eq 5' in script and "exit 1" in script


def test_readme_sample_output_is_what_the_bundled_examples_print(monkeypatch):
    from click.testing import CliRunner

    from migrationlint.cli import cli

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["check", "examples/", "--color", "never", "--no-cache"])
    assert result.exit_code == 1  # the examples are hazardous on purpose
    sample = re.search(r"Output looks like this:\n\n```text\n(.*?)\n```", README, re.S).group(1)
    # One finding as printed, then the closing line.
    finding, summary = sample.rsplit("\n\n", 1)
    assert f"{finding}\n\n" in result.output, "README's sample finding is not what check prints"
    assert result.output.strip().splitlines()[-1] == summary


def test_readme_documents_every_check_option():
    from click.testing import CliRunner

    from migrationlint.cli import cli

    help_text = CliRunner().invoke(cli, ["check", "--help"]).output
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}
    missing = sorted(o for o in options if f"`{o}" not in README)
    assert missing == []
