"""Plain-SQL migration runners recognised by their directory conventions.

Each convention says which files run forward (down, undo, revert and verify scripts
are skipped by folder discovery) and how the runner sends a file
(``Migration.runner_transaction``, ``runner_sends_one_message``), from which
``Migration.transaction`` answers every transaction rule:

Each runner's file names are matched whatever their SQL suffix (``.sql``, ``.pgsql``,
``.psql`` or one configured in extend_sql_suffixes): ``0001_x.down.pgsql`` is a
golang-migrate down script as ``0001_x.down.sql`` is.

- Flyway ``V<version>__name.sql`` and repeatable ``R__name.sql``; ``U...`` undo files are
  skipped. Each file runs in a transaction unless its ``<file>.conf`` sets
  ``executeInTransaction=false``, or, on PostgreSQL, every statement in it is one Flyway
  knows cannot run in a transaction (CREATE INDEX CONCURRENTLY, VACUUM, ...): Flyway then
  runs the file without one. It refuses a file mixing those with others (ML301 reports
  it), unless the project's ``flyway.toml`` or ``flyway.conf`` (in the script's folder or
  above) sets ``mixed = true``: then the whole file runs without a transaction.
- golang-migrate ``<n>_name.up.sql`` (``.down.sql`` skipped) and Prisma
  ``migrations/<ts>_name/migration.sql``: no BEGIN of their own, but the file goes to the
  server in one message, which PostgreSQL runs as one implicit transaction when it holds
  more than one statement (why CONCURRENTLY fails there unless alone in its file).
- dbmate ``-- migrate:up`` / ``-- migrate:down`` sections (down not linted); a transaction
  unless the up marker says ``transaction:false``.
- goose ``-- +goose Up`` / ``-- +goose Down`` sections (down not linted; annotations are
  case-insensitive); one transaction unless ``-- +goose NO TRANSACTION``, statements sent
  one at a time either way; a MySQL stored program between ``StatementBegin`` and
  ``StatementEnd`` is one statement (other statements there are split as usual).
- sqitch ``deploy/`` scripts (``revert/``, ``verify/`` skipped); scripts hold their own
  BEGIN/COMMIT, sqitch adds none.
- Atlas (a folder with ``atlas.sum``): each file in a transaction unless
  ``-- atlas:txmode none``; ``-- atlas:nolint`` is honoured as a suppression (suppress.py).
- Diesel ``<ts>_name/up.sql`` (``down.sql`` skipped): a transaction unless the folder's
  ``metadata.toml`` sets ``run_in_transaction = false``.

``"auto"`` detects the convention per file; ``"plain"`` turns detection off (the names are
listed in config.Convention).
"""

from __future__ import annotations

import os
import re
from typing import Iterable, Iterator, List, Optional, Tuple

from migrationlint.config import toml_parser
from migrationlint.context import Migration, Statement, mark_transactions
from migrationlint.readers import SQL_SUFFIXES
from migrationlint.readers.sql import sql_statements
from migrationlint.source import SourceFile
from migrationlint.transactions import flyway_non_transactional
from migrationlint.versions import Version

# Matched on a file name without its SQL suffix (_sql_stem).
_FLYWAY = re.compile(r"^(?P<kind>[VURB])(?P<version>[0-9][0-9._]*)?__.+$", re.I)
_GOLANG_MIGRATE = re.compile(r"^\d+_.+\.(?P<direction>up|down)$", re.I)
_DBMATE_MARKER = re.compile(r"^--\s*migrate:(?P<direction>up|down)\b(?P<options>[^\n]*)$", re.M)
_GOOSE_ANNOTATION = re.compile(r"^--[ \t]*\+goose[ \t]+(?P<annotation>[^\n]*)$", re.M | re.I)
_ATLAS_TXMODE = re.compile(r"^--\s*atlas:txmode\s+(?P<mode>\w+)", re.M)
_SQITCH_FOLDERS = ("deploy", "revert", "verify")


def detect(path: str, text: str = "", more_sql: Tuple[str, ...] = ()) -> str:
    """The convention a plain SQL file follows, from its name, folder and content.
    ``more_sql``: the configured extend_sql_suffixes."""
    name = os.path.basename(path)
    stem = _sql_stem(name, more_sql)
    folder = os.path.dirname(os.path.abspath(path))
    # A substring test first: the markers' regexes try every line of every file.
    if "migrate:" in text and _DBMATE_MARKER.search(text):
        return "dbmate"
    # goose refuses a file without an Up annotation; a comment merely mentioning +goose
    # must not make every statement of the file look like a down section.
    if "+goose" in text and any(name == "up" for _, name in _goose_annotations(text)):
        return "goose"
    if os.path.isfile(os.path.join(folder, _ATLAS_SUM)) or (
        "atlas:txmode" in text and _ATLAS_TXMODE.search(text)
    ):
        return "atlas"
    if _sqitch_root(path) is not None:
        return "sqitch"
    if _GOLANG_MIGRATE.match(stem):
        return "golang-migrate"
    if _FLYWAY.match(stem):
        return "flyway"
    if stem.lower() in ("up", "down"):
        return "diesel"
    if name.lower() == "migration.sql" and os.path.basename(os.path.dirname(folder)) == "migrations":
        return "prisma"
    return "plain"


