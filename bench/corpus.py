"""Deterministic PostgreSQL migration corpora for the benchmark.

Each file is a realistic mixed migration: table creation, added columns, indexes,
constraints, renames, data backfills, functions with dollar-quoted bodies and
comments. The same seed always gives byte-identical files, so figures from
different runs and machines compare the same work.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable, List

_TABLES = ["accounts", "orders", "invoices", "payments", "users", "sessions", "events",
           "products", "shipments", "audit_log", "tenants", "subscriptions"]
_COLUMNS = ["status", "email", "amount_cents", "created_at", "updated_at", "region",
            "external_id", "note", "score", "archived", "currency", "priority"]
_TYPES = ["text", "integer", "bigint", "boolean", "timestamptz", "numeric(12,2)",
          "varchar(255)", "jsonb", "uuid", "date"]


def _create_table(r: random.Random, n: int) -> str:
    table = f"{r.choice(_TABLES)}_{n}"
    columns = ["  id bigserial PRIMARY KEY"]
    for col in r.sample(_COLUMNS, r.randint(2, 5)):
        null = " NOT NULL" if r.random() < 0.4 else ""
        default = " DEFAULT now()" if col.endswith("_at") else ""
        columns.append(f"  {col} {r.choice(_TYPES) if not default else 'timestamptz'}{null}{default}")
    return f"CREATE TABLE {table} (\n" + ",\n".join(columns) + "\n);"


def _add_column(r: random.Random, n: int) -> str:
    table, col = r.choice(_TABLES), f"{r.choice(_COLUMNS)}_{n}"
    tail = r.choice(["", " NOT NULL", " DEFAULT 0", " NOT NULL DEFAULT 'x'"])
    return f"ALTER TABLE {table} ADD COLUMN {col} {r.choice(_TYPES)}{tail};"


def _create_index(r: random.Random, n: int) -> str:
    table, col = r.choice(_TABLES), r.choice(_COLUMNS)
    concurrently = " CONCURRENTLY" if r.random() < 0.5 else ""
    unique = "UNIQUE " if r.random() < 0.2 else ""
    return f"CREATE {unique}INDEX{concurrently} {table}_{col}_{n}_idx ON {table} ({col});"


def _drop_column(r: random.Random, n: int) -> str:
    return f"ALTER TABLE {r.choice(_TABLES)} DROP COLUMN IF EXISTS old_{r.choice(_COLUMNS)}_{n};"


def _rename_column(r: random.Random, n: int) -> str:
    col = r.choice(_COLUMNS)
    return f"ALTER TABLE {r.choice(_TABLES)} RENAME COLUMN {col}_{n} TO {col}_{n}_new;"


def _constraint(r: random.Random, n: int) -> str:
    table = r.choice(_TABLES)
    if r.random() < 0.5:
        return (f"ALTER TABLE {table} ADD CONSTRAINT {table}_fk_{n} FOREIGN KEY (tenant_id) "
                f"REFERENCES tenants (id) NOT VALID;")
    return f"ALTER TABLE {table} ADD CONSTRAINT {table}_chk_{n} CHECK (score >= 0);"


def _backfill(r: random.Random, n: int) -> str:
    table = r.choice(_TABLES)
    return (f"UPDATE {table} SET {r.choice(_COLUMNS)} = 'migrated'\n"
            f"WHERE id BETWEEN {n * 1000} AND {n * 1000 + 999} AND archived IS NOT TRUE;")


def _function(r: random.Random, n: int) -> str:
    table = r.choice(_TABLES)
    return (f"CREATE OR REPLACE FUNCTION touch_{table}_{n}() RETURNS trigger AS $$\n"
            "BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;")


def _settings(r: random.Random, n: int) -> str:
    return r.choice(["SET lock_timeout = '5s';", "SET statement_timeout = '30s';",
                     "SET search_path TO public;"])


def _comment_on(r: random.Random, n: int) -> str:
    return f"COMMENT ON TABLE {r.choice(_TABLES)} IS 'Owned by team {n % 7}; see runbook';"


# (weight, generator): most migrations add columns, indexes and tables.
_KINDS: List = [
    (5, _add_column), (4, _create_index), (3, _create_table), (2, _constraint),
    (2, _backfill), (1, _drop_column), (1, _rename_column), (1, _function),
    (2, _settings), (1, _comment_on),
]
_GENERATORS: List[Callable[[random.Random, int], str]] = [g for w, g in _KINDS for _ in range(w)]


def migration_text(r: random.Random, file_number: int, statements: int) -> str:
    parts = [f"-- Migration {file_number:05d}: generated for the benchmark"]
    for i in range(statements):
        n = file_number * 100 + i
        if r.random() < 0.1:
            parts.append(f"-- step {i}: keep the old application version working")
        parts.append(r.choice(_GENERATORS)(r, n))
    return "\n".join(parts) + "\n"


def write_corpus(folder: Path, files: int, statements_per_file: int, seed: int = 7) -> int:
    """Write ``files`` migrations into ``folder``; returns the number of statements."""
    folder.mkdir(parents=True, exist_ok=True)
    r = random.Random(seed)
    for number in range(files):
        text = migration_text(r, number, statements_per_file)
        (folder / f"{number:05d}_migration.sql").write_text(text, encoding="utf-8")
    return files * statements_per_file
