"""Reading Python migration files statically with ``ast``: positions, literals, comments
and embedded SQL. The user's code is parsed, never imported or executed."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import replace
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple

from migrationlint import model as m
from migrationlint.context import Statement
from migrationlint.parse import without_colon
from migrationlint.readers.sql import PinnedLines, SqlChunk, sql_statements
from migrationlint.readers.templating import Masks, mask_word, unmask
from migrationlint.source import Region, SourceFile
from migrationlint.splitter import Comment
from migrationlint.versions import Version

# Returned by ``literal`` for anything that is not a plain Python literal.
UNKNOWN = object()
_STRING_PREFIX_CHARS = "rRbBuUfF"


def parse_python(text: str) -> ast.Module:
    """``ast.parse`` without letting the user's code warn on our stderr (Python 3.12+
    prints a SyntaxWarning for every invalid escape such as "\\d" in a plain string)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)


class PythonFile:
    """A parsed Python source with offset helpers (ast columns are UTF-8 byte offsets)."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.text = source.text
        self.lines = source.lines
        self.tree = parse_python(self.text)
        self.constants = _module_string_constants(self.tree)

    def offset(self, lineno: int, col_bytes: int) -> int:
        line = self.lines.line_text(lineno)
        column = col_bytes if line.isascii() else len(
            line.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore")
        )
        return self.lines.offset(lineno, column + 1)

    def bounds(self, node: ast.AST) -> Tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset),
                self.offset(node.end_lineno, node.end_col_offset))

    def span(self, node: ast.AST) -> Region:
        return self.lines.span(*self.bounds(node))

    def comments(self) -> Tuple[Comment, ...]:
        """``#`` comments, for suppressions (``# migrationlint: ignore ML103``)."""
        found = []
        try:
            for token in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if token.type == tokenize.COMMENT:
                    start = self.lines.offset(token.start[0], token.start[1] + 1)
                    found.append(Comment(start, start + len(token.string), token.string))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            pass
        return tuple(found)

    def string_node(self, node: Optional[ast.AST]) -> Optional[ast.Constant]:
        """The string literal ``node`` is, or names through a module-level constant."""
        if isinstance(node, ast.Name):
            node = self.constants.get(node.id)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node
        return None

    def embedded_sql(
        self, node: ast.Constant, holder: ast.AST, dialect: str, version: Version,
        first_index: int,
    ) -> SqlChunk:
        """Statements of the SQL in string literal ``node``. Spans point into the literal
        when its source text is the SQL character for character; otherwise (escapes,
        implicit concatenation) they all point at ``holder``, the op call."""
        start, end = self.bounds(node)
        segment = self.text[start:end]
        body = segment.lstrip(_STRING_PREFIX_CHARS)
        quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
        content_start = start + (len(segment) - len(body)) + len(quote)
        parameters = BindParameters(node.value, dialect)
        if body.endswith(quote) and body[len(quote):len(body) - len(quote)] == node.value:
            chunk = sql_statements(parameters.masked, dialect, version, self.lines,
                                   content_start, first_index,
                                   holder_line=self.span(holder).line)
        else:
            chunk = self._pinned_sql(parameters.masked, holder, dialect, version, first_index)
        return SqlChunk([parameters.restore(s) for s in chunk.statements], chunk.comments)

    def f_string_sql(
        self, node: ast.JoinedStr, holder: ast.AST, dialect: str, version: Version,
        first_index: int,
    ) -> SqlChunk:
        """Statements of the SQL in f-string ``node``, each ``{expression}`` a
        placeholder that names show as written; spans point at ``holder``."""
        sql, fields = format_fields_masked(node)
        parameters = BindParameters(sql, dialect, fields)
        chunk = self._pinned_sql(parameters.masked, holder, dialect, version, first_index)
        return SqlChunk([parameters.restore(s) for s in chunk.statements], chunk.comments)

    def _pinned_sql(self, sql: str, holder: ast.AST, dialect: str, version: Version,
                    first_index: int) -> SqlChunk:
        at = self.bounds(holder)
        span = self.lines.span(*at)
        return sql_statements(sql, dialect, version, PinnedLines(span), 0, first_index,
                              pinned_at=at, holder_line=span.line)


def format_field(node: ast.expr) -> str:
    """How a name or SQL part that ``node`` computes is shown: as its f-string field."""
    return "{" + ast.unparse(node) + "}"


def format_fields_masked(node: ast.JoinedStr) -> Tuple[str, Masks]:
    """An f-string's text with each ``{expression}`` masked by a word of its length, so
    the SQL around it parses, and the (mask, field) pairs that put the fields back."""
    pieces: List[str] = []
    masks: List[Tuple[str, str]] = []
    for part in node.values:
        if isinstance(part, ast.FormattedValue):
            field = format_field(part.value)
            masks.append((mask_word(len(masks), len(field)), field))
            pieces.append(masks[-1][0])
        elif isinstance(part, ast.Constant):
            pieces.append(str(part.value))
    return "".join(pieces), tuple(masks)


