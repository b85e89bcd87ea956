"""ML209 vacuum-full-or-cluster, ML210 set-logged-or-unlogged,
ML211 refresh-materialized-view-without-concurrently, ML218 alter-table-rewrites-table."""

from typing import Iterator, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import add_column_step, batched_backfill, primary_key
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import derived_column


@rule(
    "ML209", "vacuum-full-or-cluster", "error",
    "VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE.",
    on=(m.Vacuum, m.Cluster), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check_rewrite(op: Union[m.Vacuum, m.Cluster], ctx: RuleContext) -> Iterator[Finding]:
    if isinstance(op, m.Vacuum) and not op.full:
        return
    tables = op.tables if isinstance(op, m.Vacuum) else ((op.table,) if op.table else ())
    if tables and all(ctx.table_is_new(t) for t in tables):
        return
    what = ", ".join(ctx.q(t) for t in tables) or "every table"
    verb = "VACUUM FULL" if isinstance(op, m.Vacuum) else "CLUSTER"
    message = (
        f"{verb} rewrites {what} and all indexes while holding ACCESS EXCLUSIVE: no read or "
        "write gets through until it finishes, and it needs up to twice the disk space."
    )
    rewrite = Rewrite(
        summary="Reclaim space or reorder rows online with pg_repack, outside migrations.",
        steps=(Step(phase=Phase.EXPAND, title="Use pg_repack, which holds the exclusive lock "
                    "only briefly at the end",
                    instruction="pg_repack --table=<table> (with --order-by for CLUSTER), run as "
                    "an operational task, not a schema migration; plain VACUUM needs no "
                    "exclusive lock."),),
    )
    yield ctx.finding(op.span, message, rewrite)


@rule(
    "ML210", "set-logged-or-unlogged", "error",
    "SET LOGGED / SET UNLOGGED rewrites the table under ACCESS EXCLUSIVE.",
    on=(m.SetLogged,), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check_logged(op: m.SetLogged, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table):
        return
    table = ctx.q(op.table)
    mode = "LOGGED" if op.logged else "UNLOGGED"
    message = (
        f"SET {mode} rewrites {table} and its indexes while holding ACCESS EXCLUSIVE"
        + (" and writes all of it to the WAL" if op.logged else "")
        + ": reads and writes wait for the whole rewrite."
        + ("" if op.logged else " An unlogged table is also emptied after a crash and not "
           "replicated.")
    )
    rewrite = Rewrite(
        summary="Create a new table with the wanted persistence and move the data online.",
        steps=(Step(phase=Phase.EXPAND, title=f"Expand/contract instead of SET {mode}",
                    instruction=f"CREATE {'UNLOGGED ' if not op.logged else ''}TABLE with the "
                    f"same definition as {table}, dual-write, backfill in batches, switch, and "
                    "drop the old table later; or run it in a maintenance window."),),
    )
    yield ctx.finding(op.span, message, rewrite)


@rule(
    "ML211", "refresh-materialized-view-without-concurrently", "warning",
    "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view.",
    on=(m.RefreshMaterializedView,), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check_refresh(op: m.RefreshMaterializedView, ctx: RuleContext) -> Iterator[Finding]:
    if op.concurrently:
        return
    view = ctx.q(op.name)
    message = (
        f"REFRESH MATERIALIZED VIEW {view} holds ACCESS EXCLUSIVE on the view for the whole "
        "recomputation: every query reading it waits."
    )
    rewrite = Rewrite(
        summary="Refresh CONCURRENTLY (needs a unique index on the view), outside the schema "
        "migration.",
        steps=(
            Step(phase=Phase.EXPAND, title="Make sure the view has a unique index on plain "
                 "columns, without WHERE",
                 instruction=f"CREATE UNIQUE INDEX CONCURRENTLY ... ON {view} (<key columns>);"),
            Step(phase=Phase.EXPAND, title="Refresh concurrently (EXCLUSIVE: reads continue)",
                 sql=f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)


@rule(
    "ML218", "alter-table-rewrites-table", "error",
    "SET TABLESPACE, SET ACCESS METHOD and ALTER COLUMN ... SET EXPRESSION copy or rewrite "
    "the table under ACCESS EXCLUSIVE.",
    on=(m.SetTablespace, m.SetAccessMethod, m.SetGenerationExpression), dialects=POSTGRES,
    tags=("locking",), supersedes=("ML213",),
)
def check_table_rewrite(
    op: Union[m.SetTablespace, m.SetAccessMethod, m.SetGenerationExpression], ctx: RuleContext
) -> Iterator[Finding]:
    # SET LOGGED / UNLOGGED rewrite the table too, but keep their own code (ML210).
    if ctx.table_is_new(op.table):
        return
    if isinstance(op, m.SetTablespace):
        yield _set_tablespace(op, ctx)
    elif isinstance(op, m.SetAccessMethod):
        yield _set_access_method(op, ctx)
    else:
        yield _set_expression(op, ctx)


def _set_tablespace(op: m.SetTablespace, ctx: RuleContext) -> Finding:
    table, tablespace = ctx.q(op.table), ctx.q(op.tablespace)
    message = (
        f"SET TABLESPACE {tablespace} copies every data file of {table} while holding ACCESS "
        f"EXCLUSIVE: no read or write of {table} gets through until the copy ends (its indexes "
        "stay where they are and need their own SET TABLESPACE)."
    )
    rewrite = Rewrite(
        summary="Move the table online with pg_repack, or put only new data in the new "
        "tablespace.",
        steps=(
            Step(phase=Phase.EXPAND, title="Move it with pg_repack, which holds ACCESS "
                 "EXCLUSIVE only briefly",
                 instruction=f"pg_repack --table={table} --tablespace={tablespace} --moveidx, "
                 "run as an operational task, not a schema migration (the table needs a "
                 "primary key or a unique index on NOT NULL columns)."),
            Step(phase=Phase.EXPAND, title="Or leave the existing data where it is",
                 instruction=f"For a partitioned {table}, create the new partitions in "
                 f"{tablespace} (CREATE TABLE ... PARTITION OF {table} ... TABLESPACE "
                 f"{tablespace}); or run SET TABLESPACE in a maintenance window."),
        ),
    )
    return ctx.finding(op.span, message, rewrite)


def _set_access_method(op: m.SetAccessMethod, ctx: RuleContext) -> Finding:
    table, method = ctx.q(op.table), ctx.q(op.method)
    message = (
        f"SET ACCESS METHOD {method} rewrites {table} and its indexes while holding ACCESS "
        "EXCLUSIVE: reads and writes wait for the whole rewrite."
    )
    rewrite = Rewrite(
        summary="Create a new table with the wanted access method and move the data online.",
        steps=(Step(phase=Phase.EXPAND, title="Expand/contract instead of SET ACCESS METHOD",
                    instruction=f"CREATE TABLE ... (LIKE {table} INCLUDING ALL) USING {method}, "
                    "dual-write, backfill in batches, switch, and drop the old table later; or "
                    "run it in a maintenance window."),),
    )
    return ctx.finding(op.span, message, rewrite)


def _set_expression(op: m.SetGenerationExpression, ctx: RuleContext) -> Finding:
    table, column = ctx.q(op.table), ctx.q(op.column)
    new = derived_column(ctx.dialect, op.column, suffix="new")
    n, expression = ctx.q(new), f"({op.expression_sql})"
    message = (
        f"SET EXPRESSION recomputes the stored generated column {column} for every row, "
        f"rewriting {table} while holding ACCESS EXCLUSIVE: reads and writes wait for the "
        "whole rewrite."
    )
    type_sql = ctx.migration.column_type(op.table, op.column, ctx.index)
    key = primary_key(ctx.migration, op.table, ctx.index)
    rewrite = Rewrite(
        summary="Compute the new expression into a plain column filled by a trigger and a "
        "batched backfill, then switch reads to it.",
        steps=(
            add_column_step(ctx.dialect, ctx.version, op.table, new, type_sql, like=op.column),
            Step(phase=Phase.EXPAND, title=f"Fill {n} on every write with a trigger",
                 instruction=f"A BEFORE INSERT OR UPDATE trigger on {table} that sets NEW.{n} "
                 f"to {expression}, each column read from NEW (a new GENERATED ... STORED "
                 f"column would rewrite {table} as well)."),
            batched_backfill(ctx.dialect, op.table, new, expression,
                             f"{n} IS DISTINCT FROM {expression}", key),
            Step(phase=Phase.SWITCH, title=f"Deploy application code that reads {n} instead "
                 f"of {column}", instruction=f"Nothing writes {column} (it is generated), so "
                 "only reads move."),
            Step(phase=Phase.CONTRACT, title=f"In a later release, drop {column} (a brief "
                 "ACCESS EXCLUSIVE, no rewrite)",
                 sql=f"ALTER TABLE {table} DROP COLUMN {column};"),
        ),
    )
    return ctx.finding(op.span, message, rewrite)
