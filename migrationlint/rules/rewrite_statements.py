"""ML209 vacuum-full-or-cluster, ML210 set-logged-or-unlogged,
ML211 refresh-materialized-view-without-concurrently."""

from typing import Iterator, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule


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
