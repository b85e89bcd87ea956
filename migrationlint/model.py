"""The typed model of schema operations that rules reason about.

Every reader (plain SQL through sqlglot, and later framework files) produces these
operations, so a rule is written once against the model, not against a syntax.
"""

from __future__ import annotations

from typing import Optional, Tuple

from pydantic import BaseModel, ConfigDict

from migrationlint.findings import Span


class Ident(BaseModel):
    """An identifier as written: ``quoted`` names keep their case."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    quoted: bool = False

    @property
    def key(self) -> str:
        # Unquoted names fold to lower case in PostgreSQL; MySQL compares
        # table and column names case-insensitively on the common setups.
        return self.name if self.quoted else self.name.lower()


class ObjectName(BaseModel):
    """A possibly schema-qualified object name (table, index, type, ...)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: Ident
    schema_: Optional[Ident] = None

    def matches(self, other: "ObjectName") -> bool:
        """Same object, treating a missing schema as "whichever one is in use"."""
        if self.name.key != other.name.key:
            return False
        if self.schema_ is None or other.schema_ is None:
            return True
        return self.schema_.key == other.schema_.key

    @property
    def display(self) -> str:
        return f"{self.schema_.name}.{self.name.name}" if self.schema_ else self.name.name


class Operation(BaseModel):
    """Base of all operations. ``span`` points at the most specific source region."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    span: Span


class TableOperation(Operation):
    table: ObjectName


class ColumnDefault(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    sql: str
    # "immutable" | "stable" | "volatile"; unknown function calls count as volatile.
    volatility: str = "immutable"
    unknown_function: Optional[str] = None


class ColumnSpec(BaseModel):
    """A column as defined in CREATE TABLE or ADD COLUMN."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: Ident
    type_sql: str
    not_null: bool = False
    default: Optional[ColumnDefault] = None
    primary_key: bool = False
    unique: bool = False
    references: Optional[ObjectName] = None
    check_sql: Optional[str] = None
    generated_stored: bool = False
    generated_virtual: bool = False
    identity: bool = False
    auto_increment: bool = False
    # MySQL/MariaDB: CHARACTER SET of the column, FIRST / AFTER <column> placement, and
    # an inline REFERENCES clause as written (MySQL parses it and ignores it).
    charset: Optional[str] = None
    position: Optional[str] = None
    references_sql: Optional[str] = None
    # An inline REFERENCES: the referenced columns, and its clauses as written in upper
    # case ("ON DELETE CASCADE", "MATCH FULL", "DEFERRABLE", ...), so a rewrite keeps them.
    reference_columns: Tuple[Ident, ...] = ()
    reference_options: Tuple[str, ...] = ()


class CreateTable(TableOperation):
    columns: Tuple[ColumnSpec, ...] = ()
    if_not_exists: bool = False
    # PostgreSQL CREATE TABLE ... PARTITION OF parent: locks the parent.
    partition_of: Optional[ObjectName] = None


class DropTable(TableOperation):
    if_exists: bool = False


class RenameTable(TableOperation):
    new_name: ObjectName


class AddColumn(TableOperation):
    column: ColumnSpec
    if_not_exists: bool = False


class DropColumn(TableOperation):
    column: Ident
    if_exists: bool = False


class RenameColumn(TableOperation):
    column: Ident
    new_name: Ident


class AlterColumnType(TableOperation):
    column: Ident
    new_type_sql: str
    using_sql: Optional[str] = None
    # MySQL MODIFY/CHANGE restate the whole definition.
    not_null: Optional[bool] = None
    # MySQL MODIFY/CHANGE: the restated definition (charset, position, generated, ...).
    definition: Optional[ColumnSpec] = None
    # The type before the change when a reader knows it from outside this file (a Django
    # app's earlier migrations); ``Migration.column_type`` falls back to it.
    old_type_sql: Optional[str] = None


class SetNotNull(TableOperation):
    column: Ident


class DropNotNull(TableOperation):
    column: Ident


class SetDefault(TableOperation):
    column: Ident
    default_sql: str


class DropDefault(TableOperation):
    column: Ident


class AddConstraint(TableOperation):
    # "check" | "foreign_key" | "unique" | "primary_key" | "exclude"
    kind: str
    name: Optional[Ident] = None
    columns: Tuple[Ident, ...] = ()
    expression_sql: Optional[str] = None
    references: Optional[ObjectName] = None
    not_valid: bool = False
    using_index: Optional[Ident] = None
    # A foreign key's referenced columns and clauses, as for ColumnSpec.
    reference_columns: Tuple[Ident, ...] = ()
    reference_options: Tuple[str, ...] = ()


class ValidateConstraint(TableOperation):
    name: Ident


class DropConstraint(TableOperation):
    name: Ident
    # Known from the syntax (MySQL's DROP FOREIGN KEY); None when only the name is given.
    kind: Optional[str] = None


