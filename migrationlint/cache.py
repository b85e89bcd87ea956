"""The result cache: a file whose bytes, options and tool version were linted before
is not parsed again.

One JSON entry per (content, options, path, version and code), in ``.migrationlint_cache/``
next to the configuration (or in the current folder). Entries are written to a
temporary file and renamed into place, so concurrent runs never read half an entry;
a damaged or unreadable entry is a miss, and a folder that cannot be written just
means no caching. The folder holds a ``.gitignore`` so it is never committed.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

from pydantic import BaseModel, ConfigDict, ValidationError

from migrationlint import __version__
from migrationlint.findings import FileError, Finding

CACHE_FOLDER = ".migrationlint_cache"
# Bumped when the entry layout changes, so old entries are never misread.
_LAYOUT = "1"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder holds migrationlint's result cache; see https://bford.info/cachedir/\n"
)


class CacheEntry(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    findings: Tuple[Finding, ...] = ()
    errors: Tuple[FileError, ...] = ()


def encode_result(findings: List[Finding], errors: List[FileError]) -> str:
    """A file's result as JSON: the cache entry, and what worker processes send back
    (pydantic reads it several times faster than it unpickles the same models)."""
    return CacheEntry(findings=tuple(findings), errors=tuple(errors)).model_dump_json()


def decode_result(payload) -> Tuple[List[Finding], List[FileError]]:
    entry = CacheEntry.model_validate_json(payload)
    return list(entry.findings), list(entry.errors)


def describe_files(paths: Sequence[str], digests: Dict[str, Optional[str]]) -> str:
    """Which of ``paths`` exist, with a digest of their content: a change to any of them
    changes the text (a size and time would miss a same-size edit within the file
    system's clock tick). ``digests`` keeps each file's digest for the run: a Django
    app's first migration is read once, not once for every later migration."""
    described = []
    for path in paths:
        if path not in digests:
            digests[path] = _content_digest(path)
        if digests[path] is not None:
            described.append(f"{path}\0{digests[path]}")
    return "\n".join(described)


def _content_digest(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:  # missing (most side files are optional), or a folder
        return None


def options_fingerprint(options) -> str:
    """Every field of LintOptions, as stable text: a field added later is part of the
    key without anyone remembering to add it here."""
    return json.dumps(dataclasses.asdict(options), sort_keys=True, default=_stable)


def _stable(value):
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)  # Version and other small value types


def code_fingerprint() -> str:
    """The release plus the size and time of every module of the package, so a
    changed rule in a development checkout (same version number) misses."""
    package = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256(__version__.encode())
    for folder, folders, files in os.walk(package):
        folders.sort()
        for name in sorted(f for f in files if f.endswith(".py")):
            info = os.stat(os.path.join(folder, name))
            digest.update(f"{os.path.relpath(folder, package)}/{name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()


class ResultCache:
    def __init__(self, root: str) -> None:
        self.folder = os.path.join(root, CACHE_FOLDER)
        self.entries = os.path.join(self.folder, f"v{_LAYOUT}-{__version__}")
        self._writable: Optional[bool] = None
        self._code = code_fingerprint()

    def key(self, data: bytes, options_text: str, display: str, side_files: str = "") -> str:
        """The entry of a file's bytes read with these options under this name;
        ``side_files``: other files that decide how it is read (describe_files)."""
        digest = hashlib.sha256()
        # Length-prefix each part so no two different inputs hash the same text.
        for part in (self._code.encode(), options_text.encode(), display.encode("utf-8", "replace"),
                     side_files.encode("utf-8", "replace")):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Optional[Tuple[List[Finding], List[FileError]]]:
        try:
            with open(os.path.join(self.entries, key + ".json"), "rb") as handle:
                return decode_result(handle.read())
        except (OSError, ValueError, ValidationError):
            return None

    def put(self, key: str, payload: str) -> None:
        """Store ``payload``, a file's result as ``encode_result`` gives it."""
        if not self._prepare():
            return
        try:
            _write_atomically(os.path.join(self.entries, key + ".json"), payload)
        except OSError:
            pass  # a full disk or a read-only checkout only costs the speed-up

    def _prepare(self) -> bool:
        """Create the folder with its .gitignore once; False when it cannot be written."""
        if self._writable is None:
            try:
                os.makedirs(self.entries, exist_ok=True)
                for name, text in ((".gitignore", "# Created by migrationlint\n*\n"),
                                   ("CACHEDIR.TAG", _CACHEDIR_TAG)):
                    path = os.path.join(self.folder, name)
                    if not os.path.exists(path):
                        _write_atomically(path, text)
                self._writable = True
            except OSError:
                self._writable = False
            else:
                self._drop_other_versions()
        return self._writable

    def _drop_other_versions(self) -> None:
        """Entries of other releases can never be read again: reclaim their space."""
        import shutil

        current = os.path.basename(self.entries)
        for entry in os.scandir(self.folder):
            if entry.is_dir(follow_symlinks=False) and entry.name.startswith("v") and entry.name != current:
                shutil.rmtree(entry.path, ignore_errors=True)


def _write_atomically(path: str, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        _remove_quietly(temporary)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
