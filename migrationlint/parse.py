"""Parse one statement with sqlglot, turning every failure into data."""

from __future__ import annotations

import functools
import logging
import re
from typing import Dict, List, NamedTuple, Optional, Tuple

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

# sqlglot logs a warning for each statement it keeps as a Command; we handle those.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

SQLGLOT_DIALECTS = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}

# Statements nested deeper than this are not handed to sqlglot: its recursive
# descent would exhaust the stack long before, and no migration needs it.
MAX_NESTING = 200
_PARENS = re.compile(r"[()]")


# A tuple: made once per statement, and a frozen dataclass costs three times as much.
class Parsed(NamedTuple):
    ast: Optional[exp.Expression] = None
    error: Optional[str] = None
    # Offset of the error inside the statement text, when sqlglot knows it.
    error_offset: Optional[int] = None


def sqlglot_dialect(dialect: str) -> str:
    return SQLGLOT_DIALECTS[dialect]


class _Tools:
    """One dialect's tokenizer, parser and generator, made once and reused: each
    resets itself per call, and building them costs as much as tokenizing a short
    statement (the run is single-threaded; worker processes each get their own)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = sqlglot.Dialect.get_or_raise(sqlglot_dialect(dialect))
        self.tokenizer = self.dialect.tokenizer()
        self.parser = self.dialect.parser()
        self.generator = self.dialect.generator()

    def parse(self, text: str) -> List[Optional[exp.Expression]]:
        tokens = self.tokenizer.tokenize(text)
        if ':"' not in text:
            return self.parser.parse(tokens, text)
        quoted = _quote_placeholder_names(tokens, text)
        expressions = self.parser.parse(tokens, text)
        if quoted and quoted != _quoted_placeholders(expressions):
            # A quoted name after a colon that was no placeholder all the same (a slice
            # bound after a keyword, b[NULL:"x"]; a JSON_OBJECT key that is a column,
            # k:"x"): read the statement as sqlglot does.
            expressions = self.parser.parse(self.tokenizer.tokenize(text), text)
        return expressions


@functools.lru_cache(maxsize=None)
def _tools(dialect: str) -> _Tools:
    return _Tools(dialect)


def to_sql(node: exp.Expression, dialect: str) -> str:
    """``node`` as SQL of ``dialect``. sqlglot's generator may rewrite queries it
    prints, so a node holding one is copied first; other nodes print as they are."""
    if type(node) is exp.DataType:
        return _type_sql(node, dialect)
    generator = _tools(dialect).generator
    if isinstance(node, _PRINTED_AS_IS):
        return generator.generate(node, copy=False)
    query = named_placeholder = False
    for found in node.find_all(exp.Query, exp.Placeholder):
        if isinstance(found, exp.Placeholder):
            named_placeholder = named_placeholder or colon_name(found) is not None
        else:
            query = True
    if named_placeholder:
        node = _placeholders_as_written(node)  # a copy already
    return generator.generate(node, copy=query and not named_placeholder)


def _placeholders_as_written(node: exp.Expression) -> exp.Expression:
    """A copy of ``node`` whose ``:name`` placeholders print as the file wrote them:
    sqlglot's PostgreSQL generator prints them ``%(name)s``, SQL the user never wrote."""
    return node.transform(lambda child: exp.var(f":{colon_name(child)}") if (
        isinstance(child, exp.Placeholder) and colon_name(child) is not None) else child)


# Tokens that end an operand. sqlglot reads a colon right after one as no placeholder's:
# inside [...] it bounds a slice (b[1:"x"], b[i:"x"]), and after a literal or a closing
# bracket it parts a JSON_OBJECT key from its value ('k':"x"). Outside brackets a word does
# not count: SET ROLE :"r" has the keyword ROLE as a word.
_ENDS_OPERAND = frozenset({TokenType.NUMBER, TokenType.STRING, TokenType.R_PAREN,
                           TokenType.R_BRACKET})
