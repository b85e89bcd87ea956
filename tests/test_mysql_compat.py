"""Backward compatibility on MySQL/MariaDB (the cross-dialect ML1xx rules, fed by MySQL
syntax) and the MySQL-specific rules ML408-ML411; plus the issue's clean migrations."""

from __future__ import annotations

import pytest

from helpers import codes, lint
from migrationlint.findings import Severity


def only(sql, code, dialect="mysql", version=None):
    found = [f for f in lint(sql, dialect=dialect, version=version) if f.rule == code]
    assert len(found) == 1, [f.rule for f in lint(sql, dialect=dialect, version=version)]
    return found[0]


@pytest.mark.parametrize("sql", [
    "ALTER TABLE `orders` RENAME COLUMN `note` TO `memo`;",
    "ALTER TABLE `orders` CHANGE `note` `memo` TEXT;",
    "ALTER TABLE `orders` CHANGE COLUMN `note` `memo` TEXT NULL, ALGORITHM=INPLACE, LOCK=NONE;",
])
def test_rename_column_forms_trigger_ml101_with_backticked_rewrite(sql):
    finding = only(sql, "ML101")
    assert "`note`" in finding.message and "`memo`" in finding.message
    contract = finding.rewrite.steps[-1].sql
    assert contract.endswith("ALTER TABLE `orders` DROP COLUMN `note`;")
    assert "UPDATE `orders` SET `memo` = `note`" in finding.rewrite.steps[2].instruction


def test_change_keeping_the_name_is_not_a_rename():
    assert "ML101" not in codes("ALTER TABLE orders CHANGE note note TEXT;", dialect="mysql")


def test_drop_column_on_mysql():
    finding = only("ALTER TABLE `order items` DROP COLUMN `legacy flag`, ALGORITHM=INSTANT;", "ML103")
    assert finding.rewrite.steps[-1].sql == (
        "ALTER TABLE `order items` DROP COLUMN `legacy flag`, ALGORITHM=INSTANT;")


def test_add_not_null_column_without_default_on_mysql():
    finding = only("ALTER TABLE `orders` ADD COLUMN `code` VARCHAR(10) NOT NULL;", "ML105")
    assert "implicit zero value" in finding.message
    assert finding.rewrite.steps[0].sql == "ALTER TABLE `orders` ADD COLUMN `code` VARCHAR(10);"
    # Making a column NOT NULL runs in place with writes allowed; the clause keeps it so.
    assert finding.rewrite.steps[-1].sql == (
        "ALTER TABLE `orders` MODIFY `code` VARCHAR(10) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;")
    assert "ML105" not in codes("ALTER TABLE orders ADD COLUMN code VARCHAR(10) NOT NULL DEFAULT '';",
                                dialect="mysql")


def test_compat_rules_skip_tables_created_in_the_file():
    sql = ("CREATE TABLE drafts (id INT PRIMARY KEY, note TEXT);\n"
           "ALTER TABLE drafts CHANGE note memo TEXT, DROP COLUMN id, ADD COLUMN c INT NOT NULL;\n"
           "DROP INDEX idx ON drafts;")
    assert not {"ML101", "ML103", "ML105", "ML408", "ML409"} & set(codes(sql, dialect="mysql"))


@pytest.mark.parametrize("dialect,version,hide", [
    ("mysql", "8.0", "ALTER TABLE `orders` ALTER INDEX `idx_status` INVISIBLE;"),
    ("mysql", "8.4", "ALTER TABLE `orders` ALTER INDEX `idx_status` INVISIBLE;"),
    ("mariadb", "10.6", "ALTER TABLE `orders` ALTER INDEX `idx_status` IGNORED;"),
    ("mysql", "5.7", None),
    ("mariadb", "10.5", None),
])
def test_drop_index_suggests_hiding_it_where_the_version_can(dialect, version, hide):
    finding = only("ALTER TABLE `orders` DROP INDEX `idx_status`;", "ML408", dialect, version)
    first = finding.rewrite.steps[0]
    assert first.sql == hide
    assert finding.rewrite.steps[-1].sql == "DROP INDEX `idx_status` ON `orders`;"


