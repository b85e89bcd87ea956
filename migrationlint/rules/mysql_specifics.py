"""ML408 drop-index-without-invisible, ML409 modify-column-to-not-null,
ML410 inline-references-ignored, ML411 ddl-without-lock-wait-timeout."""

from __future__ import annotations

from typing import Iterator, List, Optional

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.recipes import always_write_step, batched_backfill
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import MYSQL, rule
from migrationlint.rules.mysql_online_ddl import INPLACE_NONE, plan_of, without_foreign_key_checks
from migrationlint.rules.mysql_transactions import is_ddl
from migrationlint.sqlgen import generated_name

# A lock_wait_timeout above this many seconds does not count as "short".
MAX_LOCK_WAIT_SECONDS = 60
SUGGESTED_LOCK_WAIT_SECONDS = 10


def _hide_index_sql(ctx: RuleContext, table: m.ObjectName, index: m.Ident) -> Optional[str]:
    """The statement that makes the optimizer ignore an index while keeping it maintained."""
    t, i = ctx.q(table), ctx.q(index)
    if ctx.dialect == "mariadb":
        return f"ALTER TABLE {t} ALTER INDEX {i} IGNORED;" if ctx.version.at_least(10, 6) else None
    return f"ALTER TABLE {t} ALTER INDEX {i} INVISIBLE;" if ctx.version.at_least(8) else None


@rule(
    "ML408", "drop-index-without-invisible", "warning",
    "Dropping an index that queries may rely on; make it invisible first so the drop can be "
    "undone instantly.",
    on=(m.DropIndex,), dialects=MYSQL, tags=("backward-compatibility",),
)
def check_drop_index(op: m.DropIndex, ctx: RuleContext) -> Iterator[Finding]:
    if op.table is None or ctx.table_is_new(op.table) or ctx.migration.index_is_new(op.name, ctx.index):
        return
    table, index = ctx.q(op.table), ctx.q(op.name.name)
    hide = _hide_index_sql(ctx, op.table, op.name.name)
    message = (
        f"Dropping index {index} on {table}: any query the optimizer serves with it turns into "
        "a full scan as soon as it is gone, and putting it back is a full index build on a "
        "large table, during the incident."
    )
    if hide is None:
        steps = (
            Step(phase=Phase.SWITCH, title="Check that nothing uses the index",
                 instruction="Query sys.schema_unused_indexes (or performance_schema."
                 "table_io_waits_summary_by_index_usage) on every server over a full business "
                 "cycle before dropping it."),
            Step(phase=Phase.CONTRACT, title="Then drop it", sql=f"DROP INDEX {index} ON {table};"),
        )
    else:
        word = "IGNORED" if ctx.dialect == "mariadb" else "INVISIBLE"
        undo = hide.replace(f" {word};", " NOT IGNORED;" if word == "IGNORED" else " VISIBLE;")
        steps = (
            Step(phase=Phase.EXPAND, title=f"Make the index {word.lower()}: the optimizer stops "
                 "using it, but it stays maintained (metadata-only change)", sql=hide),
            Step(phase=Phase.SWITCH, title="Watch slow-query logs and latency for a full business "
                 "cycle; if anything degrades, undo it instantly", sql=undo),
            Step(phase=Phase.CONTRACT, title="In a later migration, drop the index",
                 sql=f"DROP INDEX {index} ON {table};"),
        )
    yield ctx.finding(op.span, message, Rewrite(
        summary="Hide the index first, observe, and drop it in a later migration.",
        steps=steps,
    ))


