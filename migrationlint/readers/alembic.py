"""Alembic migrations: the ``op.*`` calls of ``upgrade()``, read with ``ast``.

``downgrade()`` is not linted. Each op call becomes one statement whose span is the
call, so a finding points at the line of its op call; SQL passed to ``op.execute``
(a string, ``sa.text(...)`` or a module-level constant) goes through the SQL path.
Calls inside ``with op.get_context().autocommit_block():`` run outside the
migration's transaction; ``with op.batch_alter_table("t") as batch_op:`` supplies
the table to ``batch_op.*`` calls. Of an ``if`` on the database's dialect name, only the
branch the linted dialect takes is read; other conditions and loops are read as if each
branch ran once. A table computed at run time (a variable, an f-string) and the
``{...}`` fields of f-string SQL are placeholders written as the Python shows them.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from migrationlint import model as m
from migrationlint.context import Migration, Statement, mark_transactions
from migrationlint.readers.columns import default_from_sql, default_from_value, ident, object_name
from migrationlint.readers.python_source import (
    UNKNOWN, CallArgs, PythonFile, call_name, dotted, format_field, format_fields_masked,
    literal, syntax_error_statement,
)
from migrationlint.readers.sqlalchemy_core import core_data_change
from migrationlint.readers.templating import unmask
from migrationlint.source import SourceFile
from migrationlint.splitter import Comment
from migrationlint.versions import Version

# Positional parameters of the op functions; batch_op.* omit the table.
_SIGNATURES = {
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_foreign_key": ("constraint_name", "source_table", "referent_table", "local_cols",
                           "remote_cols"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "rename_table": ("old_table_name", "new_table_name"),
    "drop_table": ("table_name",),
    "create_table": ("table_name",),
    "execute": ("sqltext",),
    "bulk_insert": ("table", "rows"),
}
_TABLE_PARAMETERS = ("table_name", "source_table")

_TYPES = {
    "string": "varchar", "unicode": "varchar", "varchar": "varchar", "char": "char",
    "text": "text", "unicodetext": "text", "integer": "integer", "int": "integer",
    "biginteger": "bigint", "bigint": "bigint", "smallinteger": "smallint",
    "smallint": "smallint", "boolean": "boolean", "date": "date", "time": "time",
    "interval": "interval", "numeric": "numeric", "decimal": "numeric",
    "float": "double precision", "double": "double precision", "real": "real",
    "json": "json", "jsonb": "jsonb", "uuid": "uuid", "largebinary": "bytea",
    "bytea": "bytea", "inet": "inet", "citext": "citext",
}
_MYSQL_TYPES = {"integer": "int", "boolean": "tinyint(1)", "double precision": "double",
                "bytea": "blob", "uuid": "char(32)", "jsonb": "json"}


def read_alembic(source: SourceFile, dialect: str, version: Version) -> Migration:
    try:
        python = PythonFile(source)
    except SyntaxError as error:
        return Migration(source=source, dialect=dialect, target_version=version,
                         statements=[syntax_error_statement(error, source)])
    reader = _AlembicReader(python, dialect, version)
    # upgrade(), and the upgrade_<engine>() functions of the multi-database template.
    for name, function in reader.functions.items():
        if name == "upgrade" or name.startswith("upgrade_"):
            reader.function(name)
    return Migration(
        source=source, dialect=dialect, target_version=version,
        statements=mark_transactions(reader.statements),
        comments=python.comments() + tuple(reader.comments),
        # Alembic's env.py runs migrations inside a transaction where DDL is
        # transactional (PostgreSQL); on MySQL it does not (transactional_ddl=False).
        runner_transaction=dialect == "postgres", runner="alembic",
    )


class _AlembicReader:
    def __init__(self, python: PythonFile, dialect: str, version: Version) -> None:
        self.python = python
        self.dialect = dialect
        self.version = version
        self.op_names = _op_aliases(python.tree)
        self.statements: List[Statement] = []
        self.comments: List[Comment] = []
        # batch_op name → table, for the enclosing ``with op.batch_alter_table(...)``.
        self.batches: Dict[str, m.ObjectName] = {}
        self.autocommit = False
        # The migration's transaction the next op call runs in: Alembic commits before
        # an autocommit_block and begins a new transaction after it.
        self.transaction_part = 0
        # Said after the findings of the op call being read (set by the converters).
        self.note: Optional[str] = None
        # Module-level functions: upgrade() often calls helpers that hold the op calls.
        self.functions = {node.name: node for node in python.tree.body
                          if isinstance(node, ast.FunctionDef) and node.name != "downgrade"
                          and not node.name.startswith("downgrade_")}
        self.visited: Set[str] = set()
        # Variables assigned the database's dialect name (see dialect_test).
        self.dialect_variables: Set[str] = set()

    def function(self, name: str) -> None:
        if name not in self.visited:  # each once: no endless recursion
            self.visited.add(name)
            self.block(self.functions[name].body)

    # -- walking upgrade() ---------------------------------------------------
    def block(self, body: Sequence[ast.stmt]) -> None:
        for statement in body:
            if isinstance(statement, (ast.With, ast.AsyncWith)):
                self.with_block(statement)
            elif isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
                self.remember_dialect_variable(statement)
                if isinstance(statement.value, ast.Call):
                    self.call(statement.value)
            elif isinstance(statement, ast.If):
                self.if_statement(statement)
            elif isinstance(statement, (ast.For, ast.While, ast.Try)):
                # Conditional or repeated ops are linted as if they run once.
                for part in ("body", "orelse", "finalbody"):
                    self.block(getattr(statement, part, []))
                for handler in getattr(statement, "handlers", []):
                    self.block(handler.body)

    def if_statement(self, statement: ast.If) -> None:
        taken = self.dialect_test(statement.test)
        if taken is None:  # as for loops (see block()): both branches, as if each ran
            self.block(statement.body)
            self.block(statement.orelse)
        else:  # a branch on the database's dialect: the one the linted dialect takes
            self.block(statement.body if taken else statement.orelse)

    def remember_dialect_variable(self, statement: ast.stmt) -> None:
        """``name = op.get_bind().dialect.name``: ``name`` holds the dialect's name."""
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name) and self.is_dialect_name(statement.value):
                self.dialect_variables.add(target.id)

    def is_dialect_name(self, node: ast.AST) -> bool:
        """``<bind or context>.dialect.name``, or a variable holding it."""
        if isinstance(node, ast.Name):
            return node.id in self.dialect_variables
        return (isinstance(node, ast.Attribute) and node.attr == "name"
                and isinstance(node.value, ast.Attribute) and node.value.attr == "dialect")

    def dialect_test(self, test: ast.expr) -> Optional[bool]:
        """Whether an ``if`` on the dialect's name holds for the linted dialect: a
        comparison (see dialect_comparison), or ``not``, ``and``, ``or`` of tests; None
        when that depends on anything else."""
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self.dialect_test(test.operand)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            return _combined(isinstance(test.op, ast.And),
                             [self.dialect_test(value) for value in test.values])
        if isinstance(test, ast.Compare):
            return self.dialect_comparison(test)
        return None

    def dialect_comparison(self, test: ast.Compare) -> Optional[bool]:
        """Whether a comparison of the dialect's name (``==``, ``!=``, ``in``, ``not in``;
        the name on either side of ``==`` and ``!=``) holds for the linted dialect; None
        for any other comparison, and when the linted dialect may go by either name
        (MariaDB: "mariadb" or "mysql")."""
        if len(test.ops) != 1:
            return None
        operator, name, compared = test.ops[0], test.left, test.comparators[0]
        if isinstance(operator, (ast.Eq, ast.NotEq)) and self.is_dialect_name(compared):
            name, compared = compared, name  # "postgresql" == bind.dialect.name
        if not (isinstance(operator, (ast.Eq, ast.NotEq, ast.In, ast.NotIn))
                and self.is_dialect_name(name)):
            return None
        names = _compared_names(compared)
        ours = _SQLALCHEMY_DIALECT_NAMES[self.dialect]
        if names is None or (ours & names and not ours <= names):
            return None
        matches = ours <= names
        return matches if isinstance(operator, (ast.Eq, ast.In)) else not matches

    def with_block(self, statement: ast.With) -> None:
        saved_batches, saved_autocommit = dict(self.batches), self.autocommit
        recreated: List[Tuple[ast.Call, m.ObjectName]] = []
        for item in statement.items:
            context = item.context_expr
            name = call_name(context) if isinstance(context, ast.Call) else None
            if name == "autocommit_block":
                self.autocommit = True
                # A nested block commits nothing more. A block under if/for counts as run,
                # like every conditional op call (see block()).
                if not saved_autocommit:
                    self.transaction_part += 1
            elif name == "batch_alter_table" and isinstance(item.optional_vars, ast.Name):
                args = CallArgs(context, ("table_name", "schema", "recreate"))
                table = _table_name(args, "table_name")
                if table is not None:
                    self.batches[item.optional_vars.id] = table
                    # "auto", the default, recreates only on SQLite, which is not linted.
                    if args.value("recreate") == "always":
                        recreated.append((context, table))
        self.block(statement.body)
        self.batches, self.autocommit = saved_batches, saved_autocommit
        for call, table in recreated:
            self.table_copy(call, table)

    def table_copy(self, call: ast.Call, table: m.ObjectName) -> None:
        """What batch_alter_table(recreate="always") runs when its block ends: CREATE
        TABLE _alembic_tmp_<table> with the new definition, INSERT INTO it ... SELECT FROM
        the table, DROP TABLE the table, and a rename of the copy. The copy is the
        statement rules judge (a whole-table INSERT ... SELECT); the note says the rest."""
        copy = m.ObjectName(name=ident(f"_alembic_tmp_{table.name.name}"), schema_=table.schema_)
        name = table.name.name
        self.note = (
            f'batch_alter_table(recreate="always") copies {name} into {copy.name.name}, then '
            f"drops {name} and renames the copy to it: the DROP blocks every query on {name}, "
            "and rows written after the copy read them are lost; recreate=\"auto\", the "
            "default, runs plain ALTER TABLE statements on PostgreSQL and MySQL")
        self.add(call, (m.DataChange(span=self.python.span(call), table=copy, kind="insert_select",
                                     sources=(table,)),))

    def call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.functions:
            self.function(func.id)
            return
        if not isinstance(func, ast.Attribute):
            return
        receiver, method = dotted(func.value), func.attr
        if receiver in self.op_names:
            self.op_call(call, method, None)
        elif receiver in self.batches:
            self.op_call(call, method, self.batches[receiver])
        elif method == "execute":
            # conn.execute(...), op.get_bind().execute(...): SQL all the same.
            self.op_call(call, method, None)

    # -- one op call -----------------------------------------------------------
    def op_call(self, call: ast.Call, method: str, batch_table: Optional[m.ObjectName]) -> None:
        self.note = None
        signature = _SIGNATURES.get(method, ())
        if batch_table is not None:
            signature = tuple(p for p in signature if p not in _TABLE_PARAMETERS)
        args = CallArgs(call, signature)
        args.nodes = {name: _unwrap_f(node) for name, node in args.nodes.items()}
        if method == "execute":
            self.execute(call, args)
            return
        table = batch_table or self.table(args)
        span = self.python.span(call)
        converter = getattr(self, f"op_{method}", None)
        operations: List[m.Operation] = []
        if converter is not None and (table is not None or method in _TABLELESS):
            operations = list(converter(args, table, span))
        if not operations:
            is_dml = method == "bulk_insert"
            operations = [m.RawStatement(span=span, keyword=f"alembic op.{method}", is_dml=is_dml)]
        self.add(call, tuple(operations))

    def table(self, args: CallArgs) -> Optional[m.ObjectName]:
        for parameter in _TABLE_PARAMETERS:
            if args.has(parameter):
                return _table_name(args, parameter)
        return None

    def add(self, call: ast.Call, operations: Tuple[m.Operation, ...]) -> None:
        start, end = self.python.bounds(call)
        self.statements.append(Statement(
            len(self.statements), start, end, self.python.span(call),
            self.python.text[start:end], operations,
            runner_transaction=False if self.autocommit else None, note=self.note,
            transaction_part=self.transaction_part,
        ))

    def execute(self, call: ast.Call, args: CallArgs) -> None:
        node = args.node("sqltext") or args.node("statement")
        # sa.text("...").bindparams(...) / .execution_options(...): the SQL is the text's.
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr in _TEXT_METHODS
        ):
            node = node.func.value
        if isinstance(node, ast.Call) and call_name(node) in ("text", "DDL") and node.args:
            node = node.args[0]
        literal_node = self.python.string_node(node)
        if isinstance(node, ast.JoinedStr):
            chunk = self.python.f_string_sql(node, call, self.dialect, self.version,
                                             len(self.statements))
        elif literal_node is not None:
            chunk = self.python.embedded_sql(literal_node, call, self.dialect, self.version,
                                             len(self.statements))
        else:
            span = self.python.span(call)
            dynamic = (m.RawStatement(span=span, keyword="alembic op.execute (dynamic SQL)"),)
            self.add(call, core_data_change(node, self.python.tree, span, self.dialect,
                                            self.version) or dynamic)
            return
        for statement in chunk.statements:
            if self.autocommit:
                statement = replace(statement, runner_transaction=False)
            if self.transaction_part:
                statement = replace(statement, transaction_part=self.transaction_part)
            self.statements.append(statement)
        self.comments += chunk.comments

    # -- converters: (args, table, span) → operations ----------------------------
    def op_add_column(self, args, table, span) -> Iterator[m.Operation]:
        column = args.node("column")
        spec = self.column(column) if isinstance(column, ast.Call) else None
        if spec is not None:
            if spec.default is None and CallArgs(column, ()).has("default"):
                self.note = ("the Column's default= is applied by SQLAlchemy on INSERT, not by "
                             "the database; server_default= sets a database default")
            # Alembic adds the column bare and its ForeignKey as a constraint of its own
            # (ALTER TABLE ... ADD [CONSTRAINT name] FOREIGN KEY (...) REFERENCES ...).
            yield m.AddColumn(span=span, table=table, column=spec.replace(references=None))
            foreign_key = _column_extras(column).get("ForeignKey")
            if spec.references is not None and foreign_key is not None:
                yield _column_foreign_key(foreign_key, spec, table, span)

    def op_drop_column(self, args, table, span) -> Iterator[m.Operation]:
        name = args.text("column_name")
        if name:
            yield m.DropColumn(span=span, table=table, column=ident(name))

    def op_alter_column(self, args, table, span) -> Iterator[m.Operation]:
        name = args.text("column_name")
        if not name:
            return
        column = ident(name)
        if args.has("type_"):
            # Autogenerate writes the type the column has now as existing_type=.
            old_type = self.type_sql(args.node("existing_type")) or None
            yield m.AlterColumnType(span=span, table=table, column=column,
                                    new_type_sql=self.type_sql(args.node("type_")),
                                    using_sql=args.text("postgresql_using"),
                                    old_type_sql=old_type)
        # On MySQL Alembic writes MODIFY/CHANGE, which restates the whole column from the
        # arguments: NULL unless told otherwise, and no DEFAULT unless one is given.
        restated = self.dialect != "postgres" and _restates_column(args)
        nullable = args.value("nullable", UNKNOWN)
        if nullable is False:
            yield m.SetNotNull(span=span, table=table, column=column)
        elif nullable is True:
            yield m.DropNotNull(span=span, table=table, column=column)
        elif restated and not _given(args, "existing_nullable"):
            yield m.DropNotNull(span=span, table=table, column=column, kept_by="existing_nullable=")
        if args.has("server_default"):
            default = self.server_default(args.node("server_default"))
            if default is None:
                yield m.DropDefault(span=span, table=table, column=column)
            else:
                yield m.SetDefault(span=span, table=table, column=column, default_sql=default.sql)
        elif restated and not args.has("existing_server_default"):  # None: it has none
            yield m.DropDefault(span=span, table=table, column=column,
                                kept_by="existing_server_default=")
        new_name = args.text("new_column_name")
        if new_name:
            yield m.RenameColumn(span=span, table=table, column=column, new_name=ident(new_name))

    def op_create_index(self, args, table, span) -> Iterator[m.Operation]:
        name = args.text("index_name")
        columns = args.node("columns")
        items = columns.elts if isinstance(columns, (ast.List, ast.Tuple)) else [columns]
        yield m.CreateIndex(
            span=span, table=table, name=ident(name) if name else None,
            columns_sql=tuple(self.expression_sql(item) for item in items if item is not None),
            unique=args.value("unique") is True,
            concurrently=args.value("postgresql_concurrently") is True,
            if_not_exists=args.value("if_not_exists") is True,
            method=args.text("postgresql_using"),
            where_sql=self.sql_text(args.node("postgresql_where")),
        )

    def op_drop_index(self, args, table, span) -> Iterator[m.Operation]:
        name = args.text("index_name")
        if name:
            yield m.DropIndex(span=span, name=object_name(name, args.text("schema")), table=table,
                              concurrently=args.value("postgresql_concurrently") is True,
                              if_exists=args.value("if_exists") is True)

    def op_create_foreign_key(self, args, table, span) -> Iterator[m.Operation]:
        referent = args.text("referent_table")
        yield m.AddConstraint(
            span=span, table=table, kind="foreign_key", name=_optional_ident(args, "constraint_name"),
            columns=_idents(args.value("local_cols", [])),
            references=object_name(referent, args.text("referent_schema")) if referent else None,
            not_valid=args.value("postgresql_not_valid") is True,
        )

    def op_create_unique_constraint(self, args, table, span) -> Iterator[m.Operation]:
        yield m.AddConstraint(span=span, table=table, kind="unique",
                              name=_optional_ident(args, "constraint_name"),
                              columns=_idents(args.value("columns", [])))

    def op_create_primary_key(self, args, table, span) -> Iterator[m.Operation]:
        yield m.AddConstraint(span=span, table=table, kind="primary_key",
                              name=_optional_ident(args, "constraint_name"),
                              columns=_idents(args.value("columns", [])))

    def op_create_check_constraint(self, args, table, span) -> Iterator[m.Operation]:
        condition = args.node("condition")
        yield m.AddConstraint(span=span, table=table, kind="check",
                              name=_optional_ident(args, "constraint_name"),
                              expression_sql=self.sql_text(condition),
                              not_valid=args.value("postgresql_not_valid") is True)

    def op_drop_constraint(self, args, table, span) -> Iterator[m.Operation]:
        name = args.text("constraint_name")
        if name:
            yield m.DropConstraint(span=span, table=table, name=ident(name))

    def op_rename_table(self, args, table, span) -> Iterator[m.Operation]:
        old, new = args.text("old_table_name"), args.text("new_table_name")
        if old and new:
            schema = args.text("schema")
            yield m.RenameTable(span=span, table=object_name(old, schema),
                                new_name=object_name(new, schema))

    def op_drop_table(self, args, table, span) -> Iterator[m.Operation]:
        yield m.DropTable(span=span, table=table, if_exists=args.value("if_exists") is True)

    def op_create_table(self, args, table, span) -> Iterator[m.Operation]:
        columns = tuple(
            spec for spec in (self.column(node) for node in args.extra
                              if isinstance(node, ast.Call) and call_name(node) == "Column")
            if spec is not None
        )
        yield m.CreateTable(span=span, table=table, columns=columns,
                            if_not_exists=args.value("if_not_exists") is True)

    # -- SQLAlchemy expressions ------------------------------------------------------
    def column(self, node: ast.Call) -> Optional[m.ColumnSpec]:
        """``sa.Column("name", sa.Type(...), ..., nullable=, server_default=, ...)``."""
        if call_name(node) != "Column":
            return None
        args = CallArgs(node, ())
        positional = list(node.args)
        name_node = positional.pop(0) if positional else args.node("name")
        name = literal(name_node) if name_node is not None else UNKNOWN
        if not isinstance(name, str):
            return None
        type_node = next((p for p in positional if call_name(p) not in _COLUMN_EXTRAS), None)
        type_node = type_node or args.node("type_")
        extras = _column_extras(node)
        primary_key = args.value("primary_key") is True
        nullable = args.value("nullable", UNKNOWN)
        target = _foreign_key_target(extras["ForeignKey"]) if "ForeignKey" in extras else None
        references = object_name(target[0]) if target else None
        return m.ColumnSpec(
            name=ident(name), type_sql=self.type_sql(type_node) if type_node else "",
            not_null=nullable is False or (primary_key and nullable is not True),
            default=self.server_default(args.node("server_default"))
            if args.has("server_default") else None,
            primary_key=primary_key, unique=args.value("unique") is True, references=references,
            identity="Identity" in extras, generated_stored="Computed" in extras,
            auto_increment=args.value("autoincrement") is True and self.dialect != "postgres",
        )

    def server_default(self, node: Optional[ast.AST]) -> Optional[m.ColumnDefault]:
        if node is None:
            return None
        if isinstance(node, ast.Call) and call_name(node) in ("text", "literal_column") and node.args:
            sql = literal(node.args[0])
            return default_from_sql(sql, self.dialect) if isinstance(sql, str) else None
        if isinstance(node, ast.Call) and call_name(node) in ("true", "false"):
            return default_from_value(call_name(node) == "true")
        if isinstance(node, ast.Call) and dotted(node.func).split(".")[-2:-1] == ["func"]:
            return default_from_sql(f"{call_name(node)}()", self.dialect)
        value = literal(node)
        if value is UNKNOWN:
            return m.ColumnDefault(sql=ast.unparse(node), volatility="volatile",
                                   unknown_function=ast.unparse(node))
        return default_from_value(value)

    def type_sql(self, node: Optional[ast.AST]) -> str:
        """SQL for a SQLAlchemy type: ``sa.String(50)`` → ``varchar(50)``."""
        if node is None:
            return ""
        name = (call_name(node) if isinstance(node, ast.Call) else
                node.attr if isinstance(node, ast.Attribute) else
                node.id if isinstance(node, ast.Name) else "")
        args = CallArgs(node, ()) if isinstance(node, ast.Call) else None
        key = (name or "").lower()
        if key == "enum" and args is not None:
            values = [v for v in map(literal, node.args) if isinstance(v, str)]
            if self.dialect != "postgres" and values:
                return "enum(" + ", ".join(f"'{v}'" for v in values) + ")"
            return args.text("name") or "varchar"
        if key == "array" and isinstance(node, ast.Call) and node.args:
            return f"{self.type_sql(node.args[0])}[]"
        if key in ("datetime", "timestamp"):
            with_zone = args is not None and args.value("timezone") is True
            if self.dialect != "postgres":
                return "datetime"
            return "timestamp with time zone" if with_zone else "timestamp"
        sql = _TYPES.get(key, key)
        if self.dialect != "postgres":
            sql = _MYSQL_TYPES.get(sql, sql)
        sizes = [str(v) for v in (literal(a) for a in getattr(node, "args", [])) if isinstance(v, int)]
        if args is not None and not sizes:
            sizes = [str(args.value(k)) for k in ("length", "precision", "scale")
                     if isinstance(args.value(k), int)]
        return f"{sql}({', '.join(sizes)})" if sizes else sql

    def sql_text(self, node: Optional[ast.AST]) -> Optional[str]:
        """SQL given as a string or ``sa.text("...")``; None for a Python expression
        (``sa.column("x") > 0``), which is not SQL a rewrite could quote."""
        if isinstance(node, ast.Call) and call_name(node) == "text" and node.args:
            node = node.args[0]
        value = literal(node) if node is not None else UNKNOWN
        return value if isinstance(value, str) else None

    def expression_sql(self, node: Optional[ast.AST]) -> str:
        """SQL text of an index column or condition: a name, ``sa.text("...")``, or the
        Python expression as written when it is neither."""
        if node is None:
            return ""
        if isinstance(node, ast.Call) and call_name(node) == "text" and node.args:
            node = node.args[0]
        value = literal(node)
        return value if isinstance(value, str) else ast.unparse(node)


