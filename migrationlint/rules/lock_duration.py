"""ML213 statements-after-access-exclusive-lock and ML214 missing-lock-timeout."""

from typing import Iterator, Optional, Tuple

from migrationlint import model as m
from migrationlint.context import Migration, Statement
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.locks import ACCESS_EXCLUSIVE, BLOCKING, SHARE_ROW_EXCLUSIVE, holds_long, table_locks
from migrationlint.recipes import lock_timeout_step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule


def _existing(migration: Migration, table: Optional[m.ObjectName], index: int) -> bool:
    return table is None or not migration.table_is_new(table, index)


def _on_new_object(migration: Migration, op: m.Operation, index: int) -> bool:
    if isinstance(op, m.TableOperation):
        return migration.table_is_new(op.table, index)
    if isinstance(op, m.DropIndex):
        return migration.index_is_new(op.name, index)
    if isinstance(op, m.Reindex) and op.name is not None:
        return migration.index_is_new(op.name, index) or migration.table_is_new(op.name, index)
    return False


def _exclusive_table(migration: Migration, statement: Statement) -> Optional[m.ObjectName]:
    for op in statement.operations:
        for table, mode in table_locks(op):
            if mode == ACCESS_EXCLUSIVE and table is not None and _existing(
                migration, table, statement.index
            ):
                return table
    return None


def _prolonging(
    migration: Migration, statement: Statement, held: m.ObjectName
) -> Optional[m.Operation]:
    """The first operation doing slow work on an existing table, or taking a blocking
    lock on another existing table."""
    for op in statement.operations:
        locks = table_locks(op)
        if holds_long(op) and any(_existing(migration, t, statement.index) for t, _ in locks):
            return op
        for table, mode in locks:
            if mode in BLOCKING and table is not None and not table.matches(held) and _existing(
                migration, table, statement.index
            ):
                return op
    return None


@rule(
    "ML213", "statements-after-access-exclusive-lock", "warning",
    "Slow statements, or locks on other tables, after an ACCESS EXCLUSIVE lock in the same "
    "transaction keep the first table blocked until COMMIT.",
    dialects=POSTGRES, tags=("locking", "transactions"), scope="migration",
)
def check_after_exclusive(ctx: RuleContext) -> Iterator[Finding]:
    migration = ctx.migration
    for group in migration.transaction_groups():
        held: Optional[Tuple[m.ObjectName, Statement]] = None
        for statement in group:
            late = _prolonging(migration, statement, held[0]) if held is not None else None
            if late is not None:
                table = ctx.q(held[0])
                message = (
                    f"This statement runs in the same transaction as line {held[1].span.line}, "
                    f"which took ACCESS EXCLUSIVE on {table}; locks are held until COMMIT, so "
                    f"every read and write of {table} also waits for this statement."
                )
                rewrite = Rewrite(
                    summary="Give the exclusive-lock statement a transaction of its own.",
                    steps=(Step(phase=Phase.EXPAND, title="Split the migration",
                                instruction="Move this statement (and what follows) to a separate "
                                "migration, or COMMIT right after the statement that locks "
                                f"{table}."),),
                )
                yield ctx.finding(late.span, message, rewrite)
                break
            if held is None:
                table = _exclusive_table(migration, statement)
                held = (table, statement) if table is not None else None


@rule(
    "ML214", "missing-lock-timeout", "note",
    "A statement that takes ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE on an existing table runs "
    "without lock_timeout, so while it waits for the lock every other query queues behind it.",
    dialects=POSTGRES, tags=("locking",), scope="migration",
)
def check_lock_timeout(ctx: RuleContext) -> Iterator[Finding]:
    migration = ctx.migration
    for statement in migration.statements:
        setting = migration.setting("lock_timeout", statement.index)
        if setting is not None and setting.strip("'\" ").lower() not in ("0", "0s", "0ms"):
            return  # set before the first dangerous statement
        for op in statement.operations:
            if _on_new_object(migration, op, statement.index):
                continue  # e.g. a foreign key from a new table: its validation is instant
            for table, mode in table_locks(op):
                if mode not in (ACCESS_EXCLUSIVE, SHARE_ROW_EXCLUSIVE):
                    continue
                if not _existing(migration, table, statement.index):
                    continue
                yield _missing_timeout(ctx, statement, table, mode)
                return


def _missing_timeout(ctx: RuleContext, statement: Statement, table, mode: str) -> Finding:
    name = ctx.q(table) if table is not None else "its table"
    message = (
        f"This statement takes {mode} on {name} without a lock_timeout: if a long query holds "
        f"{name}, the statement waits, and every query after it queues behind it (an outage "
        "caused by a millisecond change)."
    )
    rewrite = Rewrite(
        summary="Set lock_timeout at the top of the migration and retry it when it times out.",
        steps=(
            lock_timeout_step(ctx.dialect),
            Step(phase=Phase.EXPAND, title="Retry on timeout",
                 instruction="When the migration fails with 'canceling statement due to lock "
                 "timeout', run it again (a few attempts with a pause); or set it once for the "
                 "migration role: ALTER ROLE <migrator> SET lock_timeout = '2s'."),
        ),
    )
    return ctx.finding(statement.span, message, rewrite)
