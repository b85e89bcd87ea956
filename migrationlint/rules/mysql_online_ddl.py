"""ML404 alter-table-blocks-writes, ML405 alter-table-rebuilds-table,
ML406 alter-without-algorithm-lock, ML407 unsupported-algorithm-clause.

Each statement on an existing table is classified once (migrationlint.mysql_online_ddl)
and gets at most one of these findings, in that order of precedence: a clause the server
refuses, then blocked writes, then a rebuild, then a missing ALGORITHM/LOCK clause.
"""

from __future__ import annotations

import shlex
from typing import Iterator, List, Optional, Sequence, Tuple

from migrationlint import model as m
from migrationlint.context import Migration, Statement
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.mysql_online_ddl import (
    DEFAULT_CHARSET, Facts, Plan, Target, charset_width, plan, varchar_length,
)
from migrationlint.recognize import online_ddl_shape
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import MYSQL, rule
from migrationlint.splitter import split_statements

INPLACE_NONE = "ALGORITHM=INPLACE, LOCK=NONE"
_FK_OFF = ("0", "off", "false")


def executed_text(statement: Statement, ctx: RuleContext) -> str:
    """The statement as the target server runs it: the markers of a MySQL version comment
    (``/*!80000 ALTER TABLE ... */``) blanked by the splitter, so a wrapped statement reads
    like the bare one."""
    if "!" not in statement.text:
        return statement.text
    pieces = split_statements(statement.text, ctx.dialect, version=ctx.version).statements
    return pieces[0].text.strip() if len(pieces) == 1 else statement.text


def with_online_clause(statement: Statement, clause: str, ctx: RuleContext) -> Optional[str]:
    """The statement as written (without version-comment markers), asking for ``clause``
    (e.g. ALGORITHM=INPLACE, LOCK=NONE) instead of any ALGORITHM/LOCK it states; None unless
    it is an ALTER TABLE, CREATE INDEX or DROP INDEX."""
    shape = online_ddl_shape(executed_text(statement, ctx), ctx.dialect)
    if shape is None:
        return None
    _, without_clauses, actions_at = shape
    if actions_at is None:
        return f"{without_clauses} {clause.replace(',', '')};"
    if not m.partition_command(statement.operations):  # the clauses are list items
        return f"{without_clauses}, {clause};"
    if ctx.dialect == "mariadb":
        return None  # ERROR 1064 wherever the clause goes
    head, actions = without_clauses[:actions_at].rstrip(), without_clauses[actions_at:].lstrip()
    return f"{head} {clause}, {actions};"


def alter_clause(statement: Statement, plan_: Plan, ctx: RuleContext) -> Optional[str]:
    """The ALTER TABLE clause for gh-ost / pt-online-schema-change (no ALTER TABLE head)."""
    op = plan_.items[0][0]
    if isinstance(op, m.TableMaintenance):  # OPTIMIZE TABLE
        return "ENGINE=InnoDB"
    shape = online_ddl_shape(executed_text(statement, ctx), ctx.dialect)
    if shape is None:
        return None
    _, without_clauses, actions_at = shape
    if actions_at is not None:
        return without_clauses[actions_at:]
    if isinstance(op, m.CreateIndex):
        label = "UNIQUE " if op.unique else (f"{op.index_kind.upper()} " if op.index_kind else "")
        name = f" {ctx.q(op.name)}" if op.name else ""
        return f"ADD {label}INDEX{name} ({', '.join(op.columns_sql)})"
    if isinstance(op, m.DropIndex):
        return f"DROP INDEX {ctx.q(op.name.name)}"
    if isinstance(op, m.DropPrimaryKey):  # DROP INDEX `PRIMARY` ON t
        return "DROP PRIMARY KEY"
    return None


