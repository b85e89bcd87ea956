"""Per-file lint options: command line over config overrides over config defaults."""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

from migrationlint.config import LoadedSettings
from migrationlint.discover import matches_any, relative_to
from migrationlint.engine import LintOptions
from migrationlint.rules import all_rules
from migrationlint.selection import Selection, SelectionError, resolve
from migrationlint.versions import default_version, target_version


class OptionsResolver:
    def __init__(
        self,
        loaded: LoadedSettings,
        dialect: Optional[str] = None,
        target_version: Optional[str] = None,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
    ) -> None:
        self.loaded = loaded
        self.cli_dialect = dialect
        self.cli_version = target_version
        self.select = list(select) or list(loaded.settings.select)
        self.ignore = [*loaded.settings.ignore, *ignore]
        self._cache: Dict[Tuple[str, str, Tuple[str, ...], str], LintOptions] = {}
        self._check_config_rules()
        # Build the default options now so a bad selector or version fails before linting.
        self.default = self.for_path(None)
        for override in loaded.settings.overrides:
            self._options(override.dialect or self.default.dialect,
                          override.target_version, override.ignore)

    def _check_config_rules(self) -> None:
        """An unknown rule in the configuration names the file it is in."""
        settings = self.loaded.settings
        named = [*settings.select, *settings.ignore, *settings.severity,
                 *(name for override in settings.overrides for name in override.ignore)]
        rules = all_rules()
        for name in named:
            try:
                resolve(name, rules)
            except SelectionError as exc:
                raise SelectionError(f"{exc}, in {self.loaded.path}") from None

    def for_path(self, path: Optional[str]) -> LintOptions:
        settings = self.loaded.settings
        override = None
        if path is not None and settings.overrides:
            where = relative_to(path, self.loaded.root)
            override = next((o for o in settings.overrides if matches_any(where, o.paths)), None)
        dialect = self.cli_dialect or (override and override.dialect) or settings.dialect
        version = self.cli_version or (override and override.target_version) or (
            settings.target_version if dialect == settings.dialect else None
        )
        convention = (override and override.convention) or settings.convention
        return self._options(dialect, version, override.ignore if override else [], convention)

    def _options(self, dialect: str, version: Optional[str], ignore: Sequence[str],
                 convention: str = "auto") -> LintOptions:
        key = (dialect, version or "", tuple(ignore), convention)
        if key not in self._cache:
            selection = Selection.build(
                dialect, self.select, [*self.ignore, *ignore], self.loaded.settings.severity
            )
            self._cache[key] = LintOptions(
                dialect, target_version(dialect, version) if version else default_version(dialect),
                selection,
                convention,
                tuple(self.loaded.settings.extend_sql_suffixes),
            )
        return self._cache[key]
