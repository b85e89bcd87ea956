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
        "timeofday", "nextval", "setval", "random_normal", "gen_random_bytes", "rand", "uuid_short", "sysdate",
    }
)
STABLE_FUNCTIONS = frozenset(
    {
        "now", "current_timestamp", "current_date", "current_time", "localtime",
        "localtimestamp", "statement_timestamp", "transaction_timestamp",
        "current_user", "session_user", "current_setting", "current_schema",
        "to_char", "to_timestamp", "utc_timestamp", "curdate", "curtime",
        # pg_proc.provolatile 's': the current transaction's id, fixed for the transaction.
        "txid_current", "pg_current_xact_id",
        # 's': they call the arguments' output functions (PostgreSQL commit 0f43a553).
        "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
        "make_timestamptz",  # 's': reads the TimeZone setting
    }
)
# Built-ins sqlglot leaves as anonymous calls, pg_proc.provolatile 'i'. timezone(zone,
# timestamp[tz]) is 'i' too, but its time-with-time-zone form is volatile (see _shifts_time_with_time_zone).
IMMUTABLE_FUNCTIONS = frozenset({"make_date", "timezone"})
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
    if _shifts_time_with_time_zone(node):
        return "volatile", None
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
    if name in IMMUTABLE_FUNCTIONS:
        return "immutable", None
    if isinstance(node, exp.Anonymous):
        return "volatile", name
    # sqlglot's own function classes are built-ins such as lower() or coalesce().
    return "immutable", None


def _shifts_time_with_time_zone(node: exp.Expression) -> bool:
    """``timezone(zone, v)`` or ``v AT TIME ZONE zone`` on a time with time zone: pg_proc
    marks timezone(text, timetz) volatile (the offset depends on today's date)."""
    if isinstance(node, exp.AtTimeZone):
        value = node.this
    elif isinstance(node, exp.Anonymous) and node.name.lower() == "timezone":
        value = node.expressions[-1] if node.expressions else None
    else:
        return False
    return isinstance(value, exp.CurrentTime) or (
        isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.TIMETZ
    )
