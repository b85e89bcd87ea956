"""`check --fix` / `--diff`: each fix is exactly the documented mechanical edit, and the
fixed file parses and lints clean of the fixed rule (and of the transaction rules)."""

from __future__ import annotations

import dataclasses
import subprocess

import pytest
from click.testing import CliRunner

import helpers
from helpers import lint
from migrationlint.autofix import apply_fixes
from migrationlint.cli import cli
from migrationlint.engine import lint_source
from migrationlint.source import SourceFile

FIXABLE = [
    ("ML201", "CREATE INDEX idx ON orders (created_at);",
     "CREATE INDEX CONCURRENTLY idx ON orders (created_at);"),
    ("ML201", "SET lock_timeout = '2s';\nCREATE UNIQUE INDEX IF NOT EXISTS k ON s.t USING btree (a);",
     "SET lock_timeout = '2s';\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS k ON s.t USING btree (a);"),
    ("ML202", "DROP INDEX IF EXISTS idx;", "DROP INDEX CONCURRENTLY IF EXISTS idx;"),
    ("ML203", "REINDEX (VERBOSE) TABLE s.t;", "REINDEX (VERBOSE) TABLE CONCURRENTLY s.t;"),
    ("ML212", "ALTER TABLE m DETACH PARTITION s.m_2023;",
     "ALTER TABLE m DETACH PARTITION s.m_2023 CONCURRENTLY;"),
    ("ML204", "ALTER TABLE o ADD CONSTRAINT o_c_fkey FOREIGN KEY (c) REFERENCES c (id);\n",
     "ALTER TABLE o ADD CONSTRAINT o_c_fkey FOREIGN KEY (c) REFERENCES c (id) NOT VALID;\n"
     "ALTER TABLE o VALIDATE CONSTRAINT o_c_fkey;\n"),
    ("ML205", "ALTER TABLE o ADD CONSTRAINT pos CHECK (n > 0)",
     "ALTER TABLE o ADD CONSTRAINT pos CHECK (n > 0) NOT VALID;\nALTER TABLE o VALIDATE CONSTRAINT pos;"),
]


@pytest.mark.parametrize("code,before,after", FIXABLE, ids=[f[0] for f in FIXABLE])
def test_fix_is_exact_and_lints_clean(code, before, after):
    fixes = [f.fix for f in lint(before) if f.rule == code and f.fix is not None]
    assert len(fixes) == 1
    fixed = apply_fixes(before, fixes)
    assert fixed == after
    remaining = {f.rule for f in lint(fixed)}
    assert not remaining & {code, "ML001", "ML301", "ML303"}, remaining


@pytest.mark.parametrize("sql", [
    "BEGIN;\nCREATE INDEX i ON t (a);\nCOMMIT;",         # would fail inside a transaction
    "CREATE INDEX i ON t (a);\nALTER TABLE t ADD COLUMN b int;",  # implicit transaction
    "DROP INDEX i CASCADE;",                             # CONCURRENTLY does not allow CASCADE
    "DROP INDEX a, b;",                                  # CONCURRENTLY drops one index
])
def test_no_concurrently_fix_where_it_would_not_run(sql):
    assert [f.rule for f in lint(sql) if f.fix is not None] == []


def test_cli_diff_and_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "001.sql").write_bytes(b"CREATE INDEX idx ON orders (created_at);\r\n")
    (tmp_path / "002.sql").write_text("ALTER TABLE users RENAME COLUMN a TO b;\n")
    runner = CliRunner()
    diff = runner.invoke(cli, ["check", "--diff", "."])
    assert diff.exit_code == 1
    assert "+CREATE INDEX CONCURRENTLY idx ON orders (created_at);" in diff.output
    assert "002.sql" not in diff.output  # a rename has no meaning-preserving fix
    assert (tmp_path / "001.sql").read_bytes() == b"CREATE INDEX idx ON orders (created_at);\r\n"

    fixed = runner.invoke(cli, ["check", "--fix", "--format", "json", "."])
    assert (tmp_path / "001.sql").read_bytes() == (
        b"CREATE INDEX CONCURRENTLY idx ON orders (created_at);\r\n"
    )
    assert '"ML201"' not in fixed.output and '"ML101"' in fixed.output
    assert fixed.exit_code == 1  # the rename is still there
    assert runner.invoke(cli, ["check", "--diff", "."]).exit_code == 0


