"""Security properties: no user code is executed, no network is touched, no shell or
subprocess is started, and reports carry no absolute paths."""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrationlint.cli import cli

PACKAGE = Path(__file__).resolve().parent.parent / "migrationlint"
# Modules and calls that would run programs, evaluate text or open connections.
FORBIDDEN_MODULES = {"subprocess", "socket", "urllib", "http", "ftplib", "smtplib", "pickle",
                     "marshal", "shelve", "requests", "httpx", "ctypes", "pty"}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_METHODS = {"system", "popen", "spawnl", "spawnv", "execv", "execvp", "execl",
                     "startfile", "run_path", "run_module"}


def package_sources():
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", package_sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_shell_subprocess_network_or_eval_in_the_package(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS) or (
                isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_METHODS
            ):
                problems.append(f"line {node.lineno}: call to {ast.unparse(func)}()")
            continue
        else:
            continue
        problems += [f"line {node.lineno}: import {n}" for n in names
                     if n.split(".")[0] in FORBIDDEN_MODULES]
    assert problems == []


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_drop.sql").write_text("ALTER TABLE t DROP COLUMN c;\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args, stdin=None):
    result = CliRunner().invoke(cli, ["check", "--format", "json", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.stdout)


def test_a_run_opens_no_network_connection(project, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    document = check("migrations")
    assert [f["rule"] for f in document["findings"]] == ["ML103"]


def test_migration_code_is_never_executed(project):
    marker = project / "executed"
    code = (f"from alembic import op\nopen({str(marker)!r}, 'w').write('ran')\n"
            "def upgrade():\n    op.drop_column('t', 'c')\n")
    (project / "migrations" / "0002_alembic.py").write_text(code)
    check("migrations", "migrations/0002_alembic.py")
    assert not marker.exists()


def test_no_absolute_paths_in_json_output(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "0009_outside.sql"
    outside.write_text("ALTER TABLE t DROP COLUMN d;\n")
    document = check(str(project / "migrations"), str(outside), str(project / "missing.sql"),
                     "-", "--stdin-filename", str(project / "migrations" / "piped.sql"),
                     stdin="ALTER TABLE t DROP COLUMN e;\n")
    paths = [f["path"] for f in document["findings"]] + [e["path"] for e in document["errors"]]
    texts = paths + [e["message"] for e in document["errors"]]
    assert len(document["findings"]) == 3 and len(document["errors"]) == 1
    assert not any(text.startswith("/") or str(project) in text for text in texts), texts
    assert "migrations/0001_drop.sql" in paths and "migrations/piped.sql" in paths
    assert any(p.startswith("../") and p.endswith("0009_outside.sql") for p in paths)
