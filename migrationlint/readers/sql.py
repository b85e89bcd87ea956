"""SQL text → statements: split, parse, normalise into operations.

``sql_statements`` reads plain SQL files (readers/conventions.py) and is also the path
for SQL embedded in framework files (Alembic ``op.execute``, Django ``RunSQL``,
Liquibase ``<sql>``): the caller says where the SQL text starts in the file, or pins
every span to one place when the embedded text does not map character for character
onto the file (escapes, concatenation, entities).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import List, Optional, Sequence, Tuple, Union

from migrationlint.context import Statement
from migrationlint.normalize import normalize_statement
from migrationlint.readers.templating import mask_placeholders, unmask
from migrationlint.source import LineIndex, Region
from migrationlint.splitter import Comment, StatementText, split_statements
from migrationlint.versions import Version


class PinnedLines:
    """Stands in for a LineIndex when embedded SQL cannot be mapped onto the file:
    every span is the given one (the op call or element that holds the SQL)."""

    def __init__(self, span: Region) -> None:
        self.pinned = span

    def span(self, start: int, end: int) -> Region:
        return self.pinned


Lines = Union[LineIndex, PinnedLines]


@dataclass(frozen=True)
class SqlChunk:
    statements: List[Statement]
    comments: Tuple[Comment, ...]


def sql_statements(
    text: str, dialect: str, version: Version, lines: Lines, offset: int = 0,
    first_index: int = 0, pinned_at: Optional[Tuple[int, int]] = None, blocks: Sequence[Tuple[int, int]] = (),
    holder_line: Optional[int] = None,
) -> SqlChunk:
    """Statements of ``text``, which starts at ``offset`` of the file whose lines are
    ``lines``, as a ``version`` server runs them (MySQL version comments). With
    ``pinned_at`` (file offsets of the holder), statements get those offsets instead and
    ``lines`` is a PinnedLines. ``blocks`` (offsets in ``text``) are goose statement
    blocks (split_statements). ``holder_line``: the first line of the call or element
    holding embedded SQL (Statement.holder_line)."""
    masked, masks = mask_placeholders(text)
    split = split_statements(masked, dialect, blocks, version)
    statements = []
    for number, piece in enumerate(split.statements):
        statement = _statement(first_index + number, piece, text, offset, lines, dialect,
                               holder_line)
        if masks:
            statement = _unmasked(statement, masks)
        if pinned_at is not None:
            statement = _pinned(statement, pinned_at)
        statements.append(statement)
    comments: Tuple[Comment, ...] = ()
    if pinned_at is None:
        comments = tuple(Comment(c.start + offset, c.end + offset, c.text) for c in split.comments)
    return SqlChunk(statements, comments)


def _statement(
    index: int, piece: StatementText, original: str, offset: int, lines: Lines, dialect: str,
    holder_line: Optional[int] = None,
) -> Statement:
    start, end = piece.start + offset, piece.end + offset
    span = lines.span(start, end)
    text = original[piece.start:piece.end]
    if piece.problem is not None:
        return Statement(index, start, end, span, text, (), piece.problem, span,
                         holder_line=holder_line)
    normalized = normalize_statement(piece.text, start, lines, dialect)
    error_span = None
    if normalized.error is not None:
        at = start + (normalized.error_offset or 0)
        error_span = lines.span(at, min(at + 1, end))
    return Statement(
        index, start, end, span, text, normalized.operations, normalized.error, error_span,
        holder_line=holder_line,
    )


def _unmasked(statement: Statement, masks) -> Statement:
    return replace(statement, operations=tuple(unmask(op, masks) for op in statement.operations))


def _pinned(statement: Statement, at: Tuple[int, int]) -> Statement:
    return replace(statement, start=at[0], end=at[1])