def test_index_created_in_the_same_file_may_be_dropped():
    sql = "CREATE INDEX idx_tmp ON orders (a) ALGORITHM=INPLACE LOCK=NONE;\nDROP INDEX idx_tmp ON orders;"
    assert "ML408" not in codes(sql, dialect="mysql")


# An earlier statement shows the column's current type, so the next MODIFY only adds NOT NULL.
NULLABLE_STATUS = "ALTER TABLE `orders` MODIFY `status` VARCHAR(20) NULL, ALGORITHM=INPLACE, LOCK=NONE;\n"


def test_modify_to_not_null_rewrite_restates_the_column():
    finding = only(NULLABLE_STATUS + "ALTER TABLE `orders` MODIFY `status` VARCHAR(20) NOT NULL "
                   "DEFAULT 'new';", "ML409")
    assert "leaves" not in finding.message  # it has a default: old inserts still work
    assert finding.rewrite.steps[-1].sql == (
        "ALTER TABLE `orders` MODIFY `status` VARCHAR(20) NOT NULL DEFAULT 'new', "
        "ALGORITHM=INPLACE, LOCK=NONE;")
    without_default = only(NULLABLE_STATUS + "ALTER TABLE orders MODIFY status VARCHAR(20) NOT NULL;",
                           "ML409")
    assert "no default" in without_default.message
    assert "ML409" not in codes("ALTER TABLE orders MODIFY status VARCHAR(20) NULL;", dialect="mysql")


def _by_line(sql, dialect="mysql"):
    # ML401/ML411 are about the file (several DDL statements, no lock wait timeout)
    return sorted((f.rule, f.span.line) for f in lint(sql, dialect=dialect)
                  if f.rule not in ("ML401", "ML411"))


def test_type_change_with_not_null_is_one_finding():
    """ML107's expand/contract avoids the copy and carries the NOT NULL, so the online DDL
    rules and ML409 do not repeat the same hazard on the same operation."""
    sql = "ALTER TABLE `order items` MODIFY COLUMN qty BIGINT NOT NULL;"
    assert _by_line(sql) == [("ML107", 1)]
    finding = only(sql, "ML107")
    assert "copies the table" in finding.message and "NOT NULL" in finding.message
    sql_steps = [s.sql for s in finding.rewrite.steps if s.sql]
    # NOT NULL lands on the new column, in place; the type change itself is never
    # proposed with a clause the server refuses for it
    assert ("ALTER TABLE `order items` MODIFY qty_new BIGINT NOT NULL, ALGORITHM=INPLACE, "
            "LOCK=NONE;") in sql_steps
    assert not any("MODIFY COLUMN qty BIGINT" in s for s in sql_steps)


def test_adding_not_null_to_an_unchanged_type_is_ml409_and_the_rebuild_is_ml405():
    found = _by_line(NULLABLE_STATUS + "ALTER TABLE orders MODIFY status VARCHAR(20) NOT NULL;")
    assert [code for code, line in found if line == 2] == ["ML405", "ML409"]
    finding = only(NULLABLE_STATUS + "ALTER TABLE orders MODIFY status VARCHAR(20) NOT NULL;",
                   "ML409")
    assert "rebuild" not in finding.message  # the rebuild is ML405's finding


def test_not_null_contract_step_has_no_clause_the_server_refuses():
    # VARCHAR(40) -> VARCHAR(100) in utf8mb4 crosses the 255-byte length prefix: a copy.
    sql = ("ALTER TABLE orders MODIFY code VARCHAR(40) NULL, ALGORITHM=INPLACE, LOCK=NONE;\n"
           "ALTER TABLE orders MODIFY code VARCHAR(100) NOT NULL;")
    assert [code for code, line in _by_line(sql) if line == 2] == ["ML404", "ML409"]
    restate = only(sql, "ML409").rewrite.steps[-1]
    assert restate.sql == "ALTER TABLE orders MODIFY code VARCHAR(100) NOT NULL;"
    assert "online schema change tool" in restate.title


