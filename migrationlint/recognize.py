"""A token-level recogniser for statements sqlglot keeps as ``exp.Command`` or rejects.

Each recogniser matches a statement's leading keywords and reads the rest with a
small cursor over sqlglot's tokens, so offsets (and thus spans) stay exact.
Recognisers register by their leading words; the longest match wins.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union,
)

from sqlglot.tokens import Token, TokenType

from migrationlint import model as m
from migrationlint.parse import is_colon_placeholder, tokenize
from migrationlint.source import Region

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
    tokens = _split_command_string(tokens, text, dialect)
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


def _split_command_string(tokens: List[Token], text: str, dialect: str) -> List[Token]:
    """sqlglot's tokenizer keeps everything after a command word such as RENAME, LOCK
    or OPTIMIZE as one string token; tokenize that rest too, keeping offsets exact."""
    if len(tokens) != 2 or tokens[1].token_type != TokenType.STRING or (
        tokens[0].token_type not in (TokenType.COMMAND, TokenType.RENAME, TokenType.LOCK)
    ):
        return tokens
    offset = tokens[0].end + 1  # the string token's own offsets are not reliable
    rest = tokenize(text[offset:], dialect)
    if not rest:
        return tokens
    shifted = [
        Token(t.token_type, t.text, t.line, t.col, t.start + offset, t.end + offset, t.comments)
        for t in rest
    ]
    return [tokens[0]] + shifted


# How a token changes the nesting depth: a comma inside parentheses or brackets
# (ARRAY[1, 2], a[1:2]) does not separate clauses.
_NESTING = {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1,
            TokenType.L_BRACKET: 1, TokenType.R_BRACKET: -1}


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
        name = self._colon_placeholder()
        if name is not None:
            return name
        self.position += 1
        quoted = token.token_type == TokenType.IDENTIFIER
        return m.Ident(name=token.text, quoted=quoted)

    def _colon_placeholder(self) -> Optional[m.Ident]:
        """A ``:name`` or ``:"name"`` placeholder (a psql variable) at the cursor, consumed
        and named by its source text, quotes included (as normalize names sqlglot's
        Placeholder); None for anything else."""
        written = _written_placeholder(self.peek(), self.peek(1), self.text)
        if written is None:
            return None
        self.position += 2
        return m.Ident(name=written)

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


def _written_placeholder(colon: Token, name: Optional[Token], text: str) -> Optional[str]:
    """The source text of ``colon`` and the token right after it when the two make a
    placeholder (``:name``, ``:"name"``; a keyword too, as in ``:comment``); else None."""
    if colon.token_type != TokenType.COLON or name is None or name.start != colon.end + 1:
        return None
    written = text[colon.start:name.end + 1]
    return written if is_colon_placeholder(written) else None


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


@recognizer("SAVEPOINT")
@recognizer("RELEASE")
@recognizer("ROLLBACK", "TO")
@recognizer("ROLLBACK", "WORK", "TO")
@recognizer("ROLLBACK", "TRANSACTION", "TO", dialects=("postgres",))  # MySQL has no TRANSACTION here
@_safely
def savepoint(cursor: Cursor) -> Optional[List[m.Operation]]:
    """``SAVEPOINT x``, ``RELEASE [SAVEPOINT] x``, ``ROLLBACK [WORK | TRANSACTION] TO
    [SAVEPOINT] x``: work within the transaction block, which goes on, so they are not
    transaction control (sqlglot rejects the first two and reads the last as ROLLBACK)."""
    command = cursor.peek().text.upper()
    cursor.position = 1
    if command == "ROLLBACK":
        if not cursor.accept("WORK"):
            cursor.accept("TRANSACTION")
        cursor.expect("TO")
    if command != "SAVEPOINT" and cursor.peek(1) is not None:
        cursor.accept("SAVEPOINT")  # optional, unless it is the savepoint's name
    cursor.ident()
    if not cursor.done:
        return None
    return [m.RawStatement(span=cursor.statement_span(), keyword=_SAVEPOINT_KEYWORDS[command])]


_SAVEPOINT_KEYWORDS = {
    "SAVEPOINT": "SAVEPOINT", "RELEASE": "RELEASE SAVEPOINT", "ROLLBACK": "ROLLBACK TO SAVEPOINT",
}


# -- ALTER TABLE forms sqlglot keeps as Command -------------------------------
def _alter_table_head(cursor: Cursor) -> m.ObjectName:
    cursor.expect("ALTER", "TABLE")
    cursor.accept("IF", "EXISTS")
    cursor.accept("ONLY")
    return cursor.name()


# MySQL's ALTER TABLE words that start no PostgreSQL action. Only these are judged: an
# unknown word may be a psql variable or a template the file fills in before it runs.
MYSQL_ONLY_ALTER_TABLE_WORDS = frozenset(("MODIFY", "CHANGE", "ALGORITHM", "LOCK", "ENGINE"))


def mysql_alter_table_action(tokens: List[Token], text: str, spans: "Spans") -> Optional[Token]:
    """The first token of the first action of an ALTER TABLE that starts with one of
    MySQL's words PostgreSQL has no action for; None for any other statement."""
    cursor = Cursor(tokens, text, spans)
    if cursor.upper_words(2) != ["ALTER", "TABLE"] or cursor.upper_words(3)[2:] == ["ALL"]:
        return None  # ALTER TABLE ALL IN TABLESPACE names no table
    try:
        _alter_table_head(cursor)
    except _NoMatch:
        return None
    cursor.accept("*")
    return next((tokens[first] for first, _ in _top_level_clauses(cursor)
                 if tokens[first].text.upper() in MYSQL_ONLY_ALTER_TABLE_WORDS), None)


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
    # sqlglot's tokenizer reads PRIMARY KEY as one token.
    if kind is None and (cursor.accept("PRIMARY KEY") or cursor.accept("PRIMARY", "KEY")):
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


def _after_command_word(cursor: Cursor) -> Cursor:
    """Skip the leading command word (VACUUM, REINDEX, REFRESH); ``recognize`` has
    already split the rest of such statements into tokens."""
    cursor.position = 1
    return cursor


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


@recognizer("CREATE", "DOMAIN", dialects=("postgres",))
@_safely
def create_domain(cursor: Cursor) -> Optional[List[m.Operation]]:
    """A domain is a type (same namespace), so it is recorded as one: a constraint added
    to it later in the file checks no stored value."""
    cursor.expect("CREATE", "DOMAIN")
    return [m.CreateType(span=cursor.statement_span(), name=cursor.name())]


