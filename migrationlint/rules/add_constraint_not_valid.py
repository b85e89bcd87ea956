"""ML204 add-foreign-key-without-not-valid and ML205 add-check-without-not-valid, for
ADD CONSTRAINT and for the inline REFERENCES / CHECK of an ADD COLUMN.

The rewrite is generated from the operation (columns, referenced columns, clauses,
expression), never by editing the statement's text, so comments, other actions of the
same ALTER TABLE and odd spacing cannot leak into it."""

from typing import Iterator, Optional, Sequence, Union

from migrationlint import model as m
from migrationlint.autofix import split_not_valid
from migrationlint.context import Statement
from migrationlint.findings import Finding, Fix, Phase, Rewrite, Step
from migrationlint.recipes import bare_column_step, on_partitioned_table, validate_separately
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import postgres_default_name

_SUMMARY = (
    "Add the constraint NOT VALID now (brief lock, no scan) and VALIDATE it in a separate "
    "migration."
)
_INLINE_SUMMARY = (
    "Add the bare column, then the constraint NOT VALID (brief lock, no scan), and VALIDATE "
    "it in a separate migration."
)
_ADD_TITLE = "Add it NOT VALID: new and updated rows are checked, existing rows are not scanned"


def _references_sql(
    ctx: RuleContext, parent: m.ObjectName, columns: Sequence[m.Ident], options: Sequence[str]
) -> str:
    """``REFERENCES parent (columns) ON DELETE ...`` with the clauses as the user wrote them."""
    text = f"REFERENCES {ctx.q(parent)}"
    if columns:
        text += f" ({', '.join(ctx.q(c) for c in columns)})"
    return " ".join((text, *options))


def _add_not_valid_step(
    ctx: RuleContext, table: m.ObjectName, name: m.Ident, body: Optional[str]
) -> Step:
    head = f"ALTER TABLE {ctx.q(table)} ADD CONSTRAINT {ctx.q(name)}"
    if body is None:  # e.g. a framework CHECK whose expression is not known statically
        return Step(phase=Phase.EXPAND, title=_ADD_TITLE,
                    instruction=f"{head} with the same definition, followed by NOT VALID")
    return Step(phase=Phase.EXPAND, title=_ADD_TITLE, sql=f"{head} {body} NOT VALID;")


def _not_valid_rewrite(
    ctx: RuleContext, table: m.ObjectName, name: m.Ident, body: Optional[str],
    bare_column: Optional[m.ColumnSpec] = None, partitioned: str = "",
) -> Rewrite:
    """``partitioned``: what to do instead on a partitioned table, added to the summary."""
    first = (bare_column_step(ctx.dialect, table, bare_column),) if bare_column else ()
    summary = (_INLINE_SUMMARY if bare_column else _SUMMARY) + partitioned
    return Rewrite(summary=summary, steps=(
        *first,
        _add_not_valid_step(ctx, table, name, body),
        validate_separately(ctx.dialect, table, name),
    ))


def _split_fix(ctx: RuleContext, op: m.AddConstraint) -> Optional[Fix]:
    """Appending NOT VALID and a VALIDATE is exact only for a constraint the user named,
    and only when the statement does not end in a comment (which would swallow it)."""
    if op.name is None or _ends_in_comment(ctx):
        return None
    return split_not_valid(
        ctx, f"ALTER TABLE {ctx.q(op.table)} VALIDATE CONSTRAINT {ctx.q(op.name)};"
    )


def _ends_in_comment(ctx: RuleContext) -> bool:
    statement = ctx.statement
    end = statement.start + len(statement.text.rstrip())
    return any(comment.start < end <= comment.end for comment in ctx.migration.comments)


def _foreign_key_name(table: m.ObjectName, columns: Sequence[m.Ident]) -> m.Ident:
    """PostgreSQL's own name for an unnamed foreign key: <table>_<columns>_fkey."""
    return postgres_default_name(table.name, columns, suffix="fkey")


