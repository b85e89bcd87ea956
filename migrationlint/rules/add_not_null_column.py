"""ML105 add-not-null-column-without-default."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import add_not_null_safely, batched_backfill
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


def _has_implicit_value(column: m.ColumnSpec) -> bool:
    return column.default is not None or column.identity or column.auto_increment or (
        column.generated_stored or column.generated_virtual
    )


@rule(
    "ML105", "add-not-null-column-without-default", "error",
    "Adding a NOT NULL column without a default fails on existing rows and breaks "
    "inserts from the old application version.",
    on=(m.AddColumn,), tags=("backward-compatibility",),
)
def check(op: m.AddColumn, ctx: RuleContext) -> Iterator[Finding]:
    column = op.column
    if not column.not_null or _has_implicit_value(column) or ctx.table_is_new(op.table):
        return
    table, name = ctx.q(op.table), ctx.q(column.name)
    if ctx.dialect == "postgres":
        consequence = "fails on a table that has rows (existing rows would be NULL)"
    else:
        consequence = (
            "fills existing rows with an implicit zero value, or fails in strict mode"
        )
    message = (
        f"Adding NOT NULL column {name} to {table} without a default {consequence}, and "
        f"every INSERT from the running application version, which does not know {name}, "
        "fails."
    )
    rewrite = Rewrite(
        summary=f"Add {name} as nullable (or with a constant default), backfill it, then "
        "enforce NOT NULL once every writer sets it.",
        steps=(
            Step(phase=Phase.EXPAND, title=f"Add {name} without NOT NULL",
                 sql=f"ALTER TABLE {table} ADD COLUMN {name} {column.type_sql};"),
            Step(phase=Phase.SWITCH, title=f"Deploy application code that always writes {name}",
                 instruction=f"Release the version that sets {name} on every INSERT."),
            batched_backfill(ctx.dialect, op.table, column.name, None, f"{name} IS NULL"),
            *add_not_null_safely(
                ctx.dialect, op.table, column.name, column.type_sql,
                version_supports_fast_not_null=ctx.version.at_least(12),
            ),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
