"""ML301 non-transactional-statement-in-transaction, ML302 enum-value-added-in-transaction,
ML303 validate-in-same-transaction, ML304 nested-transaction, ML305 unterminated-transaction."""

from typing import Iterator, Optional

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.transactions import explicit_blocks, in_transaction, transaction_peers


def _non_transactional(op: m.Operation) -> Optional[str]:
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


def _where(ctx: RuleContext) -> str:
    if ctx.statement.in_transaction:
        return "inside BEGIN ... COMMIT"
    if ctx.migration.runner_transaction:
        return "in a migration its runner wraps in a transaction"
    return ("in a file with other statements, which PostgreSQL runs as one implicit "
            "transaction when the runner sends the file as one string (golang-migrate, dbmate)")


_SEPARATE = Step(
    phase=Phase.EXPAND, title="Put the statement alone in its own migration, run outside a "
    "transaction",
    instruction="A file with just this statement (session SETs aside), and the runner's "
    "no-transaction switch: Rails disable_ddl_transaction!, Django atomic = False, "
    "Flyway executeInTransaction=false, goose -- +goose NO TRANSACTION.",
)


@rule(
    "ML301", "non-transactional-statement-in-transaction", "error",
    "CONCURRENTLY index operations, DETACH ... CONCURRENTLY and VACUUM cannot run inside a "
    "transaction block.",
    on=(m.CreateIndex, m.DropIndex, m.Reindex, m.DetachPartition, m.Vacuum, m.Cluster,
        m.DropDatabase),
    dialects=POSTGRES, tags=("transactions",),
    supersedes=("ML213",),
)
def check_non_transactional(op: m.Operation, ctx: RuleContext) -> Iterator[Finding]:
    name = _non_transactional(op)
    if name is None or not in_transaction(ctx.migration, ctx.statement):
        return
    message = (
        f"{name} cannot run inside a transaction block, and this statement runs {_where(ctx)}: "
        "the migration fails with 'cannot run inside a transaction block'."
    )
    yield ctx.finding(op.span, message, Rewrite(
        summary="Run it alone, outside any transaction.", steps=(_SEPARATE,),
    ))


def _value_used_later(ctx: RuleContext, value: str) -> Optional[int]:
    literal = "'" + value.replace("'", "''") + "'"
    for statement in transaction_peers(ctx.migration, ctx.statement):
        if statement.index > ctx.index and literal in statement.text:
            return statement.span.line
    return None


@rule(
    "ML302", "enum-value-added-in-transaction", "error",
    "ALTER TYPE ... ADD VALUE fails in a transaction before PostgreSQL 12, and the value "
    "cannot be used before COMMIT on 12+.",
    on=(m.AddEnumValue,), dialects=POSTGRES, tags=("transactions",),
)
def check_enum_in_transaction(op: m.AddEnumValue, ctx: RuleContext) -> Iterator[Finding]:
    if not in_transaction(ctx.migration, ctx.statement):
        return
    value = "'" + op.value.replace("'", "''") + "'"
    if not ctx.version.at_least(12):
        message = (
            f"ALTER TYPE {ctx.q(op.type_name)} ADD VALUE {value} runs {_where(ctx)}; before "
            "PostgreSQL 12 it fails with 'cannot run inside a transaction block'."
        )
    else:
        line = _value_used_later(ctx, op.value)
        if line is None:
            return
        message = (
            f"The new enum value {value} is used on line {line}, in the same transaction that "
            "adds it: PostgreSQL refuses to use it before the transaction commits "
            "('unsafe use of new value')."
        )
    yield ctx.finding(op.span, message, Rewrite(
        summary="Add the enum value in its own migration, committed before anything uses it.",
        steps=(_SEPARATE,),
    ))


