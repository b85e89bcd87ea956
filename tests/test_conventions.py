"""Plain-SQL directory conventions: detection, skipped scripts, transaction semantics,
templated SQL and atlas directives."""

from __future__ import annotations

import pytest

from framework_helpers import FIXTURES, lint_file, of_type, read
from helpers import TIMEOUT_NOTES, codes, lint
from migrationlint import model as m
from migrationlint.readers import reason_not_linted
from migrationlint.readers.conventions import detect, skip_reason

CONVENTIONS = FIXTURES / "conventions"


@pytest.mark.parametrize("relative,expected", [
    ("flyway/V3__orders_status.sql", "flyway"),
    ("flyway/R__order_totals_view.sql", "flyway"),
    ("golang-migrate/000012_orders_channel.up.sql", "golang-migrate"),
    ("dbmate/20261120093000_users_email.sql", "dbmate"),
    ("sqitch/deploy/users_email.sql", "sqitch"),
    ("atlas/20261201090000_payments.sql", "atlas"),
    ("prisma/migrations/20261201090000_init/migration.sql", "prisma"),
    ("diesel/migrations/2026-12-01-000000_add_sku/up.sql", "diesel"),
    ("goose/20261210090000_users_nickname.sql", "goose"),
])
def test_detection(relative, expected):
    path = CONVENTIONS / relative
    assert detect(str(path), path.read_text()) == expected


@pytest.mark.parametrize("relative", [
    "flyway/U3__orders_status.sql",
    "golang-migrate/000012_orders_channel.down.sql",
    "sqitch/revert/users_email.sql",
    "sqitch/verify/users_email.sql",
    "diesel/migrations/2026-12-01-000000_add_sku/down.sql",
])
def test_scripts_that_never_run_forward_are_skipped(relative):
    path = str(CONVENTIONS / relative)
    assert skip_reason(path) is not None
    assert reason_not_linted(path) == skip_reason(path)
    # an explicit convention overrides detection
    assert reason_not_linted(path, convention="plain") is None


@pytest.mark.parametrize("name, expected", [
    ("0001_x.up.pgsql", "golang-migrate"),
    ("0001_x.up.ddl", "golang-migrate"),
    ("V1__x.psql", "flyway"),
    ("up.ddl", "diesel"),
    ("0001_x.up.txt", "plain"),  # not a SQL suffix: no runner's name
])
def test_runner_names_are_matched_with_every_sql_suffix(tmp_path, name, expected):
    # The configured extend_sql_suffixes count as the built-in .sql, .pgsql and .psql.
    assert detect(str(tmp_path / name), more_sql=(".ddl",)) == expected
    assert detect(str(tmp_path / name.replace(".ddl", ".sql"))) == expected
    assert detect(str(tmp_path / name)) == ("plain" if name.endswith(".ddl") else expected)


def test_forward_scripts_are_linted():
    assert reason_not_linted(str(CONVENTIONS / "flyway/V3__orders_status.sql")) is None
    assert reason_not_linted(str(CONVENTIONS / "golang-migrate/000012_orders_channel.up.sql")) is None
    assert reason_not_linted(str(CONVENTIONS / "atlas/atlas.sum")) is not None


@pytest.mark.parametrize("relative,expected", [
    ("flyway/V3__orders_status.sql", True),
    ("flyway/V4__orders_status_concurrently.sql", False),  # executeInTransaction=false in .conf
    ("golang-migrate/000012_orders_channel.up.sql", True),  # several statements: implicit
    ("golang-migrate/000013_orders_placed_idx.up.sql", False),  # alone in its file
    ("dbmate/20261120093000_users_email.sql", False),  # transaction:false
    ("sqitch/deploy/users_email.sql", False),  # explicit BEGIN/COMMIT only
    ("atlas/20261201090000_payments.sql", False),  # atlas:txmode none
    ("prisma/migrations/20261201090000_init/migration.sql", True),
    ("diesel/migrations/2026-12-01-000000_add_sku/up.sql", False),  # metadata.toml
    ("goose/20261210090000_users_nickname.sql", True),
    ("goose/20261210100000_users_nickname_idx.sql", False),  # NO TRANSACTION
])
def test_runner_transaction(relative, expected):
    migration = read(CONVENTIONS / relative)
    outside_begin = [s for s in migration.statements if not s.in_transaction]
    assert {migration.runs_in_transaction(s) for s in outside_begin} == {expected}


def test_golang_migrate_on_mysql_has_no_transaction():
    migration = read(CONVENTIONS / "golang-migrate/000012_orders_channel.up.sql", dialect="mysql")
    assert {migration.runs_in_transaction(s) for s in migration.statements} == {False}


def test_sqitch_explicit_transaction_is_seen():
    migration = read(CONVENTIONS / "sqitch/deploy/users_email.sql")
    rename = next(s for s in migration.statements
                  if any(isinstance(o, m.RenameColumn) for o in s.operations))
    assert migration.runs_in_transaction(rename) is True


