"""What a rule's check receives: the operation's statement, the migration around it,
and a way to build findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from migrationlint import model as m
from migrationlint.context import Migration, Statement
from migrationlint.findings import Finding, Fix, Rewrite, Severity, Span
from migrationlint.source import LineIndex, Region
from migrationlint.sqlgen import qualified, quote

if TYPE_CHECKING:
    from migrationlint.rules import RuleInfo

# Lines of source kept with a finding for the excerpt.
_EXCERPT_LINES = 6


def _source_excerpt(lines: LineIndex, span: Span) -> str:
    """The lines of ``span`` that a finding shows, at most ``_EXCERPT_LINES`` of them."""
    last = min(span.end_line, span.line + _EXCERPT_LINES - 1, lines.line_count)
    return "\n".join(lines.line_text(n) for n in range(span.line, last + 1))


class RuleContext:
    def __init__(self, rule: "RuleInfo", migration: Migration, statement: Optional[Statement],
                 severity: Optional[Severity] = None):
        self.rule = rule
        self.migration = migration
        self.statement = statement
        # An attribute, not a property: rules and q() read it for every name they write.
        self.dialect = migration.dialect
        # The severity the configuration gives the rule, when it changes the default.
        self.severity = severity or rule.severity

    @property
    def version(self):
        return self.migration.target_version

    @property
    def index(self) -> int:
        """Index of the current statement (or past the last one for file-level rules)."""
        return self.statement.index if self.statement else len(self.migration.statements)

    def table_is_new(self, table: m.ObjectName) -> bool:
        return self.migration.table_is_new(table, self.index)

    def column_is_new(self, table: m.ObjectName, column: m.Ident) -> bool:
        return self.migration.column_is_new(table, column, self.index)

    def q(self, name: Union[m.Ident, m.ObjectName, str]) -> str:
        """Quote a name for the migration's dialect."""
        if isinstance(name, m.ObjectName):
            return qualified(name, self.dialect)
        return quote(name, self.dialect)

    def finding(
        self,
        span: Region,
        message: str,
        rewrite: Optional[Rewrite] = None,
        fix: Optional[Fix] = None,
    ) -> Finding:
        """The finding complete, as reported: built once, since a run builds one per
        hazard and each copy of a pydantic model costs as much as building it."""
        if self.statement is not None and self.statement.note:
            message = f"{message} ({self.statement.note})"
        span = Span.of(span)
        return Finding(
            rule=self.rule.code, name=self.rule.name, severity=self.severity,
            path=self.migration.path, span=span, message=message, rewrite=rewrite, fix=fix,
            source=_source_excerpt(self.migration.source.lines, span), source_line=span.line,
        )
