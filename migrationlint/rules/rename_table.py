"""ML102 rename-table."""

from typing import Iterator, List, Optional

from migrationlint import model as m
from migrationlint.context import Statement, substantive
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule
from migrationlint.rules.mysql_online_ddl import tool_names


@rule(
    "ML102", "rename-table", "error",
    "Renaming a table breaks the application version that still uses the old name.",
    on=(m.RenameTable,), tags=("backward-compatibility",),
)
def check(op: m.RenameTable, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.table_is_new(op.table) or _name_taken_again(op, ctx) or _completes_a_swap(op, ctx):
        return
    fresh = _fresh_table_swapped_in(op, ctx)
    if fresh is not None:
        yield _fresh_swap_finding(op, fresh, ctx)
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
    """The old name serves the same data again at once: an existing table renamed to it in
    the same statement (MySQL's ``RENAME TABLE a TO a_old, a_new TO a`` swaps atomically),
    or a view under it later in the same transaction or in the very next statement (the
    recipe's rename-then-view pair, which MySQL commits one by one). A table created in
    this migration does not count: the running version would find it empty."""
    return any(_serves(other, op.table, ctx) for other in _run_at_once_after(op, ctx))


def _run_at_once_after(op: m.RenameTable, ctx: RuleContext) -> List[m.Operation]:
    """The operations after ``op`` in its statement and those run at once after it."""
    statement = ctx.statement
    later = list(statement.operations[statement.operations.index(op) + 1:])
    for following in _run_at_once_around(ctx, before=False):
        later += following.operations
    return later


def _fresh_table_swapped_in(op: m.RenameTable, ctx: RuleContext) -> Optional[m.ObjectName]:
    """The table created in this migration that takes ``op``'s old name at once (a swap
    such as ``RENAME TABLE a TO a_old, a_new TO a``, or ``a`` created again right after
    the rename), or None."""
    for other in _run_at_once_after(op, ctx):
        if isinstance(other, m.RenameTable) and ctx.table_is_new(other.table) and (
                ctx.migration.same_name(other.new_name, op.table)):
            return other.table
        if isinstance(other, m.CreateTable) and ctx.migration.same_name(other.table, op.table):
            return other.table
    return None


def _fresh_swap_finding(op: m.RenameTable, fresh: m.ObjectName, ctx: RuleContext) -> Finding:
    """The old name stays, but now names a table this migration created: the running
    version reads and writes it instead of its data (a view under the old name, the
    usual recipe, would undo the swap)."""
    old, new, f = ctx.q(op.table), ctx.q(op.new_name), ctx.q(fresh)
    recreated = ctx.migration.same_name(fresh, op.table)
    taker = f"a new {old} is created" if recreated else (
        f"{f}, created in this migration, takes the name {old}")
    message = (
        f"Renaming {old} to {new} while {taker} swaps the tables: {old} keeps existing, but "
        "every running application version now reads and writes "
        f"{'the new ' + old if recreated else f}, which holds only what this migration put "
        f"into it, while the rows it used are in {new}."
    )
    if recreated:  # the copy to keep in sync needs a name of its own until the swap
        f = "the new table (built under another name, then swapped in)"
    tools = (f"; {tool_names(ctx)} can do all of it, copying in chunks and swapping "
             "atomically" if ctx.dialect != "postgres" else "")
    return ctx.finding(op.span, message, Rewrite(
        summary=f"Swap in a table that already holds the rows of {old} and receives its writes.",
        steps=(Step(phase=Phase.EXPAND,
                    title=f"Before the swap, copy the rows of {old} into {f} and keep it in sync",
                    instruction=f"Keep {f} in step with {old} (a trigger copying every write, "
                    f"and a batched backfill, as in change-column-type's recipe){tools}. If "
                    f"{old} is meant to start empty (rotating a log table), suppress the "
                    "finding with that reason."),),
    ))


def _completes_a_swap(op: m.RenameTable, ctx: RuleContext) -> bool:
    """The second half of a swap: the table holding the new name was renamed away just
    before (same statement or transaction), so the renamed table was a shadow copy built
    to take its place."""
    statement = ctx.statement
    earlier = list(statement.operations[:statement.operations.index(op)])
    for preceding in _run_at_once_around(ctx, before=True):
        earlier += preceding.operations
    return any(isinstance(other, m.RenameTable) and ctx.migration.same_name(other.table, op.new_name)
               for other in earlier)


def _run_at_once_around(ctx: RuleContext, before: bool) -> List[Statement]:
    """The statements after (or before) the current one in its transaction, and the
    nearest substantive statement on that side."""
    statement, migration = ctx.statement, ctx.migration
    peers = [s for s in migration.transaction_peers(statement)
             if (s.index < statement.index if before else s.index > statement.index)]
    side = (reversed(migration.statements[:statement.index]) if before
            else migration.statements[statement.index + 1:])
    nearest = next((s for s in side if substantive(s)), None)
    return peers + ([nearest] if nearest is not None else [])


def _serves(op: m.Operation, name: m.ObjectName, ctx: RuleContext) -> bool:
    if isinstance(op, m.CreateView):
        return ctx.migration.same_name(op.name, name)
    return (isinstance(op, m.RenameTable) and ctx.migration.same_name(op.new_name, name)
            and not ctx.table_is_new(op.table))
