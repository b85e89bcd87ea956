"""Rule pages (rules/<name>.md at the repository top, shipped in the wheel as
migrationlint/rule_docs)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

_PACKAGE = Path(__file__).resolve().parent
# The wheel carries the pages inside the package; a source checkout has them at the top.
_CANDIDATES = (_PACKAGE / "rule_docs", _PACKAGE.parent / "rules")

PROJECT_URL = "https://github.com/migrationlint/migrationlint"
DOCS_URL = PROJECT_URL + "/blob/main/rules/{name}.md"


def pages_folder() -> Optional[Path]:
    return next((folder for folder in _CANDIDATES if folder.is_dir()), None)


def rule_page(name: str) -> Optional[str]:
    folder = pages_folder()
    if folder is None:
        return None
    page = folder / f"{name}.md"
    return page.read_text(encoding="utf-8") if page.is_file() else None


def rule_url(name: str) -> str:
    return DOCS_URL.format(name=name)
