"""ML219 add-domain-check-without-not-valid: a CHECK added to a domain without NOT VALID,
and a domain's SET NOT NULL, which has no NOT VALID form."""

from typing import Iterator, Tuple, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import POSTGRES, rule
from migrationlint.sqlgen import generated_name, postgres_default_name


@rule(
    "ML219", "add-domain-check-without-not-valid", "error",
    "Adding a CHECK to a domain without NOT VALID, or SET NOT NULL on a domain, scans every "
    "table using the domain under SHARE, blocking writes to them.",
    on=(m.AddDomainConstraint, m.SetDomainNotNull), dialects=POSTGRES, tags=("locking",),
)
def check_domain_check(
    op: Union[m.AddDomainConstraint, m.SetDomainNotNull], ctx: RuleContext
) -> Iterator[Finding]:
    if ctx.migration.type_is_new(op.domain, ctx.index):
        return
    if isinstance(op, m.SetDomainNotNull):
        yield _set_not_null(op, ctx)
    elif not op.not_valid:
        yield _add_check(op, ctx)


def _add_check(op: m.AddDomainConstraint, ctx: RuleContext) -> Finding:
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
        steps=_not_valid_then_validate(domain, name, expression),
    )
    return ctx.finding(op.span, message, rewrite)


def _set_not_null(op: m.SetDomainNotNull, ctx: RuleContext) -> Finding:
    domain = ctx.q(op.domain)
    name = ctx.q(generated_name(ctx.dialect, op.domain.name.name, suffix="not_null"))
    message = (
        f"SET NOT NULL on the domain {domain} checks every stored value: each table with a "
        f"column of {domain} is scanned under a SHARE lock, held until the transaction ends, "
        "so writes to all of them wait. It has no NOT VALID form."
    )
    rewrite = Rewrite(
        summary="Use the equivalent CHECK (VALUE IS NOT NULL), added NOT VALID now and "
        "validated in a separate migration, instead of SET NOT NULL.",
        steps=_not_valid_then_validate(domain, name, "CHECK (VALUE IS NOT NULL)") + (
            # AlterDomainNotNull scans every column of the domain whatever CHECKs it has.
            Step(phase=Phase.CONTRACT, title="Keep the CHECK rather than following it with "
                 "SET NOT NULL",
                 instruction="SET NOT NULL would scan every table again: it does not use the "
                 "validated CHECK. For a domain over a non-composite type the CHECK is "
                 "equivalent (PostgreSQL docs, CREATE DOMAIN)."),
        ),
    )
    return ctx.finding(op.span, message, rewrite)


def _not_valid_then_validate(domain: str, name: str, expression: str) -> Tuple[Step, Step]:
    """Add a domain constraint without the scan, and validate it apart."""
    return (
        Step(phase=Phase.EXPAND, title="Add it NOT VALID: values written from now on are "
             "checked, stored values are not scanned",
             sql=f"ALTER DOMAIN {domain} ADD CONSTRAINT {name} {expression} NOT VALID;"),
        Step(phase=Phase.CONTRACT, title="In a separate migration, alone and at low "
             "traffic, validate it: unlike a table's VALIDATE CONSTRAINT it still takes "
             "SHARE on every table using the domain while it scans them",
             sql=f"ALTER DOMAIN {domain} VALIDATE CONSTRAINT {name};"),
    )
