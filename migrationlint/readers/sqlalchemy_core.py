"""SQLAlchemy Core data changes passed to Alembic's ``op.execute``, read statically:
``users.update().where(users.c.locale == None).values(locale="en")``, ``sa.delete(users)``,
``users.insert().values(...)``.

An UPDATE or DELETE whose table, values and WHERE are plain names, literals and
comparisons becomes the SQL it compiles to, so it is judged as that SQL is (ML501; a
statement bounded by its key is not reported). Anything else stays a data change of
unknown size (MySQL's ML402 still counts it), never a parse error.
"""

from __future__ import annotations

import ast
from typing import List, Optional, Sequence, Tuple

from migrationlint import model as m
from migrationlint.readers.columns import default_from_value, ident, object_name
from migrationlint.readers.python_source import call_name
from migrationlint.readers.sql import PinnedLines, sql_statements
from migrationlint.source import Region
from migrationlint.sqlgen import qualified, quote
from migrationlint.versions import Version

_DATA_CHANGES = ("update", "delete", "insert")
_TABLE_FACTORIES = ("table", "Table")
_COMPARISONS = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
                ast.GtE: ">="}
_CONNECTIVES = {"and_": "AND", "or_": "OR", ast.BitAnd: "AND", ast.BitOr: "OR"}
_NULL_TESTS = {"is_": "IS NULL", "isnot": "IS NOT NULL", "is_not": "IS NOT NULL"}


class _Unreadable(Exception):
    """A part of the expression has no SQL we can write without running the Python."""


def core_data_change(node: ast.expr, tree: ast.Module, span: Region, dialect: str,
                     version: Version) -> Optional[Tuple[m.Operation, ...]]:
    """The operations of the Core statement ``node``; None when it is not a Core UPDATE,
    DELETE or INSERT."""
    chain = _chain(node)
    if chain is None:
        return None
    kind, table_node, steps = chain
    unknown_size = (m.RawStatement(span=span, keyword=kind.upper(), is_dml=True),)
    try:
        sql = _Writer(tree, dialect).sql(kind, table_node, steps)
    except _Unreadable:
        return unknown_size
    if sql is None:
        return unknown_size
    statements = sql_statements(sql, dialect, version, PinnedLines(span)).statements
    readable = [op for s in statements if s.error is None for op in s.operations]
    return tuple(readable) or unknown_size


def _chain(node: ast.expr) -> Optional[Tuple[str, ast.expr, List[ast.Call]]]:
    """(kind, table expression, the method calls after it, outermost first) of
    ``t.update().where(...)`` or ``sa.update(t).where(...)``."""
    steps: List[ast.Call] = []
    while isinstance(node, ast.Call):
        name = call_name(node)
        if name in _DATA_CHANGES:
            if node.args:  # sa.update(t), delete(t)
                return name, node.args[0], steps
            if isinstance(node.func, ast.Attribute):  # t.update()
                return name, node.func.value, steps
            return None
        if not isinstance(node.func, ast.Attribute):
            return None
        steps.append(node)
        node = node.func.value
    return None


