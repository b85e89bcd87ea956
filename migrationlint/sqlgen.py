"""SQL for rewrites: real names, quoted for the target dialect by sqlglot."""

from __future__ import annotations

import functools
import hashlib
import re
from typing import FrozenSet, Sequence, Union

import sqlglot
from sqlglot import exp

from migrationlint import model as m
from migrationlint.parse import is_colon_placeholder, sqlglot_dialect, to_sql, without_colon
from migrationlint.readers.templating import (
    is_templated_name, mask_placeholders, plain_spelling, unmask,
)

# PostgreSQL's reserved key words (SQL Key Words appendix, "reserved" column):
# sqlglot's PostgreSQL generator does not quote them, so we do.
_POSTGRES_RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric authorization binary both case
    cast check collate collation column concurrently constraint create cross current_catalog
    current_date current_role current_schema current_time current_timestamp current_user
    default deferrable desc distinct do else end except false fetch for foreign freeze from
    full grant group having ilike in initially inner intersect into is isnull join lateral
    leading left like limit localtime localtimestamp natural not notnull null offset on only
    or order outer overlaps placing primary references returning right select session_user
    similar some symmetric system_user table tablesample then to trailing true union unique
    user using variadic verbose when where window with""".split()
)
# PostgreSQL truncates identifiers to 63 bytes, MySQL allows 64 characters.
NAME_LIMITS = {"postgres": 63, "mysql": 64, "mariadb": 64}


def quote(name: Union[m.Ident, str], dialect: str) -> str:
    """An identifier as the target dialect needs it written."""
    if isinstance(name, m.Ident):
        return _quote(name.name, name.quoted, dialect)
    return _quote(name, False, dialect)


def string_literal(value: str) -> str:
    """``value`` as a SQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


@functools.lru_cache(maxsize=4096)
def _quote(name: str, quoted: bool, dialect: str) -> str:
    # Rewrites name the same few tables and columns again and again: remember them.
    if not quoted and _PLAIN_NAME.fullmatch(name) and name.lower() not in _quoted_words(dialect):
        # sqlglot prints such a name as it is; most names are new to the cache (each
        # file has tables of its own), and printing a node costs ten times this.
        return name
    if not quoted and (is_templated_name(name) or is_colon_placeholder(name)):
        # The template engine (or psql) substitutes it before the database sees it;
        # quoted, the substituted name would become case-sensitive.
        return name
    needs_quotes = quoted or exp.to_identifier(name).quoted or (
        dialect == "postgres" and name.lower() in _POSTGRES_RESERVED
    )
    return to_sql(exp.Identifier(this=name, quoted=needs_quotes), dialect)


# sqlglot's SAFE_IDENTIFIER_RE, matched in full (its ``$`` also allows a final newline).
_PLAIN_NAME = re.compile(r"[_a-zA-Z]\w*")


@functools.lru_cache(maxsize=None)
def _quoted_words(dialect: str) -> FrozenSet[str]:
    """The plain names that come out quoted: sqlglot's generator quotes its reserved
    words, and we quote PostgreSQL's."""
    generator = sqlglot.Dialect.get_or_raise(sqlglot_dialect(dialect)).generator_class
    extra = _POSTGRES_RESERVED if dialect == "postgres" else frozenset()
    return frozenset(generator.RESERVED_KEYWORDS) | extra


def qualified(name: m.ObjectName, dialect: str) -> str:
    # _quote directly: rules and recipes qualify a table name for nearly every string
    # they build, and quote() would only unpack the Ident again.
    table = _quote(name.name.name, name.name.quoted, dialect)
    if name.schema_ is None:
        return table
    return f"{_quote(name.schema_.name, name.schema_.quoted, dialect)}.{table}"


def generated_name(dialect: str, *parts: str, suffix: str) -> m.Ident:
    """A new object name such as ``orders_customer_id_not_null``, in lower case as
    PostgreSQL names indexes and constraints, that fits the dialect's identifier limit.
    A ``:name`` placeholder part gives its name: psql substitutes no variable inside a
    word, and the value it stands for is not known (so for the names below too)."""
    name = _fit(dialect, "_".join(_lower_keeping_placeholders(without_colon(part))
                                  for part in parts if part), suffix)
    spelled = plain_spelling(name)
    return m.Ident(name=name, quoted=spelled != spelled.lower() or not spelled.isidentifier())


def _lower_keeping_placeholders(part: str) -> str:
    """Lower case, except a placeholder (``${appTable}``): its property name is
    case-sensitive. Masks are lower-case words, so they survive lower()."""
    masked, masks = mask_placeholders(part)
    return unmask(masked.lower(), masks)


def postgres_default_name(table: m.Ident, columns: Sequence[m.Ident], suffix: str) -> m.Ident:
    """PostgreSQL's own name for an unnamed constraint or index, ``<table>_<columns>_<suffix>``
    (ChooseConstraintName, makeObjectName): the names as stored, so a quoted name keeps its
    case, and the longer of the two parts cut first until the name fits 63 bytes."""
    first = without_colon(table.key).encode("utf-8")
    second = "_".join(without_colon(column.key) for column in columns).encode("utf-8")
    room = NAME_LIMITS["postgres"] - len(suffix) - 1 - (1 if second else 0)
    keep_first, keep_second = len(first), len(second)
    while keep_first + keep_second > room:
        if keep_first > keep_second:
            keep_first -= 1
        else:
            keep_second -= 1
    parts = [part[:keep].decode("utf-8", errors="ignore")
             for part, keep in ((first, keep_first), (second, keep_second)) if part]
    name = "_".join([*parts, suffix])
    return m.Ident(name=name, quoted=name != name.lower())


def derived_column(dialect: str, column: m.Ident, suffix: str) -> m.Ident:
    """A new column named after ``column`` (``"TotalCents"`` gives ``"TotalCents_new"``):
    its spelling kept, quoted where PostgreSQL would otherwise fold it to lower case
    (MySQL compares column names without case)."""
    name = _fit(dialect, without_colon(column.name), suffix)
    keeps_case = column.quoted and dialect == "postgres" and name != name.lower()
    return m.Ident(name=name, quoted=keeps_case or not plain_spelling(name).isidentifier())


def _fit(dialect: str, base: str, suffix: str) -> str:
    """``base_suffix`` within the dialect's identifier limit; a long base is shortened
    with a stable hash."""
    limit = NAME_LIMITS[dialect]
    name = f"{base}_{suffix}"
    if len(name.encode("utf-8")) <= limit:
        return name
    digest = hashlib.sha1(base.encode("utf-8")).hexdigest()[:8]
    room = limit - len(suffix) - len(digest) - 2
    head = base.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip("_")
    return f"{head}_{digest}_{suffix}"
