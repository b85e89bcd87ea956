"""ML110 drop-column-default."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import always_write_step, restate_left_out
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML110", "drop-column-default", "note",
    "Dropping a column default breaks inserts from the running version that rely on it.",
    on=(m.DropDefault,), tags=("backward-compatibility",),
)
def check(op: m.DropDefault, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.column_is_new(op.table, op.column):
        return  # e.g. Django adds a column with a default and drops it in the same file
    if _default_set_by_the_same_statement(op, ctx):
        return
    if op.kept_by is not None:
        yield _left_out(op, ctx)
        return
    table, column = ctx.q(op.table), ctx.q(op.column)
    message = (
        f"Dropping the default of {table}.{column}: the running application version may "
        f"insert rows without {column}, relying on the default; they now get NULL, or fail "
        "if the column is NOT NULL."
    )
    rewrite = Rewrite(
        summary=f"Make every writer set {column} before dropping its default.",
        steps=(
            always_write_step(column),
            Step(phase=Phase.CONTRACT, title="Then drop the default",
                 sql=f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)


def _default_set_by_the_same_statement(op: m.DropDefault, ctx: RuleContext) -> bool:
    """The statement set this default itself before dropping it (Django's AlterField to
    NOT NULL with a default: SET DEFAULT, UPDATE, SET NOT NULL, DROP DEFAULT). The lock
    is held from the SET to the DROP, so no running version ever inserted with it."""
    operations = ctx.statement.operations if ctx.statement is not None else ()
    before = operations[:operations.index(op)] if op in operations else ()
    return any(isinstance(o, m.SetDefault) and o.table.matches(op.table)
               and o.column.key == op.column.key for o in before)


def _left_out(op: m.DropDefault, ctx: RuleContext) -> Finding:
    """The migration keeps the default, but the statement written for it does not."""
    table, column = ctx.q(op.table), ctx.q(op.column)
    message = (
        f"The statement written for this change restates {table}.{column} without a DEFAULT "
        "(MODIFY replaces the whole column definition): if the column has a default today, "
        "it is dropped, and inserts from the running application version that leave "
        f"{column} out get NULL, or fail if the column is NOT NULL."
    )
    return ctx.finding(op.span, message, restate_left_out(
        ctx.dialect, ctx.migration.runner, op.table, op.column, op.kept_by, "DEFAULT",
        "default", f"{op.kept_by} with the default {column} has today, so the MODIFY keeps "
        "it (leave it out only when the column has none)."))
