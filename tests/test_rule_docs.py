"""Every rule has a page under rules/, and the page's examples behave as documented:
```sql bad``` blocks trigger the rule, ```sql good``` blocks do not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import lint
from migrationlint.docs import pages_folder, rule_page
from migrationlint.rules import all_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_BLOCK = re.compile(r"^```sql (?P<kind>bad|good)(?P<attrs>[^\n]*)\n(?P<body>.*?)^```", re.M | re.S)
REQUIRED_SECTIONS = ("## What it flags", "## Why it is a problem", "## Bad",
                     "## Safe expand/contract recipe", "## Good")


def _examples():
    for info in all_rules().values():
        page = (RULES_DIR / f"{info.name}.md")
        if not page.is_file():
            continue
        for number, match in enumerate(_BLOCK.finditer(page.read_text(encoding="utf-8")), 1):
            attrs = dict(a.split("=", 1) for a in match.group("attrs").split())
            yield pytest.param(info, match.group("kind"), match.group("body"), attrs,
                               id=f"{info.name}-{match.group('kind')}-{number}")


def test_pages_folder_is_found():
    assert pages_folder() is not None


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_every_rule_has_a_complete_page(code):
    info = all_rules()[code]
    page = rule_page(info.name)
    assert page is not None, f"rules/{info.name}.md is missing"
    assert page.startswith(f"# {info.code} {info.name}\n")
    for section in REQUIRED_SECTIONS:
        assert section in page, f"{info.name}.md lacks {section}"
    assert "```sql bad" in page and "```sql good" in page


def test_no_orphan_pages():
    names = {info.name for info in all_rules().values()}
    orphans = [p.stem for p in RULES_DIR.glob("*.md") if p.stem not in names]
    assert orphans == []


@pytest.mark.parametrize("info,kind,body,attrs", list(_examples()))
def test_documented_example(info, kind, body, attrs):
    dialect = attrs.get("dialect", "postgres" if "postgres" in info.dialects else info.dialects[0])
    findings = lint(body, dialect=dialect, version=attrs.get("version"))
    fired = [f for f in findings if f.rule == info.code]
    if kind == "bad":
        assert fired, f"expected {info.code} on:\n{body}\ngot {[f.rule for f in findings]}"
        for finding in fired:
            assert finding.rewrite is not None or info.code.startswith("ML0")
    else:
        assert not fired, f"unexpected {info.code} on:\n{body}: {fired[0].message}"
        if info.code != "ML001":
            assert not [f for f in findings if f.rule == "ML001"], "good example must parse"
