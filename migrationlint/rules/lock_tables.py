"""ML413 lock-tables: MySQL/MariaDB LOCK TABLES in a migration.

PostgreSQL's LOCK TABLE is a lock-wait question (ML214, ML213): it lasts to the end of the
transaction. MySQL's LOCK TABLES is a different statement: it commits any open
transaction first, holds its table locks for the session until UNLOCK TABLES (or until
the session ends), and meanwhile the session may use no other table (ERROR 1100).
"""

from __future__ import annotations

from typing import Iterator, List, Optional

from migrationlint import model as m
from migrationlint.context import Statement
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import MYSQL, rule

# What another session waits for under each lock (MySQL 8.0 manual, "LOCK TABLES and
# UNLOCK TABLES Statements"; checked on MariaDB 10.11: a WRITE lock makes other sessions'
# SELECTs wait, a READ lock their INSERTs).
_BLOCKED = {"READ": "writes", "WRITE": "reads and writes"}


@rule(
    "ML413", "lock-tables", "warning",
    "LOCK TABLES commits the open transaction and blocks other sessions on the tables until "
    "UNLOCK TABLES or the end of the session.",
    dialects=MYSQL, scope="migration", tags=("locking", "transactions"),
)
def check(ctx: RuleContext) -> Iterator[Finding]:
    statements = ctx.migration.statements
    for statement in statements:
        locks = [op for op in statement.operations if isinstance(op, m.LockTable)]
        existing = [op for op in locks if not ctx.migration.table_is_new(op.table, statement.index)]
        if not existing:
            continue  # only tables this file created: nobody else uses them yet
        release = _release_after(statements, statement)
        yield ctx.finding(statement.span, _message(ctx, existing, release), _rewrite(ctx, existing))


def _release_after(statements: List[Statement], statement: Statement) -> Optional[Statement]:
    """The statement that releases the statement's locks, if this file runs one: UNLOCK
    TABLES, the next LOCK TABLES (it releases the locks the session holds before it takes
    its own), or START TRANSACTION / BEGIN (beginning a transaction performs an implicit
    UNLOCK TABLES, MySQL manual)."""
    return next((later for later in statements[statement.index + 1:]
                 if any(_releases_table_locks(op) for op in later.operations)), None)


def _releases_table_locks(op: m.Operation) -> bool:
    # COMMIT and ROLLBACK do not: table locks outlive the transaction.
    return isinstance(op, (m.UnlockTables, m.LockTable)) or _begins_transaction(op)


def _begins_transaction(op: m.Operation) -> bool:
    return isinstance(op, m.TransactionControl) and op.action == "begin"


def _held(ctx: RuleContext, locks: List[m.LockTable]) -> str:
    """"a WRITE lock on `a` (other sessions' reads and writes wait)" for each table."""
    parts = []
    for lock in locks:
        kind = "WRITE" if lock.mode.endswith("WRITE") else "READ"
        parts.append(f"a {lock.mode} lock on {ctx.q(lock.table)} (other sessions' "
                     f"{_BLOCKED[kind]} of it wait)")
    return ", ".join(parts)


def _until(release: Optional[Statement]) -> str:
    if release is None:
        return ("and this file never runs UNLOCK TABLES, so until the session ends (a runner "
                "that keeps its connection open holds them into the next migrations)")
    if any(isinstance(op, m.UnlockTables) for op in release.operations):
        return f"until UNLOCK TABLES on line {release.span.line}"
    if any(_begins_transaction(op) for op in release.operations):
        return (f"until the transaction begun on line {release.span.line}, which releases "
                "them (START TRANSACTION and BEGIN perform an implicit UNLOCK TABLES)")
    return (f"until the LOCK TABLES on line {release.span.line}, which releases them before "
            "taking its own")


def _message(ctx: RuleContext, locks: List[m.LockTable], release: Optional[Statement]) -> str:
    return (
        f"LOCK TABLES takes {_held(ctx, locks)}, {_until(release)}. It also commits any open "
        "transaction first, so what ran before it can no longer be rolled back, and while the "
        "locks are held this session can use no other table (ERROR 1100 \"Table ... was not "
        "locked with LOCK TABLES\")."
    )


def _rewrite(ctx: RuleContext, locks: List[m.LockTable]) -> Rewrite:
    tables = ", ".join(ctx.q(lock.table) for lock in locks)
    return Rewrite(
        summary="Let each statement take its own locks: no LOCK TABLES in a migration.",
        steps=(
            Step(phase=Phase.EXPAND, title="Remove LOCK TABLES and its UNLOCK TABLES",
                 instruction="A DDL statement takes the metadata lock it needs and releases "
                 "it when it is done; state ALGORITHM= and LOCK= on an ALTER TABLE to keep "
                 "it online (see alter-table-blocks-writes)."),
            Step(phase=Phase.BACKFILL,
                 title=f"Change the data of {tables} in short transactions instead",
                 instruction="Run the INSERT/UPDATE/DELETE statements in START TRANSACTION "
                 "... COMMIT batches (InnoDB row locks hold only the rows touched; SELECT ... "
                 "FOR UPDATE locks rows a batch reads), outside the schema migration for a "
                 "large table (see update-or-delete-in-schema-migration)."),
        ),
    )
