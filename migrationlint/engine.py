"""The lint pipeline: read → migration model → rules → suppressions → findings."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING, Callable, Dict, FrozenSet, Iterator, List, NamedTuple, Optional, Sequence, Set,
    Tuple,
)

from migrationlint import __version__
from migrationlint.context import Migration
from migrationlint.discover import discover, display_path
from migrationlint.findings import (
    FileError, Finding, LintReport, RunTotals, Severity, Tally, was_linted,
)
from migrationlint.readers import (
    MIGRATION_SUFFIXES, NotAMigration, read_migration, reason_not_linted,
)
from migrationlint.rulecontext import RuleContext
from migrationlint.rules import RuleInfo, all_rules
from migrationlint.selection import Selection
from migrationlint.source import Region, SkippedFile, SourceFile, decode, read_file
from migrationlint.suppress import apply_suppressions, parse_suppressions
from migrationlint.versions import Version

if TYPE_CHECKING:
    from migrationlint.cache import ResultCache
    from migrationlint.parallel import FileTask

STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class LintOptions:
    dialect: str
    version: Version
    selection: Selection
    # Plain-SQL directory convention (readers/conventions.py); "auto" detects it.
    convention: str = "auto"
    # Suffixes of plain SQL files besides .sql, .pgsql and .psql (extend_sql_suffixes):
    # discovery finds them, and the conventions match runners' names with them.
    more_sql: Tuple[str, ...] = ()


def lint_source(source: SourceFile, options: LintOptions) -> List[Finding]:
    migration = read_migration(source, options.dialect, options.version, options.convention,
                               options.more_sql)
    return lint_migration(migration, options)


def lint_migration(migration: Migration, options: LintOptions) -> List[Finding]:
    plan = _plan(frozenset(options.selection.enabled))
    rules = plan.rules
    severities = options.selection.severities

    def report(code: str, region: Region, message: str) -> Finding:
        """A finding of the file itself (no statement, so no reader's note): parse
        errors and suppression problems, built like the rules' findings."""
        return RuleContext(rules[code], migration, None, severities.get(code)).finding(
            region, message)

    found, statement_wide = _run_rules(migration, plan, severities)
    candidates = _drop_repeats(list(_parse_errors(migration, report)) + found)

    def supersede(findings: List[Finding]) -> List[Finding]:
        if statement_wide:
            findings = _drop_superseded_in_statements(findings, statement_wide, rules)
        return _drop_superseded(findings, rules)

    def suppress(findings: List[Finding]) -> Tuple[List[Finding], bool]:
        # Parsed for each pass: a suppression records what it suppressed.
        suppressions = parse_suppressions(migration.comments, migration.source.lines)
        return apply_suppressions(
            findings, suppressions, _statement_lines(migration),
            migration.statements[0].span.line if migration.statements else None,
            report, set(options.selection.enabled), _holder_lines(migration)), bool(suppressions)

    findings, any_suppression = suppress(candidates)
    if any_suppression:
        redundant = _replaced_anyway(candidates, findings, supersede)
        if redundant:
            # A suppression whose findings what it leaves replaces anyway changes nothing:
            # read again without them, so that ML003 says so.
            findings, _ = suppress([f for f in candidates if id(f) not in redundant])
    # Only what a suppression leaves supersedes: a suppressed finding silences nothing.
    return sorted((f for f in supersede(findings) if f.rule in options.selection.enabled),
                  key=lambda f: f.sort_key)


def _replaced_anyway(
    candidates: List[Finding], left: List[Finding],
    supersede: Callable[[List[Finding]], List[Finding]],
) -> Set[int]:
    """The ids of the suppressed findings among ``candidates`` that the findings a
    suppression ``left`` would supersede anyway (few: each is tried on its own)."""
    left_ids = {id(f) for f in left}
    suppressed = [f for f in candidates if id(f) not in left_ids]
    if not suppressed:
        return set()
    final = supersede(left)
    return {id(f) for f in suppressed if all(kept is not f for kept in supersede(final + [f]))}


class _RulePlan:
    """Which enabled rules check what: the same for every file of a run."""

    def __init__(self, enabled: FrozenSet[str]):
        self.rules = all_rules()
        checked = [self.rules[code] for code in sorted(enabled) if self.rules[code].check]
        self.operation_rules = [r for r in checked if r.scope == "operation"]
        self.migration_rules = [r for r in checked if r.scope == "migration"]
        # Codes whose finding supersedes on every operation of its statement (ML114).
        self.statement_wide = {r.code for r in checked if r.supersedes_in_statement}
        self._by_type: Dict[type, List[RuleInfo]] = {}

    def rules_for(self, kind: type) -> List[RuleInfo]:
        """The rules for an operation type, found once rather than by testing every rule
        against every operation (most rules take one or two types)."""
        found = self._by_type.get(kind)
        if found is None:
            found = self._by_type[kind] = [r for r in self.operation_rules if issubclass(kind, r.on)]
        return found


@functools.lru_cache(maxsize=16)
def _plan(enabled: FrozenSet[str]) -> _RulePlan:
    # Keyed by the enabled codes: files of a run share a selection (or a few, with
    # per-directory configuration), and a frozenset keeps its hash.
    return _RulePlan(enabled)


def _run_rules(
    migration: Migration, plan: _RulePlan, severities: Dict[str, Severity]
) -> Tuple[List[Finding], List[List[Finding]]]:
    """The rules' findings, and the findings of each statement where a rule that
    supersedes in the whole statement fired (rare: kept apart so that the superseding,
    done after suppressions, needs no per-statement work otherwise)."""
    findings: List[Finding] = []
    statement_wide: List[List[Finding]] = []
    for statement in migration.statements:
        found: List[Finding] = []
        for operation in statement.operations:
            for info in plan.rules_for(type(operation)):
                found += info.check(
                    operation, RuleContext(info, migration, statement, severities.get(info.code)))
        if found and plan.statement_wide and any(f.rule in plan.statement_wide for f in found):
            statement_wide.append(found)
        findings += found
    for info in plan.migration_rules:
        findings += info.check(RuleContext(info, migration, None, severities.get(info.code)))
    return findings, statement_wide


def _drop_superseded_in_statements(
    findings: List[Finding], statements: List[List[Finding]], rules: Dict[str, RuleInfo]
) -> List[Finding]:
    """Drop what a kept finding of a rule that supersedes in the whole statement replaces,
    on any of the statement's operations (``statements``: each such statement's
    findings); _drop_superseded then handles the same operation."""
    kept = {id(f) for f in findings}
    dropped: Set[int] = set()
    for found in statements:
        replaced = {code for f in found if id(f) in kept and rules[f.rule].supersedes_in_statement
                    for code in rules[f.rule].supersedes}
        dropped.update(id(f) for f in found if f.rule in replaced)
    return [f for f in findings if id(f) not in dropped] if dropped else findings


def _parse_errors(
    migration: Migration, report: Callable[[str, Region, str], Finding]
) -> Iterator[Finding]:
    for statement in migration.statements:
        if statement.error is not None:
            yield report("ML001", statement.error_span or statement.span,
                         f"Could not parse this statement ({statement.error}); it was not checked.")


def _drop_repeats(findings: List[Finding]) -> List[Finding]:
    """One finding per rule, place and message: a reader may give the same source text
    twice (an Alembic module-level SQL constant executed in both branches of
    ``if context.is_offline_mode():``), and the second copy tells nothing new."""
    seen: Set[Tuple[str, object, str]] = set()
    kept = []
    for finding in findings:
        key = (finding.rule, finding.span, finding.message)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def _drop_superseded(findings: List[Finding], rules: Dict[str, RuleInfo]) -> List[Finding]:
    """Keep one finding per hazard: the most specific rule's. Only a finding that is kept
    supersedes: when ML111 replaces ML107, the table copy ML107 would have explained (ML404)
    is still reported."""
    codes_at: Dict[object, Set[str]] = {}
    for finding in findings:
        codes_at.setdefault(finding.span, set()).add(finding.rule)
    kept: Dict[Tuple[str, object], bool] = {}

    def is_kept(code: str, span) -> bool:
        if (code, span) not in kept:  # the supersedes relation has no cycles
            kept[(code, span)] = not any(code in rules[other].supersedes and is_kept(other, span)
                                         for other in codes_at[span])
        return kept[(code, span)]

    return [f for f in findings if is_kept(f.rule, f.span)]


def _statement_lines(migration: Migration) -> Dict[int, int]:
    mapping: Dict[int, int] = {}
    for statement in migration.statements:
        for line in range(statement.span.line, statement.span.end_line + 1):
            mapping.setdefault(line, statement.span.line)
    return mapping


def _holder_lines(migration: Migration) -> Dict[int, Set[int]]:
    """First line of each framework call or element holding SQL that starts later (a
    multi-line RunSQL, op.execute or <sql>) -> the first lines of its statements: a
    suppression comment on the call's line, or just before it, covers them."""
    holders: Dict[int, Set[int]] = {}
    for statement in migration.statements:
        if statement.holder_line is not None and statement.holder_line != statement.span.line:
            holders.setdefault(statement.holder_line, set()).add(statement.span.line)
    return holders


# -- many files -----------------------------------------------------------------
class Inputs(NamedTuple):
    """What a run lints: files and folders, and ``options_for(path)``, each file's
    options (``None`` for standard input without a filename). ``only`` restricts the
    run to these real paths (``check --since``). ``quiet_skips``: files named
    explicitly that are not migrations are left out without a warning."""

    paths: Sequence[str]
    options_for: Callable[[Optional[str]], LintOptions]
    exclude: Sequence[str] = ()
    root: Optional[str] = None
    stdin: Optional[Tuple[bytes, str]] = None
    only: Optional[Set[str]] = None
    quiet_skips: bool = False


def lint_paths(inputs: Inputs, jobs: int = 1, cache: Optional["ResultCache"] = None) -> LintReport:
    """Lint with ``jobs`` processes at most; ``cache`` remembers the results of
    unchanged files."""
    from migrationlint.parallel import run_tasks

    tasks, errors = _tasks(inputs)
    findings: List[Finding] = []
    linted = 0
    for file_findings, file_errors in run_tasks(tasks, jobs, cache):
        findings += file_findings
        errors += file_errors
        linted += was_linted(file_errors)
    return LintReport(version=__version__, findings=tuple(findings), files=linted,
                      errors=tuple(errors))


def stream_paths(
    inputs: Inputs, render: Callable[[List[Finding]], str], write: Callable[[str], object],
    jobs: int = 1, cache: Optional["ResultCache"] = None,
) -> RunTotals:
    """Lint as lint_paths does, but ``write`` each file's findings as ``render`` makes
    them, in file order, as soon as the file and those before it are done (with the
    cache, once every file has been looked up in it). Files are rendered by the process
    that linted them and their findings are not kept: the report of a large run needs
    no pass after the linting."""
    from migrationlint.parallel import run_tasks

    tasks, errors = _tasks(inputs)
    tally = Tally()
    # Counted by name, as a whole report counts them: standard input may be given the
    # name of a file that is linted too.
    with_findings = set()
    linted = 0
    for task, rendered in zip(tasks, run_tasks(tasks, jobs, cache, render)):
        write(rendered.text)
        tally = tally.plus(rendered.tally)
        if rendered.tally.total:
            with_findings.add(task.display)
        errors += rendered.errors
        linted += was_linted(rendered.errors)
    return RunTotals(linted, tuple(errors), tally._replace(files=len(with_findings)))


def _tasks(inputs: Inputs) -> Tuple[List["FileTask"], List[FileError]]:
    """A task per file to lint, and the errors of discovery."""
    # Imported here: the runner builds on lint_one below.
    from migrationlint.parallel import FileTask

    cwd = os.getcwd()
    options_for = inputs.options_for

    def reason_to_skip(path: str) -> Optional[str]:
        options = options_for(path)
        return reason_not_linted(path, options.convention, options.more_sql)

    discovered = discover(
        inputs.paths, inputs.exclude, cwd, inputs.root or cwd, only=inputs.only,
        reason_to_skip=reason_to_skip, quiet_skips=inputs.quiet_skips,
        suffixes=MIGRATION_SUFFIXES + options_for(None).more_sql)
    tasks = [FileTask(options_for(path), display, path=path) for path, display in discovered.files]
    if inputs.stdin is not None:
        data, name = inputs.stdin
        shown = name if name == STDIN_NAME else display_path(name, cwd)
        tasks.append(FileTask(options_for(name if name != STDIN_NAME else None), shown, data=data))
    return tasks, list(discovered.errors)


def lint_one(
    options: LintOptions, display: str, path: Optional[str] = None, data: Optional[bytes] = None
) -> Tuple[List[Finding], List[FileError]]:
    """Lint one file; every failure becomes a FileError so other files still run."""
    try:
        source = decode(data, display) if data is not None else read_file(path, display)
    except SkippedFile as exc:
        return [], [FileError(path=display, message=str(exc), level="warning", skipped=True)]
    except OSError as exc:
        return [], [FileError(path=display, message=f"{display}: cannot read: {exc.strerror or exc}")]
    warnings = [FileError(path=display, message=w, level="warning") for w in source.warnings]
    try:
        return lint_source(source, options), warnings
    except NotAMigration as exc:
        return [], warnings + [FileError(path=display, message=str(exc), level="warning",
                                         skipped=True, deliberate=True)]
    except RecursionError:
        return [], warnings + [FileError(path=display, message=f"{display}: too deeply nested to analyse")]
    except Exception as exc:  # an internal error must not hide the other files' findings
        message = f"{display}: internal error: {type(exc).__name__}: {exc}"
        return [], warnings + [FileError(path=display, message=message)]
