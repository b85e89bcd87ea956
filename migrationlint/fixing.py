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
        lines = difflib.unified_diff(
            _patch_lines(self.before), _patch_lines(self.after),
            fromfile=f"a/{self.path.lstrip('/')}", tofile=f"b/{self.path.lstrip('/')}",
        )
        return "".join(_marking_missing_newline(line) for line in lines)


def _patch_lines(text: str) -> List[str]:
    """Lines as patch tools count them, each with its \\n: str.splitlines also ends a
    line at a lone \\r, a form feed or U+2028, which a patch keeps inside a line."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _marking_missing_newline(line: str) -> str:
    """A diff line as patch and git apply read it: the last line of a file without a
    final newline is followed by the marker diff writes, or the next line (the next
    file's header) would be glued onto it."""
    if line.endswith("\n"):
        return line
    return line + "\n\\ No newline at end of file\n"


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
