"""Online DDL classification per MySQL/MariaDB version, and ML404-ML407 on top of it."""

from __future__ import annotations

import pytest

from helpers import lint
from migrationlint.mysql_online_ddl import compare_types

ONLINE_RULES = ("ML404", "ML405", "ML406", "ML407", "ML412")


def online(sql, dialect="mysql", version=None):
    """The online DDL verdicts alone (change-column-type supersedes them on type changes)."""
    return [f.rule for f in online_findings(sql, dialect, version)]


def online_findings(sql, dialect="mysql", version=None):
    return lint(sql, dialect=dialect, version=version, select=ONLINE_RULES)


@pytest.mark.parametrize("old,new,charset,expected", [
    ("VARCHAR(40)", "VARCHAR(63)", "utf8mb4", "widen_varchar"),
    ("VARCHAR(63)", "VARCHAR(64)", "utf8mb4", "widen_varchar_across_length_bytes"),
    ("VARCHAR(64)", "VARCHAR(500)", "utf8mb4", "widen_varchar"),
    ("VARCHAR(85)", "VARCHAR(86)", "utf8mb3", "widen_varchar_across_length_bytes"),
    ("VARCHAR(100)", "VARCHAR(255)", "latin1", "widen_varchar"),
    ("VARCHAR(255)", "VARCHAR(256)", "latin1", "widen_varchar_across_length_bytes"),
    ("VARCHAR(80)", "VARCHAR(40)", "utf8mb4", "change_column_type"),
    ("INT", "BIGINT", "utf8mb4", "change_column_type"),
    # Signedness and padding change the stored type: MySQL copies the table.
    ("INT", "INT UNSIGNED", "utf8mb4", "change_column_type"),
    ("BIGINT UNSIGNED", "BIGINT", "utf8mb4", "change_column_type"),
    ("INT", "INT ZEROFILL", "utf8mb4", "change_column_type"),
    ("int unsigned", "INT  UNSIGNED", "utf8mb4", "same_type"),
    ("int", "INT", "utf8mb4", "same_type"),
    ("ENUM('a', 'b')", "ENUM('a','b','c')", "utf8mb4", "append_enum_values"),
    ("ENUM('a','b')", "ENUM('c','a','b')", "utf8mb4", "change_column_type"),
    ("SET('a','b','c','d','e','f','g','h')", "SET('a','b','c','d','e','f','g','h','i')",
     "utf8mb4", "change_column_type"),
])
def test_type_comparison_knows_the_length_prefix_and_enum_storage(old, new, charset, expected):
    assert compare_types(old, new, charset) == expected


@pytest.mark.parametrize("sql,version,expected", [
    # ADD COLUMN: INPLACE rebuild on 5.7 and 8.0.0-8.0.11, INSTANT (last position) from 8.0.12
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL;", "5.7", ["ML405"]),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL;", "8.0.11", ["ML405"]),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL;", "8.0.12", ["ML406"]),
    # ... and in any position from 8.0.29
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL AFTER id;", "8.0.28", ["ML405"]),
    # (on 8.0.29-8.0.31 an INSTANT column change is reported by ML412 instead)
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL AFTER id;", "8.0.29", ["ML412"]),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL AFTER id;", "8.0.32", ["ML406"]),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL AFTER id;", "8.4", ["ML406"]),
    # DROP COLUMN: INSTANT from 8.0.29
    ("ALTER TABLE orders DROP COLUMN note;", "8.0.28", ["ML405"]),
    ("ALTER TABLE orders DROP COLUMN note;", "8.0.29", ["ML412"]),
    ("ALTER TABLE orders DROP COLUMN note;", "8.0.32", ["ML406"]),
    # CONVERT TO CHARACTER SET blocks writes everywhere (COPY on 5.7)
    ("ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4;", "5.7", ["ML404"]),
    ("ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4;", "8.4", ["ML404"]),
    # partition maintenance: not in place on 5.7
    ("ALTER TABLE events ADD PARTITION (PARTITION p9 VALUES LESS THAN (2030));", "5.7", ["ML404"]),
    # 8.0: a RANGE / LIST partition (VALUES) is added in place with writes allowed; HASH /
    # KEY (PARTITIONS n, or no VALUES) redistributes the rows with LOCK=SHARED at best.
    ("ALTER TABLE events ADD PARTITION (PARTITION p9 VALUES LESS THAN (2030));", "8.0", []),
    ("ALTER TABLE events ADD PARTITION (PARTITION p9 VALUES IN (9));", "8.0", []),
    ("ALTER TABLE visits ADD PARTITION PARTITIONS 2;", "8.0", ["ML404"]),
    ("ALTER TABLE visits ADD PARTITION (PARTITION p4);", "8.0", ["ML404"]),
    ("ALTER TABLE events REMOVE PARTITIONING;", "8.0", ["ML404"]),
    # INSTANT does not exist on 5.7
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;", "5.7", ["ML407"]),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;", "8.0.12", []),
])
def test_mysql_version_matrix(sql, version, expected):
    assert online(sql, version=version) == expected


