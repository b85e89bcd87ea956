"""Django migrations: the ``operations`` of a ``Migration`` class, read with ``ast``.

No settings, no database, no import of the project: table and column names follow
Django's defaults (``<app_label>_<model>``, ``<field>_id`` for foreign keys) unless a
``db_table``/``db_column`` is visible in this app's migrations. The reader replays the
app's earlier migration files (same folder, by name) statically to know each model's
table and each field's previous definition, which AlterField needs: Django's own
autodetector compares the same states.

Django behaviour modelled here:
- AddField with a ``default`` adds the column WITH that default, then drops the default
  (existing rows get the value; a callable default is evaluated once, so every existing
  row gets the same value). ``db_default`` stays.
- AlterField from null to NOT NULL with a default: SET DEFAULT, UPDATE the NULL rows,
  SET NOT NULL, DROP DEFAULT.
- ``atomic = False`` runs the operations outside a transaction; on MySQL Django never
  wraps schema changes (no transactional DDL).
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterator, List, Optional, Tuple

from migrationlint import model as m
from migrationlint.context import Migration, Statement, mark_transactions
from migrationlint.readers.columns import default_from_sql, default_from_value, ident
from migrationlint.readers.django_expressions import ColumnSql, condition_sql, key_part_sql
from migrationlint.readers.django_operations import (
    Unreadable, import_aliases, module_bindings, operation_name, operation_nodes,
)
from migrationlint.readers.python_source import (
    UNKNOWN, CallArgs, PythonFile, assigned_name, call_name, literal, parse_python,
    syntax_error_statement,
)
from migrationlint.source import Region, SourceFile
from migrationlint.splitter import Comment
from migrationlint.sqlgen import quote
from migrationlint.versions import Version

# Positional parameters of the operations this reader understands.
_SIGNATURES = {
    "CreateModel": ("name", "fields", "options"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AlterModelTable": ("name", "table"),
    "AddField": ("model_name", "name", "field"),
    "RemoveField": ("model_name", "name"),
    "AlterField": ("model_name", "name", "field"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "AddIndex": ("model_name", "index"),
    "AddIndexConcurrently": ("model_name", "index"),
    "RemoveIndex": ("model_name", "name"),
    "RemoveIndexConcurrently": ("model_name", "name"),
    "AddConstraint": ("model_name", "constraint"),
    "AddConstraintNotValid": ("model_name", "constraint"),
    "ValidateConstraint": ("model_name", "name"),
    "RemoveConstraint": ("model_name", "name"),
    "AlterUniqueTogether": ("name", "unique_together"),
    "AlterIndexTogether": ("name", "index_together"),
    "RunSQL": ("sql", "reverse_sql"),
    "RunPython": ("code", "reverse_code"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
}

# Django field class → (PostgreSQL type, MySQL type); "{n}" is max_length.
_FIELD_TYPES = {
    "AutoField": ("integer", "int"), "BigAutoField": ("bigint", "bigint"),
    "SmallAutoField": ("smallint", "smallint"), "CharField": ("varchar({n})", "varchar({n})"),
    "SlugField": ("varchar({n})", "varchar({n})"), "EmailField": ("varchar({n})", "varchar({n})"),
    "URLField": ("varchar({n})", "varchar({n})"), "FileField": ("varchar({n})", "varchar({n})"),
    "ImageField": ("varchar({n})", "varchar({n})"), "TextField": ("text", "longtext"),
    "IntegerField": ("integer", "int"), "PositiveIntegerField": ("integer", "int unsigned"),
    "BigIntegerField": ("bigint", "bigint"), "PositiveBigIntegerField": ("bigint", "bigint unsigned"),
    "SmallIntegerField": ("smallint", "smallint"),
    "PositiveSmallIntegerField": ("smallint", "smallint unsigned"),
    "BooleanField": ("boolean", "bool"), "NullBooleanField": ("boolean", "bool"),
    "DateTimeField": ("timestamp with time zone", "datetime(6)"), "DateField": ("date", "date"),
    "TimeField": ("time", "time(6)"), "DurationField": ("interval", "bigint"),
    "FloatField": ("double precision", "double precision"),
    "UUIDField": ("uuid", "char(32)"), "JSONField": ("jsonb", "json"),
    "BinaryField": ("bytea", "longblob"), "GenericIPAddressField": ("inet", "char(39)"),
    "ForeignKey": ("bigint", "bigint"), "OneToOneField": ("bigint", "bigint"),
}
_DEFAULT_LENGTHS = {"SlugField": 50, "EmailField": 254, "URLField": 200, "FileField": 100,
                    "ImageField": 100}
_RELATIONS = ("ForeignKey", "OneToOneField")
# Fields whose db_index defaults to True.
_INDEXED_BY_DEFAULT = _RELATIONS + ("SlugField",)
_POSITIVE_FIELDS = ("PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField")


@dataclass
class FieldDef:
    """What the database sees of a model field."""

    name: str
    kind: str
    type_sql: str
    null: bool = False
    unique: bool = False
    db_index: bool = False
    primary_key: bool = False
    db_column: Optional[str] = None
    db_collation: Optional[str] = None
    default: Optional[m.ColumnDefault] = None
    callable_default: bool = False
    db_default: Optional[m.ColumnDefault] = None
    references: Optional[str] = None

    @property
    def column(self) -> str:
        if self.db_column:
            return self.db_column
        return f"{self.name}_id" if self.kind in _RELATIONS else self.name

    @property
    def is_relation_only(self) -> bool:
        """ManyToManyField and friends: no column in the model's table."""
        return self.kind in ("ManyToManyField", "GenericRelation")


