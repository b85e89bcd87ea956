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


class CreateTable(TableOperation):
    columns: Tuple[ColumnSpec, ...] = ()
    if_not_exists: bool = False


class DropTable(TableOperation):
    if_exists: bool = False


class RenameTable(TableOperation):
    new_name: ObjectName


class AddColumn(TableOperation):
    column: ColumnSpec


class DropColumn(TableOperation):
    column: Ident


class RenameColumn(TableOperation):
    column: Ident
    new_name: Ident


class AlterColumnType(TableOperation):
    column: Ident
    new_type_sql: str
    using_sql: Optional[str] = None
    # MySQL MODIFY/CHANGE restate the whole definition.
    not_null: Optional[bool] = None


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


class ValidateConstraint(TableOperation):
    name: Ident


class DropConstraint(TableOperation):
    name: Ident


class CreateIndex(TableOperation):
    name: Optional[Ident] = None
    columns_sql: Tuple[str, ...] = ()
    unique: bool = False
    concurrently: bool = False
    if_not_exists: bool = False
    method: Optional[str] = None
    where_sql: Optional[str] = None


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


class RawStatement(Operation):
    """A statement the model has no specific operation for; ``keyword`` names it."""

    keyword: str
    # Data-changing statements (INSERT/UPDATE/DELETE/...) are DML, the rest DDL or utility.
    is_dml: bool = False
