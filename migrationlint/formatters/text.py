"""Human output in the style of ruff and rustc: location, message, underlined
source, then the safe rewrite."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import groupby
from operator import attrgetter
from typing import Iterator, List, Sequence

import click

from migrationlint.findings import Finding, LintReport, Phase, RunTotals, Severity
from migrationlint.formatters import RenderOptions

# Keep tabs so the carets line up under the source on any tab width.
_NOT_TAB = re.compile(r"[^\t]")
_SEVERITY_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
# Looked up rather than read from .value: an enum attribute is a descriptor call.
_PHASE_LABELS = {phase: phase.value for phase in Phase}


def render(report: LintReport, options: RenderOptions) -> str:
    return "".join(chunks(report, options))


def chunks(report: LintReport, options: RenderOptions) -> Iterator[str]:
    """The report file by file, so a large one is written out as it is rendered
    instead of existing whole in memory (a 100,000-statement run prints 60 MB)."""
    for _, findings in groupby(report.findings, key=attrgetter("path")):
        yield file_text(list(findings), options)
    yield from closing(report.totals, options)


def file_text(findings: Sequence[Finding], options: RenderOptions) -> str:
    """One file's findings. A streamed run renders each file in the process that
    linted it and writes the pieces in file order, keeping no findings."""
    style = _style(options)
    return "".join(_finding_block(finding, style) + "\n\n" for finding in findings)


def closing(totals: RunTotals, options: RenderOptions) -> Iterator[str]:
    """What follows the findings: the inputs that could not be linted, and the summary."""
    style = _style(options)
    for error in totals.errors:
        yield (style(f"{error.level}: ", fg="red" if error.level == "error" else "yellow", bold=True)
               + error.message + "\n\n")
    yield _summary(totals, style) + "\n"


def rule_statistics(report: LintReport, options: RenderOptions) -> Iterator[str]:
    """ruff's --statistics: how many findings each rule has, most first, then the
    closing (unreadable inputs and the summary)."""
    counts = Counter((f.rule, f.name) for f in report.findings)
    width = len(str(max(counts.values(), default=0)))
    for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        yield f"{str(count).rjust(width)}  {code}  [{name}]\n"
    yield from closing(report.totals, options)


def _style(options: RenderOptions):
    return click.style if options.color else _plain


def headings(findings: Sequence[Finding], options: RenderOptions) -> str:
    """Each finding's first line alone: the concise format, as ruff's."""
    style = _style(options)
    return "".join(_heading(finding, style) + "\n" for finding in findings)


def _heading(finding: Finding, style) -> str:
    span = finding.span
    return (f"{style(finding.path, bold=True)}:{span.line}:{span.column}: "
            f"{style(finding.rule, fg=_SEVERITY_COLORS[finding.severity], bold=True)} "
            f"[{finding.name}] {finding.message}")


def _finding_block(finding: Finding, style) -> str:
    color = _SEVERITY_COLORS[finding.severity]
    lines = [_heading(finding, style)]
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
        carets = "^" * max(end - start + _wide_count(text[start - 1:end - 1]), 1)
        out.append(f"{' ' * width} {bar} {pad}{style(carets, fg=color, bold=True)}")
    return out


def _plain(text: str, **_style) -> str:
    return text


def _blank(prefix: str) -> str:
    """``prefix`` with every character but tabs made as many spaces as the columns it
    takes on a terminal (two for a wide CJK character)."""
    if prefix.isascii():
        return _NOT_TAB.sub(" ", prefix) if "\t" in prefix else " " * len(prefix)
    return "".join("\t" if char == "\t" else " " * (1 + _is_wide(char)) for char in prefix)


def _wide_count(text: str) -> int:
    """How many characters of ``text`` take two terminal columns: the carets under
    them are that many more than the characters."""
    return 0 if text.isascii() else sum(map(_is_wide, text))


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _summary(totals: RunTotals, style) -> str:
    files = f"{totals.files} file{'s' if totals.files != 1 else ''}"
    failed = totals.failed_inputs
    tally = totals.tally
    if not tally.total and failed:
        # "All checks passed" would contradict the exit code 2 the errors cause.
        inputs = f"{failed} input{'s' if failed != 1 else ''}"
        return style(f"No problems found in {files}, but {inputs} could not be linted.",
                     fg="red", bold=True)
    if not tally.total and not totals.files:
        return style("No migration files checked.", bold=True)
    if not tally.total:
        return style(f"All checks passed ({files} checked).", fg="green", bold=True)
    counts = [(s, getattr(tally, s.value)) for s in Severity]
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts if n]
    where = files if tally.files == totals.files else f"{tally.files} of {files}"
    return style(
        f"Found {tally.total} problem{'s' if tally.total != 1 else ''} ({', '.join(parts)}) in {where}.",
        bold=True,
    )
