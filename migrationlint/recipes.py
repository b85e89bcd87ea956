"""Expand/contract recipes shared by rules: each returns Rewrite steps with the real,
dialect-quoted names."""

from __future__ import annotations

from typing import Callable, List, Optional, Sequence, Tuple

from migrationlint import model as m
from migrationlint.findings import Phase, Rewrite, Step
from migrationlint.mysql_online_ddl import Target, support
from migrationlint.sqlgen import generated_name, qualified, quote
from migrationlint.versions import Version

BATCH_SIZE = 1000


def primary_key(migration, table: m.ObjectName, before: int) -> Optional[m.Ident]:
    """The single-column primary key of ``table`` when this file defines it before
    statement ``before`` (ADD PRIMARY KEY, or CREATE TABLE with a PRIMARY KEY or an id
    column), else None."""
    found = None
    for _, op in migration.operations_before(before):
        if isinstance(op, m.AddConstraint) and op.table.matches(table) and (
            op.kind == "primary_key" and len(op.columns) == 1
        ):
            found = op.columns[0]
        elif isinstance(op, m.CreateTable) and op.table.matches(table):
            keys = [c.name for c in op.columns if c.primary_key]
            found = keys[0] if len(keys) == 1 else next(
                (c.name for c in op.columns if c.name.key == "id"), None)
    return found


def keyset_batch(dialect: str, t: str, key: Optional[m.Ident], verb_sql: str,
                 guard_sql: str) -> Tuple[str, str]:
    """``verb_sql`` (``UPDATE t SET ...`` / ``DELETE FROM t``) limited to one range of the
    primary key, and the note saying how to walk it. Each batch reads only its own range
    (the ctid/LIMIT form rescans every row already done), and ``guard_sql`` keeps a
    repeated batch harmless."""
    k = quote(key, dialect) if key is not None else "<primary key>"
    if dialect == "postgres":
        where = f"{k} > :last_id AND {k} <= :last_id + {BATCH_SIZE}"
    else:
        where = f"{k} BETWEEN :last_id + 1 AND :last_id + {BATCH_SIZE}"
    sql = f"{verb_sql}\nWHERE {where} AND ({guard_sql});"
    walk = (f"start :last_id below the smallest {k} of {t}, run one batch per transaction "
            f"and advance :last_id by {BATCH_SIZE} until it passes the largest {k}")
    if key is None:
        walk = (f"<primary key> stands for the integer primary key of {t} (not known from "
                f"this file); {walk}")
    return sql, walk


def batched_backfill(
    dialect: str, table: m.ObjectName, column: m.Ident, value_sql: Optional[str],
    pending_sql: str, key: Optional[m.Ident] = None,
) -> Step:
    """Keyset batches of UPDATE over the primary key ``key`` (a placeholder when not
    known); ``pending_sql`` selects the rows still to fill. The step is an instruction:
    the batch bound :last_id is a parameter the caller advances."""
    t, c = qualified(table, dialect), quote(column, dialect)
    value = value_sql if value_sql is not None else "<value>"
    sql, walk = keyset_batch(dialect, t, key, f"UPDATE {t} SET {c} = {value}", pending_sql)
    choose = "Choose the value; " if value_sql is None else ""
    return Step(
        phase=Phase.BACKFILL,
        title=f"Backfill {t}.{c} in keyset batches outside the schema migration",
        instruction=f"{choose}{walk}:\n{sql}",
    )


def restate_left_out(dialect: str, runner: Optional[str], table: m.ObjectName,
                     column: m.Ident, kept_by: str, kept: str, what: str,
                     argument_use: str) -> Rewrite:
    """The fix when a framework writes MySQL's MODIFY without the column's ``kept``
    attribute (DEFAULT, NOT NULL), so that ``what`` (its default, its nullability) is lost:
    for Liquibase, whose change has no attribute for it, an <sql> change restating the
    whole column; elsewhere the call's ``kept_by`` argument, used as ``argument_use`` says."""
    t, c = qualified(table, dialect), quote(column, dialect)
    if runner == "liquibase":
        return Rewrite(summary=f"Restate {c}'s current {what} in an <sql> change.", steps=(Step(
            phase=Phase.EXPAND,
            title=f"Write the {kept_by} as an <sql> change that restates the whole column",
            instruction=f"<sql>ALTER TABLE {t} MODIFY {c} <new type> ...;</sql>, restating the "
            f"{kept}, AUTO_INCREMENT and COMMENT {c} has today ({kept_by} writes MODIFY {c} "
            "<new type> alone on MySQL).",
        ),))
    return Rewrite(summary=f"Restate the column's current {what} with {kept_by}.", steps=(Step(
        phase=Phase.EXPAND, title=f"Pass {kept_by} to the call", instruction=argument_use),))


