"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run per invocation. Paths are relative to the repository root (the nearest folder
holding ``.git``, or ``--sarif-root``) with ``uriBaseId`` ``%SRCROOT%``. The remediation
goes into ``message.text`` and the rule's help, never into ``fixes``: GitHub does not show
``fixes``, and one malformed fix makes it reject the whole upload. No timestamps, so the
same input gives the same bytes.

Paths are relative to ``RenderOptions.root`` (the repository root or --sarif-root);
``RenderOptions.extras["sarif_category"]`` sets ``automationDetails.id``, the code
scanning category."""

from __future__ import annotations

import gzip
import json
import os
import re
from typing import Dict, List, Optional
from urllib.parse import quote

import click

from migrationlint import __version__
from migrationlint.docs import PROJECT_URL, rule_page, rule_url
from migrationlint.engine import STDIN_NAME
from migrationlint.findings import FileError, Finding, LintReport, failed_inputs
from migrationlint.formatters import RenderOptions
from migrationlint.formatters._common import message_with_rewrite, relative_to_root
from migrationlint.rules import RuleInfo, all_rules

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
PARSE_ERROR_RULE = "ML001"

# GitHub code scanning rejects a run above these (docs: "SARIF support for code scanning").
MAX_RESULTS = 25_000
MAX_GZIPPED_BYTES = 10 * 1024 * 1024
# Field limits GitHub documents for rule metadata.
_MAX_DESCRIPTION = 1024
_MAX_TAGS = 20

_DIALECT_TAGS = {"postgres": "postgresql", "mysql": "mysql", "mariadb": "mariadb"}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_WHAT_IT_FLAGS = re.compile(r"^## What it flags\s*\n(.*?)(?=^## |\Z)", re.S | re.M)


def render(report: LintReport, options: RenderOptions) -> str:
    root = os.path.realpath(options.root)
    category = options.extras.get("sarif_category")
    rules = list(all_rules().values())
    index = {info.code: position for position, info in enumerate(rules)}
    findings = sorted(report.findings, key=lambda f: f.sort_key)

    run: Dict[str, object] = {
        "tool": {"driver": _driver(rules)},
        "invocations": [_invocation(report, findings, index, root)],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the repository that was linted."}}
        },
        "results": [_result(f, index[f.rule], root) for f in findings],
        "columnKind": "unicodeCodePoints",
    }
    if category:
        # Code scanning reads the id as "category/run-id"; a trailing slash makes it all category.
        run["automationDetails"] = {"id": str(category).rstrip("/") + "/"}
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    _warn_about_github_limits(len(findings), text)
    _warn_about_paths_outside(findings, root)
    _warn_about_unnamed_stdin(findings)
    return text


# -- tool ---------------------------------------------------------------------------
def _driver(rules: List[RuleInfo]) -> dict:
    return {
        "name": "migrationlint",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": PROJECT_URL,
        "rules": [_rule(info) for info in rules],
    }


def _rule(info: RuleInfo) -> dict:
    page = rule_page(info.name)
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": _clip(info.summary)},
        "fullDescription": {"text": _clip(_full_description(info, page))},
        "help": {"text": page or f"{info.summary}\n\n{rule_url(info.name)}",
                 "markdown": page or f"{info.summary}\n\n[Documentation]({rule_url(info.name)})"},
        "helpUri": rule_url(info.name),
        "defaultConfiguration": {"level": info.severity.value},
        "properties": {
            "tags": _tags(info),
            "problem.severity": _PROBLEM_SEVERITY[info.severity.value],
        },
    }


def _full_description(info: RuleInfo, page: Optional[str]) -> str:
    """The page's "What it flags" section as one paragraph, or the summary."""
    match = _WHAT_IT_FLAGS.search(page or "")
    if match is None or not match.group(1).strip():
        return info.summary
    return " ".join(match.group(1).split())


def _tags(info: RuleInfo) -> List[str]:
    dialect_tags = [_DIALECT_TAGS.get(d, d) for d in info.dialects]
    return list(dict.fromkeys(["migrations", *info.tags, *dialect_tags]))[:_MAX_TAGS]


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 1] + "…"


