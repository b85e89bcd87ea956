"""Human output in the style of ruff and rustc: location, message, underlined
source, then the safe rewrite."""

from __future__ import annotations

import re
from typing import Iterator, List

import click

from migrationlint.findings import Finding, LintReport, Phase, Severity
from migrationlint.formatters import RenderOptions

# Keep tabs so the carets line up under the source on any tab width.
_NOT_TAB = re.compile(r"[^\t]")
_SEVERITY_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
# Looked up rather than read from .value: an enum attribute is a descriptor call.
_PHASE_LABELS = {phase: phase.value for phase in Phase}


def render(report: LintReport, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: LintReport, options: RenderOptions) -> Iterator[str]:
    """The report piece by piece, so a large one is written out as it is rendered
    instead of existing whole in memory (a 100,000-statement run prints 60 MB)."""
    style = click.style if options.color else _plain
    for finding in report.findings:
        yield _finding_block(finding, style) + "\n\n"
    for error in report.errors:
        yield (style(f"{error.level}: ", fg="red" if error.level == "error" else "yellow", bold=True)
               + error.message + "\n\n")
    yield _summary(report, style) + "\n"


def _finding_block(finding: Finding, style) -> str:
    span = finding.span
    color = _SEVERITY_COLORS[finding.severity]
    lines = [
        f"{style(finding.path, bold=True)}:{span.line}:{span.column}: "
        f"{style(finding.rule, fg=color, bold=True)} [{finding.name}] {finding.message}"
    ]
    lines += _excerpt(finding, style, color)
    if finding.rewrite is not None:
        gutter = " " * len(str(finding.source_line + finding.source.count("\n")))
        lines.append(f"{gutter} {style('=', fg='blue', bold=True)} "
                     f"{style('rewrite:', bold=True)} {finding.rewrite.summary}")
        for number, step in enumerate(finding.rewrite.steps, start=1):
            lines.append(f"{gutter}   {number}. [{_PHASE_LABELS[step.phase]}] {step.title}")
            body = step.sql if step.sql is not None else step.instruction or ""
            for body_line in body.splitlines():
                lines.append(f"{gutter}        {style(body_line, fg='green') if step.sql else body_line}")
    return "\n".join(lines)


def _excerpt(finding: Finding, style, color: str) -> List[str]:
    if not finding.source:
        return []
    span = finding.span
    source_lines = finding.source.split("\n")
    width = len(str(finding.source_line + len(source_lines) - 1))
    bar = style("|", fg="blue", bold=True)
    out = [f"{' ' * width} {bar}"]
    for offset, text in enumerate(source_lines):
        number = finding.source_line + offset
        out.append(f"{style(str(number).rjust(width), fg='blue', bold=True)} {bar} {text}")
        # Lines inside a multi-line span are underlined from their first to their last
        # visible character: indentation is not part of the statement's text.
        start = span.column if number == span.line else len(text) - len(text.lstrip()) + 1
        end = span.end_column if number == span.end_line else len(text.rstrip()) + 1
        if number > span.end_line or end <= start and number != span.line:
            continue
        pad = _blank(text[: start - 1])
        carets = "^" * max(end - start, 1)
        out.append(f"{' ' * width} {bar} {pad}{style(carets, fg=color, bold=True)}")
    return out


def _plain(text: str, **_style) -> str:
    return text


def _blank(prefix: str) -> str:
    """``prefix`` with every character but tabs made a space."""
    return _NOT_TAB.sub(" ", prefix) if "\t" in prefix else " " * len(prefix)


def _summary(report: LintReport, style) -> str:
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    failed = sum(1 for e in report.errors if e.level == "error")
    if not report.findings and failed:
        # "All checks passed" would contradict the exit code 2 the errors cause.
        inputs = f"{failed} input{'s' if failed != 1 else ''}"
        return style(f"No problems found in {files}, but {inputs} could not be linted.",
                     fg="red", bold=True)
    if not report.findings:
        return style(f"All checks passed ({files} checked).", fg="green", bold=True)
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    total = len(report.findings)
    with_findings = len({f.path for f in report.findings})
    where = files if with_findings == report.files else f"{with_findings} of {files}"
    return style(
        f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {where}.",
        bold=True,
    )
