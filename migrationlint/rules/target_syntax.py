"""ML114 syntax-not-supported-by-target: syntax the target version rejects, so the
migration fails on deploy. Only forms the model records as written are judged."""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule


@rule(
    "ML114", "syntax-not-supported-by-target", "error",
    "The target server version rejects this syntax, so the migration fails on deploy.",
    on=(m.RenameColumn, m.AlterIndexVisibility, m.CreateIndex, m.SetAccessMethod,
        m.SetGenerationExpression, m.AddConstraint, m.CreateTable, m.AddColumn),
    tags=("correctness",),
    # A statement the server rejects takes no lock and rewrites nothing, and the lock
    # rules' recipes would keep the rejected syntax: only this finding is worth reading,
    # for any operation of the statement. The rules that also report a break of running
    # application versions (ML106, ML107) stay.
    supersedes=("ML201", "ML204", "ML205", "ML206", "ML207", "ML208", "ML210", "ML215",
                "ML216", "ML217", "ML218"),
    supersedes_in_statement=True,
)
def check(op: m.Operation, ctx: RuleContext) -> Iterator[Finding]:
    # A CREATE TABLE is judged by the indexes it declares, each where it is written, and
    # as a whole for its columns' constraints (a column keeps no place of its own).
    for part in (*op.indexes, op) if isinstance(op, m.CreateTable) else (op,):
        found = _unsupported(part, ctx)
        if found is not None:
            what, since, portable = found
            yield ctx.finding(part.span, f"{what} is not accepted by {_server(ctx)}: the "
                              f"statement fails with a syntax error{since}.",
                              _rewrite(portable, since, ctx))


# What can carry an index visibility keyword.
_INDEX_DEFINITIONS = (m.AlterIndexVisibility, m.CreateIndex, m.AddConstraint, m.TableIndex)


def _unsupported(op, ctx: RuleContext) -> Optional[Tuple[str, str, Step]]:
    """(what, since when it is accepted, the portable step) when the target rejects ``op``."""
    if isinstance(op, m.RenameColumn):
        return _rename_column(op, ctx)
    if ctx.dialect != "postgres":
        return _visibility(op, ctx) if isinstance(op, _INDEX_DEFINITIONS) else None
    return _postgres(op, ctx)


def _postgres(op: m.Operation, ctx: RuleContext) -> Optional[Tuple[str, str, Step]]:
    # PostgreSQL release notes: SET ACCESS METHOD is new in 15 (commit b0483263, 2021-07),
    # SET EXPRESSION in 17, NULLS NOT DISTINCT (unique constraints and indexes) in 15.
    if isinstance(op, m.SetAccessMethod) and ctx.version.below(15):
        return "ALTER TABLE ... SET ACCESS METHOD", " (PostgreSQL 15+)", Step(
            phase=Phase.EXPAND, title="Create a new table with the access method instead",
            instruction=f"CREATE TABLE ... (LIKE {ctx.q(op.table)} INCLUDING ALL) USING "
            f"{ctx.q(op.method)}, copy the data and swap the tables.")
    if isinstance(op, m.SetGenerationExpression) and ctx.version.below(17):
        return "ALTER COLUMN ... SET EXPRESSION", " (PostgreSQL 17+)", Step(
            phase=Phase.EXPAND, title="Replace the generated column instead",
            instruction=f"Drop {ctx.q(op.column)} and add it again with GENERATED ALWAYS AS "
            f"({op.expression_sql}) STORED (both in one ALTER TABLE).")
    if ctx.version.below(15):
        return _nulls_clause(op)
    return None


def _nulls_clause(op) -> Optional[Tuple[str, str, Step]]:
    """NULLS [NOT] DISTINCT, which PostgreSQL 15 added to unique constraints and indexes."""
    words = _nulls_words(op)
    if words is None:
        return None
    what = f"{_create_index(op)} ... {words}" if isinstance(op, m.CreateIndex) else (
        f"UNIQUE {words}")
    if words == "NULLS DISTINCT":
        return what, " (PostgreSQL 15+)", Step(
            phase=Phase.EXPAND, title="Leave out NULLS DISTINCT",
            instruction="It is the default: a unique index or constraint without it treats "
            "NULLs as distinct on every version.")
    return what, " (PostgreSQL 15+)", Step(
        phase=Phase.EXPAND, title="Enforce it without NULLS NOT DISTINCT",
        instruction="A unique index on COALESCE(column, sentinel), or a partial unique "
        "index WHERE column IS NULL on the other columns, treats NULLs as equal.")


def _nulls_words(op) -> Optional[str]:
    """The NULLS [NOT] DISTINCT words ``op`` writes (NOT DISTINCT when a table's columns
    write both); None when it writes neither."""
    if isinstance(op, (m.CreateIndex, m.AddConstraint, m.TableIndex)):
        written = [(op.nulls_not_distinct, op.nulls_distinct)]
    else:
        columns = (op.columns if isinstance(op, m.CreateTable)
                   else (op.column,) if isinstance(op, m.AddColumn) else ())
        written = [(c.unique_nulls_not_distinct, c.unique_nulls_distinct) for c in columns]
    if any(not_distinct for not_distinct, _ in written):
        return "NULLS NOT DISTINCT"
    if any(distinct for _, distinct in written):
        return "NULLS DISTINCT"
    return None