def online_tool_steps(statement: Statement, plan_: Plan, ctx: RuleContext) -> List[Step]:
    """gh-ost and pt-online-schema-change command lines for this table and ALTER clause."""
    clause = alter_clause(statement, plan_, ctx)
    if clause is None:
        return []
    table = plan_.table
    database = shlex.quote(table.schema_.name) if table.schema_ else "<database>"
    alter = shlex.quote(clause)
    gh_ost = (
        f"gh-ost --host=<host> --user=<user> --ask-pass --database={database} "
        f"--table={shlex.quote(table.name.name)} --alter={alter} "
        "--exact-rowcount --concurrent-rowcount --execute"
    )
    dsn = shlex.quote(f"D={table.schema_.name if table.schema_ else '<database>'},t={table.name.name}")
    pt_osc = f"pt-online-schema-change --alter={alter} --alter-foreign-keys-method=auto --execute {dsn}"
    pt_osc_step = Step(
        phase=Phase.EXPAND,
        title="Run the change with pt-online-schema-change: it copies rows in chunks through "
        "triggers while writes continue, pauses on replica lag, and swaps the tables at the end",
        instruction=f"{pt_osc}\nRun it instead of this migration, and record the migration "
        "as applied.",
    )
    if ctx.dialect == "mariadb":  # gh-ost is not tested on MariaDB (github/gh-ost#725)
        return [pt_osc_step]
    return [
        Step(phase=Phase.EXPAND,
             title="Run the change with gh-ost: it copies rows in throttled chunks while writes "
             "continue and swaps the tables at the end (no foreign keys or triggers allowed)",
             instruction=f"{gh_ost}\nRehearse with --test-on-replica, then run it instead of "
             "this migration, and record the migration as applied."),
        pt_osc_step.model_copy(update={
            "title": "Or, if the table has foreign keys or triggers, use "
            "pt-online-schema-change", "instruction": pt_osc}),
    ]


def _unchecked_foreign_key_steps(ctx: RuleContext, statement: Statement) -> List[Step]:
    sql = with_online_clause(statement, INPLACE_NONE, ctx)
    if sql is None:
        return []
    return [
        Step(phase=Phase.EXPAND,
             title="Check first that every existing row has its parent (the server will not)",
             instruction="Run a query joining the child to the parent table and fix orphans "
             "before adding the key."),
        Step(phase=Phase.EXPAND,
             title="Add the foreign key in place, without a table copy",
             sql=without_foreign_key_checks(sql)),
    ]


def without_foreign_key_checks(sql: str) -> str:
    """``sql`` (an ADD FOREIGN KEY) run with the checks off: MySQL then adds the key in
    place (metadata only) instead of copying the table, and checks no existing row."""
    return f"SET SESSION foreign_key_checks = 0;\n{sql}\nSET SESSION foreign_key_checks = 1;"


def _clause_step(ctx: RuleContext, statement: Statement, clause: Optional[str],
                 title: str) -> List[Step]:
    """A step running the statement with ``clause``; none without a clause the server takes."""
    sql = with_online_clause(statement, clause, ctx) if clause else None
    return [Step(phase=Phase.EXPAND, title=title, sql=sql)] if sql else []


def varchar_boundary_hint(op: m.Operation) -> Optional[str]:
    """For MODIFY ... VARCHAR(n): which old lengths share its length prefix."""
    if not isinstance(op, m.AlterColumnType):
        return None
    length = varchar_length(op.new_type_sql)
    if length is None:
        return None
    charset = (op.definition.charset if op.definition else None) or DEFAULT_CHARSET
    width = charset_width(charset)
    last_short = 255 // width  # the longest VARCHAR with a 1-byte length prefix
    if length <= last_short:
        return (f"VARCHAR({length}) in {charset} has a 1-byte length prefix, so any shorter "
                "VARCHAR widens in place")
    return (f"VARCHAR({length}) in {charset} is {length * width} bytes with a 2-byte length "
            f"prefix: widening from VARCHAR({last_short}) or shorter copies the table")


def facts_at(migration: Migration, index: int) -> Facts:
    """What the file shows before statement ``index``, for the classifier."""

    def old_type(table: m.ObjectName, column: m.Ident) -> Optional[str]:
        return migration.column_type(table, column, index)

    def old_not_null(table: m.ObjectName, column: m.Ident) -> Optional[bool]:
        return migration.column_not_null(table, column, index)

    return Facts(old_type=old_type, foreign_key_checks_off=(
        (migration.setting("foreign_key_checks", index) or "").lower() in _FK_OFF),
        old_not_null=old_not_null)


def plan_of(ctx: RuleContext, operations: Sequence[m.Operation], index: int) -> Optional[Plan]:
    """How the server runs ``operations`` of statement ``index`` on the target version."""
    return plan(operations, Target(ctx.dialect, ctx.version), facts_at(ctx.migration, index), ctx.q)


def _assessments(ctx: RuleContext) -> Iterator[Tuple[Statement, Plan, Target]]:
    migration = ctx.migration
    target = Target(ctx.dialect, ctx.version)
    for statement in migration.statements:
        if not statement.operations:
            continue
        found = plan_of(ctx, statement.operations, statement.index)
        if found is not None and not migration.table_is_new(found.table, statement.index):
            yield statement, found, target