@pytest.mark.parametrize("sql,version,expected", [
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL AFTER id;", "10.3", ["ML405"]),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL AFTER id;", "10.4", ["ML406"]),
    ("ALTER TABLE orders DROP COLUMN note;", "10.3", ["ML405"]),
    ("ALTER TABLE orders FORCE, ALGORITHM=COPY;", "10.11", ["ML404"]),
    # MariaDB 11.4 copies with LOCK=NONE: still a rebuild, but writes continue
    ("ALTER TABLE orders FORCE, ALGORITHM=COPY;", "11.4", ["ML405"]),
    ("ALTER ONLINE TABLE orders ADD INDEX idx_status (status);", "10.11", []),
    ("ALTER TABLE orders ENGINE=InnoDB, ALGORITHM=NOCOPY;", "10.11", ["ML407"]),
])
def test_mariadb_versions(sql, version, expected):
    assert online(sql, dialect="mariadb", version=version) == expected


@pytest.mark.parametrize("sql,expected", [
    ("ALTER TABLE orders MODIFY total BIGINT NOT NULL;", ["ML404"]),
    ("ALTER TABLE orders MODIFY total BIGINT NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;", []),
    ("ALTER TABLE orders CHANGE `total` `amount` DECIMAL(12,2), ALGORITHM=INSTANT;", []),
    ("ALTER TABLE orders ADD FULLTEXT INDEX ft_note (note);", ["ML404"]),
    ("ALTER TABLE orders ADD FULLTEXT INDEX ft_note (note), LOCK=NONE;", ["ML407"]),
    ("CREATE SPATIAL INDEX sp_loc ON shops (location);", ["ML404"]),
    ("ALTER TABLE orders DROP PRIMARY KEY;", ["ML404"]),
    ("ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, created_at);", ["ML405"]),
    ("ALTER TABLE orders ADD COLUMN total_cents BIGINT AS (total * 100) STORED;", ["ML404"]),
    ("ALTER TABLE orders ADD COLUMN total_cents BIGINT AS (total * 100) VIRTUAL;", []),
    ("ALTER TABLE orders ADD COLUMN seen_at DATETIME DEFAULT (NOW());", ["ML404"]),
    ("ALTER TABLE orders ADD COLUMN seq INT NOT NULL AUTO_INCREMENT UNIQUE;", ["ML404"]),
    ("ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id);",
     ["ML404"]),
    ("SET foreign_key_checks = 0;\nALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY "
     "(customer_id) REFERENCES customers (id), ALGORITHM=INPLACE, LOCK=NONE;", []),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL, LOCK=SHARED;", ["ML404"]),
    ("ALTER TABLE orders ALGORITHM=COPY, ADD COLUMN note TEXT NULL;", ["ML404"]),
    ("ALTER TABLE orders ROW_FORMAT=DYNAMIC;", ["ML405"]),
    ("ALTER TABLE orders ENGINE=MyISAM;", ["ML404"]),
    ("OPTIMIZE TABLE orders;", ["ML405"]),
    ("ALTER TABLE orders ADD INDEX idx_status (status), ALGORITHM=INSTANT;", ["ML407"]),
    ("ALTER TABLE orders MODIFY status ENUM('new','paid');\n"
     "ALTER TABLE orders MODIFY status ENUM('new','paid','refunded');", ["ML404"]),
    ("ALTER TABLE orders MODIFY status ENUM('new','paid');\n"
     "ALTER TABLE orders MODIFY status ENUM('paid','new');", ["ML404", "ML404"]),
])
def test_operations_on_mysql_80(sql, expected):
    assert online(sql) == expected


