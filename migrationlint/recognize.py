"""A token-level recogniser for statements sqlglot keeps as ``exp.Command`` or rejects.

Each recogniser matches a statement's leading keywords and reads the rest with a
small cursor over sqlglot's tokens, so offsets (and thus spans) stay exact.
Recognisers register by their leading words; the longest match wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

from sqlglot.tokens import Token, TokenType

from migrationlint import model as m

if TYPE_CHECKING:
    from migrationlint.normalize import Spans

Recognizer = Callable[["Cursor"], Optional[List[m.Operation]]]
_RECOGNIZERS: Dict[str, List[Tuple[Tuple[str, ...], Recognizer]]] = {}


def recognizer(*leading: str, dialects: Sequence[str] = ("postgres", "mysql", "mariadb")):
    """Register a recogniser for statements starting with the words ``leading``."""

    def register(func: Recognizer) -> Recognizer:
        for dialect in dialects:
            _RECOGNIZERS.setdefault(dialect, []).append((tuple(leading), func))
        return func

    return register


def recognize(
    tokens: List[Token], text: str, dialect: str, spans: "Spans"
) -> Optional[List[m.Operation]]:
    if not tokens:
        return None
    cursor = Cursor(tokens, text, spans)
    words = cursor.upper_words(6)
    candidates = sorted(_RECOGNIZERS.get(dialect, ()), key=lambda item: -len(item[0]))
    for leading, func in candidates:
        if tuple(words[: len(leading)]) == leading:
            cursor.position = 0
            operations = func(cursor)
            if operations:
                return operations
    return None


class Cursor:
    """Walks tokens; ``accept`` consumes optional keywords, ``name`` reads object names."""

    def __init__(self, tokens: List[Token], text: str, spans: "Spans") -> None:
        self.tokens = tokens
        self.text = text
        self.spans = spans
        self.position = 0

    def upper_words(self, count: int) -> List[str]:
        return [token.text.upper() for token in self.tokens[:count]]

    @property
    def done(self) -> bool:
        return self.position >= len(self.tokens)

    def peek(self, ahead: int = 0) -> Optional[Token]:
        index = self.position + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def accept(self, *words: str) -> bool:
        """Consume ``words`` if they come next (case-insensitive)."""
        for offset, word in enumerate(words):
            token = self.peek(offset)
            if token is None or token.token_type == TokenType.IDENTIFIER or token.text.upper() != word:
                return False
        self.position += len(words)
        return True

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            raise _NoMatch()

    def ident(self) -> m.Ident:
        token = self.peek()
        if token is None or token.token_type in (TokenType.COMMA, TokenType.SEMICOLON, TokenType.L_PAREN):
            raise _NoMatch()
        self.position += 1
        quoted = token.token_type == TokenType.IDENTIFIER
        return m.Ident(name=token.text, quoted=quoted)

    def name(self) -> m.ObjectName:
        first = self.ident()
        if self.peek() is not None and self.peek().token_type == TokenType.DOT:
            self.position += 1
            return m.ObjectName(name=self.ident(), schema_=first)
        return m.ObjectName(name=first)

    def span_from(self, start_index: int):
        """Span of the tokens from ``start_index`` up to the last consumed one."""
        first = self.tokens[start_index]
        last = self.tokens[max(self.position - 1, start_index)]
        return self.spans.relative(first.start, last.end + 1)

    def statement_span(self):
        return self.spans.statement


class _NoMatch(Exception):
    """The statement does not have the shape a recogniser expected."""


def _safely(func: Recognizer) -> Recognizer:
    def wrapper(cursor: Cursor) -> Optional[List[m.Operation]]:
        try:
            return func(cursor)
        except _NoMatch:
            return None

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


# -- transaction control ------------------------------------------------------
def _transaction(action: str, *allowed_next: str) -> Recognizer:
    @_safely
    def recognise(cursor: Cursor) -> Optional[List[m.Operation]]:
        cursor.position = 1
        if not cursor.done and cursor.peek().text.upper() not in allowed_next:
            return None
        return [m.TransactionControl(span=cursor.statement_span(), action=action)]

    return recognise


recognizer("BEGIN")(_transaction("begin", "WORK", "TRANSACTION", "ISOLATION", "READ", "NOT", "DEFERRABLE"))
recognizer("START", "TRANSACTION")(_transaction("begin", "TRANSACTION"))
recognizer("COMMIT")(_transaction("commit", "WORK", "TRANSACTION", "AND"))
recognizer("END")(_transaction("commit", "WORK", "TRANSACTION"))
recognizer("ROLLBACK")(_transaction("rollback", "WORK", "TRANSACTION", "AND"))
recognizer("ABORT", dialects=("postgres",))(_transaction("rollback", "WORK", "TRANSACTION"))


# -- ALTER TABLE forms sqlglot keeps as Command -------------------------------
def _alter_table_head(cursor: Cursor) -> m.ObjectName:
    cursor.expect("ALTER", "TABLE")
    cursor.accept("IF", "EXISTS")
    cursor.accept("ONLY")
    return cursor.name()


@recognizer("ALTER", "TABLE", dialects=("postgres",))
@_safely
def alter_table_validate_or_using_index(cursor: Cursor) -> Optional[List[m.Operation]]:
    table = _alter_table_head(cursor)
    start = cursor.position
    if cursor.accept("VALIDATE", "CONSTRAINT"):
        name = cursor.ident()
        return [m.ValidateConstraint(span=cursor.span_from(start), table=table, name=name)]
    cursor.expect("ADD")
    name = cursor.ident() if cursor.accept("CONSTRAINT") else None
    kind = "unique" if cursor.accept("UNIQUE") else None
    if kind is None and cursor.accept("PRIMARY", "KEY"):
        kind = "primary_key"
    if kind is None:
        return None
    cursor.expect("USING", "INDEX")
    index = cursor.ident()
    return [
        m.AddConstraint(
            span=cursor.span_from(start), table=table, kind=kind, name=name, using_index=index
        )
    ]


# -- DROP INDEX a, b (a list sqlglot rejects) -------------------------------------
@recognizer("DROP", "INDEX", dialects=("postgres",))
@_safely
def drop_index_list(cursor: Cursor) -> Optional[List[m.Operation]]:
    cursor.expect("DROP", "INDEX")
    concurrently = cursor.accept("CONCURRENTLY")
    if_exists = cursor.accept("IF", "EXISTS")
    operations: List[m.Operation] = []
    while True:
        start = cursor.position
        name = cursor.name()
        operations.append(
            m.DropIndex(
                span=cursor.span_from(start), name=name, concurrently=concurrently,
                if_exists=if_exists,
            )
        )
        token = cursor.peek()
        if token is None or token.token_type != TokenType.COMMA:
            return operations
        cursor.position += 1


# -- MySQL RENAME TABLE a TO b, c TO d -------------------------------------------
@recognizer("RENAME", "TABLE", dialects=("mysql", "mariadb"))
@_safely
def rename_table(cursor: Cursor) -> Optional[List[m.Operation]]:
    cursor.expect("RENAME", "TABLE")
    operations: List[m.Operation] = []
    while True:
        start = cursor.position
        old = cursor.name()
        cursor.expect("TO")
        new = cursor.name()
        operations.append(m.RenameTable(span=cursor.span_from(start), table=old, new_name=new))
        token = cursor.peek()
        if token is None or token.token_type != TokenType.COMMA:
            return operations
        cursor.position += 1


# -- PostgreSQL utility statements (issue 3) ---------------------------------------
def _string(cursor: Cursor) -> str:
    """A string literal ('x' or $$x$$)."""
    token = cursor.peek()
    if token is None or token.token_type not in (TokenType.STRING, TokenType.HEREDOC_STRING):
        raise _NoMatch()
    cursor.position += 1
    return token.text


def _rest_as_tokens(cursor: Cursor) -> Cursor:
    """sqlglot tokenizes ``VACUUM ...``, ``REINDEX ...`` and ``REFRESH ...`` as one
    COMMAND token plus the rest as a string; re-tokenize the rest, keeping offsets."""
    from migrationlint.parse import tokenize  # parse imports nothing from here

    first = cursor.tokens[0]
    blanked = " " * (first.end + 1) + cursor.text[first.end + 1:]
    rest = Cursor(tokenize(blanked, "postgres"), cursor.text, cursor.spans)
    return rest


def _skip_parenthesised_options(cursor: Cursor) -> List[str]:
    """Read ``(FULL, ANALYZE)``-style option lists; returns the upper-cased words."""
    words: List[str] = []
    token = cursor.peek()
    if token is None or token.token_type != TokenType.L_PAREN:
        return words
    depth = 0
    while not cursor.done:
        token = cursor.peek()
        cursor.position += 1
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                break
        else:
            words.append(token.text.upper())
    return words


def _name_list(cursor: Cursor) -> List[m.ObjectName]:
    names = []
    while not cursor.done and cursor.peek().token_type != TokenType.SEMICOLON:
        names.append(cursor.name())
        # VACUUM t (col, ...) names columns to analyse: skip them.
        _skip_parenthesised_options(cursor)
        if cursor.peek() is None or cursor.peek().token_type != TokenType.COMMA:
            break
        cursor.position += 1
    return names


@recognizer("ALTER", "TYPE", dialects=("postgres",))
@_safely
def alter_enum_value(cursor: Cursor) -> Optional[List[m.Operation]]:
    cursor.expect("ALTER", "TYPE")
    type_name = cursor.name()
    span = cursor.statement_span()
    if cursor.accept("ADD", "VALUE"):
        if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
        value = _string(cursor)
        return [m.AddEnumValue(span=span, type_name=type_name, value=value,
                               if_not_exists=if_not_exists)]
    cursor.expect("RENAME", "VALUE")
    value = _string(cursor)
    cursor.expect("TO")
    new_value = _string(cursor)
    return [m.RenameEnumValue(span=span, type_name=type_name, value=value, new_value=new_value)]


@recognizer("REINDEX", dialects=("postgres",))
@_safely
def reindex(cursor: Cursor) -> Optional[List[m.Operation]]:
    rest = _rest_as_tokens(cursor)
    options = _skip_parenthesised_options(rest)
    target = rest.peek().text.lower() if rest.peek() is not None else ""
    if target not in ("index", "table", "schema", "database", "system"):
        return None
    rest.position += 1
    concurrently = rest.accept("CONCURRENTLY") or "CONCURRENTLY" in options
    start = rest.position
    name = rest.name() if not rest.done else None
    span = rest.span_from(start) if name is not None else cursor.statement_span()
    return [m.Reindex(span=span, target=target, name=name, concurrently=concurrently)]


_VACUUM_WORDS = ("FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE")


@recognizer("VACUUM", dialects=("postgres",))
@_safely
def vacuum(cursor: Cursor) -> Optional[List[m.Operation]]:
    rest = _rest_as_tokens(cursor)
    words = _skip_parenthesised_options(rest)
    while not rest.done and rest.peek().text.upper() in _VACUUM_WORDS:
        words.append(rest.peek().text.upper())
        rest.position += 1
    full = "FULL" in words and "FALSE" not in words[words.index("FULL") + 1:words.index("FULL") + 2]
    return [m.Vacuum(span=cursor.statement_span(), tables=tuple(_name_list(rest)), full=full)]


@recognizer("CLUSTER", dialects=("postgres",))
@_safely
def cluster(cursor: Cursor) -> Optional[List[m.Operation]]:
    cursor.expect("CLUSTER")
    _skip_parenthesised_options(cursor)
    cursor.accept("VERBOSE")
    if cursor.done:
        return [m.Cluster(span=cursor.statement_span())]
    table = cursor.name()
    index = cursor.ident() if cursor.accept("USING") else None
    return [m.Cluster(span=cursor.statement_span(), table=table, index=index)]


@recognizer("REFRESH", dialects=("postgres",))
@_safely
def refresh_materialized_view(cursor: Cursor) -> Optional[List[m.Operation]]:
    rest = _rest_as_tokens(cursor)
    rest.expect("MATERIALIZED", "VIEW")
    concurrently = rest.accept("CONCURRENTLY")
    name = rest.name()
    return [m.RefreshMaterializedView(span=cursor.statement_span(), name=name,
                                      concurrently=concurrently)]


@recognizer("ALTER", "TABLE", dialects=("postgres",))
@_safely
def alter_table_detach_partition(cursor: Cursor) -> Optional[List[m.Operation]]:
    table = _alter_table_head(cursor)
    start = cursor.position
    cursor.expect("DETACH", "PARTITION")
    partition = cursor.name()
    concurrently = cursor.accept("CONCURRENTLY")
    finalize = cursor.accept("FINALIZE")
    return [m.DetachPartition(span=cursor.span_from(start), table=table, partition=partition,
                              concurrently=concurrently, finalize=finalize)]


@recognizer("DO", dialects=("postgres",))
def do_block(cursor: Cursor) -> Optional[List[m.Operation]]:
    # Procedural code is not analysed; name it so reports and the corpus count say "DO".
    return [m.RawStatement(span=cursor.statement_span(), keyword="DO")]
