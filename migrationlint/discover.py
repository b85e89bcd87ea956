"""Find migration files under the given paths."""

from __future__ import annotations

import fnmatch
import os
from typing import Callable, List, NamedTuple, Optional, Sequence, Set, Tuple

from migrationlint.findings import FileError
from migrationlint.readers import MIGRATION_SUFFIXES

# Folders never searched: tool caches, VCS data and dependency trees.
_SKIPPED_FOLDERS = {
    ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__",
    ".migrationlint_cache", ".tox", ".nox", ".mypy_cache", ".pytest_cache", "site-packages",
}


class Discovered(NamedTuple):
    # (path to open, path to report) pairs, sorted and unique.
    files: List[Tuple[str, str]]
    errors: List[FileError]


def display_path(path: str, cwd: str) -> str:
    """Relative to the current folder (``../`` for files outside it), with forward
    slashes: reports never carry absolute paths, which would leak the layout of the
    machine that ran the lint into shared CI output."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows: nothing relative exists
        relative = absolute
    return relative.replace(os.sep, "/")


def matches_any(path: str, patterns: Sequence[str]) -> bool:
    """True when ``path`` (slash-separated), one of its parent folders, or one of its
    components matches a glob: ``migrations/old``, ``*.down.sql`` and ``legacy/**`` all work."""
    parts = path.split("/")
    candidates = {path} | {"/".join(parts[: i + 1]) for i in range(len(parts))} | set(parts)
    return any(fnmatch.fnmatch(c, p) for p in patterns for c in candidates)


def relative_to(path: str, root: str) -> str:
    """``path`` relative to ``root`` (the config file's folder), slash-separated."""
    try:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")
    except ValueError:
        return os.path.abspath(path).replace(os.sep, "/")


def discover(
    paths: Sequence[str], exclude: Sequence[str], cwd: str, root: str,
    reason_to_skip: Optional[Callable[[str], Optional[str]]] = None,
    only: Optional[Set[str]] = None, quiet_skips: bool = False,
    suffixes: Tuple[str, ...] = MIGRATION_SUFFIXES,
) -> Discovered:
    """Files under ``paths``. ``reason_to_skip`` (the readers' test: not a known
    framework's migration, or a down/undo script) leaves a file out: silently when found
    in a folder, with a ``deliberate`` warning when named explicitly, unless
    ``quiet_skips`` (pre-commit names every file its pattern matches). With ``only``
    (real paths, e.g. the files changed since a git ref) every other file is left out.
    A folder is searched for files with one of ``suffixes``."""
    result = Discovered([], [])
    seen: Set[str] = set()

    def add(path: str, walked: bool) -> None:
        real = os.path.realpath(path)
        if real in seen or (only is not None and real not in only):
            return
        if exclude and matches_any(relative_to(path, root), exclude):
            return
        if walked and _is_dangling_link(path):
            # An editor's lock file (Emacs' .#0001.sql) is one: not worth failing the run.
            skip(path, "a symbolic link to no file (its target is missing, or a loop)")
            return
        reason = reason_to_skip(path) if reason_to_skip is not None else None
        if reason is not None:
            if not walked and not quiet_skips:
                skip(path, reason, deliberate=True)
            return
        seen.add(real)
        result.files.append((path, display_path(path, cwd)))

    def skip(path: str, reason: str, deliberate: bool = False) -> None:
        shown = display_path(path, cwd)
        result.errors.append(FileError(path=shown, message=f"{shown}: skipped, {reason}",
                                       level="warning", skipped=True, deliberate=deliberate))

    for path in paths:
        if os.path.isdir(path):
            for found in _walk(path, result, cwd, suffixes):
                add(found, walked=True)
        elif os.path.exists(path):
            add(path, walked=False)
        else:  # a dangling symbolic link named explicitly too: the user meant that file
            shown = display_path(path, cwd)
            result.errors.append(FileError(path=shown, message=f"{shown}: no such file or folder"))
    result.files.sort(key=lambda pair: pair[1])
    return result


def _is_dangling_link(path: str) -> bool:
    """A symbolic link whose target is missing, or that leads round in a loop."""
    return os.path.islink(path) and not os.path.exists(path)


def _walk(
    folder: str, result: Discovered, cwd: str, suffixes: Tuple[str, ...]
) -> List[str]:
    found = []

    def on_error(error: OSError) -> None:
        shown = display_path(error.filename or folder, cwd)
        result.errors.append(FileError(path=shown, message=f"{shown}: cannot read folder: {error.strerror}"))

    # followlinks=False: a symlinked folder loop cannot make the walk endless.
    for current, folders, files in os.walk(folder, onerror=on_error, followlinks=False):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED_FOLDERS)
        found += [os.path.join(current, f) for f in files if f.lower().endswith(suffixes)]
    return found


def repository_root(start: Optional[str] = None) -> str:
    """The nearest folder at or above ``start`` (default: the current folder) that holds
    ``.git`` (a folder, or a file in worktrees and submodules); ``start`` when none does."""
    folder = os.path.realpath(start or os.getcwd())
    for candidate in [folder, *_parents(folder)]:
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
    return folder


def _parents(folder: str) -> List[str]:
    parents = []
    while True:
        parent = os.path.dirname(folder)
        if parent == folder:
            return parents
        parents.append(parent)
        folder = parent
