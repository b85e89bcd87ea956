"""MySQL / MariaDB statements normalise into the operation model: ALGORITHM/LOCK clauses,
table options, index kinds, and the forms sqlglot keeps as Command or rejects."""

from __future__ import annotations

import pytest

from helpers import lint
from migrationlint import model as m
from migrationlint.readers import read_migration
from migrationlint.source import SourceFile
from migrationlint.versions import Version


def operations(sql: str, dialect: str = "mysql"):
    migration = read_migration(SourceFile("m.sql", sql), dialect, Version("8.0"))
    assert [s.error for s in migration.statements if s.error] == []
    return [op for s in migration.statements for op in s.operations]


def only(sql: str, kind: type, dialect: str = "mysql"):
    found = [op for op in operations(sql, dialect) if isinstance(op, kind)]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
def test_algorithm_and_lock_clauses_of_alter_table(dialect):
    sql = "ALTER TABLE `orders` ADD COLUMN `note` TEXT NULL, ALGORITHM=INPLACE, LOCK=NONE;"
    clauses = only(sql, m.OnlineDdlClauses, dialect)
    assert (clauses.algorithm, clauses.lock) == ("INPLACE", "NONE")
    assert clauses.table.name == m.Ident(name="orders", quoted=True)
    assert only(sql, m.AddColumn, dialect).column.name.name == "note"


def test_create_index_with_algorithm_is_recognised_with_exact_span():
    sql = "SELECT 1;\nCREATE INDEX idx_total ON `orders` (total, `note`(10)) ALGORITHM=INPLACE LOCK=NONE;"
    index = only(sql, m.CreateIndex)
    assert index.columns_sql == ("total", "`note`(10)")
    assert (index.span.line, index.span.column, index.span.end_column) == (2, 27, 35)
    assert only(sql, m.OnlineDdlClauses).lock == "NONE"


@pytest.mark.parametrize("sql,kind", [
    ("CREATE FULLTEXT INDEX ft_body ON posts (body);", "fulltext"),
    ("CREATE SPATIAL INDEX sp_geo ON shops (location);", "spatial"),
    ("ALTER TABLE posts ADD FULLTEXT INDEX ft_body (body);", "fulltext"),
    ("ALTER TABLE shops ADD SPATIAL KEY sp_geo (location);", "spatial"),
    ("ALTER TABLE posts ADD INDEX idx_author (author_id);", None),
])
def test_index_kinds(sql, kind):
    assert only(sql, m.CreateIndex).index_kind == kind


def test_drop_index_with_clauses_which_sqlglot_rejects():
    ops = operations("DROP INDEX idx_total ON orders ALGORITHM=INPLACE LOCK=NONE;")
    assert isinstance(ops[0], m.DropIndex) and ops[0].table.name.name == "orders"
    assert isinstance(ops[1], m.OnlineDdlClauses) and ops[1].algorithm == "INPLACE"


def test_alter_table_drop_index_names_its_table():
    drop = only("ALTER TABLE orders DROP INDEX idx_total;", m.DropIndex)
    assert (drop.name.name.name, drop.table.name.name) == ("idx_total", "orders")


def test_rename_table_list():
    renames = [op for op in operations("RENAME TABLE a TO b, `c` TO archive.d;")
               if isinstance(op, m.RenameTable)]
    assert [(r.table.name.name, r.new_name.display) for r in renames] == [("a", "b"), ("c", "archive.d")]
    assert renames[1].span.column == 22


def test_convert_to_character_set_next_to_ordinary_clauses():
    sql = ("ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci, "
           "ADD COLUMN x INT, ALGORITHM=INPLACE, LOCK=NONE;")
    option = only(sql, m.TableOption)
    assert (option.option, option.value) == ("convert_charset", "utf8mb4")
    assert only(sql, m.AddColumn).column.name.name == "x"
    assert only(sql, m.OnlineDdlClauses).lock == "NONE"


@pytest.mark.parametrize("sql,option,value", [
    ("ALTER TABLE t ENGINE=InnoDB;", "engine", "InnoDB"),
    ("ALTER TABLE t ROW_FORMAT=COMPRESSED;", "row_format", "COMPRESSED"),
    ("ALTER TABLE t KEY_BLOCK_SIZE=8;", "key_block_size", "8"),
    ("ALTER TABLE t DEFAULT CHARACTER SET utf8mb4;", "charset", "utf8mb4"),
    ("ALTER TABLE t FORCE;", "force", None),
])
def test_table_options(sql, option, value):
    found = only(sql, m.TableOption)
    assert (found.option, found.value) == (option, value)


