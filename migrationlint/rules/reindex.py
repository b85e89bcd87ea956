"""ML203 reindex-without-concurrently."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.autofix import add_concurrently
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule


@rule(
    "ML203", "reindex-without-concurrently", "error",
    "REINDEX without CONCURRENTLY blocks reads and writes (PostgreSQL 12+ has CONCURRENTLY).",
    on=(m.Reindex,), dialects=POSTGRES, tags=("locking",),
    supersedes=("ML213",),
)
def check(op: m.Reindex, ctx: RuleContext) -> Iterator[Finding]:
    if op.concurrently or op.target == "system" or not ctx.version.at_least(12):
        return
    if op.name is not None and (
        (op.target == "index" and ctx.migration.index_is_new(op.name, ctx.index))
        or (op.target == "table" and ctx.table_is_new(op.name))
    ):
        return
    name = ctx.q(op.name) if op.name is not None else ""
    target = f"{op.target.upper()} {name}".strip()
    message = (
        f"REINDEX {target} takes ACCESS EXCLUSIVE on each index it rebuilds; queries that "
        "plan with those indexes, nearly all of them, wait until it finishes."
    )
    rewrite = Rewrite(
        summary="Rebuild CONCURRENTLY, alone in a migration outside a transaction.",
        steps=(
            Step(phase=Phase.EXPAND,
                 title="Rebuild concurrently (SHARE UPDATE EXCLUSIVE: reads and writes continue); "
                 "it cannot run inside a transaction block",
                 sql=f"REINDEX {op.target.upper()} CONCURRENTLY {name};".replace(" ;", ";")),
            Step(phase=Phase.EXPAND, title="After a failure, drop the leftover invalid copies",
                 instruction="Drop the INVALID indexes ending in _ccnew (DROP INDEX CONCURRENTLY) "
                 "and run it again."),
        ),
    )
    kind = "reindex" if op.target in ("index", "table") else None
    fix = add_concurrently(ctx, kind) if kind else None
    yield ctx.finding(op.span, message, rewrite, fix)
