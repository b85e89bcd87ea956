"""ML206 add-unique-without-using-index and ML207 add-exclusion-constraint."""

from typing import Iterator, Tuple, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import concurrent_unique_index
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import generated_name


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
    message = (
        f"Adding {keyword} to {table} builds a unique index while holding ACCESS EXCLUSIVE: "
        "reads and writes wait for the whole build."
    )
    parts = (op.table.name.name, *(c.name for c in columns))
    constraint = (op.name if isinstance(op, m.AddConstraint) and op.name else None) or (
        generated_name(ctx.dialect, *parts, suffix="pkey" if kind == "primary_key" else "key")
    )
    index = generated_name(ctx.dialect, *parts, suffix="idx")
    steps = []
    if isinstance(op, m.AddColumn):
        steps.append(Step(phase=Phase.EXPAND, title="Add the column without the constraint",
                          sql=f"ALTER TABLE {table} ADD COLUMN {ctx.q(op.column.name)} "
                          f"{op.column.type_sql};"))
    steps += [
        concurrent_unique_index(ctx.dialect, op.table, index, list(columns)),
        Step(phase=Phase.EXPAND,
             title="Attach it as the constraint: a brief lock, no build"
             + (" (the columns must already be NOT NULL, or this scans)" if kind == "primary_key" else ""),
             sql=f"ALTER TABLE {table} ADD CONSTRAINT {ctx.q(constraint)} {keyword} USING INDEX "
             f"{ctx.q(index)};"),
    ]
    rewrite = Rewrite(
        summary=f"Build the unique index CONCURRENTLY first, then ADD CONSTRAINT ... {keyword} "
        "USING INDEX.",
        steps=tuple(steps),
    )
    yield ctx.finding(op.span, message, rewrite)


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
