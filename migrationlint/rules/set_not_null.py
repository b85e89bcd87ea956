"""ML106 set-not-null."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import add_not_null_safely, batched_backfill
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML106", "set-not-null", "error",
    "SET NOT NULL on an existing column scans the table under an exclusive lock and breaks "
    "writers that still store NULL.",
    on=(m.SetNotNull,), tags=("backward-compatibility", "locking"),
    supersedes=("ML213",),
)
def check(op: m.SetNotNull, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.column_is_new(op.table, op.column):
        return
    postgres = ctx.dialect == "postgres"
    fast = postgres and ctx.version.at_least(12)
    if fast and ctx.migration.not_null_proven(op.table, op.column, ctx.index):
        return  # a validated CHECK (col IS NOT NULL) lets PostgreSQL 12+ skip the scan
    table, column = ctx.q(op.table), ctx.q(op.column)
    lock = ("scans the whole table under ACCESS EXCLUSIVE (blocking reads and writes)"
            if postgres else "rebuilds the table")
    message = (
        f"Making {table}.{column} NOT NULL {lock}, fails if any row is NULL, and breaks the "
        f"running application version if it still writes NULL to {column}."
    )
    if postgres and not fast:
        message += (f" On PostgreSQL {ctx.version} a validated CHECK does not shorten the "
                    "scan (that needs 12+): keep the CHECK instead of SET NOT NULL.")
    rewrite = Rewrite(
        summary=f"Backfill {column}, prove it with a CHECK added NOT VALID and validated "
        "separately, then SET NOT NULL without a scan." if postgres else
        f"Backfill {column}, then make it NOT NULL in its own migration once every writer "
        "sets it.",
        steps=(
            Step(phase=Phase.SWITCH, title=f"Deploy application code that always writes {column}",
                 instruction=f"Release the version that never stores NULL in {column}."),
            batched_backfill(ctx.dialect, op.table, op.column, None, f"{column} IS NULL"),
            *add_not_null_safely(ctx.dialect, op.table, op.column, None,
                                 version_supports_fast_not_null=fast),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
