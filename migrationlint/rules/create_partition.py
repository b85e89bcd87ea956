"""ML217 create-table-partition-of."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule


@rule(
    "ML217", "create-table-partition-of", "warning",
    "CREATE TABLE ... PARTITION OF takes ACCESS EXCLUSIVE on the partitioned table; creating "
    "the table alone and attaching it takes only SHARE UPDATE EXCLUSIVE (PostgreSQL 12+).",
    on=(m.CreateTable,), dialects=POSTGRES, tags=("locking",),
)
def check(op: m.CreateTable, ctx: RuleContext) -> Iterator[Finding]:
    parent = op.partition_of
    if parent is None or not ctx.version.at_least(12) or ctx.table_is_new(parent):
        return  # before 12 ATTACH PARTITION also takes ACCESS EXCLUSIVE on the parent
    table, partition = ctx.q(parent), ctx.q(op.table)
    message = (
        f"Creating {partition} as a PARTITION OF {table} takes ACCESS EXCLUSIVE on {table}: "
        f"while the statement waits for the lock (behind any running query on {table}) and "
        f"until the transaction commits, every read and write of {table} waits."
    )
    # The plain table keeps the options written: a partition partitioned in turn is
    # attached partitioned, and its storage stays where the file put it.
    options = f" {op.partition_options_sql}" if op.partition_options_sql else ""
    rewrite = Rewrite(
        summary=f"Create {partition} as a plain table like {table}, then ATTACH PARTITION.",
        steps=(
            Step(phase=Phase.EXPAND, title=f"Create the table on its own (no lock on {table})",
                 sql=f"CREATE TABLE {partition} (LIKE {table} INCLUDING ALL){options};"),
            Step(phase=Phase.EXPAND,
                 title=(f"Attach it (SHARE UPDATE EXCLUSIVE on {table}: reads and writes "
                        "continue; ACCESS EXCLUSIVE only on the new table and any DEFAULT "
                        "partition, which is scanned)"),
                 sql=f"ALTER TABLE {table} ATTACH PARTITION {partition} {op.partition_bound_sql};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
