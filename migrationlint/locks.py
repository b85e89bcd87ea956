"""Which PostgreSQL table locks an operation takes, and whether it holds them for
long (a scan, rewrite or build proportional to the table size).

Ground truth: the operation table in shared/reference/locks.md (PostgreSQL 11-17).
Only what the transaction and lock_timeout rules need; the per-hazard rules carry
their own, more specific messages.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from migrationlint import model as m

ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"
EXCLUSIVE = "EXCLUSIVE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
SHARE = "SHARE"
SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"
ROW_EXCLUSIVE = "ROW EXCLUSIVE"

# Modes that block plain writes to the table while held or queued.
BLOCKING = (ACCESS_EXCLUSIVE, EXCLUSIVE, SHARE_ROW_EXCLUSIVE, SHARE)

_ACCESS_EXCLUSIVE_ON_TABLE = (
    m.AddColumn, m.DropColumn, m.RenameColumn, m.RenameTable, m.AlterColumnType,
    m.SetNotNull, m.DropNotNull, m.SetDefault, m.DropDefault, m.DropConstraint,
    m.SetLogged, m.Truncate, m.DropTable, m.DropTrigger,
    m.SetTablespace, m.SetAccessMethod, m.SetGenerationExpression,
    # ENABLE/DISABLE/FORCE ROW LEVEL SECURITY: ALTER TABLE's default lock (PostgreSQL's
    # ALTER TABLE page lists no lighter one for it).
    m.SetRowSecurity,
)


def table_locks(op: m.Operation) -> List[Tuple[Optional[m.ObjectName], str]]:
    """(table or None when only an index name is known, lock mode) pairs."""
    if isinstance(op, _ACCESS_EXCLUSIVE_ON_TABLE):
        return [(op.table, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.CreateTable) and op.partition_of is not None:
        return [(op.partition_of, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.AddConstraint):
        if op.kind == "foreign_key":
            return [(op.table, SHARE_ROW_EXCLUSIVE), (op.references, SHARE_ROW_EXCLUSIVE)]
        return [(op.table, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.ValidateConstraint):
        return [(op.table, SHARE_UPDATE_EXCLUSIVE)]
    if isinstance(op, m.CreateIndex):
        return [(op.table, SHARE_UPDATE_EXCLUSIVE if op.concurrently else SHARE)]
    if isinstance(op, m.DropIndex) and not op.concurrently:
        return [(op.table, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.Reindex) and not op.concurrently:
        # SHARE on the table and ACCESS EXCLUSIVE on each index it rebuilds: queries that
        # plan with the indexes block too, so it counts as ACCESS EXCLUSIVE on the table.
        return [(op.name if op.target == "table" else None, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.DetachPartition) and not op.concurrently:
        return [(op.table, ACCESS_EXCLUSIVE), (op.partition, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.Vacuum) and op.full:
        return [(table, ACCESS_EXCLUSIVE) for table in op.tables] or [(None, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.Cluster):
        return [(op.table, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.LockTable):
        return [(op.table, op.mode)]
    if isinstance(op, m.RefreshMaterializedView):
        return [(op.name, EXCLUSIVE if op.concurrently else ACCESS_EXCLUSIVE)]
    if isinstance(op, m.SetRelationTablespace):
        # On an index: its table is unknown here, and queries on it plan with the index.
        return [(op.name if op.kind == "materialized view" else None, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.MoveAllInTablespace):
        return [(None, ACCESS_EXCLUSIVE)]
    if isinstance(op, m.DataChange):
        return [(op.table, ROW_EXCLUSIVE)]
    return []


def holds_long(op: m.Operation) -> bool:
    """The statement's work grows with the table: scans, rewrites, index builds, DML."""
    if isinstance(op, m.AddConstraint):
        return not op.not_valid and op.using_index is None
    if isinstance(op, m.AddColumn):
        column = op.column
        return bool(
            column.identity or column.generated_stored or column.references or column.unique
            or column.primary_key or column.check_sql
            or (column.default is not None and column.default.volatility == "volatile")
        )
    if isinstance(op, m.Vacuum):
        return op.full
    return isinstance(op, (
        m.CreateIndex, m.SetNotNull, m.AlterColumnType, m.ValidateConstraint, m.Reindex,
        m.Cluster, m.SetLogged, m.RefreshMaterializedView, m.DataChange,
        m.SetTablespace, m.SetAccessMethod, m.SetGenerationExpression,
        m.SetRelationTablespace, m.MoveAllInTablespace,
    ))
