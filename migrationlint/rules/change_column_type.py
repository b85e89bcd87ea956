"""ML107 change-column-type."""

from typing import Iterator, Optional

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import add_column_step, batched_backfill, drop_sync_trigger, sync_trigger
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule
from migrationlint.sqlgen import generated_name
from migrationlint.typechanges import keeps_data


def old_type(op: m.AlterColumnType, ctx: RuleContext) -> Optional[str]:
    return ctx.migration.column_type(op.table, op.column, ctx.index)


def _renamed_in_same_statement(op: m.AlterColumnType, ctx: RuleContext) -> bool:
    return any(
        isinstance(other, m.RenameColumn) and other.column.key == op.column.key
        for other in ctx.statement.operations
    )


@rule(
    "ML107", "change-column-type", "error",
    "Changing a column's type rewrites the table under an exclusive lock and changes what "
    "the running application reads and writes.",
    on=(m.AlterColumnType,), tags=("backward-compatibility", "locking"),
    supersedes=("ML213",),
)
def check(op: m.AlterColumnType, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.column_is_new(op.table, op.column):
        return
    before = old_type(op, ctx)
    if before is None and _renamed_in_same_statement(op, ctx):
        return  # MySQL CHANGE old new <type>: rename-column reports it, with the recipe
    if before is not None and op.using_sql is None and keeps_data(before, op.new_type_sql, ctx.dialect):
        return  # e.g. varchar widening: no rewrite, nothing the application notices
    table, column = ctx.q(op.table), ctx.q(op.column)
    change = f"from {before} to {op.new_type_sql}" if before else f"to {op.new_type_sql}"
    if ctx.dialect == "postgres":
        lock = ("rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, blocking "
                "reads and writes for the whole rewrite")
        if before is None:
            lock += (" (unless it is a binary-compatible change such as widening a varchar; "
                     "the old type is not known from this file)")
    else:
        lock = "copies the table, blocking writes for the whole copy"
    message = (
        f"Changing {table}.{column} {change} {lock}, and the running application version "
        "may read or write values the new type rejects or represents differently."
    )
    new = generated_name(ctx.dialect, op.column.name, suffix="new")
    n = ctx.q(new)
    value = f"CAST({column} AS {op.new_type_sql})" if op.using_sql is None else op.using_sql
    rewrite = Rewrite(
        summary=f"Expand/contract: add {n} with the new type, keep it in sync, backfill in "
        f"batches, switch reads, and drop {column} in a later release.",
        steps=(
            add_column_step(ctx.dialect, op.table, new, op.new_type_sql, like=op.column),
            sync_trigger(ctx.dialect, op.table, op.column, new),
            batched_backfill(ctx.dialect, op.table, new, value,
                             f"{n} IS NULL AND {column} IS NOT NULL"),
            Step(phase=Phase.SWITCH, title=f"Deploy application code that reads and writes {n}",
                 instruction=f"Release the version using {n}; keep {column} until no running "
                 "version uses it."),
            Step(phase=Phase.CONTRACT,
                 title=f"In a later release, drop the trigger and the old column {column}",
                 sql=drop_sync_trigger(ctx.dialect, op.table, new)
                 + f"\nALTER TABLE {table} DROP COLUMN {column};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
