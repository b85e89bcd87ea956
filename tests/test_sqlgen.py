"""sqlgen.quote prints plain names itself; it must agree with sqlglot's printer."""

import pytest
from sqlglot import exp

from migrationlint import model as m
from migrationlint.parse import to_sql
from migrationlint.sqlgen import _POSTGRES_RESERVED, derived_column, quote

NAMES = ["orders", "Orders", "customer_id", "_x", "x1", "user", "order", "Order", "select",
         "key", "interval", "1abc", "a b", 'a"b', "a`b", "é", "ñame", "naïve", "a\n", "a-b"]


def _printed_by_sqlglot(name: str, quoted: bool, dialect: str) -> str:
    needs_quotes = quoted or exp.to_identifier(name).quoted or (
        dialect == "postgres" and name.lower() in _POSTGRES_RESERVED)
    return to_sql(exp.Identifier(this=name, quoted=needs_quotes), dialect)


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "mariadb"])
@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_quote_agrees_with_sqlglot(name, quoted, dialect):
    assert quote(m.Ident(name=name, quoted=quoted), dialect) == (
        _printed_by_sqlglot(name, quoted, dialect))


def test_reserved_words_are_quoted():
    assert quote("user", "postgres") == '"user"'
    assert quote("key", "mysql") == "`key`"
    assert quote("orders", "postgres") == "orders"
    assert quote("Orders", "mysql") == "Orders"


def test_derived_column_keeps_the_spelling_and_fits_the_limit():
    assert derived_column("postgres", m.Ident(name="TotalCents", quoted=True), suffix="new") == (
        m.Ident(name="TotalCents_new", quoted=True))
    long = derived_column("postgres", m.Ident(name="A" * 70, quoted=True), suffix="new")
    assert long.quoted and long.name.startswith("AAA") and len(long.name) == 63
