"""The typed model of schema operations that rules reason about.

Every reader (plain SQL through sqlglot, and later framework files) produces these
operations, so a rule is written once against the model, not against a syntax.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, FrozenSet, Optional, Sequence, Tuple

from migrationlint.source import Region

_REQUIRED = object()


class Record:
    """An immutable value built from keyword arguments: the base of every class here.

    Readers build tens of these per statement, from values they computed themselves,
    so they need no validation. As pydantic models they cost 2-5 us each to build and
    0.4 ms each to define at start-up (a fifth of a cold run went to them); frozen
    dataclasses define slower still (each class execs generated code). A Record costs
    about half a microsecond and nothing to define. Lists given for fields become
    tuples, so every record stays hashable.
    """

    # Field name -> default (_REQUIRED when it has none), own and inherited fields.
    _defaults: ClassVar[Dict[str, Any]] = {}
    _required: ClassVar[FrozenSet[str]] = frozenset()
    _names: ClassVar[FrozenSet[str]] = frozenset()
    field_names: ClassVar[Tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        defaults = dict(cls._defaults)
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if not str(annotation).startswith("ClassVar"):
                defaults[name] = cls.__dict__.get(name, _REQUIRED)
        cls._defaults = defaults
        cls._required = frozenset(n for n, d in defaults.items() if d is _REQUIRED)
        cls._names = frozenset(defaults)
        cls.field_names = tuple(defaults)

    def __init__(self, **values: Any) -> None:
        if not self._names.issuperset(values) or not self._required.issubset(values):
            raise TypeError(self._signature_problem(values))
        for value in values.values():
            if type(value) is list:
                values = {k: tuple(v) if type(v) is list else v for k, v in values.items()}
                break
        # Fields left out read their default from the class attribute.
        self.__dict__.update(values)

    def _signature_problem(self, values: Dict[str, Any]) -> str:
        missing = sorted(self._required - values.keys())
        unknown = sorted(values.keys() - self._defaults.keys())
        return f"{type(self).__name__}: missing {missing}, unknown {unknown}"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; use replace()")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _values(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.field_names)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.field_names)
        return f"{type(self).__name__}({fields})"

    def replace(self, **changes: Any):
        """A copy with ``changes`` applied."""
        return type(self)(**{**{n: getattr(self, n) for n in self.field_names}, **changes})


class Ident(Record):
    """An identifier as written: ``quoted`` names keep their case."""

    name: str
    quoted: bool = False

    @property
    def key(self) -> str:
        # Unquoted names fold to lower case in PostgreSQL; MySQL compares
        # table and column names case-insensitively on the common setups.
        return self.name if self.quoted else self.name.lower()


class ObjectName(Record):
    """A possibly schema-qualified object name (table, index, type, ...)."""

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


class Operation(Record):
    """Base of all operations. ``span`` points at the most specific source region."""

    span: Region


class TableOperation(Operation):
    table: ObjectName


class ColumnDefault(Record):
    sql: str
    # "immutable" | "stable" | "volatile"; unknown function calls count as volatile.
    volatility: str = "immutable"
    unknown_function: Optional[str] = None


class ColumnSpec(Record):
    """A column as defined in CREATE TABLE or ADD COLUMN."""

    name: Ident
    type_sql: str
    not_null: bool = False
    default: Optional[ColumnDefault] = None
    primary_key: bool = False
    unique: bool = False
    # UNIQUE NULLS NOT DISTINCT (PostgreSQL 15+): NULLs count as equal.
    unique_nulls_not_distinct: bool = False
    # UNIQUE NULLS DISTINCT written out: the default behaviour, but only 15+ accepts the words.
    unique_nulls_distinct: bool = False
    # The index of an inline UNIQUE or PRIMARY KEY: its WITH (...) storage parameters and
    # USING INDEX TABLESPACE, as for AddConstraint (PostgreSQL takes no INCLUDE there).
    index_storage_parameters: Tuple[str, ...] = ()
    index_tablespace: Optional[Ident] = None
    # The names an inline PRIMARY KEY and UNIQUE were given (CONSTRAINT name ...); None:
    # PostgreSQL names the constraint.
    primary_key_name: Optional[Ident] = None
    unique_name: Optional[Ident] = None
    references: Optional[ObjectName] = None
    check_sql: Optional[str] = None
    generated_stored: bool = False
    generated_virtual: bool = False
    identity: bool = False
    # GENERATED ALWAYS AS IDENTITY, rather than BY DEFAULT (or serial).
    identity_always: bool = False
    auto_increment: bool = False
    # MySQL/MariaDB: CHARACTER SET and COLLATE of the column, FIRST / AFTER <column>
    # placement, and an inline REFERENCES clause as written (MySQL parses it and ignores it).
    charset: Optional[str] = None
    collate: Optional[str] = None
    position: Optional[str] = None
    references_sql: Optional[str] = None
    # An inline REFERENCES: the referenced columns, and its clauses as written in upper
    # case ("ON DELETE CASCADE", "MATCH FULL", "DEFERRABLE", ...), so a rewrite keeps them.
    reference_columns: Tuple[Ident, ...] = ()
    reference_options: Tuple[str, ...] = ()
    # The definition of a column with an inline REFERENCES, where a finding about the
    # clause points: a CREATE TABLE's own span is the whole statement.
    references_span: Optional[Region] = None
    # MySQL/MariaDB attributes a MODIFY/CHANGE must restate, as written: the COMMENT string
    # literal (quoted), the ON UPDATE value, a generated column's GENERATED ALWAYS AS (...)
    # VIRTUAL | STORED clause, and the INVISIBLE column attribute.
    comment_sql: Optional[str] = None
    on_update_sql: Optional[str] = None
    generation_sql: Optional[str] = None
    invisible: bool = False

    @property
    def full_type_sql(self) -> str:
        """The type with the column's CHARACTER SET and COLLATE: a new column copying this
        one, or a MODIFY restating it, would otherwise get the table's defaults."""
        charset = f" CHARACTER SET {self.charset}" if self.charset else ""
        collate = f" COLLATE {self.collate}" if self.collate else ""
        return f"{self.type_sql}{charset}{collate}"

    @property
    def restated_sql(self) -> str:
        """The definition a MySQL MODIFY/CHANGE restating this column must write: those
        replace the whole definition, so an attribute left out is dropped. NULL is explicit
        because a TIMESTAMP without it becomes NOT NULL when explicit_defaults_for_timestamp
        is off. PRIMARY KEY and UNIQUE stay out: they are indexes, which MODIFY keeps."""
        return self.restated(nullability=True)

    def restated(self, nullability: bool, shadow: bool = False) -> str:
        """``restated_sql``; without its NULL / NOT NULL when not ``nullability``, for a
        caller that states the column's nullability itself (MySQL takes the attributes in
        any order). ``shadow``: for a new column standing in for this one, without
        AUTO_INCREMENT (the table's only one must be a key, and this column still has it)
        and the generation (a plain column becomes generated only by a table copy)."""
        parts = [self.full_type_sql]
        if self.generation_sql and not shadow:
            # MariaDB rejects NULL / NOT NULL on a generated column, so only a NOT NULL the
            # file wrote (MySQL) is restated; the column's nullability follows its expression.
            parts.append(self.generation_sql)
            if self.not_null and nullability:
                parts.append("NOT NULL")
        elif nullability:
            parts.append("NOT NULL" if self.not_null else "NULL")
        if self.default is not None:
            parts.append(f"DEFAULT {self.default.sql}")
        if self.on_update_sql:
            parts.append(f"ON UPDATE {self.on_update_sql}")
        if self.auto_increment and not shadow:
            parts.append("AUTO_INCREMENT")
        if self.invisible:
            parts.append("INVISIBLE")
        if self.comment_sql:
            parts.append(f"COMMENT {self.comment_sql}")
        return " ".join(parts)


