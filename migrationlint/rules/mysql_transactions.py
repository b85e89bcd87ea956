"""ML401 multiple-ddl-statements, ML402 ddl-mixed-with-dml, ML403 ddl-in-transaction.

MySQL and MariaDB commit implicitly before and after every DDL statement, so a migration
is atomic only when it holds a single DDL statement and nothing else. A migration is the
runner's unit of work: the file, or each changeset of a Liquibase changelog
(``Statement.unit``). Each rule reports once per unit, at the statement that makes it
unsafe.
"""

from __future__ import annotations

import os
from typing import Dict, Iterator, List, Optional

from migrationlint import model as m
from migrationlint.context import Migration, Statement
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import MYSQL, rule

# Leading words of statements MySQL commits implicitly around (RawStatement keywords).
_DDL_WORDS = {
    "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "TRUNCATETABLE", "OPTIMIZE", "GRANT",
    "REVOKE", "ANALYZE", "REPAIR", "INSTALL", "UNINSTALL",
}
# LOCK TABLES commits implicitly too, but it is no schema change (ML413 judges it); nor
# is the UNLOCK TABLES that ends it.
_CONTROL_OPERATIONS = (m.TransactionControl, m.SetSetting, m.LockTable, m.UnlockTables)
# Statements whose re-run after a partial failure is harmless.
_GUARDED = {
    m.CreateTable: "if_not_exists", m.CreateIndex: "if_not_exists",
    m.DropTable: "if_exists", m.DropIndex: "if_exists",
    m.AddColumn: "if_not_exists", m.DropColumn: "if_exists",
}
# Long files: list this many migrations in the suggested split, then summarise.
_MAX_SPLIT_STEPS = 8
# Stored programs: their bodies hold semicolons, so the runner needs DELIMITER lines.
_STORED_PROGRAMS = ("CREATE TRIGGER", "CREATE PROCEDURE", "CREATE FUNCTION", "CREATE EVENT")
# Framework files whose statement text is the framework's code, not SQL.
_FRAMEWORK_SUFFIXES = (".py", ".xml", ".yaml", ".yml", ".json")


def is_ddl(statement: Statement) -> bool:
    for op in statement.operations:
        if m.changes_data(op):
            continue
        if isinstance(op, m.RawStatement):
            if not op.is_dml and op.keyword.split(" ", 1)[0] in _DDL_WORDS:
                return True
        elif not isinstance(op, _CONTROL_OPERATIONS):
            return True
    return False


def is_dml(statement: Statement) -> bool:
    return any(m.changes_data(op) for op in statement.operations)


def is_rerunnable(statement: Statement) -> bool:
    """DDL guarded with IF [NOT] EXISTS: running the file again skips it."""
    return bool(statement.operations) and all(
        type(op) in _GUARDED and getattr(op, _GUARDED[type(op)]) for op in statement.operations
    )


def _is_stored_program(statement: Statement) -> bool:
    return any(isinstance(op, m.RawStatement) and op.keyword in _STORED_PROGRAMS
               for op in statement.operations)


def _text_is_sql(migration: Migration) -> bool:
    return os.path.splitext(migration.path)[1].lower() not in _FRAMEWORK_SUFFIXES


def _first_line(statement: Statement, width: int = 70) -> str:
    """The statement as written, on one line, for titles and messages."""
    line = " ".join(statement.text.split())
    return line if len(line) <= width else line[: width - 3] + "..."


def _named(migration: Migration, statement: Statement) -> str:
    """How a message refers to an earlier statement."""
    if _text_is_sql(migration):
        return f"'{_first_line(statement, 50)}' (line {statement.span.line})"
    return f"the change on line {statement.span.line}"


def _phase(statement: Statement) -> Phase:
    if is_dml(statement):
        return Phase.BACKFILL
    drops = (m.DropTable, m.DropColumn, m.DropIndex, m.DropConstraint, m.DropPrimaryKey)
    if any(isinstance(op, drops) for op in statement.operations):
        return Phase.CONTRACT
    return Phase.EXPAND


def split_steps(migration: Migration, statements: List[Statement]) -> List[Step]:
    """One migration per statement, in file order: the suggested split."""
    work = [s for s in statements if is_ddl(s) or is_dml(s)]
    unit = "changeset" if statements[0].unit is not None else "migration"
    steps = []
    for number, statement in enumerate(work[:_MAX_SPLIT_STEPS], 1):
        if not _text_is_sql(migration):
            steps.append(Step(phase=_phase(statement),
                              title=f"Migration {number} of {len(work)}: line {statement.span.line}",
                              instruction=f"Move this change into its own {unit}."))
            continue
        title = f"Migration {number} of {len(work)}: {_first_line(statement)}"
        if _is_stored_program(statement):
            steps.append(Step(phase=_phase(statement), title=title,
                              instruction="Move this statement, with its DELIMITER lines, "
                              f"into its own {unit}."))
        else:
            sql = statement.text.strip().rstrip(";").strip()
            steps.append(Step(phase=_phase(statement), title=title, sql=sql + ";"))
    if len(work) > _MAX_SPLIT_STEPS:
        steps.append(Step(phase=Phase.CONTRACT,
                          title=f"Migrations {_MAX_SPLIT_STEPS + 1} to {len(work)}",
                          instruction=f"Give each remaining statement its own {unit}, "
                          "in the same order."))
    return steps