def test_split_fix_with_space_before_semicolon():
    before = "ALTER TABLE o ADD CONSTRAINT pos CHECK (n > 0) ;\n"
    fixed = apply_fixes(before, [f.fix for f in lint(before) if f.rule == "ML205"])
    assert fixed == ("ALTER TABLE o ADD CONSTRAINT pos CHECK (n > 0) NOT VALID;\n"
                     "ALTER TABLE o VALIDATE CONSTRAINT pos;\n")


def test_no_not_valid_split_where_the_runner_sends_the_file_in_one_message(tmp_path, monkeypatch):
    # golang-migrate sends the file in one message: NOT VALID and VALIDATE in one file
    # would share PostgreSQL's implicit transaction (validate-in-same-transaction).
    monkeypatch.chdir(tmp_path)
    sql = "ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (c_id) REFERENCES customers(id);\n"
    (tmp_path / "1_fk.up.sql").write_text(sql)
    (tmp_path / "2_fk.sql").write_text(sql)  # plain SQL: the runner may split the file
    CliRunner().invoke(cli, ["check", "--fix", "."])
    assert "ML303" not in {f.rule for f in lint((tmp_path / "1_fk.up.sql").read_text(),
                                                 path="1_fk.up.sql")}
    assert (tmp_path / "1_fk.up.sql").read_text() == sql
    assert "VALIDATE CONSTRAINT" in (tmp_path / "2_fk.sql").read_text()


def test_concurrently_fix_judged_on_the_edited_file_for_flyway():
    # Flyway runs a file holding only CREATE INDEX CONCURRENTLY outside its transaction,
    # so the edit makes the file clean; with a SET beside it Flyway would refuse the file.
    sql = "CREATE INDEX idx_a ON t (a);\n"
    [fix] = [f.fix for f in lint(sql, path="V1__idx.sql") if f.rule == "ML201"]
    fixed = apply_fixes(sql, [fix])
    assert not {f.rule for f in lint(fixed, path="V1__idx.sql")} & {"ML201", "ML301"}
    with_set = "SET lock_timeout = '2s';\n" + sql
    assert [f.fix for f in lint(with_set, path="V1__idx.sql") if f.rule == "ML201"] == [None]


@pytest.mark.parametrize("path, convention, more_sql", [
    ("V1__idx.ddl", "auto", (".ddl",)),   # Flyway's name with a configured suffix
    ("idx.sql", "flyway", ()),            # the configured convention
])
def test_concurrently_fix_reads_the_edited_file_by_the_convention_of_the_lint(
        path, convention, more_sql):
    # Read as plain SQL, the SET would not matter; Flyway refuses the edited file.
    sql = "SET lock_timeout = '2s';\nCREATE INDEX idx_a ON t (a);\n"
    options = dataclasses.replace(helpers.options(), convention=convention, more_sql=more_sql)
    found = lint_source(SourceFile(path, sql), options)
    assert [f.fix for f in found if f.rule == "ML201"] == [None]


@pytest.mark.parametrize("last_file_text", [
    "ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0)",      # no newline at the end
    "SELECT '\f';\nALTER TABLE t ADD CONSTRAINT c CHECK (x > 0);\n",  # a form feed in a line
])
def test_diff_applies_with_git(tmp_path, monkeypatch, last_file_text):
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    (tmp_path / "a.sql").write_text(last_file_text)
    (tmp_path / "b.sql").write_text("CREATE INDEX idx ON orders (created_at);")
    diff = CliRunner().invoke(cli, ["check", "--no-cache", "--diff", "a.sql", "b.sql"])
    assert diff.exit_code == 1 and "b/a.sql" in diff.output and "b/b.sql" in diff.output
    (tmp_path / "fixes.diff").write_text(diff.output)
    applied = subprocess.run(["git", "apply", "--check", "fixes.diff"],
                             capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
