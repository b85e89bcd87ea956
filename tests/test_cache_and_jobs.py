"""The result cache (.migrationlint_cache/) and --jobs: same output as a plain run,
whatever was cached and however many processes ran."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrationlint import parallel
from migrationlint.cache import CACHE_FOLDER, ResultCache, encode_result
from migrationlint.cli import cli
from migrationlint.findings import FileError

from helpers import TIMEOUT_NOTES, lint

# Files 0002 and 0003 set lock_timeout so that the once-per-file lock-timeout note
# (ML214) stays out of the counts: these tests are about the cache, not that rule.
MIGRATIONS = {
    "0001_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n"
                       "CREATE INDEX orders_note_idx ON orders (note);\n",
    "0002_rename.sql": "SET lock_timeout = '2s';\n"
                       "ALTER TABLE orders RENAME COLUMN note TO notes;\n",
    "0003_drop.sql": "SET lock_timeout = '2s';\n"
                     "ALTER TABLE accounts DROP COLUMN legacy;\n"
                     "CREATE INDEX accounts_email_idx ON accounts (email);\n",
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    for name, sql in MIGRATIONS.items():
        (tmp_path / "migrations").mkdir(exist_ok=True)
        (tmp_path / "migrations" / name).write_text(sql)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args):
    result = CliRunner().invoke(cli, ["check", "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def cache_entries(root: Path):
    return sorted((root / CACHE_FOLDER).rglob("*.json"))


def test_first_run_fills_the_cache_and_ignores_it_in_git(project):
    code, document = check("migrations")
    assert code == 1 and len(document["findings"]) == 3
    assert (project / CACHE_FOLDER / ".gitignore").read_text().splitlines()[-1] == "*"
    assert len(cache_entries(project)) == len(MIGRATIONS)


def test_a_cached_run_reports_the_same(project):
    first = check("migrations")
    second = check("migrations")
    assert first == second


def test_cache_entries_are_used_and_no_cache_bypasses_them(project):
    check("migrations")
    # Plant a recognisable message in every entry: a cached run must show it.
    for entry in cache_entries(project):
        data = json.loads(entry.read_text())
        for finding in data["findings"]:
            finding["message"] = "from the cache"
        entry.write_text(json.dumps(data))
    _, cached = check("migrations")
    assert {f["message"] for f in cached["findings"]} == {"from the cache"}
    _, fresh = check("migrations", "--no-cache")
    assert "from the cache" not in {f["message"] for f in fresh["findings"]}


def test_no_cache_writes_nothing(project):
    check("migrations", "--no-cache")
    assert not (project / CACHE_FOLDER).exists()


@pytest.mark.parametrize("change", ["content", "options"])
def test_a_change_of_content_or_options_misses(project, change):
    _, before = check("migrations")
    if change == "content":
        (project / "migrations" / "0002_rename.sql").write_text("SELECT 1;\n")
        _, after = check("migrations")
        assert [f["path"] for f in after["findings"]].count("migrations/0002_rename.sql") == 0
    else:
        _, after = check("migrations", "--select", "ML103")
        assert [f["rule"] for f in after["findings"]] == ["ML103"]
    assert after != before


def test_entries_of_other_releases_are_removed(project):
    stale = project / CACHE_FOLDER / "v1-0.0.1"
    stale.mkdir(parents=True)
    (stale / "old.json").write_text("{}")
    check("migrations")
    assert not stale.exists() and len(cache_entries(project)) == len(MIGRATIONS)


def test_a_changed_module_of_the_package_misses(project, monkeypatch):
    from migrationlint import cache as cache_module

    check("migrations")
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "edited rules")
    for entry in cache_entries(project):
        entry.write_text('{"findings": [], "errors": []}')  # would hide every finding
    _, document = check("migrations")
    assert len(document["findings"]) == 3


def test_every_option_field_is_in_the_key():
    from dataclasses import replace

    from helpers import options
    from migrationlint.cache import options_fingerprint
    from migrationlint.versions import Version

    base = options()
    variants = [replace(base, dialect="mysql"), replace(base, version=Version("12")),
                options(select=["ML103"])]
    texts = {options_fingerprint(o) for o in [base, *variants]}
    assert len(texts) == 4


def test_a_damaged_entry_is_a_miss(project):
    _, before = check("migrations")
    for entry in cache_entries(project):
        entry.write_bytes(b'{"findings": [ truncated')
    _, after = check("migrations")
    assert after == before


def test_a_cache_that_cannot_be_written_only_costs_speed(project):
    (project / CACHE_FOLDER).write_text("a file where the folder should be")
    code, document = check("migrations")
    assert code == 1 and len(document["findings"]) == 3 and document["errors"] == []


def _hammer(root: str, key: str, rounds: int) -> int:
    cache = ResultCache(root)
    # One finding per statement: the once-per-file lock-timeout note would be a 31st.
    findings = lint("ALTER TABLE t DROP COLUMN c;\n" * 30, ignore=TIMEOUT_NOTES)
    seen = 0
    for _ in range(rounds):
        cache.put(key, encode_result(findings, [FileError(path="x.sql", message="m", level="warning")]))
        hit = cache.get(key)
        assert hit is not None and len(hit[0]) == 30  # never half an entry
        seen += 1
    return seen


def test_concurrent_writers_never_expose_half_an_entry(tmp_path):
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(3) as pool:
        done = pool.starmap(_hammer, [(str(tmp_path), "same-key", 60)] * 3)
    assert done == [60, 60, 60]
    # Only the entry is left: temporary files were all renamed into place.
    assert [p.name for p in cache_entries(tmp_path)] == ["same-key.json"]


def test_jobs_give_the_same_output_in_the_same_order(project, monkeypatch):
    for number in range(4, 40):
        (project / "migrations" / f"{number:04d}_more.sql").write_text(
            f"ALTER TABLE t{number} DROP COLUMN c;\nCREATE INDEX i{number} ON t{number} (c);\n")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    fanned_out = []
    real = parallel._in_processes
    monkeypatch.setattr(parallel, "_in_processes",
                        lambda tasks, workers, job: fanned_out.append(workers) or real(tasks, workers, job))
    one = check("migrations", "--no-cache", "--jobs", "1")
    two = check("migrations", "--no-cache", "--jobs", "2")
    assert fanned_out == [2]
    assert one == two
    paths = [f["path"] for f in two[1]["findings"]]
    assert paths == sorted(paths)


def test_a_pool_that_breaks_midway_hands_the_rest_to_this_process(project, monkeypatch):
    _, expected = check("migrations", "--no-cache", "--jobs", "1")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    real = parallel._in_processes

    def breaks_after_one(tasks, workers, job):
        payloads = real(tasks, workers, job)
        yield next(payloads)
        raise OSError("worker died")

    monkeypatch.setattr(parallel, "_in_processes", breaks_after_one)
    assert check("migrations", "--no-cache", "--jobs", "2") == (1, expected)


def test_a_small_run_stays_in_one_process(project, monkeypatch):
    monkeypatch.setattr(parallel, "_in_processes", lambda tasks, workers, job: pytest.fail("fanned out"))
    code, document = check("migrations", "--no-cache", "--jobs", "8")
    assert code == 1 and len(document["findings"]) == 3


def test_without_the_cache_workers_read_the_files_and_report_bad_ones(project, monkeypatch):
    (project / "migrations" / "0004_binary.sql").write_bytes(b"\x00\x01\x02binary\x00" * 64)
    _, expected = check("migrations", "--no-cache", "--jobs", "1")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    shipped = []
    real = parallel._in_processes
    monkeypatch.setattr(parallel, "_in_processes",
                        lambda tasks, workers, job: shipped.extend(tasks) or real(tasks, workers, job))
    code, document = check("migrations", "--no-cache", "--jobs", "2")
    # The main process sent paths, not contents, and the result is the same.
    assert len(shipped) == 4 and all(task.data is None for task in shipped)
    assert (code, document) == (1, expected)
    assert any("0004_binary.sql" in e["path"] for e in document["errors"])


# -- the streamed text report -------------------------------------------------------
def check_text(*args):
    result = CliRunner().invoke(cli, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout


def _more_migrations(project: Path) -> None:
    for number in range(4, 40):
        (project / "migrations" / f"{number:04d}_more.sql").write_text(
            f"ALTER TABLE t{number} DROP COLUMN c;\nCREATE INDEX i{number} ON t{number} (c);\n")
    (project / "migrations" / "0040_binary.sql").write_bytes(b"\x00\x01binary\x00" * 64)


def test_the_streamed_text_report_is_the_whole_report_rendered(project):
    from migrationlint.formatters import RenderOptions
    from migrationlint.formatters.text import render

    _more_migrations(project)
    # --fix writes nothing here, but keeps the whole report before rendering it.
    whole = check_text("migrations", "--no-cache", "--fix")
    streamed = check_text("migrations", "--no-cache")
    assert streamed == whole and whole[0] == 1
    assert "warning: migrations/0040_binary.sql" in streamed[1]
    # The same text as formatting the report object.
    from migrationlint.cli import _settings, _Run

    loaded, resolver = _settings(None, None, None, (), ())
    report = _Run(loaded, resolver, ("migrations",), None, 1, True, None).lint()
    assert streamed[1] == render(report, RenderOptions())


def test_worker_processes_render_the_streamed_report(project, monkeypatch):
    _more_migrations(project)
    expected = check_text("migrations", "--no-cache", "--jobs", "1")
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    from_workers = []
    real = parallel._in_processes

    def counted(tasks, workers, job):
        for outcome in real(tasks, workers, job):
            from_workers.append(outcome[0])
            yield outcome

    monkeypatch.setattr(parallel, "_in_processes", counted)
    assert check_text("migrations", "--no-cache", "--jobs", "2") == expected
    # Every file came back from a worker already rendered (no fallback to this process).
    assert len(from_workers) == 40
    assert all(isinstance(result, parallel.RenderedFile) for result in from_workers)
    # With the cache: a cold run (workers also send the JSON to keep) and a warm one.
    assert check_text("migrations", "--jobs", "2") == expected
    assert len(cache_entries(project)) == 40
    assert check_text("migrations", "--jobs", "2") == expected


def test_each_file_is_written_as_soon_as_it_is_ready(project, monkeypatch):
    from migrationlint import engine
    from migrationlint.cli import _settings, _Run

    events = []
    real = parallel._lint_task
    monkeypatch.setattr(parallel, "_lint_task",
                        lambda task: events.append(("lint", task.display)) or real(task))
    loaded, resolver = _settings(None, None, None, (), ())
    run = _Run(loaded, resolver, ("migrations",), None, 1, True, None)
    totals = engine.stream_paths(run._inputs(), lambda findings: f"{len(findings)} findings",
                                 lambda text: events.append(("write", text)), jobs=1)
    assert events == [("lint", "migrations/0001_orders.sql"), ("write", "0 findings"),
                      ("lint", "migrations/0002_rename.sql"), ("write", "1 findings"),
                      ("lint", "migrations/0003_drop.sql"), ("write", "2 findings")]
    assert totals.files == 3 and totals.tally == (3, 0, 0, 2)


@pytest.mark.parametrize("side_file,text", [
    ("flyway.toml", "[flyway]\nmixed = true\n"),  # the project's, above the scripts
    ("sql/V3__idx.sql.conf", "executeInTransaction=false\n"),  # the script's own
])
def test_a_changed_runner_setting_beside_the_file_misses(tmp_path, monkeypatch, side_file, text):
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "V3__idx.sql").write_text(
        "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN b int;\n"
        "CREATE INDEX CONCURRENTLY j ON t (b);\n")
    monkeypatch.chdir(tmp_path)
    _, before = check("sql")
    assert "ML301" in [f["rule"] for f in before["findings"]]
    (tmp_path / side_file).write_text(text)
    _, after = check("sql")
    assert after == check("sql", "--no-cache")[1]
    assert "ML301" not in [f["rule"] for f in after["findings"]]


def test_a_job_that_cannot_reach_the_workers_is_an_error_not_a_slow_run(project, monkeypatch):
    from migrationlint import engine
    from migrationlint.cli import _settings, _Run

    _more_migrations(project)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    loaded, resolver = _settings(None, None, None, (), ())
    inputs = _Run(loaded, resolver, ("migrations",), None, 2, True, None)._inputs()
    local = lambda findings: ""  # noqa: E731 - a local function cannot be pickled
    with pytest.raises(Exception) as raised:
        engine.stream_paths(inputs, local, lambda text: None, jobs=2)
    assert "pickle" in repr(raised.value).lower() or "local" in str(raised.value)


DJANGO_INITIAL = """from django.db import migrations, models

