"""ML215 concurrent-index-on-pg14-corruption."""

from typing import Iterator, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule


@rule(
    "ML215", "concurrent-index-on-pg14-corruption", "error",
    "CREATE INDEX / REINDEX CONCURRENTLY on PostgreSQL 14.0-14.3 can silently corrupt indexes.",
    on=(m.CreateIndex, m.Reindex), dialects=POSTGRES, tags=("locking", "version"),
)
def check(op: Union[m.CreateIndex, m.Reindex], ctx: RuleContext) -> Iterator[Finding]:
    version = ctx.version
    if not op.concurrently or not (version.at_least(14) and version.below(14, 4)):
        return
    message = (
        f"On PostgreSQL {version}, CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY can build "
        "an index that silently misses rows (fixed in 14.4)."
    )
    rewrite = Rewrite(
        summary="Upgrade to PostgreSQL 14.4 or later before building indexes concurrently.",
        steps=(
            Step(phase=Phase.EXPAND, title="Upgrade the server to the latest 14.x minor release",
                 instruction="Then set target_version accordingly (e.g. 14.4)."),
            Step(phase=Phase.EXPAND, title="Check indexes built concurrently on 14.0-14.3",
                 instruction="Run amcheck (bt_index_check with heapallindexed) on them and "
                 "REINDEX CONCURRENTLY the ones it reports, after upgrading."),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