@rule(
    "ML409", "modify-column-to-not-null", "warning",
    "MODIFY/CHANGE ... NOT NULL on an existing column: NULLs fail the ALTER or are silently "
    "replaced, and inserts that omit the column break.",
    on=(m.AlterColumnType,), dialects=MYSQL, tags=("backward-compatibility",),
)
def check_modify_not_null(op: m.AlterColumnType, ctx: RuleContext) -> Iterator[Finding]:
    definition = op.definition
    if definition is None or not op.not_null or definition.primary_key:
        return
    if ctx.column_is_new(op.table, op.column) or ctx.migration.column_not_null(
            op.table, op.column, ctx.index):
        return  # nobody wrote NULLs yet, or the file already made it NOT NULL
    table, column = ctx.q(op.table), ctx.q(op.column)
    inserts = (
        "" if definition.default is not None else
        f" Every INSERT from the running application version that leaves {column} out fails "
        "too, since the column has no default."
    )
    # What the ALTER costs (a rebuild, a copy) is the online DDL rules' finding, not this one.
    message = (
        f"MODIFY/CHANGE makes {column} of {table} NOT NULL. If it allows NULL today, existing "
        "NULLs make the ALTER fail in strict mode (ERROR 1138 \"Invalid use of NULL value\") or, "
        f"without strict mode, are silently replaced by 0, '' or a zero date.{inserts}"
    )
    full = definition.restated_sql
    found = plan_of(ctx, [op], ctx.index)
    clause = found.supported_clause if found else None
    title = ("Then restate the whole column (MODIFY drops any attribute you leave out: "
             "DEFAULT, AUTO_INCREMENT, COMMENT, ON UPDATE, CHARACTER SET)")
    if clause:
        restate = Step(phase=Phase.CONTRACT, title=f"{title} and rebuild in place",
                       sql=f"ALTER TABLE {table} MODIFY {column} {full}, {clause};")
    else:  # the server may copy the table: no clause it would refuse
        restate = Step(phase=Phase.CONTRACT,
                       title=f"{title}; it may copy the table, so on a large table run it "
                       "with an online schema change tool (see alter-table-blocks-writes)",
                       sql=f"ALTER TABLE {table} MODIFY {column} {full};")
    steps = (
        always_write_step(column, f"Release the version that sets {column} on every INSERT and UPDATE."),
        batched_backfill(ctx.dialect, op.table, op.column, None, f"{column} IS NULL"),
        restate,
    )
    yield ctx.finding(op.span, message, Rewrite(
        summary=f"Backfill NULLs in {column} first, make every writer set it, then enforce NOT "
        "NULL in its own migration.",
        steps=steps,
    ))


def _inline_references(op: m.Operation):
    columns = op.columns if isinstance(op, m.CreateTable) else (op.column,)
    return [c for c in columns if c.references_sql]


@rule(
    "ML410", "inline-references-ignored", "warning",
    "A REFERENCES clause in a column definition creates no foreign key on MySQL before 9.0 "
    "and MariaDB before 10.5: it is parsed and silently ignored.",
    on=(m.CreateTable, m.AddColumn), dialects=MYSQL, tags=("correctness",),
    # Its rewrite replaces the statement; "add ALGORITHM=INSTANT" would keep the REFERENCES.
    supersedes=("ML406",),
)
def check_inline_references(op: m.Operation, ctx: RuleContext) -> Iterator[Finding]:
    # Enforced from MySQL 9.0 (WL#16130) and MariaDB 10.5 (MDEV-20729).
    if ctx.version.at_least(*((10, 5) if ctx.dialect == "mariadb" else (9,))):
        return
    for column in _inline_references(op):
        table, name = ctx.q(op.table), ctx.q(column.name)
        constraint = ctx.q(generated_name(ctx.dialect, op.table.name.name, column.name.name,
                                          suffix="fk"))
        clause = f"CONSTRAINT {constraint} FOREIGN KEY ({name}) {column.references_sql}"
        if isinstance(op, m.CreateTable):
            steps = [Step(phase=Phase.EXPAND,
                          title="Declare the foreign key as a table constraint",
                          instruction=f"Remove the inline REFERENCES from {name} and add "
                          f"this line to the column list of CREATE TABLE {table}: {clause}")]
        else:
            steps = _column_then_foreign_key(op, column, clause, ctx)
        message = (
            f"{name} of {table} is declared with an inline REFERENCES, which "
            f"{'MariaDB before 10.5' if ctx.dialect == 'mariadb' else 'MySQL before 9.0'} parses "
            "and ignores: "
            "no foreign key is created, so orphan rows are accepted and ON DELETE actions "
            "never run."
        )
        yield ctx.finding(column.references_span or op.span, message, Rewrite(
            summary="Use a table-level FOREIGN KEY constraint.",
            steps=tuple(steps),
        ))