def test_appending_an_enum_value_is_not_a_type_change():
    sql = ("ALTER TABLE orders MODIFY status ENUM('new','paid'), ALGORITHM=INPLACE, LOCK=NONE;\n"
           "ALTER TABLE orders MODIFY status ENUM('new','paid','refunded');")
    assert ("ML107", 2) not in _by_line(sql)
    assert ("ML107", 2) in _by_line(sql.replace("'paid','refunded'", "'refunded','paid'"))


def test_inline_references_is_not_also_told_to_add_algorithm_instant():
    assert _by_line("ALTER TABLE users ADD COLUMN org_id INT REFERENCES orgs(id);") == [("ML410", 1)]


@pytest.mark.parametrize("dialect,version,fires", [
    ("mysql", "8.0", True), ("mysql", "8.4", True), ("mysql", "9.0", False),
    ("mariadb", "10.4", True), ("mariadb", "10.5", False),
])
def test_inline_references(dialect, version, fires):
    sql = "ALTER TABLE items ADD COLUMN order_id BIGINT REFERENCES orders (id);"
    assert ("ML410" in codes(sql, dialect=dialect, version=version)) is fires


def test_inline_references_rewrite_adds_the_column_then_the_key_without_a_table_copy():
    finding = only("ALTER TABLE `items` ADD COLUMN `order_id` BIGINT REFERENCES `orders` (`id`);", "ML410")
    assert [s.sql for s in finding.rewrite.steps] == [
        "ALTER TABLE `items` ADD COLUMN `order_id` BIGINT NULL, ALGORITHM=INSTANT;",
        # the new column is all NULL: nothing to check, so the key is added in place
        "SET SESSION foreign_key_checks = 0;\n"
        "ALTER TABLE `items` ADD CONSTRAINT items_order_id_fk FOREIGN KEY (`order_id`) "
        "REFERENCES `orders` (`id`), ALGORITHM=INPLACE, LOCK=NONE;\n"
        "SET SESSION foreign_key_checks = 1;",
    ]
    # 5.7 has no INSTANT ADD COLUMN; rows filled by a DEFAULT must be checked (a copy)
    old = only("ALTER TABLE items ADD COLUMN order_id BIGINT DEFAULT 1 REFERENCES orders (id);",
               "ML410", version="5.7")
    assert [s.sql for s in old.rewrite.steps] == [
        "ALTER TABLE items ADD COLUMN order_id BIGINT NULL DEFAULT 1, ALGORITHM=INPLACE, LOCK=NONE;",
        "ALTER TABLE items ADD CONSTRAINT items_order_id_fk FOREIGN KEY (order_id) "
        "REFERENCES orders (id);",
    ]
    assert "pt-online-schema-change" in old.rewrite.steps[1].title


@pytest.mark.parametrize("sql,fires", [
    ("ALTER TABLE orders ADD COLUMN a INT, ALGORITHM=INSTANT;", True),
    ("SET SESSION lock_wait_timeout = 5;\nALTER TABLE orders ADD COLUMN a INT, ALGORITHM=INSTANT;", False),
    ("SET SESSION lock_wait_timeout = 3600;\nALTER TABLE orders ADD COLUMN a INT, ALGORITHM=INSTANT;", True),
    ("CREATE TABLE t (id INT PRIMARY KEY);\nCREATE INDEX i ON t (id);", False),
    ("INSERT INTO t VALUES (1);", False),
])
def test_lock_wait_timeout_note(sql, fires):
    findings = [f for f in lint(sql, dialect="mysql") if f.rule == "ML411"]
    assert bool(findings) is fires
    assert all(f.severity is Severity.NOTE for f in findings)


def test_mariadb_wait_clause_counts_as_a_short_timeout():
    assert "ML411" not in codes("ALTER TABLE orders NOWAIT ADD COLUMN a INT;", dialect="mariadb")


