"""ML209 vacuum-full-or-cluster, ML210 set-logged-or-unlogged,
ML211 refresh-materialized-view-without-concurrently, ML218 alter-table-rewrites-table."""

from typing import Iterator, Tuple, Union

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
    "SET TABLESPACE (of a table, an index, a materialized view or ALL IN TABLESPACE), SET "
    "ACCESS METHOD and ALTER COLUMN ... SET EXPRESSION copy or rewrite under ACCESS EXCLUSIVE.",
    on=(m.SetTablespace, m.SetAccessMethod, m.SetGenerationExpression, m.SetRelationTablespace,
        m.MoveAllInTablespace),
    dialects=POSTGRES, tags=("locking",), supersedes=("ML213",),
)
def check_table_rewrite(
    op: Union[m.SetTablespace, m.SetAccessMethod, m.SetGenerationExpression,
              m.SetRelationTablespace, m.MoveAllInTablespace],
    ctx: RuleContext,
) -> Iterator[Finding]:
    # SET LOGGED / UNLOGGED rewrite the table too, but keep their own code (ML210).
    if isinstance(op, m.MoveAllInTablespace):
        yield _move_all_in_tablespace(op, ctx)
    elif isinstance(op, m.SetRelationTablespace):
        if not (op.kind == "index" and ctx.migration.index_is_new(op.name, ctx.index)):
            yield _set_relation_tablespace(op, ctx)
    elif ctx.table_is_new(op.table):
        return
    elif isinstance(op, m.SetTablespace):
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


def _set_relation_tablespace(op: m.SetRelationTablespace, ctx: RuleContext) -> Finding:
    name, tablespace = ctx.q(op.name), ctx.q(op.tablespace)
    if op.kind == "index":
        # The planner locks every index of a table it plans a query on (PostgreSQL docs,
        # REINDEX), and writes update every index: both wait for the exclusive lock.
        blocked = "nearly every read and write of its table waits (the planner locks each " \
                  "index of a table it plans for, and writes update them all)"
        steps = _index_move_steps(op, ctx)
    else:
        blocked = (f"every query reading {name} waits (its indexes stay where they are and "
                   "need their own ALTER INDEX ... SET TABLESPACE)")
        steps = _materialized_view_move_steps(op, ctx)
    message = (f"SET TABLESPACE {tablespace} copies every data file of the {op.kind} {name} "
               f"while holding ACCESS EXCLUSIVE on it: until the copy ends, {blocked}.")
    return ctx.finding(op.span, message, Rewrite(
        summary=f"Build the {op.kind} anew in {tablespace} without the exclusive lock, or move "
        "it in a maintenance window.", steps=steps + (_maintenance_window_step(),)))


def _index_move_steps(op: m.SetRelationTablespace, ctx: RuleContext) -> Tuple[Step, ...]:
    index, tablespace = ctx.q(op.name), ctx.q(op.tablespace)
    if ctx.version.at_least(14):  # REINDEX (TABLESPACE ...) is new in PostgreSQL 14
        return (Step(phase=Phase.EXPAND, title="Rebuild it in the new tablespace concurrently, "
                     "alone in a migration that runs outside a transaction (SHARE UPDATE "
                     "EXCLUSIVE: reads and writes continue)",
                     sql=f"REINDEX (TABLESPACE {tablespace}) INDEX CONCURRENTLY {index};"),)
    copy = derived_column(ctx.dialect, op.name.name, suffix="new")
    # CREATE INDEX names no schema: the index goes to its table's.
    qualified_copy = ctx.q(m.ObjectName(name=copy, schema_=op.name.schema_))
    return (Step(phase=Phase.EXPAND, title="Build a copy in the new tablespace, then swap",
                 instruction=f"CREATE INDEX CONCURRENTLY {ctx.q(copy)} ON <its table> (<its "
                 f"definition, as pg_indexes.indexdef shows it>) TABLESPACE {tablespace}; then "
                 f"DROP INDEX CONCURRENTLY {index}; and ALTER INDEX {qualified_copy} RENAME TO "
                 f"{ctx.q(op.name.name)}. An index behind a PRIMARY KEY or UNIQUE constraint "
                 "cannot be dropped on its own: move that one in a maintenance window."),)


def _materialized_view_move_steps(op: m.SetRelationTablespace,
                                  ctx: RuleContext) -> Tuple[Step, ...]:
    view, tablespace = ctx.q(op.name), ctx.q(op.tablespace)
    copy = ctx.q(m.ObjectName(name=derived_column(ctx.dialect, op.name.name, suffix="new"),
                              schema_=op.name.schema_))
    return (
        Step(phase=Phase.EXPAND, title="Create its replacement in the new tablespace",
             instruction=f"CREATE MATERIALIZED VIEW {copy} TABLESPACE {tablespace} AS <the "
             f"query of {view}>; then its indexes, CONCURRENTLY."),
        Step(phase=Phase.SWITCH, title=f"Deploy code that reads {copy}"),
        Step(phase=Phase.CONTRACT, title=f"In a later release, drop {view}",
             sql=f"DROP MATERIALIZED VIEW {view};"),
    )


def _move_all_in_tablespace(op: m.MoveAllInTablespace, ctx: RuleContext) -> Finding:
    old, new = ctx.q(op.tablespace), ctx.q(op.new_tablespace)
    owners = f" owned by {', '.join(ctx.q(o) for o in op.owners)}" if op.owners else ""
    # PostgreSQL docs (ALTER TABLE, SET TABLESPACE): the ALL IN TABLESPACE form locks all
    # the relations to be moved first, then moves each one.
    blocked = {
        "table": "every read and write of those tables (their indexes stay behind)",
        "index": "nearly every read and write of their tables",
        "materialized view": "every query reading those views",
    }[op.kind]
    message = (
        f"ALTER {op.kind.upper()} ALL IN TABLESPACE {old} takes ACCESS EXCLUSIVE on every "
        f"{op.kind} in {old}{owners} before it moves any, then copies them to {new} one after "
        f"another, holding every lock until the transaction ends: {blocked} waits for the "
        "whole move."
        + (" NOWAIT only makes it fail when a lock is not free at once." if op.nowait else "")
    )
    return ctx.finding(op.span, message, Rewrite(
        summary="Move the relations one at a time, each in its own short transaction, or all "
        "at once in a maintenance window.",
        steps=(_move_one_at_a_time_step(op, ctx), _maintenance_window_step())))


def _move_one_at_a_time_step(op: m.MoveAllInTablespace, ctx: RuleContext) -> Step:
    new = ctx.q(op.new_tablespace)
    if op.kind == "table":
        how = (f"pg_repack --table=<table> --tablespace={new} --moveidx for each, run as an "
               "operational task (each table needs a primary key or a unique index on NOT "
               "NULL columns)")
    elif op.kind == "index" and ctx.version.at_least(14):
        how = f"REINDEX (TABLESPACE {new}) INDEX CONCURRENTLY <index> for each, outside a transaction"
    else:
        how = (f"ALTER {op.kind.upper()} <name> SET TABLESPACE {new} for each, one per "
               "transaction at low traffic, so each is locked only for its own copy")
    return Step(phase=Phase.EXPAND, title="Move the relations one at a time",
                instruction=f"List them (pg_class rows whose reltablespace is {ctx.q(op.tablespace)}'s "
                f"oid), then {how}.")


def _maintenance_window_step() -> Step:
    return Step(phase=Phase.EXPAND, title="Or run the move in a maintenance window",
                instruction="With the application stopped or tolerating the wait, and "
                "lock_timeout set so the statement does not queue behind a long query.")


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
