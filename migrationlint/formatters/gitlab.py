"""GitLab Code Quality report: a JSON array of issues (``artifacts: reports: codequality``).

GitLab merges issues with the same fingerprint, so each finding gets its own, and keeps
it when lines move: a hash of the rule, the path and the message (which names the table
and column), numbered when the same finding repeats in a file."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Dict, Tuple

from migrationlint.findings import FileError, Finding, LintReport
from migrationlint.formatters import RenderOptions
from migrationlint.formatters._common import message_with_rewrite, report_path

_SEVERITIES = {"error": "major", "warning": "minor", "note": "info"}
_FILE_ERROR_CHECK = "migrationlint/file-error"


def render(report: LintReport, options: RenderOptions) -> str:
    root = options.root
    seen: Counter = Counter()
    issues = [_finding_issue(f, report_path(f.path, root), seen)
              for f in sorted(report.findings, key=lambda f: f.sort_key)]
    issues += [_error_issue(e, report_path(e.path, root), seen) for e in report.errors]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _finding_issue(finding: Finding, path: str, seen: Counter) -> dict:
    return {
        # GitLab's merge request widget shows the description but not check_name.
        "description": f"{finding.rule} [{finding.name}] {message_with_rewrite(finding)}",
        "check_name": f"{finding.rule} {finding.name}",
        "fingerprint": _fingerprint((finding.rule, path, finding.message), seen),
        "severity": _SEVERITIES[finding.severity.value],
        "location": {"path": path,
                     "lines": {"begin": finding.span.line, "end": finding.span.end_line}},
    }


def _error_issue(error: FileError, path: str, seen: Counter) -> dict:
    return {
        "description": error.message,
        "check_name": _FILE_ERROR_CHECK,
        "fingerprint": _fingerprint((_FILE_ERROR_CHECK, path, error.message), seen),
        "severity": "major" if error.level == "error" else "info",
        "location": {"path": path, "lines": {"begin": 1}},
    }


def _fingerprint(key: Tuple[str, ...], seen: Dict[Tuple[str, ...], int]) -> str:
    occurrence = seen[key]
    seen[key] += 1
    return hashlib.sha256("\0".join([*key, str(occurrence)]).encode("utf-8")).hexdigest()