# The "Done when": these migrations produce no warning or error on MySQL and MariaDB.
CLEAN_MIGRATIONS = [
    "CREATE TABLE `payments` (\n  `id` BIGINT NOT NULL AUTO_INCREMENT,\n"
    "  `amount` DECIMAL(12,2) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;",
    "ALTER TABLE `orders` ADD COLUMN `gift_note` TEXT NULL, ALGORITHM=INSTANT;",
    "ALTER TABLE `orders` ADD INDEX `idx_orders_status` (`status`), ALGORITHM=INPLACE, LOCK=NONE;",
    "START TRANSACTION;\nINSERT INTO `countries` (`code`, `name`) VALUES ('NO', 'Norway');\n"
    "INSERT INTO `countries` (`code`, `name`) VALUES ('SE', 'Sweden');\nCOMMIT;",
    "ALTER TABLE `orders` ALTER COLUMN `status` SET DEFAULT 'new';",
]


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize("sql", CLEAN_MIGRATIONS)
def test_clean_migrations_have_no_warning(sql, dialect):
    failing = [f"{f.rule} {f.message}" for f in lint(sql, dialect=dialect) if f.severity.fails_run]
    assert failing == []


def test_not_null_column_is_not_also_told_to_add_algorithm_instant():
    assert _by_line("ALTER TABLE users ADD COLUMN tenant_id INT NOT NULL;") == [("ML105", 1)]
    # without the compatibility hazard, the missing clause is still reported
    assert _by_line("ALTER TABLE users ADD COLUMN tenant_id INT NULL;") == [("ML406", 1)]


def test_sync_triggers_never_copy_an_unfilled_new_column_over_the_old_one():
    finding = only("ALTER TABLE `orders` RENAME COLUMN `note` TO `memo`;", "ML101")
    sql = finding.rewrite.steps[1].sql
    on_update = sql[sql.index("BEFORE UPDATE"):]
    # An UPDATE that touches neither column only fills `memo` ...
    assert ("IF(NOT (NEW.`memo` <=> OLD.`memo`), NEW.`memo`, COALESCE(NEW.`memo`, "
            "NEW.`note`))") in on_update
    # ... and `note` takes `memo` only when the application changed `memo` to a new value.
    assert ("NEW.`note` = IF(NOT (NEW.`note` <=> OLD.`note`) OR NEW.`memo` <=> OLD.`memo`\n"
            "      OR NEW.`memo` <=> NEW.`note`, NEW.`note`, NEW.`memo`);") in on_update
    assert "DELIMITER" not in sql


def test_sync_insert_trigger_prefers_a_written_new_column_over_the_old_ones_default():
    # In a BEFORE INSERT trigger an omitted `locale` already holds its DEFAULT: a new-version
    # INSERT writing only `language` must not keep that default (checked on MariaDB 10.11).
    finding = only("ALTER TABLE `users` RENAME COLUMN `locale` TO `language`;", "ML101")
    sql = finding.rewrite.steps[1].sql
    on_insert = sql[:sql.index("BEFORE UPDATE")]
    assert ("SET NEW.`locale` = IF(NEW.`language` IS NOT NULL, NEW.`language`, NEW.`locale`), "
            "NEW.`language` = COALESCE(NEW.`language`, NEW.`locale`);") in on_insert
    restate = finding.rewrite.steps[-2]
    assert ("ALTER TABLE `users` MODIFY `language` <type> DEFAULT <default> NOT NULL, "
            "ALGORITHM=INPLACE, LOCK=NONE;") in restate.instruction


def test_sync_triggers_live_in_the_table_schema():
    finding = only("ALTER TABLE `a`.`invoices` RENAME COLUMN `total` TO `amount`;", "ML101")
    assert "CREATE TRIGGER `a`.invoices_sync_amount_trg_ins" in finding.rewrite.steps[1].sql
    assert "DROP TRIGGER `a`.invoices_sync_amount_trg_upd;" in finding.rewrite.steps[-1].sql


