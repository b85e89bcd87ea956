"""A large run in a format that cannot stream keeps every finding until the report is
written: findings stay small, and the text report of a kept run is written piece by
piece rather than built whole."""

from __future__ import annotations

import io

from migrationlint import __version__
from migrationlint.findings import LintReport, Span
from migrationlint.formatters import RenderOptions, writer
from migrationlint.formatters.text import render

from helpers import lint

SQL = ("ALTER TABLE orders RENAME COLUMN note TO notes;\n"
       "ALTER TABLE accounts DROP COLUMN legacy;\n")


class _CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_the_text_report_is_written_in_pieces_with_the_same_text():
    findings = (*lint(SQL, path="0001.sql"), *lint(SQL, path="0002.sql"))
    report = LintReport(version=__version__, findings=findings, files=2)
    stream = _CountingStream()
    writer("text")(report, RenderOptions(), stream)
    assert stream.getvalue() == render(report, RenderOptions())
    # One piece per file, then the summary.
    assert stream.writes == 3
    assert stream.getvalue().count("0001.sql:") == len(findings) // 2


def test_formats_without_pieces_are_written_whole():
    report = LintReport(version=__version__, findings=tuple(lint(SQL)), files=1)
    stream = _CountingStream()
    writer("json")(report, RenderOptions(), stream)
    assert stream.writes == 1
    assert '"rename-column"' in stream.getvalue()


def test_models_with_the_same_fields_share_one_set_of_field_names():
    first, second = (Span(line=n, column=1, end_line=n, end_column=2) for n in (1, 2))
    assert first.model_fields_set is second.model_fields_set


def test_a_copy_with_changes_leaves_the_shared_names_alone():
    span = Span(line=1, column=1, end_line=1, end_column=2)
    other = Span(line=2, column=1, end_line=2, end_column=2)
    copied = span.model_copy(update={"line": 3})
    assert (copied.line, span.line) == (3, 1)
    assert copied.model_fields_set == span.model_fields_set == other.model_fields_set
    # Adding a name the original lacked must not reach the models sharing its set.
    finding = lint(SQL)[0].model_copy(update={"fix": None})
    partial = type(finding).model_construct(_fields_set={"rule"}, **dict(finding))
    widened = partial.model_copy(update={"fix": None})
    assert widened.model_fields_set == {"rule", "fix"}
    assert partial.model_fields_set == {"rule"}
