"""Every rule has a page under rules/, and the page's examples behave as documented:
```sql bad``` blocks trigger the rule, ```sql good``` blocks do not, and no rule reports an
error or a warning on a ```sql good``` block (notes, such as the lock-timeout ones, are
fine) unless OTHER_RULES_ON_GOOD lists it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import lint
from migrationlint.docs import pages_folder, rule_page
from migrationlint.rules import all_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
_BLOCK = re.compile(r"^```sql (?P<kind>bad|good)(?P<attrs>[^\n]*)\n(?P<body>.*?)^```", re.M | re.S)
# Good examples on which another rule's error or warning is expected, by example id, each
# with the reason. An entry that no longer fires fails the test, so the list stays current.
OTHER_RULES_ON_GOOD = {
    # The file does not show the column's current type, so change-column-type reports the
    # MODIFY; the example shows only that a stated algorithm stops ML404's silent copy.
    "alter-table-blocks-writes-good-6": {"ML107"},
    # Line 1 only shows the current definition (ML107 as above, ML401 for the second DDL);
    # the example shows that widening within the length prefix is not flagged on line 2.
    "alter-table-blocks-writes-good-7": {"ML107", "ML401"},
    # Relaxing to NULL is not ML409's concern; the unknown current type is ML107's.
    "modify-column-to-not-null-good-2": {"ML107"},
    # Line 1 only shows the column NOT NULL (ML107, ML401 as above); line 2 is the example.
    "modify-column-to-not-null-good-4": {"ML107", "ML401"},
}
REQUIRED_SECTIONS = ("## What it flags", "## Why it is a problem", "## Bad",
                     "## Safe expand/contract recipe", "## Good")


def _examples():
    for info in all_rules().values():
        page = (RULES_DIR / f"{info.name}.md")
        if not page.is_file():
            continue
        for number, match in enumerate(_BLOCK.finditer(page.read_text(encoding="utf-8")), 1):
            attrs = dict(a.split("=", 1) for a in match.group("attrs").split())
            example_id = f"{info.name}-{match.group('kind')}-{number}"
            yield pytest.param(info, match.group("kind"), match.group("body"), attrs,
                               OTHER_RULES_ON_GOOD.get(example_id, set()), id=example_id)


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


def test_other_rules_on_good_names_good_examples():
    ids = {param.id for param in _examples()}
    assert sorted(set(OTHER_RULES_ON_GOOD) - ids) == []
    assert all("-good-" in example_id for example_id in OTHER_RULES_ON_GOOD)


@pytest.mark.parametrize("info,kind,body,attrs,allowed", list(_examples()))
def test_documented_example(info, kind, body, attrs, allowed):
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
        failing = [f for f in findings if f.severity.fails_run]
        hazards = [f"{f.rule} ({f.severity.value}) line {f.span.line}: {f.message}"
                   for f in failing if f.rule not in allowed]
        assert not hazards, f"good example reported as hazardous:\n{body}\n" + "\n".join(hazards)
        stale = sorted(allowed - {f.rule for f in failing})
        assert not stale, f"OTHER_RULES_ON_GOOD lists {stale}, which no longer fire here"