def _check_name(table: m.ObjectName, columns: Sequence[m.Ident]) -> m.Ident:
    """PostgreSQL's own name for an unnamed CHECK: <table>_<column>_check when the
    expression reads one column, else <table>_check."""
    return postgres_default_name(table.name, columns if len(columns) == 1 else (), suffix="check")


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
        yield from _inline_foreign_key(op, ctx)
        return
    if op.kind != "foreign_key" or op.not_valid:
        return
    table = ctx.q(op.table)
    parent = ctx.q(op.references) if op.references else "the referenced table"
    message = (
        f"Adding a foreign key to {table} without NOT VALID scans the whole table while holding "
        f"SHARE ROW EXCLUSIVE on {table} and {parent}: writes to both wait for the scan."
    )
    name = op.name or _foreign_key_name(op.table, op.columns)
    body = None
    if op.references is not None and op.columns:
        columns = ", ".join(ctx.q(c) for c in op.columns)
        references = _references_sql(ctx, op.references, op.reference_columns, op.reference_options)
        body = f"FOREIGN KEY ({columns}) {references}"
    rewrite = _not_valid_rewrite(ctx, op.table, name, body,
                                 partitioned=_foreign_key_on_partitioned_table(ctx))
    yield ctx.finding(op.span, message, rewrite, _split_fix(ctx, op))


def _inline_foreign_key(op: m.AddColumn, ctx: RuleContext) -> Iterator[Finding]:
    spec = op.column
    if spec.references is None or not _validates_inline_references(ctx.statement):
        return
    table, parent, column = ctx.q(op.table), ctx.q(spec.references), ctx.q(spec.name)
    message = (
        f"ADD COLUMN {column} ... REFERENCES {parent} validates the new foreign key by "
        f"scanning {table} while holding ACCESS EXCLUSIVE on it and SHARE ROW EXCLUSIVE "
        f"on {parent}: the statement gives a new column a default or adds a table-level "
        "foreign key, so PostgreSQL cannot skip the check."
    )
    name = _foreign_key_name(op.table, (spec.name,))
    references = _references_sql(ctx, spec.references, spec.reference_columns, spec.reference_options)
    body = f"FOREIGN KEY ({column}) {references}"
    yield ctx.finding(op.span, message, _not_valid_rewrite(
        ctx, op.table, name, body, spec, _foreign_key_on_partitioned_table(ctx)))


def _foreign_key_on_partitioned_table(ctx: RuleContext) -> str:
    # PostgreSQL 18 takes a NOT VALID foreign key on a partitioned table.
    return on_partitioned_table("NOT VALID") if ctx.version.below(18) else ""


def _validates_inline_references(statement: Statement) -> bool:
    """A column added without a default is NULL on every row, so PostgreSQL marks its
    REFERENCES valid without a scan; it validates only when the same ALTER TABLE adds a
    column with a default (serial and generated columns included) or a table-level
    foreign key (``skipValidation`` in parse_utilcmd.c, transformAlterTableStmt)."""
    return any(
        isinstance(op, m.AddColumn) and (op.column.default is not None or op.column.generated_stored)
        or isinstance(op, m.AddConstraint) and op.kind == "foreign_key"
        for op in statement.operations
    )


@rule(
    "ML205", "add-check-without-not-valid", "error",
    "Adding a CHECK constraint without NOT VALID scans the table under ACCESS EXCLUSIVE.",
    on=(m.AddConstraint, m.AddColumn), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check_check(op: Union[m.AddConstraint, m.AddColumn], ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table):
        return
    if isinstance(op, m.AddColumn):
        yield from _inline_check(op, ctx)
        return
    if op.kind != "check" or op.not_valid:
        return
    table = ctx.q(op.table)
    expression = f"CHECK ({op.expression_sql})" if op.expression_sql else "a CHECK constraint"
    message = (
        f"Adding {expression} to {table} without NOT VALID scans every row while holding "
        "ACCESS EXCLUSIVE: no read or write gets through until it finishes."
    )
    name = op.name or _check_name(op.table, op.columns)
    inherit = " NO INHERIT" if op.no_inherit else ""
    body = f"CHECK ({op.expression_sql}){inherit}" if op.expression_sql else None
    yield ctx.finding(op.span, message, _not_valid_rewrite(ctx, op.table, name, body),
                      _split_fix(ctx, op))


def _inline_check(op: m.AddColumn, ctx: RuleContext) -> Iterator[Finding]:
    spec = op.column
    if spec.check_sql is None:
        return
    table, column = ctx.q(op.table), ctx.q(spec.name)
    message = (
        f"ADD COLUMN {column} ... CHECK ({spec.check_sql}) validates the check by scanning "
        f"every row of {table} while holding ACCESS EXCLUSIVE: no read or write gets through "
        "until it finishes."
    )
    name = _check_name(op.table, (spec.name,))
    rewrite = _not_valid_rewrite(ctx, op.table, name, f"CHECK ({spec.check_sql})", spec)
    yield ctx.finding(op.span, message, rewrite)