def _verdict(found: Plan, target: Target) -> Optional[str]:
    """The one rule code that reports this statement, or None when it is fine."""
    if found.refused_clause(target):
        return "ML407"
    if found.requests_online:
        return None
    if found.blocks_writes(target):
        return "ML404"
    if found.rebuilds():
        return "ML405"
    if found.silent_fallback and found.algorithm is None and found.lock is None:
        return "ML406"
    return None


def _judged(ctx: RuleContext, code: str) -> Iterator[Tuple[Statement, Plan, Target]]:
    """The statements that rule ``code`` reports (each statement gets one verdict)."""
    for statement, found, target in _assessments(ctx):
        if _verdict(found, target) == code:
            yield statement, found, target


def _server(target: Target) -> str:
    return f"{'MariaDB' if target.mariadb else 'MySQL'} {target.version}"


def _sentence(text: str) -> str:
    """``text`` (a Support's ``what``, written to sit mid-sentence) opening a sentence."""
    return text[:1].upper() + text[1:]


def tool_names(ctx: RuleContext) -> str:
    """The online schema change tools online_tool_steps suggests for this dialect."""
    if ctx.dialect == "mariadb":
        return "pt-online-schema-change"
    return "gh-ost or pt-online-schema-change"


@rule(
    "ML404", "alter-table-blocks-writes", "error",
    "The ALTER copies the table or otherwise blocks writes on MySQL/MariaDB for its whole "
    "duration.",
    dialects=MYSQL, scope="migration", tags=("locking", "online-ddl"),
)
def check_blocks_writes(ctx: RuleContext) -> Iterator[Finding]:
    for statement, found, target in _judged(ctx, "ML404"):
        op, worst = found.worst
        table = ctx.q(found.table)
        reason = found.blocks_writes(target)
        consequence = (
            f"every INSERT, UPDATE and DELETE on {table} waits until it finishes (minutes to "
            "hours on a large table), and replicas stall on it afterwards"
        )
        steps: List[Step] = []
        if worst.uncertain and found.algorithm != "COPY" and found.lock is None:
            charset_hint = varchar_boundary_hint(op) or (
                f"with {DEFAULT_CHARSET}, VARCHAR(63) to VARCHAR(64) crosses the 255-byte "
                "length prefix"
            )
            message = (
                f"{_sentence(worst.what)} on {table} copies the table with writes blocked "
                "(ALGORITHM=COPY) "
                "whenever it changes the stored type: a new data type, a shorter column, or a "
                f"VARCHAR widened across 255 bytes ({charset_hint}). Renames, default changes and "
                "widening within the same length prefix run in place. This file does not show "
                f"the current definition and {_server(target)} picks COPY silently: "
                f"{consequence}."
            )
            steps += _clause_step(
                ctx, statement, INPLACE_NONE,
                "Ask for an in-place change so the server refuses (ERROR 1846) instead of "
                "copying the table",
            )
        else:
            message = f"On {table}, {reason}: {consequence}."
            if worst.kind == "add_foreign_key":
                message += (" With foreign_key_checks=0 the server adds it in place, without "
                            "checking existing rows.")
                steps += _unchecked_foreign_key_steps(ctx, statement)
        if worst.kind != "add_foreign_key":  # the tools cannot add foreign keys either
            steps += online_tool_steps(statement, found, ctx)
        if not steps:
            steps.append(Step(phase=Phase.EXPAND, title="Schedule the change",
                              instruction="Run it in a maintenance window or on a replica that "
                              "is then promoted."))
        yield ctx.finding(op.span, message, Rewrite(
            summary="Do not block writes on a live table: let the server refuse unsafe "
            f"algorithms, and run copying changes with {tool_names(ctx)}.",
            steps=tuple(steps),
        ))


@rule(
    "ML405", "alter-table-rebuilds-table", "warning",
    "The ALTER rebuilds the whole table (writes continue, but I/O, disk and replica lag "
    "grow with the table).",
    dialects=MYSQL, scope="migration", tags=("locking", "online-ddl"),
)
def check_rebuilds(ctx: RuleContext) -> Iterator[Finding]:
    for statement, found, target in _judged(ctx, "ML405"):
        rebuilt = found.rebuilds()
        op = found.operation_of(rebuilt)
        table = ctx.q(found.table)
        message = (
            f"{_sentence(rebuilt.what)} rebuilds {table} on {_server(target)}: writes continue, "
            "but the "
            "table and its indexes are rewritten (temporary disk space the size of the table, "
            "hours of I/O on a large one), and replicas apply the ALTER only after it "
            "finishes, so they lag by as long."
        )
        clause = found.supported_clause
        steps = _clause_step(
            ctx, statement, clause,
            "At least state the algorithm and lock, so the server refuses instead of falling "
            "back to a blocking copy",
        )
        steps += online_tool_steps(statement, found, ctx)
        small = f"; on small tables state {clause}" if clause else ""
        yield ctx.finding(op.span, message, Rewrite(
            summary=f"Rebuild large tables with {tool_names(ctx)} (throttled, "
            f"replica-aware){small}.",
            steps=tuple(steps),
        ))


