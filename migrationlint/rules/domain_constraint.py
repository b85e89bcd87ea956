"""ML219 add-domain-check-without-not-valid."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import postgres_default_name


@rule(
    "ML219", "add-domain-check-without-not-valid", "error",
    "Adding a CHECK to a domain without NOT VALID scans every table using the domain under "
    "SHARE, blocking writes to them.",
    on=(m.AddDomainConstraint,), dialects=POSTGRES, tags=("locking",),
)
def check_domain_check(op: m.AddDomainConstraint, ctx: RuleContext) -> Iterator[Finding]:
    if op.not_valid or ctx.migration.type_is_new(op.domain, ctx.index):
        return
    domain, expression = ctx.q(op.domain), f"CHECK ({op.expression_sql})"
    # PostgreSQL's own name for an unnamed domain CHECK, so VALIDATE names what ADD creates.
    name = ctx.q(op.name or postgres_default_name(op.domain.name, (), suffix="check"))
    message = (
        f"Adding {expression} to the domain {domain} without NOT VALID checks every stored "
        f"value: each table with a column of {domain} is scanned under a SHARE lock, held "
        "until the transaction ends, so writes to all of them wait."
    )
    rewrite = Rewrite(
        summary="Add the constraint NOT VALID now (no scan) and VALIDATE it in a separate "
        "migration, at a quiet time.",
        steps=(
            Step(phase=Phase.EXPAND, title="Add it NOT VALID: values written from now on are "
                 "checked, stored values are not scanned",
                 sql=f"ALTER DOMAIN {domain} ADD CONSTRAINT {name} {expression} NOT VALID;"),
            Step(phase=Phase.CONTRACT, title="In a separate migration, alone and at low "
                 "traffic, validate it: unlike a table's VALIDATE CONSTRAINT it still takes "
                 "SHARE on every table using the domain while it scans them",
                 sql=f"ALTER DOMAIN {domain} VALIDATE CONSTRAINT {name};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)
