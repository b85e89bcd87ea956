"""ML113 drop-foreign-key."""

import re
from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule

# PostgreSQL names FKs <table>_<column>_fkey; Rails fk_rails_<hash>; Django ..._fk_<table>_<col>.
_FK_NAME = re.compile(r"(_fkey$|^fk_|_fk$|_fk_)", re.I)


@rule(
    "ML113", "drop-foreign-key", "note",
    "Dropping a foreign key removes integrity and cascades the application may rely on.",
    on=(m.DropConstraint,), tags=("backward-compatibility",),
)
def check(op: m.DropConstraint, ctx: RuleContext) -> Iterator[Finding]:
    is_fk = op.kind == "foreign_key" or (op.kind is None and _FK_NAME.search(op.name.name))
    if not is_fk or ctx.migration.constraint_is_new(op.table, op.name, ctx.index):
        return
    table, name = ctx.q(op.table), ctx.q(op.name)
    lock = (" On PostgreSQL it also takes ACCESS EXCLUSIVE on both tables, including the "
            "referenced one." if ctx.dialect == "postgres" else "")
    message = (
        f"Dropping foreign key {name} of {table}: the running application version may rely on "
        f"it (ON DELETE CASCADE, or errors instead of orphaned rows).{lock}"
    )
    rewrite = Rewrite(
        summary="Make sure no running version relies on the constraint, then drop it with a "
        "short lock_timeout.",
        steps=(
            Step(phase=Phase.SWITCH, title="Deploy application code that does its own cleanup",
                 instruction="Release code that deletes dependent rows itself and tolerates "
                 "missing parents, if it relied on the constraint."),
            Step(phase=Phase.CONTRACT, title="Drop the constraint",
                 sql=f"ALTER TABLE {table} DROP CONSTRAINT {name};" if ctx.dialect == "postgres"
                 else f"ALTER TABLE {table} DROP FOREIGN KEY {name};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