def add_not_null_safely(
    dialect: str,
    table: m.ObjectName,
    column: m.Ident,
    type_sql: Optional[str],
    version_supports_fast_not_null: bool = True,
    required: bool = False,
    check: Optional[m.Ident] = None,
    check_added: bool = False,
) -> List[Step]:
    """Make an existing, backfilled column NOT NULL without a long exclusive lock. Before
    PostgreSQL 12 the validated check stands in for NOT NULL, unless the column must be
    ``required`` NOT NULL (an identity), which costs a scan under ACCESS EXCLUSIVE.
    ``check``: the CHECK's name (default ``<table>_<column>_not_null``); ``check_added``:
    the migration already adds that CHECK (col IS NOT NULL), so it is only validated."""
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
    name = check or generated_name(dialect, table.name.name, column.name, suffix="not_null")
    steps = _not_null_check_steps(t, c, quote(name, dialect), check_added)
    if version_supports_fast_not_null or required:
        title = ("SET NOT NULL now skips the table scan because the validated check proves it"
                 if version_supports_fast_not_null else
                 "SET NOT NULL, which the next step needs: before PostgreSQL 12 it scans the "
                 "table under ACCESS EXCLUSIVE despite the validated check")
        steps.append(Step(phase=Phase.CONTRACT, title=title,
                          sql=f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n"
                          f"ALTER TABLE {t} DROP CONSTRAINT {quote(name, dialect)};"))
    else:
        steps.append(Step(
            phase=Phase.CONTRACT, title="Keep the validated check in place of NOT NULL",
            instruction=f"Before PostgreSQL 12 SET NOT NULL scans the table under ACCESS "
            f"EXCLUSIVE despite the check, so {c} stays nullable in the catalogue: the check "
            "rejects NULL instead (do not drop it)."))
    return steps


def _not_null_check_steps(t: str, c: str, check: str, check_added: bool) -> List[Step]:
    """Add ``CHECK (c IS NOT NULL) NOT VALID`` (unless the migration already adds it),
    then validate it in a separate migration."""
    what = "the check this migration adds" if check_added else "it"
    validate = Step(
        phase=Phase.CONTRACT,
        title=f"In a separate migration, validate {what} (SHARE UPDATE EXCLUSIVE: reads and "
        "writes continue)",
        sql=f"ALTER TABLE {t} VALIDATE CONSTRAINT {check};",
    )
    if check_added:
        return [validate]
    return [Step(
        phase=Phase.CONTRACT,
        title="Add the NOT NULL check without scanning the table (brief lock)",
        sql=f"ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;",
    ), validate]


def declared_definition_steps(
    dialect: str, table: m.ObjectName, column: m.Ident, type_sql: str,
    default_sql: Optional[str], not_null: bool,
) -> List[Step]:
    """Give the new ``column`` the DEFAULT and NOT NULL the original statement declared:
    NOT NULL once the backfill is done, the DEFAULT once no version writes only the old
    column (see ``_DEFAULT_WHEN``)."""
    if not_null and dialect != "postgres" and default_sql is not None:
        # MySQL's MODIFY restates the whole definition: keep the default in it.
        return add_not_null_safely(dialect, table, column, f"{type_sql} DEFAULT {default_sql}")
    steps: List[Step] = []
    if default_sql is not None:
        c = quote(column, dialect)
        steps.append(Step(
            phase=Phase.CONTRACT,
            title=f"Give {c} the column's default {_DEFAULT_WHEN.format(c)}",
            sql=f"ALTER TABLE {qualified(table, dialect)} ALTER COLUMN {c} SET DEFAULT "
            f"{default_sql};"))
    if not_null:
        steps += add_not_null_safely(dialect, table, column, type_sql)
    return steps


