"""ML206 add-unique-without-using-index, ML207 add-exclusion-constraint and ML216
primary-key-using-index-on-nullable-columns."""

import re
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import (
    add_not_null_safely, always_write_step, bare_column_step, batched_backfill,
    concurrent_unique_index, on_partitioned_table,
)
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import generated_name, postgres_default_name


def _what(op: Union[m.AddConstraint, m.AddColumn]) -> Tuple[str, Tuple[m.Ident, ...]]:
    if isinstance(op, m.AddColumn):
        kind = "primary_key" if op.column.primary_key else "unique"
        return kind, (op.column.name,)
    return op.kind, op.columns


@rule(
    "ML206", "add-unique-without-using-index", "error",
    "Adding a UNIQUE or PRIMARY KEY constraint builds its index under ACCESS EXCLUSIVE.",
    on=(m.AddConstraint, m.AddColumn), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check(op: Union[m.AddConstraint, m.AddColumn], ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table):
        return
    if isinstance(op, m.AddColumn) and not (op.column.unique or op.column.primary_key):
        return
    if isinstance(op, m.AddConstraint) and (
        op.kind not in ("unique", "primary_key") or op.using_index is not None
    ):
        return
    kind, columns = _what(op)
    keyword = "PRIMARY KEY" if kind == "primary_key" else "UNIQUE"
    table = ctx.q(op.table)
    shared = _shared_default(op)
    message = (
        f"Adding {keyword} to {table} builds a unique index while holding ACCESS EXCLUSIVE: "
        "reads and writes wait for the whole build."
    ) if shared is None else (
        f"Adding column {ctx.q(op.column.name)} to {table} with {keyword} and the default "
        f"{shared} gives every existing row the same value, so the unique index cannot be "
        f"built: the migration fails with a duplicate key error on any table with two rows "
        "or more (after blocking reads and writes while it tries)."
    )
    parts = (op.table.name.name, *(c.name for c in columns))
    # PostgreSQL's own names: <table>_pkey for a primary key, <table>_<columns>_key.
    constraint = _written_name(op, kind) or (
        postgres_default_name(op.table.name, (), suffix="pkey") if kind == "primary_key"
        else postgres_default_name(op.table.name, columns, suffix="key")
    )
    index = generated_name(ctx.dialect, *parts, suffix="idx")
    steps = []
    if shared is not None:
        steps += _fill_per_row_first(ctx, op)
    elif isinstance(op, m.AddColumn):
        steps.append(bare_column_step(ctx.dialect, op.table, op.column))
    steps.append(concurrent_unique_index(ctx.dialect, op.table, index, columns,
                                         **_index_declared(op)))
    if kind == "primary_key":
        # Attaching a primary key sets its columns NOT NULL: without this, a scan under
        # ACCESS EXCLUSIVE. A column added just now must be filled first.
        if isinstance(op, m.AddColumn) and op.column.default is None and shared is None:
            column = ctx.q(op.column.name)
            steps.append(batched_backfill(ctx.dialect, op.table, op.column.name, None,
                                          f"{column} IS NULL"))
        steps += _not_null_first(ctx, op.table, columns)
    steps.append(Step(
        phase=Phase.EXPAND, title="Attach it as the constraint: a brief lock, no build",
        sql=f"ALTER TABLE {table} ADD CONSTRAINT {ctx.q(constraint)} {keyword} USING INDEX "
        f"{ctx.q(index)}{_deferrable(op)};",
    ))
    if shared is not None and kind == "unique" and op.column.not_null:
        steps += add_not_null_safely(ctx.dialect, op.table, op.column.name, op.column.type_sql,
                                     version_supports_fast_not_null=ctx.version.at_least(12))
    summary = (f"Build the unique index CONCURRENTLY first, then ADD CONSTRAINT ... {keyword} "
               "USING INDEX.")
    if shared is not None:
        summary = f"Add the column nullable, give each row a value of its own, then {summary[0].lower()}{summary[1:]}"
    summary += on_partitioned_table(f"CREATE INDEX CONCURRENTLY or {keyword} USING INDEX")
    rewrite = Rewrite(summary=summary, steps=tuple(steps))
    yield ctx.finding(op.span, message, rewrite)


def _written_name(op: Union[m.AddConstraint, m.AddColumn], kind: str) -> Optional[m.Ident]:
    """The constraint's name as written (CONSTRAINT name, inline on a column too)."""
    if isinstance(op, m.AddConstraint):
        return op.name
    return op.column.primary_key_name if kind == "primary_key" else op.column.unique_name


def _index_declared(op: Union[m.AddConstraint, m.AddColumn]) -> dict:
    """What the constraint declared of its index (INCLUDE, NULLS NOT DISTINCT, WITH (...),
    USING INDEX TABLESPACE), as concurrent_unique_index's arguments."""
    if isinstance(op, m.AddConstraint):
        return dict(include=op.include, nulls_not_distinct=op.nulls_not_distinct,
                    storage_parameters=op.storage_parameters, tablespace=op.tablespace)
    column = op.column
    return dict(nulls_not_distinct=column.unique_nulls_not_distinct,
                storage_parameters=column.index_storage_parameters,
                tablespace=column.index_tablespace)


def _shared_default(op: Union[m.AddConstraint, m.AddColumn]) -> Optional[str]:
    """The default of an added UNIQUE / PRIMARY KEY column when it gives every existing
    row the same value (a constant, now(), a value a framework computed once); None
    otherwise. A volatile default (gen_random_uuid(), nextval) differs per row."""
    if not isinstance(op, m.AddColumn) or op.column.default is None:
        return None
    default = op.column.default
    return default.sql if default.volatility != "volatile" else None


def _fill_per_row_first(ctx: RuleContext, op: m.AddColumn) -> List[Step]:
    """Add the column nullable with no default, then give each row a value of its own,
    before the unique index is built."""
    table, column = ctx.q(op.table), ctx.q(op.column.name)
    per_row = "gen_random_uuid()" if op.column.type_sql == "uuid" and ctx.version.at_least(13) else None
    return [
        Step(phase=Phase.EXPAND,
             title="Add the column nullable, without the default and the constraint (a brief, "
             "catalogue-only change; Django: null=True, no unique, no default)",
             sql=f"ALTER TABLE {table} ADD COLUMN {column} {op.column.type_sql};"),
        always_write_step(column, f"Release the version that sets {column} to a distinct value "
                          "on every INSERT."),
        batched_backfill(ctx.dialect, op.table, op.column.name, per_row, f"{column} IS NULL"),
    ]


def _deferrable(op: Union[m.AddConstraint, m.AddColumn]) -> str:
    """DEFERRABLE / INITIALLY ...: USING INDEX takes them as the constraint did."""
    clauses = op.deferrable if isinstance(op, m.AddConstraint) else ()
    return "".join(f" {clause}" for clause in clauses)


@rule(
    "ML207", "add-exclusion-constraint", "error",
    "An EXCLUDE constraint on an existing table builds its index under ACCESS EXCLUSIVE.",
    on=(m.AddConstraint,), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check_exclude(op: m.AddConstraint, ctx: RuleContext) -> Iterator[Finding]:
    if op.kind != "exclude" or ctx.table_is_new(op.table):
        return
    table = ctx.q(op.table)
    message = (
        f"Adding an EXCLUDE constraint to {table} builds its index while holding ACCESS "
        "EXCLUSIVE, blocking reads and writes; it supports neither NOT VALID nor USING INDEX."
    )
    rewrite = Rewrite(
        summary="There is no online way: run it in a maintenance window, or enforce the rule "
        "differently.",
        steps=(
            Step(phase=Phase.EXPAND, title="Bound the lock wait and run it when traffic is lowest",
                 sql="SET lock_timeout = '2s';"),
            Step(phase=Phase.EXPAND, title="Or create the table with the constraint and move the data",
                 instruction=f"Create a new table with the EXCLUDE constraint, dual-write, "
                 f"backfill in batches, and switch from {table} to it (expand/contract)."),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)


def _not_null_first(ctx: RuleContext, table: m.ObjectName, columns: Sequence[m.Ident]) -> List[Step]:
    """The NOT NULL recipe for each column this file does not already make NOT NULL. A
    primary key requires NOT NULL (attaching it would set it under ACCESS EXCLUSIVE), so
    before PostgreSQL 12 the recipe still ends with SET NOT NULL, scan included."""
    fast = ctx.version.at_least(12)
    return [
        step for column in columns if not _made_not_null(ctx, table, column)
        for step in add_not_null_safely(ctx.dialect, table, column, None,
                                        version_supports_fast_not_null=fast, required=True)
    ]


def _made_not_null(ctx: RuleContext, table: m.ObjectName, column: m.Ident) -> bool:
    """This file made ``column`` NOT NULL before the current statement: added it NOT NULL
    or ran SET NOT NULL (a later DROP NOT NULL undoes it)."""
    known = False
    for _, op in ctx.migration.operations_before(ctx.index):
        if not isinstance(op, m.TableOperation) or not op.table.matches(table):
            continue
        if isinstance(op, m.AddColumn) and op.column.name.key == column.key:
            known = op.column.not_null
        elif isinstance(op, (m.SetNotNull, m.DropNotNull)) and op.column.key == column.key:
            known = isinstance(op, m.SetNotNull)
    return known


_PLAIN_COLUMN = re.compile(r'^(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))$')


def _index_columns(ctx: RuleContext, table: m.ObjectName, index: m.Ident) -> Optional[List[m.Ident]]:
    """The columns of ``index`` when this file created it on ``table`` (None otherwise)."""
    found = None
    for _, op in ctx.migration.operations_before(ctx.index):
        if isinstance(op, m.CreateIndex) and op.name is not None and (
            op.name.key == index.key and op.table.matches(table)
        ):
            found = op.columns_sql
    if found is None:
        return None
    columns = []
    for sql in found:
        match = _PLAIN_COLUMN.match(sql.strip())
        if match is None:
            return None  # an expression: PostgreSQL refuses it for a constraint anyway
        quoted, plain = match.groups()
        columns.append(m.Ident(name=quoted.replace('""', '"'), quoted=True) if quoted
                       else m.Ident(name=plain))
    return columns


def _sets_not_null_on(ctx: RuleContext, table: m.ObjectName) -> bool:
    """Some column of ``table`` is made NOT NULL earlier in this file: with an index from
    an earlier migration, that is the prepared primary-key column (the usual recipe)."""
    return any(
        isinstance(op, m.SetNotNull) and op.table.matches(table)
        for _, op in ctx.migration.operations_before(ctx.index)
    )


@rule(
    "ML216", "primary-key-using-index-on-nullable-columns", "warning",
    "ADD PRIMARY KEY USING INDEX on columns not known to be NOT NULL sets them NOT NULL, "
    "scanning the table under ACCESS EXCLUSIVE.",
    on=(m.AddConstraint,), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check_primary_key_using_index(op: m.AddConstraint, ctx: RuleContext) -> Iterator[Finding]:
    if op.kind != "primary_key" or op.using_index is None or ctx.table_is_new(op.table):
        return
    columns = _index_columns(ctx, op.table, op.using_index)
    if columns is None:
        if _sets_not_null_on(ctx, op.table):
            return
        nullable: Sequence[m.Ident] = ()
    else:
        nullable = [c for c in columns if not _made_not_null(ctx, op.table, c)]
        if not nullable:
            return
    table, index = ctx.q(op.table), ctx.q(op.using_index)
    which = (", ".join(ctx.q(c) for c in nullable) if nullable
             else f"the columns of {index} (not known from this file)")
    message = (
        f"Making {index} the primary key of {table} sets {which} NOT NULL; unless they already "
        f"are, PostgreSQL scans {table} for NULLs while holding ACCESS EXCLUSIVE, blocking reads "
        "and writes for the whole scan."
    )
    # Without a constraint name PostgreSQL names the constraint after the index.
    named = f"CONSTRAINT {ctx.q(op.name)} " if op.name else ""
    attach = Step(phase=Phase.CONTRACT, title="Then attach the index: a brief lock, no scan",
                  sql=f"ALTER TABLE {table} ADD {named}PRIMARY KEY USING INDEX {index};")
    if nullable:
        first = _not_null_first(ctx, op.table, nullable)
    else:
        first = [Step(phase=Phase.CONTRACT, title="Make every column of the index NOT NULL first",
                      instruction=f"For each column of {index}: ADD CONSTRAINT ... CHECK (column "
                      "IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a separate migration, then "
                      "ALTER COLUMN ... SET NOT NULL (no scan on PostgreSQL 12+ once the check is "
                      "validated) and DROP the check.")]
    rewrite = Rewrite(
        summary="Make the columns NOT NULL the safe way first, then attach the index as the "
        "primary key.",
        steps=(*first, attach),
    )
    yield ctx.finding(op.span, message, rewrite)
