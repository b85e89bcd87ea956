"""Expand/contract recipes shared by rules: each returns Rewrite steps with the real,
dialect-quoted names."""

from __future__ import annotations

from typing import List, Optional, Tuple

from migrationlint import model as m
from migrationlint.findings import Phase, Step
from migrationlint.sqlgen import generated_name, qualified, quote

BATCH_SIZE = 1000


def batched_backfill(
    dialect: str, table: m.ObjectName, column: m.Ident, value_sql: Optional[str], pending_sql: str
) -> Step:
    """A re-runnable batch UPDATE; repeat until it updates 0 rows. Without a known
    ``value_sql`` the step is an instruction holding the template."""
    known = value_sql is not None
    value_sql = value_sql if known else "<value>"
    t, c = qualified(table, dialect), quote(column, dialect)
    if dialect == "postgres":
        sql = (
            f"UPDATE {t} SET {c} = {value_sql}\n"
            f"WHERE ctid IN (SELECT ctid FROM {t} WHERE {pending_sql} LIMIT {BATCH_SIZE});"
        )
    else:
        sql = f"UPDATE {t} SET {c} = {value_sql} WHERE {pending_sql} LIMIT {BATCH_SIZE};"
    title = (
        f"Backfill {t}.{c} in batches outside the schema migration; repeat until no row "
        "is updated"
    )
    if not known:
        return Step(phase=Phase.BACKFILL, title=title, instruction=f"Choose the value, then: {sql}")
    return Step(phase=Phase.BACKFILL, title=title, sql=sql)


def add_not_null_safely(
    dialect: str,
    table: m.ObjectName,
    column: m.Ident,
    type_sql: Optional[str],
    version_supports_fast_not_null: bool = True,
) -> List[Step]:
    """Make an existing, backfilled column NOT NULL without a long exclusive lock."""
    t, c = qualified(table, dialect), quote(column, dialect)
    if dialect != "postgres":
        title = "Once every row is filled, make the column NOT NULL in its own migration"
        if type_sql is None:
            return [Step(phase=Phase.CONTRACT, title=title, instruction=(
                f"ALTER TABLE {t} MODIFY {c} with its current type and NOT NULL"
            ))]
        # Making a column NOT NULL runs in place with writes allowed (strict SQL mode):
        # the clause makes the server refuse rather than fall back to a blocking copy.
        return [Step(phase=Phase.CONTRACT, title=title,
                     sql=f"ALTER TABLE {t} MODIFY {c} {type_sql} NOT NULL, "
                     "ALGORITHM=INPLACE, LOCK=NONE;")]
    check = quote(generated_name(dialect, table.name.name, column.name, suffix="not_null"), dialect)
    steps = [
        Step(
            phase=Phase.CONTRACT,
            title="Add the NOT NULL check without scanning the table (brief lock)",
            sql=f"ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;",
        ),
        Step(
            phase=Phase.CONTRACT,
            title="In a separate migration, validate it (SHARE UPDATE EXCLUSIVE: reads and "
            "writes continue)",
            sql=f"ALTER TABLE {t} VALIDATE CONSTRAINT {check};",
        ),
    ]
    if version_supports_fast_not_null:
        steps += [
            Step(
                phase=Phase.CONTRACT,
                title="SET NOT NULL now skips the table scan because the validated check proves it",
                sql=f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n"
                f"ALTER TABLE {t} DROP CONSTRAINT {check};",
            )
        ]
    return steps


def add_column_step(
    dialect: str, table: m.ObjectName, column: m.Ident, type_sql: Optional[str], like: m.Ident
) -> Step:
    """Add a nullable column; its type is copied from ``like`` when known."""
    t, c = qualified(table, dialect), quote(column, dialect)
    title = f"Add the new column {c} as nullable (a brief, catalogue-only change)"
    if type_sql is None:
        return Step(phase=Phase.EXPAND, title=title, instruction=(
            f"ALTER TABLE {t} ADD COLUMN {c} with the same type as {quote(like, dialect)}"
        ))
    return Step(phase=Phase.EXPAND, title=title, sql=f"ALTER TABLE {t} ADD COLUMN {c} {type_sql};")


def sync_trigger(dialect: str, table: m.ObjectName, old: m.Ident, new: m.Ident) -> Step:
    """Keep ``old`` and ``new`` equal whichever one the old or new application writes."""
    t, o, n = qualified(table, dialect), quote(old, dialect), quote(new, dialect)
    title = f"Keep {o} and {n} in sync while old and new application versions both run"
    if dialect != "postgres":
        on_insert, on_update = _mysql_sync_trigger_names(dialect, table, new)
        return Step(phase=Phase.EXPAND, title=title, sql=(
            f"CREATE TRIGGER {on_insert} BEFORE INSERT ON {t} FOR EACH ROW\n"
            f"  SET NEW.{n} = COALESCE(NEW.{n}, NEW.{o}), NEW.{o} = COALESCE(NEW.{o}, NEW.{n});\n"
            f"CREATE TRIGGER {on_update} BEFORE UPDATE ON {t} FOR EACH ROW\n"
            f"  SET NEW.{n} = IF(NEW.{o} <=> OLD.{o}, NEW.{n}, NEW.{o}),\n"
            f"      NEW.{o} = IF(NEW.{o} <=> OLD.{o}, NEW.{n}, NEW.{o});"
        ))
    name = quote(generated_name(dialect, table.name.name, "sync", new.name, suffix="trg"), dialect)
    function = quote(generated_name(dialect, table.name.name, "sync", new.name, suffix="fn"), dialect)
    return Step(phase=Phase.EXPAND, title=title, sql=(
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        f"    NEW.{n} := COALESCE(NEW.{n}, NEW.{o});\n"
        f"    NEW.{o} := COALESCE(NEW.{o}, NEW.{n});\n"
        f"  ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} THEN\n"
        f"    NEW.{n} := NEW.{o};\n"
        "  ELSE\n"
        f"    NEW.{o} := NEW.{n};\n"
        "  END IF;\n"
        "  RETURN NEW;\n"
        "END $$;\n"
        f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {t}\n"
        f"  FOR EACH ROW EXECUTE FUNCTION {function}();"
    ))


