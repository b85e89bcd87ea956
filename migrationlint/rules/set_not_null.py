"""ML106 set-not-null."""

import itertools
from typing import Iterator, Optional

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import add_not_null_safely, always_write_step, batched_backfill
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule
from migrationlint.sqlgen import generated_name, postgres_default_name


@rule(
    "ML106", "set-not-null", "error",
    "SET NOT NULL on an existing column scans the table under an exclusive lock and breaks "
    "writers that still store NULL.",
    on=(m.SetNotNull,), tags=("backward-compatibility", "locking"),
    supersedes=("ML213",),
)
def check(op: m.SetNotNull, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table):
        return
    added = _added_earlier(op, ctx)
    if added is not None and _filled_by_default(added.column):
        # Every existing row holds the default, but SET NOT NULL still verifies that with a
        # full scan under ACCESS EXCLUSIVE; declaring NOT NULL in the ADD COLUMN does not.
        yield _declare_in_add_column(op, added, ctx)
        return
    if added is not None and not _filled_by_update(op, ctx):
        yield _new_column_finding(op, added, ctx)
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
    if added is not None:
        message = (
            f"{column} was added and filled earlier in this migration, but making it NOT NULL "
            f"{lock}, and breaks the running application version, which does not know "
            f"{column} and inserts NULL into it."
        )
    if postgres and not fast:
        message += (f" On PostgreSQL {ctx.version} a validated CHECK does not shorten the "
                    "scan (that needs 12+): keep the CHECK instead of SET NOT NULL.")
    yield ctx.finding(op.span, message, _rewrite(op, ctx, fast))


def _rewrite(op: m.SetNotNull, ctx: RuleContext, fast: bool) -> Rewrite:
    column = ctx.q(op.column)
    if ctx.dialect != "postgres":
        summary = (f"Backfill {column}, then make it NOT NULL in its own migration once every "
                   "writer sets it.")
    elif fast:
        summary = (f"Backfill {column}, prove it with a CHECK added NOT VALID and validated "
                   "separately, then SET NOT NULL without a scan.")
    else:  # before 12 SET NOT NULL always scans: the validated CHECK is the end state
        summary = (f"Backfill {column}, then prove it with a CHECK added NOT VALID and "
                   "validated separately, and keep the CHECK in place of SET NOT NULL.")
    return Rewrite(
        summary=summary,
        steps=(
            always_write_step(column, f"Release the version that never stores NULL in {column}."),
            batched_backfill(ctx.dialect, op.table, op.column, None, f"{column} IS NULL"),
            *add_not_null_safely(ctx.dialect, op.table, op.column, op.type_sql,
                                 version_supports_fast_not_null=fast, **_check_of(op, ctx)),
        ),
    )


def _check_of(op: m.SetNotNull, ctx: RuleContext) -> dict:
    """The CHECK (col IS NOT NULL) the migration already adds, to validate rather than add
    again; else a name for the new one that no constraint of this file has."""
    added = ctx.migration.not_null_check(op.table, op.column, ctx.index)
    if added is not None:  # PostgreSQL names an unnamed one <table>_<column>_check
        name = added.name or postgres_default_name(op.table.name, (op.column,), suffix="check")
        return {"check": name, "check_added": True}
    names = (generated_name(ctx.dialect, op.table.name.name, op.column.name,
                            suffix="not_null" if number == 1 else f"not_null{number}")
             for number in itertools.count(1))
    return {"check": next(name for name in names
                          if not ctx.migration.constraint_is_new(op.table, name, ctx.index))}


def _added_earlier(op: m.SetNotNull, ctx: RuleContext) -> Optional[m.AddColumn]:
    """The ADD COLUMN of this column earlier in the file, if any."""
    return next((other for _, other in ctx.migration.operations_before(ctx.index)
                 if isinstance(other, m.AddColumn) and other.table.matches(op.table)
                 and other.column.name.key == op.column.key), None)