class _Writer:
    def __init__(self, tree: ast.Module, dialect: str) -> None:
        self.tree = tree
        self.dialect = dialect

    def sql(self, kind: str, table_node: ast.expr, steps: Sequence[ast.Call]) -> Optional[str]:
        if kind == "insert":
            return None  # rows given one by one: nothing for ML501 to judge
        table = qualified(self.table(table_node), self.dialect)
        wheres = [self.condition(a) for s in steps if call_name(s) in ("where", "filter")
                  for a in s.args]
        where = f" WHERE {_joined('AND', wheres)}" if wheres else ""
        if kind == "delete":
            return f"DELETE FROM {table}{where}"
        assignments = [f"{self.column(k)} = {self.value(v)}" for s in steps
                       if call_name(s) == "values" for k, v in _assigned(s)]
        return f"UPDATE {table} SET {', '.join(assignments)}{where}" if assignments else None

    def table(self, node: ast.expr) -> m.ObjectName:
        """The table a ``sa.table("users", ...)`` call names, directly or through the
        variable assigned it anywhere in the module."""
        if isinstance(node, ast.Name):
            node = next((a.value for a in ast.walk(self.tree) if isinstance(a, ast.Assign)
                         and any(isinstance(t, ast.Name) and t.id == node.id for t in a.targets)),
                        node)
        if (isinstance(node, ast.Call) and call_name(node) in _TABLE_FACTORIES and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            schema = next((k.value.value for k in node.keywords if k.arg == "schema"
                           and isinstance(k.value, ast.Constant)), None)
            return object_name(node.args[0].value, schema)
        raise _Unreadable

    def column(self, node: ast.expr) -> str:
        """``users.c.locale``, ``users.c["locale"]``, ``sa.column("locale")`` or a
        keyword's name."""
        if isinstance(node, str):
            name = node
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and (
                node.value.attr == "c"):
            name = node.attr
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            name = node.slice.value
        elif isinstance(node, ast.Call) and call_name(node) == "column" and node.args and (
                isinstance(node.args[0], ast.Constant)):
            name = node.args[0].value
        else:
            raise _Unreadable
        return quote(ident(str(name)), self.dialect)

    def value(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and not isinstance(node.value, bytes):
            return "NULL" if node.value is None else default_from_value(node.value).sql
        if isinstance(node, ast.Call) and call_name(node) == "text" and node.args and (
                isinstance(node.args[0], ast.Constant)):
            return str(node.args[0].value)
        return self.column(node)

    def condition(self, node: ast.expr) -> str:
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = self.column(node.left), node.comparators[0]
            if _is_none(right):
                return f"{left} {'IS NULL' if isinstance(node.ops[0], ast.Eq) else 'IS NOT NULL'}"
            operator = _COMPARISONS.get(type(node.ops[0]))
            if operator is not None:
                return f"{left} {operator} {self.value(right)}"
        if isinstance(node, ast.BinOp) and type(node.op) in _CONNECTIVES:
            return _joined(_CONNECTIVES[type(node.op)],
                           [self.condition(node.left), self.condition(node.right)])
        if isinstance(node, ast.Call):
            return self.call_condition(node)
        raise _Unreadable

    def call_condition(self, node: ast.Call) -> str:
        name = call_name(node)
        if name in ("and_", "or_") and node.args:
            return _joined(_CONNECTIVES[name], [self.condition(a) for a in node.args])
        if name == "text":
            return self.value(node)
        if not isinstance(node.func, ast.Attribute):
            raise _Unreadable
        column = self.column(node.func.value)
        if name in _NULL_TESTS and len(node.args) == 1 and _is_none(node.args[0]):
            return f"{column} {_NULL_TESTS[name]}"
        listed = node.args[0] if len(node.args) == 1 else None
        if name == "in_" and isinstance(listed, (ast.List, ast.Tuple)):
            return f"{column} IN ({', '.join(self.value(v) for v in listed.elts)})"
        if name == "between" and len(node.args) == 2:
            return f"{column} BETWEEN {self.value(node.args[0])} AND {self.value(node.args[1])}"
        raise _Unreadable


def _joined(connective: str, conditions: List[str]) -> str:
    """``a AND b``, each condition that is itself a conjunction or disjunction in
    parentheses."""
    if len(conditions) == 1:
        return conditions[0]
    return f" {connective} ".join(f"({c})" if " AND " in c or " OR " in c else c
                                  for c in conditions)


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _assigned(values: ast.Call) -> List[Tuple[object, ast.expr]]:
    """(column, value) pairs of ``.values(a=1)`` or ``.values({"a": 1})``."""
    pairs: List[Tuple[object, ast.expr]] = [(k.arg, k.value) for k in values.keywords if k.arg]
    for argument in values.args:
        if not isinstance(argument, ast.Dict) or None in argument.keys:
            raise _Unreadable
        pairs += [(key.value if isinstance(key, ast.Constant) else key, value)
                  for key, value in zip(argument.keys, argument.values)]
    if len(pairs) != len(values.keywords) + sum(len(a.keys) for a in values.args):
        raise _Unreadable  # **kwargs
    return pairs
