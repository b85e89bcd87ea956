"""ML108 drop-schema-or-database."""

from typing import Iterator, Tuple, Union

from migrationlint import model as m
from migrationlint.findings import Finding, Phase, Rewrite, Step
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import rule
from migrationlint.sqlgen import string_literal


@rule(
    "ML108", "drop-schema-or-database", "error",
    "Dropping a schema or database destroys every object in it.",
    on=(m.DropSchema, m.DropDatabase), tags=("backward-compatibility",),
)
def check(op: Union[m.DropSchema, m.DropDatabase], ctx: RuleContext) -> Iterator[Finding]:
    kind = "schema" if isinstance(op, m.DropSchema) else "database"
    name = ctx.q(op.name)
    message = (
        f"Dropping {kind} {name} destroys every table, view and function in it at once; any "
        "running application version that uses one of them fails, and the data is gone."
    )
    rewrite = Rewrite(
        summary=f"Empty {name} object by object first, then drop it once it is unused.",
        steps=(
            Step(phase=Phase.SWITCH, title=f"Stop using every object in {name}",
                 instruction="Release application code that no longer touches the objects, "
                 "and archive what must be kept."),
        ) + _contract_steps(op, kind, name, ctx),
    )
    yield ctx.finding(op.span, message, rewrite)


def _contract_steps(op: Union[m.DropSchema, m.DropDatabase], kind: str, name: str,
                    ctx: RuleContext) -> Tuple[Step, ...]:
    if_exists = "IF EXISTS " if op.if_exists else ""  # so that running it again succeeds
    drop = f"DROP {kind.upper()} {if_exists}{name};"
    if ctx.dialect == "postgres" and kind == "schema":  # RESTRICT is the default
        return (Step(phase=Phase.CONTRACT, title="In a later release, drop the schema without "
                     "CASCADE so it fails if anything is still in it", sql=drop),)
    if ctx.dialect == "postgres":
        return (
            Step(phase=Phase.CONTRACT, title=f"In a later release, check that {name} is "
                 "empty: DROP DATABASE has no CASCADE or RESTRICT and removes whatever the "
                 f"database holds, so this query, run while connected to {name}, must return 0",
                 sql=_POSTGRES_OBJECTS_QUERY),
            Step(phase=Phase.CONTRACT, title="Then drop the database (it fails while a "
                 "session is connected to it)", sql=drop),
        )
    return (
        Step(phase=Phase.CONTRACT, title=f"In a later release, check that {name} is empty: "
             f"{'MariaDB' if ctx.dialect == 'mariadb' else 'MySQL'} drops a database whatever "
             "it holds, so this query must return 0",
             sql=_mysql_objects_query(op.name.name)),
        Step(phase=Phase.CONTRACT, title="Then drop it", sql=drop),
    )


def _mysql_objects_query(database: str) -> str:
    """Counts the tables, views, sequences, routines and events left in ``database``."""
    literal = string_literal(database)
    return (
        f"SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {literal})\n"
        f"     + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = {literal})\n"
        f"     + (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = {literal})"
        " AS objects_left;"
    )


# Outside the system, TOAST and temporary schemas (a session's temporary objects go with it).
_USER_SCHEMA = ("n.nspname NOT IN ('pg_catalog', 'information_schema')\n"
                "          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'")

# Relations (tables, views, sequences, indexes, composite types), functions, and the types
# created on their own (enums, domains, ranges, base types): not a relation's row type,
# counted with the relation, nor the array or multirange type made with another type.
_POSTGRES_OBJECTS_QUERY = (
    "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
    f"        WHERE {_USER_SCHEMA})\n"
    "     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace\n"
    f"        WHERE {_USER_SCHEMA})\n"
    "     + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace\n"
    f"        WHERE {_USER_SCHEMA}\n"
    "          AND t.typrelid = 0 AND t.typtype <> 'm'\n"
    "          AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid))"
    " AS objects_left;"
)
