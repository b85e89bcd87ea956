"""ML204 add-foreign-key-without-not-valid and ML205 add-check-without-not-valid."""

import re
from typing import Iterator, Union

from migrationlint import model as m
from migrationlint.autofix import split_not_valid
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import validate_separately
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import generated_name


def _add_not_valid_sql(
    ctx: RuleContext, table: m.ObjectName, name: m.Ident, body: str, own_statement: bool
) -> str:
    """The user's own statement plus NOT VALID when it adds just this named constraint
    (keeping referenced columns, ON DELETE, DEFERRABLE as written); otherwise rebuilt."""
    if own_statement and len(ctx.statement.operations) == 1:
        text = ctx.statement.text.rstrip().rstrip(";").rstrip()
        if not re.search(r"\bADD\s+CONSTRAINT\b", text, re.I):
            # Name the constraint so the VALIDATE step can refer to it.
            text = re.sub(r"\bADD\s+", f"ADD CONSTRAINT {ctx.q(name)} ", text, count=1, flags=re.I)
        return text + " NOT VALID;"
    return f"ALTER TABLE {ctx.q(table)} ADD CONSTRAINT {ctx.q(name)} {body} NOT VALID;"


def _not_valid_rewrite(
    ctx: RuleContext, table: m.ObjectName, name: m.Ident, body: str, own_statement: bool = False
) -> Rewrite:
    return Rewrite(
        summary="Add the constraint NOT VALID now (brief lock, no scan) and VALIDATE it in a "
        "separate migration.",
        steps=(
            Step(phase=Phase.EXPAND, title="Add it NOT VALID: new and updated rows are checked, "
                 "existing rows are not scanned",
                 sql=_add_not_valid_sql(ctx, table, name, body, own_statement)),
            validate_separately(ctx.dialect, table, name),
        ),
    )


def _validate_sql(ctx: RuleContext, table: m.ObjectName, name: m.Ident) -> str:
    return f"ALTER TABLE {ctx.q(table)} VALIDATE CONSTRAINT {ctx.q(name)};"


@rule(
    "ML204", "add-foreign-key-without-not-valid", "error",
    "Adding a foreign key without NOT VALID blocks writes to both tables during validation.",
    on=(m.AddConstraint, m.AddColumn), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check_foreign_key(op: Union[m.AddConstraint, m.AddColumn], ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table):
        return
    if isinstance(op, m.AddColumn):
        if op.column.references is None:
            return
        table, parent = ctx.q(op.table), ctx.q(op.column.references)
        name = generated_name(ctx.dialect, op.table.name.name, op.column.name.name, suffix="fkey")
        column = ctx.q(op.column.name)
        message = (
            f"ADD COLUMN {column} ... REFERENCES {parent} validates the new foreign key by "
            f"scanning {table} while holding ACCESS EXCLUSIVE on it and SHARE ROW EXCLUSIVE "
            f"on {parent}."
        )
        rewrite = Rewrite(summary=_not_valid_rewrite(ctx, op.table, name, "").summary, steps=(
            Step(phase=Phase.EXPAND, title="Add the column without the reference",
                 sql=f"ALTER TABLE {table} ADD COLUMN {column} {op.column.type_sql};"),
            *_not_valid_rewrite(
                ctx, op.table, name, f"FOREIGN KEY ({column}) REFERENCES {parent}"
            ).steps,
        ))
        yield ctx.finding(op.span, message, rewrite)
        return
    if op.kind != "foreign_key" or op.not_valid:
        return
    table = ctx.q(op.table)
    parent = ctx.q(op.references) if op.references else "the referenced table"
    message = (
        f"Adding a foreign key to {table} without NOT VALID scans the whole table while holding "
        f"SHARE ROW EXCLUSIVE on {table} and {parent}: writes to both wait for the scan."
    )
    name = op.name or generated_name(
        ctx.dialect, op.table.name.name, *(c.name for c in op.columns), suffix="fkey"
    )
    columns = ", ".join(ctx.q(c) for c in op.columns)
    body = f"FOREIGN KEY ({columns}) REFERENCES {parent}"
    rewrite = _not_valid_rewrite(ctx, op.table, name, body, own_statement=True)
    fix = split_not_valid(ctx, _validate_sql(ctx, op.table, op.name)) if op.name else None
    yield ctx.finding(op.span, message, rewrite, fix)


@rule(
    "ML205", "add-check-without-not-valid", "error",
    "Adding a CHECK constraint without NOT VALID scans the table under ACCESS EXCLUSIVE.",
    on=(m.AddConstraint,), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check_check(op: m.AddConstraint, ctx: RuleContext) -> Iterator[Finding]:
    if op.kind != "check" or op.not_valid or ctx.table_is_new(op.table):
        return
    table = ctx.q(op.table)
    message = (
        f"Adding CHECK ({op.expression_sql}) to {table} without NOT VALID scans every row "
        "while holding ACCESS EXCLUSIVE: no read or write gets through until it finishes."
    )
    name = op.name or generated_name(ctx.dialect, op.table.name.name, suffix="check")
    rewrite = _not_valid_rewrite(ctx, op.table, name, f"CHECK ({op.expression_sql})",
                                 own_statement=True)
    fix = split_not_valid(ctx, _validate_sql(ctx, op.table, op.name)) if op.name else None
    yield ctx.finding(op.span, message, rewrite, fix)