@pytest.mark.parametrize("sql", [
    "CREATE TABLE payments (id BIGINT PRIMARY KEY, amount DECIMAL(12,2) NOT NULL);",
    "ALTER TABLE orders ADD COLUMN gift_note TEXT NULL, ALGORITHM=INSTANT;",
    "ALTER TABLE orders ADD INDEX idx_status (status), ALGORITHM=INPLACE, LOCK=NONE;",
    "CREATE INDEX idx_status ON orders (status) ALGORITHM=INPLACE LOCK=NONE;",
    "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';",
    "ALTER TABLE orders RENAME INDEX idx_a TO idx_b;",
    "DROP INDEX idx_a ON orders;",
    "CREATE TABLE t (id INT PRIMARY KEY);\nALTER TABLE t ADD COLUMN x INT, MODIFY id BIGINT;\n"
    "OPTIMIZE TABLE t;",
])
def test_clean_and_new_table_statements(sql):
    assert online(sql) == []


def test_varchar_widening_uses_the_type_from_earlier_in_the_file():
    sql = (
        "ALTER TABLE users MODIFY nickname VARCHAR(40), ALGORITHM=INPLACE, LOCK=NONE;\n"
        "ALTER TABLE users MODIFY nickname VARCHAR(60);\n"
        "ALTER TABLE users MODIFY nickname VARCHAR(120);\n"
        "ALTER TABLE users MODIFY nickname VARCHAR(500) CHARACTER SET latin1;\n"
    )
    findings = online_findings(sql)
    assert [(f.rule, f.span.line) for f in findings] == [("ML404", 3), ("ML404", 4)]
    assert "across the 255-byte" in findings[0].message and "utf8mb4" in findings[0].message
    assert "latin1: up to 1 byte per character" in findings[1].message


def test_blocking_rewrite_has_real_names_and_tool_command_lines():
    sql = "ALTER TABLE `shop`.`order items` MODIFY `qty` BIGINT NOT NULL DEFAULT 0;"
    [finding] = online_findings(sql)
    steps = finding.rewrite.steps
    assert steps[0].sql == ("ALTER TABLE `shop`.`order items` MODIFY `qty` BIGINT NOT NULL DEFAULT 0, "
                            "ALGORITHM=INPLACE, LOCK=NONE;")
    assert steps[1].instruction.startswith(
        "gh-ost --host=<host> --user=<user> --ask-pass --database=shop --table='order items' "
        "--alter='MODIFY `qty` BIGINT NOT NULL DEFAULT 0' ")
    assert "D=shop,t=order items" in steps[2].instruction
    assert "--alter='MODIFY `qty` BIGINT NOT NULL DEFAULT 0'" in steps[2].instruction


def test_tool_command_quotes_string_literals_for_the_shell():
    [finding] = online_findings("ALTER TABLE orders MODIFY status VARCHAR(20) DEFAULT 'new';")
    assert "--alter='MODIFY status VARCHAR(20) DEFAULT '\"'\"'new'\"'\"''" in finding.rewrite.steps[1].instruction


def test_missing_clause_rewrite_appends_the_clause():
    [add] = [f for f in lint("ALTER TABLE orders ADD COLUMN note TEXT;", dialect="mysql")
             if f.rule == "ML406"]
    assert add.rewrite.steps[0].sql == "ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;"


@pytest.mark.parametrize("command", [
    "DROP PARTITION p2029", "TRUNCATE PARTITION p2029", "ANALYZE PARTITION p2029",
])
def test_partition_command_gets_the_clause_before_it_on_mysql(command):
    [refused] = online_findings(f"ALTER TABLE events ALGORITHM=INSTANT, {command};")
    assert refused.rule == "ML407"
    assert refused.rewrite.steps[0].sql == (
        f"ALTER TABLE events ALGORITHM=INPLACE, LOCK=NONE, {command};")