def _guard_advice(dialect: str) -> str:
    extra = ", ADD COLUMN IF NOT EXISTS, DROP COLUMN IF EXISTS" if dialect == "mariadb" else ""
    return (
        "Where a statement must stay with others, make it re-runnable (CREATE TABLE IF NOT "
        f"EXISTS, DROP TABLE IF EXISTS{extra}) so running the file again after a failure "
        "skips what was already applied."
    )


def _server(ctx: RuleContext) -> str:
    return "MariaDB" if ctx.dialect == "mariadb" else "MySQL"


def _units(ctx: RuleContext) -> List[List[Statement]]:
    """The statements with operations, per migration unit (file or changeset)."""
    units: Dict[Optional[str], List[Statement]] = {}
    for statement in ctx.migration.statements:
        if statement.operations:
            units.setdefault(statement.unit, []).append(statement)
    return list(units.values())


def _holder(statements: List[Statement]) -> str:
    unit = statements[0].unit
    return "This file" if unit is None else f"Changeset {unit}"


@rule(
    "ML401", "multiple-ddl-statements", "warning",
    "MySQL commits after every DDL statement, so a file with several of them is left "
    "half-applied when a later one fails.",
    dialects=MYSQL, scope="migration", tags=("transactions",),
)
def check_multiple_ddl(ctx: RuleContext) -> Iterator[Finding]:
    for statements in _units(ctx):
        yield from _multiple_ddl(ctx, statements)


def _multiple_ddl(ctx: RuleContext, statements: List[Statement]) -> Iterator[Finding]:
    applied: Optional[Statement] = None  # an earlier DDL a re-run would fail on
    for statement in statements:
        if not is_ddl(statement):
            continue
        if applied is not None:
            ddl_count = sum(1 for s in statements if is_ddl(s))
            message = (
                f"{_holder(statements)} holds {ddl_count} DDL statements and {_server(ctx)} commits "
                f"each one on its own: if this statement fails, {_named(ctx.migration, applied)} "
                "stays applied, the runner records the migration as failed, and running it "
                "again fails on what is already there."
            )
            yield ctx.finding(statement.span, message, Rewrite(
                summary="Put each DDL statement in its own migration (several changes to one "
                "table can share a single ALTER TABLE, which is atomic on MySQL 8.0). "
                + _guard_advice(ctx.dialect),
                steps=tuple(split_steps(ctx.migration, statements)),
            ))
            return
        if not is_rerunnable(statement):
            applied = statement


@rule(
    "ML402", "ddl-mixed-with-dml", "warning",
    "DDL and data changes in one MySQL migration: the implicit commit of the DDL makes "
    "the file impossible to roll back or re-run cleanly.",
    dialects=MYSQL, scope="migration", tags=("transactions",),
)
def check_ddl_with_dml(ctx: RuleContext) -> Iterator[Finding]:
    for statements in _units(ctx):
        yield from _ddl_with_dml(ctx, statements)


def _ddl_with_dml(ctx: RuleContext, statements: List[Statement]) -> Iterator[Finding]:
    seen_ddl = seen_dml = None
    for statement in statements:
        if is_ddl(statement):
            seen_ddl = seen_ddl or statement
        elif is_dml(statement):
            seen_dml = seen_dml or statement
        else:
            continue
        if seen_ddl is not None and seen_dml is not None:
            earlier = seen_dml if statement is seen_ddl else seen_ddl
            message = (
                f"{_holder(statements)} mixes DDL and data changes. {_server(ctx)} commits before "
                f"and after every DDL statement, so {_named(ctx.migration, earlier)} is committed on its own: when this statement fails the data and the schema "
                "are left half-changed, ROLLBACK cannot undo it, and a re-run repeats or "
                "fails on the part already done."
            )
            yield ctx.finding(statement.span, message, Rewrite(
                summary="Move the data changes into their own migration (they may use a "
                "transaction there), separate from the schema changes. "
                + _guard_advice(ctx.dialect),
                steps=tuple(split_steps(ctx.migration, statements)),
            ))
            return


@rule(
    "ML403", "ddl-in-transaction", "warning",
    "START TRANSACTION / BEGIN ... COMMIT around DDL only looks atomic on MySQL: every "
    "DDL statement commits the transaction.",
    dialects=MYSQL, scope="migration", tags=("transactions",),
)
def check_ddl_in_transaction(ctx: RuleContext) -> Iterator[Finding]:
    for statements in _units(ctx):
        yield from _ddl_in_transaction(ctx, statements)


def _ddl_in_transaction(ctx: RuleContext, statements: List[Statement]) -> Iterator[Finding]:
    for statement in statements:
        if statement.in_transaction and is_ddl(statement):
            message = (
                f"DDL inside START TRANSACTION ... COMMIT: {_server(ctx)} commits the open transaction "
                "before this statement and again after it, so the surrounding transaction "
                "protects nothing; a later failure leaves the earlier statements applied and "
                "ROLLBACK cannot undo them."
            )
            steps = [
                Step(phase=Phase.EXPAND, title="Remove the transaction statements around the DDL",
                     instruction="Delete the START TRANSACTION/BEGIN and COMMIT lines; they "
                     "suggest an atomicity MySQL does not give DDL."),
                *split_steps(ctx.migration, statements),
            ]
            yield ctx.finding(statement.span, message, Rewrite(
                summary="Run DDL outside explicit transactions, one DDL statement per "
                "migration; keep transactions for data-only migrations.",
                steps=tuple(steps),
            ))
            return