def test_dbmate_down_section_is_not_linted():
    migration = read(CONVENTIONS / "dbmate/20261120093000_users_email.sql")
    assert of_type(migration, m.DropColumn) == [] and of_type(migration, m.DropIndex) == []
    assert len(of_type(migration, m.RenameColumn)) == 1


def test_dbmate_convention_can_be_forced_and_plain_reads_everything():
    path = CONVENTIONS / "dbmate/20261120093000_users_email.sql"
    assert len(of_type(read(path, convention="plain"), m.DropColumn)) == 1


def test_goose_down_section_is_not_linted():
    migration = read(CONVENTIONS / "goose/20261210090000_users_nickname.sql")
    assert of_type(migration, m.DropColumn) == []
    assert len(of_type(migration, m.AddColumn)) == 1


def test_goose_statement_block_is_one_statement():
    path = CONVENTIONS / "goose/20261210090000_users_nickname.sql"
    block = read(path).statements[1]
    assert block.text.startswith("CREATE PROCEDURE") and block.text.endswith("END")
    assert "ML112" not in [f.rule for f in lint_file(path)]


def test_goose_no_transaction_runs_statements_one_at_a_time():
    path = CONVENTIONS / "goose/20261210100000_users_nickname_idx.sql"
    assert "ML301" not in [f.rule for f in lint_file(path)]
    # Without the annotation goose runs the file in its transaction.
    sql = path.read_text().replace("-- +goose NO TRANSACTION\n", "")
    [finding] = [f for f in lint(sql, path=str(path)) if f.rule == "ML301"]
    assert "in a migration goose runs in a transaction" in finding.message


def test_goose_annotations_are_case_insensitive():
    sql = ("-- +goose no transaction\n-- +goose up\nALTER TABLE t ADD COLUMN b int;\n"
           "CREATE INDEX CONCURRENTLY i ON t (b);\n-- +goose down\nDROP TABLE t;\n")
    found = codes(sql, path="20261210100000_i.sql")
    assert "ML301" not in found and "ML104" not in found


def test_atlas_nolint_is_a_suppression():
    # About suppression: the lock-timeout note (line 5, first ALTER) is left out.
    found = [(f.rule, f.span.line) for f in lint_file(CONVENTIONS / "atlas/20261201090000_payments.sql")
             if f.rule not in TIMEOUT_NOTES]
    assert found == [("ML103", 6)]  # line 5 carries atlas:nolint DS103


def test_atlas_nolint_forms():
    # About suppression: the lock-timeout note on the first ALTER is ignored.
    sql = ("-- atlas:nolint naming\nALTER TABLE t DROP COLUMN b;\n"
           "-- atlas:nolint\nALTER TABLE t RENAME COLUMN c TO d;\n")
    # an analyzer we have no rule for suppresses nothing
    assert codes(sql, ignore=TIMEOUT_NOTES) == ["ML103"]
    assert codes("-- atlas:nolint destructive\n\nALTER TABLE t DROP COLUMN a;\n"
                 "ALTER TABLE t RENAME COLUMN c TO d;\n",
                 ignore=TIMEOUT_NOTES) == ["ML101"]  # header: whole file


def test_placeholders_are_masked_and_restored_in_messages():
    # About placeholders: the lock-timeout note on the first ALTER (line 2) is left out.
    findings = [f for f in lint_file(CONVENTIONS / "flyway/V5__templated.sql")
                if f.rule not in TIMEOUT_NOTES]
    assert [(f.rule, f.span.line) for f in findings] == [("ML103", 4)]
    assert "${schema}" in findings[0].message


@pytest.mark.parametrize("written,shown", [
    ("${schema}", "${schema}"),  # substituted before the database sees it: not quoted
    ("{{ schema }}", "{{ schema }}"),
    ('"${schema}"', '"${schema}"'),  # quoted by its author: kept quoted
])
def test_placeholders_stay_as_written_in_rewrites(written, shown):
    finding, = lint(f"ALTER TABLE {written}.users DROP COLUMN legacy;", ignore=TIMEOUT_NOTES)
    assert f"of {shown}.users" in finding.message
    assert f"ALTER TABLE {shown}.users DROP COLUMN legacy;" in finding.rewrite.steps[-1].sql


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_a_name_built_around_a_placeholder_stays_unquoted(dialect):
    finding, = lint("ALTER TABLE ${prefix}_orders RENAME COLUMN amount TO total;",
                    dialect, ignore=TIMEOUT_NOTES + ("ML406",))
    assert "of ${prefix}_orders to total" in finding.message
    rewrite = "\n".join(step.sql or "" for step in finding.rewrite.steps)
    assert "ALTER TABLE ${prefix}_orders DROP COLUMN amount;" in rewrite
    # The generated trigger name is templated the same way, and not quoted either.
    assert "CREATE TRIGGER ${prefix}_orders_sync_total_trg" in rewrite


