"""Column defaults and names shared by the framework readers."""

from __future__ import annotations

from typing import Any, Optional

import sqlglot

from migrationlint import model as m
from migrationlint.parse import sqlglot_dialect
from migrationlint.readers.templating import plain_spelling
from migrationlint.sqlgen import string_literal
from migrationlint.volatility import classify


def default_from_sql(sql: str, dialect: str) -> m.ColumnDefault:
    """A default given as an SQL expression (``sa.text("now()")``, ``defaultValueComputed``)."""
    try:
        expression = sqlglot.parse_one(sql, read=sqlglot_dialect(dialect))
    except Exception:  # unparseable: say nothing about volatility we cannot know
        return m.ColumnDefault(sql=sql, volatility="volatile", unknown_function=sql)
    volatility, unknown = classify(expression)
    return m.ColumnDefault(sql=sql, volatility=volatility, unknown_function=unknown)


def default_from_value(value: Any) -> Optional[m.ColumnDefault]:
    """A constant default given as a Python or XML value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return m.ColumnDefault(sql="true" if value else "false")
    if isinstance(value, (int, float)):
        return m.ColumnDefault(sql=str(value))
    return m.ColumnDefault(sql=string_literal(str(value)))


def ident(name: str) -> m.Ident:
    """A name from a framework file: frameworks quote what they generate, so the exact
    spelling is kept (Ident.key folds case only for unquoted names). A placeholder's
    capitals (``${appTable}``) name a property, not the table: they do not quote it."""
    spelled = plain_spelling(name)
    return m.Ident(name=name, quoted=spelled != spelled.lower())


def object_name(name: str, schema: Optional[str] = None) -> m.ObjectName:
    """``schema.table`` or ``table``; a dotted name without a schema splits on the dot,
    but not on one inside a placeholder (``${table.orders}``)."""
    dot = plain_spelling(name).find(".") if schema is None else -1
    if dot != -1:
        schema, name = name[:dot], name[dot + 1:]
    return m.ObjectName(name=ident(name), schema_=ident(schema) if schema else None)
