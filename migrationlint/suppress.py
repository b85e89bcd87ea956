"""Inline suppression comments.

``-- migrationlint: ignore ML101, drop-column -- reason`` on a statement's first line
or the line before it; ``-- migrationlint: ignore-file [CODE ...]`` before the first
statement. Unknown codes and suppressions that suppress nothing become findings.

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

_DIRECTIVE = re.compile(
    r"migrationlint\s*:\s*(?P<kind>ignore-file|ignore)\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)
_REASON = re.compile(r"\s--(\s|$)")
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
    unknown: Tuple[str, ...] = ()
    # A comment naming no rule at all covers every rule.
    every_rule: bool = False
    # Written for another tool (atlas:nolint): never reported as unused or invalid.
    lenient: bool = False


def parse_suppressions(comments: Sequence[Comment], lines: LineIndex) -> List[Suppression]:
    found = []
    for comment in comments:
        body = comment.text.lstrip("-#/* ").rstrip("*/ ").strip()
        atlas = _ATLAS_NOLINT.match(body)
        if atlas is not None:
            found += _atlas_suppression(comment, atlas.group("rest"), lines)
            continue
        match = _DIRECTIVE.match(body)
        if match is None:
            continue
        rest = _REASON.split(" " + match.group("rest"), maxsplit=1)[0]
        known, unknown = [], []
        for word in filter(None, re.split(r"[\s,]+", rest)):
            info = find_rule(word)
            (known.append(info.code) if info else unknown.append(word))
        span = lines.span(comment.start, comment.end)
        found.append(
            Suppression(span=span, line=span.line, whole_file=match.group("kind").lower() == "ignore-file",
                        codes=tuple(known), used=set(), unknown=tuple(unknown),
                        every_rule=not known and not unknown)
        )
    return found


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
) -> List[Finding]:
    """Drop suppressed findings; add findings for bad and unused suppressions.

    ``statement_lines`` maps each finding's line to the first line of its statement;
    ``report(code, region, message)`` makes a finding of the file.
    """
    by_line: Dict[int, List[Suppression]] = {}
    file_wide: List[Suppression] = []
    problems: List[Finding] = []
    active: List[Suppression] = []
    starts = set(statement_lines.values())
    for suppression in suppressions:
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
            active.append(suppression)
        else:
            # A comment on a statement's own first line wins over one on the line before.
            target = suppression.line if suppression.line in starts else suppression.line + 1
            by_line.setdefault(target, []).append(suppression)
            active.append(suppression)
        for word in suppression.unknown:
            problems.append(report("ML002", suppression.span,
                                   f"Unknown rule `{word}` in suppression comment."))

    kept = []
    for finding in findings:
        start_line = statement_lines.get(finding.span.line, finding.span.line)
        candidates = by_line.get(start_line, []) + file_wide
        matching = [s for s in candidates if s.every_rule or finding.rule in s.codes]
        for suppression in matching:
            suppression.used.add(finding.rule)
        if not matching:
            kept.append(finding)

    for suppression in active:
        if suppression.lenient:
            continue
        # A rule that is not enabled cannot fire, so its suppression is not "unused".
        unused = [c for c in suppression.codes if c not in suppression.used and c in enabled]
        if suppression.every_rule and not suppression.used:
            problems.append(report("ML003", suppression.span,
                                   "Suppression comment suppressed nothing; remove it."))
        for code in unused:
            problems.append(report("ML003", suppression.span,
                                   f"Suppression of {code} suppressed nothing; remove it."))
    return kept + problems
