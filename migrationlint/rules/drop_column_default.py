"""ML110 drop-column-default."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import always_write_step
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
