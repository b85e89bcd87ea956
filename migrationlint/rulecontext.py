"""What a rule's check receives: the operation's statement, the migration around it,
and a way to build findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from migrationlint import model as m
from migrationlint.context import Migration, Statement
from migrationlint.findings import Finding, Fix, Rewrite, Span
from migrationlint.source import Region
from migrationlint.sqlgen import qualified, quote

if TYPE_CHECKING:
    from migrationlint.rules import RuleInfo


class RuleContext:
    def __init__(self, rule: "RuleInfo", migration: Migration, statement: Optional[Statement]):
        self.rule = rule
        self.migration = migration
        self.statement = statement

    @property
    def dialect(self) -> str:
        return self.migration.dialect

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
        return Finding(
            rule=self.rule.code, name=self.rule.name, severity=self.rule.severity,
            path=self.migration.path, span=Span.of(span), message=message, rewrite=rewrite, fix=fix,
        )
