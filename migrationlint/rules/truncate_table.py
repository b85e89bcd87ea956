"""ML112 truncate-table."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import batched_delete
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML112", "truncate-table", "error",
    "TRUNCATE in a migration deletes every row of a table the application is using.",
    on=(m.Truncate,), tags=("backward-compatibility", "data"),
)
def check(op: m.Truncate, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table):
        return
    table = ctx.q(op.table)
    cascade = (" CASCADE also empties every table that references it by foreign key."
               if op.cascade else "")
    lock = ("takes ACCESS EXCLUSIVE (blocking reads and writes), is not MVCC-safe (concurrent "
            "transactions may see the table empty)" if ctx.dialect == "postgres"
            else "commits implicitly and cannot be rolled back")
    message = (
        f"TRUNCATE {table} deletes every row the running application version relies on; it "
        f"{lock}.{cascade}"
    )
    rewrite = Rewrite(
        summary="Delete the rows in batches outside the schema migration, once no running "
        "version needs them.",
        steps=(
            Step(phase=Phase.SWITCH, title=f"Deploy application code that no longer needs the rows of {table}",
                 instruction="Release first; keep an archive copy if the data may be needed."),
            batched_delete(ctx.dialect, op.table, None),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
