"""JUnit XML for CI test-report views (GitLab ``artifacts: reports: junit``, Jenkins,
Azure Pipelines): one test suite per file with findings, one test case per finding.

Errors and warnings are failures; notes pass, with their text as output, because notes
never fail a run. Files that could not be linted are test errors. A clean run is one
passing test case, so the report is never empty."""

from __future__ import annotations

from typing import Dict, List
from xml.etree import ElementTree as ET

from migrationlint.findings import FileError, Finding, LintReport
from migrationlint.formatters import RenderOptions
from migrationlint.formatters._common import message_with_rewrite, report_path


def render(report: LintReport, options: RenderOptions) -> str:
    root = options.root
    cases: Dict[str, List[ET.Element]] = {}
    for finding in sorted(report.findings, key=lambda f: f.sort_key):
        path = report_path(finding.path, root)
        cases.setdefault(path, []).append(_finding_case(finding, path))
    for error in report.errors:
        path = report_path(error.path, root)
        cases.setdefault(path, []).append(_error_case(error, path))
    if not cases:
        checked = f"{report.files} file{'s' if report.files != 1 else ''} checked"
        cases["migrationlint"] = [ET.Element("testcase", name=checked, classname="migrationlint")]

    suites = ET.Element("testsuites", name="migrationlint")
    for path in sorted(cases):
        suite = ET.SubElement(suites, "testsuite", name=path)
        suite.extend(cases[path])
        _count(suite, cases[path])
    _count(suites, [case for suite in suites for case in suite])
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _finding_case(finding: Finding, path: str) -> ET.Element:
    span = finding.span
    case = ET.Element("testcase", name=f"{finding.rule} [{finding.name}] at {span.line}:{span.column}",
                      classname=path, file=path, line=str(span.line))
    text = f"{path}:{span.line}:{span.column}: {message_with_rewrite(finding)}"
    if finding.severity.fails_run:
        failure = ET.SubElement(case, "failure", type=finding.rule, message=finding.message)
        failure.text = text
    else:
        ET.SubElement(case, "system-out").text = text
    return case


def _error_case(error: FileError, path: str) -> ET.Element:
    case = ET.Element("testcase", name="read", classname=path, file=path)
    tag = "error" if error.level == "error" else "system-out"
    element = ET.SubElement(case, tag)
    if tag == "error":
        element.set("message", error.message)
    element.text = error.message
    return case


def _count(element: ET.Element, cases: List[ET.Element]) -> None:
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    element.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
