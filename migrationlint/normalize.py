"""Turn one SQL statement into operations of the model (migrationlint.model).

sqlglot's AST covers most DDL; statements it keeps as ``exp.Command`` or cannot
parse go to the token-level recogniser (migrationlint.recognize).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

from sqlglot import exp

from migrationlint import model as m
from migrationlint.findings import Span
from migrationlint.parse import parse_statement, to_sql, tokenize
from migrationlint.recognize import recognize
from migrationlint.source import LineIndex
from migrationlint.volatility import classify

_SERIAL_TYPES = {
    exp.DataType.Type.SERIAL, exp.DataType.Type.BIGSERIAL, exp.DataType.Type.SMALLSERIAL,
}


@dataclass(frozen=True)
class Normalized:
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
    def statement(self) -> Span:
        return self.lines.span(self.start, self.end)

    def relative(self, start: int, end: int) -> Span:
        return self.lines.span(self.start + start, self.start + end)

    def of(self, node: Optional[exp.Expression]) -> Span:
        """The region covered by the identifiers and literals under ``node``."""
        starts, ends = [], []
        for child in node.walk() if node is not None else ():
            meta = child.meta if child._meta else None
            if meta and "start" in meta:
                starts.append(meta["start"])
                ends.append(meta["end"] + 1)
        if not starts:
            return self.statement
        return self.relative(min(starts), max(ends))


def normalize_statement(text: str, start: int, lines: LineIndex, dialect: str) -> Normalized:
    spans = Spans(lines, start, start + len(text))
    tokens = None
    if _leading_word(text) in _TRANSACTION_WORDS:
        # sqlglot reads PostgreSQL's START TRANSACTION as a column alias; decide by tokens.
        tokens = tokenize(text, dialect)
        recognized = recognize(tokens, text, dialect, spans)
        if recognized:
            return Normalized(tuple(recognized))
    parsed = parse_statement(text, dialect)
    if parsed.ast is not None and not isinstance(parsed.ast, exp.Command):
        return Normalized(tuple(_Converter(spans, dialect).convert(parsed.ast)))
    recognized = recognize(tokens or tokenize(text, dialect), text, dialect, spans)
    if recognized:
        return Normalized(tuple(recognized))
    if parsed.ast is not None:  # a Command nobody recognises: keep it as raw
        keyword = " ".join(text.split()[:2]).upper()
        return Normalized((m.RawStatement(span=spans.statement, keyword=keyword),))
    return Normalized((), parsed.error, parsed.error_offset)


_TRANSACTION_WORDS = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"}


def _leading_word(text: str) -> str:
    head = text.lstrip()[:12].split(None, 1)
    return head[0].rstrip(";").upper() if head else ""


def ident(node: Optional[exp.Expression]) -> Optional[m.Ident]:
    if node is None:
        return None
    if isinstance(node, exp.Column):
        node = node.this
    if isinstance(node, exp.Identifier):
        return m.Ident(name=node.this, quoted=bool(node.quoted))
    return m.Ident(name=node.name)


def object_name(table: exp.Expression) -> m.ObjectName:
    if isinstance(table, exp.Schema):
        table = table.this
    return m.ObjectName(name=ident(table.this), schema_=ident(table.args.get("db")))


class _Converter:
    def __init__(self, spans: Spans, dialect: str) -> None:
        self.spans = spans
        self.dialect = dialect

    def sql(self, node: exp.Expression) -> str:
        return to_sql(node, self.dialect)

    def convert(self, ast: exp.Expression) -> Iterator[m.Operation]:
        if isinstance(ast, exp.Alter) and (ast.args.get("kind") or "").upper() == "TABLE":
            yield from self.alter_table(ast)
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
        else:
            yield self.raw(ast)

    def raw(self, ast: exp.Expression) -> m.RawStatement:
        is_dml = isinstance(ast, (exp.Insert, exp.Update, exp.Delete, exp.Merge))
        keyword = ast.key.upper()
        return m.RawStatement(span=self.spans.statement, keyword=keyword, is_dml=is_dml)

    # -- ALTER TABLE -----------------------------------------------------
    def alter_table(self, ast: exp.Alter) -> Iterator[m.Operation]:
        table = object_name(ast.this)
        not_valid = bool(ast.args.get("not_valid"))
        for action in ast.args.get("actions") or ():
            yield from self.alter_action(table, action, not_valid)

    def alter_action(self, table: m.ObjectName, action: exp.Expression, not_valid: bool):
        span = self.spans.of(action)
        if isinstance(action, exp.RenameColumn):
            yield m.RenameColumn(
                span=span, table=table, column=ident(action.this), new_name=ident(action.args["to"])
            )
        elif isinstance(action, exp.ColumnDef):
            yield m.AddColumn(span=span, table=table, column=self.column_spec(action))
        elif isinstance(action, exp.Drop):
            yield from self.alter_drop(table, action)
        elif isinstance(action, exp.AlterColumn):
            yield from self.alter_column(table, action, span)
        elif isinstance(action, exp.AddConstraint):
            for constraint in action.expressions:
                yield self.add_constraint(table, constraint, not_valid)
        elif isinstance(action, exp.AlterRename):
            new_name = object_name(action.this)
            if new_name.schema_ is None and table.schema_ is not None:
                new_name = new_name.model_copy(update={"schema_": table.schema_})
            yield m.RenameTable(span=span, table=table, new_name=new_name)
        elif isinstance(action, exp.ModifyColumn):
            yield from self.modify_column(table, action, span)
        else:
            yield m.RawStatement(span=span, keyword=f"ALTER TABLE {action.key.upper()}")

    def alter_drop(self, table: m.ObjectName, action: exp.Drop) -> Iterator[m.Operation]:
        kind = (action.args.get("kind") or "").upper()
        for target in action.args.get("tables") or ():
            span = self.spans.of(target)
            if kind == "COLUMN":
                yield m.DropColumn(span=span, table=table, column=ident(target))
            elif kind == "CONSTRAINT":
                yield m.DropConstraint(span=span, table=table, name=ident(target.this))
            else:
                yield m.RawStatement(span=span, keyword=f"ALTER TABLE DROP {kind}")

    def alter_column(self, table: m.ObjectName, action: exp.AlterColumn, span: Span):
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

    def modify_column(self, table: m.ObjectName, action: exp.ModifyColumn, span: Span):
        """MySQL MODIFY/CHANGE: a possible rename plus a restated definition."""
        definition = action.this
        new_name = ident(definition.this)
        old_name = ident(action.args.get("rename_from")) or new_name
        if old_name.key != new_name.key:
            yield m.RenameColumn(span=span, table=table, column=old_name, new_name=new_name)
        spec = self.column_spec(definition)
        yield m.AlterColumnType(
            span=span, table=table, column=old_name, new_type_sql=spec.type_sql,
            not_null=spec.not_null,
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
                references=object_name(target) if target is not None else None, **fields,
            )
        if isinstance(constraint, (exp.PrimaryKey, exp.PrimaryKeyColumnConstraint)):
            return m.AddConstraint(kind="primary_key", columns=_columns(constraint), **fields)
        if isinstance(constraint, exp.UniqueColumnConstraint):
            return m.AddConstraint(kind="unique", columns=_columns(constraint.this), **fields)
        if isinstance(constraint, exp.CheckColumnConstraint):
            return m.AddConstraint(kind="check", expression_sql=self.sql(constraint.this), **fields)
        if isinstance(constraint, exp.ExcludeColumnConstraint):
            return m.AddConstraint(kind="exclude", **fields)
        return m.AddConstraint(kind=constraint.key, **fields)

    # -- CREATE / DROP ---------------------------------------------------
    def create(self, ast: exp.Create) -> Iterator[m.Operation]:
        kind = (ast.args.get("kind") or "").upper()
        span = self.spans.statement
        if kind == "TABLE" and isinstance(ast.this, exp.Schema):
            columns = tuple(
                self.column_spec(c) for c in ast.this.expressions if isinstance(c, exp.ColumnDef)
            )
            yield m.CreateTable(
                span=span, table=object_name(ast.this), columns=columns,
                if_not_exists=bool(ast.args.get("exists")),
            )
        elif kind == "TABLE":
            yield m.CreateTable(span=span, table=object_name(ast.this))
        elif kind == "INDEX" and isinstance(ast.this, exp.Index):
            yield self.create_index(ast)
        else:
            yield m.RawStatement(span=span, keyword=f"CREATE {kind}".strip())

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
            elif kind == "INDEX":
                yield m.DropIndex(
                    span=span, name=object_name(target),
                    concurrently=bool(ast.args.get("concurrently")),
                    if_exists=bool(ast.args.get("exists")),
                )
            else:
                yield m.RawStatement(span=span, keyword=f"DROP {kind}")

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
            fields.update(self.column_constraint(constraint.args.get("kind")))
        return m.ColumnSpec(**fields)

    def column_constraint(self, kind: Optional[exp.Expression]) -> dict:
        if isinstance(kind, exp.NotNullColumnConstraint):
            return {"not_null": not kind.args.get("allow_null")}
        if isinstance(kind, exp.DefaultColumnConstraint):
            volatility, unknown = classify(kind.this)
            default = m.ColumnDefault(
                sql=self.sql(kind.this), volatility=volatility, unknown_function=unknown
            )
            return {"default": default}
        if isinstance(kind, exp.PrimaryKeyColumnConstraint):
            return {"primary_key": True, "not_null": True}
        if isinstance(kind, exp.UniqueColumnConstraint):
            return {"unique": True}
        if isinstance(kind, exp.Reference):
            target = kind.this
            return {"references": object_name(target)}
        if isinstance(kind, exp.CheckColumnConstraint):
            return {"check_sql": self.sql(kind.this)}
        if isinstance(kind, exp.ComputedColumnConstraint):
            stored = bool(kind.args.get("persisted")) or self.dialect == "postgres"
            return {"generated_stored": stored, "generated_virtual": not stored}
        if isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
            return {"identity": True}
        if isinstance(kind, exp.AutoIncrementColumnConstraint):
            return {"auto_increment": True}
        return {}


def _columns(node: Optional[exp.Expression]) -> Tuple[m.Ident, ...]:
    if node is None:
        return ()
    items: List[exp.Expression] = list(node.expressions)
    return tuple(ident(item) for item in items if isinstance(item, (exp.Identifier, exp.Column)))
