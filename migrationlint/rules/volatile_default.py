"""ML208 add-column-with-volatile-default."""

from typing import Iterator, List, Optional

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import add_not_null_safely, batched_backfill
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import generated_name


def _why_rewrite(column: m.ColumnSpec, ctx: RuleContext) -> Optional[str]:
    default = column.default
    if column.generated_stored:
        return "a stored generated column is computed for every existing row"
    if column.identity:
        return "an identity or serial column draws a new sequence value for every existing row"
    if default is None:
        return None
    if default.volatility == "volatile":
        if default.unknown_function:
            return (f"its default calls {default.unknown_function}(), which is not a known "
                    "built-in, so it counts as volatile and is evaluated for every existing row")
        return f"the volatile default {default.sql} is evaluated for every existing row"
    if not ctx.version.at_least(11):
        return (f"before PostgreSQL 11 any default ({default.sql}) is written into every "
                "existing row")
    return None


_SERIAL_TYPES = {"SMALLSERIAL": "SMALLINT", "SERIAL": "INT", "BIGSERIAL": "BIGINT",
                 "SERIAL2": "SMALLINT", "SERIAL4": "INT", "SERIAL8": "BIGINT"}


def _plain_type(type_sql: str) -> str:
    return _SERIAL_TYPES.get(type_sql.upper(), type_sql)


def _is_serial(column: m.ColumnSpec) -> bool:
    return column.type_sql.upper() in _SERIAL_TYPES


def _sequence(op: m.AddColumn, ctx: RuleContext) -> str:
    """The sequence that numbers the column: serial's own, or for an identity one that
    numbers rows until the identity takes over (named apart from the identity's
    ``<table>_<column>_seq``, which PostgreSQL would otherwise rename). It lives in the
    table's schema, as serial's does."""
    suffix = "seq" if _is_serial(op.column) else "fill_seq"
    name = generated_name(ctx.dialect, op.table.name.name, op.column.name.name, suffix=suffix)
    return ctx.q(m.ObjectName(name=name, schema_=op.table.schema_))


def _fill_steps(op: m.AddColumn, ctx: RuleContext) -> List[Step]:
    """Values for new rows without a rewrite, then a batched backfill of existing rows."""
    column = op.column
    table, name = ctx.q(op.table), ctx.q(column.name)
    if column.generated_stored:
        return [Step(phase=Phase.BACKFILL, title="Compute it with a trigger and backfill in batches",
                     instruction=f"A BEFORE INSERT OR UPDATE trigger sets {name} from the "
                     "generation expression for new rows; backfill existing rows in batches.")]
    if column.identity:
        # An identity can only be added to a NOT NULL column: a sequence numbers the rows
        # until the backfill and NOT NULL are done (_identity_step).
        sequence = _sequence(op, ctx)
        value = f"nextval('{sequence}')"
        new_rows = Step(phase=Phase.EXPAND, title="Number new rows from a sequence (no rewrite)",
                        sql=f"CREATE SEQUENCE {sequence} OWNED BY {table}.{name};\n"
                        f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {value};")
    else:
        new_rows = Step(phase=Phase.EXPAND, title="Set the default for new rows only",
                        sql=f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT "
                        f"{column.default.sql};")
        value = column.default.sql
    return [new_rows, batched_backfill(ctx.dialect, op.table, column.name, value, f"{name} IS NULL")]


def _identity_step(op: m.AddColumn, ctx: RuleContext) -> Step:
    """Hand the numbering over from the fill sequence to the identity. The identity's
    sequence continues from the fill sequence, which numbered every row: unlike max() of
    the column, that reads no rows while the ACCESS EXCLUSIVE lock is held. The fill
    sequence is released from the column first: pg_get_serial_sequence would return it
    rather than the identity's."""
    table, name, sequence = ctx.q(op.table), ctx.q(op.column.name), _sequence(op, ctx)
    kind = "ALWAYS" if op.column.identity_always else "BY DEFAULT"
    return Step(
        phase=Phase.CONTRACT,
        title="In one transaction, make it an identity that continues the numbering (a brief "
        "ACCESS EXCLUSIVE lock, no scan)",
        sql=f"ALTER TABLE {table} ALTER COLUMN {name} DROP DEFAULT;\n"
        f"ALTER SEQUENCE {sequence} OWNED BY NONE;\n"
        f"ALTER TABLE {table} ALTER COLUMN {name} ADD GENERATED {kind} AS IDENTITY;\n"
        f"SELECT setval(pg_get_serial_sequence('{table}', '{op.column.name.name}'), "
        f"nextval('{sequence}'));\n"
        f"DROP SEQUENCE {sequence};")


def _contract_steps(op: m.AddColumn, ctx: RuleContext) -> List[Step]:
    """NOT NULL as declared, implied by serial, or required by ADD GENERATED AS IDENTITY;
    then the identity."""
    column = op.column
    if not (column.not_null or column.identity):
        return []
    identity = column.identity and not _is_serial(column)
    steps = add_not_null_safely(ctx.dialect, op.table, column.name, None,
                                version_supports_fast_not_null=ctx.version.at_least(12),
                                required=identity)
    return steps + [_identity_step(op, ctx)] if identity else steps


@rule(
    "ML208", "add-column-with-volatile-default", "error",
    "ADD COLUMN with a volatile default, serial, identity or stored generated value rewrites "
    "the table under ACCESS EXCLUSIVE.",
    on=(m.AddColumn,), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check(op: m.AddColumn, ctx: RuleContext) -> Iterator[Finding]:
    column = op.column
    reason = _why_rewrite(column, ctx)
    if reason is None or ctx.table_is_new(op.table):
        return
    table, name = ctx.q(op.table), ctx.q(column.name)
    message = (
        f"Adding {name} to {table} rewrites the whole table and its indexes under ACCESS "
        f"EXCLUSIVE, blocking reads and writes for the rewrite: {reason}."
    )
    steps = [
        Step(phase=Phase.EXPAND, title="Add the column without a default (catalogue-only)",
             sql=f"ALTER TABLE {table} ADD COLUMN {name} {_plain_type(column.type_sql)};"),
        *_fill_steps(op, ctx),
        *_contract_steps(op, ctx),
    ]
    rewrite = Rewrite(
        summary=f"Add {name} without the default, set it for new rows, backfill existing rows "
        "in batches.",
        steps=tuple(steps),
    )
    yield ctx.finding(op.span, message, rewrite)
