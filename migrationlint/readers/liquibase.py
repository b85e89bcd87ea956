"""Liquibase changelogs (XML, YAML, JSON) and formatted SQL changelogs.

Each change element becomes one statement whose operations point at the element's
line. ``<sql>`` bodies go through the SQL path (spans inside the body when the file
holds it verbatim, CDATA included). ``<rollback>`` and preconditions are not linted.
Each changeset runs in a transaction unless ``runInTransaction="false"``, and is its own
unit of work (``Statement.unit``): transactions and MySQL's one-DDL-per-migration rules
count per changeset. A changeset or ``<sql>`` whose ``dbms`` excludes the target
database is skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from migrationlint import model as m
from migrationlint.context import Migration, Statement, mark_transactions
from migrationlint.readers.changelog_tree import (
    ChangelogError, Node, parse_json, parse_xml, parse_yaml,
)
from migrationlint.readers.columns import default_from_sql, default_from_value, ident, object_name
from migrationlint.readers.conventions import blank
from migrationlint.readers.sql import PinnedLines, sql_statements
from migrationlint.source import Region, SourceFile
from migrationlint.sqlgen import qualified, quote
from migrationlint.splitter import Comment, quoted_and_commented
from migrationlint.versions import Version

_PARSERS = {".xml": parse_xml, ".yaml": parse_yaml, ".yml": parse_yaml, ".json": parse_json}
# Liquibase's names for the target databases.
_DBMS = {"postgres": ("postgresql",), "mysql": ("mysql",), "mariadb": ("mariadb", "mysql")}
_NOT_CHANGES = ("comment", "preConditions", "rollback", "validCheckSum", "tagDatabase")


def read_changelog(source: SourceFile, dialect: str, version: Version) -> Migration:
    parse = _PARSERS[os.path.splitext(source.path)[1].lower()]
    try:
        root, comments = parse(source)
    except ChangelogError as exc:
        return _unreadable(source, dialect, version, str(exc), exc.offset)
    reader = _ChangelogReader(source, dialect, version)
    for changeset in root.children:
        if changeset.name == "changeSet":
            reader.changeset(changeset)
    return Migration(
        source=source, dialect=dialect, target_version=version,
        statements=mark_transactions(reader.statements), comments=comments + tuple(reader.comments),
        runner_transaction=True, runner="liquibase",
    )


def _unreadable(source, dialect, version, message: str, offset: int) -> Migration:
    offset = min(max(offset, 0), len(source.text))
    span = source.lines.span(offset, min(offset + 1, len(source.text)))
    statement = Statement(0, offset, offset, span, "", (), message, span)
    return Migration(source=source, dialect=dialect, target_version=version,
                     statements=[statement], runner="liquibase")


def dbms_matches(value: Optional[str], dialect: str) -> bool:
    """Liquibase ``dbms`` filter: comma-separated names, ``all``, ``none``, ``!name``."""
    if value is None or not str(value).strip():
        return True
    names = [n.strip().lower() for n in str(value).split(",") if n.strip()]
    ours = _DBMS[dialect]
    if any(n.startswith("!") and n[1:] in ours for n in names):
        return False
    positive = [n for n in names if not n.startswith("!")]
    if not positive:
        return True
    return "all" in positive or any(n in ours for n in positive)


def _flag(node: Node, name: str) -> Optional[bool]:
    value = node.attrs.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _text(node: Node, name: str) -> Optional[str]:
    value = node.attrs.get(name)
    return str(value) if value is not None and str(value) != "" else None


def _unit(author: Optional[str], changeset_id: Optional[str], offset: int) -> str:
    """A changeset's name, ``author:id`` as Liquibase writes it (the offset when the
    changeset has neither)."""
    if author is None and changeset_id is None:
        return f"changeset at offset {offset}"
    return f"{author or ''}:{changeset_id or ''}"


def _names(value: Optional[str]) -> Tuple[m.Ident, ...]:
    return tuple(ident(n.strip()) for n in (value or "").split(",") if n.strip())


Blocks = Tuple[Tuple[int, int], ...]
# Liquibase counts a "/" delimiter only alone on its line: elsewhere it divides or opens a
# comment.
_SLASH_DELIMITER = re.compile(r"^[ \t]*/[ \t\r]*$", re.M)
_WORD_CHARACTER = re.compile(r"\w")


def as_sent(text: str, end_delimiter: Optional[str], split: bool,
            dialect: str) -> Tuple[str, Blocks]:
    """The SQL of a ``<sql>`` or formatted-SQL changeset as Liquibase sends it: ``text``
    with each ``endDelimiter`` written as ``;`` and blanks (same length and line breaks, so
    offsets stay exact), and the (start, end) ranges Liquibase sends as one statement each:
    the text between two delimiters, or all of it with ``splitStatements`` false. The
    splitter keeps a stored program in such a range whole, although its BEGIN ... END body
    holds semicolons."""
    whole = ((0, len(text)),)
    if not end_delimiter or end_delimiter == ";":
        return text, (() if split else whole)
    delimiters = list(_delimiter_spans(text, end_delimiter, dialect))
    sent = _semicolons_for(text, delimiters)
    if not split:
        return sent, whole
    starts = [0] + [end for _, end in delimiters]
    ends = [start for start, _ in delimiters] + [len(text)]
    return sent, tuple(zip(starts, ends))


def _semicolons_for(text: str, delimiters: List[Tuple[int, int]]) -> str:
    """``text`` with each delimiter blanked and a ``;`` on its first character that is not
    a space (a ``\\nGO`` delimiter keeps its line break, which may end a comment)."""
    pieces, last = [], 0
    for start, end in delimiters:
        delimiter = blank(text[start:end])
        mark = len(delimiter) - len(delimiter.lstrip()) if delimiter.strip() else 0
        pieces += [text[last:start], delimiter[:mark], ";", delimiter[mark + 1:]]
        last = end
    return "".join(pieces + [text[last:]])


def _delimiter_spans(text: str, end_delimiter: str, dialect: str) -> Iterator[Tuple[int, int]]:
    """Where Liquibase ends a statement (StringUtil.processMultiLineSQL): at a whole token
    matching ``endDelimiter``, case-insensitively, never inside a string or comment."""
    code = _code_only(text, dialect)
    for match in _delimiter_pattern(end_delimiter).finditer(code):
        if match.end() > match.start() and _whole_token(code, match.start(), match.end()):
            yield match.span()


def _delimiter_pattern(end_delimiter: str) -> re.Pattern:
    """Liquibase compares a one-character ``endDelimiter`` as it is and matches a longer
    one as a regular expression (``\\nGO``: GO first on its line); one that is not a valid
    regular expression is taken as it is."""
    if end_delimiter == "/":
        return _SLASH_DELIMITER
    if len(end_delimiter) > 1:
        try:
            return re.compile(end_delimiter, re.I)
        except re.error:
            pass
    return re.compile(re.escape(end_delimiter), re.I)


def _whole_token(code: str, start: int, end: int) -> bool:
    """The match is not part of a longer word: GO in ALGORITHM or GOTO is not a delimiter."""
    def joined(inside: int, outside: int) -> bool:
        return (0 <= outside < len(code) and _WORD_CHARACTER.match(code, inside) is not None
                and _WORD_CHARACTER.match(code, outside) is not None)
    return not joined(start, start - 1) and not joined(end - 1, end)


def _code_only(text: str, dialect: str) -> str:
    """``text`` with its strings, quoted names and comments blanked (offsets kept)."""
    pieces, last = [], 0
    for start, end in quoted_and_commented(text, dialect):
        pieces += [text[last:start], blank(text[start:end])]
        last = end
    return "".join(pieces + [text[last:]])


class _ChangelogReader:
    def __init__(self, source: SourceFile, dialect: str, version: Version) -> None:
        self.source = source
        self.dialect = dialect
        self.version = version
        self.statements: List[Statement] = []
        self.comments: List[Comment] = []
        self.in_transaction: Optional[bool] = None
        self.unit: Optional[str] = None

    def span(self, node: Node) -> Region:
        return self.source.lines.span(node.start, node.start + len(node.name) + 1)

    def changeset(self, changeset: Node) -> None:
        if not dbms_matches(_text(changeset, "dbms"), self.dialect):
            return
        self.in_transaction = False if _flag(changeset, "runInTransaction") is False else None
        self.unit = _unit(_text(changeset, "author"), _text(changeset, "id"), changeset.start)
        changes = changeset.child("changes")
        for change in (changes or changeset).children:
            if change.name not in _NOT_CHANGES:
                self.change(change)

    def change(self, node: Node) -> None:
        if not dbms_matches(_text(node, "dbms"), self.dialect):
            return
        if node.name == "sql":
            self.sql(node)
            return
        span = self.span(node)
        converter: Optional[Callable] = _CONVERTERS.get(node.name)
        operations = list(converter(self, node, span)) if converter is not None else []
        if not operations:
            is_dml = node.name in ("update", "insert", "delete", "loadData", "loadUpdateData")
            operations = [m.RawStatement(span=span, keyword=f"liquibase {node.name}", is_dml=is_dml)]
        end = node.end
        while end > node.start and self.source.text[end - 1].isspace():
            end -= 1  # a YAML block ends where the next item starts
        self.statements.append(Statement(
            len(self.statements), node.start, end, self.source.lines.span(node.start, end),
            self.source.text[node.start:end], tuple(operations),
            runner_transaction=self.in_transaction, unit=self.unit,
        ))

    def sql(self, node: Node) -> None:
        if not (node.text or "").strip():
            return
        text, blocks = as_sent(node.text, _text(node, "endDelimiter"),
                               _flag(node, "splitStatements") is not False, self.dialect)
        span = self.span(node)
        if node.text_offset is not None:
            chunk = sql_statements(text, self.dialect, self.version, self.source.lines,
                                   node.text_offset, len(self.statements), blocks=blocks,
                                   holder_line=span.line)
        else:
            at = (node.start, node.end)
            chunk = sql_statements(text, self.dialect, self.version, PinnedLines(span),
                                   0, len(self.statements), pinned_at=at, blocks=blocks,
                                   holder_line=span.line)
        self.statements += [replace(s, runner_transaction=self.in_transaction, unit=self.unit)
                            for s in chunk.statements]
        self.comments += chunk.comments

    # -- columns -----------------------------------------------------------------------
    def column(self, node: Node) -> Optional[m.ColumnSpec]:
        name = _text(node, "name")
        if name is None:
            return None
        constraints = node.child("constraints")
        nullable = _flag(constraints, "nullable") if constraints is not None else None
        primary_key = constraints is not None and _flag(constraints, "primaryKey") is True
        references = None
        if constraints is not None:
            target = _text(constraints, "referencedTableName") or _text(constraints, "references")
            if target:
                references = object_name(target.split("(", 1)[0].strip())
        return m.ColumnSpec(
            name=ident(name), type_sql=_text(node, "type") or "",
            not_null=nullable is False or primary_key, default=self.default(node),
            primary_key=primary_key,
            unique=constraints is not None and _flag(constraints, "unique") is True,
            references=references, auto_increment=_flag(node, "autoIncrement") is True,
        )

    def default(self, node: Node) -> Optional[m.ColumnDefault]:
        computed = _text(node, "defaultValueComputed")
        if computed:
            return default_from_sql(computed, self.dialect)
        for key in ("defaultValue", "defaultValueNumeric", "defaultValueDate"):
            if node.attrs.get(key) is not None:
                value = node.attrs[key]
                return default_from_value(value if key != "defaultValueNumeric" else _number(value))
        if node.attrs.get("defaultValueBoolean") is not None:
            return default_from_value(_flag(node, "defaultValueBoolean"))
        return None

    def table(self, node: Node, key: str = "tableName") -> Optional[m.ObjectName]:
        name = _text(node, key)
        return object_name(name, _text(node, "schemaName") or _text(node, "baseTableSchemaName")) if name else None


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return float(value)
        except (TypeError, ValueError):
            return value


# -- change converters: (reader, node, span) → operations ---------------------------------------
def _rename_column(r: _ChangelogReader, node: Node, span: Region) -> Iterator[m.Operation]:
    table, old, new = r.table(node), _text(node, "oldColumnName"), _text(node, "newColumnName")
    if table and old and new:
        yield m.RenameColumn(span=span, table=table, column=ident(old), new_name=ident(new))


def _rename_table(r, node, span):
    old, new = _text(node, "oldTableName"), _text(node, "newTableName")
    if old and new:
        schema = _text(node, "schemaName")
        yield m.RenameTable(span=span, table=object_name(old, schema), new_name=object_name(new, schema))


def _drop_column(r, node, span):
    table = r.table(node)
    names = [_text(node, "columnName")] + [_text(c, "name") for c in node.children if c.name == "column"]
    for name in filter(None, names):
        if table:
            yield m.DropColumn(span=span, table=table, column=ident(name))


def _drop_table(r, node, span):
    table = r.table(node)
    if table:
        yield m.DropTable(span=span, table=table)


def _add_not_null(r, node, span):
    table, column = r.table(node), _text(node, "columnName")
    if table and column:
        if _text(node, "defaultNullValue") is not None:
            # Liquibase first updates NULL rows to the value: a backfill in the migration.
            yield m.RawStatement(span=span, keyword="UPDATE", is_dml=True)
        yield m.SetNotNull(span=span, table=table, column=ident(column),
                           type_sql=_text(node, "columnDataType"))


def _drop_not_null(r, node, span):
    table, column = r.table(node), _text(node, "columnName")
    if table and column:
        yield m.DropNotNull(span=span, table=table, column=ident(column))


def _add_column(r, node, span):
    table = r.table(node)
    for child in node.children:
        spec = r.column(child) if child.name == "column" else None
        if table and spec is not None:
            yield m.AddColumn(span=span, table=table, column=spec)


def _create_table(r, node, span):
    table = r.table(node)
    if table:
        columns = tuple(filter(None, (r.column(c) for c in node.children if c.name == "column")))
        yield m.CreateTable(span=span, table=table, columns=columns)


def _modify_data_type(r, node, span):
    table, column, new_type = r.table(node), _text(node, "columnName"), _text(node, "newDataType")
    if table and column and new_type:
        yield m.AlterColumnType(span=span, table=table, column=ident(column), new_type_sql=new_type)
        if r.dialect != "postgres":
            # Liquibase writes MODIFY <column> <newDataType> alone on MySQL: the column's
            # NOT NULL and default are not restated, so MODIFY drops them.
            yield m.DropNotNull(span=span, table=table, column=ident(column), kept_by="modifyDataType")
            yield m.DropDefault(span=span, table=table, column=ident(column), kept_by="modifyDataType")


def _create_index(r, node, span):
    table = r.table(node)
    if table:
        name = _text(node, "indexName")
        columns = tuple(filter(None, (_text(c, "name") for c in node.children if c.name == "column")))
        yield m.CreateIndex(span=span, table=table, name=ident(name) if name else None,
                            columns_sql=columns, unique=_flag(node, "unique") is True)


def _drop_index(r, node, span):
    name = _text(node, "indexName")
    if name:
        yield m.DropIndex(span=span, name=object_name(name, _text(node, "schemaName")),
                          table=r.table(node))


def _add_foreign_key(r, node, span):
    table, referenced = r.table(node, "baseTableName"), _text(node, "referencedTableName")
    if table:
        name = _text(node, "constraintName")
        yield m.AddConstraint(
            span=span, table=table, kind="foreign_key", name=ident(name) if name else None,
            columns=_names(_text(node, "baseColumnNames")),
            references=object_name(referenced, _text(node, "referencedTableSchemaName"))
            if referenced else None,
            not_valid=_flag(node, "validate") is False,
        )


def _constraint(kind: str):
    def convert(r, node, span):
        table = r.table(node)
        if table:
            name = _text(node, "constraintName")
            yield m.AddConstraint(span=span, table=table, kind=kind,
                                  name=ident(name) if name else None,
                                  columns=_names(_text(node, "columnNames")))
    return convert


def _drop_constraint(table_key: str):
    def convert(r, node, span):
        table, name = r.table(node, table_key), _text(node, "constraintName")
        if table and name:
            yield m.DropConstraint(span=span, table=table, name=ident(name))
    return convert


def _data_change(kind: str):
    """``<update>`` / ``<delete>``: the UPDATE or DELETE Liquibase runs, read as SQL so it
    is judged as the same statement in a .sql file is (no ``<where>``: every row). A
    change whose SQL cannot be read stays a bare data change, not a parse error."""
    def convert(r, node, span):
        sql = _update_sql(r, node) if kind == "update" else _delete_sql(r, node)
        if sql is None:
            return
        chunk = sql_statements(sql, r.dialect, r.version, PinnedLines(span),
                               pinned_at=(node.start, node.end))
        for statement in chunk.statements:
            if statement.error is None:
                yield from (_with_where_as_written(op, node) for op in statement.operations)
    return convert


def _with_where_as_written(operation: m.Operation, node: Node) -> m.Operation:
    """The condition as the changelog writes it: sqlglot would print a ``:value``
    placeholder (filled from ``whereParams``) in its own dialect's style, ``%(value)s``."""
    where = _where(node)
    if isinstance(operation, m.DataChange) and where:
        return operation.replace(where_sql=where)
    return operation