@dataclass
class ModelState:
    name: str
    db_table: Optional[str] = None
    fields: Dict[str, FieldDef] = field(default_factory=dict)
    unique_together: Tuple[Tuple[str, ...], ...] = ()


class AppState:
    """Models of one app as its migrations, replayed in order, leave them."""

    def __init__(self, app_label: str, dialect: str) -> None:
        self.app_label = app_label
        self.dialect = dialect
        self.models: Dict[str, ModelState] = {}

    def model(self, name: str) -> ModelState:
        return self.models.setdefault(name.lower(), ModelState(name))

    def table(self, model_name: str) -> Tuple[str, bool]:
        """(table name, whether it is Django's default rather than a db_table seen)."""
        state = self.models.get(model_name.lower())
        if state is not None and state.db_table:
            return state.db_table, False
        return f"{self.app_label}_{model_name.lower()}", True


def read_django(source: SourceFile, dialect: str, version: Version) -> Migration:
    try:
        python = PythonFile(source)
    except SyntaxError as error:
        return Migration(source=source, dialect=dialect, target_version=version,
                         statements=[syntax_error_statement(error, source)], runner="django")
    app_label = _app_label(source.path)
    state = AppState(app_label, dialect)
    for earlier in earlier_migrations(source.path):
        names, aliases, calls = _operations_of(earlier)
        for call in calls:
            _Replayer(state, names, aliases).apply(call)
    migration_class = _migration_class(python.tree)
    reader = _DjangoReader(python, state, dialect, version)
    atomic = True
    if migration_class is not None:
        atomic = _class_attribute(migration_class, "atomic", True) is not False
        reader.operations(_class_attribute_node(migration_class, "operations"))
    return Migration(
        source=source, dialect=dialect, target_version=version,
        statements=mark_transactions(reader.statements),
        comments=python.comments() + tuple(reader.comments),
        runner_transaction=atomic and dialect == "postgres", runner="django",
    )


# -- reading one file's operations --------------------------------------------------
class _Replayer:
    """Applies operations to the app state (no statements): earlier migrations, and the
    state side of the current one."""

    def __init__(self, state: AppState, names: Dict[str, ast.AST], aliases: Dict[str, str]) -> None:
        self.state = state
        self.names = names  # the file's module-level bindings, for operation lists
        self.aliases = aliases  # the file's import aliases, for operation names

    def apply(self, call: ast.Call) -> None:
        name = operation_name(call, self.aliases)
        args = CallArgs(call, _SIGNATURES.get(name, ()))
        state = self.state
        if name == "CreateModel":
            model = state.model(args.text("name") or "")
            model.fields = dict(_fields(args.node("fields"), state.dialect))
            options = args.value("options", {})
            if isinstance(options, dict) and isinstance(options.get("db_table"), str):
                model.db_table = options["db_table"]
        elif name == "DeleteModel":
            state.models.pop((args.text("name") or "").lower(), None)
        elif name == "RenameModel":
            old = state.models.pop((args.text("old_name") or "").lower(), None)
            if old is not None:
                old.name = args.text("new_name") or old.name
                state.models[old.name.lower()] = old
        elif name == "AlterModelTable":
            state.model(args.text("name") or "").db_table = args.text("table")
        elif name in ("AddField", "AlterField"):
            definition = _field(args.text("name") or "", args.node("field"), state.dialect)
            if definition is not None:
                state.model(args.text("model_name") or "").fields[definition.name] = definition
        elif name == "RemoveField":
            state.model(args.text("model_name") or "").fields.pop(args.text("name") or "", None)
        elif name == "RenameField":
            fields = state.model(args.text("model_name") or "").fields
            old = fields.pop(args.text("old_name") or "", None)
            if old is not None:
                old.name = args.text("new_name") or old.name
                fields[old.name] = old
        elif name == "AlterUniqueTogether":
            state.model(args.text("name") or "").unique_together = _together(
                args.value("unique_together"))
        elif name == "SeparateDatabaseAndState":
            for node in operation_nodes(args.node("state_operations"), self.names):
                if isinstance(node, ast.Call):
                    self.apply(node)