def _filled_by_default(column: m.ColumnSpec) -> bool:
    """A constant, non-NULL default: PostgreSQL 11+ gives it to every existing row."""
    default = column.default
    constant = default is not None and default.volatility != "volatile" and (
        default.sql.strip().upper() != "NULL")
    return constant or column.identity or column.generated_stored


def _filled_by_update(op: m.SetNotNull, ctx: RuleContext) -> bool:
    """An UPDATE earlier in the file assigns the column (a backfill), or the column was
    added with a volatile default (a rewrite that fills it)."""
    for _, other in ctx.migration.operations_before(ctx.index):
        if isinstance(other, m.DataChange) and other.kind == "update" and (
            other.table.matches(op.table)
            and any(a.key == op.column.key for a in other.assigned)
        ):
            return True
        if isinstance(other, m.AddColumn) and other.table.matches(op.table) and (
            other.column.name.key == op.column.key and other.column.default is not None
            and other.column.default.volatility == "volatile"
        ):
            return True
    return False


def _new_column_finding(op: m.SetNotNull, added: m.AddColumn, ctx: RuleContext) -> Finding:
    table, column = ctx.q(op.table), ctx.q(op.column)
    message = (
        f"{column} was added to {table} earlier in this migration without a default, so every "
        f"existing row holds NULL in it: SET NOT NULL fails as soon as the table has a row "
        "(under an exclusive lock), and every INSERT from the running application "
        f"version, which does not know {column}, would fail once it succeeds."
    )
    default = "0" if _numeric(added.column.type_sql) else "<constant>"
    rewrite = Rewrite(
        summary=f"Add {column} as NOT NULL with a constant default in one statement, or keep "
        "it nullable and backfill it before enforcing NOT NULL.",
        steps=(
            Step(phase=Phase.EXPAND,
                 title=f"Add {column} with a constant default and NOT NULL together (no scan "
                 "on PostgreSQL 11+)" if ctx.dialect == "postgres" else
                 f"Add {column} with a constant default and NOT NULL together",
                 instruction=f"ALTER TABLE {table} ADD COLUMN {column} "
                 f"{added.column.type_sql} NOT NULL DEFAULT {default}; and drop the separate "
                 "SET NOT NULL."),
            always_write_step(column, f"Release the version that sets {column} on every INSERT; "
                              "only then drop the default if you want none."),
        ),
    )
    return ctx.finding(op.span, message, rewrite)


def _declare_in_add_column(op: m.SetNotNull, added: m.AddColumn, ctx: RuleContext) -> Finding:
    table, column = ctx.q(op.table), ctx.q(op.column)
    lock = ("scans the whole table under ACCESS EXCLUSIVE" if ctx.dialect == "postgres"
            else "rebuilds the table")
    message = (
        f"{column} was added to {table} earlier in this migration with a constant default, "
        f"so no row is NULL, yet SET NOT NULL {lock} to check that. Declare NOT NULL in the "
        "ADD COLUMN itself, which only changes the catalogue (PostgreSQL 11+)."
    )
    rewrite = Rewrite(
        summary=f"Add {column} as NOT NULL with its default in one statement.",
        steps=(Step(
            phase=Phase.EXPAND, title="Declare NOT NULL together with the default",
            sql=f"ALTER TABLE {table} ADD COLUMN {column} {added.column.type_sql} NOT NULL "
            f"DEFAULT {added.column.default.sql};" if added.column.default else None,
            instruction=None if added.column.default else
            f"Add NOT NULL to the definition of {column} and drop the SET NOT NULL.",
        ),),
    )
    return ctx.finding(op.span, message, rewrite)


def _numeric(type_sql: str) -> bool:
    return type_sql.split("(")[0].strip().lower() in (
        "int", "integer", "bigint", "smallint", "int2", "int4", "int8", "numeric", "decimal",
        "real", "double precision", "float", "float4", "float8", "serial", "bigserial")
