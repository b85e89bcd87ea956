"""One run over a folder that mixes every supported format lints all of them, and
skips what is not a forward migration."""

from __future__ import annotations

import json

from click.testing import CliRunner

from framework_helpers import FIXTURES
from migrationlint.cli import cli

LINTED = {
    "alembic_project/versions/3f2a9c1d_orders_status.py",
    "django/shop/migrations/0001_initial.py",
    "django/shop/migrations/0002_order_tracking.py",
    "django/shop/migrations/0003_order_indexes_concurrently.py",
    "liquibase/db.changelog-2026-11.xml",
    "liquibase/db.changelog-2026-12.yaml",
    "liquibase/db.changelog-2027-01.json",
    "liquibase/2027-02-shipments.sql",
    "conventions/flyway/V3__orders_status.sql",
    "conventions/flyway/V4__orders_status_concurrently.sql",
    "conventions/flyway/V5__templated.sql",
    "conventions/flyway/R__order_totals_view.sql",
    "conventions/golang-migrate/000012_orders_channel.up.sql",
    "conventions/golang-migrate/000013_orders_placed_idx.up.sql",
    "conventions/dbmate/20261120093000_users_email.sql",
    "conventions/goose/20261210090000_users_nickname.sql",
    "conventions/goose/20261210100000_users_nickname_idx.sql",
    "conventions/sqitch/deploy/users_email.sql",
    "conventions/atlas/20261201090000_payments.sql",
    "conventions/prisma/migrations/20261201090000_init/migration.sql",
    "conventions/diesel/migrations/2026-12-01-000000_add_sku/up.sql",
}


def _run(*args):
    result = CliRunner().invoke(cli, ["check", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_one_run_lints_every_format(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    status, report = _run(".")
    assert status == 1
    assert report["errors"] == []
    assert report["files"] == len(LINTED)
    with_findings = {f["path"] for f in report["findings"]}
    # Every format produced findings, and no skipped file did.
    for expected in ("alembic_project/versions/3f2a9c1d_orders_status.py",
                     "django/shop/migrations/0002_order_tracking.py",
                     "liquibase/db.changelog-2026-11.xml", "liquibase/db.changelog-2026-12.yaml",
                     "liquibase/db.changelog-2027-01.json", "liquibase/2027-02-shipments.sql",
                     "conventions/flyway/V3__orders_status.sql",
                     "conventions/dbmate/20261120093000_users_email.sql",
                     "conventions/sqitch/deploy/users_email.sql",
                     "conventions/prisma/migrations/20261201090000_init/migration.sql"):
        assert expected in with_findings
    assert with_findings <= LINTED


def test_a_non_migration_file_named_explicitly_is_said_skipped_not_linted(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    result = CliRunner().invoke(cli, ["check", "--format", "json", "alembic_project/env.py"])
    report = json.loads(result.stdout)
    assert report["files"] == 0 and report["findings"] == [] and report["errors"] == []
    # No problem in the file: said on standard error, never in the report.
    assert result.stderr == ("migrationlint: warning: alembic_project/env.py: skipped, not a "
                             "migration of a known framework (Alembic, Django, Liquibase)\n")
    assert result.exit_code == 0


def test_convention_from_config_overrides_detection(tmp_path, monkeypatch):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_x.down.sql").write_text("ALTER TABLE t DROP COLUMN c;\n")
    monkeypatch.chdir(tmp_path)
    assert _run("migrations")[1]["files"] == 0  # detected as golang-migrate: skipped
    (tmp_path / "migrationlint.toml").write_text('convention = "plain"\n')
    # About which files are read: the lock-timeout note on the DROP is left out.
    status, report = _run("--ignore", "ML214", "migrations")
    assert report["files"] == 1 and [f["rule"] for f in report["findings"]] == ["ML103"]


def test_unknown_convention_in_config_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "migrationlint.toml").write_text('convention = "flyaway"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "."])
    assert result.exit_code == 2
    assert "convention" in result.output
