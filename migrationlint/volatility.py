"""Volatility of column default expressions (PostgreSQL's IMMUTABLE/STABLE/VOLATILE).

A non-volatile default is evaluated once by ADD COLUMN on PostgreSQL 11+ and
stored in the catalogue; a volatile one forces a rewrite of every row.
Unknown function calls count as volatile, and the caller says so.
"""

from __future__ import annotations

from typing import Optional, Tuple

from sqlglot import exp

VOLATILE_FUNCTIONS = frozenset(
    {
        "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
        "uuid_generate_v4", "uuidv4", "uuidv7", "uuid", "clock_timestamp",
        "timeofday", "nextval", "setval", "txid_current", "pg_current_xact_id",
        "random_normal", "gen_random_bytes", "rand", "uuid_short", "sysdate",
    }
)
STABLE_FUNCTIONS = frozenset(
    {
        "now", "current_timestamp", "current_date", "current_time", "localtime",
        "localtimestamp", "statement_timestamp", "transaction_timestamp",
        "current_user", "session_user", "current_setting", "current_schema",
        "to_char", "to_timestamp", "utc_timestamp", "curdate", "curtime",
    }
)
# sqlglot turns some calls into dedicated expression classes.
_VOLATILE_NODES: Tuple[type, ...] = (exp.Rand, exp.Uuid)
_STABLE_NODES: Tuple[type, ...] = (
    exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentTime, exp.CurrentUser,
    exp.CurrentSchema,
)


def classify(expression: exp.Expression) -> Tuple[str, Optional[str]]:
    """Return ("immutable" | "stable" | "volatile", unknown function name or None)."""
    result = "immutable"
    for node in expression.walk():
        kind, unknown = _node_volatility(node)
        if kind == "volatile":
            return kind, unknown
        if kind == "stable":
            result = "stable"
    return result, None


def _node_volatility(node: exp.Expression) -> Tuple[str, Optional[str]]:
    if isinstance(node, _VOLATILE_NODES):
        return "volatile", None
    if isinstance(node, _STABLE_NODES):
        return "stable", None
    if not isinstance(node, exp.Func) or isinstance(node, exp.Cast):
        return "immutable", None
    name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
    if name in VOLATILE_FUNCTIONS:
        return "volatile", None
    if name in STABLE_FUNCTIONS:
        return "stable", None
    if isinstance(node, exp.Anonymous):
        return "volatile", name
    # sqlglot's own function classes are built-ins such as lower() or coalesce().
    return "immutable", None
