"""ML301 non-transactional-statement-in-transaction, ML302 enum-value-added-in-transaction,
ML303 validate-in-same-transaction, ML304 nested-transaction, ML305 unterminated-transaction."""

from typing import Dict, Iterator, Optional

from migrationlint import model as m
from migrationlint.context import Transaction
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.parse import tokenize
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import string_literal
from migrationlint.transactions import flyway_non_transactional, refused_in_transaction

# How the runner is named in messages; others get "its runner".
_RUNNER_NAMES = {
    "alembic": "Alembic", "django": "Django", "liquibase": "Liquibase", "flyway": "Flyway",
    "dbmate": "dbmate", "goose": "goose", "atlas": "Atlas", "diesel": "Diesel",
}


def _where(ctx: RuleContext) -> str:
    """Where the statement runs, for a statement ``Migration.transaction`` puts in one."""
    kind = ctx.migration.transaction(ctx.statement)
    if kind is Transaction.EXPLICIT:
        return "inside BEGIN ... COMMIT"
    if kind is Transaction.RUNNER:
        runner = _RUNNER_NAMES.get(ctx.migration.runner or "", "its runner")
        unit = "changeset" if ctx.migration.runner == "liquibase" else "migration"
        return f"in a {unit} {runner} runs in a transaction"
    if kind is Transaction.ONE_MESSAGE:
        return (f"in a file of several statements that {ctx.migration.runner} sends in one "
                "message, which PostgreSQL runs as one implicit transaction")
    return ("in a file with other statements, which PostgreSQL runs as one implicit "
            "transaction when the runner sends the file in one message (golang-migrate, dbmate)")


def _flyway_refuses(ctx: RuleContext) -> bool:
    """Flyway recognises the statement as non-transactional and the file mixes in other
    statements: Flyway refuses such a file (whatever executeInTransaction says)."""
    return ctx.migration.runner == "flyway" and flyway_non_transactional(
        ctx.statement, ctx.version) and len(ctx.migration.statements) > 1


# How a runner runs one statement outside a transaction, by Migration.runner; a file of
# another runner, or of none, gets the common ones.
_NO_TRANSACTION_SWITCH = {
    "django": "a Migration class with atomic = False",
    "flyway": "executeInTransaction=false in the script's .conf file",
    "goose": "-- +goose NO TRANSACTION",
    "dbmate": "-- migrate:up transaction:false",
    "liquibase": 'a changeSet of its own with runInTransaction="false" (in formatted SQL, '
                 "--changeset author:id runInTransaction:false)",
    "atlas": "-- atlas:txmode none",
    "diesel": "run_in_transaction = false in the migration's metadata.toml",
}
_ANY_SWITCH = ("the runner's no-transaction switch: Rails disable_ddl_transaction!, Django "
               "atomic = False, Flyway executeInTransaction=false, goose -- +goose NO "
               "TRANSACTION, Alembic op.get_context().autocommit_block()")
# Alembic can leave the call in its revision: the block commits around it.
_ALEMBIC_AUTOCOMMIT = Step(
    phase=Phase.EXPAND, title="Run the call outside the migration's transaction",
    instruction="Inside upgrade(), wrap it in `with op.get_context().autocommit_block():` "
    "(Alembic commits the migration's transaction before the block and begins a new one "
    "after it).",
)


def _separate_step(runner: Optional[str]) -> Step:
    if runner == "alembic":
        return _ALEMBIC_AUTOCOMMIT
    switch = _NO_TRANSACTION_SWITCH.get(runner or "", _ANY_SWITCH)
    return Step(phase=Phase.EXPAND, title="Put the statement alone in its own migration, run "
                "outside a transaction",
                instruction=f"A file with just this statement (session SETs aside), and {switch}.")


def _rewrites(summary: str) -> Dict[Optional[str], Rewrite]:
    """The rewrite for each runner, built once: findings share them (models are immutable)."""
    return {runner: Rewrite(summary=summary, steps=(_separate_step(runner),))
            for runner in (*_NO_TRANSACTION_SWITCH, "alembic", None)}


_RUN_ALONE = _rewrites("Run it alone, outside any transaction.")
_ENUM_VALUE_ALONE = _rewrites(
    "Add the enum value outside the migration's transaction, committed before anything uses it.")


def _for_runner(rewrites: Dict[Optional[str], Rewrite], ctx: RuleContext) -> Rewrite:
    return rewrites.get(ctx.migration.runner, rewrites[None])


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
    name = refused_in_transaction(op)
    if name is None or ctx.migration.runs_in_transaction(ctx.statement) is False:
        return
    django_operation = _django_concurrent_operation(ctx)
    if django_operation is not None:
        message = (
            f"Django refuses {django_operation} in an atomic migration before PostgreSQL sees "
            f"it: the migration fails with 'NotSupportedError: The {django_operation} "
            "operation cannot be executed inside a transaction (set atomic = False on the "
            "migration)'."
        )
    elif _flyway_refuses(ctx):
        message = (
            f"Flyway runs a migration holding {name} outside a transaction only when every "
            "statement in it is one Flyway knows cannot run in a transaction; this file mixes "
            "in other statements, so Flyway refuses it ('Detected both transactional and "
            "non-transactional statements within the same migration') unless mixed=true is set."
        )
    else:
        message = (
            f"{name} cannot run inside a transaction block, and this statement runs "
            f"{_where(ctx)}: the migration fails with 'cannot run inside a transaction block'."
        )
    yield ctx.finding(op.span, message, _for_runner(_RUN_ALONE, ctx))