_ENDS_OPERAND_IN_BRACKETS = _ENDS_OPERAND | {TokenType.VAR, TokenType.IDENTIFIER}


def _quote_placeholder_names(tokens: List[Token], text: str) -> int:
    """Give the name token of each ``:"name"`` its quotes back, so that sqlglot's
    Placeholder keeps them (it names ``:"name"`` and ``:name`` alike, and psql substitutes
    the first as a quoted identifier, the second as raw text); how many it changed. A
    colon after an operand is left alone: sqlglot takes no placeholder there."""
    changed = depth = 0
    previous: Optional[TokenType] = None
    for colon, name in zip(tokens, tokens[1:]):
        kind = colon.token_type
        if kind == TokenType.L_BRACKET:
            depth += 1
        elif kind == TokenType.R_BRACKET:
            depth = max(depth - 1, 0)
        elif (kind == TokenType.COLON and name.token_type == TokenType.IDENTIFIER
                and name.start == colon.end + 1 and text[name.start] == '"'
                and previous not in (_ENDS_OPERAND_IN_BRACKETS if depth else _ENDS_OPERAND)):
            name.text = text[name.start:name.end + 1]
            changed += 1
        previous = kind
    return changed


def _quoted_placeholders(expressions: List[Optional[exp.Expression]]) -> int:
    return sum(1 for expression in expressions if expression is not None
               for found in expression.find_all(exp.Placeholder)
               if isinstance(found.this, str) and found.this.startswith('"'))


def colon_name(placeholder: exp.Placeholder) -> Optional[str]:
    """What follows the colon of a ``:name`` or ``:"name"`` placeholder, as written
    (sqlglot keeps it as a plain string, where ``%(name)s`` holds an Identifier); None
    for any other kind."""
    name = placeholder.this
    return name if isinstance(name, str) and is_colon_placeholder(f":{name}") else None


def is_colon_placeholder(name: str) -> bool:
    """``name`` is a placeholder as written: a psql variable or a bind name, ``:name``,
    or ``:"name"``, which psql substitutes as a quoted identifier."""
    return name.startswith(":") and _unquoted(name[1:]).isidentifier()


def without_colon(name: str) -> str:
    """The bare name of a ``:name`` or ``:"name"`` placeholder; any other name as it is."""
    return _unquoted(name[1:]) if is_colon_placeholder(name) else name


def _unquoted(name: str) -> str:
    return name[1:-1] if len(name) > 2 and name[0] == name[-1] == '"' else name


# Printed column types by (dialect, args): a migration repeats a handful of types
# thousands of times, and printing one costs several times looking it up here. Plain
# types are few; the bound only guards a long-lived process against odd input.
_TYPE_SQL: Dict[Tuple[object, ...], str] = {}
_TYPE_SQL_LIMIT = 4096


def _type_sql(node: exp.DataType, dialect: str) -> str:
    """A type printed from plain values alone (INT, TEXT, VARCHAR(255), NUMERIC(12, 2):
    a DType, flags and numeric parameters) is printed once per dialect; one with other
    nested nodes (INT[], a user-defined type) or comments (printed too) each time,
    which also keeps the cache small."""
    key = _type_key(node, dialect)
    if key is None:
        return _tools(dialect).generator.generate(node, copy=False)
    sql = _TYPE_SQL.get(key)
    if sql is None:
        if len(_TYPE_SQL) >= _TYPE_SQL_LIMIT:
            _TYPE_SQL.clear()
        sql = _TYPE_SQL[key] = _tools(dialect).generator.generate(node, copy=False)
    return sql


def _type_key(node: exp.DataType, dialect: str) -> Optional[Tuple[object, ...]]:
    if node.comments:
        return None
    key: List[object] = [dialect]
    for name, value in node.args.items():
        if type(value) is list:
            value = _numeric_parameters(value)
            if value is None:
                return None
        elif isinstance(value, exp.Expression):
            return None
        key.append((name, value))
    return tuple(key)