def test_mysql_backfill_walks_the_key_in_ranges():
    finding = only("ALTER TABLE `t` ADD PRIMARY KEY (`id`);\n"
                   "ALTER TABLE `t` MODIFY `n` BIGINT;", "ML107")
    step = finding.rewrite.steps[2]
    assert step.sql is None
    assert ("UPDATE `t` SET n_new = `n`\nWHERE `id` BETWEEN :last_id + 1 AND :last_id + 1000 "
            "AND (n_new IS NULL AND `n` IS NOT NULL);") in step.instruction


def test_type_change_with_an_online_clause_does_not_claim_a_blocking_copy():
    finding = only("ALTER TABLE users MODIFY status varchar(32) NOT NULL DEFAULT 'new', "
                   "ALGORITHM=INPLACE, LOCK=NONE;", "ML107")
    assert "copies the table" not in finding.message
    assert "runs as its ALGORITHM=INPLACE, LOCK=NONE requests" in finding.message


def test_type_change_refused_by_its_clause_says_so():
    finding = lint("ALTER TABLE t MODIFY n INT;\n"
                   "ALTER TABLE t MODIFY n BIGINT, ALGORITHM=INPLACE, LOCK=NONE;",
                   dialect="mysql", select=["ML107"])[1]
    assert "copies the table" not in finding.message
    assert "is refused by the server as written" in finding.message


def test_type_change_keeps_the_default_and_not_null_of_the_statement():
    finding = only("ALTER TABLE users MODIFY status varchar(32) NOT NULL DEFAULT 'new';", "ML107")
    sql = "\n".join(s.sql or "" for s in finding.rewrite.steps)
    assert "ALTER TABLE users ADD COLUMN status_new VARCHAR(32);" in sql
    assert ("ALTER TABLE users MODIFY status_new VARCHAR(32) DEFAULT 'new' NOT NULL, "
            "ALGORITHM=INPLACE, LOCK=NONE;") in sql


def test_type_change_keeps_the_default_of_a_nullable_column():
    finding = only("ALTER TABLE users MODIFY status varchar(32) DEFAULT 'new';", "ML107")
    sql = "\n".join(s.sql or "" for s in finding.rewrite.steps)
    assert "ALTER TABLE users ALTER COLUMN status_new SET DEFAULT 'new';" in sql


@pytest.mark.parametrize("nullability,restated", [
    ("NOT NULL", "VARCHAR(100) DEFAULT '' COMMENT 'display name' NOT NULL"),
    ("NULL", "VARCHAR(100) NULL DEFAULT '' COMMENT 'display name'"),
])
def test_type_change_restates_every_attribute_of_the_statement(nullability, restated):
    # MODIFY replaces the whole definition: a COMMENT left out of the contract step is lost.
    finding = only(f"ALTER TABLE t MODIFY name VARCHAR(100) {nullability} DEFAULT '' "
                   "COMMENT 'display name';", "ML107")
    sql = "\n".join(s.sql or "" for s in finding.rewrite.steps)
    assert f"ALTER TABLE t MODIFY name_new {restated}, ALGORITHM=INPLACE, LOCK=NONE;" in sql


def _rewrite_text(finding):
    return "\n".join(s.sql or s.instruction or "" for s in finding.rewrite.steps)


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_widening_an_auto_increment_id_moves_auto_increment_at_the_swap(dialect):
    # id_new cannot be AUTO_INCREMENT while id is (ERROR 1075): the contract MODIFY leaves it
    # out, and a step moves it with the key in the statement that drops id.
    finding = only("ALTER TABLE orders MODIFY id BIGINT NOT NULL AUTO_INCREMENT;", "ML107",
                   dialect=dialect)
    sql = "\n".join(s.sql or "" for s in finding.rewrite.steps)
    assert "ALTER TABLE orders MODIFY id_new BIGINT NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;" in sql
    assert "AUTO_INCREMENT" not in sql
    assert ("ALTER TABLE orders DROP COLUMN id, MODIFY id_new BIGINT NOT NULL AUTO_INCREMENT, "
            "ADD PRIMARY KEY (id_new);") in _rewrite_text(finding)


