"""The SQL statements inside a PostgreSQL ``DO`` block, so rules check them like the
file's own statements (they run in the DO's transaction).

Only what a migration's DO block usually holds is read: the statements of the body's
BEGIN ... END, of IF / ELSIF / ELSE branches and of loops (``IF NOT EXISTS (...) THEN ALTER TABLE
... ADD CONSTRAINT ...; END IF;``), with spans pointing into the body, and dynamic SQL
given as one plain string literal (``EXECUTE 'ALTER TABLE ...'``). A body written as a
string literal (``DO 'BEGIN ... END'``) is read too; when doubled quotes make its text
differ from the file, its findings point at the DO statement. Dynamic SQL built at run
time (``format()``, ``||``, a variable), PERFORM, assignments and other procedural
statements are not checked; neither is a body in another language.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from migrationlint import model as m
from migrationlint.normalize import Spans, normalize_statement
from migrationlint.splitter import split_statements

_DOLLAR_QUOTE = re.compile(r"\$(\w*)\$")
# A standard string: '' for a quote (not E'...', whose backslash escapes differ).
_STANDARD_STRING = r"'((?:[^']|'')*)'"
# DO 'BEGIN ... END'.
_STRING_BODY = re.compile(r"(?<![\w'])" + _STANDARD_STRING)
_LANGUAGE = re.compile(r"\bLANGUAGE\s+'?(\w+)", re.I)
# Procedural words in front of a SQL statement: a block label, BEGIN of a (nested) block,
# an IF / ELSIF condition, ELSE, an exception handler's WHEN ... THEN, a loop's head.
_CONTROL_PREFIX = re.compile(
    r"\s*(?:<<\w+>>|BEGIN\b|(?:IF|ELSIF|ELSEIF|EXCEPTION\s+WHEN|WHEN)\b.*?\bTHEN\b|ELSE\b"
    r"|(?:FOR|WHILE)\b.*?\bLOOP\b|LOOP\b)",
    re.I | re.S,
)
_DECLARATIONS_END = re.compile(r"\bBEGIN\b", re.I)
# Statements PL/pgSQL runs as plain SQL and the model reads; SELECT needs PERFORM or INTO
# there, and EXECUTE is dynamic SQL: read only when its SQL is one plain string literal.
_SQL_WORDS = {"ALTER", "CREATE", "DROP", "UPDATE", "DELETE", "INSERT", "TRUNCATE", "REINDEX",
              "CLUSTER", "REFRESH", "SET", "COMMENT", "GRANT", "REVOKE", "LOCK"}
# One standard string with nothing after it but parameters: not format(), || or a variable.
_EXECUTE_LITERAL = re.compile(r"EXECUTE\s+" + _STANDARD_STRING + r"\s*(?:USING\b.*)?\Z",
                              re.I | re.S)


def do_block_operations(text: str, spans: Spans) -> List[m.Operation]:
    """Operations of the SQL statements in the body of the DO statement ``text``."""
    body = _plpgsql_body(text)
    if body is None:
        return []
    offset, source = body
    lines = spans.lines
    if offset is None:  # unescaped from a string: it does not map onto the file
        from migrationlint.readers.sql import PinnedLines

        offset, lines = 0, PinnedLines(spans.statement)
    operations: List[m.Operation] = []
    for start, statement in _body_statements(source):
        at = spans.start + offset + start
        dynamic = _EXECUTE_LITERAL.match(statement)
        if dynamic is None:
            operations += _operations(statement, at, lines)
        else:
            operations += _executed_operations(dynamic, at, lines)
    return operations


def _operations(sql: str, start: int, lines) -> List[m.Operation]:
    normalized = normalize_statement(sql, start, lines, "postgres")
    return list(normalized.operations) if normalized.error is None else []


def _executed_operations(dynamic: "re.Match[str]", at: int, lines) -> List[m.Operation]:
    """The statements of ``EXECUTE 'literal'`` (starting at file offset ``at``): at their
    place inside the literal, or, when doubled quotes make the text differ from the
    file, at the EXECUTE statement."""
    from migrationlint.readers.sql import PinnedLines

    literal, as_written = _string_text(dynamic.group(1))
    if as_written:
        at += dynamic.start(1)
    else:
        lines = PinnedLines(lines.span(at, at + dynamic.end()))
    operations: List[m.Operation] = []
    for piece in split_statements(literal, "postgres").statements:
        operations += _operations(piece.text, at + piece.start, lines)
    return operations


def _plpgsql_body(text: str) -> Optional[Tuple[Optional[int], str]]:
    """(offset in ``text``, body) of the PL/pgSQL body: dollar-quoted, or a standard
    string literal (offset None when its doubled quotes make it differ from the file)."""
    opening = _DOLLAR_QUOTE.search(text)
    if opening is not None:
        close = text.find(opening.group(0), opening.end())
        if close < 0:
            return None
        outside = text[:opening.start()] + " " + text[close + len(opening.group(0)):]
        offset, body = opening.end(), text[opening.end():close]
    else:
        literal = _STRING_BODY.search(text)
        if literal is None:
            return None
        outside = text[:literal.start()] + " " + text[literal.end():]
        body, as_written = _string_text(literal.group(1))
        offset = literal.start(1) if as_written else None
    language = _LANGUAGE.search(outside)
    if language is not None and language.group(1).lower() != "plpgsql":
        return None
    return offset, body


def _string_text(literal: str) -> Tuple[str, bool]:
    """The text of a standard string's inside, and whether it is the file's text as
    written (no doubled quotes), so that offsets into it map onto the file."""
    if "''" in literal:
        return literal.replace("''", "'"), False
    return literal, True


def _body_statements(body: str) -> List[Tuple[int, str]]:
    """(offset in ``body``, text) of each SQL statement of the body."""
    found = []
    declaring = False
    for piece in split_statements(body, "postgres").statements:
        start, text = piece.start, body[piece.start:piece.end].rstrip().rstrip(";")
        if re.match(r"\s*(?:<<\w+>>\s*)?DECLARE\b", text, re.I):
            declaring = True
        if declaring:  # declarations end at the block's BEGIN
            begin = _DECLARATIONS_END.search(text)
            if begin is None:
                continue
            start, text, declaring = start + begin.end(), text[begin.end():], False
        prefix = _CONTROL_PREFIX.match(text)
        while prefix is not None:
            start, text = start + prefix.end(), text[prefix.end():]
            prefix = _CONTROL_PREFIX.match(text)
        skipped = len(text) - len(text.lstrip())
        start, text = start + skipped, text.lstrip()
        if text.split(None, 1) and text.split(None, 1)[0].upper() in _SQL_WORDS or (
            _EXECUTE_LITERAL.match(text)
        ):
            found.append((start, text))
    return found
