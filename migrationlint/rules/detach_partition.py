"""ML212 detach-partition-without-concurrently."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.autofix import add_concurrently
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule


@rule(
    "ML212", "detach-partition-without-concurrently", "error",
    "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table "
    "(PostgreSQL 14+ has CONCURRENTLY).",
    on=(m.DetachPartition,), dialects=POSTGRES, tags=("locking",),
)
def check(op: m.DetachPartition, ctx: RuleContext) -> Iterator[Finding]:
    if op.concurrently or op.finalize or not ctx.version.at_least(14) or ctx.table_is_new(op.table):
        return
    parent, partition = ctx.q(op.table), ctx.q(op.partition)
    message = (
        f"DETACH PARTITION {partition} takes ACCESS EXCLUSIVE on {parent} and the partition: "
        f"every query on {parent} waits."
    )
    rewrite = Rewrite(
        summary="Detach CONCURRENTLY, alone in a migration outside a transaction.",
        steps=(
            Step(phase=Phase.CONTRACT, title="Detach concurrently (SHARE UPDATE EXCLUSIVE on the "
                 "parent); not inside a transaction block, not with a DEFAULT partition",
                 sql=f"ALTER TABLE {parent} DETACH PARTITION {partition} CONCURRENTLY;"),
            Step(phase=Phase.CONTRACT, title="If it is interrupted, finish it",
                 sql=f"ALTER TABLE {parent} DETACH PARTITION {partition} FINALIZE;"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite, add_concurrently(ctx, "detach"))