# -- results ------------------------------------------------------------------------
def _result(finding: Finding, rule_index: int, root: str) -> dict:
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.severity.value,
        "message": {"text": message_with_rewrite(finding)},
        "locations": [_location(finding.path, root, finding)],
    }


def _location(path: str, root: str, finding: Optional[Finding] = None) -> dict:
    physical: Dict[str, object] = {"artifactLocation": _artifact(path, root)}
    if finding is not None:
        span = finding.span
        physical["region"] = {
            "startLine": span.line, "startColumn": span.column,
            "endLine": span.end_line, "endColumn": max(span.end_column, 1),
        }
    return {"physicalLocation": physical}


def _artifact(path: str, root: str) -> dict:
    """A relative URI under %SRCROOT%. A file outside the root gets a ``../`` reference
    (and a warning), never an absolute path: those leak the machine's folders and would
    change every run."""
    relative = relative_to_root(path, root)
    if relative is None:
        relative = _outside_reference(path, root)
        if relative is None:  # standard input without a filename
            return {"uri": quote(path, safe="")}
    return {"uri": quote(relative, safe="/"), "uriBaseId": SRCROOT}


def _outside_reference(path: str, root: str) -> Optional[str]:
    if path == STDIN_NAME:
        return None
    try:
        return os.path.relpath(os.path.realpath(path), root).replace(os.sep, "/")
    except ValueError:  # another drive on Windows: only the name is left to report
        return os.path.basename(path)


# -- invocation: files that were not (fully) linted ---------------------------------------
def _invocation(report: LintReport, findings: List[Finding], index: Dict[str, int],
                root: str) -> dict:
    notifications = [_file_notification(e, root) for e in report.errors]
    notifications += [_parse_notification(f, index[f.rule], root)
                      for f in findings if f.rule == PARSE_ERROR_RULE]
    return {"executionSuccessful": failed_inputs(report.errors) == 0,
            "toolExecutionNotifications": notifications}


def _file_notification(error: FileError, root: str) -> dict:
    return {"level": "error" if error.level == "error" else "warning",
            "message": {"text": error.message},
            "locations": [_location(error.path, root)]}


def _parse_notification(finding: Finding, rule_index: int, root: str) -> dict:
    return {"level": finding.severity.value,
            "message": {"text": f"{finding.path}:{finding.span.line}: {finding.message}"},
            "locations": [_location(finding.path, root, finding)],
            "associatedRule": {"id": finding.rule, "index": rule_index}}


# -- warnings (standard error, never in the report) ---------------------------------------
def _warn(message: str) -> None:
    click.echo(f"migrationlint: warning: {message}", err=True)


def _warn_about_github_limits(results: int, text: str) -> None:
    if results > MAX_RESULTS:
        _warn(f"{results} SARIF results exceed GitHub code scanning's limit of {MAX_RESULTS} "
              "per run; the upload will be rejected. Lint fewer files (only the changed "
              "migrations) or narrow --select.")
    size = len(gzip.compress(text.encode("utf-8"), mtime=0))
    if size > MAX_GZIPPED_BYTES:
        _warn(f"the SARIF file is {size} bytes gzipped, over GitHub code scanning's limit of "
              f"{MAX_GZIPPED_BYTES}; the upload will be rejected.")


def _warn_about_paths_outside(findings: List[Finding], root: str) -> None:
    outside = sorted({f.path for f in findings
                      if f.path != STDIN_NAME and relative_to_root(f.path, root) is None})
    if outside:
        # Named as the SARIF file names it, relative to the root, so it can be found there.
        _warn(f"{len(outside)} file(s) lie outside the SARIF root {root} (e.g. "
              f"{_outside_reference(outside[0], root)}); code scanning cannot show their "
              "results. Use --sarif-root.")


def _warn_about_unnamed_stdin(findings: List[Finding]) -> None:
    if any(f.path == STDIN_NAME for f in findings):
        _warn(f"standard input has no file name, so its results point at {STDIN_NAME} and "
              "code scanning cannot show them; name it with --stdin-filename PATH.")