@rule(
    "ML406", "alter-without-algorithm-lock", "note",
    "An ALTER whose default is online but can silently fall back to a table rebuild or a "
    "write-blocking lock, depending on the table, states no ALGORITHM/LOCK.",
    dialects=MYSQL, scope="migration", tags=("locking", "online-ddl"),
)
def check_missing_clause(ctx: RuleContext) -> Iterator[Finding]:
    for statement, found, target in _judged(ctx, "ML406"):
        fallback = found.silent_fallback
        op = found.operation_of(fallback)
        clause = found.supported_clause
        # Only INSTANT column changes fall back silently (a table rebuild).
        message = (
            f"{_sentence(fallback.what)} on {ctx.q(found.table)} runs instantly on "
            f"{_server(target)} by default, but {fallback.fallback}."
        )
        steps = _clause_step(ctx, statement, clause, f"State {clause}")
        if steps:
            yield ctx.finding(op.span, f"{message} Add {clause} so the server refuses instead "
                              "of choosing that silently.", Rewrite(
                summary=f"State {clause}; if the server refuses, follow alter-table-rebuilds-"
                "table or alter-table-blocks-writes.",
                steps=tuple(steps),
            ))


@rule(
    "ML407", "unsupported-algorithm-clause", "error",
    "The ALTER asks for an ALGORITHM or LOCK the operation does not support on the target "
    "version, so the statement fails.",
    dialects=MYSQL, scope="migration", tags=("online-ddl",),
)
def check_refused_clause(ctx: RuleContext) -> Iterator[Finding]:
    for statement, found, target in _judged(ctx, "ML407"):
        refused, clause, syntax_error = found.refused_clause(target)
        op = found.operation_of(refused)
        error = ("ERROR 1064, a syntax error" if syntax_error
                 else "ERROR 1845/1846 \"... is not supported for this operation\"")
        message = (
            f"{clause} is not supported for {refused.what} on {_server(target)}: the statement "
            f"fails ({error}) and the migration stops."
        )
        steps: List[Step] = []
        if found.supported_clause:
            steps += _clause_step(ctx, statement, found.supported_clause,
                                  "Ask for what the operation supports")
        else:
            steps += online_tool_steps(statement, found, ctx)
        if not steps:
            steps.append(Step(phase=Phase.EXPAND, title="Remove the clause",
                              instruction=f"Drop {clause} and review the lock the statement "
                              "then takes."))
        yield ctx.finding(op.span, message, Rewrite(
            summary="Request an algorithm the operation supports, or run it with an online "
            "schema change tool.",
            steps=tuple(steps),
        ))


@rule(
    "ML412", "instant-column-change-8029", "warning",
    "INSTANT ADD/DROP COLUMN on MySQL 8.0.29-8.0.31 can corrupt the table on crash recovery "
    "and makes XtraBackup refuse it.",
    dialects=("mysql",), scope="migration", tags=("online-ddl",), supersedes=("ML406",),
)
def check_instant_defect(ctx: RuleContext) -> Iterator[Finding]:
    for statement, found, target in _assessments(ctx):
        unsafe = found.unsafe_instant_columns
        if not unsafe or found.algorithm not in (None, "INSTANT"):
            continue
        op, support_ = unsafe[0]
        message = (
            f"{_sentence(support_.what)} on {ctx.q(found.table)} runs INSTANT on MySQL "
            f"{target.version}: tables changed this way on 8.0.29 can be corrupted by "
            "crash recovery, and Percona XtraBackup refuses to back them up until the "
            "server is on 8.0.32 or later (the table is rebuilt)."
        )
        yield ctx.finding(op.span, message, Rewrite(
            summary="Use an in-place rebuild instead of INSTANT on this release, or "
            "upgrade to 8.0.32+ first.",
            steps=tuple(_clause_step(
                ctx, statement, INPLACE_NONE,
                "Force the in-place algorithm (a rebuild; writes continue)")),
        ))
