"""Target database versions, e.g. ``16``, ``14.3``, ``8.0``, ``8.0.29``."""

from __future__ import annotations

import re
from typing import Tuple

DEFAULT_VERSIONS = {"postgres": "16", "mysql": "8.0", "mariadb": "10.11"}
_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


class Version:
    """A version where missing parts mean "the latest release of that series":
    ``14`` is at least 14.4, and ``8.0`` is at least 8.0.29."""

    def __init__(self, text: str) -> None:
        text = str(text).strip()
        if not _VERSION.match(text):
            raise ValueError(f"invalid version {text!r}: expected digits like 16, 14.4 or 8.0.29")
        self.text = text
        self.parts: Tuple[int, ...] = tuple(int(part) for part in text.split("."))

    def at_least(self, *parts: int) -> bool:
        for mine, wanted in zip(self.parts, parts):
            if mine != wanted:
                return mine > wanted
        return True  # equal on every part given; missing parts are the latest

    def below(self, *parts: int) -> bool:
        return not self.at_least(*parts)

    def __repr__(self) -> str:
        return f"Version({self.text!r})"

    def __str__(self) -> str:
        return self.text


# Major versions each dialect has (or will soon have): a PostgreSQL "16" given for
# MySQL is a configuration mistake, not a version to reason about.
_MAJOR_RANGES = {"postgres": (9, 20), "mysql": (5, 9), "mariadb": (10, 12)}
_DIALECT_NAMES = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}


def default_version(dialect: str) -> Version:
    return Version(DEFAULT_VERSIONS[dialect])


def target_version(dialect: str, text: str) -> Version:
    """Parse ``text`` as a version of ``dialect``; ValueError when it cannot be one."""
    version = Version(text)
    low, high = _MAJOR_RANGES[dialect]
    if not low <= version.parts[0] <= high:
        raise ValueError(
            f"target version {text} is not a {_DIALECT_NAMES[dialect]} version "
            f"(expected a major version from {low} to {high})"
        )
    return version
