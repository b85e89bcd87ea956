"""ML109 drop-not-null."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import restate_left_out
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML109", "drop-not-null", "note",
    "Dropping NOT NULL lets new code store NULL where the running version assumes a value.",
    on=(m.DropNotNull,), tags=("backward-compatibility",),
)
def check(op: m.DropNotNull, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.column_is_new(op.table, op.column):
        return
    if op.kept_by is not None:
        yield _left_out(op, ctx)
        return
    table, column = ctx.q(op.table), ctx.q(op.column)
    message = (
        f"After DROP NOT NULL on {table}.{column}, the new application version may store NULL, "
        "and the running older version, written when the column could not be NULL, may fail "
        "reading such a row."
    )
    rewrite = Rewrite(
        summary=f"Make every reader handle NULL in {column} before allowing it.",
        steps=(
            Step(phase=Phase.SWITCH, title=f"Deploy application code that handles NULL in {column}",
                 instruction="Release readers that tolerate NULL (nullable model field, "
                 "NULL-safe serialisation) before any writer stores one."),
            Step(phase=Phase.CONTRACT, title="Then drop the constraint",
                 sql=f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL;"
                 if ctx.dialect == "postgres" else None,
                 instruction=None if ctx.dialect == "postgres" else
                 f"ALTER TABLE {table} MODIFY {column} with its current type, without NOT NULL"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)


def _left_out(op: m.DropNotNull, ctx: RuleContext) -> Finding:
    """The migration keeps the nullability, but the statement written for it does not."""
    table, column = ctx.q(op.table), ctx.q(op.column)
    message = (
        f"The statement written for this change restates {table}.{column} without NOT NULL "
        "(MODIFY replaces the whole column definition): if the column is NOT NULL today, it "
        "silently becomes nullable, and the running application version may then read "
        "NULLs it never expected."
    )
    return ctx.finding(op.span, message, restate_left_out(
        ctx.dialect, ctx.migration.runner, op.table, op.column, op.kept_by, "NOT NULL",
        "nullability", f"{op.kept_by}False when {column} is NOT NULL today ({op.kept_by}True "
        "when it allows NULL), so the MODIFY keeps it."))