@pytest.mark.parametrize("sql,fixed", [
    ("ALTER TABLE events ADD PARTITION (PARTITION p3 VALUES LESS THAN (2025)), "
     "ALGORITHM=INPLACE, LOCK=NONE;",
     "ALTER TABLE events ALGORITHM=INPLACE, LOCK=NONE, ADD PARTITION (PARTITION p3 VALUES "
     "LESS THAN (2025));"),
    ("ALTER TABLE logs DROP PARTITION p2023, ALGORITHM=INPLACE;",
     "ALTER TABLE logs ALGORITHM=INPLACE, LOCK=NONE, DROP PARTITION p2023;"),
])
def test_clause_after_a_partition_command_is_refused_on_mysql(sql, fixed):
    # MySQL 8's grammar takes ALGORITHM=/LOCK= only before a partition command (ERROR 1064).
    [refused] = online_findings(sql)
    assert refused.rule == "ML407" and "after the partition command" in refused.message
    assert "ERROR 1064" in refused.message
    assert refused.rewrite.steps[0].sql == fixed


def test_partition_command_gets_no_clause_on_mariadb():
    # MariaDB 10.11 adds a RANGE partition in place and redistributes a HASH table's rows
    # with writes blocked; it rejects ALGORITHM/LOCK anywhere in a partition command.
    assert online("ALTER TABLE events ADD PARTITION (PARTITION p2030 VALUES LESS THAN (2031));",
                  dialect="mariadb", version="10.11") == []
    [blocks] = online_findings("ALTER TABLE visits ADD PARTITION PARTITIONS 2;", "mariadb", "10.11")
    assert blocks.rule == "ML404"
    [refused] = online_findings("ALTER TABLE events DROP PARTITION p2029, ALGORITHM=INPLACE;",
                                "mariadb", "10.11")
    assert refused.rule == "ML407" and "ERROR 1064" in refused.message
    assert [step.sql for step in refused.rewrite.steps] == [None]


def test_foreign_key_rewrite_disables_checks_around_an_inplace_add():
    sql = "ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id);"
    [finding] = [f for f in lint(sql, dialect="mysql") if f.rule == "ML404"]
    assert finding.rewrite.steps[1].sql == (
        "SET SESSION foreign_key_checks = 0;\n"
        "ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id), "
        "ALGORITHM=INPLACE, LOCK=NONE;\nSET SESSION foreign_key_checks = 1;")
    assert not any("gh-ost" in (s.instruction or "") for s in finding.rewrite.steps)


@pytest.mark.parametrize("sql,version,expected", [
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL;", "8.0.29", ["ML412"]),
    ("ALTER TABLE orders DROP COLUMN note, ALGORITHM=INSTANT;", "8.0.31", ["ML412"]),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INPLACE, LOCK=NONE;", "8.0.29", []),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;", "8.0.32", []),
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL, ALGORITHM=INSTANT;", "8.0", []),
])
def test_instant_defect_releases(sql, version, expected):
    assert online(sql, version=version) == expected


def test_an_instant_change_next_to_a_non_instant_one_rebuilds():
    sql = "ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ADD INDEX idx_s (shipped_at);"
    [finding] = [f for f in lint(sql, dialect="mysql") if f.rule in ONLINE_RULES]
    assert finding.rule == "ML405" and "not INSTANT next to" in finding.message
    assert online("ALTER TABLE orders ADD COLUMN a INT, ADD INDEX i (a), ALGORITHM=INSTANT;") == ["ML407"]
    # SET DEFAULT is instant too, so the statement stays instant
    assert online("ALTER TABLE orders ADD COLUMN a INT, ALTER COLUMN b SET DEFAULT 1, "
                  "ALGORITHM=INSTANT;") == []