class _DjangoReader:
    def __init__(self, python: PythonFile, state: AppState, dialect: str, version: Version) -> None:
        self.python = python
        self.state = state
        self.dialect = dialect
        self.version = version
        self.names = module_bindings(python.tree)
        self.aliases = import_aliases(python.tree)
        self.statements: List[Statement] = []
        self.comments: List[Comment] = []
        # Said after the findings of the operation being read (set by the converters).
        self.note: Optional[str] = None

    def operations(self, node: Optional[ast.AST]) -> None:
        """The operations in ``node`` (a list, or what builds one)."""
        for item in operation_nodes(node, self.names):
            if isinstance(item, ast.Call):
                self.operation(item)
            else:
                self.unreadable(item)

    def unreadable(self, item: Unreadable) -> None:
        """Operations the file computes in a way this reader cannot follow: reported as
        not checked (ML001), never passed in silence."""
        node = item.node
        start, end = self.python.bounds(node)
        span = self.python.span(node)
        error = f"Django operations `{_short_code(node)}` cannot be read statically: " + (
            item.reason or "only operation calls, module-level names bound once to one of "
            "those, + of lists and comprehensions over literal values can")
        self.statements.append(Statement(len(self.statements), start, end, span,
                                         self.python.text[start:end], (), error, span))

    def operation(self, call: ast.Call) -> None:
        name = operation_name(call, self.aliases) or "?"
        args = CallArgs(call, _SIGNATURES.get(name, ()))
        if name == "RunSQL":
            self.run_sql(call, args)
            return
        if name == "SeparateDatabaseAndState":
            # Only database_operations touch the database; state_operations change the state.
            self.operations(args.node("database_operations"))
            _Replayer(self.state, self.names, self.aliases).apply(call)
            return
        if self.runs_no_sql(name, args):
            _Replayer(self.state, self.names, self.aliases).apply(call)
            return
        span = self.python.span(call)
        self.note = None
        converter = getattr(self, f"op_{name}", None)
        operations = list(converter(args, span)) if converter is not None else []
        if not operations:
            keyword = f"Django {name}"
            operations = [m.RawStatement(span=span, keyword=keyword, is_dml=name == "RunPython")]
        start, end = self.python.bounds(call)
        self.statements.append(Statement(
            len(self.statements), start, end, span, self.python.text[start:end],
            tuple(operations), note=self.note, framework_operation=name,
        ))
        _Replayer(self.state, self.names, self.aliases).apply(call)

    def runs_no_sql(self, name: str, args: CallArgs) -> bool:
        """On MySQL Django creates no UniqueConstraint with a condition, INCLUDE columns,
        deferrable or nulls_distinct (its _unique_supported() is false there: no partial
        or covering indexes); it only warns (models.W036)."""
        constraint = args.node("constraint")
        if self.dialect == "postgres" or name != "AddConstraint" or not (
            isinstance(constraint, ast.Call) and call_name(constraint) == "UniqueConstraint"
        ):
            return False
        return any(CallArgs(constraint, ()).has(option) for option in _UNSUPPORTED_ON_MYSQL)

    def run_sql(self, call: ast.Call, args: CallArgs) -> None:
        sql = args.node("sql")
        items = _list(sql) if isinstance(sql, (ast.List, ast.Tuple)) else [sql]
        for item in items:
            if isinstance(item, ast.Tuple) and item.elts:  # (sql, params)
                item = item.elts[0]
            node = self.python.string_node(item)
            if node is None:
                span = self.python.span(call)
                start, end = self.python.bounds(call)
                raw = m.RawStatement(span=span, keyword="Django RunSQL (dynamic SQL)")
                self.statements.append(Statement(len(self.statements), start, end, span,
                                                 self.python.text[start:end], (raw,)))
                continue
            chunk = self.python.embedded_sql(node, call, self.dialect, self.version,
                                             len(self.statements))
            self.statements += chunk.statements
            self.comments += chunk.comments

    # -- names -----------------------------------------------------------------------
    def table(self, model_name: Optional[str]) -> m.ObjectName:
        name, assumed = self.state.table(model_name or "")
        if assumed:
            self.note = (
                f"table name {name} assumed from app label `{self.state.app_label}` and model "
                f"`{model_name}`: no db_table for it in this app's migrations"
            )
        return m.ObjectName(name=ident(name))

    def field_of(self, model_name: Optional[str], field_name: Optional[str]) -> Optional[FieldDef]:
        model = self.state.models.get((model_name or "").lower())
        return model.fields.get(field_name or "") if model is not None else None

    def column_name(self, model_name: Optional[str], field_name: str) -> m.Ident:
        known = self.field_of(model_name, field_name)
        return ident(known.column if known is not None else field_name)

    def column_sql(self, model_name: Optional[str]) -> ColumnSql:
        """Field name → its column of ``model_name``, quoted, for index SQL."""
        return lambda field_name: quote(self.column_name(model_name, field_name), self.dialect)

    def index_operation(self, span: Region, model_name: Optional[str], definition: CallArgs,
                        **options) -> m.CreateIndex:
        """The CREATE INDEX Django writes for an ``Index`` (or a ``UniqueConstraint`` it
        builds as a unique index), with its key expressions and WHERE. A part that
        cannot be written as SQL leaves the index without columns, so the rewrite says
        it cannot restate the index instead of building a different one."""
        column = self.column_sql(model_name)
        key = _index_key(definition, column)
        # MySQL's CREATE INDEX has no WHERE and no INCLUDE: Django leaves them out there
        # and builds the full index (models.W037).
        postgres = self.dialect == "postgres"
        condition = definition.node("condition") if postgres else None
        where = condition_sql(condition, column) if condition is not None else None
        unrendered = _unrendered_part(definition, key, condition, where, postgres)
        if unrendered is not None:
            self.note = _join(self.note, f"{unrendered} is not written as SQL by migrationlint "
                              "(it writes fields, F(), Lower(), Upper() and simple Q() "
                              "lookups), so the rewrite cannot restate this index")
            key, where = (), None
        name = definition.text("name")
        return m.CreateIndex(span=span, table=self.table(model_name),
                             name=ident(name) if name else None, columns_sql=key or (),
                             where_sql=where, **options)

    def like_index(self, span: Region, table: m.ObjectName,
                   definition: FieldDef) -> Iterator[m.CreateIndex]:
        """The second index Django's PostgreSQL backend builds for an indexed or unique
        varchar or text column: the column with varchar_pattern_ops / text_pattern_ops, so
        LIKE 'prefix%' can use an index outside the C locale. Django names it after its
        own index name (a hash) plus ``_like``, which is not computed here. Not for
        arrays, nor with a db_collation (none for a non-deterministic one, which only the
        database can tell)."""
        operator_class = _pattern_ops(definition.type_sql)
        if self.dialect != "postgres" or operator_class is None or definition.db_collation:
            return
        column = quote(ident(definition.column), self.dialect)
        yield m.CreateIndex(span=span, table=table, columns_sql=(f"{column} {operator_class}",),
                            description="the _like index Django also creates")

    # -- converters: (args, span) → operations ----------------------------------------
    def op_CreateModel(self, args, span) -> Iterator[m.Operation]:
        options = args.value("options", {})
        model_name = args.text("name") or ""
        if isinstance(options, dict) and isinstance(options.get("db_table"), str):
            self.state.model(model_name).db_table = options["db_table"]
        columns = tuple(_spec(d, self.dialect) for _, d in _fields(args.node("fields"), self.dialect)
                        if not d.is_relation_only)
        yield m.CreateTable(span=span, table=self.table(model_name), columns=columns)

    def op_DeleteModel(self, args, span) -> Iterator[m.Operation]:
        yield m.DropTable(span=span, table=self.table(args.text("name")))

    def op_RenameModel(self, args, span) -> Iterator[m.Operation]:
        old_name, new_name = args.text("old_name"), args.text("new_name")
        old_table, assumed = self.state.table(old_name or "")
        if not assumed:  # a db_table stays: Django renames nothing in the database
            return
        table = self.table(old_name)
        new_table = f"{self.state.app_label}_{(new_name or '').lower()}"
        yield m.RenameTable(span=span, table=table, new_name=m.ObjectName(name=ident(new_table)))

    def op_AlterModelTable(self, args, span) -> Iterator[m.Operation]:
        new_table = args.text("table")
        if new_table:
            yield m.RenameTable(span=span, table=self.table(args.text("name")),
                                new_name=m.ObjectName(name=ident(new_table)))

    def op_AddField(self, args, span) -> Iterator[m.Operation]:
        definition = _field(args.text("name") or "", args.node("field"), self.dialect)
        if definition is None or definition.is_relation_only:
            return
        table = self.table(args.text("model_name"))
        yield m.AddColumn(span=span, table=table, column=_spec(definition, self.dialect))
        column = ident(definition.column)
        if definition.default is not None and definition.db_default is None:
            if definition.callable_default:
                self.note = _join(self.note, "Django evaluates the callable default once, so "
                                  "every existing row gets the same value")
            # Dropped right after the ADD: a hazard only for a NOT NULL column (the running
            # version, which does not know it, inserts without it). A nullable one just
            # gets NULL, which is no drop-column-default concern.
            if not definition.null:
                yield m.DropDefault(span=span, table=table, column=column)
        if definition.db_index and not definition.unique and not definition.primary_key:
            yield m.CreateIndex(span=span, table=table, columns_sql=(definition.column,))
        if definition.db_index or definition.unique:
            yield from self.like_index(span, table, definition)

    def op_RemoveField(self, args, span) -> Iterator[m.Operation]:
        known = self.field_of(args.text("model_name"), args.text("name"))
        if known is not None and known.is_relation_only:
            return
        yield m.DropColumn(span=span, table=self.table(args.text("model_name")),
                           column=self.column_name(args.text("model_name"), args.text("name") or ""))

    def op_RenameField(self, args, span) -> Iterator[m.Operation]:
        model_name = args.text("model_name")
        known = self.field_of(model_name, args.text("old_name"))
        if known is not None and (known.db_column or known.is_relation_only):
            return  # the column keeps its db_column name: nothing changes in the database
        old = self.column_name(model_name, args.text("old_name") or "")
        suffix = "_id" if known is not None and known.kind in _RELATIONS else ""
        yield m.RenameColumn(span=span, table=self.table(model_name), column=old,
                             new_name=ident(f"{args.text('new_name')}{suffix}"))

    def op_AlterField(self, args, span) -> Iterator[m.Operation]:
        model_name = args.text("model_name")
        new = _field(args.text("name") or "", args.node("field"), self.dialect)
        if new is None or new.is_relation_only:
            return
        table = self.table(model_name)
        column = ident(new.column)
        old = self.field_of(model_name, args.text("name"))
        if old is None:
            # One finding, on the type, that says what is unknown: asserting a NOT NULL
            # change as well would report two hazards for one guess.
            self.note = _join(self.note, "the field's previous definition is not in this app's "
                              "migrations, so a type change is assumed; if the field was "
                              "nullable before, making it NOT NULL is a hazard of its own")
            yield m.AlterColumnType(span=span, table=table, column=column, new_type_sql=new.type_sql)
            return
        if old.column != new.column:
            yield m.RenameColumn(span=span, table=table, column=ident(old.column), new_name=column)
        if old.type_sql != new.type_sql:
            yield m.AlterColumnType(span=span, table=table, column=column, new_type_sql=new.type_sql,
                                    old_type_sql=old.type_sql)
        check = _positive_check(new, self.dialect)
        if check is not None and _positive_check(old, self.dialect) is None:
            # IntegerField → PositiveIntegerField: Django adds the CHECK, validated at once.
            yield m.AddConstraint(span=span, table=table, kind="check", columns=(column,),
                                  expression_sql=check)
        if old.null and not new.null:
            if new.default is not None:
                yield m.SetDefault(span=span, table=table, column=column, default_sql=new.default.sql)
                yield m.RawStatement(span=span, keyword="UPDATE", is_dml=True)
            yield m.SetNotNull(span=span, table=table, column=column)
            if new.default is not None:
                yield m.DropDefault(span=span, table=table, column=column)
        elif new.null and not old.null:
            yield m.DropNotNull(span=span, table=table, column=column)
        if new.unique and not old.unique:
            yield m.AddConstraint(span=span, table=table, kind="unique", columns=(column,))
        if new.db_index and not old.db_index and not new.unique:
            yield m.CreateIndex(span=span, table=table, columns_sql=(new.column,))
        # Django's condition: db_index or unique turned on (from db_index to unique too:
        # dropping the plain index for the unique one drops the _like index with it).
        if (new.db_index and not (old.db_index or old.unique)) or (new.unique and not old.unique):
            yield from self.like_index(span, table, new)

    def op_AddIndex(self, args, span, concurrently: bool = False) -> Iterator[m.Operation]:
        index = args.node("index")
        if not isinstance(index, ast.Call):
            return
        yield self.index_operation(span, args.text("model_name"), CallArgs(index, ()),
                                   concurrently=concurrently, method=_index_method(call_name(index)))

    def op_AddIndexConcurrently(self, args, span) -> Iterator[m.Operation]:
        yield from self.op_AddIndex(args, span, concurrently=True)

    def op_RemoveIndex(self, args, span, concurrently: bool = False) -> Iterator[m.Operation]:
        name = args.text("name")
        if name:
            yield m.DropIndex(span=span, name=m.ObjectName(name=ident(name)),
                              table=self.table(args.text("model_name")), concurrently=concurrently)

    def op_RemoveIndexConcurrently(self, args, span) -> Iterator[m.Operation]:
        yield from self.op_RemoveIndex(args, span, concurrently=True)

    def op_AddConstraint(self, args, span, not_valid: bool = False) -> Iterator[m.Operation]:
        constraint = args.node("constraint")
        if not isinstance(constraint, ast.Call):
            return
        model_name = args.text("model_name")
        table = self.table(model_name)
        c_args = CallArgs(constraint, ())
        name = c_args.text("name")
        kind = call_name(constraint)
        fields = [f for f in (c_args.value("fields", []) or []) if isinstance(f, str)]
        columns = tuple(self.column_name(model_name, f) for f in fields)
        if kind == "UniqueConstraint" and _built_as_unique_index(c_args):
            yield self.index_operation(span, model_name, c_args, unique=True)
        elif kind == "UniqueConstraint":
            yield m.AddConstraint(span=span, table=table, kind="unique",
                                  name=ident(name) if name else None, columns=columns,
                                  not_valid=not_valid)
        elif kind == "CheckConstraint":
            yield m.AddConstraint(span=span, table=table, kind="check",
                                  name=ident(name) if name else None, not_valid=not_valid)
        elif kind == "ExclusionConstraint":
            yield m.AddConstraint(span=span, table=table, kind="exclude",
                                  name=ident(name) if name else None)

    def op_AddConstraintNotValid(self, args, span) -> Iterator[m.Operation]:
        yield from self.op_AddConstraint(args, span, not_valid=True)

    def op_ValidateConstraint(self, args, span) -> Iterator[m.Operation]:
        name = args.text("name")
        if name:
            yield m.ValidateConstraint(span=span, table=self.table(args.text("model_name")),
                                       name=ident(name))

    def op_RemoveConstraint(self, args, span) -> Iterator[m.Operation]:
        name = args.text("name")
        if name:
            yield m.DropConstraint(span=span, table=self.table(args.text("model_name")),
                                   name=ident(name))

    def op_AlterUniqueTogether(self, args, span) -> Iterator[m.Operation]:
        model_name = args.text("name")
        model = self.state.models.get((model_name or "").lower())
        before = set(model.unique_together) if model is not None else set()
        for group in _together(args.value("unique_together")):
            if group not in before:
                yield m.AddConstraint(
                    span=span, table=self.table(model_name), kind="unique",
                    columns=tuple(self.column_name(model_name, f) for f in group),
                )

    def op_AlterIndexTogether(self, args, span) -> Iterator[m.Operation]:
        model_name = args.text("name")
        for group in _together(args.value("index_together")):
            yield m.CreateIndex(
                span=span, table=self.table(model_name),
                columns_sql=tuple(self.column_name(model_name, f).name for f in group),
            )