def _numeric_parameters(values: List[object]) -> Optional[Tuple[str, ...]]:
    """The numbers of ``(255)`` or ``(12, 2)``; None for any other parameter list."""
    numbers = []
    for value in values:
        if type(value) is not exp.DataTypeParam or value.comments or value.args.get("expression"):
            return None
        literal = value.this
        if type(literal) is not exp.Literal or literal.is_string or literal.comments:
            return None
        numbers.append(literal.this)
    return tuple(numbers)


# Nodes the generator never rewrites (most of what rules print: types and names).
_PRINTED_AS_IS = (exp.DataType, exp.Identifier, exp.Literal, exp.Column)


def parse_statement(text: str, dialect: str) -> Parsed:
    depth = _max_nesting(text)
    if depth > MAX_NESTING:
        return Parsed(error=f"expression nested {depth} levels deep; not analysed")
    try:
        expressions = _tools(dialect).parse(text)
    except (ParseError, TokenError) as exc:
        return Parsed(error=_first_line(exc), error_offset=_error_offset(exc, text))
    except RecursionError:
        return Parsed(error="statement too deeply nested to analyse")
    except Exception as exc:  # sqlglot bugs must not take the whole run down
        return Parsed(error=f"sqlglot failed: {type(exc).__name__}: {_first_line(exc)}")
    expressions = [e for e in expressions if e is not None]
    if len(expressions) != 1:
        return Parsed(error="could not parse as a single statement")
    if isinstance(expressions[0], _BARE_EXPRESSIONS):
        # sqlglot reads a lone word or expression ("x", "foo(1)") as an expression;
        # in a migration file it is garbage, not a statement.
        return Parsed(error="not a SQL statement", error_offset=0)
    return Parsed(ast=expressions[0])


_BARE_EXPRESSIONS = (
    exp.Column, exp.Identifier, exp.Literal, exp.Alias, exp.Paren, exp.Binary, exp.Func,
    exp.Tuple, exp.Star, exp.Dot, exp.Neg, exp.Not,
)
_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: .*?>")
_SQLGLOT_POSITION = re.compile(r"\.? ?Line \d+, Col: \d+\.?$")
_CLASS_REPR = re.compile(r"<class 'sqlglot\.expressions(?:\.\w+)*\.(\w+)'>")


def tokenize(text: str, dialect: str) -> List[Token]:
    """sqlglot tokens (with statement-relative offsets); empty when tokenizing fails."""
    try:
        return list(_tools(dialect).tokenizer.tokenize(text))
    except Exception:
        return []


def _max_nesting(text: str) -> int:
    # Cheap pre-check; parentheses inside strings only over-count, which is harmless.
    if text.count("(") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for match in _PARENS.finditer(text):
        depth += 1 if match.group() == "(" else -1
        deepest = max(deepest, depth)
    return deepest


def _first_line(exc: Exception) -> str:
    """sqlglot's message, cleaned for users: no token reprs, no class paths, and no
    statement-relative "Line 1, Col: 15" (the finding carries the file position)."""
    message = str(exc).strip().splitlines()
    text = re.sub(r"\x1b\[[0-9;]*m", "", message[0] if message else type(exc).__name__)
    text = _TOKEN_REPR.sub(
        lambda m: "the end of the statement" if m.group(1) == "SENTINEL" else f"`{m.group(2)}`",
        text,
    )
    text = _CLASS_REPR.sub(lambda m: m.group(1), text)
    return _SQLGLOT_POSITION.sub("", text).strip()


def _error_offset(exc: Exception, text: str) -> Optional[int]:
    errors = getattr(exc, "errors", None) or []
    for error in errors:
        line, col = error.get("line"), error.get("col")
        if line and col:
            lines = text.split("\n")
            if line <= len(lines):
                return sum(len(piece) + 1 for piece in lines[: line - 1]) + max(col - 1, 0)
    return None
