"""A one-file run imports only the modules it uses.

Most of the start-up of a small run is importing (issue 7), so the readers of other
frameworks, the other output formats, the result cache and the --fix machinery are
imported where they are used. These tests run the CLI in a fresh interpreter and look
at sys.modules afterwards; they time nothing.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migrationlint.config import discover_config

# Runs the CLI as the console script does (main() reading sys.argv), then writes the exit
# code, the names of the imported modules, pydantic's plugin switch as main() left it and
# the objects the collector never rescans (gc.freeze) to argv[1].
PROBE = """
import gc, json, os, sys
from migrationlint.cli import main
report, sys.argv = sys.argv[1], ["migrationlint", *sys.argv[2:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
with open(report, "w") as out:
    json.dump({"exit": code, "modules": sorted(sys.modules),
               "plugins": os.environ.get("PYDANTIC_DISABLE_PLUGINS"),
               "frozen": gc.get_freeze_count()}, out)
"""

NEVER_FOR_PLAIN_SQL = [
    "migrationlint.readers.alembic",
    "migrationlint.readers.django",
    "migrationlint.readers.liquibase",
    "migrationlint.readers.changelog_tree",
    "migrationlint.readers.python_source",
    "migrationlint.formatters.json",
    "migrationlint.formatters.sarif",
    "migrationlint.formatters.github",
    "migrationlint.formatters.gitlab",
    "migrationlint.formatters.junit",
    "migrationlint.cache",
    "migrationlint.fixing",
    "migrationlint.gitdiff",
    "multiprocessing",
]

DJANGO = """from django.db import migrations


class Migration(migrations.Migration):
    operations = [migrations.RemoveField(model_name="order", name="status")]
"""


def _probe(tmp_path: Path, *args: str, env=None) -> dict:
    report = tmp_path / "modules.json"
    subprocess.run([sys.executable, "-c", PROBE, str(report), *args], cwd=tmp_path,
                   capture_output=True, check=True, env=env)
    return json.loads(report.read_text())


def _imported(tmp_path: Path, *args: str):
    """The exit code of ``migrationlint <args>`` run in ``tmp_path``, and the modules it imported."""
    result = _probe(tmp_path, *args)
    return result["exit"], set(result["modules"])


@pytest.fixture
def small(tmp_path):
    (tmp_path / "0001_add_status.sql").write_text(
        "SET lock_timeout = '5s';\nALTER TABLE orders DROP COLUMN status;\n"
    )
    return tmp_path


def test_a_plain_sql_run_imports_no_other_reader_format_or_cache(small):
    code, modules = _imported(small, "check", "0001_add_status.sql", "--no-cache")
    assert code == 1  # linted to the end: the dropped column is reported
    assert {"migrationlint.readers.conventions", "migrationlint.formatters.text"} <= modules
    assert modules.isdisjoint(NEVER_FOR_PLAIN_SQL), modules.intersection(NEVER_FOR_PLAIN_SQL)


def test_without_a_configuration_file_no_toml_parser_is_imported(small):
    if discover_config(small) is not None:
        pytest.skip("a configuration file above the temporary folder applies")
    _, modules = _imported(small, "check", "0001_add_status.sql", "--no-cache")
    assert "tomllib" not in modules and "tomli" not in modules


@pytest.mark.parametrize("args,expected", [
    (["--format", "sarif"], "migrationlint.formatters.sarif"),
    (["--format", "json"], "migrationlint.formatters.json"),
    ([], "migrationlint.cache"),
    (["--diff"], "migrationlint.fixing"),
])
def test_what_a_run_uses_is_imported(small, args, expected):
    no_cache = [] if expected == "migrationlint.cache" else ["--no-cache"]
    _, modules = _imported(small, "check", "0001_add_status.sql", *no_cache, *args)
    assert expected in modules


def test_a_django_migration_imports_the_django_reader_only(tmp_path):
    (tmp_path / "0002_remove_status.py").write_text(DJANGO)
    code, modules = _imported(tmp_path, "check", "0002_remove_status.py", "--no-cache")
    assert code == 1
    assert "migrationlint.readers.django" in modules
    assert "migrationlint.readers.alembic" not in modules
    assert "migrationlint.readers.liquibase" not in modules


def _with_pydantic_plugin(site: Path) -> dict:
    """An environment in which a pydantic plugin, module ``fakeplug``, is installed."""
    (site / "fakeplug.py").write_text(
        "class _Plugin:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None\n\n"
        "plugin = _Plugin()\n"
    )
    info = site / "fakeplug-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeplug\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nfake = fakeplug:plugin\n")
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    return env


def test_the_command_does_not_search_for_pydantic_plugins(small, tmp_path_factory):
    env = _with_pydantic_plugin(tmp_path_factory.mktemp("site"))
    result = _probe(small, "check", "0001_add_status.sql", "--no-cache", env=env)
    assert result["exit"] == 1
    assert "fakeplug" not in result["modules"]
    assert result["plugins"] is None  # main() leaves the environment as it found it


def test_a_pydantic_plugin_switch_the_user_set_wins(small, tmp_path_factory):
    env = _with_pydantic_plugin(tmp_path_factory.mktemp("site"))
    # An empty value disables no plugin.
    result = _probe(small, "check", "0001_add_status.sql", "--no-cache",
                    env={**env, "PYDANTIC_DISABLE_PLUGINS": ""})
    assert result["exit"] == 1
    assert "fakeplug" in result["modules"]
    assert result["plugins"] == ""


def test_the_command_freezes_what_start_up_made(small):
    result = _probe(small, "check", "0001_add_status.sql", "--no-cache")
    assert result["exit"] == 1
    # Modules, classes and tables: far more objects than the run's own garbage.
    assert result["frozen"] > 50_000


def test_main_called_by_another_program_leaves_its_garbage_collectable(small, tmp_path):
    script = tmp_path / "host.py"
    script.write_text(
        "import gc, sys, weakref\n"
        "from migrationlint.cli import main\n"
        "class Node: pass\n"
        "cycle = Node(); cycle.self = cycle; alive = weakref.ref(cycle); del cycle\n"
        "try:\n    main(['check', '0001_add_status.sql', '--no-cache'])\n"
        "except SystemExit:\n    pass\n"
        "gc.collect()\n"
        "print(gc.get_freeze_count(), alive() is None)\n"
    )
    out = subprocess.run([sys.executable, str(script)], cwd=small, capture_output=True,
                         text=True, check=True).stdout
    assert out.splitlines()[-1] == "0 True"  # after the report: nothing frozen, cycle freed


def test_running_the_cli_inside_another_program_freezes_nothing(small, monkeypatch):
    import gc

    from click.testing import CliRunner

    from migrationlint.cli import cli

    monkeypatch.chdir(small)
    before = gc.get_freeze_count()
    result = CliRunner().invoke(cli, ["check", "0001_add_status.sql", "--no-cache"])
    assert result.exit_code == 1
    assert gc.get_freeze_count() == before