# -- fields ------------------------------------------------------------------------------
def _fields(node: Optional[ast.AST], dialect: str) -> Iterator[Tuple[str, FieldDef]]:
    for item in _list(node):
        if isinstance(item, ast.Tuple) and len(item.elts) == 2:
            name = literal(item.elts[0])
            definition = _field(name, item.elts[1], dialect) if isinstance(name, str) else None
            if definition is not None:
                yield name, definition


def _field(name: str, node: Optional[ast.AST], dialect: str) -> Optional[FieldDef]:
    """``models.CharField(max_length=20, null=True, ...)`` → FieldDef."""
    if not isinstance(node, ast.Call) or not name:
        return None
    kind = call_name(node) or ""
    args = CallArgs(node, ("to",) if kind in _RELATIONS + ("ManyToManyField",) else ())
    default, callable_default = _default(args.node("default"))
    primary_key = args.value("primary_key") is True or kind.endswith("AutoField")
    definition = FieldDef(
        name=name, kind=kind, type_sql=_type_sql(kind, args, dialect),
        null=args.value("null") is True, primary_key=primary_key,
        unique=args.value("unique") is True or kind == "OneToOneField" or primary_key,
        db_index=args.value("db_index", kind in _INDEXED_BY_DEFAULT) is True,
        db_column=args.text("db_column"), db_collation=args.text("db_collation"),
        default=default, callable_default=callable_default,
        db_default=_db_default(args.node("db_default"), dialect),
        references=args.text("to"),
    )
    return definition


