"""Migration files changed since a git ref, for ``check --since REF``.

Changed means: added, modified, renamed (the new path) or type-changed between the
merge base of REF and HEAD and the working tree (so commits on the branch, staged and
unstaged edits all count), plus untracked files that are not ignored. Deleted files
are not linted. git runs as a subprocess with an argument list, never a shell.
"""

from __future__ import annotations

import os
import subprocess
from typing import Dict, List, Sequence, Set


class GitError(Exception):
    """git is missing, the folder is not a repository, or the ref is unknown."""


def _git(arguments: List[str], cwd: str) -> str:
    try:
        completed = subprocess.run(
            ["git", *arguments], cwd=cwd, capture_output=True, text=True, check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError:
        raise GitError("--since needs git, which was not found on PATH") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if completed.returncode != 0:
        raise GitError(completed.stderr.strip() or f"git {arguments[0]} failed")
    return completed.stdout


def _git_toplevel(cwd: str) -> str:
    try:
        return _git(["rev-parse", "--show-toplevel"], cwd).strip()
    except GitError:
        raise GitError(f"--since needs a git repository, and {os.path.abspath(cwd)} is not "
                       "inside one") from None


def _repository_of(paths: Sequence[str]) -> str:
    """The one repository holding ``paths`` (not the current folder's: ``cd /tmp &&
    migrationlint check /repo/migrations --since main`` compares /repo)."""
    holders: Dict[str, str] = {}
    for path in paths:
        holders.setdefault(_git_toplevel(_nearest_folder(path)), path)
    if len(holders) > 1:
        where = ", ".join(f"{path} in {root}" for root, path in holders.items())
        raise GitError(f"--since compares one git repository, and the paths are in several "
                       f"({where}): lint each repository in a run of its own")
    return next(iter(holders))


def _nearest_folder(path: str) -> str:
    """``path`` if it is a folder, else the nearest folder above it that exists (a
    missing path is reported by the run itself)."""
    folder = os.path.abspath(path)
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder


def changed_files(ref: str, paths: Sequence[str]) -> Set[str]:
    """Real paths of the files changed since ``ref`` in the repository holding
    ``paths`` (see the module docstring)."""
    root = _repository_of(paths)
    if ref.startswith("-"):
        raise GitError(f"invalid git ref `{ref}`")
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    except GitError:
        raise GitError(f"unknown git ref `{ref}` (fetch it first, e.g. `git fetch origin "
                       "main`, and check the name)") from None
    try:
        base = _git(["merge-base", ref, "HEAD"], root).strip()
    except GitError:
        base = ref  # no common history (or no commit yet): compare with the ref itself
    changed = _git(["diff", "--name-only", "-z", "--find-renames", "--diff-filter=ACMRT",
                    base, "--"], root)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    names = [name for name in (changed + untracked).split("\0") if name]
    return {os.path.realpath(os.path.join(root, name)) for name in names}