@pytest.mark.parametrize("sql,hint", [
    ("ALTER TABLE t MODIFY code VARCHAR(100);", "widening from VARCHAR(63) or shorter copies"),
    ("ALTER TABLE t MODIFY code VARCHAR(40);", "1-byte length prefix"),
    ("ALTER TABLE t MODIFY code VARCHAR(300) CHARACTER SET latin1;", "widening from VARCHAR(255) or shorter"),
    ("ALTER TABLE t MODIFY code VARCHAR(100) CHARACTER SET utf8mb3;", "widening from VARCHAR(85) or shorter"),
])
def test_unknown_old_varchar_explains_the_length_prefix_of_the_new_type(sql, hint):
    [finding] = online_findings(sql)
    assert finding.rule == "ML404" and hint in finding.message


def test_mariadb_rewrite_uses_pt_online_schema_change_only():
    [finding] = online_findings("ALTER TABLE orders MODIFY total BIGINT;", dialect="mariadb")
    assert "with pt-online-schema-change." in finding.rewrite.summary
    tools = [s.instruction.split()[0] for s in finding.rewrite.steps if s.instruction]
    assert tools == ["pt-online-schema-change"]


@pytest.mark.parametrize("sql,dialect,version", [
    ("ALTER TABLE orders ADD COLUMN note TEXT;", "mysql", None),                        # ML406
    ("ALTER TABLE orders ADD COLUMN a INT, ADD INDEX i (a);", "mysql", None),           # ML405
    ("ALTER TABLE orders ADD FULLTEXT INDEX ft_note (note);", "mysql", None),           # ML404
    ("ALTER TABLE orders ADD COLUMN note TEXT NULL;", "mysql", "8.0.29"),               # ML412
    ("ALTER TABLE orders ADD COLUMN a INT, ADD INDEX i (a);", "mariadb", None),
])
def test_messages_open_with_a_capital(sql, dialect, version):
    [finding] = online_findings(sql, dialect, version)
    assert finding.message[0].isupper(), finding.message


def test_rebuild_summary_names_only_the_tools_its_steps_use():
    sql = "ALTER TABLE orders ADD COLUMN a INT, ADD INDEX i (a);"
    [mariadb] = online_findings(sql, "mariadb")
    assert mariadb.rule == "ML405" and "gh-ost" not in mariadb.rewrite.summary
    assert not any("gh-ost" in (s.instruction or "") for s in mariadb.rewrite.steps)
    [mysql] = online_findings(sql)
    assert "gh-ost" in mysql.rewrite.summary and any(
        (s.instruction or "").startswith("gh-ost") for s in mysql.rewrite.steps)


def test_rebuild_rewrite_only_asks_for_a_clause_the_server_supports():
    # MariaDB 11.4 copies with writes allowed (ML405), but INPLACE would be refused.
    [finding] = online_findings("ALTER TABLE orders ENGINE=Aria;", "mariadb", "11.4")
    assert finding.rule == "ML405"
    assert not any("ALGORITHM=INPLACE" in (s.sql or "") for s in finding.rewrite.steps)
    assert "on small tables" not in finding.rewrite.summary


@pytest.mark.parametrize("sql", [
    "CREATE INDEX idx_email ON users (email);",
    "ALTER TABLE users ADD INDEX idx_email (email);",
    "ALTER TABLE users ADD UNIQUE INDEX uq_email (email);",
    "ALTER TABLE users DROP INDEX idx_email;",
    "ALTER TABLE users RENAME INDEX idx_a TO idx_b;",
])
@pytest.mark.parametrize("version", ["5.7", "8.0", "8.4"])
def test_secondary_index_changes_are_online_by_default_and_not_flagged(sql, version):
    # INPLACE with concurrent DML whatever the table: no silent fallback to warn about.
    assert online(sql, version=version) == []


def test_missing_clause_is_a_note_that_gives_the_reasons_of_its_operation():
    [add] = online_findings("ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL;")
    assert (add.rule, add.severity.value) == ("ML406", "note")
    assert "FULLTEXT index" in add.message and "64 row versions" in add.message
    [mariadb] = online_findings("ALTER TABLE users DROP COLUMN nick;", "mariadb", "10.11")
    assert "ROW_FORMAT=COMPRESSED" in mariadb.message and "64 row versions" not in mariadb.message


