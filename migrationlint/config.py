"""Configuration: ``[tool.migrationlint]`` in the nearest pyproject.toml, or a
migrationlint.toml, validated by a pydantic model that rejects unknown keys."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, List, Literal, NamedTuple, Optional, Tuple

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from migrationlint.versions import Version

Dialect = Literal["postgres", "mysql", "mariadb"]
Level = Literal["error", "warning", "note", "off"]
# Plain-SQL directory conventions (readers/conventions.py); "auto" detects them by name.
Convention = Literal["auto", "plain", "flyway", "golang-migrate", "dbmate", "goose", "sqitch",
                     "atlas", "prisma", "diesel"]


class ConfigError(Exception):
    """A configuration problem; the CLI prints it and exits 2."""


def _check_version(value):
    if value is None:
        return None
    Version(str(value))  # raises ValueError with a clear message
    return str(value)


# A suffix os.path.splitext gives: a dot, then a name without dots or separators.
_SUFFIX = re.compile(r"\.[A-Za-z0-9_+-]+")


def _check_sql_suffixes(value):
    """Suffixes of files to read as plain SQL besides .sql, .pgsql and .psql, lowercased
    (file names are matched in any case); a list of other values is left to pydantic."""
    from migrationlint.readers import FRAMEWORK_SUFFIXES

    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return value
    for suffix in value:
        if not _SUFFIX.fullmatch(suffix):
            raise ValueError(f"{suffix!r} is not a file suffix: write it as a dot and a name "
                             "without dots or slashes, such as \".ddl\"")
        if suffix.lower() in FRAMEWORK_SUFFIXES:
            raise ValueError(f"{suffix!r} files are read by their content (Alembic, Django, "
                             "Liquibase), not as SQL")
    return [suffix.lower() for suffix in value]


class Override(BaseModel):
    """Settings for the files matching ``paths`` (globs relative to the config's folder)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    paths: List[str]
    dialect: Optional[Dialect] = None
    target_version: Optional[str] = None
    ignore: List[str] = []
    convention: Optional[Convention] = None

    _version = field_validator("target_version", mode="before")(_check_version)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    dialect: Dialect = "postgres"
    target_version: Optional[str] = None
    select: List[str] = []
    ignore: List[str] = []
    exclude: List[str] = []
    # Per-rule severity overrides: {"ML103": "warning", "drop-column": "off"}.
    severity: Dict[str, Level] = {}
    # Per-folder settings, e.g. a MySQL service next to a PostgreSQL one; first match wins.
    overrides: List[Override] = []
    # How plain SQL files are run (transactions, skipped down/undo files).
    convention: Convention = "auto"
    # More suffixes of plain SQL files, as ruff's extend-include: [".ddl"].
    extend_sql_suffixes: List[str] = []

    _version = field_validator("target_version", mode="before")(_check_version)
    _suffixes = field_validator("extend_sql_suffixes", mode="before")(_check_sql_suffixes)


class LoadedSettings(NamedTuple):
    """The settings and where they came from, for messages and for resolving exclude
    globs. Not a pydantic model: it is only ever built from validated settings."""

    settings: Settings
    path: Optional[str] = None
    root: str = "."


def load_settings(explicit: Optional[str] = None, start: Optional[Path] = None) -> LoadedSettings:
    if explicit is not None:
        path = Path(explicit)
        if not path.exists():
            raise ConfigError(f"config file {explicit} does not exist")
        if not path.is_file():
            raise ConfigError(f"config file {explicit} is not a regular file")
        table = _read_table(path, required=True)
        return _validate(table, path)
    found = discover_config(start or Path.cwd())
    if found is None:
        # The defaults are valid by construction; validating them would build the
        # models' validators, a tenth of the start-up of a one-file run.
        return LoadedSettings(Settings.model_construct(), root=str(start or Path.cwd()))
    path, table = found
    return _validate(table, path)


def discover_config(start: Path) -> Optional[Tuple[Path, dict]]:
    """Walk up from ``start``; in each folder migrationlint.toml wins over pyproject.toml,
    and a pyproject.toml without [tool.migrationlint] is skipped."""
    for folder in [start.resolve(), *start.resolve().parents]:
        for name in ("migrationlint.toml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file():
                table = _read_table(candidate, required=name == "migrationlint.toml")
                if table is not None:
                    return candidate, table
    return None


def toml_parser():
    """``tomllib`` (``tomli`` before Python 3.11), imported when first asked for: most
    runs find no pyproject.toml, migrationlint.toml or Diesel metadata.toml to read."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on older Pythons only
        import tomli as tomllib
    return tomllib


def _read_table(path: Path, required: bool) -> Optional[dict]:
    tomllib = toml_parser()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("migrationlint")
        if table is None and required:
            raise ConfigError(f"{path} has no [tool.migrationlint] table")
        return table
    return data


def _validate(table: dict, path: Path) -> LoadedSettings:
    where = "[tool.migrationlint]" if path.name == "pyproject.toml" else "top level"
    try:
        settings = Settings.model_validate(table)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, where)) from None
    return LoadedSettings(settings, path=str(path), root=str(path.parent))


def _describe(exc: ValidationError, path: Path, where: str) -> str:
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            problems.append(f"unknown key `{key}` in {where}{_standalone_hint(key, where)}")
        else:
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"`{key}`: {message}")
    return f"invalid configuration in {path}: " + "; ".join(problems)


def _standalone_hint(key: str, where: str) -> str:
    """Why a ``[tool.migrationlint]`` table copied from a pyproject.toml into a
    standalone file is not read there."""
    if key != "tool" or where != "top level":
        return ""
    return (" (a standalone config file takes the keys at the top level: remove the "
            "`[tool.migrationlint]` header and keep the keys under it)")
