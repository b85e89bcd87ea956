"""ML108 drop-schema-or-database."""

from typing import Iterator, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML108", "drop-schema-or-database", "error",
    "Dropping a schema or database destroys every object in it.",
    on=(m.DropSchema, m.DropDatabase), tags=("backward-compatibility",),
)
def check(op: Union[m.DropSchema, m.DropDatabase], ctx: RuleContext) -> Iterator[Finding]:
    kind = "schema" if isinstance(op, m.DropSchema) else "database"
    name = ctx.q(op.name)
    message = (
        f"Dropping {kind} {name} destroys every table, view and function in it at once; any "
        "running application version that uses one of them fails, and the data is gone."
    )
    rewrite = Rewrite(
        summary=f"Empty {name} object by object first, then drop it once it is unused.",
        steps=(
            Step(phase=Phase.SWITCH, title=f"Stop using every object in {name}",
                 instruction="Release application code that no longer touches the objects, "
                 "and archive what must be kept."),
            Step(phase=Phase.CONTRACT, title=f"In a later release, drop the {kind} without CASCADE "
                 "so it fails if anything is still in it",
                 sql=f"DROP {kind.upper()} {name};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
