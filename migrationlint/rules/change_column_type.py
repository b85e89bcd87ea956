"""ML107 change-column-type."""

from typing import Iterator, List, Optional

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import (
    add_column_step, batched_backfill, declared_definition_steps, drop_sync_trigger,
    primary_key, restate_unknown_definition, restated_definition_steps, sync_trigger,
)
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule
from migrationlint.mysql_online_ddl import Plan, Support, Target
from migrationlint.rules.mysql_online_ddl import plan_of, varchar_boundary_hint
from migrationlint.sqlgen import derived_column
from migrationlint.typechanges import conversion_sql, converts_back, keeps_data, using_conversion


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
    found = plan_of(ctx, ctx.statement.operations, ctx.index)
    support = next((s for o, s in found.items if o is op), None) if found else None
    if support is None or support.metadata_only:
        return "changes only the table's metadata"
    if found.requests_online:
        return _with_online_clause(found, support, ctx)
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


def _with_online_clause(found: Plan, support: Support, ctx: RuleContext) -> str:
    """The statement asks for ALGORITHM=INSTANT/INPLACE or LOCK=NONE: the server runs it
    that way or refuses it, it never falls back to a blocking copy."""
    clause = ", ".join(f"{name}={value}" for name, value in
                       (("ALGORITHM", found.algorithm), ("LOCK", found.lock)) if value)
    refused = found.refused_clause(Target(ctx.dialect, ctx.version))
    if refused is not None:
        return f"is refused by the server as written ({refused.clause} cannot run it)"
    if support.uncertain:
        return (f"runs as its {clause} requests, or is refused when the server cannot "
                "(it never falls back to a blocking copy)")
    return f"runs as its {clause} requests"


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
    if ctx.table_is_new(op.table):
        return
    if ctx.column_is_new(op.table, op.column):
        # No running version uses the column yet, so only the rewrite of the existing
        # table is left: on MySQL the online DDL rules (ML404-ML406) report it.
        if ctx.dialect == "postgres":
            yield from _added_column(op, ctx)
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


def _added_column(op: m.AlterColumnType, ctx: RuleContext) -> Iterator[Finding]:
    """A type change of a column this migration added to an existing table."""
    before = old_type(op, ctx)
    if before is not None and op.using_sql is None and keeps_data(before, op.new_type_sql, ctx.dialect):
        return
    table, column = ctx.q(op.table), ctx.q(op.column)
    change = f"from {before} to {op.new_type_sql}" if before else f"to {op.new_type_sql}"
    message = (
        f"Changing {table}.{column}, added earlier in this migration, {change} "
        f"{_postgres_cost(before)}: {table} existed before this migration, so every one of "
        "its rows is rewritten."
    )
    yield ctx.finding(op.span, message, Rewrite(
        summary="Give the column its final type where it is added.",
        steps=(Step(phase=Phase.EXPAND, title="Declare the final type in the ADD COLUMN",
                    instruction=f"Add {column} as {op.new_type_sql} and drop this type change: "
                    "adding a column without a volatile default rewrites nothing."),),
    ))


def _default_sql(op: m.AlterColumnType, ctx: RuleContext) -> Optional[str]:
    """The default the statement gives the column (MySQL MODIFY ... DEFAULT, or an
    ALTER COLUMN ... SET DEFAULT next to the type change)."""
    if op.definition is not None and op.definition.default is not None:
        return op.definition.default.sql
    return next((other.default_sql for other in ctx.statement.operations
                 if isinstance(other, m.SetDefault) and other.column.key == op.column.key), None)


def _sync_step(op: m.AlterColumnType, new: m.Ident, ctx: RuleContext) -> Step:
    """The sync trigger converting both ways, or only old to new when the old type cannot
    hold every value of the new one (the title says which)."""
    column, n = ctx.q(op.column), ctx.q(new)
    before = old_type(op, ctx)

    def forward(value_sql: str) -> str:
        if op.using_sql is not None:
            converted = using_conversion(op.using_sql, op.column, value_sql, ctx.dialect)
            if converted is not None:
                return converted
        return conversion_sql(value_sql, op.new_type_sql, ctx.dialect)

    # A USING expression (cents / 100) has no inverse we could apply to copy writes back.
    if before is not None and op.using_sql is None and converts_back(
        op.new_type_sql, before, ctx.dialect
    ):
        def back(value_sql: str) -> str:
            return conversion_sql(value_sql, before, ctx.dialect)

        title = (f"Keep {column} and {n} in sync while old and new application versions "
                 f"both run, converting each write to the other column's type")
        return sync_trigger(ctx.dialect, ctx.version, op.table, op.column, new, forward, back,
                            title)
    reason = ("its USING conversion has no known inverse" if op.using_sql is not None
              else "the old type is not known from this file" if before is None
              else f"{before} cannot hold every {op.new_type_sql} value")
    title = (f"Copy every write of {column} into {n}, converted, while old and new "
             f"application versions both run; a write of {n} alone is not copied back "
             f"({reason}), so the version that switches to {n} must keep writing {column} too "
             "while older versions run")
    return sync_trigger(ctx.dialect, ctx.version, op.table, op.column, new, forward, None, title)


def _declared(op: m.AlterColumnType, default: Optional[str]) -> m.ColumnSpec:
    """The MODIFY/CHANGE definition, with the default of an ALTER COLUMN ... SET DEFAULT."""
    if default is not None and op.definition.default is None:
        return op.definition.replace(default=m.ColumnDefault(sql=default))
    return op.definition


def _expand_contract(op: m.AlterColumnType, ctx: RuleContext) -> Rewrite:
    table, column = ctx.q(op.table), ctx.q(op.column)
    new = derived_column(ctx.dialect, op.column, suffix="new")
    n = ctx.q(new)
    value = op.using_sql or conversion_sql(column, op.new_type_sql, ctx.dialect)
    default = _default_sql(op, ctx)
    type_sql = op.definition.full_type_sql if op.definition else op.new_type_sql
    steps: List[Step] = [
        add_column_step(ctx.dialect, ctx.version, op.table, new, type_sql, like=op.column),
        _sync_step(op, new, ctx),
        batched_backfill(ctx.dialect, op.table, new, value,
                         f"{n} IS NULL AND {column} IS NOT NULL",
                         key=primary_key(ctx.migration, op.table, ctx.index)),
        Step(phase=Phase.SWITCH, title=f"Deploy application code that reads and writes {n}",
             instruction=f"Release the version using {n}; keep {column} until no running "
             "version uses it."),
    ]
    if ctx.dialect != "postgres" and op.definition is not None:
        steps += restated_definition_steps(ctx.dialect, op.table, op.column, new,
                                           _declared(op, default))
    else:
        steps += declared_definition_steps(ctx.dialect, op.table, new, type_sql, default,
                                           bool(op.not_null))
    if op.definition is None:  # PostgreSQL's TYPE keeps NOT NULL unsaid, and the default
        steps.append(restate_unknown_definition(ctx.dialect, ctx.version, op.table, op.column,
                                                new, default_sql=default))
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