class TableIndex(Record):
    """An index declared in a CREATE TABLE's column list apart from a column's own
    definition (UNIQUE; MySQL/MariaDB INDEX, KEY, FULLTEXT, SPATIAL; not the primary key,
    which cannot be hidden)."""

    span: Region
    name: Optional[Ident] = None
    # The visibility keyword as written, as for CreateIndex.visibility.
    visibility: Optional[str] = None
    # As for AddConstraint.nulls_not_distinct and nulls_distinct.
    nulls_not_distinct: bool = False
    nulls_distinct: bool = False


class CreateTable(TableOperation):
    # Of a PARTITION OF, the columns its list gives constraints to, without a type_sql.
    columns: Tuple[ColumnSpec, ...] = ()
    if_not_exists: bool = False
    # PostgreSQL CREATE TABLE ... PARTITION OF parent: locks the parent.
    partition_of: Optional[ObjectName] = None
    # Set with partition_of: its bound as SQL (FOR VALUES ... or DEFAULT), and the options
    # written after it (PARTITION BY of a partition partitioned in turn, USING, WITH (...),
    # TABLESPACE): what ATTACH PARTITION and a plain CREATE TABLE must restate.
    partition_bound_sql: Optional[str] = None
    partition_options_sql: str = ""
    indexes: Tuple[TableIndex, ...] = ()


class DropTable(TableOperation):
    if_exists: bool = False


class RenameTable(TableOperation):
    new_name: ObjectName


