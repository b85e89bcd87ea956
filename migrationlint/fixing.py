"""``check --fix`` and ``--diff``: apply the findings' mechanical fixes to their files."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Dict, List

from migrationlint.autofix import apply_fixes
from migrationlint.findings import Fix, LintReport
from migrationlint.source import read_file


@dataclass(frozen=True)
class FileChange:
    path: str
    before: str
    after: str
    encoding: str

    def diff(self) -> str:
        return "".join(difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
            fromfile=f"a/{self.path.lstrip('/')}", tofile=f"b/{self.path.lstrip('/')}",
        ))


def planned_changes(report: LintReport) -> List[FileChange]:
    """The edited text of every file with at least one fix (standard input excluded)."""
    fixes: Dict[str, List[Fix]] = {}
    for finding in report.findings:
        if finding.fix is not None:
            fixes.setdefault(finding.path, []).append(finding.fix)
    changes = []
    for path, file_fixes in sorted(fixes.items()):
        try:
            source = read_file(path, path)
        except (OSError, ValueError):
            continue  # standard input, or the file went away: nothing to edit
        after = apply_fixes(source.text, file_fixes)
        if after != source.text:
            changes.append(FileChange(path, source.text, after, source.encoding))
    return changes


def write_changes(changes: List[FileChange]) -> None:
    for change in changes:
        # newline="" keeps the file's own line endings (the text still has any \r).
        with open(change.path, "w", encoding=change.encoding, newline="") as handle:
            handle.write(change.after)