def restated_definition_steps(dialect: str, table: m.ObjectName, old: m.Ident, new: m.Ident,
                              definition: m.ColumnSpec) -> List[Step]:
    """MySQL's MODIFY replaces the whole definition: once the backfill is done, the new
    column gets every attribute the statement declares for ``old`` (DEFAULT, COMMENT,
    ON UPDATE, ...), NOT NULL in the step that makes it so; AUTO_INCREMENT and a generation,
    which it cannot take while it stands in for ``old``, are said in a step of their own."""
    shadow = definition.restated(nullability=False, shadow=True)
    n = quote(new, dialect)
    when = _DEFAULT_WHEN.format(n) if definition.default else "once the backfill is done"
    if definition.not_null:
        steps = [step.model_copy(update={"title": f"Make {n} NOT NULL with the rest of the "
                                         f"declared definition, in its own migration, {when}"})
                 for step in add_not_null_safely(dialect, table, new, shadow)]
    elif definition.replace(default=None).restated(False, shadow=True) == definition.full_type_sql:
        # Nothing declared beyond the type and a default: SET DEFAULT gives it, if any.
        steps = declared_definition_steps(dialect, table, new, definition.full_type_sql,
                                          definition.default and definition.default.sql, False)
    else:
        steps = [Step(phase=Phase.CONTRACT, title=f"Give {n} the rest of the definition the "
                      f"statement declares {when}",
                      sql=f"ALTER TABLE {qualified(table, dialect)} MODIFY {n} "
                      f"{definition.restated(nullability=True, shadow=True)}, "
                      "ALGORITHM=INPLACE, LOCK=NONE;")]
    return steps + _shadow_left_out(dialect, table, old, new, definition)


def _shadow_left_out(dialect: str, table: m.ObjectName, old: m.Ident, new: m.Ident,
                     definition: m.ColumnSpec) -> List[Step]:
    """What the new column's restatement leaves out: AUTO_INCREMENT moves with its key when
    ``old`` is dropped; a generated column is recreated as generated."""
    t, o, n = qualified(table, dialect), quote(old, dialect), quote(new, dialect)
    if definition.generation_sql:
        return [Step(phase=Phase.CONTRACT, title=f"{o} is a generated column: recreate it as "
                     "generated rather than as a synced copy", instruction=(
                         f"{n}, filled by the trigger and the backfill, stays a plain column, "
                         "and making it generated later copies the table (ALGORITHM=INPLACE "
                         "is refused). A generated column takes no writes, so add it generated "
                         "instead of adding, syncing and backfilling it (STORED copies the "
                         "table; VIRTUAL is added without a copy):\n"
                         f"ALTER TABLE {t} ADD COLUMN {n} {definition.full_type_sql} "
                         f"{definition.generation_sql};"))]
    if definition.auto_increment:
        rest = definition.restated(nullability=False, shadow=True)
        return [Step(phase=Phase.CONTRACT, title=f"Move AUTO_INCREMENT and its key from {o} "
                     f"to {n} in the statement that drops {o}", instruction=(
                         f"A table has one AUTO_INCREMENT column and it must be a key, so {n} "
                         f"takes it only as {o} goes. The sync trigger copies 0 for an {o} the "
                         "server generates (a BEFORE INSERT trigger runs before the value is "
                         f"assigned): first re-copy those rows (SET {n} = {o} WHERE {n} = 0). "
                         f"Then, instead of dropping {o} alone, drop it in one statement that "
                         f"gives {n} AUTO_INCREMENT and {o}'s key (PRIMARY KEY below, if that is "
                         "the one); it copies the table (ALGORITHM=INPLACE is refused):\n"
                         f"ALTER TABLE {t} DROP COLUMN {o}, MODIFY {n} {rest} NOT NULL "
                         f"AUTO_INCREMENT, ADD PRIMARY KEY ({n});"))]
    return []


