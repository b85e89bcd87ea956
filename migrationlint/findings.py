"""Findings, rewrites and the run report: plain immutable data that formatters render."""

from __future__ import annotations

import enum
import operator
from collections import Counter
from typing import Any, Dict, FrozenSet, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from pydantic import BaseModel, ConfigDict


_FIELDS_SETS: Dict[FrozenSet[str], Set[str]] = {}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    # A run keeps every finding to the end, and pydantic gives each model its own set
    # of the names of the fields it was given: 40% of a finding's memory (a finding is
    # five or six models). Frozen models never change that set, and copies copy it
    # before adding names, so models with the same field names can share one.
    # (The shared dict and the slot's setter are bound as defaults: every model built
    # runs this, and global and attribute look-ups were a fifth of its cost.)
    def model_post_init(self, context: Any, _share=_FIELDS_SETS.setdefault,
                        _set=BaseModel.__pydantic_fields_set__.__set__) -> None:
        names = self.__pydantic_fields_set__
        _set(self, _share(frozenset(names), names))

    def model_copy(self, *, update: Optional[Mapping[str, Any]] = None, deep: bool = False):
        copied = super().model_copy(update=update, deep=deep)
        copied.model_post_init(None)
        return copied


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def fails_run(self) -> bool:
        """Notes inform; only warnings and errors make `check` exit 1."""
        return self is not Severity.NOTE


class Span(Frozen):
    """A region of a source file. Lines and columns are 1-based; ``end_column`` is
    exclusive (the column just after the last character), as in SARIF."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, region) -> "Span":
        """The span of a ``source.Region``."""
        line, column, end_line, end_column = region
        return cls(line=line, column=column, end_line=end_line, end_column=end_column)


class Phase(str, enum.Enum):
    EXPAND = "expand"
    BACKFILL = "backfill"
    SWITCH = "switch"
    CONTRACT = "contract"


class Step(Frozen):
    """One step of a safe rewrite: SQL for the target dialect, or an instruction."""

    phase: Phase
    title: str
    sql: Optional[str] = None
    instruction: Optional[str] = None


class Rewrite(Frozen):
    summary: str
    steps: Tuple[Step, ...] = ()


class Edit(Frozen):
    """Replace ``[start, end)`` (character offsets in the file's text) with ``text``."""

    start: int
    end: int
    text: str


class Fix(Frozen):
    """A mechanical, meaning-preserving edit that ``--fix`` may apply."""

    title: str
    edits: Tuple[Edit, ...]


class Finding(Frozen):
    rule: str
    name: str
    severity: Severity
    path: str
    span: Span
    message: str
    rewrite: Optional[Rewrite] = None
    fix: Optional[Fix] = None
    # The offending source text (the statement's lines), kept for excerpts.
    source: str = ""
    source_line: int = 0

    @property
    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.column, self.rule)


class FileError(Frozen):
    """A problem with an input that is not a finding: unreadable, binary, missing."""

    path: str
    message: str
    # "error" makes the run exit 2; "warning" is reported but does not change the exit code.
    level: str = "error"
    # The file was left out on purpose (not a migration, a down script, binary, too
    # large): a warning, and not one of the files the summary says were checked.
    skipped: bool = False
    # Skipped by convention: a file that is no migration by its suffix or content, or a
    # script its convention never runs forward (down, undo, revert). No problem in the
    # file, so the CLI keeps it out of every report and says so on standard error, as
    # ruff warns of a skipped file. A binary or oversized .sql file is not: reported.
    deliberate: bool = False


class Tally(NamedTuple):
    """Findings counted by severity (fields named after ``Severity`` values) and the
    number of files they are in: what a report's closing line says. A streamed report
    (engine.stream_paths) writes each file's findings as they come and keeps only this."""

    error: int = 0
    warning: int = 0
    note: int = 0
    files: int = 0

    @classmethod
    def of(cls, findings: Sequence[Finding]) -> "Tally":
        counts = Counter(f.severity for f in findings)
        return cls(counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.NOTE],
                   len({f.path for f in findings}))

    def plus(self, other: "Tally") -> "Tally":
        return Tally(*map(operator.add, self, other))

    @property
    def total(self) -> int:
        return self.error + self.warning + self.note

    @property
    def failing(self) -> bool:
        return any(getattr(self, s.value) for s in Severity if s.fails_run)


class RunTotals(NamedTuple):
    """How a run ended, whether its report was kept whole or streamed: the files
    linted (not the skipped or unreadable ones), the inputs that could not be, and the
    tally of findings."""

    files: int
    errors: Tuple[FileError, ...]
    tally: Tally

    @property
    def failed_inputs(self) -> int:
        return failed_inputs(self.errors)

    @property
    def has_errors(self) -> bool:
        return self.failed_inputs > 0


def failed_inputs(errors: Sequence[FileError]) -> int:
    """How many inputs could not be linted (a warning-level error only informs)."""
    return sum(1 for e in errors if e.level == "error")


def was_linted(file_errors: Sequence[FileError]) -> bool:
    """Whether a file with these errors was linted: read, and not skipped."""
    return not any(e.level == "error" or e.skipped for e in file_errors)


class LintReport(Frozen):
    version: str
    findings: Tuple[Finding, ...] = ()
    files: int = 0
    errors: Tuple[FileError, ...] = ()

    @property
    def totals(self) -> RunTotals:
        return RunTotals(self.files, self.errors, Tally.of(self.findings))
