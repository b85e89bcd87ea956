"""ML101 rename-column."""

from typing import Iterator, Optional

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import (
    add_column_step, batched_backfill, drop_sync_trigger, primary_key, restate_unknown_definition,
    restated_definition_steps, sync_trigger,
)
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML101", "rename-column", "error",
    "Renaming a column breaks the application version that still uses the old name.",
    on=(m.RenameColumn,), tags=("backward-compatibility",),
    # MySQL's CHANGE old new <type> is also a restated definition that the online-DDL
    # rules judge; the rename recipe replaces the whole statement, so report it once.
    supersedes=("ML404", "ML405", "ML406", "ML409"),
)
def check(op: m.RenameColumn, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.column_is_new(op.table, op.column):
        return
    table, old, new = ctx.q(op.table), ctx.q(op.column), ctx.q(op.new_name)
    message = (
        f"Renaming column {old} of {table} to {new} breaks every running application "
        f"version that still reads or writes {old}: during the rollout, and after a rollback, "
        "queries fail with an unknown-column error."
    )
    declared = _declared_definition(op, ctx)
    type_sql = declared.full_type_sql if declared else ctx.migration.column_type(
        op.table, op.column, ctx.index)
    finish = restated_definition_steps(
        ctx.dialect, op.table, op.column, op.new_name, declared,
    ) if declared else [restate_unknown_definition(ctx.dialect, ctx.version, op.table,
                                                   op.column, op.new_name)]
    rewrite = Rewrite(
        summary=f"Expand/contract: add {new}, keep it in sync with {old}, backfill, switch "
        f"the application, and drop {old} in a later release.",
        steps=(
            add_column_step(ctx.dialect, ctx.version, op.table, op.new_name, type_sql, like=op.column),
            sync_trigger(ctx.dialect, ctx.version, op.table, op.column, op.new_name),
            batched_backfill(
                ctx.dialect, op.table, op.new_name, old,
                f"{new} IS NULL AND {old} IS NOT NULL",
                key=primary_key(ctx.migration, op.table, ctx.index),
            ),
            Step(phase=Phase.SWITCH, title=f"Deploy application code that reads and writes {new}",
                 instruction=f"Release the application using {new}; keep {old} until no "
                 "running version uses it."),
            *finish,
            Step(phase=Phase.CONTRACT,
                 title=f"In a later release, drop the trigger and the old column {old}",
                 sql=drop_sync_trigger(ctx.dialect, op.table, op.new_name)
                 + f"\nALTER TABLE {table} DROP COLUMN {old};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)


def _declared_definition(op: m.RenameColumn, ctx: RuleContext) -> Optional[m.ColumnSpec]:
    """The definition MySQL's CHANGE old new <definition> states for the renamed column."""
    return next((other.definition for other in ctx.statement.operations
                 if isinstance(other, m.AlterColumnType) and other.column.key == op.column.key
                 and other.definition is not None and other.definition.type_sql), None)
