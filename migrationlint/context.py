"""The migration context: statements with their operations, plus what rules need to
know about the file around a statement (transactions, objects created earlier,
session settings, dialect and target version)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Dict, List, Optional, Tuple

from migrationlint import model as m
from migrationlint.source import Region, SourceFile
from migrationlint.splitter import Comment
from migrationlint.versions import Version


# Not frozen: one is built per statement of every file, and a frozen dataclass sets
# each of its fields through object.__setattr__ (six times slower to build).
# Nothing assigns to a Statement once built; readers derive changed ones with replace().
@dataclass
class Statement:
    index: int
    start: int
    end: int
    span: Region
    text: str
    operations: Tuple[m.Operation, ...]
    error: Optional[str] = None
    error_span: Optional[Region] = None
    # Inside an explicit BEGIN ... COMMIT of the file.
    in_transaction: bool = False
    # How the runner sends this statement when it differs from the file as a whole
    # (an Alembic autocommit_block, a Liquibase changeset with runInTransaction="false");
    # None: as ``Migration.runner_transaction`` says.
    runner_transaction: Optional[bool] = None
    # Said after every finding on this statement, e.g. how a framework reader derived
    # a table name it could not see.
    note: Optional[str] = None
    # The runner's unit of work the statement belongs to when a file holds several (a
    # Liquibase changeSet); None: the file is one unit.
    unit: Optional[str] = None
    # The framework operation the reader built the statement from, by the framework's
    # name for it whatever the file imports it as (Django's "AddIndexConcurrently");
    # None for a statement written in SQL.
    framework_operation: Optional[str] = None
    # Which of the runner's transactions in the unit the statement runs in, counted
    # from 0, when the runner commits partway through (Alembic commits before an
    # autocommit_block and begins a new transaction after it).
    transaction_part: int = 0
    # First line of the framework call or changelog element holding the statement's SQL
    # (Django RunSQL, Alembic op.execute, Liquibase <sql>), which may start lines before
    # the SQL does: a suppression comment before that line or on it covers the statement
    # (holder_line: suppress.py). Readers set it for every statement of such embedded SQL,
    # also one that starts on the holder's line (engine._holder_lines skips those); None
    # for plain SQL and for a statement a reader builds from a framework operation
    # (Django AddField, Alembic op.add_column, a Liquibase change type).
    holder_line: Optional[int] = None


class Transaction(Enum):
    """Why a statement runs inside a transaction block, or that it does not."""

    EXPLICIT = "explicit"  # BEGIN ... COMMIT written in the file
    RUNNER = "runner"  # the runner wraps the file (or the changeSet) in a transaction
    # A runner known to send the file in one message (golang-migrate, Prisma): PostgreSQL
    # runs a multi-statement message as one implicit transaction.
    ONE_MESSAGE = "one-message"
    # Plain SQL with several statements, runner unknown: a transaction only if the runner
    # sends the file in one message (golang-migrate, dbmate do); not if it splits it.
    IF_ONE_MESSAGE = "if-one-message"
    NONE = "none"


# Session settings and transaction control: with an unknown runner they do not make a
# file "multi-statement" (runners that split files run them first, on their own).
_NEUTRAL = (m.SetSetting, m.TransactionControl)


def substantive(statement: Statement) -> bool:
    return any(not isinstance(op, _NEUTRAL) for op in statement.operations) or (
        statement.error is not None
    )


@dataclass
class Migration:
    """One migration file, analysed. Built once; rules only query it."""

    source: SourceFile
    dialect: str
    target_version: Version
    statements: List[Statement]
    comments: Tuple[Comment, ...] = ()
    # How the runner sends the file: True when it wraps the file in a transaction, False
    # when it runs statements one by one, None when it adds no transaction of its own
    # (see runner_sends_one_message) or is unknown (plain SQL).
    runner_transaction: Optional[bool] = None
    # The framework or directory convention that runs the file ("alembic", "django",
    # "liquibase", "flyway", "golang-migrate", ...), None for plain SQL; rules can name
    # the runner's own opt-out (atomic = False, -- atlas:txmode none, ...).
    runner: Optional[str] = None
    # The runner sends each unit to the server in one message (golang-migrate, Prisma).
    runner_sends_one_message: bool = False
    # What the file creates: key (kind and names) -> (schema written or None, statement
    # index) for each creation, in file order.
    _created: Dict[Tuple[str, ...], List[Tuple[Optional[str], int]]] = field(
        default_factory=dict, init=False, repr=False)
    # Per unit: (statements, substantive statements).
    _unit_sizes: Dict[Optional[str], Tuple[int, int]] = field(
        default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for statement in self.statements:
            total, work = self._unit_sizes.get(statement.unit, (0, 0))
            self._unit_sizes[statement.unit] = (total + 1, work + substantive(statement))
            for operation in statement.operations:
                for key, schema in _created_keys(operation):
                    self._created.setdefault(key, []).append(
                        (schema.key if schema else None, statement.index))

    @property
    def path(self) -> str:
        return self.source.path

    def transaction(self, statement: Statement, added: int = 0) -> Transaction:
        """Whether and why ``statement`` runs inside a transaction block: an explicit BEGIN
        of the file, else the runner's behaviour for the statement or the file, else
        PostgreSQL's implicit transaction around a multi-statement message. The one
        place every transaction rule and fix asks. ``added``: as if a fix had put that
        many more statements like this one right after it."""
        if statement.in_transaction:
            return Transaction.EXPLICIT
        wrapped = statement.runner_transaction
        if wrapped is None:
            wrapped = self.runner_transaction
        if wrapped is not None:
            return Transaction.RUNNER if wrapped else Transaction.NONE
        if self.dialect != "postgres":
            return Transaction.NONE  # MySQL has no implicit multi-statement transaction
        total, work = self._unit_sizes.get(statement.unit, (1, 1))
        if added:  # substantive() is a scan of the operations: only when it matters
            total, work = total + added, work + added * substantive(statement)
        if self.runner_sends_one_message:
            return Transaction.ONE_MESSAGE if total > 1 else Transaction.NONE
        if work > 1:
            return Transaction.IF_ONE_MESSAGE
        return Transaction.NONE

    def runs_in_transaction(self, statement: Statement, added: int = 0) -> Optional[bool]:
        """True or False when known; None when it depends on how an unknown runner sends
        the file (``Transaction.IF_ONE_MESSAGE``)."""
        found = self.transaction(statement, added)
        if found is Transaction.IF_ONE_MESSAGE:
            return None
        return found is not Transaction.NONE

    def explicit_blocks(self) -> Dict[int, int]:
        """Statement index -> number of the explicit BEGIN ... COMMIT block it is in."""
        blocks: Dict[int, int] = {}
        current: Optional[int] = None
        count = 0
        for statement in self.statements:
            actions = [op.action for op in statement.operations
                       if isinstance(op, m.TransactionControl)]
            if "begin" in actions and current is None:
                count += 1
                current = count
            elif current is not None and not actions:
                blocks[statement.index] = current
            if "commit" in actions or "rollback" in actions:
                current = None
        return blocks

    def transaction_peers(self, statement: Statement) -> List[Statement]:
        """The statements in the same transaction as ``statement`` (itself included); for
        ``IF_ONE_MESSAGE``, those it shares one if the file is sent in one message."""
        return next(group for group in self._transaction_groups()
                    if any(s.index == statement.index for s in group))

    def transaction_groups(self) -> List[List[Statement]]:
        """Statements grouped by the transaction they certainly share."""
        return self._transaction_groups(certain_only=True)

    def _transaction_groups(self, certain_only: bool = False) -> List[List[Statement]]:
        # Statements in a BEGIN ... COMMIT block are those marked in_transaction: most
        # files have none, and looking for blocks costs a scan of every operation.
        in_blocks = any(statement.in_transaction for statement in self.statements)
        blocks = self.explicit_blocks() if in_blocks else {}
        groups: Dict[Tuple, List[Statement]] = {}
        for statement in self.statements:
            kind = self.transaction(statement)
            # The statements of a group share its kind, so leaving out those of uncertain
            # kinds leaves out just the groups that are not certainly one transaction.
            if certain_only and kind in (Transaction.IF_ONE_MESSAGE, Transaction.NONE):
                continue
            if statement.index in blocks:
                key: Tuple = ("block", blocks[statement.index])
            elif kind in (Transaction.NONE, Transaction.EXPLICIT):
                key = ("alone", statement.index)
            else:
                key = ("unit", statement.unit, statement.transaction_part, kind)
            groups.setdefault(key, []).append(statement)
        return list(groups.values())

    def _creation(self, key: Tuple[str, ...], schema: Optional[m.Ident],
                  before: int) -> Optional[int]:
        """The first statement before ``before`` that created ``key`` in ``schema``."""
        entries = self._created.get(key)
        if entries is None:  # most names a rule asks about were not created in the file
            return None
        wanted = schema.key if schema else None
        return next((index for created, index in entries
                     if index < before and self._same_schema(created, wanted)), None)

    def same_name(self, first: m.ObjectName, second: m.ObjectName) -> bool:
        """Whether the two names are one object, schemas read as _same_schema does."""
        return first.name.key == second.name.key and self._same_schema(
            first.schema_.key if first.schema_ else None,
            second.schema_.key if second.schema_ else None)

    def _same_schema(self, first: Optional[str], second: Optional[str]) -> bool:
        """PostgreSQL: an unqualified name is taken to be in public (a search_path the file
        sets is not followed). MySQL: it is in the connection's database, unknown here, so
        it matches any."""
        if self.dialect == "postgres":
            return (first or "public") == (second or "public")
        return first is None or second is None or first == second

    def _created_before(self, key: Tuple[str, ...], schema: Optional[m.Ident], index: int) -> bool:
        return self._creation(key, schema, index) is not None

    def table_is_new(self, table: m.ObjectName, before: int) -> bool:
        """True when ``table`` was created earlier in this migration (so nobody uses it yet)."""
        return self._created_before(("table", table.name.key), table.schema_, before)

    def type_is_new(self, name: m.ObjectName, before: int) -> bool:
        """True when the type or domain ``name`` was created earlier in this migration."""
        return self._created_before(("type", name.name.key), name.schema_, before)

    def type_created_in_transaction(self, name: m.ObjectName, statement: Statement) -> bool:
        """An earlier statement of ``statement``'s transaction created the type ``name``."""
        created = self._creation(("type", name.name.key), name.schema_, statement.index)
        return created is not None and any(
            peer.index == created for peer in self.transaction_peers(statement))

    def column_is_new(self, table: m.ObjectName, column: m.Ident, before: int) -> bool:
        return self.table_is_new(table, before) or self._created_before(
            ("column", table.name.key, column.key), table.schema_, before
        )

    def index_is_new(self, name: m.ObjectName, before: int) -> bool:
        return self._created_before(("index", name.name.key), name.schema_, before)

    def _column_definitions(self, table: m.ObjectName, column: m.Ident, before: int):
        """(type, NOT NULL) for each operation before ``before`` that defines or changes the
        column, in order; None for what the operation leaves as it was (PostgreSQL's ALTER
        COLUMN TYPE keeps the NOT NULL, SET NOT NULL keeps the type)."""
        for _, op in self.operations_before(before):
            if not isinstance(op, _COLUMN_CHANGES) or not op.table.matches(table):
                continue
            if isinstance(op, (m.CreateTable, m.AddColumn)):
                spec = _spec_of(op, column)
                if spec is not None:
                    yield spec.type_sql, spec.not_null
            elif op.column.key == column.key:
                if isinstance(op, m.AlterColumnType):
                    yield op.new_type_sql, op.not_null
                else:
                    yield None, isinstance(op, m.SetNotNull)

    def column_spec(self, table: m.ObjectName, column: m.Ident, before: int) -> Optional[m.ColumnSpec]:
        """The column's whole definition as this file last stated it before ``before``
        (CREATE TABLE, ADD COLUMN, or a MySQL MODIFY/CHANGE); None when the file does not
        state it, or changed part of it since (SET DEFAULT, SET NOT NULL, ...)."""
        spec = None
        for _, op in self.operations_before(before):
            if not isinstance(op, m.TableOperation) or not op.table.matches(table):
                continue
            if isinstance(op, (m.CreateTable, m.AddColumn)):
                spec = _spec_of(op, column) or spec
            elif getattr(op, "column", None) is not None and op.column.key == column.key:
                spec = op.definition if isinstance(op, m.AlterColumnType) else None
        return spec

    def column_type(self, table: m.ObjectName, column: m.Ident, before: int) -> Optional[str]:
        """The column's type as this file defined it before ``before``, if it did; else
        the old type the reader gave statement ``before``'s type change, if it knew one."""
        found = None
        for type_sql, _ in self._column_definitions(table, column, before):
            found = type_sql or found
        if found is None and before < len(self.statements):
            found = next((op.old_type_sql for op in self.statements[before].operations
                          if isinstance(op, m.AlterColumnType) and op.table.matches(table)
                          and op.column.key == column.key), None)
        return found

    def column_not_null(self, table: m.ObjectName, column: m.Ident, before: int) -> Optional[bool]:
        """Whether the column is NOT NULL as this file defined it before ``before``; None
        when the file does not say."""
        found = None
        for _, not_null in self._column_definitions(table, column, before):
            found = not_null if not_null is not None else found
        return found

    def constraint_is_new(self, table: m.ObjectName, name: m.Ident, before: int) -> bool:
        return self.table_is_new(table, before) or self._created_before(
            ("constraint", table.name.key, name.key), table.schema_, before
        )

    def operations_before(self, before: int):
        """(statement index, operation) pairs of the statements before ``before``."""
        for statement in self.statements[:before]:
            for operation in statement.operations:
                yield statement.index, operation

    def not_null_proven(self, table: m.ObjectName, column: m.Ident, before: int) -> bool:
        """A validated ``CHECK (column IS NOT NULL)`` precedes ``before`` in this file:
        added without NOT VALID, or validated later, and not dropped; or a VALIDATE
        CONSTRAINT of a check from an earlier migration whose name mentions the column (the
        usual ``<table>_<column>_not_null`` convention)."""
        checks, validated_elsewhere = self._not_null_checks(table, column, before)
        return validated_elsewhere or any(valid for _, valid in checks.values())

    def not_null_check(self, table: m.ObjectName, column: m.Ident,
                       before: int) -> Optional[m.AddConstraint]:
        """The last ``CHECK (column IS NOT NULL)`` this file adds to ``table`` before
        ``before`` and does not drop."""
        checks, _ = self._not_null_checks(table, column, before)
        return next((op for op, _ in reversed(list(checks.values()))), None)

    def _not_null_checks(self, table: m.ObjectName, column: m.Ident, before: int,
                         ) -> Tuple[Dict[str, Tuple[m.AddConstraint, bool]], bool]:
        """The ``CHECK (column IS NOT NULL)`` constraints this file adds to ``table`` before
        ``before`` and does not drop, in order, by name (an unnamed one by position), each
        with whether it is validated; and whether a VALIDATE CONSTRAINT of another name
        mentioning the column (a check from an earlier migration) precedes ``before``."""
        checks: Dict[str, Tuple[m.AddConstraint, bool]] = {}
        validated_elsewhere = False
        for position, op in enumerate(op for _, op in self.operations_before(before)):
            if not isinstance(op, m.TableOperation) or not op.table.matches(table):
                continue
            if isinstance(op, m.AddConstraint) and op.kind == "check" and _checks_not_null(
                op.expression_sql, column
            ):
                key = op.name.key if op.name is not None else f"#{position}"
                checks.pop(key, None)  # a later one of the same name is the last
                checks[key] = (op, not op.not_valid)
            elif isinstance(op, m.ValidateConstraint) and op.name.key in checks:
                checks[op.name.key] = (checks[op.name.key][0], True)
            elif isinstance(op, m.ValidateConstraint) and column.key in op.name.key:
                validated_elsewhere = True
            elif isinstance(op, m.DropConstraint):
                checks.pop(op.name.key, None)
        return checks, validated_elsewhere

    def setting(self, name: str, before: int) -> Optional[str]:
        """The last value this file SETs for ``name`` before statement ``before``."""
        value = None
        for statement in self.statements[:before]:
            for operation in statement.operations:
                if isinstance(operation, m.SetSetting) and operation.name == name.lower():
                    value = operation.value
        return value


