"""ML105 add-not-null-column-without-default."""

import re
from typing import Iterator, Tuple

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import add_not_null_safely, always_write_step, batched_backfill
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


def _has_implicit_value(column: m.ColumnSpec, default_kept: bool) -> bool:
    return (column.default is not None and default_kept) or column.identity or (
        column.auto_increment or column.generated_stored or column.generated_virtual
    )


def _default_dropped_later(op: m.AddColumn, ctx: RuleContext) -> bool:
    """This migration drops the new column's default after adding it (what Django's
    AddField with ``default=`` does): existing rows get the value, later INSERTs do not."""
    return any(
        isinstance(other, m.DropDefault) and other.table.matches(op.table)
        and other.column.key == op.column.name.key
        for statement in ctx.migration.statements[ctx.index:] for other in statement.operations
    )


@rule(
    "ML105", "add-not-null-column-without-default", "error",
    "Adding a NOT NULL column without a default fails on existing rows and breaks "
    "inserts from the old application version.",
    on=(m.AddColumn,), tags=("backward-compatibility",),
    # ML406 would only append ALGORITHM=INSTANT to this hazardous statement.
    supersedes=("ML110", "ML406"),
)
def check(op: m.AddColumn, ctx: RuleContext) -> Iterator[Finding]:
    column = op.column
    if not column.not_null or ctx.table_is_new(op.table):
        return
    dropped = column.default is not None and _default_dropped_later(op, ctx)
    if _has_implicit_value(column, default_kept=not dropped):
        return
    if dropped:
        yield _default_dropped_finding(op, ctx)
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
        steps=_nullable_first_steps(op, ctx),
    )
    yield ctx.finding(op.span, message, rewrite)


def _default_dropped_finding(op: m.AddColumn, ctx: RuleContext) -> Finding:
    column, default = op.column, op.column.default
    table, name = ctx.q(op.table), ctx.q(column.name)
    if ctx.migration.runner == "django":
        message = (
            f"Django adds NOT NULL column {name} to {table} with the default {default.sql}, "
            "which fills the existing rows, and then drops the default: every INSERT from the "
            f"running application version, which does not know {name}, fails. Keep the "
            "default in the database with db_default= (Django 5.0+), or add the field with "
            "null=True first and make it NOT NULL in a later migration."
        )
    else:
        message = (
            f"Adding NOT NULL column {name} to {table} with a default that this migration "
            "then drops fills the existing rows, but every INSERT from the running application "
            f"version, which does not know {name}, fails."
        )
    if _can_keep(column, ctx.dialect):
        rewrite = Rewrite(
            summary=f"Keep the default of {name} in the database until every writer sets it.",
            steps=_keep_default_steps(op, ctx),
        )
    else:  # a volatile, Python-side or (MySQL TEXT) impossible default: nullable first
        rewrite = Rewrite(
            summary=f"Add {name} as nullable, backfill it, then enforce NOT NULL once every "
            "writer sets it.",
            steps=_nullable_first_steps(op, ctx),
        )
    return ctx.finding(op.span, message, rewrite)


def _can_keep(column: m.ColumnSpec, dialect: str) -> bool:
    """The default can stay in the database as written: its SQL is known and constant
    (PostgreSQL 11+ stores it without a rewrite), and on MySQL the type takes a literal
    default (TEXT, BLOB, JSON and spatial types do not)."""
    default = column.default
    constant = default.volatility == "immutable" and not default.sql.startswith("<")
    return constant and (dialect == "postgres" or not _NO_LITERAL_DEFAULT.search(column.type_sql))


_NO_LITERAL_DEFAULT = re.compile(r"text|blob|json|geometry|point|polygon|linestring", re.I)


def _keep_default_steps(op: m.AddColumn, ctx: RuleContext) -> Tuple[Step, ...]:
    column, table, name = op.column, ctx.q(op.table), ctx.q(op.column.name)
    django = " (Django 5.0+: db_default= instead of default=)" if (
        ctx.migration.runner == "django") else ""
    return (
        Step(phase=Phase.EXPAND, title=f"Add {name} with a default that stays in the database"
             + django,
             sql=f"ALTER TABLE {table} ADD COLUMN {name} {column.type_sql} NOT NULL "
             f"DEFAULT {column.default.sql};"),
        always_write_step(name),
        Step(phase=Phase.CONTRACT, title="Only then, if you want no default, drop it",
             sql=f"ALTER TABLE {table} ALTER COLUMN {name} DROP DEFAULT;"),
    )


def _nullable_first_steps(op: m.AddColumn, ctx: RuleContext) -> Tuple[Step, ...]:
    column, name = op.column, ctx.q(op.column.name)
    django = " (Django: null=True)" if ctx.migration.runner == "django" else ""
    return (
        Step(phase=Phase.EXPAND, title=f"Add {name} without NOT NULL" + django,
             sql=f"ALTER TABLE {ctx.q(op.table)} ADD COLUMN {name} {column.type_sql};"),
        always_write_step(name),
        batched_backfill(ctx.dialect, op.table, column.name, None, f"{name} IS NULL"),
        *add_not_null_safely(
            ctx.dialect, op.table, column.name, column.type_sql,
            version_supports_fast_not_null=ctx.version.at_least(12),
        ),
    )
