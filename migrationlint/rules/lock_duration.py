"""ML213 statements-after-access-exclusive-lock and ML214 missing-lock-timeout."""

from typing import FrozenSet, Iterator, List, Optional, Tuple

from migrationlint import model as m
from migrationlint.context import Migration, Statement, Transaction
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
    settings = _lock_timeout_settings(migration)
    for statement in migration.statements:
        timeout, ignored_local = _lock_timeout_in_effect(settings, statement)
        if timeout is not None and timeout.strip("'\" ").lower() not in ("0", "0s", "0ms"):
            continue
        for op in statement.operations:
            if _on_new_object(migration, op, statement.index):
                continue  # e.g. a foreign key from a new table: its validation is instant
            for table, mode in table_locks(op):
                if mode not in (ACCESS_EXCLUSIVE, SHARE_ROW_EXCLUSIVE):
                    continue
                if not _existing(migration, table, statement.index):
                    continue
                yield _missing_timeout(ctx, statement, table, mode, ignored_local)
                return


# A SET of lock_timeout: the statement, the value, and the statements a SET LOCAL
# reaches (None for a session SET, which lasts for the rest of the file).
_Setting = Tuple[Statement, str, Optional[FrozenSet[int]]]


def _lock_timeout_settings(migration: Migration) -> List[_Setting]:
    """Every SET of lock_timeout (or set_config of it) in the file, in order. SET LOCAL
    (``set_config(..., true)``) lasts only to the end of its transaction, and PostgreSQL
    ignores it outside one (or when an unknown runner may split the file)."""
    settings = []
    for statement in migration.statements:
        for op in statement.operations:
            if isinstance(op, m.SetSetting) and op.name == "lock_timeout":
                settings.append((statement, op.value,
                                 _same_transaction(migration, statement) if op.local else None))
    return settings


def _same_transaction(migration: Migration, statement: Statement) -> FrozenSet[int]:
    """Indexes of the statements that certainly run in one transaction with ``statement``."""
    if migration.transaction(statement) in (Transaction.NONE, Transaction.IF_ONE_MESSAGE):
        return frozenset()
    return frozenset(peer.index for peer in migration.transaction_peers(statement))


def _lock_timeout_in_effect(
    settings: List[_Setting], statement: Statement
) -> Tuple[Optional[str], Optional[Statement]]:
    """The lock_timeout in effect for ``statement``, and the last SET LOCAL that does not
    reach it."""
    value: Optional[str] = None
    ignored: Optional[Statement] = None
    for earlier, setting, reach in settings:
        if earlier.index >= statement.index:
            break
        if reach is None or statement.index in reach:
            value, ignored = setting, None
        else:
            ignored = earlier
    return value, ignored


def _missing_timeout(
    ctx: RuleContext, statement: Statement, table, mode: str, ignored_local: Optional[Statement]
) -> Finding:
    name = ctx.q(table) if table is not None else "its table"
    message = (
        f"This statement takes {mode} on {name} without a lock_timeout: if a long query holds "
        f"{name}, the statement waits, and every query after it queues behind it (an outage "
        "caused by a millisecond change)."
    )
    if ignored_local is not None:
        message += (
            f" The SET LOCAL lock_timeout on line {ignored_local.span.line} does not cover it: "
            "SET LOCAL lasts only until the end of its transaction, and PostgreSQL ignores it "
            "outside a transaction block (this file does not certainly run it in one with this "
            "statement). Use SET lock_timeout, or wrap the migration in BEGIN ... COMMIT."
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