class BindParameters:
    """Bind parameters in embedded SQL: ``:name`` (SQLAlchemy ``text()``), ``%(name)s`` and
    ``%s`` (DB-API pyformat, Django ``RunSQL`` params). sqlglot reads them all on
    PostgreSQL but writes ``:name`` back as ``%(name)s``, and rejects the pyformat ones on
    MySQL; so pyformat is masked there with same-length ``:name``/``?`` (offsets stay
    exact), and operations get the SQL back in the user's own spelling. A parameter where
    a name belongs (``ALTER TABLE :t``, or a ``?``) leaves the operation unknown, not named
    after it. ``fields``: the (mask, field) pairs of f-string fields already masked in
    ``sql`` (format_fields_masked), put back the same way."""

    def __init__(self, sql: str, dialect: str, fields: Masks = ()) -> None:
        self.names: Set[str] = set()
        # (as sqlglot writes it back, as the user wrote it), longest first.
        self.spellings: List[Tuple[str, str]] = list(fields)
        self.masks: List[Tuple[str, str]] = list(fields)  # (mask, original) for Statement.text
        pieces, last = [], 0
        for match in _SKIPPED_OR_BIND.finditer(sql):
            colon, named, positional = match.group("colon", "named", "positional")
            if colon:
                self.names.add(colon)
                self.spellings.append((f"%({colon})s", f":{colon}"))
            elif named or positional:
                self.names.add(named or "?")
                if dialect != "postgres":
                    # Spaces first: a statement never starts with a parameter, so its
                    # text keeps every mask whole.
                    mask = f"   :{named}" if named else " ?"
                    pieces += [sql[last:match.start()], mask]
                    last = match.end()
                    self.masks.append((mask, match.group()))
                    self.spellings.append((f":{named}" if named else "?", match.group()))
        self.masked = "".join(pieces) + sql[last:]
        self.spellings.sort(key=lambda pair: -len(pair[0]))

    def restore(self, statement: Statement) -> Statement:
        text = statement.text
        for mask, original in self.masks:
            text = text.replace(mask, original)
        operations = tuple(self._operation(op) for op in statement.operations)
        return replace(statement, text=text, operations=operations)

    def _operation(self, op: m.Operation) -> m.Operation:
        is_dml = isinstance(op, m.DataChange) or getattr(op, "is_dml", False)
        if not is_dml and any(without_colon(name.name) in self.names or name.name == "?"
                              for name in _idents(op)):
            return m.RawStatement(span=op.span, keyword="SQL with a bind parameter for a name")
        return unmask(op, tuple(self.spellings))


def _idents(value: Any) -> Iterator[m.Ident]:
    """Every identifier inside an operation."""
    if isinstance(value, m.Ident):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _idents(item)
    elif isinstance(value, m.Record):
        for name in value.field_names:
            yield from _idents(getattr(value, name))


# Quoted text and comments (skipped), else a bind parameter.
_SKIPPED_OR_BIND = re.compile(
    r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"]|"")*"|`[^`]*`|--[^\n]*|/\*.*?\*/"""
    r"|\$(?P<tag>\w*)\$.*?\$(?P=tag)\$|::"
    r"|(?<![:\w]):(?P<colon>[A-Za-z_]\w*)|%\((?P<named>\w+)\)s|(?P<positional>%s)",
    re.DOTALL,
)


class CallArgs:
    """A call's arguments by parameter name, for a known positional signature."""

    def __init__(self, call: ast.Call, positional: Sequence[str]) -> None:
        self.call = call
        self.nodes: Dict[str, ast.AST] = {}
        for name, node in zip(positional, call.args):
            self.nodes[name] = node
        self.extra = list(call.args[len(positional):])
        for keyword in call.keywords:
            if keyword.arg is not None:
                self.nodes[keyword.arg] = keyword.value

    def node(self, name: str) -> Optional[ast.AST]:
        return self.nodes.get(name)

    def has(self, name: str) -> bool:
        return name in self.nodes

    def value(self, name: str, default: Any = None) -> Any:
        node = self.nodes.get(name)
        if node is None:
            return default
        value = literal(node)
        return default if value is UNKNOWN else value

    def text(self, name: str) -> Optional[str]:
        value = self.value(name)
        return value if isinstance(value, str) else None


def literal(node: ast.AST) -> Any:
    """The value of a literal expression (strings, numbers, lists, dicts...), else UNKNOWN."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN


def call_name(node: ast.AST) -> Optional[str]:
    """The last name of a call's function: ``sa.String(50)`` → ``String``."""
    func = node.func if isinstance(node, ast.Call) else node
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for attribute chains, '' otherwise."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _module_string_constants(tree: ast.Module) -> Dict[str, ast.Constant]:
    """``NAME = "..."`` (or ``NAME: str = "..."``) at module level: SQL is often kept in
    such constants."""
    constants: Dict[str, ast.Constant] = {}
    for statement in tree.body:
        name, value = assigned_name(statement)
        if name is not None and isinstance(value, ast.Constant) and isinstance(value.value, str):
            constants[name] = value
    return constants


def assigned_name(statement: ast.stmt) -> Tuple[Optional[str], Optional[ast.AST]]:
    """(name, value) of ``name = value`` or ``name: T = value``, else (None, None)."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target, value = statement.targets[0], statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        target, value = statement.target, statement.value
    else:
        return None, None
    return (target.id, value) if isinstance(target, ast.Name) else (None, None)


def syntax_error_statement(error: SyntaxError, source: SourceFile) -> Statement:
    """A statement carrying a Python syntax error, reported as a parse error."""
    line = min(max(error.lineno or 1, 1), source.lines.line_count)
    column = max(error.offset or 1, 1)
    start = source.lines.offset(line, 1)
    span = source.lines.span(start + column - 1, start + column)
    message = f"Python syntax error: {error.msg}"
    return Statement(0, start, start, span, "", (), message, span)
