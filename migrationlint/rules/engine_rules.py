"""Rules whose findings the engine reports itself: unparseable statements and
problems with suppression comments."""

from migrationlint.rules import declare

declare(
    "ML001", "parse-error", "warning",
    "A statement could not be parsed, so it was not checked.",
    tags=("parsing",),
)
declare(
    "ML002", "invalid-suppression", "warning",
    "A suppression comment has an unknown directive or rule, a reason without --, or is misplaced.",
    tags=("suppression",),
)
declare(
    "ML003", "unused-suppression", "warning",
    "A suppression comment suppressed nothing.",
    tags=("suppression",),
)
