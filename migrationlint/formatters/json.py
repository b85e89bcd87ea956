"""Stable machine-readable output; the schema is documented in the README."""

from __future__ import annotations

import json

from migrationlint.findings import Finding, LintReport

from migrationlint.formatters import RenderOptions


def finding_dict(finding: Finding) -> dict:
    rewrite = None
    if finding.rewrite is not None:
        rewrite = {
            "summary": finding.rewrite.summary,
            "steps": [
                {"phase": s.phase.value, "title": s.title, "sql": s.sql, "instruction": s.instruction}
                for s in finding.rewrite.steps
            ],
        }
    fix = None
    if finding.fix is not None:
        fix = {"title": finding.fix.title,
               "edits": [e.model_dump() for e in finding.fix.edits]}
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.span.line,
        "column": finding.span.column,
        "end_line": finding.span.end_line,
        "end_column": finding.span.end_column,
        "message": finding.message,
        "rewrite": rewrite,
        "fix": fix,
    }


def render(report: LintReport, options: RenderOptions) -> str:
    document = {
        "version": report.version,
        "findings": [finding_dict(f) for f in report.findings],
        "files": report.files,
        "errors": [{"path": e.path, "message": e.message, "level": e.level} for e in report.errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
