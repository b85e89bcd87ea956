"""The rule registry. Each module in this package defines rules with ``@rule``;
``all_rules()`` imports the package's modules, so nothing lists rules by hand."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Dict, Iterable, NamedTuple, Optional, Tuple

from migrationlint.findings import Severity

ALL_DIALECTS = ("postgres", "mysql", "mariadb")
POSTGRES = ("postgres",)
MYSQL = ("mysql", "mariadb")


class RuleInfo(NamedTuple):
    code: str
    name: str
    severity: Severity
    summary: str
    dialects: Tuple[str, ...]
    tags: Tuple[str, ...]
    # Operation types the check is called for; empty with scope "migration" or for
    # rules the engine itself reports (parse errors, suppressions).
    on: Tuple[type, ...]
    check: Optional[Callable] = None
    # "operation": check(op, ctx) per matching operation; "migration": check(ctx) once per file.
    scope: str = "operation"
    # Codes of broader rules this one replaces when both fire on the same operation.
    supersedes: Tuple[str, ...] = ()
    # Its finding replaces them on every operation of the statement, not only its own
    # (ML114: the server rejects the whole statement).
    supersedes_in_statement: bool = False
    enabled_by_default: bool = True

    def applies_to(self, dialect: str) -> bool:
        return dialect in self.dialects


_REGISTRY: Dict[str, RuleInfo] = {}
_loaded = False


def rule(
    code: str,
    name: str,
    severity: str,
    summary: str,
    *,
    on: Iterable[type] = (),
    dialects: Tuple[str, ...] = ALL_DIALECTS,
    tags: Tuple[str, ...] = (),
    scope: str = "operation",
    supersedes: Tuple[str, ...] = (),
    supersedes_in_statement: bool = False,
    enabled_by_default: bool = True,
):
    """Register the decorated function as the check of a rule."""

    def register(check: Optional[Callable]) -> Optional[Callable]:
        info = RuleInfo(
            code=code, name=name, severity=Severity(severity), summary=summary,
            dialects=tuple(dialects), tags=tuple(tags), on=tuple(on), check=check,
            scope=scope, supersedes=tuple(supersedes),
            supersedes_in_statement=supersedes_in_statement, enabled_by_default=enabled_by_default,
        )
        clash = _REGISTRY.get(code) or next(
            (r for r in _REGISTRY.values() if r.name == name), None
        )
        if clash is not None and clash.check is not check:
            raise RuntimeError(f"rule {code} [{name}] clashes with {clash.code} [{clash.name}]")
        _REGISTRY[code] = info
        return check

    return register


def declare(code: str, name: str, severity: str, summary: str, **options) -> None:
    """Register a rule whose findings the engine itself produces."""
    rule(code, name, severity, summary, **options)(None)


def all_rules() -> Dict[str, RuleInfo]:
    """Every rule, keyed by code, in code order."""
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return dict(sorted(_REGISTRY.items()))


def find_rule(code_or_name: str) -> Optional[RuleInfo]:
    wanted = code_or_name.strip()
    for info in all_rules().values():
        if wanted.upper() == info.code or wanted.lower() == info.name:
            return info
    return None
