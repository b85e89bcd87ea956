"""SQL for the parts of a Django ``Index``/``UniqueConstraint`` that are expressions: the
key (``Lower("email")``, ``F("score").desc()``) and the ``condition`` (``Q(active=True)``).

Only what can be written exactly as Django writes it is rendered; anything else gives
None, so a rewrite says the index could not be restated instead of showing SQL that
builds a different index (or none).
"""

from __future__ import annotations

import ast
from typing import Callable, List, Optional

from migrationlint.readers.columns import default_from_value
from migrationlint.readers.python_source import UNKNOWN, call_name, literal

# A field name → its column, quoted for the dialect.
ColumnSql = Callable[[str], str]

_FUNCTIONS = {"Lower": "lower", "Upper": "upper"}
_COMPARISONS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def key_part_sql(node: ast.AST, column: ColumnSql) -> Optional[str]:
    """One positional expression of an index: ``"email"``/``F("email")`` → ``email``,
    ``Lower("email")`` → ``(lower(email))``, either with ``.desc()`` → ``... DESC``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
        node.func.attr in ("asc", "desc") and not node.args
    ):
        inner = key_part_sql(node.func.value, column)
        if inner is None or node.keywords:  # nulls_first= / nulls_last=
            return None
        return f"{inner} DESC" if node.func.attr == "desc" else inner
    reference = _field_reference(node, column)
    if reference is not None:
        return reference
    function = _FUNCTIONS.get(call_name(node) or "") if isinstance(node, ast.Call) else None
    if function is None or len(node.args) != 1 or node.keywords:
        return None
    argument = _field_reference(node.args[0], column)
    # An expression key part is parenthesized, as PostgreSQL and MySQL require.
    return f"({function}({argument}))" if argument is not None else None


def _field_reference(node: ast.AST, column: ColumnSql) -> Optional[str]:
    """``"email"`` or ``F("email")``: Django turns a string expression into F()."""
    if isinstance(node, ast.Call) and call_name(node) == "F" and len(node.args) == 1:
        node = node.args[0]
    name = literal(node)
    return column(name) if isinstance(name, str) and "__" not in name else None


def condition_sql(node: ast.AST, column: ColumnSql) -> Optional[str]:
    """A ``Q`` condition: keyword lookups (exact, isnull, in, gt/gte/lt/lte) joined by
    AND, and ``&``, ``|``, ``~`` of such Q objects."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
        left, right = condition_sql(node.left, column), condition_sql(node.right, column)
        if left is None or right is None:
            return None
        return f"({left} {'AND' if isinstance(node.op, ast.BitAnd) else 'OR'} {right})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        inner = condition_sql(node.operand, column)
        return f"NOT ({inner})" if inner is not None else None
    if not (isinstance(node, ast.Call) and call_name(node) == "Q") or node.args:
        return None
    parts: List[Optional[str]] = [
        _lookup_sql(keyword.arg, keyword.value, column) if keyword.arg else None
        for keyword in node.keywords
    ]
    if not parts or None in parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _lookup_sql(lookup: str, value_node: ast.AST, column: ColumnSql) -> Optional[str]:
    field, _, kind = lookup.partition("__")
    kind = kind or "exact"
    value = literal(value_node)
    if value is UNKNOWN or "__" in kind:
        return None
    name = column(field)
    if kind == "isnull" and isinstance(value, bool):
        return f"{name} IS NULL" if value else f"{name} IS NOT NULL"
    if kind == "exact" and (value is None or isinstance(value, bool)):
        # Django writes a boolean match as the column itself, and None as IS NULL.
        return f"{name} IS NULL" if value is None else (name if value else f"NOT {name}")
    if kind == "in" and isinstance(value, (list, tuple)) and value:
        values = [_value_sql(v) for v in value]
        return None if None in values else f"{name} IN ({', '.join(values)})"
    operator = _COMPARISONS.get(kind)
    value_sql = _value_sql(value)
    return f"{name} {operator} {value_sql}" if operator and value_sql else None


def _value_sql(value) -> Optional[str]:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    return default_from_value(value).sql