def _update_sql(r: _ChangelogReader, node: Node) -> Optional[str]:
    table = r.table(node)
    assignments = [f"{quote(ident(name), r.dialect)} = {_value_sql(c)}"
                   for c in node.children if c.name == "column" and (name := _text(c, "name"))]
    if table is None or not assignments:
        return None
    return f"UPDATE {qualified(table, r.dialect)} SET {', '.join(assignments)}{_where_sql(node)}"


def _delete_sql(r: _ChangelogReader, node: Node) -> Optional[str]:
    table = r.table(node)
    return f"DELETE FROM {qualified(table, r.dialect)}{_where_sql(node)}" if table else None


def _where_sql(node: Node) -> str:
    """`` WHERE ...`` of an ``<update>`` or ``<delete>``, if it has a condition."""
    where = _where(node)
    return f" WHERE {where}" if where else ""


def _where(node: Node) -> Optional[str]:
    """The ``where`` attribute (YAML, JSON) or element (XML), if any."""
    element = node.child("where")
    return _text(node, "where") or (element.text.strip() if element and element.text else None)


def _value_sql(column: Node) -> str:
    """The SQL of an ``<update>`` column's value; NULL when it gives none, as Liquibase sets."""
    computed = _text(column, "valueComputed")
    if computed:
        return computed
    if column.attrs.get("valueBoolean") is not None:
        return default_from_value(_flag(column, "valueBoolean")).sql
    if column.attrs.get("valueNumeric") is not None:
        return str(column.attrs["valueNumeric"])
    value = column.attrs.get("value", column.attrs.get("valueDate"))
    return default_from_value(value).sql if value is not None else "NULL"