class CreateView(Operation):
    """CREATE [OR REPLACE] VIEW, not MATERIALIZED: a relation that serves reads and, when
    it selects from one table, writes under its name."""

    name: ObjectName


class AddColumn(TableOperation):
    column: ColumnSpec
    if_not_exists: bool = False


class DropColumn(TableOperation):
    column: Ident
    if_exists: bool = False


class RenameColumn(TableOperation):
    column: Ident
    new_name: Ident
    # Written as RENAME COLUMN, which MySQL and MariaDB accept only from 8.0.3 and 10.5.2,
    # not as CHANGE old new <definition> (every version; what frameworks write for them).
    rename_column_syntax: bool = False


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
    # The column's type when the migration states it (Liquibase's columnDataType): MySQL
    # makes a column NOT NULL with a MODIFY that must restate it.
    type_sql: Optional[str] = None


class DropNotNull(TableOperation):
    column: Ident
    # Set when the migration does not ask for it but the statement its framework writes
    # leaves NOT NULL out (Alembic's alter_column on MySQL restates the column as NULL):
    # the argument that keeps it, e.g. "existing_nullable=". Liquibase's modifyDataType has
    # no such attribute: it is "modifyDataType", the change to write as <sql> instead.
    kept_by: Optional[str] = None


class SetDefault(TableOperation):
    column: Ident
    default_sql: str


class DropDefault(TableOperation):
    column: Ident
    # As for DropNotNull: the argument that keeps the default the framework leaves out.
    kept_by: Optional[str] = None


class AddConstraint(TableOperation):
    # "check" | "foreign_key" | "unique" | "primary_key" | "exclude"
    kind: str
    name: Optional[Ident] = None
    columns: Tuple[Ident, ...] = ()
    expression_sql: Optional[str] = None
    references: Optional[ObjectName] = None
    not_valid: bool = False
    # CHECK ... NO INHERIT (PostgreSQL), which the NOT VALID rewrite must keep.
    no_inherit: bool = False
    using_index: Optional[Ident] = None
    # A foreign key's referenced columns and clauses, as for ColumnSpec.
    reference_columns: Tuple[Ident, ...] = ()
    reference_options: Tuple[str, ...] = ()
    # UNIQUE / PRIMARY KEY: INCLUDE columns, NULLS NOT DISTINCT, and DEFERRABLE /
    # INITIALLY ... in upper case, so a rewrite building the index first keeps them.
    include: Tuple[Ident, ...] = ()
    # UNIQUE / PRIMARY KEY: the index's WITH (...) storage parameters as written
    # ("fillfactor=70") and its USING INDEX TABLESPACE, which the built index must keep.
    storage_parameters: Tuple[str, ...] = ()
    tablespace: Optional[Ident] = None
    nulls_not_distinct: bool = False
    # NULLS DISTINCT written out, as for CreateIndex.nulls_distinct.
    nulls_distinct: bool = False
    deferrable: Tuple[str, ...] = ()
    # MySQL/MariaDB UNIQUE: the visibility keyword as written, as for CreateIndex.visibility.
    visibility: Optional[str] = None


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
    # MySQL/MariaDB: the visibility keyword as written ("INVISIBLE", "VISIBLE", "IGNORED",
    # "NOT IGNORED"), None when none is: each server accepts only its own words.
    visibility: Optional[str] = None
    # PostgreSQL NULLS NOT DISTINCT (15+): a unique index that treats NULLs as equal.
    nulls_not_distinct: bool = False
    # NULLS DISTINCT written out: the default behaviour, but only 15+ accepts the words.
    nulls_distinct: bool = False
    # An index a framework builds besides the one the migration states, whose name the
    # reader does not compute: what it is, for findings ("the _like index Django also
    # creates").
    description: Optional[str] = None


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


class CreateType(Operation):
    """CREATE TYPE (enum, composite, range, ...) or CREATE DOMAIN (a domain is a type
    too, in the same namespace): rules ask whether a type is new."""

    name: ObjectName


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


class SetTablespace(TableOperation):
    """ALTER TABLE ... SET TABLESPACE: copies the table's data files to the tablespace."""

    tablespace: Ident


class SetRelationTablespace(Operation):
    """ALTER INDEX | MATERIALIZED VIEW ... SET TABLESPACE: copies that relation's data files
    (not those of its table or of its indexes) to the tablespace."""

    # "index" | "materialized view"
    kind: str
    name: ObjectName
    tablespace: Ident


class MoveAllInTablespace(Operation):
    """ALTER TABLE | INDEX | MATERIALIZED VIEW ALL IN TABLESPACE old [OWNED BY role, ...]
    SET TABLESPACE new [NOWAIT]: moves every relation of that kind in ``tablespace``."""

    # "table" | "index" | "materialized view"
    kind: str
    tablespace: Ident
    new_tablespace: Ident
    owners: Tuple[Ident, ...] = ()
    nowait: bool = False