@rule(
    "ML303", "validate-in-same-transaction", "error",
    "VALIDATE CONSTRAINT in the same transaction as its NOT VALID add keeps the add's lock "
    "for the whole validation scan.",
    on=(m.ValidateConstraint,), dialects=POSTGRES, tags=("transactions", "locking"),
    supersedes=("ML213",),
)
def check_validate(op: m.ValidateConstraint, ctx: RuleContext) -> Iterator[Finding]:
    blocks = explicit_blocks(ctx.migration)
    block = blocks.get(ctx.index)
    if block is None and not ctx.migration.runner_transaction:
        return
    for index, added in ctx.migration.operations_before(ctx.index):
        same = blocks.get(index) == block
        if same and isinstance(added, m.AddConstraint) and added.not_valid and (
            added.name is not None and added.name.key == op.name.key and added.table.matches(op.table)
        ):
            if ctx.table_is_new(op.table):
                return
            lock = "SHARE ROW EXCLUSIVE" if added.kind == "foreign_key" else "ACCESS EXCLUSIVE"
            message = (
                f"VALIDATE CONSTRAINT {ctx.q(op.name)} runs in the same transaction as its NOT "
                f"VALID add, so the add's {lock} lock on {ctx.q(op.table)} is held for the whole "
                "validation scan: NOT VALID gains nothing."
            )
            yield ctx.finding(op.span, message, Rewrite(
                summary="Validate in a separate migration (its own transaction).",
                steps=(Step(phase=Phase.CONTRACT, title="Move the VALIDATE to the next migration",
                            sql=f"ALTER TABLE {ctx.q(op.table)} VALIDATE CONSTRAINT "
                            f"{ctx.q(op.name)};"),),
            ))
            return


_BALANCE = Rewrite(
    summary="Pair every BEGIN with one COMMIT, without nesting.",
    steps=(Step(phase=Phase.EXPAND, title="Fix the transaction statements",
                instruction="One BEGIN at the top and one COMMIT at the end; PostgreSQL ignores "
                "a nested BEGIN (with a warning) and the inner COMMIT ends the whole "
                "transaction. Many runners add their own transaction: then write none."),),
)


@rule(
    "ML304", "nested-transaction", "warning",
    "BEGIN inside an open transaction, or COMMIT/ROLLBACK without one.",
    dialects=POSTGRES, tags=("transactions",), scope="migration",
)
def check_nesting(ctx: RuleContext) -> Iterator[Finding]:
    open_at = None
    for statement in ctx.migration.statements:
        for op in statement.operations:
            if not isinstance(op, m.TransactionControl):
                continue
            if op.action == "begin" and open_at is not None:
                yield ctx.finding(op.span, f"BEGIN inside the transaction opened on line {open_at}: "
                                  "PostgreSQL ignores it, and the next COMMIT ends the outer "
                                  "transaction early.", _BALANCE)
            elif op.action == "begin":
                open_at = statement.span.line
            elif open_at is None:
                yield ctx.finding(op.span, f"{op.action.upper()} without an open transaction: "
                                  "the statements before it were not in a transaction block.",
                                  _BALANCE)
            else:
                open_at = None


@rule(
    "ML305", "unterminated-transaction", "error",
    "A BEGIN without a matching COMMIT or ROLLBACK.",
    dialects=POSTGRES, tags=("transactions",), scope="migration",
)
def check_unterminated(ctx: RuleContext) -> Iterator[Finding]:
    open_begin: Optional[m.TransactionControl] = None
    for statement in ctx.migration.statements:
        for op in statement.operations:
            if not isinstance(op, m.TransactionControl):
                continue
            if op.action != "begin":
                open_begin = None
            elif open_begin is None:  # a nested BEGIN is ML304's business
                open_begin = op
    if open_begin is not None:
        yield ctx.finding(open_begin.span, "This BEGIN is never committed: depending on the runner "
                          "the migration's changes are rolled back when the session ends, or stay "
                          "locked in an open transaction.", Rewrite(
                              summary="End the transaction.",
                              steps=(Step(phase=Phase.EXPAND, title="Add COMMIT at the end of the file",
                                          sql="COMMIT;"),)))