# Django's own operations that check for a transaction before sending any SQL
# (django.contrib.postgres.operations.NotInTransactionMixin).
_DJANGO_CONCURRENT_OPERATIONS = ("AddIndexConcurrently", "RemoveIndexConcurrently")


def _django_concurrent_operation(ctx: RuleContext) -> Optional[str]:
    """The name of the Django operation the statement is, when it is one of those."""
    if ctx.migration.runner != "django" or ctx.statement is None:
        return None
    operation = ctx.statement.framework_operation
    return operation if operation in _DJANGO_CONCURRENT_OPERATIONS else None


def _value_used_later(ctx: RuleContext, value: str) -> Optional[int]:
    """The line of a later statement in the same transaction that uses ``value``. The
    model has no operation for most uses of a value (INSERT VALUES, WHERE, DEFAULT,
    function bodies), so this looks for the value among the string literal tokens of
    the statement, which skips comments and other literals that merely contain it."""
    for statement in ctx.migration.transaction_peers(ctx.statement):
        if statement.index > ctx.index and any(
            token.token_type.name in ("STRING", "NATIONAL_STRING") and token.text == value
            for token in tokenize(statement.text, ctx.dialect)
        ):
            return statement.span.line
    return None


@rule(
    "ML302", "enum-value-added-in-transaction", "error",
    "ALTER TYPE ... ADD VALUE fails in a transaction before PostgreSQL 12, and the value "
    "cannot be used before COMMIT on 12+.",
    on=(m.AddEnumValue,), dialects=POSTGRES, tags=("transactions",),
)
def check_enum_in_transaction(op: m.AddEnumValue, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.migration.runs_in_transaction(ctx.statement) is False:
        return
    value = string_literal(op.value)
    if not ctx.version.at_least(12):
        # PostgreSQL 11 allows it for a type created in the same transaction: no index
        # can hold the new value's OID and outlive a rollback (AlterEnum's xmin check).
        if ctx.migration.type_created_in_transaction(op.type_name, ctx.statement):
            return
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
    yield ctx.finding(op.span, message, _for_runner(_ENUM_VALUE_ALONE, ctx))


@rule(
    "ML303", "validate-in-same-transaction", "error",
    "VALIDATE CONSTRAINT in the same transaction as its NOT VALID add keeps the add's lock "
    "for the whole validation scan.",
    on=(m.ValidateConstraint,), dialects=POSTGRES, tags=("transactions", "locking"),
    supersedes=("ML213",),
)
def check_validate(op: m.ValidateConstraint, ctx: RuleContext) -> Iterator[Finding]:
    # Only a certain transaction: NOT VALID then VALIDATE in one plain file is the usual
    # recipe, right when the runner splits the file.
    if ctx.migration.runs_in_transaction(ctx.statement) is not True:
        return
    for statement in ctx.migration.transaction_peers(ctx.statement):
        if statement.index >= ctx.index:
            break
        for added in statement.operations:
            if isinstance(added, m.AddConstraint) and added.not_valid and (
                added.name is not None and added.name.key == op.name.key
                and added.table.matches(op.table)
            ):
                if not ctx.table_is_new(op.table):
                    yield _validate_finding(op, added, ctx)
                return


def _validate_finding(op: m.ValidateConstraint, added: m.AddConstraint,
                      ctx: RuleContext) -> Finding:
    lock = "SHARE ROW EXCLUSIVE" if added.kind == "foreign_key" else "ACCESS EXCLUSIVE"
    message = (
        f"VALIDATE CONSTRAINT {ctx.q(op.name)} runs {_where(ctx)}, the same transaction as its "
        f"NOT VALID add, so the add's {lock} lock on {ctx.q(op.table)} is held for the whole "
        "validation scan: NOT VALID gains nothing."
    )
    return ctx.finding(op.span, message, Rewrite(
        summary="Validate in a separate migration (its own transaction).",
        steps=(Step(phase=Phase.CONTRACT, title="Move the VALIDATE to the next migration",
                    sql=f"ALTER TABLE {ctx.q(op.table)} VALIDATE CONSTRAINT {ctx.q(op.name)};"),),
    ))


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
                yield ctx.finding(op.span, f"{op.action.upper()} with no BEGIN of the file open: "
                                  "it ends whatever transaction the runner opened around the "
                                  "statements before it, or, with none open, PostgreSQL only "
                                  "warns 'there is no transaction in progress'.", _BALANCE)
            else:
                open_at = None


_COMMIT_AT_END = Rewrite(
    summary="End the transaction.",
    steps=(Step(phase=Phase.EXPAND, title="Add COMMIT at the end of the file", sql="COMMIT;"),),
)


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
                          "locked in an open transaction.", _COMMIT_AT_END)
