"""The operation model's Record base: keyword construction, immutability, value
equality, and the list-to-tuple rule that keeps records hashable."""

import pytest

from migrationlint import model as m
from migrationlint.source import Region

SPAN = Region(1, 1, 1, 10)


def test_fields_are_collected_with_inherited_ones_and_defaults():
    assert m.AddColumn.field_names[:2] == ("span", "table")
    op = m.DropColumn(span=SPAN, table=m.ObjectName(name=m.Ident(name="t")),
                      column=m.Ident(name="c"))
    assert op.if_exists is False
    assert op.column.quoted is False


def test_missing_or_unknown_fields_are_refused():
    with pytest.raises(TypeError, match=r"missing \['name'\]"):
        m.Ident()
    with pytest.raises(TypeError, match=r"unknown \['nmae'\]"):
        m.Ident(name="a", nmae="b")


def test_records_are_immutable():
    ident = m.Ident(name="a")
    with pytest.raises(AttributeError):
        ident.name = "b"
    with pytest.raises(AttributeError):
        del ident.name


def test_equality_and_hash_follow_the_values():
    first, second = m.Ident(name="a", quoted=True), m.Ident(name="a", quoted=True)
    assert first == second and hash(first) == hash(second)
    assert first != m.Ident(name="a")
    # Same values, different class: not equal.
    assert m.DropNotNull(span=SPAN, table=m.ObjectName(name=first), column=first) != \
        m.SetNotNull(span=SPAN, table=m.ObjectName(name=first), column=first)


def test_lists_become_tuples_so_records_stay_hashable():
    op = m.Vacuum(span=SPAN, tables=[m.ObjectName(name=m.Ident(name="t"))])
    assert isinstance(op.tables, tuple)
    assert hash(op) == hash(m.Vacuum(span=SPAN, tables=(m.ObjectName(name=m.Ident(name="t")),)))


def test_replace_returns_a_changed_copy():
    name = m.ObjectName(name=m.Ident(name="t"))
    moved = name.replace(schema_=m.Ident(name="s"))
    assert moved.display == "s.t" and name.display == "t"
    with pytest.raises(TypeError):
        name.replace(nope=1)


def test_repr_names_the_fields():
    assert repr(m.Ident(name="a")) == "Ident(name='a', quoted=False)"