# When the new column may get a DEFAULT: until then a version that writes only the old
# column may INSERT, and the sync trigger keeps a non-NULL new column over the old one's value.
_DEFAULT_WHEN = ("once no running or rollback version writes only the old column (until then, "
                 "such a version's INSERT would get the default in {0}, which the sync trigger "
                 "keeps instead of the value written to the old column)")


def restate_unknown_definition(dialect: str, version: Version, table: m.ObjectName,
                               old: m.Ident, new: m.Ident, default_sql: Optional[str] = None,
                               ) -> Step:
    """The new column gets no DEFAULT or NOT NULL of its own: when this file does not show
    ``old``'s, say how to restate them. ``default_sql``: the default the statement gives
    (an earlier step sets it), so only NOT NULL is unknown."""
    t, o, n = qualified(table, dialect), quote(old, dialect), quote(new, dialect)
    if default_sql is None:
        head = f"This file does not show {o}'s definition, and {n} gets neither unless restated"
        title = (f"Give {n} the DEFAULT and NOT NULL of {o}, if it has them, "
                 + _DEFAULT_WHEN.format(n))
    else:
        head = f"This file does not show whether {o} is NOT NULL, and {n} is not unless restated"
        title = f"Give {n} the NOT NULL of {o}, if it has it, once the backfill is done"
    if dialect != "postgres":
        restated = f"<type> DEFAULT {default_sql or '<default>'}"
        modify = add_not_null_safely(dialect, table, new, restated)[0].sql
        text = f"{head}; leave out what {o} does not have:\n{modify}"
    else:
        not_null = "\n".join(step.sql or step.instruction for step in add_not_null_safely(
            dialect, table, new, None, version.at_least(12)))
        default = ("" if default_sql is not None else
                   f"A default:\nALTER TABLE {t} ALTER COLUMN {n} SET DEFAULT <default>;\n")
        text = f"{head}. {default}NOT NULL, the VALIDATE in a migration of its own:\n{not_null}"
    return Step(phase=Phase.CONTRACT, title=title, instruction=text)


def add_column_step(
    dialect: str, version: Version, table: m.ObjectName, column: m.Ident,
    type_sql: Optional[str], like: m.Ident,
) -> Step:
    """Add a nullable column; its type is copied from ``like`` when known."""
    t, c = qualified(table, dialect), quote(column, dialect)
    title = f"Add the new column {c} as nullable ({_add_column_cost(dialect, version)})"
    if type_sql is None:
        return Step(phase=Phase.EXPAND, title=title, instruction=(
            f"ALTER TABLE {t} ADD COLUMN {c} with the same type as {quote(like, dialect)}"
        ))
    return Step(phase=Phase.EXPAND, title=title, sql=f"ALTER TABLE {t} ADD COLUMN {c} {type_sql};")


def _add_column_cost(dialect: str, version: Version) -> str:
    """What adding a nullable column costs: MySQL before 8.0.12 rebuilds the table."""
    if dialect == "postgres":
        return "a brief, catalogue-only change"
    found = support("add_column", "", Target(dialect, version))
    if found.instant:
        return "an INSTANT, metadata-only change"
    server = "MariaDB" if dialect == "mariadb" else "MySQL"
    return (f"on {server} {version} this rebuilds the table in place: writes continue, but it "
            "takes as long as copying the table")


_SET_SEPARATOR = ",\n      "


def _same(value_sql: str) -> str:
    return value_sql


