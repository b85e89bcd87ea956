"""Reading migration files: encodings, byte-order marks, line endings, binary detection."""

from __future__ import annotations

import bisect
import errno
import os
import stat
from dataclasses import dataclass, field
from typing import NamedTuple, Tuple

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
# How much of a file is inspected to decide that it is binary.
_SNIFF_BYTES = 8192
# Larger inputs are data dumps, not schema migrations: analysing one would take
# minutes and gigabytes, so it is skipped with a message instead.
MAX_FILE_BYTES = 10 * 1024 * 1024


class SkippedFile(ValueError):
    """The input is not a migration we analyse; reported as a warning."""


class BinaryFileError(SkippedFile):
    """The input looks like a binary file, not a migration."""


class FileTooLargeError(SkippedFile):
    """The input is larger than MAX_FILE_BYTES."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    text: str
    encoding: str = "utf-8"
    warnings: Tuple[str, ...] = ()
    lines: "LineIndex" = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", LineIndex(self.text))


def decode(data: bytes, path: str) -> SourceFile:
    """Decode a file's bytes the way a migration runner would read them."""
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(path, len(data))
    if data.startswith(_UTF16_BOMS):
        text = data.decode("utf-16", errors="replace")
        warnings = () if "\ufffd" not in text else (
            f"{path}: invalid UTF-16 (odd length or broken surrogate); bad bytes read as \ufffd",
        )
        return SourceFile(path, text, "utf-16", warnings)
    if data.startswith(_UTF8_BOM):
        return SourceFile(path, data[len(_UTF8_BOM):].decode("utf-8", errors="replace"), "utf-8-sig")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise BinaryFileError(f"{path}: skipped, looks like a binary file (contains NUL bytes)")
    try:
        return SourceFile(path, data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        warning = (
            f"{path}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); read as latin-1"
        )
        return SourceFile(path, data.decode("latin-1"), "latin-1", (warning,))


def read_bytes(path: str, display_path: str) -> bytes:
    """A regular file's bytes. Refuses FIFOs and devices (reading one could block
    forever) and files over the size limit before reading them."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "not a regular file", path)
    if info.st_size > MAX_FILE_BYTES:
        raise _too_large(display_path, info.st_size)
    with open(path, "rb") as handle:
        return handle.read()


def read_file(path: str, display_path: str) -> SourceFile:
    return decode(read_bytes(path, display_path), display_path)


def _too_large(path: str, size: int) -> FileTooLargeError:
    return FileTooLargeError(
        f"{path}: skipped, {size / 1048576:.1f} MB is over the "
        f"{MAX_FILE_BYTES // 1048576} MB limit for one migration file (a data dump?)"
    )


class Region(NamedTuple):
    """Where something is in a source file: 1-based lines and columns, ``end_column``
    exclusive. Statements and operations carry one; a finding's pydantic ``Span`` is
    made from it only when a rule reports (a tuple costs a tenth of a model)."""

    line: int
    column: int
    end_line: int
    end_column: int


class LineIndex:
    """Maps character offsets to 1-based (line, column); columns count code points."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts = [0]
        start = text.find("\n")
        while start != -1:
            self._starts.append(start + 1)
            start = text.find("\n", start + 1)

    def position(self, offset: int) -> Tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def span(self, start: int, end: int) -> Region:
        """Region of ``text[start:end]`` (end exclusive)."""
        # ``position`` twice, inlined: every statement and operation asks for its span,
        # and the end's line is searched for from the start's line on.
        starts = self._starts
        if end < start:
            end = start
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, end, first) - 1
        return Region(first + 1, start - starts[first] + 1, last + 1, end - starts[last] + 1)

    def line_text(self, line: int) -> str:
        """Text of a 1-based line without its line ending."""
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self._text)
        return self._text[start:end].rstrip("\r")

    def offset(self, line: int, column: int) -> int:
        return self._starts[line - 1] + column - 1

    @property
    def line_count(self) -> int:
        return len(self._starts)