def _type_sql(kind: str, args: CallArgs, dialect: str) -> str:
    if kind == "DecimalField":
        digits, places = args.value("max_digits"), args.value("decimal_places")
        return f"numeric({digits}, {places})" if digits is not None else "numeric"
    if kind == "ArrayField":
        base = args.node("base_field") or (args.call.args[0] if args.call.args else None)
        inner = _field("_", base, dialect)
        return f"{inner.type_sql}[]" if inner is not None else "array"
    postgres, mysql = _FIELD_TYPES.get(kind, (kind.lower(), kind.lower()))
    template = postgres if dialect == "postgres" else mysql
    length = args.value("max_length", _DEFAULT_LENGTHS.get(kind))
    return template.replace("({n})", f"({length})" if length is not None else "")


def _default(node: Optional[ast.AST]) -> Tuple[Optional[m.ColumnDefault], bool]:
    """(default, whether it is a callable Django evaluates in Python)."""
    if node is None:
        return None, False
    value = literal(node)
    if value is not UNKNOWN:
        return default_from_value(value) if value is not None else None, False
    if isinstance(node, (ast.Name, ast.Attribute, ast.Lambda)):
        # timezone.now, uuid.uuid4, dict, list...: called once for the whole column.
        return m.ColumnDefault(sql=f"<value of {ast.unparse(node)}()>"), True
    return m.ColumnDefault(sql=f"<value of {ast.unparse(node)}>"), False


