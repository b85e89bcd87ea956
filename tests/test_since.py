"""``check --since REF``: only migrations added or changed since the ref."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from migrationlint.cli import cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
DROP = "ALTER TABLE t DROP COLUMN {};\n"


def _git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                   cwd=repo, check=True, capture_output=True)


def _check(*args):
    result = CliRunner().invoke(cli, ["check", "--format", "json", *args])
    return result


@pytest.fixture
def repo(tmp_path, monkeypatch):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for name in ("0001_old", "0002_modified", "0003_renamed", "0004_deleted"):
        (migrations / f"{name}.sql").write_text(DROP.format(name[5:]))
    (tmp_path / "README.md").write_text("docs\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "checkout", "-qb", "feature")
    (migrations / "0002_modified.sql").write_text(DROP.format("modified") + DROP.format("more"))
    _git(tmp_path, "mv", "migrations/0003_renamed.sql", "migrations/0003_renamed_now.sql")
    _git(tmp_path, "rm", "-q", "migrations/0004_deleted.sql")
    (migrations / "0005_committed.sql").write_text(DROP.format("committed"))
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "feature work")
    (migrations / "0006_staged.sql").write_text(DROP.format("staged"))
    _git(tmp_path, "add", "migrations/0006_staged.sql")
    (migrations / "0007_untracked.sql").write_text(DROP.format("untracked"))
    (migrations / "0008_down.down.sql").write_text(DROP.format("down"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_only_changed_migrations_are_linted(repo):
    result = _check("--since", "main", "migrations")
    report = json.loads(result.output)
    paths = sorted({f["path"] for f in report["findings"]})
    assert paths == [
        "migrations/0002_modified.sql", "migrations/0003_renamed_now.sql",
        "migrations/0005_committed.sql", "migrations/0006_staged.sql",
        "migrations/0007_untracked.sql",
    ]  # not the old, deleted or down files
    assert report["files"] == 5 and result.exit_code == 1


def test_default_path_is_the_current_folder(repo):
    report = json.loads(_check("--since", "main").output)
    assert report["files"] == 5


def test_nothing_changed_passes(repo):
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "all")
    result = _check("--since", "HEAD")
    assert result.exit_code == 0 and json.loads(result.stdout)["files"] == 0


def test_unknown_ref_is_a_usage_error(repo):
    result = _check("--since", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown git ref `no-such-branch`" in result.output


def test_outside_a_git_repository(tmp_path, monkeypatch):
    (tmp_path / "m.sql").write_text(DROP.format("x"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = _check("--since", "main", ".")
    assert result.exit_code == 2
    assert "needs a git repository" in result.output


def test_the_repository_is_the_paths_not_the_current_folders(repo, tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(elsewhere.parent))
    result = _check("--since", "main", str(repo / "migrations"))
    assert result.exit_code == 1 and json.loads(result.stdout)["files"] == 5


def test_paths_in_two_repositories_are_a_usage_error(repo, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    _git(other, "init", "-q")
    result = _check("--since", "main", "migrations", str(other))
    assert result.exit_code == 2
    assert "--since compares one git repository, and the paths are in several" in result.output
    assert f"{other} in {other}" in result.output
