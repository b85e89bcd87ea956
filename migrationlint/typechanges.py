"""Which column type changes keep the stored data as it is (no table rewrite on
PostgreSQL, and nothing an application reading the column would notice).

From the no-rewrite cases in shared/reference/locks.md (PostgreSQL row 15): varchar
widening or removing its limit, varchar to text, text to unlimited varchar, numeric
precision increase at the same scale or removing the limit, time/timestamp/interval
precision increase, cidr to inet."""

from __future__ import annotations

from typing import List, Optional

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from migrationlint import model as m
from migrationlint.mysql_online_ddl import compare_types
from migrationlint.parse import sqlglot_dialect

T = exp.DataType.Type
_TEXTUAL = {T.VARCHAR, T.TEXT}
_PRECISION_ONLY = {T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ, T.TIMETZ, T.INTERVAL}


def _build(type_sql: str, dialect: str) -> Optional[exp.DataType]:
    try:
        return exp.DataType.build(type_sql, dialect=sqlglot_dialect(dialect))
    except (ParseError, ValueError, TypeError):
        return None


def _params(data_type: exp.DataType) -> List[int]:
    values = []
    for param in data_type.expressions:
        node = param.this if isinstance(param, exp.DataTypeParam) else param
        try:
            values.append(int(node.name))
        except (ValueError, AttributeError):
            return []
    return values


def keeps_data(old_sql: str, new_sql: str, dialect: str) -> bool:
    """True when changing a column from ``old_sql`` to ``new_sql`` is known not to
    rewrite or reinterpret the data; False when it does or we cannot tell."""
    if dialect == "postgres" and (old_sql.strip().lower(), new_sql.strip().lower()) == (
        "cidr", "inet"
    ):
        return True  # sqlglot has no cidr type
    if dialect != "postgres" and compare_types(old_sql, new_sql) == "append_enum_values":
        return True  # ENUM/SET values appended at the end: stored numbers stay the same
    old, new = _build(old_sql, dialect), _build(new_sql, dialect)
    if old is None or new is None:
        return False
    if old == new:
        return True
    old_params, new_params = _params(old), _params(new)
    if old.this in _TEXTUAL and new.this in _TEXTUAL:
        if new.this == T.TEXT or not new_params:
            return dialect == "postgres" or old.this == new.this
        return old.this == T.VARCHAR and bool(old_params) and new_params[0] >= old_params[0]
    if old.this == new.this == T.DECIMAL:
        if not new_params:
            return dialect == "postgres"
        old_scale = old_params[1] if len(old_params) > 1 else 0
        new_scale = new_params[1] if len(new_params) > 1 else 0
        return bool(old_params) and new_params[0] >= old_params[0] and new_scale == old_scale
    if old.this == new.this and old.this in _PRECISION_ONLY and dialect == "postgres":
        return not new_params or (bool(old_params) and new_params[0] >= old_params[0])
    return False


def enum_values(type_sql: str, dialect: str) -> Optional[List[str]]:
    """The values of a MySQL ``ENUM('a', 'b')`` type, or None for other types."""
    data_type = _build(type_sql, dialect)
    if data_type is None or data_type.this != T.ENUM:
        return None
    return [value.name for value in data_type.expressions]


def _cast_truncates(type_sql: str, dialect: str) -> bool:
    """PostgreSQL's explicit cast to ``type_sql`` cuts a value to the declared length
    (varchar(n); char and bit, whose length is 1 when not given), where the assignment
    cast an ALTER ... TYPE without USING applies raises instead."""
    data_type = _build(type_sql, dialect)
    if data_type is None:
        return False
    return data_type.this in (T.CHAR, T.BIT) or (
        data_type.this == T.VARCHAR and bool(data_type.expressions))


def conversion_sql(column_sql: str, new_type_sql: str, dialect: str) -> str:
    """The value of ``column_sql`` converted for a column of type ``new_type_sql``.

    PostgreSQL: an explicit CAST (also where only an explicit cast exists, text to
    integer), except for the types it would silently truncate: for those the column
    itself, whose assignment to the new column (UPDATE ... SET, plpgsql :=) raises on a
    value too long, as the ALTER would. MySQL/MariaDB: the column itself, because CAST
    there takes only SIGNED, UNSIGNED, CHAR(n), DECIMAL, DATE, ... (not BIGINT or
    VARCHAR(n)), and assigning to the new column converts to its type anyway (in strict
    mode a value that does not fit fails the UPDATE instead of being truncated)."""
    if dialect == "postgres" and not _cast_truncates(new_type_sql, dialect):
        return f"CAST({column_sql} AS {new_type_sql})"
    return column_sql


def using_conversion(using_sql: str, column: m.Ident, value_sql: str, dialect: str) -> Optional[str]:
    """A type change's USING expression computed from ``value_sql`` (a sync trigger's
    ``NEW."total"``) instead of the column: ``total / 100`` becomes ``NEW."total" / 100``.
    None when the expression cannot be read."""
    read = sqlglot_dialect(dialect)
    try:
        expression = sqlglot.parse_one(using_sql, read=read)
        value = sqlglot.parse_one(value_sql, read=read)
    except Exception:  # sqlglot raises several kinds: the caller falls back to a CAST
        return None

    def swap(node: exp.Expression) -> exp.Expression:
        # USING sees only the altered table's columns, so any qualifier names that table.
        is_column = isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier)
        if is_column and m.Ident(name=node.name, quoted=node.this.quoted).key == column.key:
            return value.copy()
        return node

    return expression.transform(swap).sql(dialect=read)


_INTEGERS = [T.TINYINT, T.SMALLINT, T.MEDIUMINT, T.INT, T.BIGINT]


def converts_back(new_sql: str, old_sql: str, dialect: str) -> bool:
    """True when a value of type ``new_sql`` can be stored back into a column of type
    ``old_sql`` without loss: the data-keeping widenings, and narrower integers (a value
    out of range fails the write loudly rather than being changed)."""
    if keeps_data(new_sql, old_sql, dialect):
        return True
    new, old = _build(new_sql, dialect), _build(old_sql, dialect)
    return (new is not None and old is not None
            and new.this in _INTEGERS and old.this in _INTEGERS)