def _db_default(node: Optional[ast.AST], dialect: str) -> Optional[m.ColumnDefault]:
    if node is None:
        return None
    value = literal(node)
    if value is not UNKNOWN:
        return default_from_value(value)
    name = call_name(node) if isinstance(node, ast.Call) else None
    if name == "Now":
        return default_from_sql("now()", dialect)
    if name == "Value" and node.args and literal(node.args[0]) is not UNKNOWN:
        return default_from_value(literal(node.args[0]))
    if name == "RawSQL" and node.args and isinstance(literal(node.args[0]), str):
        return default_from_sql(literal(node.args[0]), dialect)
    text = ast.unparse(node)
    return m.ColumnDefault(sql=text, volatility="volatile", unknown_function=text)


def _spec(definition: FieldDef, dialect: str) -> m.ColumnSpec:
    return m.ColumnSpec(
        name=ident(definition.column), type_sql=definition.type_sql,
        check_sql=_positive_check(definition, dialect),
        not_null=not definition.null, default=definition.db_default or definition.default,
        primary_key=definition.primary_key, unique=definition.unique and not definition.primary_key,
        references=_referenced_table(definition.references),
        identity=definition.kind.endswith("AutoField"),
    )


def _pattern_ops(type_sql: str) -> Optional[str]:
    """The operator class of Django's _like index for a column of ``type_sql`` (varchar or
    text, not an array of them), or None."""
    if "[" in type_sql:
        return None
    kind = next((kind for kind in ("varchar", "text") if type_sql.startswith(kind)), None)
    return f"{kind}_pattern_ops" if kind else None


