"""ML501 update-or-delete-in-schema-migration, ML502 insert-select-in-schema-migration."""

from typing import Iterator

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import batched_backfill, batched_delete, not_distinct
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule

_OUTSIDE = Step(
    phase=Phase.SWITCH, title="Run it as a data migration, not in the schema migration",
    instruction="A separate task or script (Rails: a rake task or background job; Django: a "
    "management command) that is idempotent and can be stopped and resumed.",
)


@rule(
    "ML501", "update-or-delete-in-schema-migration", "warning",
    "UPDATE or DELETE over an existing table inside a schema migration locks rows for the whole "
    "statement and holds the migration's locks meanwhile.",
    on=(m.DataChange,), tags=("data",),
    supersedes=("ML213",),
)
def check_update_delete(op: m.DataChange, ctx: RuleContext) -> Iterator[Finding]:
    if op.kind not in ("update", "delete") or op.keyed or ctx.table_is_new(op.table):
        return
    table = ctx.q(op.table)
    scope = f"WHERE {op.where_sql}" if op.where_sql else "no WHERE clause"
    verb = op.kind.upper()
    message = (
        f"{verb} on {table} with {scope} touches an unbounded number of rows in one statement: "
        "it locks them until the migration commits (blocking the application's writes to them), "
        "holds every lock the migration took, and bloats the table; it is not batched or "
        "resumable."
    )
    if op.kind == "delete":
        step = batched_delete(ctx.dialect, op.table, op.where_sql)
    elif len(op.assigned) == 1:
        column, value = ctx.q(op.assigned[0]), op.values_sql[0]
        # Skipping rows that already hold the value makes each batch idempotent.
        pending = not_distinct(ctx.dialect, column, value)
        if op.where_sql:
            pending = f"({op.where_sql}) AND {pending}"
        step = batched_backfill(ctx.dialect, op.table, op.assigned[0], value, pending)
    else:
        step = Step(phase=Phase.BACKFILL, title=f"Update {table} in keyset batches",
                    instruction="Walk the primary key in ranges (WHERE id > last_id ORDER BY id "
                    "LIMIT 1000), update each range in its own transaction, and skip rows that "
                    "already hold the new values so the job can be re-run.")
    yield ctx.finding(op.span, message, Rewrite(
        summary=f"Move the {verb} into a separate, batched, idempotent data migration.",
        steps=(_OUTSIDE, step),
    ))


@rule(
    "ML502", "insert-select-in-schema-migration", "warning",
    "INSERT ... SELECT or CREATE TABLE ... AS SELECT from an existing table inside a schema "
    "migration copies an unbounded number of rows in one transaction.",
    on=(m.DataChange,), tags=("data",),
    supersedes=("ML213",),
)
def check_insert_select(op: m.DataChange, ctx: RuleContext) -> Iterator[Finding]:
    if op.kind not in ("insert_select", "create_select"):
        return
    existing = [s for s in op.sources if not ctx.table_is_new(s)]
    if not existing:
        return
    target = ctx.q(op.table)
    sources = ", ".join(ctx.q(s) for s in existing)
    statement = "CREATE TABLE" if op.kind == "create_select" else "INSERT INTO"
    message = (
        f"{statement} {target} ... SELECT FROM {sources} copies every matching row in one "
        "statement inside the schema migration: long-running, holding the migration's locks, "
        "and not resumable."
    )
    yield ctx.finding(op.span, message, Rewrite(
        summary="Copy in keyset batches from a separate, idempotent data migration.",
        steps=(
            _OUTSIDE,
            Step(phase=Phase.BACKFILL, title=f"Copy into {target} in batches",
                 instruction=f"Copy ranges of the source key (WHERE id > last_id ORDER BY id "
                 f"LIMIT 1000), skipping rows already in {target} (ON CONFLICT DO NOTHING or "
                 "NOT EXISTS), until a batch copies nothing."),
        ),
    ))
