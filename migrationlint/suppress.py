"""Inline suppression comments.

``-- migrationlint: ignore ML101, drop-column -- reason`` on any line of a statement or
the line before it (no codes: every rule); ``-- migrationlint: ignore-file [CODE ...]``
before the first statement. In a framework file, a comment on the first line of the call
or element holding a statement's SQL (Django ``RunSQL(``, Alembic ``op.execute(``,
Liquibase ``<sql>``), or on the line before it, covers every statement of that call even
when the SQL starts on a later line. Unknown directives and codes, a reason without its
``--``, and suppressions that suppress nothing become findings.

Atlas's ``-- atlas:nolint [analyzer|code ...]`` is honoured too (for teams moving from
Atlas): its analyzers and codes map to ours, a header comment followed by a blank line
covers the file, and since it was written for Atlas it is never reported as unused.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from migrationlint.findings import Finding
from migrationlint.rules import find_rule
from migrationlint.source import LineIndex, Region
from migrationlint.splitter import Comment

_DIRECTIVE = re.compile(r"migrationlint\s*:\s*(?P<kind>[\w-]*)(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_KINDS = ("ignore", "ignore-file")
_ACCEPTED_FORMS = ("`migrationlint: ignore [CODE ...] [-- reason]` or "
                   "`migrationlint: ignore-file [CODE ...] [-- reason]`")
_REASON = re.compile(r"\s--(\s|$)")
# What a misspelt rule looks like (a code, or a name in kebab case): any other word is
# taken for the start of a reason written without its ``--``.
_RULE_LIKE = re.compile(r"[a-z]{2}\d+|[a-z0-9]+(-[a-z0-9]+)+", re.IGNORECASE)
_ATLAS_NOLINT = re.compile(r"atlas:nolint\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
# Atlas analyzers and codes → our rule codes (only registered ones are used).
_ATLAS_NAMES = {
    "destructive": ("ML103", "ML104", "ML108"), "ds101": ("ML108",), "ds102": ("ML104",),
    "ds103": ("ML103",), "incompatible": ("ML101", "ML102"),
    "backward_incompatible": ("ML101", "ML102"), "bc101": ("ML102",), "bc102": ("ML101",),
    "data_depend": ("ML105",), "mf103": ("ML105",), "mf104": ("ML106",),
    "concurrent_index": ("ML201",), "pg101": ("ML201",),
}


class Suppression(NamedTuple):
    span: Region
    line: int
    whole_file: bool
    # Known rule codes named by the comment.
    codes: Tuple[str, ...]
    # The codes of the findings it suppressed, filled in by apply_suppressions.
    used: Set[str]
    # Why the comment is invalid, one ML002 message each: an unknown directive or rule,
    # a reason without its ``--``.
    problems: Tuple[str, ...] = ()
    # A comment naming no rule at all covers every rule.
    every_rule: bool = False
    # Written for another tool (atlas:nolint): never reported as unused or invalid.
    lenient: bool = False
    # The comment stands on a line of its own (no code before it).
    own_line: bool = False
    # Set for a comment inside a statement (not on its first line): it covers only the
    # findings on the line it ends (as ruff's noqa) or, on a line of its own, on the
    # next line, so a hazard elsewhere in the statement is still reported.
    only_line: Optional[int] = None


def parse_suppressions(comments: Sequence[Comment], lines: LineIndex) -> List[Suppression]:
    found = []
    for comment in comments:
        body = comment.text.lstrip("-#/* ").rstrip("*/ ").strip()
        atlas = _ATLAS_NOLINT.match(body)
        if atlas is not None:
            found += _atlas_suppression(comment, atlas.group("rest"), lines)
            continue
        match = _DIRECTIVE.match(body)
        if match is not None:
            span = lines.span(comment.start, comment.end)
            own_line = not lines.line_text(span.line)[:span.column - 1].strip()
            found.append(_suppression(match.group("kind"), match.group("rest"), span)._replace(
                own_line=own_line))
    return found


def _suppression(kind: str, rest: str, span: Region) -> Suppression:
    if kind.lower() not in _KINDS:
        # Suppresses nothing: a directive we do not know might mean anything.
        what = f"Unknown directive `{kind}`" if kind else "Missing directive"
        return Suppression(span=span, line=span.line, whole_file=False, codes=(), used=set(),
                           problems=(f"{what} in suppression comment; write {_ACCEPTED_FORMS}.",))
    known, problems = _named_rules(_REASON.split(" " + rest, maxsplit=1)[0])
    return Suppression(span=span, line=span.line, whole_file=kind.lower() == "ignore-file",
                       codes=tuple(known), used=set(), problems=tuple(problems),
                       every_rule=not known and not problems)


def _named_rules(words: str) -> Tuple[List[str], List[str]]:
    """The codes of the rules a directive names, and its problems. The first word that
    looks like neither a rule nor a misspelt one starts a reason written without its
    ``--``: one problem for the reason, not one per word."""
    known: List[str] = []
    problems: List[str] = []
    for word in re.finditer(r"[^\s,]+", words):
        info = find_rule(word.group())
        if info is not None:
            known.append(info.code)
        elif _RULE_LIKE.fullmatch(word.group()):
            problems.append(f"Unknown rule `{word.group()}` in suppression comment.")
        else:
            reason = words[word.start():].strip()
            rules = " ".join(known) or "CODE"
            problems.append(f"`{reason}` is not a rule: a reason goes after ` -- `, as in "
                            f"`migrationlint: ignore {rules} -- {reason}`.")
            break
    return known, problems


def _atlas_suppression(comment: Comment, rest: str, lines: LineIndex) -> List[Suppression]:
    words = [w.lower() for w in re.split(r"[\s,]+", rest) if w]
    codes = sorted({code for w in words for code in _ATLAS_NAMES.get(w, ()) if find_rule(code)})
    if words and not codes:
        return []  # only analyzers we have no rule for
    span = lines.span(comment.start, comment.end)
    next_line = span.end_line + 1
    header = next_line <= lines.line_count and not lines.line_text(next_line).strip()
    return [Suppression(span=span, line=span.line, whole_file=header, codes=tuple(codes),
                        used=set(), lenient=True, every_rule=not words)]


def apply_suppressions(
    findings: List[Finding],
    suppressions: List[Suppression],
    statement_lines: Dict[int, int],
    first_statement_line: Optional[int],
    report: Callable[[str, Region, str], Finding],
    enabled: Set[str],
    holders: Optional[Dict[int, Set[int]]] = None,
) -> List[Finding]:
    """Drop suppressed findings; add findings for bad and unused suppressions.

    ``statement_lines`` maps each finding's line to the first line of its statement;
    ``holders`` maps the first line of each framework call or element holding SQL that
    starts on a later line (Statement.holder_line) to the first lines of its statements;
    ``report(code, region, message)`` makes a finding of the file.
    """
    by_statement: Dict[int, List[Suppression]] = {}
    # Each suppression on statements, with the first lines of the statements it covers.
    placed: List[Tuple[Suppression, Tuple[int, ...]]] = []
    file_wide: List[Suppression] = []
    detached: List[Suppression] = []
    problems: List[Finding] = []
    starts = set(statement_lines.values())
    holders = holders or {}
    for suppression in suppressions:
        problems += [report("ML002", suppression.span, message) for message in suppression.problems]
        if suppression.whole_file and suppression.lenient and (
            first_statement_line is not None and suppression.line > first_statement_line
        ):
            # A blank line after a statement-level nolint.
            suppression = suppression._replace(whole_file=False)
        if suppression.whole_file:
            if first_statement_line is not None and suppression.line > first_statement_line:
                problems.append(report("ML002", suppression.span,
                                       "`ignore-file` must come before the first statement; "
                                       "it was ignored here."))
                continue
            file_wide.append(suppression)
            continue
        covered, whole = _covered_statements(suppression.line, statement_lines, starts, holders)
        if not covered:
            detached.append(suppression)
            continue
        if not whole:
            suppression = suppression._replace(
                only_line=suppression.line + 1 if suppression.own_line else suppression.line)
        for start in covered:
            by_statement.setdefault(start, []).append(suppression)
        placed.append((suppression, covered))

    kept = []
    # (statement's first line, rule) -> the line its first finding points at, to tell a
    # comment on the wrong line of the right statement where to go.
    reported_at: Dict[Tuple[int, str], int] = {}
    for finding in findings:
        start_line = statement_lines.get(finding.span.line, finding.span.line)
        reported_at.setdefault((start_line, finding.rule), finding.span.line)
        candidates = by_statement.get(start_line, []) + file_wide
        matching = [s for s in candidates if (s.every_rule or finding.rule in s.codes) and (
            s.only_line in (None, finding.span.line))]
        for suppression in matching:
            suppression.used.add(finding.rule)
        if not matching:
            kept.append(finding)

    for suppression, covered in placed:
        # Only a comment inside a statement, which covers that one, is told where to go.
        problems += [report("ML003", suppression.span, message)
                     for message in _unused(suppression, enabled, covered[0], reported_at)]
    for placed in file_wide:
        problems += [report("ML003", placed.span, message)
                     for message in _unused(placed, enabled, None, reported_at)]
    for suppression in detached:
        if not suppression.lenient and (suppression.every_rule or enabled.intersection(suppression.codes)):
            problems.append(report("ML003", suppression.span, _DETACHED))
    return kept + problems


_DETACHED = ("Suppression comment is on no statement, so it suppressed nothing: put it on the "
             "line just before the statement (or on its first line) to cover all of it, or at "
             "the end of the line its finding points at.")


def _covered_statements(
    line: int, statement_lines: Dict[int, int], starts: Set[int], holders: Dict[int, Set[int]],
) -> Tuple[Tuple[int, ...], bool]:
    """The first lines of the statements a suppression on ``line`` covers, and whether it
    covers them whole: the statements starting on that line and those of a framework call
    or element starting there, else the one the line belongs to, only in part (a comment
    at the end of a later line, where ruff users put a noqa: on the line of the finding),
    else the statements and the call starting on the next line; none when there are
    none."""
    def starting_on(first: int) -> Tuple[int, ...]:
        found = set(holders.get(first, ()))
        if first in starts:
            found.add(first)
        return tuple(sorted(found))

    here = starting_on(line)
    if here:
        return here, True
    if line in statement_lines:
        return (statement_lines[line],), False
    return starting_on(line + 1), True


def _unused(suppression: Suppression, enabled: Set[str], start: Optional[int],
            reported_at: Dict[Tuple[int, str], int]) -> List[str]:
    """ML003 messages for what a placed suppression did not suppress: remove it, or, when
    its rule fired on another line of its statement, move it there."""
    if suppression.lenient:
        return []
    if suppression.every_rule:
        return [] if suppression.used else ["Suppression comment suppressed nothing; remove it."]
    # A rule that is not enabled cannot fire, so its suppression is not "unused".
    return [_unused_code(code, reported_at.get((start, code))) for code in suppression.codes
            if code not in suppression.used and code in enabled]


def _unused_code(code: str, elsewhere: Optional[int]) -> str:
    if elsewhere is None:
        return f"Suppression of {code} suppressed nothing; remove it."
    return (f"Suppression of {code} suppressed nothing on this line: its finding points at "
            f"line {elsewhere}; put the comment at the end of that line, or on the line just "
            "before the statement to cover all of it.")