def _positive_check(definition: FieldDef, dialect: str) -> Optional[str]:
    """The CHECK Django adds on PostgreSQL for a Positive*Field (its
    data_type_check_constraints); MySQL's column is UNSIGNED instead."""
    if dialect != "postgres" or definition.kind not in _POSITIVE_FIELDS:
        return None
    return f"{quote(ident(definition.column), dialect)} >= 0"


def _referenced_table(target: Optional[str]) -> Optional[m.ObjectName]:
    """``"shop.Customer"`` → ``shop_customer`` (Django's default naming)."""
    if not target or "." not in target:
        return None
    app, model = target.rsplit(".", 1)
    return m.ObjectName(name=ident(f"{app.rsplit('.', 1)[-1]}_{model.lower()}"))


# Index/UniqueConstraint options that change what the index holds and that the model's
# CreateIndex cannot carry: with one of them the index is not restated.
_UNRENDERED_OPTIONS = ("include", "nulls_distinct", "deferrable", "db_tablespace")
# UniqueConstraint options MySQL lacks: Django then creates no constraint at all.
_UNSUPPORTED_ON_MYSQL = ("condition", "include", "deferrable", "nulls_distinct")


def _built_as_unique_index(constraint: CallArgs) -> bool:
    """Django creates a UniqueConstraint with expressions, a condition, INCLUDE columns
    or operator classes as CREATE UNIQUE INDEX, not ADD CONSTRAINT (PostgreSQL cannot
    make a constraint of such an index)."""
    return bool(constraint.call.args) or any(
        constraint.has(option) for option in ("condition", "include", "opclasses"))