def _column_then_foreign_key(op: m.AddColumn, column: m.ColumnSpec, constraint_sql: str,
                             ctx: RuleContext) -> List[Step]:
    """Add the column online, then the key; with checks on, ADD FOREIGN KEY copies the table."""
    table, name = ctx.q(op.table), ctx.q(column.name)
    bare = op.replace(column=column.replace(references_sql=None, references=None))
    found = plan_of(ctx, [bare], ctx.index)
    clause = f", {found.supported_clause}" if found and found.supported_clause else ""
    steps = [Step(phase=Phase.EXPAND, title="Add the column without the inline REFERENCES",
                  sql=f"ALTER TABLE {table} ADD COLUMN {name} {column.restated_sql}{clause};")]
    add_key = f"ALTER TABLE {table} ADD {constraint_sql}"
    if column.default is None and not column.not_null:
        steps.append(Step(
            phase=Phase.EXPAND,
            title="Add the real foreign key in place: the new column holds only NULLs, so "
            "there is nothing to check (with the checks on, MySQL would copy the table)",
            sql=without_foreign_key_checks(f"{add_key}, {INPLACE_NONE};")))
    else:  # existing rows got a value: they must be checked, which copies the table
        steps.append(Step(
            phase=Phase.EXPAND,
            title="Add the real foreign key; the server checks every row by copying the table "
            "with writes blocked, so on a large table run it with pt-online-schema-change",
            sql=f"{add_key};"))
    return steps


def _short_lock_wait(ctx: RuleContext, statement_index: int, op: m.Operation) -> bool:
    if isinstance(op, m.OnlineDdlClauses) and op.wait is not None:
        return True
    value = ctx.migration.setting("lock_wait_timeout", statement_index)
    try:
        return value is not None and float(value) <= MAX_LOCK_WAIT_SECONDS
    except ValueError:
        return False


def _lock_wait(ctx: RuleContext, statement_index: int) -> str:
    """How long the statement waits for the lock: the file's own (too long) setting, or
    the server default."""
    value = ctx.migration.setting("lock_wait_timeout", statement_index)
    if value is not None and value.replace(".", "", 1).isdigit():  # not DEFAULT or @var
        return (f"this file set lock_wait_timeout to {value} s (more than "
                f"{MAX_LOCK_WAIT_SECONDS} s)")
    default = "86400 s (one day)" if ctx.dialect == "mariadb" else "31536000 s (one year)"
    return f"lock_wait_timeout defaults to {default}"


def _existing_table(ctx: RuleContext, statement) -> Optional[m.ObjectName]:
    """The first table the statement changes that existed before this file."""
    for op in statement.operations:
        table = getattr(op, "table", None)
        # A CREATE TABLE ... SELECT's copy (DataChange) fills the table it creates.
        if isinstance(op, m.CreateTable) or table is None or getattr(op, "kind", None) == "create_select":
            continue
        if not ctx.migration.table_is_new(table, statement.index):
            return table
    return None


@rule(
    "ML411", "ddl-without-lock-wait-timeout", "note",
    "DDL on an existing table without a short lock_wait_timeout can queue every query on the "
    "table behind its metadata lock.",
    dialects=MYSQL, scope="migration", tags=("locking",),
)
def check_lock_wait_timeout(ctx: RuleContext) -> Iterator[Finding]:
    for statement in ctx.migration.statements:
        table = _existing_table(ctx, statement) if is_ddl(statement) else None
        if table is None:
            continue
        if any(_short_lock_wait(ctx, statement.index, op) for op in statement.operations):
            return
        name = ctx.q(table)
        message = (
            f"This DDL needs an exclusive metadata lock on {name}. While it waits behind any "
            f"open transaction that touched {name}, every new query on {name} queues "
            f"behind it, and {_lock_wait(ctx, statement.index)}."
        )
        yield ctx.finding(statement.span, message, Rewrite(
            summary="Fail fast and retry instead of stalling the application.",
            steps=(
                Step(phase=Phase.EXPAND, title="Set a short metadata-lock wait at the top of the "
                     "migration, and retry the migration when it times out (ERROR 1205)",
                     sql=f"SET SESSION lock_wait_timeout = {SUGGESTED_LOCK_WAIT_SECONDS};"),
            ),
        ))
        return
