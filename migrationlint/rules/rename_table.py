"""ML102 rename-table."""

from typing import Iterator, List

from migrationlint import model as m
from migrationlint.context import Statement, substantive
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML102", "rename-table", "error",
    "Renaming a table breaks the application version that still uses the old name.",
    on=(m.RenameTable,), tags=("backward-compatibility",),
)
def check(op: m.RenameTable, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table) or _name_taken_again(op, ctx):
        return
    old, new = ctx.q(op.table), ctx.q(op.new_name)
    message = (
        f"Renaming table {old} to {new} breaks every running application version that still "
        f"queries {old}: during the rollout, and after a rollback, its queries fail with "
        "an unknown-table error."
    )
    if ctx.dialect == "postgres":
        # No BEGIN/COMMIT of its own: migration runners already wrap each migration in
        # a transaction; a nested BEGIN is ignored with a warning and its COMMIT would end
        # the runner's transaction early (ML304 reports that).
        swap = (f"ALTER TABLE {old} RENAME TO {ctx.q(op.new_name.name)};\n"
                f"CREATE VIEW {old} AS SELECT * FROM {new};")
        swap_title = ("Rename and create an updatable view under the old name in the same "
                      "migration (which the runner wraps in one transaction), so old and new "
                      "code both work")
    else:
        swap = f"RENAME TABLE {old} TO {new};\nCREATE VIEW {old} AS SELECT * FROM {new};"
        swap_title = ("Rename, then at once create an updatable view under the old name "
                      "(MySQL commits each DDL, so the two run back to back)")
    rewrite = Rewrite(
        summary=f"Keep {old} working during the transition: rename, serve the old name "
        "from a simple view, switch the application, then drop the view.",
        steps=(
            Step(phase=Phase.EXPAND, title=swap_title, sql=swap),
            Step(phase=Phase.SWITCH, title=f"Deploy application code that uses {new}",
                 instruction=f"Release the version that reads and writes {new}; a single-table "
                 "view passes INSERT, UPDATE and DELETE through to the table."),
            Step(phase=Phase.CONTRACT,
                 title="In a later release, once no running version uses the old name, drop "
                 "the view", sql=f"DROP VIEW {old};"),
        ),
    )
    yield ctx.finding(op.span, message, rewrite)


def _name_taken_again(op: m.RenameTable, ctx: RuleContext) -> bool:
    """The old name serves queries again at once: a table renamed to it in the same
    statement (MySQL's ``RENAME TABLE a TO a_old, a_new TO a`` swaps atomically), or a
    view or table given the name later in the same transaction or by the very next
    statement (the rename-then-view pair of the recipe, which MySQL commits one by one)."""
    statement = ctx.statement
    later = list(statement.operations[statement.operations.index(op) + 1:])
    for following in _run_at_once_after(ctx):
        later += following.operations
    return any(_takes_name(other, op.table) for other in later)


def _run_at_once_after(ctx: RuleContext) -> List[Statement]:
    statement, migration = ctx.statement, ctx.migration
    peers = [s for s in migration.transaction_peers(statement) if s.index > statement.index]
    following = [s for s in migration.statements[statement.index + 1:] if substantive(s)]
    return peers + following[:1]


def _takes_name(op: m.Operation, name: m.ObjectName) -> bool:
    if isinstance(op, m.CreateView):
        return op.name.matches(name)
    if isinstance(op, m.RenameTable):
        return op.new_name.matches(name)
    return isinstance(op, m.CreateTable) and op.table.matches(name)
