"""--dialect mariadb / mysql through the CLI, with the target version."""

from __future__ import annotations

import json

from click.testing import CliRunner

from migrationlint.cli import cli


def run(tmp_path, sql, *args):
    path = tmp_path / "V7__orders.sql"
    path.write_text(sql, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--format", "json", *args, str(path)])
    return result.exit_code, json.loads(result.output)


def test_mariadb_dialect_and_version(tmp_path):
    sql = "ALTER TABLE `orders` ADD COLUMN `note` TEXT NULL AFTER `id`;\n"
    code, report = run(tmp_path, sql, "--dialect", "mariadb", "--target-version", "10.3",
                       "--select", "ML405,ML406")
    assert code == 1
    assert [(f["rule"], f["line"], f["column"]) for f in report["findings"]] == [("ML405", 1, 33)]
    _, newer = run(tmp_path, sql, "--dialect", "mariadb", "--target-version", "10.4",
                   "--select", "ML405,ML406")
    assert [f["rule"] for f in newer["findings"]] == ["ML406"]


def test_clean_mysql_migration_exits_zero(tmp_path):
    sql = "SET SESSION lock_wait_timeout = 5;\nALTER TABLE `orders` ADD COLUMN `note` TEXT NULL, ALGORITHM=INSTANT;\n"
    code, report = run(tmp_path, sql, "--dialect", "mysql")
    assert (code, report["findings"]) == (0, [])