def _mysql_sync_trigger_names(dialect: str, table: m.ObjectName, new: m.Ident) -> Tuple[str, str]:
    """MySQL has one trigger per event: the quoted names of the INSERT and UPDATE ones (the
    suffix is part of the generated name, so it is inside the quotes and within 64 chars)."""
    def name(suffix: str) -> str:
        return quote(generated_name(dialect, table.name.name, "sync", new.name, suffix=suffix),
                     dialect)

    return name("trg_ins"), name("trg_upd")


def drop_sync_trigger(dialect: str, table: m.ObjectName, new: m.Ident) -> str:
    t = qualified(table, dialect)
    if dialect != "postgres":
        on_insert, on_update = _mysql_sync_trigger_names(dialect, table, new)
        return f"DROP TRIGGER {on_insert};\nDROP TRIGGER {on_update};"
    name = quote(generated_name(dialect, table.name.name, "sync", new.name, suffix="trg"), dialect)
    function = quote(generated_name(dialect, table.name.name, "sync", new.name, suffix="fn"), dialect)
    return f"DROP TRIGGER {name} ON {t};\nDROP FUNCTION {function}();"


def stop_using_column(dialect: str, table: m.ObjectName, column: m.Ident) -> Step:
    t, c = qualified(table, dialect), quote(column, dialect)
    return Step(phase=Phase.SWITCH, title=f"Deploy application code that no longer reads or writes {t}.{c}",
                instruction=(
                    "Remove the column from the ORM model first (Rails: ignored_columns; Django: "
                    "SeparateDatabaseAndState; SQLAlchemy: drop it from the mapped class) and "
                    "deploy, so no running version selects or inserts it by name."
                ))


# -- PostgreSQL catalogue recipes (issue 3) ------------------------------------------
def concurrent_unique_index(
    dialect: str, table: m.ObjectName, index: m.Ident, columns: List[m.Ident]
) -> Step:
    t = qualified(table, dialect)
    cols = ", ".join(quote(c, dialect) for c in columns)
    return Step(
        phase=Phase.EXPAND,
        title="Build the unique index concurrently, in a migration of its own outside a "
        "transaction (reads and writes continue)",
        sql=f"CREATE UNIQUE INDEX CONCURRENTLY {quote(index, dialect)} ON {t} ({cols});",
    )


def validate_separately(dialect: str, table: m.ObjectName, constraint: m.Ident) -> Step:
    return Step(
        phase=Phase.CONTRACT,
        title="In a separate migration (another transaction), validate it: SHARE UPDATE "
        "EXCLUSIVE, so reads and writes continue during the scan",
        sql=f"ALTER TABLE {qualified(table, dialect)} VALIDATE CONSTRAINT "
        f"{quote(constraint, dialect)};",
    )


def lock_timeout_step(dialect: str) -> Step:
    if dialect == "postgres":
        sql = "SET lock_timeout = '2s';"
    else:
        sql = "SET SESSION lock_wait_timeout = 2;"
    return Step(
        phase=Phase.EXPAND,
        title="Bound the wait for the lock at the top of the migration, and retry the "
        "migration when it times out (a queued exclusive lock blocks every later query)",
        sql=sql,
    )


def batched_delete(dialect: str, table: m.ObjectName, where_sql: Optional[str]) -> Step:
    t = qualified(table, dialect)
    where = where_sql or "TRUE"
    if dialect == "postgres":
        sql = (f"DELETE FROM {t}\nWHERE ctid IN (SELECT ctid FROM {t} WHERE {where} "
               f"LIMIT {BATCH_SIZE});")
    else:
        sql = f"DELETE FROM {t} WHERE {where} LIMIT {BATCH_SIZE};"
    return Step(
        phase=Phase.BACKFILL,
        title=f"Delete from {t} in batches outside the schema migration; repeat until no row "
        "is deleted",
        sql=sql,
    )


def not_distinct(dialect: str, left: str, right: str) -> str:
    """``left`` differs from ``right``, NULLs compared as values."""
    if dialect == "postgres":
        return f"{left} IS DISTINCT FROM {right}"
    return f"NOT ({left} <=> {right})"


def bare_column_step(dialect: str, table: m.ObjectName, column: m.ColumnSpec) -> Step:
    """ADD COLUMN without the inline constraints (REFERENCES, CHECK, UNIQUE, PRIMARY KEY),
    which PostgreSQL would validate or build under the ADD COLUMN's ACCESS EXCLUSIVE lock.
    A non-volatile default is kept (no rewrite on 11+), and NOT NULL with it."""
    t, c = qualified(table, dialect), quote(column.name, dialect)
    definition = f"{c} {column.type_sql}"
    default = column.default
    if default is not None and default.volatility != "volatile":
        definition += f" DEFAULT {default.sql}" + (" NOT NULL" if column.not_null else "")
    return Step(phase=Phase.EXPAND,
                title="Add the bare column, without the constraint (a brief, catalogue-only change)",
                sql=f"ALTER TABLE {t} ADD COLUMN {definition};")
