"""The pre-commit hook: the manifest, and the real `pre-commit try-repo` against this
checkout (pre-commit builds the hook's virtualenv with `pip install` of the checkout)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_manifest

from ci_helpers import make_repo, run_check

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / ".pre-commit-hooks.yaml"

DROP = "ALTER TABLE users DROP COLUMN legacy_flag;\n"
# Flagged on PostgreSQL (ML201), fine on MySQL (a secondary index is built in place
# with writes allowed): shows which dialect the hook used.
INDEX = "CREATE INDEX orders_status_idx ON orders (status);\n"
CLEAN = "CREATE TABLE invoices (id bigint PRIMARY KEY);\n"


def _hook() -> dict:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["migrationlint"]
    return hooks[0]


def test_manifest_is_valid_for_pre_commit():
    hook, = load_manifest(str(MANIFEST))
    assert hook["entry"] == "migrationlint check"
    assert hook["language"] == "python"
    assert hook["minimum_pre_commit_version"] != "0"
    assert hook["require_serial"] is True


def test_design_card_name_links_to_the_manifest():
    link = REPO / "pre-commit-hooks.yaml"
    assert link.is_symlink()
    assert os.readlink(link) == ".pre-commit-hooks.yaml"


@pytest.mark.parametrize("path, matched", [
    ("db/migrations/0001_create.sql", True),
    ("V2__add_orders.SQL", True),
    ("db/schema/0003_orders.pgsql", True),
    ("db/psql/seed_lookup.PSQL", True),
    ("db/notes.sql.md", False),
    ("shop/migrations/0002_rename.py", True),
    ("alembic/versions/3f2a_add_email.py", True),
    ("db/changelog/db.changelog-master.xml", True),
    ("db/changelog/changes/001-orders.yaml", True),
    ("src/main/resources/db/changelog/002.json", True),
    ("package.json", False),
    (".github/workflows/ci.yml", False),
    ("shop/migrations/__init__.py", False),
    ("shop/models.py", False),
    ("setup.py", False),
    ("pom.xml", False),
    ("docs/migrations.md", False),
    ("liquibase/changelog.xml", True),
    ("liquibase/changes/001-orders.yaml", True),
    ("migrations/versions/3f2a_add_email.py", True),  # Flask-Migrate
    ("migrations/env.py", False),  # Alembic's environment, not a revision
    ("alembic/env.py", False),
    ("api/versions/v1.py", False),
    ("tests/migrations/test_orders.py", False),
    ("docker/db/docker-compose.yml", False),
    ("db/seeds.json", False),
])
def test_files_pattern_targets_migrations(path, matched):
    hook = _hook()
    selected = bool(re.search(hook["files"], path)) and not re.search(hook["exclude"], path)
    assert selected is matched


def _try_repo(target: Path, *files: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(target.parent / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never"}
    env.pop("MIGRATIONLINT_DEBUG", None)
    selection = ["--files", *files] if files else ["--all-files"]
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "migrationlint",
         "--color", "never", *selection],
        cwd=target, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_hook_fails_on_a_hazard_and_passes_clean_files_with_the_users_dialect(tmp_path):
    target = tmp_path / "app"
    target.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    make_repo(target, {
        # The ML411 note the index file gets on MySQL does not fail the hook.
        "pyproject.toml": '[tool.migrationlint]\ndialect = "mysql"\n',
        "db/migrations/0001_drop.sql": DROP,
        "db/migrations/0002_index.sql": INDEX,
        "db/migrations/0003_clean.sql": CLEAN,
    })
    # Without the user's config the index file is a finding, so passing below means the
    # hook read dialect = "mysql" from the pyproject.toml.
    assert run_check(target, ["--dialect", "postgres", "db/migrations/0002_index.sql"]).exit_code == 1

    failed = _try_repo(target, "db/migrations/0001_drop.sql")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"^migrationlint\.+Failed$", failed.stdout, re.M)
    assert "db/migrations/0001_drop.sql:1:31: ML103 [drop-column]" in failed.stdout
    assert "ALTER TABLE users DROP COLUMN legacy_flag;" in failed.stdout  # the rewrite

    passed = _try_repo(target, "db/migrations/0002_index.sql", "db/migrations/0003_clean.sql")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^migrationlint\.+Passed$", passed.stdout, re.M)


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_hook_skips_down_scripts_and_non_migrations_silently(tmp_path):
    target = tmp_path / "app"
    target.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    make_repo(target, {
        "migrations/env.py": "from alembic import context\n",
        "db/000002_drop.down.sql": DROP,
        "db/000002_drop.up.sql": CLEAN,
        "db/seeds.json": "{}\n",
        "liquibase/changelog.xml": (
            '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
            '  <changeSet id="1" author="a">\n'
            '    <dropColumn tableName="users" columnName="legacy_flag"/>\n'
            '  </changeSet>\n</databaseChangeLog>\n'),
    })
    subprocess.run(["git", "add", "."], cwd=target, check=True)  # --all-files: tracked ones
    result = _try_repo(target)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "liquibase/changelog.xml:3:" in result.stdout  # a Liquibase folder is matched
    assert "ML103 [drop-column]" in result.stdout
    assert "skipped" not in result.stdout and "warning:" not in result.stdout
    assert "in 1 of 2 files." in result.stdout  # the up script and the changelog
