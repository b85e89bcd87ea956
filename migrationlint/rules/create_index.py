"""ML201 create-index-without-concurrently."""

from typing import Iterator, Optional

from migrationlint import model as m
from migrationlint.autofix import add_concurrently, with_concurrently
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import on_partitioned_table
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule


def concurrent_index_sql(op: m.CreateIndex, ctx: RuleContext) -> Optional[str]:
    """The statement as written plus CONCURRENTLY, which keeps every option the model
    does not hold; built from the model where the text is not plain SQL (a framework
    call, dynamic SQL in a DO block); None when neither can be (a framework index whose
    key the reader could not write as SQL has no columns)."""
    statement = ctx.statement
    if statement is not None and len(statement.operations) == 1:
        written = with_concurrently(statement.text.rstrip().rstrip(";"), "create_index")
        # A line comment would swallow the semicolon appended after it.
        if written is not None and "--" not in written:
            return f"{written};"
    return _built_sql(op, ctx) if op.columns_sql else None


def _built_sql(op: m.CreateIndex, ctx: RuleContext) -> str:
    unique = "UNIQUE " if op.unique else ""
    if_not_exists = "IF NOT EXISTS " if op.if_not_exists else ""
    name = f"{ctx.q(op.name)} " if op.name is not None else ""
    using = f" USING {op.method}" if op.method else ""
    where = f" WHERE {op.where_sql}" if op.where_sql else ""
    columns = ", ".join(op.columns_sql)
    return (
        f"CREATE {unique}INDEX CONCURRENTLY {if_not_exists}{name}ON {ctx.q(op.table)}"
        f"{using} ({columns}){where};"
    )


def _build_step(op: m.CreateIndex, ctx: RuleContext, index: str) -> Step:
    title = ("Create the index concurrently (SHARE UPDATE EXCLUSIVE: reads and writes "
             "continue); it cannot run inside a transaction block")
    sql = concurrent_index_sql(op, ctx)
    if sql is not None:
        return Step(phase=Phase.EXPAND, title=title, sql=sql)
    unique = "UNIQUE " if op.unique else ""
    return Step(phase=Phase.EXPAND, title=title, instruction=(
        f"CREATE {unique}INDEX CONCURRENTLY {index} ON {ctx.q(op.table)} with the key and "
        "WHERE clause the migration defines (migrationlint could not restate them as SQL)."))


@rule(
    "ML201", "create-index-without-concurrently", "error",
    "CREATE INDEX without CONCURRENTLY blocks writes to the table for the whole build.",
    on=(m.CreateIndex,), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check(op: m.CreateIndex, ctx: RuleContext) -> Iterator[Finding]:
    # ON ONLY a partitioned parent builds nothing (the parent holds no rows); it is the
    # first step of the per-partition recipe, since CONCURRENTLY refuses partitioned tables.
    if op.concurrently or op.only or ctx.table_is_new(op.table):
        return
    table = ctx.q(op.table)
    described = f" ({op.description}: {', '.join(op.columns_sql)})" if op.description else ""
    message = (
        f"CREATE INDEX on {table}{described} takes a SHARE lock: every INSERT, UPDATE and "
        f"DELETE on {table} waits until the index is built, which on a large table takes minutes."
    )
    # An index lives in its table's schema: unqualified, the DROP would miss it (IF EXISTS
    # hides that) unless the schema is on the search_path.
    index = (ctx.q(m.ObjectName(name=op.name, schema_=op.table.schema_))
             if op.name is not None else op.description or "the index")
    rewrite = Rewrite(
        summary="Build the index CONCURRENTLY, alone in a migration that runs outside a "
        "transaction." + on_partitioned_table("CREATE INDEX CONCURRENTLY"),
        steps=(
            _build_step(op, ctx, index),
            Step(phase=Phase.EXPAND,
                 title="If the build fails it leaves an INVALID index: drop it and retry",
                 instruction=f"DROP INDEX CONCURRENTLY IF EXISTS {index}; then run the CREATE "
                 "again."),
        ),
    )
    yield ctx.finding(op.span, message, rewrite, add_concurrently(ctx, "create_index"))