class CreateIndex(TableOperation):
    name: Optional[Ident] = None
    columns_sql: Tuple[str, ...] = ()
    unique: bool = False
    concurrently: bool = False
    if_not_exists: bool = False
    # ON ONLY a partitioned parent: builds nothing until partitions' indexes are attached.
    only: bool = False
    method: Optional[str] = None
    where_sql: Optional[str] = None
    # MySQL/MariaDB: "fulltext" | "spatial" for those index kinds.
    index_kind: Optional[str] = None


class DropIndex(Operation):
    name: ObjectName
    table: Optional[ObjectName] = None
    concurrently: bool = False
    if_exists: bool = False


class TransactionControl(Operation):
    # "begin" | "commit" | "rollback"
    action: str


class SetSetting(Operation):
    name: str
    value: str
    local: bool = False


def changes_data(operation: "Operation") -> bool:
    """True for data changes (INSERT/UPDATE/DELETE, data migrations), whatever the reader."""
    return isinstance(operation, DataChange) or (
        isinstance(operation, RawStatement) and operation.is_dml
    )


class RawStatement(Operation):
    """A statement the model has no specific operation for; ``keyword`` names it."""

    keyword: str
    # Data-changing statements (INSERT/UPDATE/DELETE/...) are DML, the rest DDL or utility.
    is_dml: bool = False


# -- PostgreSQL utility statements, enums, partitions and data changes -----------
# Added for the PostgreSQL catalogue (issue 3). Most come from the token-level
# recogniser because sqlglot keeps them as ``exp.Command``.


class AddEnumValue(Operation):
    type_name: ObjectName
    value: str
    if_not_exists: bool = False


class RenameEnumValue(Operation):
    type_name: ObjectName
    value: str
    new_value: str


class Reindex(Operation):
    # "index" | "table" | "schema" | "database" | "system"
    target: str
    name: Optional[ObjectName] = None
    concurrently: bool = False


class Vacuum(Operation):
    tables: Tuple[ObjectName, ...] = ()
    full: bool = False


class Cluster(Operation):
    table: Optional[ObjectName] = None
    index: Optional[Ident] = None


class RefreshMaterializedView(Operation):
    name: ObjectName
    concurrently: bool = False


class SetLogged(TableOperation):
    logged: bool


class DetachPartition(TableOperation):
    partition: ObjectName
    concurrently: bool = False
    finalize: bool = False


class DropSchema(Operation):
    name: Ident
    cascade: bool = False


class DropDatabase(Operation):
    name: Ident


class DropTrigger(TableOperation):
    name: Ident


class SetRowSecurity(TableOperation):
    """ALTER TABLE ... ENABLE | DISABLE | FORCE | NO FORCE ROW LEVEL SECURITY."""

    action: str


class Truncate(TableOperation):
    cascade: bool = False


class DataChange(TableOperation):
    """UPDATE, DELETE or INSERT ... SELECT run by a schema migration."""

    # "update" | "delete" | "insert_select"
    kind: str
    where_sql: Optional[str] = None
    # The WHERE names rows by key equality or a literal IN list (a small, fixed set).
    keyed: bool = False
    # Tables an INSERT ... SELECT (or UPDATE ... FROM) reads.
    sources: Tuple[ObjectName, ...] = ()
    # For UPDATE: the columns it assigns and the values, in order.
    assigned: Tuple[Ident, ...] = ()
    values_sql: Tuple[str, ...] = ()


# -- MySQL / MariaDB -------------------------------------------------------------
# Operations for MySQL-only ALTER TABLE clauses. Rules about online DDL classify
# them (migrationlint.mysql_online_ddl); other dialects never produce them.


class OnlineDdlClauses(TableOperation):
    """The ALGORITHM= and LOCK= clauses of one ALTER TABLE / CREATE INDEX / DROP INDEX
    statement (upper case, e.g. "INPLACE", "NONE"); they apply to the whole statement."""

    algorithm: Optional[str] = None
    lock: Optional[str] = None
    # MariaDB ``WAIT n`` / ``NOWAIT`` (seconds; "0" for NOWAIT): a per-statement lock wait limit.
    wait: Optional[str] = None


class TableOption(TableOperation):
    """A table-level clause: ``option`` is "engine", "row_format", "key_block_size",
    "charset" (CHARACTER SET =), "collate", "convert_charset" (CONVERT TO CHARACTER SET),
    "force", "auto_increment", "comment", "encryption" or "other"."""

    option: str
    value: Optional[str] = None


class PartitionChange(TableOperation):
    """``action``: "partition_by", "remove_partitioning", "add", "drop", "coalesce",
    "reorganize", "rebuild", "optimize", "truncate", "exchange", "analyze", "check",
    "repair", "discard", "import"."""

    action: str


class DropPrimaryKey(TableOperation):
    pass


class RenameIndex(TableOperation):
    name: Ident
    new_name: Ident


class AlterIndexVisibility(TableOperation):
    """ALTER INDEX ... VISIBLE | INVISIBLE (MySQL 8.0), IGNORED | NOT IGNORED (MariaDB)."""

    name: Ident
    visible: bool


class TableMaintenance(TableOperation):
    """OPTIMIZE / ANALYZE / CHECK / REPAIR TABLE; ``action`` is the lower-case verb."""

    action: str