def _create_index(op: m.CreateIndex) -> str:
    return f"CREATE {'UNIQUE ' if op.unique else ''}INDEX"


def _rename_column(op: m.RenameColumn, ctx: RuleContext) -> Optional[Tuple[str, str, Step]]:
    """MySQL 8.0.3 and MariaDB 10.5.2 (MDEV-16290) added RENAME COLUMN; CHANGE old new
    <definition> renames on every version."""
    mariadb = ctx.dialect == "mariadb"
    if ctx.dialect == "postgres" or not op.rename_column_syntax or (
            ctx.version.at_least(10, 5, 2) if mariadb else ctx.version.at_least(8, 0, 3)):
        return None
    table, old, new = ctx.q(op.table), ctx.q(op.column), ctx.q(op.new_name)
    definition = _definition_sql(op, ctx)
    if definition is not None:
        step = Step(phase=Phase.EXPAND, title="Rename with CHANGE, restating the definition",
                    sql=f"ALTER TABLE {table} CHANGE {old} {new} {definition};")
    else:
        step = Step(phase=Phase.EXPAND, title="Rename with CHANGE, restating the definition",
                    instruction=f"ALTER TABLE {table} CHANGE {old} {new} <definition>, with "
                    f"{old}'s full current definition (type, NULL, DEFAULT, COMMENT, ...) as "
                    "SHOW CREATE TABLE prints it: CHANGE replaces all of it.")
    since = " (MariaDB 10.5.2+)" if mariadb else " (MySQL 8.0.3+)"
    return "ALTER TABLE ... RENAME COLUMN", since, step


def _definition_sql(op: m.RenameColumn, ctx: RuleContext) -> Optional[str]:
    """The column's definition as this file last states it, for CHANGE; None when the file
    does not, when a later clause changed part of it, or for a generated column whose
    expression the reader did not keep (a framework file's)."""
    spec = ctx.migration.column_spec(op.table, op.column, ctx.index)
    generated = spec is not None and (spec.generated_stored or spec.generated_virtual)
    if spec is None or not spec.type_sql or (generated and spec.generation_sql is None):
        return None
    return spec.restated_sql


def _visibility(op, ctx: RuleContext) -> Optional[Tuple[str, str, Step]]:
    """Invisible indexes are MySQL 8.0's (VISIBLE / INVISIBLE); MariaDB has ignored
    indexes from 10.6 (IGNORED / NOT IGNORED; MariaDB docs, "Ignored Indexes") and
    neither server takes the other's words."""
    word = op.visibility
    if word is None:
        return None
    hidden = word in m.HIDDEN_INDEX_WORDS
    if ctx.dialect == "mysql":
        if word in m.MARIADB_VISIBILITY_WORDS:
            return f"The MariaDB index option {word}", "", _visibility_step(
                "INVISIBLE" if hidden else "VISIBLE", op)
        if ctx.version.below(8):
            return f"The index option {word}", " (MySQL 8.0+)", _no_visibility_step(op)
        return None
    if word in m.MYSQL_VISIBILITY_WORDS:
        if word == "VISIBLE" and not isinstance(op, m.AlterIndexVisibility) and (
                ctx.version.at_least(10, 11)):
            # MariaDB 10.11 takes VISIBLE in an index definition as a no-op (checked on
            # 10.11.18; when it started is not known), though not in ALTER INDEX.
            return None
        portable = "IGNORED" if hidden else "NOT IGNORED"
        if ctx.version.below(10, 6):
            return f"The MySQL index option {word}", "", _no_visibility_step(op)
        return f"The MySQL index option {word}", "", _visibility_step(portable, op)
    if ctx.version.below(10, 6):
        return f"The index option {word}", " (MariaDB 10.6+)", _no_visibility_step(op)
    return None


def _visibility_step(word: str, op) -> Step:
    return Step(phase=Phase.EXPAND, title=f"Write {word}, this server's spelling",
                instruction=f"Replace {op.visibility} with {word}.")


def _no_visibility_step(op) -> Step:
    if not isinstance(op, m.AlterIndexVisibility):  # the option of an index definition
        return Step(phase=Phase.EXPAND, title=f"Drop the {op.visibility} option",
                    instruction="Create the index without it: this server has no way to hide "
                    "an index from the optimizer.")
    return Step(phase=Phase.EXPAND, title="Drop this clause",
                instruction="This server cannot hide an index from the optimizer; drop the "
                "index in a later release instead, once nothing needs it.")


def _rewrite(portable: Step, since: str, ctx: RuleContext) -> Rewrite:
    """The portable spelling; and, when a later version accepts the syntax as written,
    raising the target version."""
    if not since:  # the other server's spelling: no version of this one takes it
        return Rewrite(summary="Use this server's spelling.", steps=(portable,))
    return Rewrite(
        summary="Use syntax the target version accepts, or raise --target-version if the "
        "server is newer.",
        steps=(portable, Step(
            phase=Phase.EXPAND, title="Or raise --target-version",
            instruction=f"The target is {_server(ctx)}; if the server is newer, set "
            "--target-version (target_version in the configuration) to its version.")),
    )


def _server(ctx: RuleContext) -> str:
    name = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}[ctx.dialect]
    return f"{name} {ctx.version}"
