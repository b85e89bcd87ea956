"""Which rules run, and at which severity: --select/--ignore and config overrides."""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, NamedTuple, Optional

from migrationlint.findings import Severity
from migrationlint.rules import RuleInfo, all_rules


class SelectionError(ValueError):
    """An unknown rule code, name or prefix."""


def resolve(selector: str, rules: Dict[str, RuleInfo]) -> List[str]:
    """Codes for a code (ML101), a name (rename-column), a prefix (ML1) or ALL."""
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return list(rules)
    by_name = [code for code, info in rules.items() if info.name == wanted.lower()]
    by_code = [code for code in rules if code.startswith(wanted.upper())]
    matched = by_name or by_code
    if not matched:
        raise SelectionError(f"unknown rule `{wanted}` (see `migrationlint rules`)")
    return matched


class Selection(NamedTuple):
    enabled: FrozenSet[str]
    severities: Dict[str, Severity]

    @classmethod
    def build(
        cls,
        dialect: str,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        severity: Optional[Dict[str, str]] = None,
    ) -> "Selection":
        rules = all_rules()
        select, ignore = [s for s in select if s.strip()], [s for s in ignore if s.strip()]
        if select:
            enabled = {code for item in select for code in resolve(item, rules)}
        else:
            enabled = {code for code, info in rules.items() if info.enabled_by_default}
        enabled -= {code for item in ignore for code in resolve(item, rules)}
        severities = {code: info.severity for code, info in rules.items()}
        for item, level in (severity or {}).items():
            for code in resolve(item, rules):
                if level == "off":
                    enabled.discard(code)
                else:
                    severities[code] = Severity(level)
        enabled = {code for code in enabled if rules[code].applies_to(dialect)}
        return cls(frozenset(enabled), severities)