# SQLAlchemy's ``dialect.name`` for each linted dialect: MariaDB is "mariadb" through the
# mariadb:// URL scheme and "mysql" through mysql://.
_SQLALCHEMY_DIALECT_NAMES = {"postgres": {"postgresql"}, "mysql": {"mysql"},
                             "mariadb": {"mariadb", "mysql"}}
# Methods of sa.text() that return the same SQL with parameters or options attached.
_TEXT_METHODS = ("bindparams", "execution_options", "columns")
# Calls that are not an op's table argument but still need no table.
_TABLELESS = ("rename_table",)
# Positional arguments of sa.Column(...) that are not its type.
_COLUMN_EXTRAS = ("ForeignKey", "Identity", "Computed", "Sequence", "CheckConstraint")


def _op_aliases(tree: ast.Module) -> Tuple[str, ...]:
    """Names under which ``alembic.op`` is used: ``op`` unless imported ``as`` another."""
    names = {"op"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "alembic":
            names.update(alias.asname or alias.name for alias in node.names if alias.name == "op")
        elif isinstance(node, ast.Import):
            names.update(f"{alias.asname or alias.name}.op" for alias in node.names
                         if alias.name == "alembic")
    return tuple(names)


def _unwrap_f(node: ast.AST) -> ast.AST:
    """``op.f("ix_users_email")`` marks a name as final (no naming convention): the name."""
    if isinstance(node, ast.Call) and call_name(node) == "f" and len(node.args) == 1:
        return node.args[0]
    return node


def _column_extras(column: ast.Call) -> Dict[str, ast.Call]:
    """The ForeignKey(...), Identity(...), ... among a Column's positional arguments."""
    return {call_name(p): p for p in column.args if call_name(p) in _COLUMN_EXTRAS}


def _foreign_key_target(foreign_key: ast.Call) -> Optional[Tuple[str, str]]:
    """(table, column) of ``sa.ForeignKey("orgs.id")``; the table may be schema-qualified."""
    target = literal(foreign_key.args[0]) if foreign_key.args else UNKNOWN
    if isinstance(target, str) and "." in target:
        table, column = target.rsplit(".", 1)
        return table, column
    return None


def _column_foreign_key(foreign_key: ast.Call, spec: m.ColumnSpec, table: m.ObjectName,
                        span) -> m.AddConstraint:
    """The constraint Alembic adds for a new column's ``sa.ForeignKey(...)``."""
    args = CallArgs(foreign_key, ("column",))
    options = tuple(f"ON {action.upper()} {args.text(f'on{action}').upper()}"
                    for action in ("delete", "update") if args.text(f"on{action}"))
    target = _foreign_key_target(foreign_key)
    return m.AddConstraint(
        span=span, table=table, kind="foreign_key", name=_optional_ident(args, "name"),
        columns=(spec.name,), references=spec.references,
        reference_columns=(ident(target[1]),) if target else (), reference_options=options,
    )


def _table_name(args: CallArgs, parameter: str) -> Optional[m.ObjectName]:
    """The table a call names: a string, or a placeholder showing the expression that
    computes it (``{table}``, ``{prefix}_events``), which the rewrites write unquoted.
    A hazard such as a NOT NULL column without a default is one whatever the table."""
    node = args.node(parameter)
    name = args.text(parameter)
    if name is not None:
        return object_name(name, args.text("schema"))
    if isinstance(node, ast.JoinedStr):
        text = unmask(*format_fields_masked(node))
    elif isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
        text = format_field(node)
    else:
        return None
    schema = args.text("schema")
    return m.ObjectName(name=m.Ident(name=text, quoted=False),
                        schema_=ident(schema) if schema else None)


def _compared_names(node: ast.expr) -> Optional[Set[str]]:
    """The dialect names a comparison names: "postgresql", or ("mysql", "mariadb")."""
    value = literal(node)
    if isinstance(value, str):
        return {value}
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        return set(value)
    return None


def _combined(is_and: bool, operands: List[Optional[bool]]) -> Optional[bool]:
    """``and`` / ``or`` of tests, None for an operand that tests something else. One false
    operand makes an ``and`` false (one true an ``or`` true) whatever the others are, so
    ``name == "mysql" and not context.is_offline_mode()`` is known false on PostgreSQL."""
    deciding = not is_and
    if deciding in operands:
        return deciding
    return None if None in operands else not deciding


def _given(args: CallArgs, name: str) -> bool:
    """The argument is passed and not None (an expression counts as a value)."""
    return args.has(name) and args.value(name, UNKNOWN) is not None


def _restates_column(args: CallArgs) -> bool:
    """alter_column on MySQL writes MODIFY/CHANGE (not ALTER COLUMN ... SET DEFAULT)
    when the call renames the column or changes its type, nullability, autoincrement or
    comment (alembic.ddl.mysql.MySQLImpl.alter_column)."""
    return any(_given(args, name) for name in ("type_", "nullable", "new_column_name",
                                               "autoincrement")) or args.has("comment")


def _optional_ident(args: CallArgs, name: str) -> Optional[m.Ident]:
    value = args.text(name)
    return ident(value) if value else None


def _idents(values) -> Tuple[m.Ident, ...]:
    return tuple(ident(v) for v in values if isinstance(v, str)) if isinstance(
        values, (list, tuple)) else ()

