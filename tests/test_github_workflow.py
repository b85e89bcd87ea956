"""The example GitHub workflow: its essentials, and its shell steps run for real against
a pull-request-shaped git repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from migrationlint.readers import SQL_SUFFIXES

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / "examples" / "github" / "migrationlint.yml"
BIN = Path(sys.executable).parent


def _job() -> dict:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as True
    assert "pull_request" in triggers
    job, = workflow["jobs"].values()
    return job


def _step(job: dict, needle: str) -> dict:
    return next(s for s in job["steps"] if needle in s.get("uses", "") + s.get("run", ""))


def test_workflow_essentials():
    job = _job()
    assert job["permissions"]["security-events"] == "write"
    checkout = _step(job, "actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    changed = _step(job, "git diff")
    assert "--diff-filter=AMR" in changed["run"] and '"origin/${BASE_REF}...HEAD"' in changed["run"]
    assert changed["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert all(f"'*{suffix}'" in changed["run"] for suffix in SQL_SUFFIXES)
    write = _step(job, "--format sarif")
    assert "--output migrationlint.sarif" in write["run"] and "--exit-zero" in write["run"]
    upload = _step(job, "github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "migrationlint.sarif"
    assert "always()" in upload["if"]
    steps = job["steps"]
    fail = steps[-1]
    assert "migrationlint check" in fail["run"] and "--exit-zero" not in fail["run"]
    assert steps.index(write) < steps.index(upload) < steps.index(fail)


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True)


def _run_step(step: dict, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    step_env = {**env, **{k: v for k, v in step.get("env", {}).items() if "${{" not in v}}
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=cwd,
                          env=step_env, capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                    reason="the workflow's steps need git and bash")
def test_workflow_steps_lint_only_the_changed_migrations(tmp_path):
    repo = tmp_path / "app"
    (repo / "db" / "migrations").mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    # Already on the base branch, and hazardous: not this pull request's business.
    (repo / "db/migrations/0001 old.sql").write_text("ALTER TABLE users DROP COLUMN a;\n")
    (repo / "db/migrations/0002_edit.sql").write_text("CREATE TABLE t (id int);\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    _git(repo, "checkout", "-qb", "feature")
    (repo / "db/migrations/0002_edit.sql").write_text(
        "CREATE TABLE t (id int);\nALTER TABLE t RENAME COLUMN id TO ident;\n")
    (repo / "db/migrations/0003 new.sql").write_text("ALTER TABLE orders DROP COLUMN note;\n")
    # PostgreSQL's .pgsql and .psql files are migrations too.
    (repo / "db/migrations/0004_new.pgsql").write_text("ALTER TABLE orders DROP COLUMN note;\n")
    (repo / "db/migrations/0005_new.psql").write_text("ALTER TABLE orders DROP COLUMN note;\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "pull request")

    job = _job()
    env = {**os.environ, "BASE_REF": "main", "GITHUB_OUTPUT": str(tmp_path / "output"),
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    changed = _run_step(_step(job, "git diff"), repo, env)
    assert changed.returncode == 0, changed.stderr
    assert (tmp_path / "output").read_text() == "any=true\n"

    write = _run_step(_step(job, "--format sarif"), repo, env)
    assert write.returncode == 0, write.stderr
    results = json.loads((repo / "migrationlint.sarif").read_text())["runs"][0]["results"]
    found = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
             for r in results]
    # The created table's rename is fine; the new file's DROP also gets the
    # missing-lock-timeout note (the workflow runs with the default rules).
    assert found == [(uri, rule) for uri in ("db/migrations/0003%20new.sql",
                                             "db/migrations/0004_new.pgsql",
                                             "db/migrations/0005_new.psql")
                     for rule in ("ML214", "ML103")]

    fail = _run_step(job["steps"][-1], repo, env)
    assert fail.returncode == 1
    assert "db/migrations/0003 new.sql:1:32: ML103 [drop-column]" in fail.stdout


def test_readme_shows_the_workflows_steps_unchanged():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### GitHub code scanning", 1)[1].split("\n### ", 1)[0]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    shown = yaml.safe_load(textwrap.dedent(block))
    steps = {s.get("name"): s for s in _job()["steps"]}
    assert len(shown) >= 4
    for step in shown:
        assert steps[step["name"]] == step