def _index_key(definition: CallArgs, column: ColumnSql) -> Optional[Tuple[str, ...]]:
    """The key Django writes: the positional expressions, or ``fields`` (``-name``
    descending) with their ``opclasses``; None when a part cannot be written."""
    if definition.call.args:
        parts = [key_part_sql(node, column) for node in definition.call.args]
        return None if None in parts else tuple(parts)
    fields, opclasses = definition.value("fields", []), definition.value("opclasses", [])
    if not fields or not all(isinstance(f, str) for f in fields) or not isinstance(
        opclasses, (list, tuple)
    ):
        return None
    parts = []
    for position, name in enumerate(fields):
        opclass = f" {opclasses[position]}" if position < len(opclasses) else ""
        descending = " DESC" if name.startswith("-") else ""
        parts.append(f"{column(name.lstrip('-'))}{opclass}{descending}")
    return tuple(parts)


def _unrendered_part(definition: CallArgs, key, condition, where,
                     postgres: bool) -> Optional[str]:
    """What of the index cannot be written as SQL, said for the note; None if nothing."""
    if key is None:
        expressions = definition.call.args or [definition.node("fields")]
        return "the index key " + ", ".join(f"`{_short_code(e)}`" for e in expressions if e)
    if condition is not None and where is None:
        return f"the condition `{_short_code(condition)}`"
    options = _UNRENDERED_OPTIONS if postgres else tuple(
        o for o in _UNRENDERED_OPTIONS if o != "include")
    option = next((o for o in options if definition.has(o)), None)
    return f"the `{option}=` option" if option is not None else None


def _index_method(index_class: Optional[str]) -> Optional[str]:
    methods = {"GinIndex": "gin", "GistIndex": "gist", "BrinIndex": "brin", "HashIndex": "hash",
               "SpGistIndex": "spgist", "BloomIndex": "bloom", "BTreeIndex": "btree"}
    return methods.get(index_class or "")


def _together(value) -> Tuple[Tuple[str, ...], ...]:
    if not isinstance(value, (set, list, tuple, frozenset)):
        return ()
    items = list(value)
    if items and all(isinstance(v, str) for v in items):
        items = [tuple(items)]
    return tuple(sorted(tuple(g) for g in items if isinstance(g, (tuple, list))))


# -- file structure ------------------------------------------------------------------------
def _migration_class(tree: ast.Module) -> Optional[ast.ClassDef]:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            (call_name(base) or "").endswith("Migration") for base in node.bases
        ):
            return node
    return None


def _class_attribute_node(cls: ast.ClassDef, name: str) -> Optional[ast.AST]:
    """The value of ``name = ...`` or ``name: T = ...`` in the class body."""
    for statement in cls.body:
        assigned, value = assigned_name(statement)
        if assigned == name:
            return value
    return None


def _class_attribute(cls: ast.ClassDef, name: str, default):
    node = _class_attribute_node(cls, name)
    value = literal(node) if node is not None else UNKNOWN
    return default if value is UNKNOWN else value


def _list(node: Optional[ast.AST]) -> List[ast.AST]:
    return list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else []


def _app_label(path: str) -> str:
    """``shop/migrations/0003_x.py`` → ``shop``."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.basename(folder) == "migrations":
        return os.path.basename(os.path.dirname(folder)) or "app"
    return os.path.basename(folder) or "app"


def earlier_migrations(path: str) -> List[str]:
    """The app's migration files that sort before ``path`` (Django numbers them): the
    reader replays them, so they are part of the result-cache key too."""
    folder = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, entry) for entry in entries
            if entry.endswith(".py") and entry < name and entry[:1].isdigit()]


_EarlierOperations = Tuple[Dict[str, ast.AST], Dict[str, str], Tuple[ast.Call, ...]]
_NO_OPERATIONS: _EarlierOperations = ({}, {}, ())


def _operations_of(path: str) -> _EarlierOperations:
    """(module-level bindings, import aliases, operation calls) of an earlier migration;
    operations it builds in ways that cannot be read are left out of the replay (that
    file's own lint reports them)."""
    try:
        stat = os.stat(path)
    except OSError:
        return _NO_OPERATIONS
    return _cached_operations(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)
def _cached_operations(path: str, mtime: int, size: int):
    """Each earlier migration is parsed once per run, however many files replay it."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            tree = parse_python(handle.read())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return _NO_OPERATIONS
    cls = _migration_class(tree)
    node = _class_attribute_node(cls, "operations") if cls is not None else None
    names = module_bindings(tree)
    calls = tuple(item for item in operation_nodes(node, names) if isinstance(item, ast.Call))
    return names, import_aliases(tree), calls


def _short_code(node: ast.AST, limit: int = 60) -> str:
    """The Python source of ``node`` for a message, cut to ``limit`` characters."""
    code = ast.unparse(node)
    return code if len(code) <= limit else code[:limit - 3] + "..."


def _join(note: Optional[str], more: str) -> str:
    return f"{note}; {more}" if note else more