def test_type_change_of_a_generated_column_says_to_recreate_it_generated():
    # Making the plain id_new generated is copy-only (ALGORITHM=INPLACE refused).
    finding = only("ALTER TABLE t MODIFY n BIGINT AS (a + b) STORED NOT NULL;", "ML107")
    sql = "\n".join(s.sql or "" for s in finding.rewrite.steps)
    assert "ALTER TABLE t MODIFY n_new BIGINT NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;" in sql
    assert "GENERATED" not in sql
    assert ("ALTER TABLE t ADD COLUMN n_new BIGINT GENERATED ALWAYS AS (a + b) STORED;"
            in _rewrite_text(finding))


def test_lock_wait_timeout_note_names_the_table():
    [finding] = [f for f in lint("CREATE TABLE audit (id INT);\nALTER TABLE `orders` ADD COLUMN a "
                                 "INT, ALGORITHM=INSTANT;", dialect="mysql") if f.rule == "ML411"]
    assert "exclusive metadata lock on `orders`" in finding.message
    assert "audit" not in finding.message



@pytest.mark.parametrize("version,clause", [
    ("8.0.29", "ALGORITHM=INPLACE, LOCK=NONE"), ("8.0.31", "ALGORITHM=INPLACE, LOCK=NONE"),
    ("8.0.32", "ALGORITHM=INSTANT"),
])
def test_drop_column_rewrite_avoids_instant_on_the_8029_releases(version, clause):
    finding = only("ALTER TABLE shop.users DROP COLUMN legacy_flag;", "ML103", version=version)
    assert finding.rewrite.steps[-1].sql == (
        f"ALTER TABLE shop.users DROP COLUMN legacy_flag, {clause};")


@pytest.mark.parametrize("sql,flagged", [
    ("UPDATE invoices SET paid_at = created_at WHERE status = 'paid' AND paid_at IS NULL "
     "LIMIT 1000;", False),
    ("UPDATE invoices SET paid_at = created_at WHERE id BETWEEN 1 AND 1000 AND paid_at IS NULL;",
     False),
    ("DELETE FROM invoices WHERE id > 1000 AND id <= 2000 AND status = 'void';", False),
    ("UPDATE invoices SET paid_at = created_at WHERE id > 1000 AND paid_at IS NULL;", True),
    ("UPDATE invoices SET paid_at = created_at WHERE created_at BETWEEN '2020-01-01' "
     "AND '2021-01-01';", True),
    # Bounds that cover the whole table are no batch.
    ("UPDATE invoices SET flag = 1 WHERE id BETWEEN 0 AND 9223372036854775807;", True),
    ("UPDATE invoices SET flag = 1 WHERE id BETWEEN (SELECT min(id) FROM invoices) "
     "AND (SELECT max(id) FROM invoices);", True),
    ("UPDATE invoices SET flag = 1 WHERE id >= (SELECT min(id) FROM invoices) "
     "AND id <= (SELECT max(id) FROM invoices);", True),
])
def test_batched_data_changes_are_bounded(sql, flagged):
    assert ("ML501" in codes(sql, dialect="mysql")) is flagged


def test_change_column_rename_recipe_uses_the_stated_definition():
    finding = only("ALTER TABLE t CHANGE COLUMN fname first_name VARCHAR(100) NOT NULL "
                   "DEFAULT '';", "ML101")
    steps = finding.rewrite.steps
    assert steps[0].sql == "ALTER TABLE t ADD COLUMN first_name VARCHAR(100);"
    assert steps[-2].sql == ("ALTER TABLE t MODIFY first_name VARCHAR(100) DEFAULT '' NOT NULL, "
                             "ALGORITHM=INPLACE, LOCK=NONE;")
    assert steps[-1].sql.endswith("ALTER TABLE t DROP COLUMN fname;")


