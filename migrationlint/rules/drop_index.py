"""ML202 drop-index-without-concurrently."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.autofix import add_concurrently
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule


@rule(
    "ML202", "drop-index-without-concurrently", "warning",
    "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table.",
    on=(m.DropIndex,), dialects=POSTGRES, tags=("locking",),
)
def check(op: m.DropIndex, ctx: RuleContext) -> Iterator[Finding]:
    if op.concurrently or ctx.migration.index_is_new(op.name, ctx.index):
        return
    index = ctx.q(op.name)
    message = (
        f"DROP INDEX {index} takes ACCESS EXCLUSIVE on its table: reads and writes queue "
        "behind it, and behind any long transaction it waits for."
    )
    if_exists = "IF EXISTS " if op.if_exists else ""
    rewrite = Rewrite(
        summary="Drop the index CONCURRENTLY, alone in a migration outside a transaction.",
        steps=(Step(phase=Phase.CONTRACT,
                    title="Drop it concurrently (SHARE UPDATE EXCLUSIVE on the table); it cannot "
                    "run inside a transaction block and does not support CASCADE",
                    sql=f"DROP INDEX CONCURRENTLY {if_exists}{index};"),),
    )
    yield ctx.finding(op.span, message, rewrite, add_concurrently(ctx, "drop_index"))
