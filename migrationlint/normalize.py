"""Turn one SQL statement into operations of the model (migrationlint.model).

sqlglot's AST covers most DDL; statements it keeps as ``exp.Command`` or cannot
parse go to the token-level recogniser (migrationlint.recognize).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Tuple

from sqlglot import exp

from migrationlint import model as m
from migrationlint.parse import colon_name, parse_statement, to_sql, tokenize
from migrationlint.recognize import (
    drop_index_or_primary_key, mysql_alter_table_action, recognize,
)
from migrationlint.source import LineIndex, Region
from migrationlint.volatility import classify

_SERIAL_TYPES = {
    exp.DataType.Type.SERIAL, exp.DataType.Type.BIGSERIAL, exp.DataType.Type.SMALLSERIAL,
}


# A tuple: made once per statement, and a frozen dataclass costs three times as much.
class Normalized(NamedTuple):
    operations: Tuple[m.Operation, ...]
    # Set when the statement could not be understood at all.
    error: Optional[str] = None
    error_offset: Optional[int] = None


class Spans:
    """Converts statement-relative sqlglot offsets to file spans."""

    def __init__(self, lines: LineIndex, start: int, end: int) -> None:
        self.lines = lines
        self.start = start
        self.end = end

    @property
    def statement(self) -> Region:
        return self.lines.span(self.start, self.end)

    def relative(self, start: int, end: int) -> Region:
        return self.lines.span(self.start + start, self.start + end)

    def of(self, node: Optional[exp.Expression]) -> Region:
        """The region covered by the identifiers and literals under ``node``."""
        first = last = None
        # Depth-first: the cheapest walk sqlglot has; the extremes need no order.
        for child in node.dfs() if node is not None else ():
            meta = child._meta
            if meta and "start" in meta:
                start, end = meta["start"], meta["end"] + 1
                if first is None or start < first:
                    first = start
                if last is None or end > last:
                    last = end
        if first is None:
            return self.statement
        return self.relative(first, last)


def normalize_statement(text: str, start: int, lines: LineIndex, dialect: str) -> Normalized:
    spans = Spans(lines, start, start + len(text))
    tokens = None
    if _leading_word(text) in _RECOGNISED_BY_TOKENS:
        # sqlglot reads PostgreSQL's START TRANSACTION as a column alias (and CLUSTER
        # as a column); decide by tokens.
        tokens = tokenize(text, dialect)
        recognized = recognize(tokens, text, dialect, spans)
        if recognized:
            return Normalized(tuple(recognized))
    parsed = parse_statement(text, dialect)
    if parsed.ast is not None and not isinstance(parsed.ast, exp.Command):
        misread = _not_mysql_rename(parsed.ast) if dialect in _MYSQL else None
        if misread is not None:
            return Normalized((), *misread)
        operations = tuple(_Converter(spans, dialect).convert(parsed.ast))
        rest = _actions_after_a_set(parsed.ast, text, dialect)
        if rest is not None:
            operations += normalize_statement(rest, start, lines, dialect).operations
        return Normalized(operations)
    tokens = tokens or tokenize(text, dialect)
    foreign = _not_postgres_syntax(tokens, text, spans) if dialect == "postgres" else None
    if foreign is not None:
        return Normalized((), *foreign)
    recognized = recognize(tokens, text, dialect, spans)
    if recognized:
        return Normalized(tuple(recognized))
    if parsed.ast is not None:  # a Command nobody recognises: keep it as raw
        keyword = " ".join(text.split()[:2]).upper()
        return Normalized((m.RawStatement(span=spans.statement, keyword=keyword),))
    return Normalized((), parsed.error, parsed.error_offset)


def _actions_after_a_set(ast: exp.Expression, text: str, dialect: str) -> Optional[str]:
    """sqlglot reads a PostgreSQL ``SET ...`` action that follows another action
    (``ALTER TABLE t ADD COLUMN x int, SET LOGGED, ALTER COLUMN y SET NOT NULL``) as an
    option holding the rest of the statement as raw text, dropping those actions. As the
    first action it reads them all, so: the statement with the actions before the SET
    blanked out, every offset kept. None when there is nothing left unread."""
    if dialect != "postgres" or not isinstance(ast, exp.Alter):
        return None
    raw = next((option.this.expression for option in ast.args.get("options") or ()
                if isinstance(option.this, exp.Command) and isinstance(option.this.expression, str)),
               None)
    if not raw:
        return None
    at = text.rfind(raw)
    set_at = text.upper().rfind("SET", 0, at) if at > 0 else -1
    head = f"ALTER TABLE {to_sql(ast.this, dialect)}"
    if set_at <= len(head):
        return None
    return head + " " * (set_at - len(head)) + text[set_at:]


# CREATE TABLE options that come before WITH (...) and TABLESPACE, in PostgreSQL's order.
_LEADING_TABLE_OPTIONS = (exp.PartitionedByProperty, exp.FileFormatProperty)

_RECOGNISED_BY_TOKENS = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "CLUSTER"}
# At most 12 characters: enough for every word above, and a statement's text is never
# copied (a function body can be long).
_LEADING_WORD = re.compile(r"\s*(\S{1,12})")


_DIALECT_HINT = 'if this file is MySQL, set dialect = "mysql"'


def _not_postgres_syntax(tokens: List, text: str, spans: Spans) -> Optional[Tuple[str, int]]:
    """(why, offset) for a statement sqlglot cannot read that is MySQL's, not PostgreSQL's:
    a backtick-quoted name, or an ALTER TABLE action in MySQL's words (MODIFY, CHANGE).
    Kept as an unknown command instead, it would pass, and its hazard would go unreported."""
    backtick = next((t for t in tokens if t.text == "`"), None)
    if backtick is not None:
        return f"PostgreSQL does not quote names with backticks; {_DIALECT_HINT}", backtick.start
    action = mysql_alter_table_action(tokens, text, spans)
    if action is None:
        return None
    return (f"ALTER TABLE ... {action.text.upper()} is MySQL syntax, not PostgreSQL's; "
            f"{_DIALECT_HINT}"), action.start


def _rename_with_stray_to(ast: exp.Expression) -> Optional[Tuple[exp.AlterRename,
                                                                   exp.ToTableProperty]]:
    """sqlglot reads ``ALTER TABLE t RENAME c TO d`` as renaming the table to ``c`` with a
    stray ``TO d`` option: that rename and that option; None for any other statement."""
    if not isinstance(ast, exp.Alter):
        return None
    rename = next((action for action in ast.args.get("actions") or ()
                   if isinstance(action, exp.AlterRename)), None)
    to = next((option for option in ast.args.get("options") or ()
               if isinstance(option, exp.ToTableProperty)), None)
    return None if rename is None or to is None else (rename, to)


def _not_mysql_rename(ast: exp.Expression) -> Optional[Tuple[str, Optional[int]]]:
    """(why, offset) for ``ALTER TABLE t RENAME c TO d``, which MySQL and MariaDB reject
    (their RENAME takes the table's new name alone; PostgreSQL's renames a column)."""
    stray = _rename_with_stray_to(ast)
    if stray is None:
        return None
    column, new_name = (node.this for node in (stray[0].this, stray[1].this))
    return (f"ALTER TABLE ... RENAME takes only the table's new name; to rename column "
            f"{column.name}, write RENAME COLUMN {column.name} TO {new_name.name}",
            (column.meta or {}).get("start"))


def _leading_word(text: str) -> str:
    head = _LEADING_WORD.match(text)
    return head.group(1).rstrip(";").upper() if head else ""


def ident(node: Optional[exp.Expression]) -> Optional[m.Ident]:
    written = _written(node)
    return None if written is None else _ident(*written)


def _written(node: Optional[exp.Expression]) -> Optional[Tuple[str, bool]]:
    """A name as written: its text, and whether it was quoted."""
    if node is None:
        return None
    if isinstance(node, exp.Column):
        node = node.this
    if isinstance(node, exp.Identifier):
        return node.this, bool(node.quoted)
    if isinstance(node, exp.Placeholder) and colon_name(node) is not None:
        return f":{colon_name(node)}", False  # a psql variable, as written
    return node.name, False


@functools.lru_cache(maxsize=8192)
def _ident(name: str, quoted: bool) -> m.Ident:
    # A migration set names the same tables and columns over and over, and an Ident is
    # immutable: one per name is built, not one per mention.
    return m.Ident(name=name, quoted=quoted)


def object_name(table: exp.Expression) -> m.ObjectName:
    if isinstance(table, exp.Schema):
        table = table.this
    return _object_name(_written(table.this), _written(table.args.get("db")))


@functools.lru_cache(maxsize=8192)
def _object_name(name: Tuple[str, bool], schema: Optional[Tuple[str, bool]]) -> m.ObjectName:
    # Shared like Idents: most statements name a table.
    return m.ObjectName(name=_ident(*name) if name else None,
                        schema_=_ident(*schema) if schema else None)


class _Converter:
    def __init__(self, spans: Spans, dialect: str) -> None:
        self.spans = spans
        self.dialect = dialect

    def sql(self, node: exp.Expression) -> str:
        return to_sql(node, self.dialect)

    def convert(self, ast: exp.Expression) -> Iterator[m.Operation]:
        if isinstance(ast, exp.Alter) and (ast.args.get("kind") or "").upper() == "TABLE":
            yield from self.alter_table(ast)
        elif isinstance(ast, exp.Alter) and (ast.args.get("kind") or "").upper() == "INDEX":
            yield self.alter_index(ast)
        elif isinstance(ast, exp.Create):
            yield from self.create(ast)
        elif isinstance(ast, exp.Drop):
            yield from self.drop(ast)
        elif isinstance(ast, exp.Transaction):
            yield m.TransactionControl(span=self.spans.statement, action="begin")
        elif isinstance(ast, exp.Commit):
            yield m.TransactionControl(span=self.spans.statement, action="commit")
        elif isinstance(ast, exp.Rollback):
            yield m.TransactionControl(span=self.spans.statement, action="rollback")
        elif isinstance(ast, exp.Set):
            yield from self.settings(ast)
        elif isinstance(ast, exp.TruncateTable):
            yield from self.truncate(ast)
        elif self.dialect == "postgres" and _set_config_calls(ast):
            for name, value, local in _set_config_calls(ast):
                yield m.SetSetting(span=self.spans.statement, name=name, value=value, local=local)
        else:
            change = (
                self.data_change(ast)
                if isinstance(ast, (exp.Update, exp.Delete, exp.Insert)) else None
            )
            yield change if change is not None else self.raw(ast)

    def raw(self, ast: exp.Expression) -> m.RawStatement:
        is_dml = isinstance(ast, (exp.Insert, exp.Update, exp.Delete, exp.Merge))
        keyword = ast.key.upper()
        return m.RawStatement(span=self.spans.statement, keyword=keyword, is_dml=is_dml)

    # -- ALTER TABLE -----------------------------------------------------
    def alter_table(self, ast: exp.Alter) -> Iterator[m.Operation]:
        table = object_name(ast.this)
        renamed = self.column_rename_without_column_word(table, ast)
        if renamed is not None:
            yield renamed
            return
        not_valid = bool(ast.args.get("not_valid"))
        for action in ast.args.get("actions") or ():
            yield from self.alter_action(table, action, not_valid)
        if self.dialect in _MYSQL:
            yield from self.mysql_alter_options(table, ast.args.get("options") or ())

    def column_rename_without_column_word(
        self, table: m.ObjectName, ast: exp.Alter
    ) -> Optional[m.RenameColumn]:
        """PostgreSQL's COLUMN is optional in ``ALTER TABLE t RENAME c TO d``; sqlglot reads
        that as renaming the table to ``c`` with a stray ``TO d`` option."""
        stray = _rename_with_stray_to(ast)
        if (self.dialect != "postgres" or stray is None
                or len(ast.args["actions"]) != 1 or len(ast.args["options"]) != 1):
            return None
        column, new_name = stray[0].this, stray[1].this
        if column.args.get("db") or new_name.args.get("db"):
            return None
        start, end = self.spans.of(column), self.spans.of(new_name)
        span = start._replace(end_line=end.end_line, end_column=end.end_column)
        return m.RenameColumn(span=span, table=table, column=ident(column.this),
                              new_name=ident(new_name.this))

    def alter_action(self, table: m.ObjectName, action: exp.Expression, not_valid: bool):
        span = self.spans.of(action)
        if isinstance(action, exp.RenameColumn):
            yield m.RenameColumn(span=span, table=table, column=ident(action.this),
                                 new_name=ident(action.args["to"]), rename_column_syntax=True)
        elif isinstance(action, exp.ColumnDef):
            yield m.AddColumn(span=span, table=table, column=self.column_spec(action),
                              if_not_exists=bool(action.args.get("exists")))
        elif isinstance(action, exp.Drop):
            yield from self.alter_drop(table, action)
        elif isinstance(action, exp.AlterColumn):
            yield from self.alter_column(table, action, span)
        elif isinstance(action, exp.AddConstraint):
            for constraint in action.expressions:
                if isinstance(constraint, exp.IndexColumnConstraint):  # MySQL ADD INDEX / KEY
                    yield self.mysql_add_index(table, constraint)
                else:
                    yield self.add_constraint(table, constraint, not_valid)
        elif isinstance(action, exp.AlterRename):
            new_name = object_name(action.this)
            if new_name.schema_ is None and table.schema_ is not None:
                new_name = new_name.replace(schema_=table.schema_)
            yield m.RenameTable(span=span, table=table, new_name=new_name)
        elif isinstance(action, exp.ModifyColumn):
            yield from self.modify_column(table, action, span)
        elif isinstance(action, exp.AlterSet) and _set_logged(action) is not None:
            yield m.SetLogged(span=span, table=table, logged=_set_logged(action))
        elif isinstance(action, exp.AlterSet) and self.dialect == "postgres" and (
                action.args.get("tablespace") or action.args.get("access_method")):
            yield self.set_storage(table, action, span)
        else:
            mysql = self.mysql_alter_action(table, action, span) if self.dialect in _MYSQL else None
            yield mysql or m.RawStatement(span=span, keyword=f"ALTER TABLE {action.key.upper()}")

    def set_storage(self, table: m.ObjectName, action: exp.AlterSet, span: Region) -> m.Operation:
        """PostgreSQL's SET TABLESPACE or SET ACCESS METHOD; sqlglot accepts them for MySQL
        too, where they are not MySQL syntax, so MySQL runs keep them raw as before."""
        tablespace = action.args.get("tablespace")
        if tablespace is not None:
            return m.SetTablespace(span=span, table=table, tablespace=ident(tablespace))
        return m.SetAccessMethod(span=span, table=table, method=ident(action.args["access_method"]))

    def alter_index(self, ast: exp.Alter) -> m.Operation:
        """ALTER INDEX ... SET TABLESPACE (sqlglot reads only PostgreSQL's form); other
        ALTER INDEX forms stay raw."""
        actions = ast.args.get("actions") or []
        action = actions[0] if len(actions) == 1 else None
        tablespace = action.args.get("tablespace") if isinstance(action, exp.AlterSet) else None
        if self.dialect != "postgres" or tablespace is None:
            return self.raw(ast)
        return m.SetRelationTablespace(span=self.spans.of(action), kind="index",
                                       name=object_name(ast.this), tablespace=ident(tablespace))

    def alter_drop(self, table: m.ObjectName, action: exp.Drop) -> Iterator[m.Operation]:
        kind = (action.args.get("kind") or "").upper()
        for target in action.args.get("tables") or ():
            span = self.spans.of(target)
            if kind == "COLUMN":
                yield m.DropColumn(span=span, table=table, column=ident(target),
                                   if_exists=bool(action.args.get("exists")))
            elif kind == "FOREIGN KEY":  # MySQL ALTER TABLE ... DROP FOREIGN KEY
                yield m.DropConstraint(
                    span=span, table=table, name=ident(target.this), kind="foreign_key"
                )
            elif kind == "CHECK":  # MySQL ALTER TABLE ... DROP CHECK
                yield m.DropConstraint(span=span, table=table, name=ident(target.this), kind="check")
            elif kind == "CONSTRAINT":
                yield m.DropConstraint(span=span, table=table, name=ident(target.this))
            elif kind in ("INDEX", "KEY"):  # MySQL ALTER TABLE ... DROP INDEX
                yield drop_index_or_primary_key(span, object_name(target), table)
            else:
                yield m.RawStatement(span=span, keyword=f"ALTER TABLE DROP {kind}")

    def alter_column(self, table: m.ObjectName, action: exp.AlterColumn, span: Region):
        column = ident(action.this)
        args = action.args
        if args.get("dtype") is not None:
            using = args.get("using")
            yield m.AlterColumnType(
                span=span, table=table, column=column, new_type_sql=self.sql(args["dtype"]),
                using_sql=self.sql(using) if isinstance(using, exp.Expression) else None,
            )
        elif args.get("allow_null") is False:
            yield m.SetNotNull(span=span, table=table, column=column)
        elif args.get("allow_null") is True:
            yield m.DropNotNull(span=span, table=table, column=column)
        elif args.get("default") is not None:
            yield m.SetDefault(
                span=span, table=table, column=column, default_sql=self.sql(args["default"])
            )
        elif args.get("drop"):
            yield m.DropDefault(span=span, table=table, column=column)
        else:
            yield m.RawStatement(span=span, keyword="ALTER TABLE ALTER COLUMN")

    def modify_column(self, table: m.ObjectName, action: exp.ModifyColumn, span: Region):
        """MySQL MODIFY/CHANGE: a possible rename plus a restated definition."""
        definition = action.this
        new_name = ident(definition.this)
        old_name = ident(action.args.get("rename_from")) or new_name
        if old_name.key != new_name.key:
            yield m.RenameColumn(span=span, table=table, column=old_name, new_name=new_name)
        spec = self.column_spec(definition)
        yield m.AlterColumnType(
            span=span, table=table, column=old_name, new_type_sql=spec.type_sql,
            not_null=spec.not_null, definition=spec,
        )

    def add_constraint(self, table, constraint: exp.Expression, not_valid: bool) -> m.AddConstraint:
        span = self.spans.of(constraint)
        name = None
        if isinstance(constraint, exp.Constraint):
            name = ident(constraint.this)
            constraint = constraint.expressions[0] if constraint.expressions else constraint
        fields = dict(span=span, table=table, name=name, not_valid=not_valid)
        if isinstance(constraint, (exp.ForeignKey,)):
            reference = constraint.args.get("reference")
            target = reference.this if reference is not None else None
            return m.AddConstraint(
                kind="foreign_key", columns=tuple(ident(c) for c in constraint.expressions),
                references=object_name(target) if target is not None else None,
                **_reference_details(reference, constraint), **fields,
            )
        if isinstance(constraint, (exp.PrimaryKey, exp.PrimaryKeyColumnConstraint)):
            return m.AddConstraint(kind="primary_key", columns=_columns(constraint),
                                   **_index_details(constraint, self.dialect), **fields)
        if isinstance(constraint, exp.UniqueColumnConstraint):
            return m.AddConstraint(kind="unique", columns=_columns(constraint.this),
                                   nulls_not_distinct=bool(constraint.args.get("nulls")),
                                   visibility=_visibility_option(constraint),
                                   **_index_details(constraint, self.dialect), **fields)
        if isinstance(constraint, exp.CheckColumnConstraint):
            return m.AddConstraint(kind="check", expression_sql=self.sql(constraint.this),
                                   columns=_expression_columns(constraint.this), **fields)
        if isinstance(constraint, exp.ExcludeColumnConstraint):
            return m.AddConstraint(kind="exclude", **fields)
        return m.AddConstraint(kind=constraint.key, **fields)

    # -- CREATE / DROP ---------------------------------------------------
    def create(self, ast: exp.Create) -> Iterator[m.Operation]:
        kind = (ast.args.get("kind") or "").upper()
        span = self.spans.statement
        if kind == "TABLE" and isinstance(ast.this, exp.Schema):
            yield m.CreateTable(span=span, table=object_name(ast.this),
                                if_not_exists=bool(ast.args.get("exists")),
                                **self.table_elements(ast.this))
        elif kind == "TABLE":
            yield m.CreateTable(span=span, table=object_name(ast.this),
                                if_not_exists=bool(ast.args.get("exists")),
                                **self.partition_of(ast))
        elif kind == "INDEX" and isinstance(ast.this, exp.Index):
            yield self.create_index(ast)
        elif kind == "TYPE":
            yield m.CreateType(span=span, name=object_name(ast.this))
        elif kind == "VIEW" and ast.find(exp.MaterializedProperty) is None:
            yield m.CreateView(span=span, name=object_name(ast.this))
        else:
            yield m.RawStatement(span=span, keyword=f"CREATE {kind}".strip())
        copy = self.table_copy(ast) if kind == "TABLE" else None
        if copy is not None:
            yield copy

    def partition_of(self, ast: exp.Create) -> dict:
        """CREATE TABLE ... PARTITION OF parent: the parent, the bound and the options."""
        properties = ast.args.get("properties")
        written = properties.expressions if properties else ()
        parent = next((p for p in written if isinstance(p, exp.PartitionedOfProperty)), None)
        if parent is None:
            return {}
        bound = parent.expression
        return {
            "partition_of": object_name(parent.this),
            "partition_bound_sql": bound.name.upper() if isinstance(bound, exp.Var)
            else f"FOR VALUES {self.sql(bound)}",
            "partition_options_sql": self.table_options(written),
            **self.table_elements(parent.this),
        }

    def table_elements(self, schema: exp.Expression) -> dict:
        """The columns and the UNIQUE (MySQL INDEX / KEY) definitions of a CREATE TABLE's
        column list; of a PARTITION OF's, the columns' constraints (no types) and the
        table constraints. ``{}`` without a list (a PARTITION OF may have none), so the
        model's defaults apply."""
        if not isinstance(schema, exp.Schema):
            return {}
        return {"columns": tuple(self.column_spec(c) for c in schema.expressions
                                 if isinstance(c, exp.ColumnDef)),
                "indexes": tuple(self.table_indexes(schema))}

    def table_options(self, properties) -> str:
        """PARTITION BY, USING, WITH (...) and TABLESPACE as written, in PostgreSQL's order
        (sqlglot keeps each storage parameter as a property of its own)."""
        storage = [self.sql(p) for p in properties if type(p) is exp.Property]
        ordered = [self.sql(p) for kind in _LEADING_TABLE_OPTIONS
                   for p in properties if isinstance(p, kind)]
        if storage:
            ordered.append(f"WITH ({', '.join(storage)})")
        ordered += [self.sql(p) for p in properties if isinstance(p, exp.TableSpaceProperty)]
        return " ".join(ordered)

    def table_copy(self, ast: exp.Create) -> Optional[m.DataChange]:
        """CREATE TABLE ... AS SELECT (MySQL: AS optional) fills the new table from its
        query as INSERT ... SELECT would; WITH NO DATA copies nothing."""
        query = ast.expression
        if not isinstance(query, (exp.Select, exp.SetOperation)) or _selects_no_rows(query):
            return None
        no_data = ast.find(exp.WithDataProperty)  # a walk of the tree: only for a query
        if no_data and no_data.args.get("no"):
            return None
        target = ast.this.this if isinstance(ast.this, exp.Schema) else ast.this
        return m.DataChange(span=self.spans.statement, table=object_name(target),
                            kind="create_select", sources=_read_tables(query))

    def create_index(self, ast: exp.Create) -> m.CreateIndex:
        index = ast.this
        params = index.args.get("params")
        columns = tuple(self.sql(c) for c in (params.args.get("columns") or ())) if params else ()
        where = params.args.get("where") if params else None
        method = params.args.get("using") if params else None
        table = index.args.get("table")
        return m.CreateIndex(
            span=self.spans.of(table) if table is not None else self.spans.statement,
            table=object_name(table), name=ident(index.this), columns_sql=columns,
            unique=bool(ast.args.get("unique")), concurrently=bool(ast.args.get("concurrently")),
            if_not_exists=bool(ast.args.get("exists")),
            method=method.name if method is not None else None,
            where_sql=self.sql(where.this) if isinstance(where, exp.Where) else None,
        )

    def drop(self, ast: exp.Drop) -> Iterator[m.Operation]:
        kind = (ast.args.get("kind") or "").upper()
        for target in ast.args.get("tables") or ():
            span = self.spans.of(target)
            if kind == "TABLE":
                yield m.DropTable(
                    span=span, table=object_name(target), if_exists=bool(ast.args.get("exists"))
                )
            elif kind == "SCHEMA":
                yield m.DropSchema(span=span, name=_schema_or_database_name(target),
                                   cascade=bool(ast.args.get("cascade")),
                                   if_exists=bool(ast.args.get("exists")))
            elif kind == "DATABASE":
                yield m.DropDatabase(span=span, name=_schema_or_database_name(target),
                                     if_exists=bool(ast.args.get("exists")))
            elif kind == "INDEX":
                on_table = ast.args.get("cluster")  # MySQL DROP INDEX name ON table
                table = object_name(on_table.this) if isinstance(on_table, exp.OnProperty) else None
                if self.dialect in _MYSQL:
                    yield drop_index_or_primary_key(span, object_name(target), table,
                                                    bool(ast.args.get("exists")))
                else:
                    yield m.DropIndex(
                        span=span, name=object_name(target), table=table,
                        concurrently=bool(ast.args.get("concurrently")),
                        if_exists=bool(ast.args.get("exists")),
                    )
            elif kind == "TRIGGER" and isinstance(ast.args.get("cluster"), exp.OnProperty):
                # PostgreSQL DROP TRIGGER name ON table (MySQL's has no ON).
                yield m.DropTrigger(span=span, name=ident(target.this),
                                    table=object_name(ast.args["cluster"].this))
            else:
                yield m.RawStatement(span=span, keyword=f"DROP {kind}")

    # -- TRUNCATE and data changes (issue 3) ---------------------------------
    def truncate(self, ast: exp.TruncateTable) -> Iterator[m.Operation]:
        cascade = (ast.args.get("option") or "").upper() == "CASCADE"
        for target in ast.expressions:
            if isinstance(target, exp.Table):
                yield m.Truncate(span=self.spans.of(target), table=object_name(target),
                                 cascade=cascade)

    def data_change(self, ast: exp.Expression) -> Optional[m.DataChange]:
        target = ast.this.this if isinstance(ast.this, exp.Schema) else ast.this
        if not isinstance(target, exp.Table):
            return None
        if isinstance(ast, exp.Insert):
            query = ast.expression
            if not isinstance(query, (exp.Select, exp.SetOperation)):
                return None  # INSERT ... VALUES adds known rows: not a data migration
            return m.DataChange(
                span=self.spans.statement, table=object_name(target), kind="insert_select",
                sources=_read_tables(query),
            )
        where = ast.args.get("where")
        condition = where.this if isinstance(where, exp.Where) else None
        ctes = {cte.alias_or_name.lower() for cte in ast.find_all(exp.CTE)}
        sources = tuple(
            source for source in _read_tables(ast.args.get("from_") or ast.args.get("from"))
            if source.name.key not in ctes
        )
        assignments = [
            e for e in ast.expressions if isinstance(e, exp.EQ)
        ] if isinstance(ast, exp.Update) else []
        return m.DataChange(
            span=self.spans.statement, table=object_name(target),
            kind="update" if isinstance(ast, exp.Update) else "delete",
            where_sql=self.sql(condition) if condition is not None else None,
            # MySQL's UPDATE/DELETE ... LIMIT n is one batch, as a key range is.
            keyed=(condition is not None and _is_keyed(condition))
            or ast.args.get("limit") is not None,
            sources=sources, assigned=tuple(ident(e.this) for e in assignments),
            values_sql=tuple(self.sql(e.expression) for e in assignments),
        )

    # -- SET ---------------------------------------------------------------
    def settings(self, ast: exp.Set) -> Iterator[m.Operation]:
        for item in ast.expressions:
            assignment = item.this if isinstance(item, exp.SetItem) else None
            if not isinstance(assignment, exp.EQ):
                yield m.RawStatement(span=self.spans.statement, keyword="SET")
                continue
            value = assignment.expression
            yield m.SetSetting(
                span=self.spans.statement, name=assignment.this.name.lower(),
                value=value.name if isinstance(value, exp.Literal) else self.sql(value),
                local=(item.args.get("kind") or "").upper() == "LOCAL",
            )

    # -- columns -----------------------------------------------------------
    def column_spec(self, definition: exp.ColumnDef) -> m.ColumnSpec:
        kind = definition.args.get("kind")
        fields = dict(name=ident(definition.this), type_sql=self.sql(kind) if kind else "")
        if isinstance(kind, exp.DataType) and kind.this in _SERIAL_TYPES:
            fields["default"] = m.ColumnDefault(sql="nextval(...)", volatility="volatile")
            fields["identity"] = True
        for constraint in definition.args.get("constraints") or ():
            fields.update(self.column_constraint(constraint.args.get("kind"), constraint.this))
        if "references_sql" in fields:
            fields["references_span"] = self.spans.of(definition)
        position = definition.args.get("position")
        if isinstance(position, exp.ColumnPosition):
            fields["position"] = self.sql(position)
        return m.ColumnSpec(**fields)

    def column_constraint(self, kind: Optional[exp.Expression],
                          name: Optional[exp.Expression] = None) -> dict:
        """ColumnSpec fields of one column constraint; ``name``: its CONSTRAINT name."""
        if isinstance(kind, exp.NotNullColumnConstraint):
            return {"not_null": not kind.args.get("allow_null")}
        if isinstance(kind, exp.DefaultColumnConstraint):
            volatility, unknown = classify(kind.this)
            default = m.ColumnDefault(
                sql=self.sql(kind.this), volatility=volatility, unknown_function=unknown
            )
            return {"default": default}
        if isinstance(kind, exp.PrimaryKeyColumnConstraint):
            return {"primary_key": True, "not_null": True, "primary_key_name": ident(name),
                    **_column_index_storage(kind, self.dialect)}
        if isinstance(kind, exp.UniqueColumnConstraint):
            return {"unique": True, "unique_nulls_not_distinct": bool(kind.args.get("nulls")),
                    "unique_name": ident(name), **_column_index_storage(kind, self.dialect)}
        if isinstance(kind, exp.Reference):
            target = kind.this
            return {"references": object_name(target), "references_sql": self.sql(kind),
                    **_reference_details(kind)}
        if isinstance(kind, exp.CheckColumnConstraint):
            return {"check_sql": self.sql(kind.this)}
        if isinstance(kind, exp.ComputedColumnConstraint):
            stored = bool(kind.args.get("persisted")) or self.dialect == "postgres"
            return {"generated_stored": stored, "generated_virtual": not stored,
                    "generation_sql": self.sql(kind)}
        if isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            return {"identity": True, "identity_always": bool(kind.this)}
        if isinstance(kind, exp.AutoIncrementColumnConstraint):
            return {"auto_increment": True}
        if isinstance(kind, exp.CharacterSetColumnConstraint):
            return {"charset": kind.this.name.lower()}
        if isinstance(kind, exp.CollateColumnConstraint):
            return {"collate": kind.this.name}
        if isinstance(kind, exp.CommentColumnConstraint):
            return {"comment_sql": self.sql(kind.this)}
        if isinstance(kind, exp.OnUpdateColumnConstraint):
            return {"on_update_sql": self.sql(kind.this)}
        if isinstance(kind, exp.InvisibleColumnConstraint):
            return {"invisible": True}
        return {}

    # -- MySQL / MariaDB ALTER TABLE clauses -------------------------------
    def mysql_alter_action(self, table: m.ObjectName, action: exp.Expression, span: Region):
        """The operation for a MySQL-only ALTER TABLE action, or None."""
        if isinstance(action, exp.DropPrimaryKey):
            return m.DropPrimaryKey(span=span, table=table)
        if isinstance(action, exp.AlterIndex):  # sqlglot reads only MySQL's two words
            return m.AlterIndexVisibility(
                span=span, table=table, name=ident(action.this),
                visibility="VISIBLE" if action.args.get("visible") else "INVISIBLE",
            )
        if isinstance(action, exp.RenameIndex):
            return m.RenameIndex(
                span=span, table=table, name=ident(action.this), new_name=ident(action.args["to"])
            )
        if isinstance(action, exp.ForceProperty):
            return m.TableOption(span=span, table=table, option="force")
        return None

    def mysql_add_index(self, table: m.ObjectName, index: exp.IndexColumnConstraint) -> m.CreateIndex:
        kind = index.args.get("kind")
        return m.CreateIndex(
            span=self.spans.of(index), table=table, name=ident(index.this),
            columns_sql=tuple(self.sql(c) for c in index.expressions),
            index_kind=str(kind).lower() if kind else None,
            visibility=_visibility_option(index),
        )

    def table_indexes(self, schema: exp.Schema) -> Iterator[m.TableIndex]:
        """The UNIQUE (and MySQL INDEX / KEY) definitions in a CREATE TABLE's column list."""
        for element in schema.expressions:
            name = element.this if isinstance(element, exp.Constraint) else None
            index = element.expressions[0] if name is not None and element.expressions else element
            if isinstance(index, exp.UniqueColumnConstraint) and name is None:
                name = index.this.this if isinstance(index.this, exp.Schema) else None
            elif isinstance(index, exp.IndexColumnConstraint):
                name = index.this
            elif not isinstance(index, exp.UniqueColumnConstraint):
                continue
            yield m.TableIndex(span=self.spans.of(element), name=ident(name) if name else None,
                               visibility=_visibility_option(index),
                               nulls_not_distinct=bool(index.args.get("nulls")))

    def mysql_alter_options(self, table: m.ObjectName, options) -> Iterator[m.Operation]:
        """ALGORITHM= / LOCK= become one OnlineDdlClauses; the rest table options."""
        span = self.spans.statement
        clauses = {}
        for option in options:
            value = option.this.name if isinstance(option.this, exp.Expression) else None
            if isinstance(option, exp.AlgorithmProperty):
                clauses["algorithm"] = value.upper()
            elif isinstance(option, exp.LockProperty):
                clauses["lock"] = value.upper()
            elif isinstance(option, (exp.PartitionByRangeProperty, exp.PartitionByListProperty,
                                     exp.PartitionedByProperty)):
                yield m.PartitionChange(span=span, table=table, action="partition_by")
            else:
                name = _TABLE_OPTIONS.get(type(option).__name__)
                if name is None and type(option) is exp.Property:
                    name = option.this.name.lower()
                    value = option.args["value"].name if option.args.get("value") else None
                yield m.TableOption(span=span, table=table, option=name or "other", value=value)
        if clauses:
            yield m.OnlineDdlClauses(span=span, table=table, **clauses)


_MYSQL = ("mysql", "mariadb")


def action_operations(text: str, spans: Spans, dialect: str) -> Optional[List[m.Operation]]:
    """Like ``reparsed_operations``, but tells a syntax error (None) from syntax sqlglot
    does not support ([], it keeps it as a Command)."""
    parsed = parse_statement(text, dialect)
    if parsed.ast is None:
        return None
    if isinstance(parsed.ast, exp.Command):
        return []
    return list(_Converter(spans, dialect).convert(parsed.ast))


def reparsed_operations(text: str, spans: Spans, dialect: str = "mysql") -> Optional[List[m.Operation]]:
    """Operations of a statement whose unparseable parts the recogniser has blanked out
    of ``text`` (offsets kept); None when sqlglot still cannot read it."""
    parsed = parse_statement(text, dialect)
    if parsed.ast is None or isinstance(parsed.ast, exp.Command) or (
            dialect in _MYSQL and _not_mysql_rename(parsed.ast) is not None):
        return None
    return list(_Converter(spans, dialect).convert(parsed.ast))


_TABLE_OPTIONS = {
    "EngineProperty": "engine", "RowFormatProperty": "row_format",
    "CharacterSetProperty": "charset", "CollateProperty": "collate",
    "AutoIncrementProperty": "auto_increment", "SchemaCommentProperty": "comment",
}


def _columns(node: Optional[exp.Expression]) -> Tuple[m.Ident, ...]:
    if node is None:
        return ()
    items: List[exp.Expression] = list(node.expressions)
    return tuple(ident(item) for item in items
                 if isinstance(item, (exp.Identifier, exp.Column, exp.Placeholder)))


def _reference_details(
    reference: Optional[exp.Reference], foreign_key: Optional[exp.ForeignKey] = None
) -> dict:
    """Referenced columns and the clauses (ON DELETE/UPDATE, MATCH, DEFERRABLE) of a
    REFERENCES, for ``reference_columns`` / ``reference_options``."""
    if reference is None:
        return {}
    target = reference.this
    columns = _columns(target) if isinstance(target, exp.Schema) else ()
    options = [str(option).upper() for option in reference.args.get("options") or ()]
    if foreign_key is not None:
        for action in ("delete", "update"):
            if foreign_key.args.get(action):
                options.append(f"ON {action.upper()} {str(foreign_key.args[action]).upper()}")
        options += [str(option).upper() for option in foreign_key.args.get("options") or ()]
    return {"reference_columns": columns, "reference_options": tuple(options)}


def _expression_columns(expression: exp.Expression) -> Tuple[m.Ident, ...]:
    """The distinct columns an expression reads, in order (a CHECK's columns)."""
    seen = {}
    for column in expression.find_all(exp.Column):
        name = ident(column)
        seen.setdefault(name.key, name)
    return tuple(seen.values())


def check_expression(text: str, dialect: str) -> Optional[Tuple[str, Tuple[m.Ident, ...]]]:
    """A CHECK expression written as ``text``: its SQL and the columns it reads."""
    parsed = parse_statement(f"SELECT ({text})", dialect)
    if not isinstance(parsed.ast, exp.Select) or len(parsed.ast.expressions) != 1:
        return None
    expression = parsed.ast.expressions[0]
    expression = expression.this if isinstance(expression, exp.Paren) else expression
    return to_sql(expression, dialect), _expression_columns(expression)


def _set_config_calls(ast: exp.Expression) -> List[Tuple[str, str, bool]]:
    """``SELECT set_config('lock_timeout', '2s', false)``, PostgreSQL's function form of
    SET (``true``: SET LOCAL): (name, value, local) per call, or [] for any other query."""
    clauses = [key for key, value in ast.args.items() if value and key != "expressions"]
    if not isinstance(ast, exp.Select) or clauses or not ast.expressions:
        return []
    calls = []
    for call in ast.expressions:
        if isinstance(call, exp.Dot) and call.this.name.lower() == "pg_catalog":
            call = call.expression
        args = call.expressions if isinstance(call, exp.Anonymous) else []
        if call.name.lower() != "set_config" or len(args) != 3 or not all(
            isinstance(arg, exp.Literal) and arg.is_string for arg in args[:2]
        ):
            return []
        local = args[2]
        if isinstance(local, exp.Boolean):
            is_local = bool(local.this)
        elif isinstance(local, exp.Literal) and local.is_string:
            is_local = local.name.lower() in ("true", "t", "on", "yes", "y", "1")
        else:
            return []
        calls.append((args[0].name.lower(), args[1].name, is_local))
    return calls


def _index_details(constraint: exp.Expression, dialect: str) -> Dict[str, Any]:
    """A UNIQUE or PRIMARY KEY constraint's index parameters and DEFERRABLE clauses (its
    options, but for MySQL's index options such as INVISIBLE)."""
    parameters = constraint.args.get("include")
    include = parameters.args.get("include") if isinstance(parameters, exp.IndexParameters) else None
    options = constraint.args.get("options") or ()
    return {"include": tuple(ident(column) for column in include or ()),
            **_index_storage(constraint, dialect),
            "deferrable": tuple(str(option).upper() for option in options
                                if not isinstance(option, exp.IndexConstraintOption))}


def _index_storage(constraint: exp.Expression, dialect: str) -> Dict[str, Any]:
    """The WITH (...) storage parameters and USING INDEX TABLESPACE of a UNIQUE or PRIMARY
    KEY constraint, named as AddConstraint's fields."""
    parameters = constraint.args.get("include")
    if not isinstance(parameters, exp.IndexParameters):
        return {}
    return {"storage_parameters": tuple(to_sql(parameter, dialect) for parameter
                                        in parameters.args.get("with_storage") or ()),
            "tablespace": ident(parameters.args.get("tablespace"))}


def _column_index_storage(constraint: exp.Expression, dialect: str) -> Dict[str, Any]:
    """As _index_storage, for an inline UNIQUE or PRIMARY KEY: ColumnSpec's index_ fields.
    (PostgreSQL accepts no INCLUDE on a column constraint, though sqlglot reads one.)"""
    return {f"index_{name}": value for name, value in _index_storage(constraint, dialect).items()}


def _visibility_option(index: exp.Expression) -> Optional[str]:
    """MySQL's VISIBLE / INVISIBLE option of an index definition, as written; sqlglot
    cannot parse MariaDB's IGNORED (the token recogniser reads it)."""
    visible = next((option.args["visible"] for option in index.args.get("options") or ()
                    if isinstance(option, exp.IndexConstraintOption)
                    and option.args.get("visible") is not None), None)
    return None if visible is None else "VISIBLE" if visible else "INVISIBLE"


def _set_logged(action: exp.AlterSet) -> Optional[bool]:
    option = action.args.get("option")
    word = option.name.upper() if option is not None else ""
    return {"LOGGED": True, "UNLOGGED": False}.get(word)


def _read_tables(node: Optional[exp.Expression]) -> Tuple[m.ObjectName, ...]:
    if node is None:
        return ()
    ctes = {cte.alias_or_name.lower() for cte in node.find_all(exp.CTE)}
    return tuple(
        object_name(table) for table in node.find_all(exp.Table)
        if isinstance(table.this, exp.Identifier) and table.name.lower() not in ctes
    )


def _is_keyed(condition: exp.Expression) -> bool:
    """``id = 5``, ``id IN (1, 2)`` or ``code = 'x'``, or one range of a key (``id BETWEEN
    a AND b``, ``id > a AND id <= b``), possibly ANDed with more: a bounded set of rows
    named by key, as opposed to a predicate over the whole table."""
    if isinstance(condition, exp.Paren):
        return _is_keyed(condition.this)
    if isinstance(condition, exp.And):
        return _is_keyed(condition.this) or _is_keyed(condition.expression) or _is_key_range(
            condition.flatten())
    if isinstance(condition, exp.Between):
        return _is_key_column(condition.this) and _is_batch(
            condition.args.get("low"), condition.args.get("high"))
    if isinstance(condition, exp.EQ):
        sides = (condition.this, condition.expression)
        return any(_is_key_column(s) for s in sides) and any(
            isinstance(s, exp.Literal) or _is_literal_any(s) for s in sides
        )
    if isinstance(condition, exp.In):
        values = condition.expressions
        return _is_key_column(condition.this) and bool(values) and all(
            isinstance(v, exp.Literal) for v in values
        )
    return False


def _is_key_range(conditions: Iterator[exp.Expression]) -> bool:
    """Among ANDed ``conditions``, a lower and an upper bound of the same key column that
    make a batch."""
    lower: Dict[str, exp.Expression] = {}
    upper: Dict[str, exp.Expression] = {}
    for condition in conditions:
        if isinstance(condition, (exp.GT, exp.GTE, exp.LT, exp.LTE)) and _is_key_column(
                condition.this):
            below = isinstance(condition, (exp.LT, exp.LTE))
            (upper if below else lower)[condition.this.name.lower()] = condition.expression
    return any(_is_batch(lower[key], upper[key]) for key in lower.keys() & upper.keys())


# Wider literal key ranges are taken for the whole table (``BETWEEN 0 AND 9223372036854775807``).
_WIDEST_BATCH = 1_000_000


def _is_batch(low: Optional[exp.Expression], high: Optional[exp.Expression]) -> bool:
    """Bounds fixed before the statement runs (literals, parameters such as ``:last_id +
    1000``, a DO block's variables, which read as columns), not subqueries such as
    ``(SELECT max(id) FROM t)``; and, when both are numbers, at most _WIDEST_BATCH apart."""
    if low is None or high is None or _has_query(low) or _has_query(high):
        return False
    if isinstance(low, exp.Literal) and isinstance(high, exp.Literal) and not (
            low.is_string or high.is_string):
        try:
            return float(high.this) - float(low.this) <= _WIDEST_BATCH
        except ValueError:
            return True
    return True


def _selects_no_rows(query: exp.Expression) -> bool:
    """The structure-only copy idiom: ``WHERE false``, ``WHERE 1 = 0`` or ``LIMIT 0``."""
    limit = query.args.get("limit")
    if isinstance(limit, exp.Limit) and isinstance(limit.expression, exp.Literal) and (
            limit.expression.this == "0"):
        return True
    where = query.args.get("where")
    condition = where.this if isinstance(where, exp.Where) else None
    if isinstance(condition, exp.Boolean):
        return not condition.this
    return (isinstance(condition, exp.EQ) and isinstance(condition.this, exp.Literal)
            and isinstance(condition.expression, exp.Literal)
            and condition.this != condition.expression)


def _has_query(node: exp.Expression) -> bool:
    return any(isinstance(n, exp.Query) for n in node.walk())


def _is_literal_any(node: exp.Expression) -> bool:
    """``ANY(ARRAY[1, 2])`` or ``ANY('{1,2}')`` (possibly cast): PostgreSQL's spelling of
    a literal IN list."""
    if not isinstance(node, exp.Any):
        return False
    inner = node.this
    while isinstance(inner, (exp.Paren, exp.Cast)):
        inner = inner.this
    if isinstance(inner, exp.Array):
        return bool(inner.expressions) and all(
            isinstance(v, exp.Literal) for v in inner.expressions)
    return isinstance(inner, exp.Literal) and inner.is_string and inner.name.startswith("{")


_KEY_COLUMN = re.compile(r"^(id|uuid|key|slug|code)$|_(id|uuid|key)$", re.I)


def _is_key_column(node: exp.Expression) -> bool:
    """A column that names rows by identity (``id``, ``account_id``, ``slug``), unlike
    ``state = 'paid'`` which can match most of a table."""
    return isinstance(node, exp.Column) and bool(_KEY_COLUMN.search(node.name))


def _schema_or_database_name(target: exp.Expression) -> m.Ident:
    # sqlglot keeps DROP SCHEMA's name in the table's ``db`` slot.
    return ident(target.args.get("db") or target.this)
