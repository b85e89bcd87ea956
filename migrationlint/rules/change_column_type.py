"""ML107 change-column-type."""

from typing import Iterator, List, Optional

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import (
    add_column_step, add_not_null_safely, batched_backfill, drop_sync_trigger, sync_trigger,
)
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule
from migrationlint.rules.mysql_online_ddl import plan_of, varchar_boundary_hint
from migrationlint.sqlgen import generated_name
from migrationlint.typechanges import conversion_sql, keeps_data


def old_type(op: m.AlterColumnType, ctx: RuleContext) -> Optional[str]:
    return ctx.migration.column_type(op.table, op.column, ctx.index)


def _renamed_in_same_statement(op: m.AlterColumnType, ctx: RuleContext) -> bool:
    return any(
        isinstance(other, m.RenameColumn) and other.column.key == op.column.key
        for other in ctx.statement.operations
    )


def _postgres_cost(before: Optional[str]) -> str:
    cost = ("rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, blocking "
            "reads and writes for the whole rewrite")
    if before is None:
        cost += (" (unless it is a binary-compatible change such as widening a varchar; "
                 "the old type is not known from this file)")
    return cost


def _mysql_cost(op: m.AlterColumnType, ctx: RuleContext) -> str:
    """What the server does to the table, from the online DDL classifier (this rule
    supersedes the online DDL rules on the same operation, so it says it once)."""
    found = plan_of(ctx, [op], ctx.index)
    if found is None or found.items[0][1].metadata_only:
        return "changes only the table's metadata"
    support = found.items[0][1]
    if not support.concurrent_dml:
        cost = "copies the table, blocking writes for the whole copy"
    else:
        cost = ("rebuilds the table (writes continue, but replicas lag by the length of the "
                "rebuild)")
    if support.uncertain:
        # This file does not show the current definition: say when the server copies.
        hint = varchar_boundary_hint(op)
        cost += (" when the stored type changes (this file does not show the current one"
                 f"{'; ' + hint if hint else ''})")
    return cost


@rule(
    "ML107", "change-column-type", "error",
    "Changing a column's type rewrites the table under an exclusive lock and changes what "
    "the running application reads and writes.",
    on=(m.AlterColumnType,), tags=("backward-compatibility", "locking"),
    # One finding per type change: this rule's rewrite avoids the rewrite/copy too, so the
    # lock rules (PostgreSQL ML213; MySQL ML404-ML406) and MySQL's NOT NULL rule (ML409,
    # whose recipe this one includes) do not repeat it on the same operation.
    supersedes=("ML213", "ML404", "ML405", "ML406", "ML409"),
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
    cost = _postgres_cost(before) if ctx.dialect == "postgres" else _mysql_cost(op, ctx)
    message = (
        f"Changing {table}.{column} {change} {cost}, and the running application version "
        "may read or write values the new type rejects or represents differently."
    )
    if op.not_null:  # MySQL MODIFY/CHANGE ... NOT NULL
        message += (
            f" It also declares {column} NOT NULL: if it allows NULL today, existing NULLs "
            "fail the ALTER in strict mode (or are silently replaced by 0, '' or a zero date), "
            "and inserts that leave the column out fail unless it has a default."
        )
    yield ctx.finding(op.span, message, _expand_contract(op, ctx))


def _expand_contract(op: m.AlterColumnType, ctx: RuleContext) -> Rewrite:
    table, column = ctx.q(op.table), ctx.q(op.column)
    new = generated_name(ctx.dialect, op.column.name, suffix="new")
    n = ctx.q(new)
    value = op.using_sql or conversion_sql(column, op.new_type_sql, ctx.dialect)
    steps: List[Step] = [
        add_column_step(ctx.dialect, op.table, new, op.new_type_sql, like=op.column),
        sync_trigger(ctx.dialect, op.table, op.column, new),
        batched_backfill(ctx.dialect, op.table, new, value,
                         f"{n} IS NULL AND {column} IS NOT NULL"),
        Step(phase=Phase.SWITCH, title=f"Deploy application code that reads and writes {n}",
             instruction=f"Release the version using {n}; keep {column} until no running "
             "version uses it."),
    ]
    if op.not_null:
        steps += add_not_null_safely(ctx.dialect, op.table, new, op.new_type_sql)
    steps.append(Step(
        phase=Phase.CONTRACT,
        title=f"In a later release, drop the trigger and the old column {column}",
        sql=drop_sync_trigger(ctx.dialect, op.table, new)
        + f"\nALTER TABLE {table} DROP COLUMN {column};"))
    return Rewrite(
        summary=f"Expand/contract: add {n} with the new type, keep it in sync, backfill in "
        f"batches, switch reads, and drop {column} in a later release.",
        steps=tuple(steps),
    )
