"""ML213 statements-after-access-exclusive-lock and ML214 missing-lock-timeout."""

import re
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
        if timeout is not None and _is_short(timeout[1]):
            continue
        for op in statement.operations:
            if _on_new_object(migration, op, statement.index):
                continue  # e.g. a foreign key from a new table: its validation is instant
            if isinstance(op, m.LockTable) and op.nowait:
                continue  # fails at once rather than waiting for the lock
            for table, mode in table_locks(op):
                if mode not in (ACCESS_EXCLUSIVE, SHARE_ROW_EXCLUSIVE):
                    continue
                if not _existing(migration, table, statement.index):
                    continue
                taken = _lock_taken(ctx, op, table, mode)
                yield _missing_timeout(ctx, statement, table, taken, ignored_local, timeout)
                return


# The longest lock_timeout that still counts as short: strong_migrations' default for
# migrations. A longer wait lets the queue behind the statement grow for that long.
LONGEST_SHORT_TIMEOUT_MS = 10_000

_MILLISECONDS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000,
                 "d": 86_400_000}


def _milliseconds(value: str) -> Optional[float]:
    """A lock_timeout value in milliseconds (a bare number is milliseconds); None when it
    is not a plain duration."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value.strip("'\" ").lower())
    if match is None or (match.group(2) or "ms") not in _MILLISECONDS:
        return None
    return float(match.group(1)) * _MILLISECONDS[match.group(2) or "ms"]


def _is_default(value: str) -> bool:
    """SET ... TO DEFAULT, or RESET: the server's lock_timeout, usually 0."""
    return value.strip("'\" ").lower() == "default"


def _is_short(value: str) -> bool:
    """0 disables the timeout and DEFAULT restores the server's (usually 0); a value the
    file computes is trusted."""
    if _is_default(value):
        return False
    milliseconds = _milliseconds(value)
    return milliseconds is None or 0 < milliseconds <= LONGEST_SHORT_TIMEOUT_MS


# A SET of lock_timeout: the statement, the value, and the statements a SET LOCAL
# reaches (None for a session SET, which lasts for the rest of the file).
_Setting = Tuple[Statement, str, Optional[FrozenSet[int]]]


def _lock_timeout_settings(migration: Migration) -> List[_Setting]:
    """Every SET or RESET of lock_timeout (set_config of it, RESET ALL) in the file, in
    order. SET LOCAL
    (``set_config(..., true)``) lasts only to the end of its transaction, and PostgreSQL
    ignores it outside one (or when an unknown runner may split the file)."""
    settings = []
    for statement in migration.statements:
        for op in statement.operations:
            if isinstance(op, m.SetSetting) and op.name in ("lock_timeout", "all"):
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
) -> Tuple[Optional[Tuple[Statement, str]], Optional[Statement]]:
    """The lock_timeout in effect for ``statement`` (the SET and its value), and the last
    SET LOCAL that does not reach it."""
    value: Optional[Tuple[Statement, str]] = None
    ignored: Optional[Statement] = None
    for earlier, setting, reach in settings:
        if earlier.index >= statement.index:
            break
        if reach is None or statement.index in reach:
            value, ignored = (earlier, setting), None
        else:
            ignored = earlier
    return value, ignored


# The same for every finding (ML214 is PostgreSQL's), so built once and shared.
_TIMEOUT_REWRITE = Rewrite(
    summary="Set lock_timeout at the top of the migration and retry it when it times out.",
    steps=(
        lock_timeout_step("postgres"),
        Step(phase=Phase.EXPAND, title="Retry on timeout",
             instruction="When the migration fails with 'canceling statement due to lock "
             "timeout', run it again (a few attempts with a pause); or set it once for the "
             "migration role: ALTER ROLE <migrator> SET lock_timeout = '2s'."),
    ),
)


def _lock_taken(ctx: RuleContext, op: m.Operation, table, mode: str) -> str:
    """What the statement locks, for the message: REINDEX takes SHARE on the table and
    ACCESS EXCLUSIVE on each index it rebuilds (locks.md row 32)."""
    name = ctx.q(table) if table is not None else "its table"
    if not isinstance(op, m.Reindex):
        return f"{mode} on {name}"
    if op.target == "index" and op.name is not None:
        indexes = f"{ctx.q(op.name)} (blocking the reads that use it)"
    else:
        indexes = f"each index of {name} (blocking the reads that use them)"
    return f"SHARE on {name} (blocking writes) and ACCESS EXCLUSIVE on {indexes}"


def _missing_timeout(
    ctx: RuleContext, statement: Statement, table, taken: str, ignored_local: Optional[Statement],
    timeout: Optional[Tuple[Statement, str]],
) -> Finding:
    name = ctx.q(table) if table is not None else "its table"
    # Worded about the wait for the lock only: the statement may also be flagged for what
    # it does once it has the lock (a scan, a failure), which this note does not judge.
    consequence = (f"if a long query holds {name}, the statement waits for the lock, and every "
                   "query on it after the statement queues behind it")
    if timeout is None:
        message = f"This statement takes {taken} without a lock_timeout: {consequence}."
    elif _milliseconds(timeout[1]) == 0:
        message = (f"This statement takes {taken} with lock_timeout disabled (set to "
                   f"{timeout[1]} on line {timeout[0].span.line}): {consequence}.")
    elif _is_default(timeout[1]):
        message = (f"This statement takes {taken} with lock_timeout reset to the server's "
                   f"default on line {timeout[0].span.line} (usually 0, no limit): "
                   f"{consequence}.")
    else:
        message = (f"This statement takes {taken} with a lock_timeout of {timeout[1]} "
                   f"(line {timeout[0].span.line}), too long to protect the application (more "
                   f"than {LONGEST_SHORT_TIMEOUT_MS // 1000}s): {consequence} for that long.")
    if ignored_local is not None:
        message += (
            f" The SET LOCAL lock_timeout on line {ignored_local.span.line} does not cover it: "
            "SET LOCAL lasts only until the end of its transaction, and PostgreSQL ignores it "
            "outside a transaction block (this file does not certainly run it in one with this "
            "statement). Use SET lock_timeout, or wrap the migration in BEGIN ... COMMIT."
        )
    return ctx.finding(statement.span, message, _TIMEOUT_REWRITE)
