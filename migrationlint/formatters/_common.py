"""Helpers shared by the CI formats (SARIF, GitHub, GitLab, JUnit): repository-relative
paths and a plain-text rendering of a finding's rewrite. The leading underscore keeps
this module out of the format registry."""

from __future__ import annotations

import os
from typing import Optional

from migrationlint.engine import STDIN_NAME
from migrationlint.findings import Finding


def relative_to_root(path: str, root: str) -> Optional[str]:
    """``path`` (as reported: relative to the current folder, or absolute) relative to
    ``root`` with forward slashes, or None when it lies outside ``root``. Symbolic links
    are resolved first, since code scanning cannot show results on a link."""
    if path == STDIN_NAME:
        return None
    absolute = os.path.abspath(path)
    for candidate in (os.path.realpath(absolute), absolute):
        try:
            relative = os.path.relpath(candidate, root)
        except ValueError:  # another drive on Windows
            continue
        if relative != os.curdir and not relative.startswith(os.pardir):
            return relative.replace(os.sep, "/")
    return None


def report_path(path: str, root: str) -> str:
    """Relative to ``root`` when inside it; otherwise the path as reported."""
    return relative_to_root(path, root) or path


def rewrite_text(finding: Finding) -> str:
    """The finding's safe rewrite as plain text: the summary, then numbered steps with
    their SQL or instruction indented below. Empty when the finding has no rewrite."""
    rewrite = finding.rewrite
    if rewrite is None:
        return ""
    lines = [f"Safe rewrite: {rewrite.summary}"]
    for number, step in enumerate(rewrite.steps, start=1):
        lines.append(f"{number}. [{step.phase.value}] {step.title}")
        body = step.sql if step.sql is not None else step.instruction or ""
        lines += [f"   {line}" for line in body.splitlines()]
    return "\n".join(lines)


def message_with_rewrite(finding: Finding) -> str:
    """The message, a blank line, then the rewrite (CI views show no separate fix field)."""
    rewrite = rewrite_text(finding)
    return f"{finding.message}\n\n{rewrite}" if rewrite else finding.message