# The operations that define a column's type or NULL-ability.
_COLUMN_CHANGES = (m.CreateTable, m.AddColumn, m.AlterColumnType, m.SetNotNull, m.DropNotNull)


def _spec_of(op: m.Operation, column: m.Ident) -> Optional[m.ColumnSpec]:
    """The definition of ``column`` in a CREATE TABLE or an ADD COLUMN."""
    specs = op.columns if isinstance(op, m.CreateTable) else (op.column,)
    return next((spec for spec in specs if spec.name.key == column.key), None)


def _checks_not_null(expression_sql: Optional[str], column: m.Ident) -> bool:
    if not expression_sql:
        return False
    text = " ".join(expression_sql.replace('"', "").split()).lower()
    return text.strip("()") == f"{column.key.lower()} is not null" or (
        text.strip("()") == f"not {column.key.lower()} is null"
    )


def _created_keys(operation: m.Operation) -> List[Tuple[Tuple[str, ...], Optional[m.Ident]]]:
    """(key, schema written) for what ``operation`` creates; an index is in its table's
    schema."""
    if isinstance(operation, m.CreateTable):
        return [(("table", operation.table.name.key), operation.table.schema_)]
    if isinstance(operation, m.AddColumn):
        key = ("column", operation.table.name.key, operation.column.name.key)
        return [(key, operation.table.schema_)]
    if isinstance(operation, m.CreateType):
        return [(("type", operation.name.name.key), operation.name.schema_)]
    if isinstance(operation, m.CreateIndex) and operation.name is not None:
        return [(("index", operation.name.key), operation.table.schema_)]
    if isinstance(operation, m.AddConstraint) and operation.name is not None:
        key = ("constraint", operation.table.name.key, operation.name.key)
        return [(key, operation.table.schema_)]
    return []


def mark_transactions(statements: List[Statement]) -> List[Statement]:
    """Set ``in_transaction`` from the file's explicit BEGIN/COMMIT statements."""
    marked = []
    open_transaction = False
    for statement in statements:
        actions = [
            op.action for op in statement.operations if isinstance(op, m.TransactionControl)
        ]
        if "begin" in actions:
            open_transaction = True
        in_transaction = open_transaction and not actions
        if "commit" in actions or "rollback" in actions:
            open_transaction = False
        # Copy only what changes: most files have no BEGIN at all.
        changed = statement.in_transaction != in_transaction
        marked.append(replace(statement, in_transaction=in_transaction) if changed else statement)
    return marked
