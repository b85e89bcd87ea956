"""Which statements PostgreSQL, and the runners that know about it, refuse to run inside
a transaction block.

Whether a statement *is* in one is ``Migration.transaction`` (context.py), the one place
that decides it; this module only classifies operations.
"""

from __future__ import annotations

from typing import Optional

from migrationlint import model as m
from migrationlint.context import Statement
from migrationlint.versions import Version


def refused_in_transaction(op: m.Operation) -> Optional[str]:
    """The statement's name when PostgreSQL refuses to run it in a transaction block."""
    if isinstance(op, m.CreateIndex) and op.concurrently:
        return "CREATE INDEX CONCURRENTLY"
    if isinstance(op, m.DropIndex) and op.concurrently:
        return "DROP INDEX CONCURRENTLY"
    if isinstance(op, m.Reindex) and (op.concurrently or op.target in ("schema", "database", "system")):
        return "REINDEX CONCURRENTLY" if op.concurrently else f"REINDEX {op.target.upper()}"
    if isinstance(op, m.DetachPartition) and op.concurrently:
        return "DETACH PARTITION ... CONCURRENTLY"
    if isinstance(op, m.Vacuum):
        return "VACUUM FULL" if op.full else "VACUUM"
    if isinstance(op, m.Cluster) and op.table is None:
        return "CLUSTER without a table"
    if isinstance(op, m.DropDatabase):
        return "DROP DATABASE"
    return None


def flyway_non_transactional(statement: Statement, version: Version) -> bool:
    """Flyway's PostgreSQL parser marks these statements non-transactional and runs a
    migration made only of them outside a transaction: CREATE/DROP INDEX CONCURRENTLY,
    REINDEX SCHEMA/DATABASE/SYSTEM, VACUUM, DROP DATABASE, and ALTER TYPE ... ADD VALUE
    before PostgreSQL 12. Others (REINDEX CONCURRENTLY, DETACH ... CONCURRENTLY) it does
    not recognise: they run in its transaction."""
    ops = statement.operations
    return bool(ops) and statement.error is None and all(_flyway_non_transactional(op, version)
                                                         for op in ops)


def _flyway_non_transactional(op: m.Operation, version: Version) -> bool:
    if isinstance(op, (m.CreateIndex, m.DropIndex)):
        return op.concurrently
    if isinstance(op, m.Reindex):
        return op.target in ("schema", "database", "system")
    if isinstance(op, m.AddEnumValue):
        return not version.at_least(12)
    return isinstance(op, (m.Vacuum, m.DropDatabase))