def _add_default(r, node, span):
    table, column = r.table(node), _text(node, "columnName")
    default = r.default(node)
    if table and column and default is not None:
        yield m.SetDefault(span=span, table=table, column=ident(column), default_sql=default.sql)


def _drop_default(r, node, span):
    table, column = r.table(node), _text(node, "columnName")
    if table and column:
        yield m.DropDefault(span=span, table=table, column=ident(column))


_CONVERTERS: Dict[str, Callable] = {
    "renameColumn": _rename_column, "renameTable": _rename_table, "dropColumn": _drop_column,
    "dropTable": _drop_table, "addNotNullConstraint": _add_not_null,
    "dropNotNullConstraint": _drop_not_null, "addColumn": _add_column,
    "createTable": _create_table, "modifyDataType": _modify_data_type,
    "createIndex": _create_index, "dropIndex": _drop_index,
    "addForeignKeyConstraint": _add_foreign_key,
    "addUniqueConstraint": _constraint("unique"), "addPrimaryKey": _constraint("primary_key"),
    "dropForeignKeyConstraint": _drop_constraint("baseTableName"),
    "dropUniqueConstraint": _drop_constraint("tableName"),
    "dropPrimaryKey": _drop_constraint("tableName"),
    "addDefaultValue": _add_default, "dropDefaultValue": _drop_default,
    "update": _data_change("update"), "delete": _data_change("delete"),
}


