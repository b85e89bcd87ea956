"""The migration context: statements with their operations, plus what rules need to
know about the file around a statement (transactions, objects created earlier,
session settings, dialect and target version)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Tuple

from migrationlint import model as m
from migrationlint.findings import Span
from migrationlint.source import SourceFile
from migrationlint.splitter import Comment
from migrationlint.versions import Version


@dataclass(frozen=True)
class Statement:
    index: int
    start: int
    end: int
    span: Span
    text: str
    operations: Tuple[m.Operation, ...]
    error: Optional[str] = None
    error_span: Optional[Span] = None
    # Inside an explicit BEGIN ... COMMIT of the file.
    in_transaction: bool = False


@dataclass
class Migration:
    """One migration file, analysed. Built once; rules only query it."""

    source: SourceFile
    dialect: str
    target_version: Version
    statements: List[Statement]
    comments: Tuple[Comment, ...] = ()
    # How the runner sends the file: None when unknown (plain SQL), True when it wraps
    # the file in a transaction, False when it runs statements one by one.
    runner_transaction: Optional[bool] = None
    _created: Dict[Tuple[str, ...], int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for statement in self.statements:
            for operation in statement.operations:
                for key in _created_keys(operation):
                    self._created.setdefault(key, statement.index)

    @property
    def path(self) -> str:
        return self.source.path

    def _created_before(self, key: Tuple[str, ...], index: int) -> bool:
        created = self._created.get(key)
        return created is not None and created < index

    def table_is_new(self, table: m.ObjectName, before: int) -> bool:
        """True when ``table`` was created earlier in this migration (so nobody uses it yet)."""
        return self._created_before(("table", table.name.key), before)

    def column_is_new(self, table: m.ObjectName, column: m.Ident, before: int) -> bool:
        return self.table_is_new(table, before) or self._created_before(
            ("column", table.name.key, column.key), before
        )

    def index_is_new(self, name: m.ObjectName, before: int) -> bool:
        return self._created_before(("index", name.name.key), before)

    def column_type(self, table: m.ObjectName, column: m.Ident, before: int) -> Optional[str]:
        """The column's type as this file defined it before ``before``, if it did."""
        found = None
        for statement in self.statements[:before]:
            for op in statement.operations:
                if isinstance(op, (m.CreateTable, m.AddColumn)) and op.table.matches(table):
                    specs = op.columns if isinstance(op, m.CreateTable) else (op.column,)
                    found = next((s.type_sql for s in specs if s.name.key == column.key), found)
                elif isinstance(op, m.AlterColumnType) and op.table.matches(table) and (
                    op.column.key == column.key
                ):
                    found = op.new_type_sql
        return found

    def setting(self, name: str, before: int) -> Optional[str]:
        """The last value this file SETs for ``name`` before statement ``before``."""
        value = None
        for statement in self.statements[:before]:
            for operation in statement.operations:
                if isinstance(operation, m.SetSetting) and operation.name == name.lower():
                    value = operation.value
        return value


def _created_keys(operation: m.Operation) -> List[Tuple[str, ...]]:
    if isinstance(operation, m.CreateTable):
        return [("table", operation.table.name.key)]
    if isinstance(operation, m.AddColumn):
        return [("column", operation.table.name.key, operation.column.name.key)]
    if isinstance(operation, m.CreateIndex) and operation.name is not None:
        return [("index", operation.name.key)]
    if isinstance(operation, m.AddConstraint) and operation.name is not None:
        return [("constraint", operation.table.name.key, operation.name.key)]
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
