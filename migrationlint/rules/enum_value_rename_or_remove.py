"""ML111 enum-value-rename-or-remove."""

from typing import Iterator, List, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule
from migrationlint.sqlgen import string_literal as _literal
from migrationlint.typechanges import enum_values


@rule(
    "ML111", "enum-value-rename-or-remove", "error",
    "Renaming or removing an enum value breaks the running version that still writes it.",
    on=(m.RenameEnumValue, m.AlterColumnType), tags=("backward-compatibility",),
    supersedes=("ML107",),
)
def check(op: Union[m.RenameEnumValue, m.AlterColumnType], ctx: RuleContext) -> Iterator[Finding]:
    if isinstance(op, m.RenameEnumValue):
        yield from _renamed(op, ctx)
    else:
        yield from _removed(op, ctx)


def _steps(old_values: List[str], new_value: str, table_hint: str) -> tuple:
    olds = ", ".join(_literal(v) for v in old_values)
    return (
        Step(phase=Phase.SWITCH, title="Deploy application code that accepts both values and "
             f"writes {_literal(new_value)}" if new_value else "Deploy application code that "
             f"no longer writes {olds}",
             instruction="Release the version that reads both and writes only the new one."),
        Step(phase=Phase.BACKFILL, title="Migrate the stored rows in batches",
             instruction=f"UPDATE {table_hint} rows holding {olds} in batches, outside the "
             "schema migration."),
    )


def _renamed(op: m.RenameEnumValue, ctx: RuleContext) -> Iterator[Finding]:
    type_name = ctx.q(op.type_name)
    old, new = _literal(op.value), _literal(op.new_value)
    message = (
        f"Renaming value {old} of enum {type_name} to {new} makes every INSERT or UPDATE of "
        f"{old} from the running application version fail, and its comparisons with {old} "
        "silently match nothing."
    )
    rewrite = Rewrite(
        summary=f"Add {new} next to {old}, move the application and the rows to it; "
        "PostgreSQL cannot drop an enum value, so keep or later recreate the type.",
        steps=(
            Step(phase=Phase.EXPAND, title="Add the new value (its own migration; before "
                 "PostgreSQL 12 outside a transaction)",
                 sql=f"ALTER TYPE {type_name} ADD VALUE IF NOT EXISTS {new} AFTER {old};"),
            *_steps([op.value], op.new_value, f"the columns of type {type_name}"),
            Step(phase=Phase.CONTRACT, title=f"Stop accepting {old}",
                 instruction=f"Leave {old} unused, or recreate {type_name} without it in a "
                 "later release once no row or running version uses it."),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)


def _declared(op: m.AlterColumnType) -> str:
    """The column definition the MODIFY states: MODIFY drops any attribute left out (NOT
    NULL, DEFAULT, AUTO_INCREMENT, COMMENT, CHARACTER SET, ...)."""
    if op.definition is None:
        return op.new_type_sql
    return op.definition.restated_sql


def _removed(op: m.AlterColumnType, ctx: RuleContext) -> Iterator[Finding]:
    before = ctx.migration.column_type(op.table, op.column, ctx.index)
    old_values = enum_values(before, ctx.dialect) if before else None
    new_values = enum_values(op.new_type_sql, ctx.dialect)
    if old_values is None or new_values is None or ctx.column_is_new(op.table, op.column):
        return
    removed = [value for value in old_values if value not in new_values]
    if not removed:
        return
    table, column = ctx.q(op.table), ctx.q(op.column)
    lost = ", ".join(_literal(v) for v in removed)
    message = (
        f"Removing {lost} from the values of {table}.{column} breaks every INSERT or UPDATE "
        "of those values from the running application version, and rows holding them can no "
        "longer be stored as they are."
    )
    rewrite = Rewrite(
        summary=f"Stop writing {lost}, migrate the rows, and only then shrink the type.",
        steps=(
            *_steps(removed, "", f"{table}.{column}"),
            Step(phase=Phase.CONTRACT, title="In a later release, remove the values",
                 sql=f"ALTER TABLE {table} MODIFY {column} {_declared(op)};"
                 if ctx.dialect != "postgres" else None,
                 instruction=None if ctx.dialect != "postgres" else
                 f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {op.new_type_sql}"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