@pytest.mark.parametrize("sql,action", [
    ("ALTER TABLE t PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10));", "partition_by"),
    ("ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4;", "partition_by"),
    ("ALTER TABLE t REMOVE PARTITIONING;", "remove_partitioning"),
    ("ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (2000));", "add"),
    ("ALTER TABLE t DROP PARTITION p0, p1;", "drop"),
    ("ALTER TABLE t REORGANIZE PARTITION p0 INTO (PARTITION p0a VALUES LESS THAN (5));", "reorganize"),
])
def test_partition_changes(sql, action):
    assert only(sql, m.PartitionChange).action == action


@pytest.mark.parametrize("sql,partitioning", [
    ("ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (2000));", "range"),
    ("ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES IN (1, 2));", "range"),
    ("ALTER TABLE t ADD PARTITION PARTITIONS 2;", "hash"),
    ("ALTER TABLE t ADD PARTITION (PARTITION p3);", "hash"),
    # The word inside a string or a quoted name is no VALUES.
    ("ALTER TABLE t ADD PARTITION (PARTITION p3 COMMENT 'values');", "hash"),
    ("ALTER TABLE t ADD PARTITION (PARTITION `values`);", "hash"),
    ("ALTER TABLE t ADD PARTITION (PARTITION p2 HISTORY);", "range"),
])
def test_added_partition_shows_the_partitioning(sql, partitioning):
    assert only(sql, m.PartitionChange).partitioning == partitioning


def test_primary_key_index_visibility_and_rename_index():
    ops = operations(
        "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, b), ALTER INDEX i INVISIBLE, "
        "RENAME INDEX a TO b;"
    )
    kinds = [type(op).__name__ for op in ops]
    assert kinds == ["DropPrimaryKey", "AddConstraint", "AlterIndexVisibility", "RenameIndex"]
    assert ops[2].visible is False


def test_optimize_table_and_add_check():
    assert [op.table.name.name for op in operations("OPTIMIZE TABLE orders, `line items`;")] == [
        "orders", "line items"]
    check = only("ALTER TABLE orders ADD CHECK (total >= 0);", m.AddConstraint)
    assert (check.kind, check.expression_sql) == ("check", "(total >= 0)")


def test_modify_and_change_keep_the_restated_definition():
    change = operations("ALTER TABLE t CHANGE `note` `memo` VARCHAR(100) CHARACTER SET latin1 NOT NULL AFTER id;")
    assert isinstance(change[0], m.RenameColumn)
    definition = change[1].definition
    assert (definition.charset, definition.position, change[1].not_null) == ("latin1", "AFTER id", True)


def test_mariadb_online_wait_and_nowait():
    online = operations("ALTER ONLINE TABLE t ADD COLUMN x INT;", "mariadb")
    assert [type(op).__name__ for op in online] == ["AddColumn", "OnlineDdlClauses"]
    assert online[1].lock == "NONE"
    assert isinstance(only("ALTER TABLE t WAIT 5 DROP COLUMN x;", m.DropColumn, "mariadb"), m.DropColumn)
    assert isinstance(only("ALTER TABLE t NOWAIT DROP COLUMN x;", m.DropColumn, "mariadb"), m.DropColumn)


def test_version_comments_and_delimiter_blocks_end_to_end():
    sql = (
        "/*!40101 SET NAMES utf8mb4 */;\n"
        "CREATE TABLE t2 (id INT) /*!50100 PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10)) */;\n"
        "DELIMITER $$\n"
        "CREATE DEFINER=`root`@`localhost` TRIGGER trg BEFORE INSERT ON t2\n"
        "FOR EACH ROW BEGIN SET NEW.id = 1; END$$\n"
        "DELIMITER ;\n"
        "ALTER TABLE `t2` ADD COLUMN `x` INT;\n"
    )
    migration = read_migration(SourceFile("m.sql", sql), "mysql", Version("8.0"))
    assert [s.error for s in migration.statements] == [None] * 4
    assert [s.span.line for s in migration.statements] == [1, 2, 4, 7]
    assert isinstance(migration.statements[2].operations[0], m.RawStatement)
    assert isinstance(migration.statements[3].operations[0], m.AddColumn)


def test_mariadb_ignored_indexes_and_guarded_index():
    ops = operations("ALTER TABLE t ALTER INDEX i NOT IGNORED, ADD INDEX IF NOT EXISTS i2 (b, c), "
                     "ALGORITHM=NOCOPY;", "mariadb")
    assert [type(op).__name__ for op in ops] == ["AlterIndexVisibility", "CreateIndex", "OnlineDdlClauses"]
    assert ops[0].visible is True and ops[1].if_not_exists and ops[1].columns_sql == ("b", "c")
    assert only("ALTER TABLE t ALTER INDEX i IGNORED;", m.AlterIndexVisibility, "mariadb").visible is False


def test_guarded_column_changes():
    assert only("ALTER TABLE t ADD COLUMN IF NOT EXISTS x INT;", m.AddColumn, "mariadb").if_not_exists
    assert only("ALTER TABLE t DROP COLUMN IF EXISTS x;", m.DropColumn, "mariadb").if_exists