@recognizer("ALTER", "DOMAIN", dialects=("postgres",))
@_safely
def alter_domain_add_check(cursor: Cursor) -> Optional[List[m.Operation]]:
    """ALTER DOMAIN d ADD [CONSTRAINT c] CHECK (expression) [NOT VALID]; the other forms
    stay raw statements."""
    from migrationlint.normalize import check_expression  # normalize imports us

    cursor.expect("ALTER", "DOMAIN")
    domain = cursor.name()
    start = cursor.position
    cursor.expect("ADD")
    name = cursor.ident() if cursor.accept("CONSTRAINT") else None
    cursor.expect("CHECK")
    end = len(cursor.tokens) - (2 if _is(cursor.tokens[-1], TokenType.SEMICOLON) else 1)
    not_valid = [t.text.upper() for t in cursor.tokens[end - 1:end + 1]] == ["NOT", "VALID"]
    expression = _parenthesized_text(cursor, end - 2 if not_valid else end)
    checked = check_expression(expression, "postgres") if expression is not None else None
    if checked is None:
        return None
    cursor.position = end + 1
    return [m.AddDomainConstraint(span=cursor.span_from(start), domain=domain, name=name,
                                  expression_sql=checked[0], not_valid=not_valid)]


@recognizer("ALTER", "DOMAIN", dialects=("postgres",))
@_safely
def alter_domain_set_not_null(cursor: Cursor) -> Optional[List[m.Operation]]:
    cursor.expect("ALTER", "DOMAIN")
    domain = cursor.name()
    start = cursor.position
    cursor.expect("SET", "NOT", "NULL")
    if not _at_end(cursor):
        return None
    return [m.SetDomainNotNull(span=cursor.span_from(start), domain=domain)]


@recognizer("REINDEX", dialects=("postgres",))
@_safely
def reindex(cursor: Cursor) -> Optional[List[m.Operation]]:
    rest = _after_command_word(cursor)
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


@recognizer("LOCK", dialects=("postgres",))
@_safely
def lock_table(cursor: Cursor) -> Optional[List[m.Operation]]:
    """LOCK [TABLE] [ONLY] name [*] [, ...] [IN mode MODE] [NOWAIT]."""
    rest = _after_command_word(cursor)
    rest.accept("TABLE")
    tables = []
    while True:
        rest.accept("ONLY")
        tables.append(rest.name())
        if _is(rest.peek(), TokenType.STAR):
            rest.position += 1
        if not _is(rest.peek(), TokenType.COMMA):
            break
        rest.position += 1
    words = []
    if rest.accept("IN"):
        while not rest.done and rest.peek().text.upper() != "MODE":
            words.append(rest.peek().text.upper())
            rest.position += 1
        rest.expect("MODE")
    mode = " ".join(words) or "ACCESS EXCLUSIVE"  # LOCK's mode when none is given
    nowait = rest.accept("NOWAIT")
    return [m.LockTable(span=cursor.statement_span(), table=table, mode=mode, nowait=nowait)
            for table in tables]


@recognizer("RESET", dialects=("postgres",))
@_safely
def reset_setting(cursor: Cursor) -> Optional[List[m.Operation]]:
    """RESET name is SET name TO DEFAULT; RESET ALL gives the name "all"."""
    rest = _after_command_word(cursor)
    name = "all" if rest.accept("ALL") else rest.name().display.lower()
    return [m.SetSetting(span=cursor.statement_span(), name=name, value="DEFAULT")]


_VACUUM_WORDS = ("FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE")


@recognizer("VACUUM", dialects=("postgres",))
@_safely
def vacuum(cursor: Cursor) -> Optional[List[m.Operation]]:
    rest = _after_command_word(cursor)
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
    rest = _after_command_word(cursor)
    rest.expect("MATERIALIZED", "VIEW")
    concurrently = rest.accept("CONCURRENTLY")
    name = rest.name()
    return [m.RefreshMaterializedView(span=cursor.statement_span(), name=name,
                                      concurrently=concurrently)]


# -- moving relations to another tablespace (ALTER INDEX ... SET TABLESPACE is sqlglot's) --
@recognizer("ALTER", "MATERIALIZED", "VIEW", dialects=("postgres",))
@_safely
def alter_materialized_view_set_tablespace(cursor: Cursor) -> Optional[List[m.Operation]]:
    cursor.expect("ALTER", "MATERIALIZED", "VIEW")
    cursor.accept("IF", "EXISTS")
    name = cursor.name()
    start = cursor.position
    cursor.expect("SET", "TABLESPACE")
    tablespace = cursor.ident()
    if not _at_end(cursor):
        return None
    return [m.SetRelationTablespace(span=cursor.span_from(start), kind="materialized view",
                                    name=name, tablespace=tablespace)]


@recognizer("ALTER", "TABLE", "ALL", "IN", "TABLESPACE", dialects=("postgres",))
@recognizer("ALTER", "INDEX", "ALL", "IN", "TABLESPACE", dialects=("postgres",))
@recognizer("ALTER", "MATERIALIZED", "VIEW", "ALL", "IN", "TABLESPACE", dialects=("postgres",))
@_safely
def alter_all_in_tablespace(cursor: Cursor) -> Optional[List[m.Operation]]:
    """ALTER TABLE | INDEX | MATERIALIZED VIEW ALL IN TABLESPACE old [OWNED BY role, ...]
    SET TABLESPACE new [NOWAIT]."""
    cursor.expect("ALTER")
    if cursor.accept("MATERIALIZED", "VIEW"):
        kind = "materialized view"
    else:
        kind = cursor.ident().name.lower()  # TABLE or INDEX: the recognisers' leading words
    cursor.expect("ALL", "IN", "TABLESPACE")
    tablespace = cursor.ident()
    owners = []
    if cursor.accept("OWNED", "BY"):
        owners.append(cursor.ident())
        while _is(cursor.peek(), TokenType.COMMA):
            cursor.position += 1
            owners.append(cursor.ident())
    cursor.expect("SET", "TABLESPACE")
    new_tablespace = cursor.ident()
    nowait = cursor.accept("NOWAIT")
    if not _at_end(cursor):
        return None
    return [m.MoveAllInTablespace(span=cursor.statement_span(), kind=kind, tablespace=tablespace,
                                  new_tablespace=new_tablespace, owners=tuple(owners),
                                  nowait=nowait)]


def _at_end(cursor: Cursor) -> bool:
    """Nothing but the closing semicolon is left to read."""
    return cursor.done or (_is(cursor.peek(), TokenType.SEMICOLON) and cursor.peek(1) is None)


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
    # Named so reports and the corpus count say "DO"; the SQL statements of its body
    # follow, checked like the file's own.
    from migrationlint.plpgsql import do_block_operations  # it imports normalize, which imports us

    return [m.RawStatement(span=cursor.statement_span(), keyword="DO"),
            *do_block_operations(cursor.text, cursor.spans)]