class Migration(migrations.Migration):
    operations = [
        migrations.CreateModel(name="Order", fields=[
            ("id", models.AutoField(primary_key=True)),
            ("note", models.TextField(null=True)),
        ]),
    ]
"""
DJANGO_NOT_NULL = """from django.db import migrations, models

class Migration(migrations.Migration):
    operations = [
        migrations.AlterField(model_name="order", name="note", field=models.TextField()),
    ]
"""


def test_a_changed_earlier_django_migration_misses(tmp_path, monkeypatch):
    # The reader replays 0001 to know whether 0002's AlterField makes the column NOT NULL.
    folder = tmp_path / "shop" / "migrations"
    folder.mkdir(parents=True)
    (folder / "0001_initial.py").write_text(DJANGO_INITIAL)
    (folder / "0002_note_not_null.py").write_text(DJANGO_NOT_NULL)
    monkeypatch.chdir(tmp_path)
    target = "shop/migrations/0002_note_not_null.py"
    assert "ML106" in [f["rule"] for f in check(target)[1]["findings"]]
    (folder / "0001_initial.py").write_text(DJANGO_INITIAL.replace("null=True", "null=False"))
    _, after = check(target)
    assert after == check(target, "--no-cache")[1]
    assert "ML106" not in [f["rule"] for f in after["findings"]]


def test_side_files_are_described_by_content_not_by_size_and_time(tmp_path):
    from migrationlint.cache import describe_files

    side = tmp_path / "flyway.conf"
    side.write_text("flyway.mixed=true\n")
    before = describe_files([str(side), str(tmp_path / "missing.toml")], {})
    stat = side.stat()
    side.write_text("flyway.mixed=fals\n")  # same size, and the same time below
    os.utime(side, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert describe_files([str(side)], {}) != before
    assert "missing.toml" not in before