def test_several_unparseable_clauses_around_ordinary_ones():
    ops = operations("ALTER TABLE t ADD COLUMN x INT, CONVERT TO CHARACTER SET utf8mb4, "
                     "ADD CHECK (a > 0), ADD COLUMN y INT;")
    assert sorted(type(op).__name__ for op in ops) == [
        "AddColumn", "AddColumn", "AddConstraint", "TableOption"]


@pytest.mark.parametrize("sql,kind", [
    ("ALTER TABLE `orders` RENAME TO `purchases`;", m.RenameTable),
    ("DROP TABLE IF EXISTS `orders`;", m.DropTable),
    ("ALTER TABLE `orders` DROP COLUMN `note`;", m.DropColumn),
    ("ALTER TABLE `orders` ADD COLUMN `note` TEXT;", m.AddColumn),
    ("ALTER TABLE `orders` RENAME COLUMN `note` TO `memo`;", m.RenameColumn),
])
def test_backward_compatibility_operations_from_mysql_syntax(sql, kind):
    assert only(sql, kind).table.name == m.Ident(name="orders", quoted=True)


def test_mariadb_create_or_replace_trigger_and_index():
    sql = ("DELIMITER //\nCREATE OR REPLACE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW "
           "BEGIN SET NEW.a = 1; END//\nDELIMITER ;\nCREATE OR REPLACE INDEX i ON t (a);\n")
    ops = operations(sql, "mariadb")
    assert [type(op).__name__ for op in ops] == ["RawStatement", "CreateIndex"]
    assert ops[0].keyword == "CREATE TRIGGER"


@pytest.mark.parametrize("sql,expected", [
    ("ALTER TABLE `order items` MODIFY `qty` BIGINT NOT NULL DEFAULT 0;",
     ("ALTER TABLE `order items` MODIFY `qty` BIGINT NOT NULL DEFAULT 0", "MODIFY `qty`")),
    ("ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE, ADD COLUMN a INT;",
     ("ALTER TABLE t ADD COLUMN a INT", "ADD COLUMN a INT")),
    ("ALTER TABLE t ADD INDEX i (a), ALGORITHM = INPLACE LOCK=NONE, ADD COLUMN b INT",
     ("ALTER TABLE t ADD INDEX i (a), ADD COLUMN b INT", "ADD INDEX i (a), ADD COLUMN b INT")),
    ("ALTER ONLINE TABLE s.t WAIT 5 ADD COLUMN `lock` INT, LOCK=NONE;",
     ("ALTER ONLINE TABLE s.t WAIT 5 ADD COLUMN `lock` INT", "ADD COLUMN `lock` INT")),
    ("CREATE INDEX `idx` ON `orders` (`created_at`) ALGORITHM=INPLACE LOCK=NONE COMMENT 'x';",
     ("CREATE INDEX `idx` ON `orders` (`created_at`) COMMENT 'x'", None)),
    ("DROP INDEX i ON t ALGORITHM=INPLACE;", ("DROP INDEX i ON t", None)),
    ("CREATE TABLE t (a INT);", None),
    ("OPTIMIZE TABLE t;", None),
])
def test_online_ddl_shape_drops_only_the_algorithm_and_lock_clauses(sql, expected):
    """What online DDL rewrites restate: the statement without ALGORITHM=/LOCK=, and for
    ALTER TABLE the action list gh-ost takes (read from tokens, not patterns)."""
    from migrationlint.recognize import online_ddl_shape

    shape = online_ddl_shape(sql, "mysql")
    if expected is None:
        assert shape is None
        return
    _, without_clauses, actions_at = shape
    assert without_clauses == expected[0]
    if expected[1] is None:
        assert actions_at is None
    else:
        assert without_clauses[actions_at:].startswith(expected[1])


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize("sql", [
    "ALTER TABLE users RENAME AS people;",  # RENAME [TO | AS] new_name
    "ALTER TABLE users RENAME people;",
    "ALTER TABLE users RENAME AS people, ALGORITHM=INSTANT;",
])
def test_rename_as_renames_the_table(sql, dialect):
    rename = only(sql, m.RenameTable, dialect)
    assert (rename.table.display, rename.new_name.display) == ("users", "people")
    assert rename.span.column == sql.index("people") + 1


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize("sql", [
    "ALTER TABLE users RENAME email TO mail;",
    "ALTER TABLE users ADD COLUMN x INT, RENAME email TO mail;",
])
def test_rename_of_a_column_without_the_column_word_is_a_parse_error(sql, dialect):
    # PostgreSQL's form: MySQL and MariaDB reject it; it renames no table to "email".
    [finding] = lint(sql, dialect=dialect)
    assert finding.rule == "ML001" and finding.span.column == sql.index("email") + 1
    assert "write RENAME COLUMN email TO mail" in finding.message