@recognizer("COMMENT", "ON", dialects=("postgres",))
@recognizer("SECURITY", "LABEL", dialects=("postgres",))
def comment_or_security_label(cursor: Cursor) -> Optional[List[m.Operation]]:
    """``COMMENT ON ... IS`` and ``SECURITY LABEL [FOR provider] ON ... IS`` that sqlglot
    cannot read (a psql variable as the text, ``CONSTRAINT c ON t``; SECURITY LABEL at
    all): they only describe an object, so they are kept as raw statements. The text must
    end the statement: a string, NULL or a psql variable (``:'v'``, ``:"v"``, ``:v``)."""
    tokens = cursor.tokens[:-1] if _is(cursor.tokens[-1], TokenType.SEMICOLON) else cursor.tokens
    value = len(tokens) - 1
    if _is(tokens[value - 1], TokenType.COLON) and (_is(tokens[value], TokenType.STRING) or (
            _written_placeholder(tokens[value - 1], tokens[value], cursor.text))):
        value -= 1  # a psql variable (:comment too, a keyword as its name)
    elif not (_is(tokens[value], *_STRING_TOKENS) or _is_word(tokens[value], "NULL")):
        return None
    if value < 5 or not _is_word(tokens[value - 1], "IS"):
        return None
    keyword = "SECURITY LABEL" if _is_word(tokens[0], "SECURITY") else "COMMENT"
    return [m.RawStatement(span=cursor.statement_span(), keyword=keyword)]


# 'x', $$x$$, E'x' (sqlglot's byte string), N'x', U&'x'.
_STRING_TOKENS = (TokenType.STRING, TokenType.HEREDOC_STRING, TokenType.BYTE_STRING,
                  TokenType.NATIONAL_STRING, TokenType.UNICODE_STRING)


# -- MySQL / MariaDB ----------------------------------------------------------------
_MYSQL = ("mysql", "mariadb")


def _is(token: Optional[Token], *types: TokenType) -> bool:
    return token is not None and token.token_type in types


def _online_clause(cursor: Cursor, clauses: Dict[str, str]) -> bool:
    """Consume ``ALGORITHM [=] x`` or ``LOCK [=] x`` into ``clauses``."""
    for word in ("ALGORITHM", "LOCK"):
        if cursor.accept(word):
            cursor.accept("=")
            clauses[word.lower()] = cursor.ident().name.upper()
            return True
    return False


def _parenthesized(cursor: Cursor) -> List[str]:
    """The comma-separated items of a parenthesised list, as written."""
    if not _is(cursor.peek(), TokenType.L_PAREN):
        raise _NoMatch()
    cursor.position += 1
    items: List[str] = []
    depth, first = 0, cursor.peek()
    while not cursor.done:
        token = cursor.peek()
        if depth == 0 and _is(token, TokenType.COMMA, TokenType.R_PAREN):
            last = cursor.tokens[cursor.position - 1]
            items.append(cursor.text[first.start:last.end + 1])
            cursor.position += 1
            if token.token_type == TokenType.R_PAREN:
                return items
            first = cursor.peek()
            continue
        depth += _NESTING.get(token.token_type, 0)
        cursor.position += 1
    raise _NoMatch()


@recognizer("CREATE", "INDEX", dialects=_MYSQL)
@recognizer("CREATE", "UNIQUE", "INDEX", dialects=_MYSQL)
@recognizer("CREATE", "FULLTEXT", "INDEX", dialects=_MYSQL)
@recognizer("CREATE", "SPATIAL", "INDEX", dialects=_MYSQL)
@recognizer("CREATE", "OR", "REPLACE", dialects=("mariadb",))
@_safely
def mysql_create_index(cursor: Cursor) -> Optional[List[m.Operation]]:
    """CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX ... [USING t] [ALGORITHM=x] [LOCK=y]."""
    cursor.expect("CREATE")
    cursor.accept("OR", "REPLACE")
    unique = cursor.accept("UNIQUE")
    kind = next((k.lower() for k in ("FULLTEXT", "SPATIAL") if cursor.accept(k)), None)
    cursor.expect("INDEX")
    if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
    name = cursor.ident()
    method = cursor.ident().name.upper() if cursor.accept("USING") else None
    cursor.expect("ON")
    start = cursor.position
    table = cursor.name()
    span = cursor.span_from(start)
    columns = _parenthesized(cursor)
    clauses: Dict[str, str] = {}
    visibility = None
    while not cursor.done and not _is(cursor.peek(), TokenType.SEMICOLON):
        if cursor.accept("USING"):
            method = cursor.ident().name.upper()
        elif not _online_clause(cursor, clauses):
            word = _visibility(cursor)
            if word is None:
                cursor.position += 1  # COMMENT '...', KEY_BLOCK_SIZE, ...
            visibility = word or visibility
    operations: List[m.Operation] = [m.CreateIndex(
        span=span, table=table, name=name, columns_sql=tuple(columns), unique=unique,
        if_not_exists=if_not_exists, method=method, index_kind=kind, visibility=visibility,
    )]
    if clauses:
        operations.append(m.OnlineDdlClauses(span=span, table=table, **clauses))
    return operations


def _visibility(cursor: Cursor) -> Optional[str]:
    """The index visibility keyword at the cursor, consumed: MySQL's VISIBLE / INVISIBLE,
    MariaDB's IGNORED / NOT IGNORED; None for anything else (a COMMENT 'invisible' too)."""
    token = cursor.peek()
    if token is None or token.token_type == TokenType.STRING:
        return None
    for word in m.MYSQL_VISIBILITY_WORDS + m.MARIADB_VISIBILITY_WORDS:
        if cursor.accept(*word.split()):
            return word
    return None


@recognizer("DROP", "INDEX", dialects=_MYSQL)
@_safely
def mysql_drop_index(cursor: Cursor) -> Optional[List[m.Operation]]:
    """DROP INDEX name ON table [ALGORITHM=x] [LOCK=y] (sqlglot rejects the clauses)."""
    cursor.expect("DROP", "INDEX")
    if_exists = cursor.accept("IF", "EXISTS")
    start = cursor.position
    name = cursor.name()
    span = cursor.span_from(start)
    cursor.expect("ON")
    table = cursor.name()
    clauses: Dict[str, str] = {}
    while _online_clause(cursor, clauses):
        pass
    operations: List[m.Operation] = [drop_index_or_primary_key(span, name, table, if_exists)]
    if clauses:
        operations.append(m.OnlineDdlClauses(span=span, table=table, **clauses))
    return operations


def drop_index_or_primary_key(span, name: m.ObjectName, table: Optional[m.ObjectName],
                              if_exists: bool = False) -> m.Operation:
    """MySQL's DROP INDEX: the index named PRIMARY is the primary key, and dropping it
    copies the table like ALTER TABLE ... DROP PRIMARY KEY (it cannot be made invisible)."""
    if table is not None and name.name.name.upper() == "PRIMARY":
        return m.DropPrimaryKey(span=span, table=table)
    return m.DropIndex(span=span, name=name, table=table, if_exists=if_exists)


