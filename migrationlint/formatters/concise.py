"""One line per finding, as ruff's ``--output-format concise``: ``path:line:col: CODE
[name] message``, without the source excerpt and the rewrite; then, as in the text
format, the inputs that could not be linted and the summary. Streamed file by file."""

from __future__ import annotations

from typing import Iterator

from migrationlint.findings import LintReport
from migrationlint.formatters import RenderOptions
from migrationlint.formatters.text import closing, headings

# The streaming contract (formatters/__init__.py): each file's findings, then the end.
file_text = headings
__all__ = ["chunks", "closing", "file_text", "render"]


def render(report: LintReport, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: LintReport, options: RenderOptions) -> Iterator[str]:
    yield headings(report.findings, options)
    yield from closing(report.totals, options)