@pytest.mark.parametrize("sql,version,expected", [
    ("ALTER TABLE `users` ADD COLUMN `nick` TEXT NULL;", "8.0", ["ML406"]),
    ("ALTER TABLE `users` DROP COLUMN `nick`;", "8.0.32", ["ML406"]),
    ("ALTER TABLE `users` ADD COLUMN `nick` TEXT NULL, ALGORITHM=INSTANT;", "8.0", []),
    ("ALTER TABLE `users` ADD INDEX `idx_email` (`email`);", "8.0", []),
    ("ALTER TABLE `users` MODIFY `total` BIGINT NOT NULL;", "8.0", ["ML404"]),
])
def test_version_comment_statement_is_judged_like_the_bare_one(sql, version, expected):
    wrapped = f"/*!50700 {sql[:-1]} */;"
    assert online(sql, version=version) == expected
    findings = online_findings(wrapped, version=version)
    assert [f.rule for f in findings] == expected
    bare = online_findings(sql, version=version)
    assert [[s.sql for s in f.rewrite.steps] for f in findings] == [
        [s.sql for s in f.rewrite.steps] for f in bare]


def test_appending_enum_values_while_making_the_column_not_null_is_not_instant():
    sql = ("ALTER TABLE t MODIFY state ENUM('open','closed') NULL, ALGORITHM=INSTANT;\n"
           "ALTER TABLE t MODIFY state ENUM('open','closed','stale') NOT NULL;\n")
    findings = lint(sql, dialect="mysql")
    [rebuild] = [f for f in findings if f.rule in ONLINE_RULES]
    assert (rebuild.rule, rebuild.span.line) == ("ML405", 2)
    [not_null] = [f for f in findings if f.rule == "ML409"]
    assert not_null.rewrite.steps[-1].sql == (
        "ALTER TABLE t MODIFY state ENUM('open', 'closed', 'stale') NOT NULL, "
        "ALGORITHM=INPLACE, LOCK=NONE;")



def test_restating_a_column_the_file_showed_not_null_changes_no_nullability():
    sql = ("ALTER TABLE t MODIFY c VARCHAR(20) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;\n"
           "ALTER TABLE t MODIFY c VARCHAR(20) NOT NULL DEFAULT 'x';\n")
    assert [f.rule for f in lint(sql, dialect="mysql") if f.rule in ONLINE_RULES + ("ML409",)] == []


@pytest.mark.parametrize("sql", [
    "DROP INDEX `PRIMARY` ON audit_events;",
    "ALTER TABLE audit_events DROP INDEX `primary`;",
])
def test_dropping_the_index_named_primary_drops_the_primary_key(sql):
    findings = lint(sql, dialect="mysql", ignore=("ML411",))
    assert [f.rule for f in findings] == ["ML404"]
    assert "dropping the primary key" in findings[0].message
    assert "--table=audit_events --alter='DROP " in findings[0].rewrite.steps[0].instruction


@pytest.mark.parametrize("sql,dialect,version,expected", [
    ("ALTER TABLE t ENGINE=InnoDB, ALGORITHM=COPY, LOCK=NONE;", "mysql", None, ["ML407"]),
    ("ALTER TABLE t ENGINE=InnoDB, ALGORITHM=COPY, LOCK=NONE;", "mariadb", "10.11", ["ML407"]),
    ("ALTER TABLE t ENGINE=InnoDB, ALGORITHM=COPY, LOCK=NONE;", "mariadb", "11.4", ["ML405"]),
    ("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT, LOCK=NONE;", "mysql", None, ["ML407"]),
    ("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT, LOCK=DEFAULT;", "mysql", None, []),
])
def test_clause_combinations_the_server_refuses(sql, dialect, version, expected):
    assert online(sql, dialect, version) == expected


def test_refused_instant_lock_combination_suggests_instant_alone():
    [finding] = online_findings("ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT, LOCK=NONE;")
    assert finding.rewrite.steps[0].sql == "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT;"