@recognizer("LOCK TABLES", dialects=_MYSQL)  # sqlglot's tokenizer keeps it one command word
@recognizer("LOCK", dialects=_MYSQL)
@_safely
def mysql_lock_tables(cursor: Cursor) -> Optional[List[m.Operation]]:
    """LOCK {TABLES | TABLE} name [[AS] alias] {READ [LOCAL] | [LOW_PRIORITY] WRITE} [, ...]."""
    rest = _after_command_word(cursor)
    if cursor.tokens[0].text.upper() == "LOCK" and not rest.accept("TABLE"):
        return None
    locks: List[m.Operation] = []
    while True:
        start = rest.position
        table = rest.name()
        span = rest.span_from(start)
        if rest.accept("AS") or not _is_word(rest.peek(), "READ", "WRITE", "LOW_PRIORITY"):
            rest.ident()  # the alias
        locks.append(m.LockTable(span=span, table=table, mode=_mysql_lock_mode(rest)))
        if not _is(rest.peek(), TokenType.COMMA):
            return locks if rest.done or _is(rest.peek(), TokenType.SEMICOLON) else None
        rest.position += 1


@recognizer("UNLOCK TABLES", dialects=_MYSQL)  # sqlglot's tokenizer keeps it one command word
@recognizer("UNLOCK", "TABLE", dialects=_MYSQL)  # the documented synonym sqlglot cannot parse
def mysql_unlock_tables(cursor: Cursor) -> Optional[List[m.Operation]]:
    """UNLOCK {TABLES | TABLE}: releases the session's LOCK TABLES locks."""
    if not (cursor.accept("UNLOCK TABLES") or cursor.accept("UNLOCK", "TABLE")):
        return None
    return [m.UnlockTables(span=cursor.statement_span())] if _at_end(cursor) else None


def _mysql_lock_mode(cursor: Cursor) -> str:
    if cursor.accept("READ"):
        return "READ LOCAL" if cursor.accept("LOCAL") else "READ"
    if cursor.accept("LOW_PRIORITY", "WRITE"):
        return "LOW_PRIORITY WRITE"
    cursor.expect("WRITE")
    return "WRITE"


@recognizer("OPTIMIZE", dialects=_MYSQL)
@_safely
def mysql_optimize_table(cursor: Cursor) -> Optional[List[m.Operation]]:
    cursor.expect("OPTIMIZE")
    cursor.accept("NO_WRITE_TO_BINLOG") or cursor.accept("LOCAL")
    cursor.expect("TABLE")
    operations: List[m.Operation] = []
    while True:
        start = cursor.position
        table = cursor.name()
        operations.append(
            m.TableMaintenance(span=cursor.span_from(start), table=table, action="optimize")
        )
        if not _is(cursor.peek(), TokenType.COMMA):
            return operations
        cursor.position += 1


_PARTITION_ACTIONS = (
    "ADD", "DROP", "COALESCE", "REORGANIZE", "REBUILD", "OPTIMIZE", "TRUNCATE", "EXCHANGE",
    "ANALYZE", "CHECK", "REPAIR", "DISCARD", "IMPORT",
)


@recognizer("ALTER", "TABLE", dialects=_MYSQL)
@recognizer("ALTER", "ONLINE", "TABLE", dialects=("mariadb", "mysql"))
@recognizer("ALTER", "IGNORE", "TABLE", dialects=_MYSQL)
@_safely
def mysql_alter_table(cursor: Cursor) -> Optional[List[m.Operation]]:
    """ALTER TABLE with clauses sqlglot cannot parse (CONVERT TO CHARACTER SET, partition
    maintenance, ADD CHECK, MariaDB ONLINE / WAIT n / NOWAIT). Those clauses become
    operations here; the rest of the statement, with them blanked out (offsets kept),
    goes back through sqlglot."""
    blank: List[Tuple[int, int]] = []
    clauses: Dict[str, str] = {}
    cursor.expect("ALTER")
    if cursor.accept("ONLINE"):
        clauses["lock"] = "NONE"
        blank.append(_token_range(cursor, cursor.position - 1, cursor.position - 1))
    elif cursor.accept("IGNORE"):
        blank.append(_token_range(cursor, cursor.position - 1, cursor.position - 1))
    cursor.expect("TABLE")
    table = cursor.name()
    wait_start = cursor.position
    if cursor.accept("NOWAIT"):
        clauses["wait"] = "0"
    elif cursor.accept("WAIT"):
        clauses["wait"] = cursor.ident().name
    if "wait" in clauses:
        blank.append(_token_range(cursor, wait_start, cursor.position - 1))
    operations: List[m.Operation] = []
    ordinary = 0
    blanked_commas = set()
    ignored: List[_IgnoredWord] = []
    clause_ranges = _top_level_clauses(cursor)
    clauses_after_command = False
    for number, (first, last) in enumerate(clause_ranges):
        cursor.position = first
        if first == last and operations and isinstance(operations[-1], m.PartitionChange):
            operation = None  # the next name of "DROP PARTITION p0, p1"
        else:
            operation = _mysql_alter_clause(cursor, table, clauses, last)
            if operation is None and m.partition_command(operations):
                clauses_after_command = True
        if operation is False:
            ordinary += 1  # sqlglot reads it below
            cursor.position = first
            if cursor.accept("RENAME", "AS"):  # sqlglot reads RENAME [TO] new_name only
                blank.append(_token_range(cursor, first + 1, first + 1))
                continue
            cursor.accept("ADD")
            ignored += _ignored_words(cursor, last)
            continue
        if operation is not None:
            operations.append(operation)
        blank.append(_clause_with_comma(cursor, first, last, blanked_commas))
    blank += [word.blank for word in ignored]
    if not blank:
        return None
    if ordinary:
        from migrationlint.normalize import reparsed_operations  # normalize imports us

        parsed = reparsed_operations(_blanked(cursor.text, blank), cursor.spans)
        if parsed is None:
            return None
        operations = _with_ignored_words(parsed, ignored) + operations
    if clauses:
        operations.append(m.OnlineDdlClauses(span=cursor.statement_span(), table=table, **clauses,
                                             after_partition_command=clauses_after_command))
    return operations or None


def _clause_with_comma(cursor: Cursor, first: int, last: int, used: set) -> Tuple[int, int]:
    """The character range of clause tokens ``first``..``last`` with one separating comma:
    the one before it, unless that is gone already (in ``used``) or there is none, else the
    one after it; so taking out every such range leaves a well-formed clause list."""
    comma = next((i for i in (first - 1, last + 1) if i not in used and 0 <= i < len(
        cursor.tokens) and cursor.tokens[i].token_type == TokenType.COMMA), None)
    if comma is None:
        return _token_range(cursor, first, last)
    used.add(comma)
    return _token_range(cursor, min(first, comma), max(last, comma))


