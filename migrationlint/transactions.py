"""Which statements of a migration share a transaction.

Explicit ``BEGIN ... COMMIT`` blocks are known from the file. Without one, the runner
decides: ``Migration.runner_transaction`` is True when it wraps the file (Rails,
Django), False when it runs statements one by one, and None for plain SQL, where we
assume a runner that sends the whole file as one string, which PostgreSQL executes as
one implicit transaction (golang-migrate, dbmate)."""

from __future__ import annotations

from typing import Dict, List, Optional

from migrationlint import model as m
from migrationlint.context import Migration, Statement

# Session settings run first by every runner that splits files; they do not make a
# file "multi-statement" for the purpose of the implicit-transaction rules.
_NEUTRAL = (m.SetSetting, m.TransactionControl)


def explicit_blocks(migration: Migration) -> Dict[int, int]:
    """Statement index -> number of the explicit BEGIN ... COMMIT block it is in."""
    blocks: Dict[int, int] = {}
    current: Optional[int] = None
    count = 0
    for statement in migration.statements:
        actions = [op.action for op in statement.operations if isinstance(op, m.TransactionControl)]
        if "begin" in actions and current is None:
            count += 1
            current = count
        elif current is not None and not actions:
            blocks[statement.index] = current
        if "commit" in actions or "rollback" in actions:
            current = None
    return blocks


def substantive(statement: Statement) -> bool:
    return any(not isinstance(op, _NEUTRAL) for op in statement.operations) or (
        statement.error is not None
    )


def whole_file_is_one_transaction(migration: Migration) -> bool:
    if migration.runner_transaction is not None:
        return migration.runner_transaction
    return sum(1 for s in migration.statements if substantive(s)) > 1


def in_transaction(migration: Migration, statement: Statement) -> bool:
    """The statement runs inside a transaction block, explicit or implicit."""
    return statement.in_transaction or whole_file_is_one_transaction(migration)


def transaction_peers(migration: Migration, statement: Statement) -> List[Statement]:
    """The statements that run in the same transaction as ``statement`` (itself included)."""
    blocks = explicit_blocks(migration)
    block = blocks.get(statement.index)
    if block is not None:
        return [s for s in migration.statements if blocks.get(s.index) == block]
    if whole_file_is_one_transaction(migration):
        return [s for s in migration.statements if s.index not in blocks]
    return [statement]
