"""ML104 drop-table."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML104", "drop-table", "error",
    "Dropping a table breaks the application version that still uses it and loses its data.",
    on=(m.DropTable,), tags=("backward-compatibility",),
)
def check(op: m.DropTable, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table):
        return
    table = ctx.q(op.table)
    message = (
        f"Dropping table {table} breaks every running application version that still "
        "reads or writes it, and a rollback cannot bring the data back"
        + (" (on PostgreSQL it also takes ACCESS EXCLUSIVE on every table it references "
           "by foreign key)." if ctx.dialect == "postgres" else ".")
    )
    rewrite = Rewrite(
        summary=f"Contract in two releases: stop using {table} first, drop it later.",
        steps=(
            Step(phase=Phase.SWITCH, title=f"Deploy application code that no longer uses {table}",
                 instruction=f"Remove the model or queries for {table} and release; keep a "
                 "backup or archive copy if the data may be needed."),
            Step(phase=Phase.CONTRACT,
                 title="In a later release, once no running version uses it, drop the table",
                 sql=f"DROP TABLE {table};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