def _token_range(cursor: Cursor, first: int, last: int) -> Tuple[int, int]:
    return cursor.tokens[first].start, cursor.tokens[last].end + 1


def _blanked(text: str, ranges: List[Tuple[int, int]]) -> str:
    """``text`` with ``ranges`` replaced by spaces, so every offset stays the same."""
    chars = list(text)
    for start, end in ranges:
        for index in range(start, end):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)


def _top_level_clauses(cursor: Cursor) -> List[Tuple[int, int]]:
    """Token index ranges (inclusive) of the comma-separated clauses from the cursor on."""
    ranges: List[Tuple[int, int]] = []
    depth, first = 0, cursor.position
    for index in range(cursor.position, len(cursor.tokens)):
        token = cursor.tokens[index]
        if depth == 0 and token.token_type in (TokenType.COMMA, TokenType.SEMICOLON):
            if index > first:
                ranges.append((first, index - 1))
            first = index + 1
        depth += _NESTING.get(token.token_type, 0)
    if first < len(cursor.tokens):
        ranges.append((first, len(cursor.tokens) - 1))
    return ranges


class _IgnoredWord(NamedTuple):
    """MariaDB's IGNORED / NOT IGNORED index option, which sqlglot cannot parse: the
    characters to blank out, and the region of the index definition that carries it."""

    blank: Tuple[int, int]
    definition: Region
    word: str


_INDEX_WORDS = ("INDEX", "KEY", "UNIQUE", "FULLTEXT", "SPATIAL")


def _ignored_words(cursor: Cursor, last: int) -> List[_IgnoredWord]:
    """The IGNORED / NOT IGNORED options of the index definition ``[CONSTRAINT [name]]
    {INDEX | KEY | UNIQUE | FULLTEXT | SPATIAL} ...`` at the cursor, which ends at token
    ``last``; none when the tokens are not an index definition."""
    first = cursor.position
    if cursor.accept("CONSTRAINT") and not _is_word(cursor.peek(), *_INDEX_WORDS):
        cursor.position += 1  # the constraint's name
    if not _is_word(cursor.peek(), *_INDEX_WORDS):
        return []
    definition = cursor.spans.relative(cursor.tokens[first].start, cursor.tokens[last].end + 1)
    found, depth, after_columns = [], 0, False
    while cursor.position <= last:
        start = cursor.position
        if after_columns and depth == 0:
            word = _visibility(cursor)
            if word in m.MARIADB_VISIBILITY_WORDS:
                blank = _token_range(cursor, start, cursor.position - 1)
                found.append(_IgnoredWord(blank, definition, word))
            if cursor.position > start:
                continue
        token_type = cursor.peek().token_type
        depth += _NESTING.get(token_type, 0)
        # Options follow the column list: an index named "ignored" is not one.
        after_columns = after_columns or (depth == 0 and token_type == TokenType.R_PAREN)
        cursor.position += 1
    return found


def _is_word(token: Optional[Token], *words: str) -> bool:
    return token is not None and token.token_type != TokenType.IDENTIFIER and (
        token.text.upper() in words)


def _with_ignored_words(operations: List[m.Operation],
                        ignored: List[_IgnoredWord]) -> List[m.Operation]:
    """``operations`` read with the IGNORED words blanked out, each index given its word
    back: the index whose span lies in the definition that carried it."""
    def word_of(span: Region) -> Optional[str]:
        return next((found.word for found in ignored if _within(span, found.definition)), None)

    def restored(op: m.Operation) -> m.Operation:
        if isinstance(op, m.CreateTable):
            return op.replace(indexes=tuple(
                index.replace(visibility=word_of(index.span) or index.visibility)
                for index in op.indexes))
        if isinstance(op, (m.CreateIndex, m.AddConstraint)) and word_of(op.span):
            return op.replace(visibility=word_of(op.span))
        return op

    return [restored(op) for op in operations] if ignored else operations


def _added_partitioning(cursor: Cursor, last: int) -> str:
    """The partitioning ADD PARTITION's words show (PartitionChange.partitioning): RANGE
    and LIST partitions need VALUES, HASH and KEY ones take none. MariaDB's HISTORY
    partitions of a system-versioned table take none either, and, like a RANGE partition
    added at the end, receive rows from then on without moving any: judged like RANGE."""
    words = cursor.tokens[cursor.position:last + 1]
    return "range" if any(t.token_type == TokenType.VALUES or (
        t.token_type == TokenType.VAR and t.text.upper() == "HISTORY") for t in words) else "hash"


def _within(inner: Region, outer: Region) -> bool:
    return outer[:2] <= inner[:2] and inner[2:] <= outer[2:]


def _mysql_alter_clause(cursor: Cursor, table: m.ObjectName, clauses: Dict[str, str], last: int):
    """The operation for one clause sqlglot cannot parse; None when the clause only sets
    ``clauses``; False for an ordinary clause."""
    start = cursor.position
    span = cursor.spans.relative(cursor.tokens[start].start, cursor.tokens[last].end + 1)
    if _online_clause(cursor, clauses):
        return None
    if cursor.accept("CONVERT", "TO"):
        if not (cursor.accept("CHARACTER", "SET") or cursor.accept("CHARSET")):
            raise _NoMatch()
        charset = cursor.ident().name.lower()
        return m.TableOption(span=span, table=table, option="convert_charset", value=charset)
    if cursor.accept("REMOVE", "PARTITIONING"):
        return m.PartitionChange(span=span, table=table, action="remove_partitioning")
    if _is(cursor.peek(), TokenType.PARTITION_BY) or cursor.accept("PARTITION", "BY"):
        return m.PartitionChange(span=span, table=table, action="partition_by")
    for action in _PARTITION_ACTIONS:
        if cursor.accept(action, "PARTITION"):
            return m.PartitionChange(
                span=span, table=table, action=action.lower(),
                partitioning=_added_partitioning(cursor, last) if action == "ADD" else None)
    if cursor.accept("ALTER", "INDEX"):  # MariaDB: ALTER INDEX name [NOT] IGNORED
        name = cursor.ident()
        return m.AlterIndexVisibility(span=span, table=table, name=name,
                                      visibility=_visibility(cursor))
    if (cursor.accept("ADD", "INDEX") or cursor.accept("ADD", "KEY")) and cursor.accept("IF", "NOT", "EXISTS"):
        name = cursor.ident()
        return m.CreateIndex(span=span, table=table, name=name,
                             columns_sql=tuple(_parenthesized(cursor)), if_not_exists=True)
    cursor.position = start
    if cursor.accept("ADD"):  # ADD [CONSTRAINT [name]] CHECK (...)
        name = None
        upcoming = cursor.peek(1)
        if cursor.accept("CONSTRAINT") and upcoming is not None and upcoming.text.upper() != "CHECK":
            name = cursor.ident()
        if not cursor.accept("CHECK") or cursor.done:
            return False
        expression = cursor.text[cursor.peek().start:cursor.tokens[last].end + 1]
        return m.AddConstraint(
            span=span, table=table, kind="check", name=name, expression_sql=expression
        )
    return False