@pytest.mark.parametrize("sql", [
    "ALTER TABLE {{ table }} ADD COLUMN {{ col }} int;",
    "{% for t in tables %}\nALTER TABLE {{ t }} ADD COLUMN x int;\n{% endfor %}",
    "INSERT INTO t (a) VALUES ('${value}');",
    "CREATE INDEX CONCURRENTLY {{ name }} ON ${schema}.t (a);",
])
def test_templated_sql_gives_no_garbage_findings(sql):
    # The lock-timeout note is a real finding for any ALTER of an existing table,
    # templated or not; garbage would be parse errors or rules misreading placeholders.
    assert codes(sql, ignore=TIMEOUT_NOTES) == []


def test_placeholder_masking_keeps_offsets():
    finding, = lint("ALTER TABLE {{ schema }}.t DROP COLUMN c;", ignore=TIMEOUT_NOTES)
    assert finding.rule == "ML103"
    assert finding.span.column == len("ALTER TABLE {{ schema }}.t DROP COLUMN ") + 1


def test_flyway_runs_a_file_of_only_concurrent_index_builds_outside_a_transaction():
    alone = "CREATE INDEX CONCURRENTLY j ON t (a);\n"
    assert "ML301" not in codes(alone, path="V3__idx.sql")
    [finding] = [f for f in lint(alone + "ALTER TABLE t ADD COLUMN b int;\n", path="V3__idx.sql")
                 if f.rule == "ML301"]
    assert "Flyway refuses it" in finding.message and "mixed=true" in finding.message
    # Flyway does not recognise REINDEX CONCURRENTLY: it runs in Flyway's transaction.
    assert "ML301" in codes("REINDEX TABLE CONCURRENTLY t;\n", path="V3__idx.sql")


def test_golang_migrate_message_names_the_implicit_transaction_not_a_wrapping_runner():
    sql = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
    [finding] = [f for f in lint(sql, path="3_i.up.sql") if f.rule == "ML301"]
    assert "golang-migrate sends in one message" in finding.message
    assert "implicit transaction" in finding.message
    assert "wraps" not in finding.message


def test_flyway_script_config_overrides_its_statement_detection(tmp_path):
    script = tmp_path / "V3__idx.sql"
    script.write_text("CREATE INDEX CONCURRENTLY j ON t (a);\n")
    (tmp_path / "V3__idx.sql.conf").write_text("executeInTransaction=true\n")
    [finding] = [f for f in lint(script.read_text(), path=str(script)) if f.rule == "ML301"]
    assert "in a migration Flyway runs in a transaction" in finding.message
    (tmp_path / "V3__idx.sql.conf").write_text("executeInTransaction=false\n")
    assert "ML301" not in codes(script.read_text(), path=str(script))


@pytest.mark.parametrize("config_name,setting", [
    ("flyway.toml", "[flyway]\nmixed = {}\n"),
    ("flyway.conf", "flyway.url=jdbc:postgresql://db/app\nflyway.mixed={}\n"),
])
def test_flyway_mixed_runs_a_mixed_file_without_a_transaction(tmp_path, config_name, setting):
    scripts = tmp_path / "sql"
    scripts.mkdir()
    script = str(scripts / "V3__idx.sql")
    sql = "ALTER TABLE t ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY j ON t (b);\n"
    assert "ML301" in codes(sql, path=script)  # Flyway refuses the file
    (tmp_path / config_name).write_text(setting.format("true"))
    assert "ML301" not in codes(sql, path=script)
    (tmp_path / config_name).write_text(setting.format("false"))
    assert "ML301" in codes(sql, path=script)
    (tmp_path / config_name).write_text("[flyway\nmixed = = true\n")  # broken: as if unset
    assert "ML301" in codes(sql, path=script)


def test_in_flyway_conf_the_last_mixed_setting_wins(tmp_path):
    (tmp_path / "flyway.conf").write_text("flyway.mixed=true\nflyway.mixed=false\n")
    sql = "ALTER TABLE t ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY j ON t (b);\n"
    assert "ML301" in codes(sql, path=str(tmp_path / "V3__idx.sql"))
    (tmp_path / "flyway.conf").write_text("flyway.mixed=false\nflyway.mixed=true\n")
    assert "ML301" not in codes(sql, path=str(tmp_path / "V3__idx.sql"))


def test_a_file_that_only_mentions_goose_is_not_a_goose_migration():
    text = ("-- +goose annotations are not used here: Flyway runs this file\n"
            "ALTER TABLE users RENAME COLUMN name TO full_name;\n")
    assert detect("V1__rename.sql", text) == "flyway"
    assert "ML101" in codes(text, path="V1__rename.sql")
