"""Plain SQL files: split into statements, parse, normalise into operations."""

from __future__ import annotations

from migrationlint.context import Migration, Statement, mark_transactions
from migrationlint.normalize import normalize_statement
from migrationlint.source import SourceFile
from migrationlint.splitter import StatementText, split_statements
from migrationlint.versions import Version


def read_sql(source: SourceFile, dialect: str, version: Version) -> Migration:
    split = split_statements(source.text, dialect)
    statements = [
        _statement(index, piece, source, dialect) for index, piece in enumerate(split.statements)
    ]
    return Migration(
        source=source, dialect=dialect, target_version=version,
        statements=mark_transactions(statements), comments=split.comments,
    )


def _statement(index: int, piece: StatementText, source: SourceFile, dialect: str) -> Statement:
    lines = source.lines
    span = lines.span(piece.start, piece.end)
    if piece.problem is not None:
        return Statement(index, piece.start, piece.end, span, piece.text, (), piece.problem, span)
    normalized = normalize_statement(piece.text, piece.start, lines, dialect)
    error_span = None
    if normalized.error is not None:
        at = piece.start + (normalized.error_offset or 0)
        error_span = lines.span(at, min(at + 1, piece.end))
    return Statement(
        index, piece.start, piece.end, span, piece.text, normalized.operations,
        normalized.error, error_span,
    )