def online_ddl_shape(text: str, dialect: str) -> Optional[Tuple[m.ObjectName, str, Optional[int]]]:
    """For a MySQL ALTER TABLE, CREATE INDEX or DROP INDEX: its table, its text without the
    ALGORITHM=/LOCK= clauses (and without the final semicolon), and for ALTER TABLE where
    the action list starts in that text. None for other statements."""
    cursor = Cursor(tokenize(text, dialect), text, None)
    try:
        if cursor.accept("ALTER"):
            return _alter_shape(cursor)
        if cursor.accept("CREATE") or cursor.accept("DROP"):
            return _index_shape(cursor)
    except _NoMatch:
        return None
    return None


def _alter_shape(cursor: Cursor) -> Tuple[m.ObjectName, str, int]:
    cursor.accept("ONLINE") or cursor.accept("IGNORE")
    cursor.expect("TABLE")
    table = cursor.name()
    if not cursor.accept("NOWAIT") and cursor.accept("WAIT"):
        cursor.ident()
    if cursor.done:
        raise _NoMatch()
    head = cursor.text[:cursor.peek().start].strip()
    removed: List[Tuple[int, int]] = []
    used_commas: set = set()
    for first, last in _top_level_clauses(cursor):
        cursor.position = first
        while _online_clause(cursor, {}):
            pass
        if cursor.position > last:  # the clause is only ALGORITHM= / LOCK=
            removed.append(_clause_with_comma(cursor, first, last, used_commas))
    return table, _without(cursor.text, removed), len(head) + 1


def _index_shape(cursor: Cursor) -> Tuple[m.ObjectName, str, None]:
    """CREATE [OR REPLACE] [UNIQUE|FULLTEXT|SPATIAL] INDEX ... ON t (...) ... / DROP INDEX i ON t."""
    cursor.accept("OR", "REPLACE")
    any(cursor.accept(kind) for kind in ("UNIQUE", "FULLTEXT", "SPATIAL"))
    cursor.expect("INDEX")
    cursor.accept("IF", "NOT", "EXISTS") or cursor.accept("IF", "EXISTS")
    cursor.name()
    if cursor.accept("USING"):
        cursor.ident()
    cursor.expect("ON")
    table = cursor.name()
    removed: List[Tuple[int, int]] = []
    depth = 0
    while not cursor.done:
        start = cursor.position
        if depth == 0 and _online_clause(cursor, {}):
            removed.append(_token_range(cursor, start, cursor.position - 1))
            continue
        depth += _NESTING.get(cursor.peek().token_type, 0)
        cursor.position += 1
    return table, _without(cursor.text, removed), None


def _without(text: str, ranges: List[Tuple[int, int]]) -> str:
    """``text`` without the character ``ranges``, one space at each joint, no final ``;``."""
    pieces, previous = [], 0
    for start, end in sorted(ranges):
        pieces.append(text[previous:start])
        previous = end
    pieces.append(text[previous:])
    joined = ""
    for piece in (p.strip() for p in pieces if p.strip()):
        joined += piece if not joined or piece.startswith(",") else f" {piece}"
    return joined.rstrip(";").rstrip()


@recognizer("CREATE", "TABLE", dialects=_MYSQL)
@recognizer("CREATE", "TEMPORARY", "TABLE", dialects=_MYSQL)
@_safely
def mysql_create_table(cursor: Cursor) -> Optional[List[m.Operation]]:
    """CREATE TABLE with what sqlglot rejects: PARTITION BY KEY/HASH ..., and MariaDB's
    IGNORED / NOT IGNORED index option. The table is read without them (offsets kept),
    and its indexes get their IGNORED words back."""
    blank: List[Tuple[int, int]] = []
    partitioning = _partition_clause(cursor)
    if partitioning is not None:
        blank.append(partitioning)
    ignored = _create_table_ignored_words(cursor)
    blank += [word.blank for word in ignored]
    if not blank:
        return None
    from migrationlint.normalize import reparsed_operations  # normalize imports us

    operations = reparsed_operations(_blanked(cursor.text, blank), cursor.spans)
    return _with_ignored_words(operations, ignored) if operations else operations


def _partition_clause(cursor: Cursor) -> Optional[Tuple[int, int]]:
    """The character range from a top-level PARTITION BY to the end of the statement."""
    depth = 0
    for index, token in enumerate(cursor.tokens):
        depth += _NESTING.get(token.token_type, 0)
        is_partition = token.token_type == TokenType.PARTITION_BY or (
            token.text.upper() == "PARTITION" and index + 1 < len(cursor.tokens)
            and cursor.tokens[index + 1].text.upper() == "BY")
        if depth == 0 and is_partition:
            return token.start, cursor.tokens[-1].end + 1
    return None


def _create_table_ignored_words(cursor: Cursor) -> List[_IgnoredWord]:
    """The IGNORED / NOT IGNORED options of the indexes in the table's column list."""
    opening = next((i for i, t in enumerate(cursor.tokens) if t.token_type == TokenType.L_PAREN), None)
    if opening is None:
        return []
    found: List[_IgnoredWord] = []
    depth, first = 0, opening + 1
    for index in range(opening, len(cursor.tokens)):
        token_type = cursor.tokens[index].token_type
        depth += _NESTING.get(token_type, 0)
        if (depth == 1 and token_type == TokenType.COMMA) or depth == 0:
            cursor.position = first
            found += _ignored_words(cursor, index - 1)
            first = index + 1
        if depth == 0:
            return found
    return found


# -- stored programs: DDL sqlglot cannot split (BEGIN ... END bodies) ------------------
def _stored_program(cursor: Cursor) -> Optional[List[m.Operation]]:
    words = [t.text.upper() for t in cursor.tokens[:8]]
    kind = next((w for w in ("TRIGGER", "PROCEDURE", "FUNCTION", "EVENT") if w in words), None)
    if kind is None:
        return None
    return [m.RawStatement(span=cursor.statement_span(), keyword=f"CREATE {kind}")]


for _leading in (("CREATE", "TRIGGER"), ("CREATE", "PROCEDURE"), ("CREATE", "FUNCTION"),
                 ("CREATE", "EVENT"), ("CREATE", "DEFINER"), ("CREATE", "OR", "REPLACE")):
    recognizer(*_leading, dialects=_MYSQL)(_stored_program)


