"""ML103 drop-column."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import stop_using_column
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import MYSQL, rule


@rule(
    "ML103", "drop-column", "error",
    "Dropping a column breaks the application version that still selects or writes it.",
    on=(m.DropColumn,), tags=("backward-compatibility",),
    # On MySQL the recipe's final DROP already states the online clause ML406 asks for.
    supersedes=("ML406",),
)
def check(op: m.DropColumn, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.column_is_new(op.table, op.column):
        return
    table, column = ctx.q(op.table), ctx.q(op.column)
    message = (
        f"Dropping column {column} of {table} breaks every running application version that "
        f"still reads or writes it (ORMs name every column in SELECT and INSERT), and a "
        "rollback cannot bring the data back."
    )
    rewrite = Rewrite(
        summary=f"Contract in two releases: stop using {column} first, drop it later.",
        steps=(
            stop_using_column(ctx.dialect, op.table, op.column),
            Step(phase=Phase.CONTRACT,
                 title="In a later release, once no running version uses the column, drop it",
                 sql=f"ALTER TABLE {table} DROP COLUMN {column}{_online_clause(op, ctx)};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)


def _online_clause(op: m.DropColumn, ctx: RuleContext) -> str:
    """On MySQL/MariaDB, the ALGORITHM clause the target version runs the drop with, so
    the server refuses rather than silently copying the table."""
    if ctx.dialect not in MYSQL:
        return ""
    from migrationlint.rules.mysql_online_ddl import plan_of

    plan = plan_of(ctx, [op], ctx.index)
    clause = plan.supported_clause if plan is not None else None
    return f", {clause}" if clause else ""