def test_change_column_rename_recipe_restates_the_whole_definition():
    # MODIFY replaces the whole definition: the COMMENT of the CHANGE must be kept.
    finding = only("ALTER TABLE users CHANGE COLUMN nick nick2 VARCHAR(100) NOT NULL "
                   "COMMENT 'n';", "ML101")
    assert finding.rewrite.steps[-2].sql == (
        "ALTER TABLE users MODIFY nick2 VARCHAR(100) COMMENT 'n' NOT NULL, ALGORITHM=INPLACE, "
        "LOCK=NONE;")


def test_change_column_rename_of_an_auto_increment_key_moves_it_at_the_swap():
    finding = only("ALTER TABLE users CHANGE id uid BIGINT NOT NULL AUTO_INCREMENT;", "ML101")
    assert "AUTO_INCREMENT" not in "\n".join(s.sql or "" for s in finding.rewrite.steps)
    assert ("ALTER TABLE users DROP COLUMN id, MODIFY uid BIGINT NOT NULL AUTO_INCREMENT, "
            "ADD PRIMARY KEY (uid);") in _rewrite_text(finding)


def test_recipes_keep_the_column_character_set_and_collation():
    charset = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    modify = only(f"ALTER TABLE posts MODIFY body TEXT {charset} NOT NULL DEFAULT 'x';", "ML107")
    assert modify.rewrite.steps[0].sql == f"ALTER TABLE posts ADD COLUMN body_new TEXT {charset};"
    assert (f"MODIFY body_new TEXT {charset} DEFAULT 'x' NOT NULL"
            in modify.rewrite.steps[-2].sql)
    rename = only("ALTER TABLE posts CHANGE title headline VARCHAR(200) CHARACTER SET latin1 "
                  "COLLATE latin1_bin;", "ML101")
    assert rename.rewrite.steps[0].sql == (
        "ALTER TABLE posts ADD COLUMN headline VARCHAR(200) CHARACTER SET latin1 COLLATE latin1_bin;")


@pytest.mark.parametrize("setting,said", [
    ("SET SESSION lock_wait_timeout = 3600;\n", "this file set lock_wait_timeout to 3600 s"),
    ("SET SESSION lock_wait_timeout = DEFAULT;\n", "defaults to 31536000 s (one year)"),
    ("", "defaults to 31536000 s (one year)"),
])
def test_lock_wait_note_names_the_timeout_in_effect(setting, said):
    finding = only(setting + "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT;", "ML411")
    assert said in finding.message


def test_modify_to_not_null_rewrite_keeps_auto_increment_and_comment():
    # MODIFY replaces the whole definition: a restatement without AUTO_INCREMENT would
    # stop generating ids, one without COMMENT would erase it.
    sql = ("ALTER TABLE `jobs` MODIFY `seq` BIGINT NULL, ALGORITHM=INPLACE, LOCK=NONE;\n"
           "ALTER TABLE `jobs` MODIFY `seq` BIGINT NOT NULL AUTO_INCREMENT COMMENT 'run order';")
    restate = only(sql, "ML409").rewrite.steps[-1]
    assert restate.sql.startswith(
        "ALTER TABLE `jobs` MODIFY `seq` BIGINT NOT NULL AUTO_INCREMENT COMMENT 'run order'")


def test_modify_to_not_null_rewrite_keeps_on_update_and_invisible():
    sql = ("ALTER TABLE jobs MODIFY touched TIMESTAMP NULL, ALGORITHM=INPLACE, LOCK=NONE;\n"
           "ALTER TABLE jobs MODIFY touched TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP "
           "ON UPDATE CURRENT_TIMESTAMP INVISIBLE;")
    restate = only(sql, "ML409").rewrite.steps[-1]
    assert ("TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP() ON UPDATE CURRENT_TIMESTAMP() "
            "INVISIBLE") in restate.sql