# -- PostgreSQL fallbacks: statements sqlglot reads only in part ----------------------
@recognizer("CREATE", "FUNCTION", dialects=("postgres",))
@recognizer("CREATE", "PROCEDURE", dialects=("postgres",))
@recognizer("CREATE", "OR", "REPLACE", dialects=("postgres",))
def postgres_standard_body_routine(cursor: Cursor) -> Optional[List[m.Operation]]:
    """A routine with a SQL-standard body (``BEGIN ATOMIC ... END``, 14+), which sqlglot
    rejects. The body runs only when the routine is called; any other routine sqlglot
    rejects stays a parse error."""
    words = [t.text.upper() for t in cursor.tokens]
    if not any(pair == ("BEGIN", "ATOMIC") for pair in zip(words, words[1:])):
        return None
    return _stored_program(cursor)


@recognizer("CREATE", "INDEX", dialects=("postgres",))
@recognizer("CREATE", "UNIQUE", "INDEX", dialects=("postgres",))
@_safely
def postgres_create_index(cursor: Cursor) -> Optional[List[m.Operation]]:
    """CREATE INDEX forms sqlglot rejects or keeps as a Command: ``ON ONLY parent``,
    ``NULLS [NOT] DISTINCT`` (15+), and the like."""
    cursor.expect("CREATE")
    unique = cursor.accept("UNIQUE")
    cursor.expect("INDEX")
    concurrently = cursor.accept("CONCURRENTLY")
    if_not_exists = cursor.accept("IF", "NOT", "EXISTS")
    name = None if cursor.accept("ON") else cursor.ident()
    if name is not None:
        cursor.expect("ON")
    only = cursor.accept("ONLY")
    start = cursor.position
    table = cursor.name()
    span = cursor.span_from(start)
    method = cursor.ident().name if cursor.accept("USING") else None
    columns = _parenthesized(cursor)
    where_sql = None
    nulls_not_distinct = nulls_distinct = False
    while not cursor.done:
        if cursor.accept("WHERE"):
            rest = cursor.peek()
            where_sql = cursor.text[rest.start:].strip() if rest is not None else None
            break
        if cursor.accept("NULLS", "NOT", "DISTINCT"):
            nulls_not_distinct = True
        elif cursor.accept("NULLS", "DISTINCT"):
            nulls_distinct = True
        else:
            cursor.position += 1  # INCLUDE (...), WITH (...), TABLESPACE x
    return [m.CreateIndex(
        span=span, table=table, name=name, columns_sql=tuple(columns), unique=unique,
        concurrently=concurrently, if_not_exists=if_not_exists, method=method,
        where_sql=where_sql, only=only, nulls_not_distinct=nulls_not_distinct,
        nulls_distinct=nulls_distinct,
    )]


@recognizer("ALTER", "TABLE", dialects=("postgres",))
@recognizer("CREATE", dialects=("postgres",))  # CREATE [TEMP | UNLOGGED ...] TABLE
def postgres_unique_nulls_distinct(cursor: Cursor) -> Optional[List[m.Operation]]:
    """A UNIQUE constraint (of a table or a column) with ``NULLS DISTINCT`` written out
    (15+), which sqlglot cannot parse: the statement read without the two words (offsets
    kept), which only state the default, and each constraint that wrote them marked.
    Registered before the ALTER TABLE fallback that reads actions one by one."""
    from migrationlint.normalize import normalize_statement  # normalize imports us

    found = _nulls_distinct_words(cursor)
    if not found:
        return None
    spans = cursor.spans
    normalized = normalize_statement(_blanked(cursor.text, [word.blank for word in found]),
                                     spans.start, spans.lines, "postgres")
    if normalized.error is not None:
        return None
    return [_with_nulls_distinct(op, found) for op in normalized.operations]


class _NullsDistinct(NamedTuple):
    """``UNIQUE NULLS DISTINCT``: the characters of NULLS DISTINCT, the region of the
    comma-separated definition that holds it, and that definition's first word (the
    column's name, for a column constraint in CREATE TABLE)."""

    blank: Tuple[int, int]
    definition: Region
    first_word: m.Ident


def _nulls_distinct_words(cursor: Cursor) -> List[_NullsDistinct]:
    tokens = cursor.tokens
    found = []
    for index in range(len(tokens) - 2):
        if _is_word(tokens[index], "UNIQUE") and _is_word(tokens[index + 1], "NULLS") and (
                _is_word(tokens[index + 2], "DISTINCT")):
            first, last = _definition_around(tokens, index)
            definition = cursor.spans.relative(tokens[first].start, tokens[last].end + 1)
            name = m.Ident(name=tokens[first].text,
                           quoted=tokens[first].token_type == TokenType.IDENTIFIER)
            found.append(_NullsDistinct(_token_range(cursor, index + 1, index + 2), definition,
                                        name))
    return found


def _definition_around(tokens: List[Token], index: int) -> Tuple[int, int]:
    """Token indexes (inclusive) of the comma-separated item, at its own nesting level,
    that holds token ``index``."""
    first = index
    depth = 0
    while first > 0:
        depth -= _NESTING.get(tokens[first - 1].token_type, 0)
        if depth < 0 or (depth == 0 and tokens[first - 1].token_type == TokenType.COMMA):
            break
        first -= 1
    last = index
    depth = 0
    while last + 1 < len(tokens):
        depth += _NESTING.get(tokens[last + 1].token_type, 0)
        if depth < 0 or (depth == 0 and tokens[last + 1].token_type in (
                TokenType.COMMA, TokenType.SEMICOLON)):
            break
        last += 1
    return first, last


def _with_nulls_distinct(op: m.Operation, found: List[_NullsDistinct]) -> m.Operation:
    """``op`` with NULLS DISTINCT given back to each constraint that wrote it: the one
    whose span lies in the definition that held the words."""
    if isinstance(op, m.CreateTable):
        return _table_with_nulls_distinct(op, found)
    if not any(_within(op.span, word.definition) for word in found):
        return op
    if isinstance(op, m.AddConstraint) and op.kind == "unique":
        return op.replace(nulls_distinct=True)
    if isinstance(op, m.AddColumn):
        return op.replace(column=op.column.replace(unique_nulls_distinct=True))
    return op


def _table_with_nulls_distinct(op: m.CreateTable, found: List[_NullsDistinct]) -> m.CreateTable:
    """Each table constraint by its span; a column, which keeps no span, by the name
    that starts a definition no table constraint was read from."""
    def wrote(index: m.TableIndex) -> bool:
        return any(_within(index.span, word.definition) for word in found)

    columns = {word.first_word.key for word in found
               if not any(_within(index.span, word.definition) for index in op.indexes)}
    return op.replace(
        indexes=tuple(index.replace(nulls_distinct=True) if wrote(index) else index
                      for index in op.indexes),
        columns=tuple(column.replace(unique_nulls_distinct=True)
                      if column.name.key in columns else column for column in op.columns))