def sync_trigger(
    dialect: str, version: Version, table: m.ObjectName, old: m.Ident, new: m.Ident,
    forward: Callable[[str], str] = _same, back: Optional[Callable[[str], str]] = _same,
    title: Optional[str] = None,
) -> Step:
    """Keep ``old`` and ``new`` equal whichever one the old or new application writes.

    On INSERT a non-NULL ``new`` wins (old := back(new)), else ``new`` is filled from
    ``old``: ``new`` has no default, so a value in it was written on purpose, while an
    omitted ``old`` already holds its DEFAULT in a BEFORE trigger. On UPDATE a changed ``old`` wins
    (new := forward(old)), else a changed ``new`` is copied back (old := back(new)), else
    ``new`` is filled from ``old`` if still empty: an old-version UPDATE of another column
    never copies a not yet backfilled (NULL) ``new`` over ``old``. ``back`` None: writes
    of ``new`` alone are not copied back (the conversion would fail or lose data)."""
    t, o, n = qualified(table, dialect), quote(old, dialect), quote(new, dialect)
    title = title or f"Keep {o} and {n} in sync while old and new application versions both run"
    if dialect != "postgres":
        on_insert, on_update = _mysql_sync_trigger_names(dialect, table, new)
        to_new, new_o = forward(f"NEW.{o}"), f"NEW.{o}"
        insert = [f"NEW.{n} = COALESCE(NEW.{n}, {to_new})"]
        if back is not None:  # in order: NEW.{o} first, while NEW.{n} is as written
            insert.insert(0, f"NEW.{o} = IF(NEW.{n} IS NOT NULL, {back(f'NEW.{n}')}, NEW.{o})")
        # One SET runs its assignments in order: NEW.{n} first (tests on NEW.{o} still
        # see the application's values), then NEW.{o}, copied back only when the
        # application changed NEW.{n} to something other than the converted NEW.{o}.
        update = [f"NEW.{n} = IF(NOT ({new_o} <=> OLD.{o}), {to_new},\n"
                  f"      IF(NOT (NEW.{n} <=> OLD.{n}), NEW.{n}, COALESCE(NEW.{n}, {to_new})))"]
        if back is not None:
            update.append(f"NEW.{o} = IF(NOT ({new_o} <=> OLD.{o}) OR NEW.{n} <=> OLD.{n}\n"
                          f"      OR NEW.{n} <=> {to_new}, NEW.{o}, {back(f'NEW.{n}')})")
        return Step(phase=Phase.EXPAND, title=title, sql=(
            f"CREATE TRIGGER {on_insert} BEFORE INSERT ON {t} FOR EACH ROW\n"
            f"  SET {', '.join(insert)};\n"
            f"CREATE TRIGGER {on_update} BEFORE UPDATE ON {t} FOR EACH ROW\n"
            f"  SET {_SET_SEPARATOR.join(update)};"
        ))
    name, function = _postgres_sync_trigger_names(dialect, table, new)
    to_new = forward(f"NEW.{o}")
    update_back = (f"  ELSIF NEW.{n} IS DISTINCT FROM OLD.{n} THEN\n"
                   f"    NEW.{o} := {back(f'NEW.{n}')};\n" if back else "")
    return Step(phase=Phase.EXPAND, title=title, sql=(
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        f"{_postgres_insert_branch(o, n, to_new, back)}"
        f"  ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} THEN\n"
        f"    NEW.{n} := {to_new};\n"
        f"{update_back}"
        "  ELSE\n"
        f"    NEW.{n} := COALESCE(NEW.{n}, {to_new});\n"
        "  END IF;\n"
        "  RETURN NEW;\n"
        "END $$;\n"
        f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {t}\n"
        f"  FOR EACH ROW {_execute_keyword(version)} {function}();"
    ))


def _postgres_insert_branch(o: str, n: str, to_new: str,
                            back: Optional[Callable[[str], str]]) -> str:
    """A written ``n`` is copied into ``o`` (whose default would otherwise stay), else
    ``n`` is filled from ``o``."""
    if back is None:
        return f"    NEW.{n} := COALESCE(NEW.{n}, {to_new});\n"
    return (f"    IF NEW.{n} IS NOT NULL THEN\n"
            f"      NEW.{o} := {back(f'NEW.{n}')};\n"
            "    ELSE\n"
            f"      NEW.{n} := {to_new};\n"
            "    END IF;\n")


def _execute_keyword(version: Version) -> str:
    """CREATE TRIGGER's EXECUTE FUNCTION is PostgreSQL 11+; 10 knows only the older
    spelling EXECUTE PROCEDURE (which 11+ still accept)."""
    return "EXECUTE FUNCTION" if version.at_least(11) else "EXECUTE PROCEDURE"


