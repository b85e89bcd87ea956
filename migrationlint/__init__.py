"""migrationlint: a static linter for database migrations."""

__version__ = "0.1.0"