class SetAccessMethod(TableOperation):
    """ALTER TABLE ... SET ACCESS METHOD (15+): rewrites the table in the new method."""

    method: Ident


class SetGenerationExpression(TableOperation):
    """ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION AS (...) (17+): a stored generated
    column is recomputed for every row."""

    column: Ident
    expression_sql: str


class AddDomainConstraint(Operation):
    """ALTER DOMAIN ... ADD [CONSTRAINT name] CHECK (...) [NOT VALID]."""

    domain: ObjectName
    name: Optional[Ident] = None
    expression_sql: Optional[str] = None
    not_valid: bool = False


class SetDomainNotNull(Operation):
    """ALTER DOMAIN ... SET NOT NULL: checks every stored value of the domain; unlike a
    CHECK it has no NOT VALID form."""

    domain: ObjectName


class DetachPartition(TableOperation):
    partition: ObjectName
    concurrently: bool = False
    finalize: bool = False


class DropSchema(Operation):
    name: Ident
    cascade: bool = False
    if_exists: bool = False


class DropDatabase(Operation):
    name: Ident
    if_exists: bool = False


class DropTrigger(TableOperation):
    name: Ident


class SetRowSecurity(TableOperation):
    """ALTER TABLE ... ENABLE | DISABLE | FORCE | NO FORCE ROW LEVEL SECURITY."""

    action: str


class LockTable(TableOperation):
    """PostgreSQL's LOCK [TABLE] name IN mode MODE, or MySQL's LOCK TABLES name {READ
    [LOCAL] | [LOW_PRIORITY] WRITE}; one per table named; ``mode`` upper case."""

    mode: str
    # NOWAIT: fails at once instead of waiting for the lock.
    nowait: bool = False


class UnlockTables(Operation):
    """MySQL's UNLOCK TABLES (or UNLOCK TABLE): releases the session's LOCK TABLES locks."""


class Truncate(TableOperation):
    cascade: bool = False


class DataChange(TableOperation):
    """UPDATE, DELETE, INSERT ... SELECT or the copy of a CREATE TABLE ... AS SELECT run
    by a schema migration."""

    # "update" | "delete" | "insert_select" | "create_select"
    kind: str
    where_sql: Optional[str] = None
    # The statement touches a bounded set of rows: its WHERE names them by key equality,
    # a literal IN list or one key range, or it has a LIMIT (MySQL).
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
    # A clause written after a partition command (ADD PARTITION ..., ALGORITHM=INPLACE):
    # MySQL's grammar takes them only before it.
    after_partition_command: bool = False


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
    # ADD PARTITION's form tells the table's partitioning: partitions with VALUES are RANGE
    # or LIST ("range", as are MariaDB's HISTORY partitions), PARTITIONS n or partitions
    # without VALUES HASH or KEY ("hash"). None for the other actions.
    partitioning: Optional[str] = None

    @property
    def is_command(self) -> bool:
        """ADD/DROP/TRUNCATE/... PARTITION (not PARTITION BY or REMOVE PARTITIONING): MySQL's
        grammar takes ALGORITHM=/LOCK= only before such a command, MariaDB's not at all."""
        return self.action not in ("partition_by", "remove_partitioning")


def partition_command(operations: Sequence[Operation]) -> bool:
    """An ADD/DROP/REORGANIZE/... PARTITION statement (PartitionChange.is_command)."""
    return any(isinstance(op, PartitionChange) and op.is_command for op in operations)


class DropPrimaryKey(TableOperation):
    pass


class RenameIndex(TableOperation):
    name: Ident
    new_name: Ident


# Index visibility words: each server accepts only its own pair.
MYSQL_VISIBILITY_WORDS = ("VISIBLE", "INVISIBLE")
MARIADB_VISIBILITY_WORDS = ("IGNORED", "NOT IGNORED")
HIDDEN_INDEX_WORDS = ("INVISIBLE", "IGNORED")


class AlterIndexVisibility(TableOperation):
    """ALTER INDEX ... VISIBLE | INVISIBLE (MySQL 8.0), IGNORED | NOT IGNORED (MariaDB)."""

    name: Ident
    # The keyword as written (VISIBLE, INVISIBLE, IGNORED, NOT IGNORED), as for
    # CreateIndex.visibility; None when the clause names none.
    visibility: Optional[str] = None

    @property
    def visible(self) -> bool:
        return self.visibility not in HIDDEN_INDEX_WORDS


class TableMaintenance(TableOperation):
    """OPTIMIZE / ANALYZE / CHECK / REPAIR TABLE; ``action`` is the lower-case verb."""

    action: str