def _in_schema_of(table: m.ObjectName, name: m.Ident, dialect: str) -> str:
    """``name`` created in the table's schema when the table is qualified, so the same
    table name in two schemas gets two functions (or MySQL triggers), not one."""
    return qualified(m.ObjectName(name=name, schema_=table.schema_), dialect)


def _postgres_sync_trigger_names(dialect: str, table: m.ObjectName, new: m.Ident) -> Tuple[str, str]:
    """The trigger (named per table) and its function (in the table's schema)."""
    def name(suffix: str) -> m.Ident:
        return generated_name(dialect, table.name.name, "sync", new.name, suffix=suffix)

    return quote(name("trg"), dialect), _in_schema_of(table, name("fn"), dialect)


def _mysql_sync_trigger_names(dialect: str, table: m.ObjectName, new: m.Ident) -> Tuple[str, str]:
    """MySQL has one trigger per event: the quoted names of the INSERT and UPDATE ones (the
    suffix is part of the generated name, so it is inside the quotes and within 64 chars),
    in the table's schema."""
    def name(suffix: str) -> str:
        return _in_schema_of(
            table, generated_name(dialect, table.name.name, "sync", new.name, suffix=suffix),
            dialect)

    return name("trg_ins"), name("trg_upd")


def drop_sync_trigger(dialect: str, table: m.ObjectName, new: m.Ident) -> str:
    t = qualified(table, dialect)
    if dialect != "postgres":
        on_insert, on_update = _mysql_sync_trigger_names(dialect, table, new)
        return f"DROP TRIGGER {on_insert};\nDROP TRIGGER {on_update};"
    name, function = _postgres_sync_trigger_names(dialect, table, new)
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
    dialect: str, table: m.ObjectName, index: m.Ident, columns: Sequence[m.Ident],
    include: Sequence[m.Ident] = (), nulls_not_distinct: bool = False,
    storage_parameters: Sequence[str] = (), tablespace: Optional[m.Ident] = None,
) -> Step:
    t = qualified(table, dialect)
    cols = ", ".join(quote(c, dialect) for c in columns)
    included = f" INCLUDE ({', '.join(quote(c, dialect) for c in include)})" if include else ""
    nulls = " NULLS NOT DISTINCT" if nulls_not_distinct else ""
    return Step(
        phase=Phase.EXPAND,
        title="Build the unique index concurrently, in a migration of its own outside a "
        "transaction (reads and writes continue)",
        sql=f"CREATE UNIQUE INDEX CONCURRENTLY {quote(index, dialect)} ON {t} ({cols})"
        f"{included}{nulls}{_index_storage(dialect, storage_parameters, tablespace)};",
    )


def _index_storage(dialect: str, storage_parameters: Sequence[str],
                   tablespace: Optional[m.Ident]) -> str:
    """CREATE INDEX's `` WITH (...) TABLESPACE name`` tail: what a constraint's WITH (...)
    and USING INDEX TABLESPACE asked of the index it would have built."""
    storage = f" WITH ({', '.join(storage_parameters)})" if storage_parameters else ""
    return storage + (f" TABLESPACE {quote(tablespace, dialect)}" if tablespace else "")


def on_partitioned_table(refused: str) -> str:
    """Said after a rewrite's summary: a migration cannot show that an existing table is
    partitioned, where ``refused`` fails; the rule page gives the per-partition recipe."""
    return f" On a partitioned table {refused} fails: the rule page gives the per-partition recipe."


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


def batched_delete(dialect: str, table: m.ObjectName, where_sql: Optional[str],
                   key: Optional[m.Ident] = None) -> Step:
    t = qualified(table, dialect)
    sql, walk = keyset_batch(dialect, t, key, f"DELETE FROM {t}", where_sql or "TRUE")
    return Step(
        phase=Phase.BACKFILL,
        title=f"Delete from {t} in keyset batches outside the schema migration",
        instruction=f"{walk}:\n{sql}",
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


def always_write_step(column: str, instruction: Optional[str] = None) -> Step:
    """The switch step "deploy code that always writes ``column``" (already quoted)."""
    return Step(phase=Phase.SWITCH, title=f"Deploy application code that always writes {column}",
                instruction=instruction or f"Release the version that sets {column} on every INSERT.")