def _sql_stem(name: str, more_sql: Tuple[str, ...]) -> str:
    """``name`` without its SQL suffix (.sql, .pgsql, .psql or one of ``more_sql``), which
    the runners' name patterns are matched on; "" for a name with another suffix."""
    stem, suffix = os.path.splitext(name)
    return stem if suffix.lower() in SQL_SUFFIXES + more_sql else ""


def script_side_files(path: str) -> List[str]:
    """Files besides the SQL script ``path`` that decide how it is read: its Flyway
    script configuration. With folder_side_files, part of the result-cache key, so a
    change to one of them is never answered from the cache."""
    return [_flyway_script_conf(path)]


def folder_side_files(folder: str) -> List[str]:
    """The same for every script in ``folder``: Atlas's atlas.sum and Diesel's
    metadata.toml in it; Flyway's project configuration and sqitch's plan and
    configuration in it and every folder above."""
    files = [os.path.join(folder, _ATLAS_SUM), os.path.join(folder, _DIESEL_METADATA)]
    for above in _folder_and_above(folder):
        files += [os.path.join(above, name) for name in (*_FLYWAY_SETTINGS, *_SQITCH_PROJECT)]
    return files


# The files the conventions read besides a script (folder_side_files lists them all).
_ATLAS_SUM = "atlas.sum"
_DIESEL_METADATA = "metadata.toml"
_SQITCH_PROJECT = ("sqitch.plan", "sqitch.conf")


def _flyway_script_conf(path: str) -> str:
    return f"{path}.conf"


def _folder_and_above(folder: str) -> Iterator[str]:
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def skip_reason(path: str, convention: str = "auto",
                more_sql: Tuple[str, ...] = ()) -> Optional[str]:
    """Why discovery skips ``path`` (a script that never runs forward), or None.
    ``more_sql``: the configured extend_sql_suffixes."""
    if convention == "auto":
        convention = detect(path, more_sql=more_sql)
    stem = _sql_stem(os.path.basename(path), more_sql)
    if convention == "golang-migrate" and stem.lower().endswith(".down"):
        return "golang-migrate down migration"
    flyway = _FLYWAY.match(stem)
    if convention == "flyway" and flyway and flyway.group("kind").upper() == "U":
        return "Flyway undo migration"
    if convention == "diesel" and stem.lower() == "down":
        return "Diesel down migration"
    if convention == "sqitch":
        root = _sqitch_root(path)
        folder = root[1] if root else os.path.basename(os.path.dirname(os.path.abspath(path)))
        if folder in ("revert", "verify"):
            return f"sqitch {folder} script"
    return None


def read_plain_sql(source: SourceFile, dialect: str, version: Version,
                   convention: str = "auto", more_sql: Tuple[str, ...] = ()) -> Migration:
    if convention == "auto":
        convention = detect(source.path, source.text, more_sql)
    text, blocks = source.text, []
    if convention == "dbmate":
        text = _up_sections(text, ((m, m.group("direction") == "up")
                                   for m in _DBMATE_MARKER.finditer(text)))
    elif convention == "goose":
        annotations = _goose_annotations(text)
        text = _up_sections(text, ((m, name == "up") for m, name in annotations
                                   if name in ("up", "down")))
        blocks = _goose_statement_blocks(annotations)
    chunk = sql_statements(text, dialect, version, source.lines, blocks=blocks)
    statements = mark_transactions(chunk.statements)
    return Migration(
        source=source, dialect=dialect, target_version=version, statements=statements,
        comments=chunk.comments,
        runner_transaction=_runner_transaction(convention, source, dialect, version, statements),
        runner=None if convention == "plain" else convention,
        # One message to the server: Migration.transaction knows PostgreSQL's implicit
        # transaction around several statements.
        runner_sends_one_message=convention in ("golang-migrate", "prisma"),
    )


def _runner_transaction(convention: str, source: SourceFile, dialect: str, version: Version,
                        statements: List[Statement]) -> Optional[bool]:
    if convention == "flyway":
        configured = _flyway_execute_in_transaction(source.path)
        if configured is not None:
            return configured
        # Unset: Flyway decides from the statements (PostgreSQL parser): a file of only
        # non-transactional statements runs without a transaction; a file mixing them with
        # others is refused, or with mixed=true run without a transaction as a whole.
        if dialect != "postgres" or not statements:
            return True
        kinds = {flyway_non_transactional(s, version) for s in statements}
        return not (kinds == {True} or (True in kinds and _flyway_mixed(source.path)))
    if convention in ("golang-migrate", "prisma"):
        return None
    if convention == "dbmate":
        marker = _dbmate_up_marker(source.text)
        return not (marker and re.search(r"transaction\s*:\s*false", marker.group("options")))
    if convention == "goose":
        return all(name != "no transaction" for _, name in _goose_annotations(source.text))
    if convention == "sqitch":
        return False
    if convention == "atlas":
        mode = _ATLAS_TXMODE.search(source.text)
        return not (mode and mode.group("mode").lower() == "none")
    if convention == "diesel":
        return _diesel_in_transaction(source.path)
    return None