@recognizer("ALTER", "TABLE", dialects=("postgres",))
@_safely
def postgres_alter_table_by_action(cursor: Cursor) -> Optional[List[m.Operation]]:
    """An ALTER TABLE that sqlglot cannot read as a whole because one action is
    unsupported (ATTACH PARTITION, ENABLE TRIGGER, SET STATISTICS, ...): read each
    comma-separated action on its own, so a hazardous action next to an unsupported
    one is still seen. Registered last, after the specific ALTER TABLE recognisers."""
    from migrationlint.normalize import action_operations  # normalize imports us

    table = _alter_table_head(cursor)
    actions = _top_level_clauses(cursor)
    if not actions:
        return None
    body_start, text_end = cursor.tokens[actions[0][0]].start, len(cursor.text)
    operations: List[m.Operation] = []
    for first, last in actions:
        start, end = _token_range(cursor, first, last)
        alone_text = _blanked(cursor.text, [(body_start, start), (end, text_end)])
        alone = action_operations(alone_text, cursor.spans, "postgres")
        if alone is None:
            return None  # a syntax error: the statement is reported as unparseable
        if not alone:
            alone = _check_action(cursor, table, first, last)
        if not alone:
            alone = _row_security(cursor, table, first, last)
        if not alone:
            alone = _set_expression(cursor, table, first, last)
        if not alone:
            span = cursor.spans.relative(cursor.tokens[first].start, cursor.tokens[last].end + 1)
            keyword = "ALTER TABLE " + cursor.tokens[first].text.upper()
            alone = [m.RawStatement(span=span, keyword=keyword)]
        operations += alone
    return operations


def _row_security(cursor: Cursor, table: m.ObjectName, first: int, last: int) -> List[m.Operation]:
    """``ENABLE | DISABLE | FORCE | NO FORCE ROW LEVEL SECURITY``; [] for other actions."""
    words = [t.text.upper() for t in cursor.tokens[first:last + 1]]
    if words[-3:] != ["ROW", "LEVEL", "SECURITY"] or " ".join(words[:-3]) not in (
        "ENABLE", "DISABLE", "FORCE", "NO FORCE"
    ):
        return []
    span = cursor.spans.relative(cursor.tokens[first].start, cursor.tokens[last].end + 1)
    return [m.SetRowSecurity(span=span, table=table, action=" ".join(words[:-3]).lower())]


def _set_expression(cursor: Cursor, table: m.ObjectName, first: int, last: int) -> List[m.Operation]:
    """``ALTER [COLUMN] c SET EXPRESSION AS (expression)`` (17+); [] for other actions."""
    from migrationlint.normalize import check_expression  # normalize imports us

    cursor.position = first
    if not cursor.accept("ALTER"):
        return []
    cursor.accept("COLUMN")
    column = cursor.ident()
    if not cursor.accept("SET", "EXPRESSION", "AS"):
        return []
    expression = _parenthesized_text(cursor, last)
    checked = check_expression(expression, "postgres") if expression is not None else None
    if checked is None:
        return []
    span = cursor.spans.relative(cursor.tokens[first].start, cursor.tokens[last].end + 1)
    return [m.SetGenerationExpression(span=span, table=table, column=column,
                                      expression_sql=checked[0])]


def _parenthesized_text(cursor: Cursor, last: int) -> Optional[str]:
    """The text inside the parentheses that open at the cursor and close at token
    ``last``; None for any other shape."""
    opening = cursor.position
    if not (_is(cursor.peek(), TokenType.L_PAREN) and _is(cursor.tokens[last], TokenType.R_PAREN)):
        return None
    if _closing_parenthesis(cursor.tokens, opening, last) != last:
        return None  # ``(a) + (b)``: the parentheses close before the end
    return _inside(cursor, opening, last)


def _inside(cursor: Cursor, opening: int, close: int) -> str:
    """The text between the tokens ``opening`` and ``close``."""
    return cursor.text[cursor.tokens[opening].end + 1:cursor.tokens[close].start]


def _check_action(cursor: Cursor, table: m.ObjectName, first: int, last: int) -> List[m.Operation]:
    """``ADD [CONSTRAINT name] CHECK (expression) [NO INHERIT] [NOT VALID]``, the two
    attributes in either order: sqlglot reads neither the unnamed form nor NO INHERIT.
    [] when the action has another shape."""
    from migrationlint.normalize import check_expression  # normalize imports us

    cursor.position = first
    name = _constraint_name(cursor) if cursor.accept("ADD") else False
    if name is False or not cursor.accept("CHECK") or not _is(cursor.peek(), TokenType.L_PAREN):
        return []
    opening = cursor.position
    close = _closing_parenthesis(cursor.tokens, opening, last)
    attributes = _check_attributes(cursor.tokens[close + 1:last + 1]) if close else None
    if attributes is None:
        return []
    checked = check_expression(_inside(cursor, opening, close), "postgres")
    if checked is None:
        return []
    expression_sql, columns = checked
    span = cursor.spans.relative(cursor.tokens[first].start, cursor.tokens[last].end + 1)
    return [m.AddConstraint(span=span, table=table, kind="check", name=name,
                            expression_sql=expression_sql, columns=columns,
                            not_valid="NOT VALID" in attributes,
                            no_inherit="NO INHERIT" in attributes)]


def _constraint_name(cursor: Cursor) -> Union[m.Ident, None, bool]:
    """After ADD: the name of ``CONSTRAINT name``, None without one, False for a name
    that cannot be read."""
    if not cursor.accept("CONSTRAINT"):
        return None
    try:
        return cursor.ident()
    except _NoMatch:
        return False


def _closing_parenthesis(tokens: List[Token], opening: int, last: int) -> Optional[int]:
    """The index of the token closing the parenthesis at ``opening``, at most ``last``."""
    depth = 0
    for index in range(opening, last + 1):
        depth += _NESTING.get(tokens[index].token_type, 0)
        if depth == 0:
            return index
    return None


def _check_attributes(tokens: List[Token]) -> Optional[List[str]]:
    """The ``NO INHERIT`` / ``NOT VALID`` after a CHECK's expression, each at most once;
    None for anything else."""
    words = [t.text.upper() for t in tokens]
    pairs = [" ".join(words[i:i + 2]) for i in range(0, len(words), 2)]
    if len(words) % 2 or len(set(pairs)) != len(pairs) or not set(pairs) <= {
        "NO INHERIT", "NOT VALID"
    }:
        return None
    return pairs
