"""SQLAlchemy Core UPDATE and DELETE statements passed to Alembic's op.execute are judged
as the SQL they compile to."""

from __future__ import annotations

import pytest

from helpers import options
from migrationlint import model as m
from migrationlint.engine import lint_source
from migrationlint.readers import read_migration
from migrationlint.source import SourceFile
from migrationlint.versions import default_version

_REVISION = '''\
from alembic import op
import sqlalchemy as sa

revision = "c0ffee"
down_revision = None

parcels = sa.table("parcels", sa.column("id", sa.BigInteger), sa.column("state", sa.String))


def upgrade():
    op.execute(parcels.delete())
    op.execute(parcels.update().where(parcels.c.id == 42).values(state="open"))
    op.execute(sa.update(parcels).where(sa.and_(parcels.c.state.is_(None), parcels.c.id > 10))
               .values({"state": "new"}))
    op.execute(parcels.update().where(parcels.c.id.in_([1, 2])).values(state="held"))
    op.execute(parcels.update().where(weigh(parcels)).values(state="x"))
    op.execute(parcels.insert().values(id=1, state="x"))
    op.execute(sa.delete(parcels).where(parcels.c.state == "lost"))


def downgrade():
    pass
'''


def _lint(dialect: str = "postgres"):
    return lint_source(SourceFile("versions/c0ffee_parcels.py", _REVISION), options(dialect))


def test_unbounded_core_update_and_delete_are_ml501():
    findings = [f for f in _lint() if f.rule == "ML501"]
    # Every row (line 11), a condition over many rows (13, 18); not the updates bounded by
    # their key (12, 15), nor a condition that only running the Python would tell (16), nor
    # the INSERT of one row (17).
    assert [f.span.line for f in findings] == [11, 13, 18]
    every_row, many, lost = findings
    assert "DELETE on parcels with no WHERE clause" in every_row.message
    assert "UPDATE on parcels with WHERE state IS NULL AND id > 10" in many.message
    assert "UPDATE parcels SET state = 'new'" in many.rewrite.steps[-1].instruction
    assert "DELETE on parcels with WHERE state = 'lost'" in lost.message


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_every_core_data_change_is_a_data_change(dialect):
    migration = read_migration(SourceFile("versions/c0ffee_parcels.py", _REVISION), dialect,
                               default_version(dialect))
    lines = [s.span.line for s in migration.statements
             if any(m.changes_data(op) for op in s.operations)]
    assert lines == [11, 12, 13, 15, 16, 17, 18]