def _flyway_execute_in_transaction(path: str) -> Optional[bool]:
    """``executeInTransaction`` from the script's ``<name>.sql.conf``, None when unset."""
    try:
        with open(_flyway_script_conf(path), encoding="utf-8", errors="replace") as handle:
            settings = handle.read()
    except OSError:
        return None
    match = re.search(r"^\s*executeInTransaction\s*=\s*(true|false)\b", settings, re.M | re.I)
    return match.group(1).lower() == "true" if match else None


_FLYWAY_CONF_MIXED = re.compile(r"^\s*flyway\.mixed\s*[=:]\s*(true|false)\b", re.M | re.I)


def _flyway_mixed(path: str) -> bool:
    """Flyway's project setting ``mixed``, from the nearest ``flyway.toml`` (``[flyway]
    mixed = true``) or ``flyway.conf`` (``flyway.mixed=true``) in the script's folder or
    above it; False when none sets it."""
    for folder in _folder_and_above(os.path.dirname(os.path.abspath(path))):
        for name, read in _FLYWAY_SETTINGS.items():
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    setting = read(handle.read())
            except OSError:
                continue
            if setting is not None:
                return setting
    return False


def _toml_mixed(data: bytes) -> Optional[bool]:
    try:
        flyway = toml_parser().loads(data.decode("utf-8", errors="replace")).get("flyway")
    except ValueError:  # a broken flyway.toml is read as if it did not set mixed
        return None
    value = flyway.get("mixed") if isinstance(flyway, dict) else None
    return value if isinstance(value, bool) else None


def _conf_mixed(data: bytes) -> Optional[bool]:
    # A Java properties file: the last setting of a key wins.
    values = _FLYWAY_CONF_MIXED.findall(data.decode("utf-8", errors="replace"))
    return values[-1].lower() == "true" if values else None


# Flyway's project configuration files, nearest first within a folder, and how each
# says ``mixed``.
_FLYWAY_SETTINGS = {"flyway.toml": _toml_mixed, "flyway.conf": _conf_mixed}


def _diesel_in_transaction(path: str) -> bool:
    tomllib = toml_parser()
    metadata = os.path.join(os.path.dirname(path), _DIESEL_METADATA)
    try:
        with open(metadata, "rb") as handle:
            return tomllib.load(handle).get("run_in_transaction", True) is not False
    except (OSError, tomllib.TOMLDecodeError):
        return True


def _dbmate_up_marker(text: str):
    return next((m for m in _DBMATE_MARKER.finditer(text) if m.group("direction") == "up"), None)


def _up_sections(text: str, markers: Iterable[Tuple[re.Match[str], bool]]) -> str:
    """Blank out everything outside up sections, keeping offsets. ``markers`` are the
    direction markers in order, each with whether it opens an up section."""
    pieces = []
    last, keep = 0, False
    for marker, up in markers:
        section = text[last:marker.start()]
        pieces.append(section if keep else blank(section))
        keep = up
        pieces.append(marker.group())
        last = marker.end()
    section = text[last:]
    pieces.append(section if keep else blank(section))
    return "".join(pieces)


def _goose_annotations(text: str) -> List[Tuple[re.Match[str], str]]:
    """Each ``-- +goose`` line with its annotation, lower case with single spaces."""
    return [(m, " ".join(m.group("annotation").split()).lower())
            for m in _GOOSE_ANNOTATION.finditer(text)]


def _goose_statement_blocks(annotations: List[Tuple[re.Match[str], str]]) -> List[Tuple[int, int]]:
    """The text between each StatementBegin and the StatementEnd after it."""
    blocks, begin = [], None
    for marker, name in annotations:
        if name == "statementbegin":
            begin = marker.end()
        elif name == "statementend" and begin is not None:
            blocks.append((begin, marker.start()))
            begin = None
    return blocks


def blank(text: str) -> str:
    """Spaces for everything but line breaks: the text is gone, offsets and lines stay."""
    return re.sub(r"[^\n]", " ", text)


def _sqitch_root(path: str) -> Optional[Tuple[str, str]]:
    """(project folder, script folder) when ``path`` is in a sqitch deploy/revert/verify
    folder next to a sqitch.plan or sqitch.conf."""
    for current in _folder_and_above(os.path.dirname(os.path.abspath(path))):
        parent = os.path.dirname(current)
        if os.path.basename(current) in _SQITCH_FOLDERS and any(
            os.path.isfile(os.path.join(parent, name)) for name in _SQITCH_PROJECT
        ):
            return parent, os.path.basename(current)
    return None
