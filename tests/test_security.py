"""Security properties: no user code is executed, no network is touched, no shell is
started, the only subprocess is git (for `check --since`, from an argument list), and
reports carry no absolute paths."""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrationlint.cli import cli

PACKAGE = Path(__file__).resolve().parent.parent / "migrationlint"
# Modules that open connections, run programs, or load code or objects from bytes.
FORBIDDEN_MODULES = {"socket", "ssl", "socketserver", "http", "urllib", "urllib3", "ftplib",
                     "smtplib", "poplib", "imaplib", "telnetlib", "xmlrpc", "webbrowser",
                     "requests", "httpx", "aiohttp", "pickle", "marshal", "shelve", "ctypes",
                     "pty"}
# urllib.parse only percent-encodes text (SARIF artifact URIs); it opens nothing.
ALLOWED_MODULES = {"urllib.parse"}
# `check --since` runs git; nothing else in the package may start a program.
SUBPROCESS_ALLOWED_IN = {"gitdiff.py"}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_METHODS = {"system", "popen", "startfile", "run_path", "run_module", "posix_spawn",
                     "posix_spawnp", "execl", "execle", "execlp", "execlpe", "execv", "execve",
                     "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
                     "spawnve", "spawnvp", "spawnvpe"}


def package_sources():
    return sorted(PACKAGE.rglob("*.py"))


def imported_names(node):
    """Dotted names an import brings in (`from a import b` gives a.b); relative imports
    are the package's own modules."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        return []
    return [f"{node.module}.{alias.name}" for alias in node.names]


def import_problems(node, subprocess_allowed):
    problems = []
    for name in imported_names(node):
        if any(name == a or name.startswith(a + ".") for a in ALLOWED_MODULES):
            continue
        top = name.split(".")[0]
        if top in FORBIDDEN_MODULES:
            problems.append(f"line {node.lineno}: import {name}")
        elif top == "subprocess" and not (
            # A plain `import subprocess` keeps every use visible as subprocess.<name>.
            subprocess_allowed and isinstance(node, ast.Import)
            and name == "subprocess" and all(a.asname is None for a in node.names)
        ):
            problems.append(f"line {node.lineno}: import {name}")
    return problems


def subprocess_call_problems(call):
    """subprocess may only run git from a literal argument list, never through a shell."""
    where = f"line {call.lineno}: {ast.unparse(call)}"
    if call.func.attr != "run":
        return [f"{where}: only subprocess.run is allowed"]
    argv = call.args[0] if call.args else None
    if not (isinstance(argv, ast.List) and argv.elts
            and isinstance(argv.elts[0], ast.Constant) and argv.elts[0].value == "git"):
        return [f"{where}: the command must be a list starting with \"git\""]
    shell = [k.value for k in call.keywords if k.arg == "shell" or k.arg is None]
    if any(not (isinstance(v, ast.Constant) and v.value is False) for v in shell):
        return [f"{where}: shell must not be set"]
    return []


def call_problems(call):
    func = call.func
    if (isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS) or (
        isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_METHODS
    ):
        return [f"line {call.lineno}: call to {ast.unparse(func)}()"]
    if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
            and func.value.id == "subprocess"):
        return subprocess_call_problems(call)
    return []


def security_problems(source, name):
    subprocess_allowed = name in SUBPROCESS_ALLOWED_IN
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            problems += import_problems(node, subprocess_allowed)
        elif isinstance(node, ast.Call):
            problems += call_problems(node)
    return problems


@pytest.mark.parametrize("path", package_sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_shell_network_or_eval_and_subprocess_only_for_git(path):
    name = str(path.relative_to(PACKAGE))
    assert security_problems(path.read_text(encoding="utf-8"), name) == []


@pytest.mark.parametrize("source, name", [
    ("import subprocess\nsubprocess.run(['git', 'status'], shell=True)\n", "gitdiff.py"),
    ("import subprocess\nsubprocess.run('git status')\n", "gitdiff.py"),
    ("import subprocess\nsubprocess.run(['sh', '-c', 'x'])\n", "gitdiff.py"),
    ("import subprocess\nsubprocess.run(['git'], **options)\n", "gitdiff.py"),
    ("import subprocess\nsubprocess.Popen(['git', 'status'])\n", "gitdiff.py"),
    ("import subprocess as sp\n", "gitdiff.py"),
    ("from subprocess import run\n", "gitdiff.py"),
    ("import subprocess\n", "engine.py"),
    ("import urllib.request\n", "formatters/sarif.py"),
    ("from urllib import request\n", "formatters/sarif.py"),
    ("from http.client import HTTPSConnection\n", "cli.py"),
    ("import socket\n", "cli.py"),
    ("import os\nos.system('ls')\n", "cli.py"),
    ("eval('1')\n", "cli.py"),
])
def test_the_check_catches_what_the_policy_forbids(source, name):
    assert security_problems(source, name) != []


@pytest.mark.parametrize("source, name", [
    ("import subprocess\nsubprocess.run(['git', *arguments], cwd=root, check=False)\n",
     "gitdiff.py"),
    ("from urllib.parse import quote\n", "formatters/sarif.py"),
    ("import urllib.parse\n", "formatters/sarif.py"),
])
def test_the_check_allows_what_the_policy_allows(source, name):
    assert security_problems(source, name) == []


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_drop.sql").write_text("ALTER TABLE t DROP COLUMN c;\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args, stdin=None):
    # The once-per-file lock-timeout note (ML214) is ignored: the counts below are about
    # network and paths, one drop-column finding (ML103) per file.
    result = CliRunner().invoke(cli, ["check", "--format", "json", "--ignore", "ML214", *args],
                                input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return json.loads(result.stdout)


def test_a_run_opens_no_network_connection(project, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    # Refuse to make a socket rather than replace the class: modules first imported
    # during the run (ssl, via pydantic) subclass socket.socket at import time.
    monkeypatch.setattr(socket.socket, "__init__", refuse)
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
