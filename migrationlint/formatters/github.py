"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line per
finding, which GitHub shows as an annotation on the file in the pull request.

Paths are relative to the repository root, as GitHub expects. GitHub shows at most 10
annotations of each level per step, so in a workflow this complements SARIF."""

from __future__ import annotations

from typing import Dict, List

from migrationlint.findings import FileError, Finding, LintReport
from migrationlint.formatters import RenderOptions
from migrationlint.formatters._common import message_with_rewrite, report_path

_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def render(report: LintReport, options: RenderOptions) -> str:
    root = options.root
    lines = [_finding_command(f, root) for f in sorted(report.findings, key=lambda f: f.sort_key)]
    lines += [_error_command(e, root) for e in report.errors]
    return "".join(f"{line}\n" for line in lines)


def _finding_command(finding: Finding, root: str) -> str:
    span = finding.span
    properties: Dict[str, object] = {"file": report_path(finding.path, root), "line": span.line}
    # GitHub ignores col and endColumn on an annotation that spans several lines.
    if span.end_line == span.line:
        properties.update(col=span.column, endColumn=span.end_column)
    else:
        properties["endLine"] = span.end_line
    properties["title"] = f"{finding.rule} [{finding.name}]"
    return _command(_COMMANDS[finding.severity.value], properties, message_with_rewrite(finding))


def _error_command(error: FileError, root: str) -> str:
    return _command(error.level, {"file": report_path(error.path, root)}, error.message)


def _command(name: str, properties: Dict[str, object], message: str) -> str:
    rendered: List[str] = [f"{key}={escape_property(str(value))}" for key, value in properties.items()]
    return f"::{name} {','.join(rendered)}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape a command's message the way the Actions runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Property values also escape the separators ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
