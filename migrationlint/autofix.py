"""Mechanical, meaning-preserving fixes (``check --fix`` / ``--diff``) and applying them.

A fix is offered only where the result is exactly equivalent and lints clean, judged on
the file after the edit: adding CONCURRENTLY to a statement that is alone in its file
(session SETs aside) and then runs outside any transaction (Flyway, for one, runs such a
file without one), or splitting ``ADD CONSTRAINT ... NOT VALID`` + ``VALIDATE CONSTRAINT``
where the two would not share a transaction."""

from __future__ import annotations

import re
from typing import Iterable, List, Optional

from migrationlint.context import substantive
from migrationlint.findings import Edit, Fix
from migrationlint.parse import tokenize
from migrationlint.readers import read_migration
from migrationlint.rulecontext import RuleContext
from migrationlint.source import SourceFile

_NAME = r'(?:"[^"]+"|[\w$]+)'
# Patterns, not compiled ones: every run imports this module (the rules do), few offer
# a fix, and re compiles a pattern on its first use and keeps it.
_KEYWORD_BEFORE_CONCURRENTLY = {
    "create_index": r"(?i)^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+",
    "drop_index": r"(?i)^\s*DROP\s+INDEX\s+",
    "reindex": r"(?i)^\s*REINDEX\s+(?:\([^)]*\)\s*)?(?:INDEX|TABLE)\s+",
    # DETACH PARTITION [schema.]name: CONCURRENTLY goes after the name.
    "detach": rf"(?i)\bDETACH\s+PARTITION\s+{_NAME}(?:\s*\.\s*{_NAME})?",
}


def add_concurrently(ctx: RuleContext, kind: str) -> Optional[Fix]:
    """Insert CONCURRENTLY into the current statement."""
    statement = ctx.statement
    others = any(s is not statement and substantive(s) for s in ctx.migration.statements)
    if len(statement.operations) != 1 or others:
        return None
    at = _concurrently_offset(statement.text, kind)
    if at is None:
        return None
    at += statement.start
    fix = Fix(title="Add CONCURRENTLY", edits=(Edit(start=at, end=at, text=_concurrently(kind)),))
    return fix if _outside_transactions_after(ctx, fix) else None


def with_concurrently(text: str, kind: str) -> Optional[str]:
    """The statement ``text`` with CONCURRENTLY added, every other word kept as written
    (INCLUDE, NULLS NOT DISTINCT, WITH, TABLESPACE, comments); None where the keyword
    cannot be placed."""
    at = _concurrently_offset(text, kind)
    return None if at is None else text[:at] + _concurrently(kind) + text[at:]


def _concurrently_offset(text: str, kind: str) -> Optional[int]:
    match = re.search(_KEYWORD_BEFORE_CONCURRENTLY[kind], text)
    if match is None or re.search(r"\bCASCADE\b", text, re.I):
        return None  # DROP INDEX CONCURRENTLY does not support CASCADE
    return match.end()


def _concurrently(kind: str) -> str:
    return "CONCURRENTLY " if kind != "detach" else " CONCURRENTLY"


def _outside_transactions_after(ctx: RuleContext, fix: Fix) -> bool:
    """Read the edited file again, as the linter read it: its one statement (session SETs
    aside) must run outside any transaction. The file holds a single statement, so this
    is cheap. The convention is the one the lint found (configured, or detected with the
    configured extend_sql_suffixes), which a framework file's reader does not use."""
    migration = ctx.migration
    edited = SourceFile(migration.path, apply_fixes(migration.source.text, [fix]))
    after = read_migration(edited, migration.dialect, migration.target_version,
                           migration.runner or "plain")
    work = [s for s in after.statements if substantive(s)]
    return len(work) == 1 and not work[0].error and after.runs_in_transaction(work[0]) is False


def split_not_valid(ctx: RuleContext, validate_sql: str) -> Optional[Fix]:
    """``ADD CONSTRAINT ...;`` -> ``ADD CONSTRAINT ... NOT VALID;`` followed by
    ``validate_sql``, when the file after the edit does not run the two in one
    transaction (explicit, the runner's, or the implicit one of a file sent in one
    message), which validate-in-same-transaction would flag."""
    statement = ctx.statement
    if len(statement.operations) != 1 or _validate_shares_transaction(ctx):
        return None
    tokens = tokenize(statement.text, ctx.dialect)
    if not tokens or tokens[-1].end + 1 != len(statement.text.rstrip()):
        return None  # a comment ends the statement: NOT VALID would land inside it
    end = statement.start + len(statement.text.rstrip())
    text = " NOT VALID;\n" + validate_sql
    # The statement text excludes its semicolon; replace it when it follows directly.
    source = ctx.migration.source.text
    after = end
    while source[after:after + 1] in (" ", "\t"):
        after += 1
    semicolon = after + 1 if source[after:after + 1] == ";" else end
    return Fix(title="Add NOT VALID and validate in a separate statement",
               edits=(Edit(start=end, end=semicolon, text=text),))


def _validate_shares_transaction(ctx: RuleContext) -> bool:
    """Judge the file after the edit: one more statement, right after this one and
    sent the same way, must not run in a transaction with it for certain."""
    return ctx.migration.runs_in_transaction(ctx.statement, added=1) is True


def apply_fixes(text: str, fixes: Iterable[Fix]) -> str:
    """Apply the edits of ``fixes``; an edit overlapping one already applied is skipped."""
    edits: List[Edit] = sorted(
        (edit for fix in fixes for edit in fix.edits), key=lambda edit: (edit.start, edit.end)
    )
    out, position = [], 0
    for edit in edits:
        if edit.start < position:
            continue
        out.append(text[position:edit.start])
        out.append(edit.text)
        position = edit.end
    out.append(text[position:])
    return "".join(out)