# -- formatted SQL ---------------------------------------------------------------------------
_CHANGESET = re.compile(r"^--\s*changeset\s+(?P<rest>[^\n]*)$", re.M | re.I)
_ATTRIBUTE = re.compile(r"(\w+):(\S+)")
# Liquibase's own comment lines. MySQL reads ``--`` as a comment only before a space, so
# ``--changeset a:1`` would reach the SQL; they are blanked (offsets kept) before splitting.
_DIRECTIVE = re.compile(
    r"^[ \t]*--[ \t]*(?:liquibase\s+formatted\s+sql|changeset|rollback|comment|preconditions?"
    r"|validCheckSum|ignoreLines|property|include)\b[^\n]*", re.M | re.I,
)


def read_formatted_sql(source: SourceFile, dialect: str, version: Version) -> Migration:
    """``--liquibase formatted sql`` with ``--changeset author:id attr:value`` sections;
    ``--rollback`` lines are not linted. Each changeset is split on its own, as Liquibase
    does, so its ``endDelimiter`` and ``splitStatements`` apply to it alone and a statement
    never runs on into the next changeset."""
    text = _DIRECTIVE.sub(lambda match: blank(match.group()), source.text)
    statements: List[Statement] = []
    comments: List[Comment] = []
    for start, end, unit, attributes in _sections(source.text):
        body, blocks = as_sent(text[start:end], attributes.get("endDelimiter"),
                               attributes.get("splitStatements", "").lower() != "false", dialect)
        chunk = sql_statements(body, dialect, version, source.lines, start, len(statements),
                               blocks=blocks)
        comments += chunk.comments
        if not dbms_matches(attributes.get("dbms"), dialect):
            continue
        in_transaction = False if attributes.get("runInTransaction", "").lower() == "false" else None
        statements += [replace(statement, runner_transaction=in_transaction, unit=unit)
                       for statement in chunk.statements]
    return Migration(
        source=source, dialect=dialect, target_version=version,
        statements=mark_transactions(statements), comments=tuple(comments),
        runner_transaction=True, runner="liquibase",
    )


def _sections(text: str) -> Iterator[Tuple[int, int, Optional[str], Dict[str, str]]]:
    """(start, end, unit, attributes) of the text before the first changeset and of each
    changeset, its header line included."""
    headers = list(_CHANGESET.finditer(text))
    starts = [0] + [match.start() for match in headers] + [len(text)]
    yield starts[0], starts[1], None, {}
    for number, match in enumerate(headers, 1):
        unit, attributes = _changeset_header(match.group("rest"))
        yield starts[number], starts[number + 1], unit, attributes


def _changeset_header(rest: str) -> Tuple[str, Dict[str, str]]:
    """``author:id attr:value ...`` -> (``author:id``, attributes)."""
    name = rest.split(None, 1)[0] if rest.strip() else ""
    return name, dict(_ATTRIBUTE.findall(rest)[1:])
