"""Split a migration's text into statements with exact character spans.

A small lexical scanner, not a parser: it only needs to know where quotes,
comments and delimiters are, so it survives input that sqlglot rejects
(unterminated strings, unknown syntax) and keeps every offset exact.
Handles PostgreSQL dollar quotes, nested comments, ``BEGIN ATOMIC`` routine bodies,
psql meta-commands and ``COPY ... FROM STDIN`` data, and MySQL backslash escapes, backticks, ``#`` comments,
``/*! ... */`` version comments and ``DELIMITER`` blocks.

A version comment's body is code when the target server runs it (``/*!80000 ... */`` from
MySQL 8.0.0 on, ``/*M!100500 ... */`` on MariaDB 10.5.0 and later, ``/*! ... */`` always)
and an ordinary comment otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, NamedTuple, Optional, Sequence, Tuple

from migrationlint.source import LineIndex
from migrationlint.versions import Version

_NON_SPACE = re.compile(r"\S")
# Identifier characters: ASCII letters, digits, "_" and every non-ASCII character.
# Written as negated ASCII ranges: a class spanning \x80-\uffff costs 5 ms to compile
# at every start, a tenth of the budget of a pre-commit run.
_DOLLAR_TAG = re.compile(r"\$([^\x00-\x40\x5b-\x5e\x60\x7b-\x7f][^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*)?\$")
_DELIMITER_LINE = re.compile(r"DELIMITER[ \t]+(\S+)[^\n]*", re.IGNORECASE)
_BLOCK_COMMENT_TOKEN = re.compile(r"/\*|\*/")
# MariaDB also runs "/*M!" comments, which MySQL reads as ordinary ones.
_VERSION_COMMENT = {"mysql": re.compile(r"/\*!([0-9]*)"),
                    "mariadb": re.compile(r"/\*M?!([0-9]*)")}
_IDENT_CHAR = re.compile(r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]")
_WORD_OR_PARENTHESIS = re.compile(r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]+|[()]")
# psql sends the lines after a COPY ... FROM STDIN (or \copy) as its data, up to a line
# that is only "\.".
_COPY_FROM_STDIN = re.compile(r"\\?COPY\b[^;]*?\bFROM\s+STDIN\b", re.I)
_COPY_DATA_END = re.compile(r"^\\\.\r?$", re.M)
_ROUTINE_START = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b", re.I)
# A MySQL/MariaDB stored program, whose BEGIN ... END body holds delimiters. The definer
# is a user ('app'@'%', `app`@`%`, app@localhost) or CURRENT_USER[()].
# Comments may stand between the words, and mysqldump wraps the words in version
# comments (/*!50003 CREATE*/ /*!50017 DEFINER=...*/ /*!50003 TRIGGER ... END */), whose
# markers are gaps too. MariaDB's anonymous BEGIN NOT ATOMIC ... END block holds
# delimiters too.
_VERSION_OPENING = r"/\*M?![0-9]*"
_VERSION_MARKER = rf"{_VERSION_OPENING}|\*/"
_GAP = rf"(?:\s|{_VERSION_MARKER}|/\*.*?\*/)+"
_STORED_PROGRAM_START = re.compile(
    rf"(?:{_VERSION_OPENING}\s*)?CREATE{_GAP}(?:OR{_GAP}REPLACE{_GAP})?"
    rf"(?:DEFINER\s*=\s*(?:'[^']*'|\"[^\"]*\"|`[^`]*`|[^\s'\"`])+{_GAP})?"
    rf"(?:AGGREGATE{_GAP})?(?:FUNCTION|PROCEDURE|TRIGGER|EVENT)\b|BEGIN{_GAP}NOT{_GAP}ATOMIC\b",
    re.I | re.S)


# Comment and StatementText are made for every comment and statement of every file:
# tuples, because a frozen dataclass costs three times as much to build.
class Comment(NamedTuple):
    start: int
    end: int
    text: str


class StatementText(NamedTuple):
    """One statement: ``text`` is ``source[start:end]`` with MySQL version-comment
    markers blanked out (same length, so offsets inside it stay exact)."""

    start: int
    end: int
    text: str
    # Why the statement could not be delimited cleanly, e.g. an unterminated quote.
    problem: Optional[str] = None


@dataclass(frozen=True)
class SplitResult:
    statements: Tuple[StatementText, ...]
    comments: Tuple[Comment, ...]


class _Unterminated(Exception):
    def __init__(self, what: str, start: int) -> None:
        super().__init__(what)
        self.what = what
        self.start = start


class _Scanner:
    def __init__(self, text: str, dialect: str, blocks: Sequence[Tuple[int, int]],
                 version: Optional[Version]) -> None:
        self.text = text
        self.blocks = blocks
        self.mysql = dialect in ("mysql", "mariadb")
        self.version_comment = _VERSION_COMMENT.get(dialect)
        self.version = version
        self.comments: List[Comment] = []
        self.statements: List[StatementText] = []
        # Ranges of MySQL "/*!NNNNN" and matching "*/" markers, blanked in statement text.
        self.masks: List[Tuple[int, int]] = []
        self.open_version_comments = 0
        self.set_delimiter(";")

    def set_delimiter(self, delimiter: str) -> None:
        self.delimiter = delimiter
        parts = [r"--", r"/\*", r"'", r'"', re.escape(delimiter)]
        if self.mysql:
            parts += [r"`", r"#", r"\*/"]
        else:
            # "\;" and "\:" put the character into psql's buffer; any other backslash
            # starts a meta-command.
            parts += [r"\$", r"\\[;:]?"]
        self.special = re.compile("|".join(parts))

    # -- top level -------------------------------------------------------
    def run(self) -> SplitResult:
        pos = 0
        length = len(self.text)
        while pos < length:
            pos = self.skip_to_statement(pos)
            if pos >= length:
                break
            pos = self.scan_statement(pos, self.end_of_block(pos))
            copy = self.statements[-1]
            if not self.mysql and _COPY_FROM_STDIN.match(copy.text):
                pos, problem = _after_copy_data(self.text, pos)
                if problem is not None:
                    self.statements[-1] = copy._replace(problem=problem)
        return SplitResult(tuple(self.statements), tuple(self.comments))

    def skip_to_statement(self, pos: int) -> int:
        """Skip whitespace, comments, stray delimiters and DELIMITER lines."""
        text = self.text
        while True:
            match = _NON_SPACE.search(text, pos)
            if match is None:
                return len(text)
            pos = match.start()
            if text.startswith(self.delimiter, pos):
                pos += len(self.delimiter)
            elif self.is_line_comment(pos):
                pos = self.skip_line_comment(pos)
            elif text.startswith("/*", pos) and not self.executed_comment(pos):
                try:
                    pos = self.skip_block_comment(pos)
                except _Unterminated as exc:
                    self.add_statement(exc.start, len(text), self.unterminated(exc))
                    return len(text)
            elif self.mysql and _DELIMITER_LINE.match(text, pos):
                # A mysql-client directive, not SQL: it changes the statement delimiter.
                line = _DELIMITER_LINE.match(text, pos)
                self.set_delimiter(line.group(1))
                pos = line.end()
            elif not self.mysql and text.startswith("\\", pos):
                # A psql meta-command (\set, \connect, \i, ...): a client directive, not
                # SQL, and it ends with its line.
                end = _line_end(text, pos)
                if not _COPY_FROM_STDIN.match(text, pos, end):
                    pos = end
                    continue
                after, problem = _after_copy_data(text, end)
                if problem is not None:
                    # A statement only to carry the problem to the reader.
                    self.add_statement(pos, end, problem)
                pos = after
            else:
                return pos

    def end_of_block(self, pos: int) -> Optional[int]:
        if not self.blocks:  # only goose files have blocks
            return None
        return next((end for start, end in self.blocks if start <= pos < end), None)

    def scan_statement(self, start: int, block_end: Optional[int] = None) -> int:
        """Scan one statement. A delimiter does not end it inside a routine's BEGIN ...
        END body, nor in a block holding a MySQL stored program unless nothing follows it
        there; a block's end ends it. A psql meta-command ends it where it starts."""
        text = self.text
        end = len(text) if block_end is None else block_end
        pos = start
        body = _RoutineBody() if not self.mysql and _ROUTINE_START.match(text, start) else None
        # Goose needs its block only for a body its own splitter would cut at a delimiter:
        # PostgreSQL's are read above, MySQL's are the whole rest of the block.
        whole_block = (block_end is not None and self.mysql
                       and _STORED_PROGRAM_START.match(text, start))
        while True:
            match = self.special.search(text, pos, end)
            if body is not None:
                body.read(text, pos, end if match is None else match.start())
            if match is None:
                self.add_statement(start, end)
                return end
            token, at = match.group(), match.start()
            if token == "\\":
                # psql sends the query so far; skip_to_statement skips the meta-command.
                self.add_statement(start, at)
                return at
            if token not in (self.delimiter, "\\;"):
                try:
                    pos = self.skip_token(token, at)
                except _Unterminated as exc:
                    self.add_statement(start, len(text), self.unterminated(exc))
                    return len(text)
                continue
            pos = match.end()
            inside = (body is not None and body.depth > 0) or (
                whole_block and _NON_SPACE.search(text, pos, end))
            if not inside:
                self.add_statement(start, at)
                return pos

    def skip_token(self, token: str, at: int) -> int:
        """Return the offset just past the quoted or commented region starting at ``at``."""
        if token == "--":
            return self.skip_line_comment(at) if self.is_line_comment(at) else at + 2
        if token == "#":
            return self.skip_line_comment(at)
        if token == "/*":
            marker = self.executed_comment(at)
            if marker:
                self.masks.append((at, marker.end()))
                self.open_version_comments += 1
                return marker.end()
            return self.skip_block_comment(at)
        if token == "*/":
            if self.open_version_comments:
                self.open_version_comments -= 1
                self.masks.append((at, at + 2))
            return at + 2
        if token == "$":
            return self.skip_dollar_quote(at)
        if token == "\\:":
            return at + 2
        return self.skip_quoted(token, at)

    def quoted_and_commented(self) -> Tuple[Tuple[int, int], ...]:
        """(start, end) of each string, quoted name and comment, read as ``skip_token``
        reads them inside a statement; an unterminated one runs to the end of the text."""
        text, ranges, pos = self.text, [], 0
        while (match := self.special.search(text, pos)) is not None:
            token, at = match.group(), match.start()
            if token in (self.delimiter, "\\", "\\;"):
                pos = match.end()
                continue
            try:
                pos = self.skip_token(token, at)
            except _Unterminated as exc:
                ranges.append((exc.start, len(text)))
                break
            # A token skip_token steps over alone ("--" before no space on MySQL, a "$1"
            # parameter, "*/") is code.
            if pos > match.end():
                ranges.append((at, pos))
        return tuple(ranges)

    # -- lexical pieces --------------------------------------------------
    def is_line_comment(self, pos: int) -> bool:
        text = self.text
        if text.startswith("#", pos):
            return self.mysql
        if not text.startswith("--", pos):
            return False
        # MySQL needs whitespace (or end of line) after "--"; "--1" is minus minus one.
        return not self.mysql or pos + 2 >= len(text) or text[pos + 2].isspace()

    def executed_comment(self, pos: int) -> Optional[re.Match]:
        """The opening marker of the version comment at ``pos`` when the target server
        runs its body; None for any other comment."""
        marker = self.version_comment and self.version_comment.match(self.text, pos)
        if not marker or not marker.group(1) or self.version is None:
            return marker or None
        # MNNRR (MySQL) or MMNNRR (MariaDB): major, two-digit minor, two-digit patch.
        number = int(marker.group(1))
        return marker if self.version.at_least(number // 10000, number // 100 % 100,
                                               number % 100) else None

    def skip_line_comment(self, pos: int) -> int:
        end = _line_end(self.text, pos)
        self.comments.append(Comment(pos, end, self.text[pos:end].rstrip("\r")))
        return end

    def skip_block_comment(self, pos: int) -> int:
        # PostgreSQL block comments nest; MySQL's do not.
        depth = 0
        cursor = pos
        while True:
            match = _BLOCK_COMMENT_TOKEN.search(self.text, cursor)
            if match is None:
                raise _Unterminated("block comment", pos)
            if match.group() == "/*" and (depth == 0 or not self.mysql):
                depth += 1
            elif match.group() == "*/":
                depth -= 1
            cursor = match.end()
            if depth == 0:
                self.comments.append(Comment(pos, cursor, self.text[pos:cursor]))
                return cursor

    def skip_quoted(self, quote: str, at: int) -> int:
        text = self.text
        backslashes = self.mysql and quote != "`" or (
            quote == "'" and at > 0 and text[at - 1] in "eE"
            and (at < 2 or not _IDENT_CHAR.match(text[at - 2]))
        )
        cursor = at + 1
        while True:
            close = text.find(quote, cursor)
            if close == -1:
                raise _Unterminated(_QUOTE_NAMES[quote], at)
            if backslashes and _escaped(text, cursor, close):
                cursor = close + 1
                continue
            if text.startswith(quote, close + 1):  # doubled quote escapes itself
                cursor = close + 2
                continue
            return close + 1

    def skip_dollar_quote(self, at: int) -> int:
        text = self.text
        match = _DOLLAR_TAG.match(text, at)
        if match is None or (at > 0 and _IDENT_CHAR.match(text[at - 1])):
            return at + 1  # a parameter ($1) or part of an identifier
        tag = match.group()
        close = text.find(tag, match.end())
        if close == -1:
            raise _Unterminated(f"dollar-quoted string {tag}", at)
        return close + len(tag)

    # -- results ---------------------------------------------------------
    def unterminated(self, exc: _Unterminated) -> str:
        # Indexed here, not up front: only a broken file needs a line number.
        line, column = LineIndex(self.text).position(exc.start)
        return f"unterminated {exc.what} starting at line {line}, column {column}"

    def add_statement(self, start: int, end: int, problem: Optional[str] = None) -> None:
        body = self.text[start:end].rstrip()
        if not body:
            return
        end = start + len(body)
        for mask_start, mask_end in self.masks:
            if mask_end > start and mask_start < end:
                lo, hi = max(mask_start, start) - start, min(mask_end, end) - start
                body = body[:lo] + " " * (hi - lo) + body[hi:]
        self.statements.append(StatementText(start, end, body, problem))


class _RoutineBody:
    """How deep a CREATE FUNCTION or PROCEDURE is in a SQL-standard body (BEGIN ATOMIC
    ... END), whose statements end in delimiters too. psql's heuristic, so that files
    split as psql splits them: BEGIN and END count outside parentheses, and CASE (which
    END also closes) once inside a BEGIN."""

    def __init__(self) -> None:
        self.depth = 0
        self.parentheses = 0

    def read(self, text: str, start: int, end: int) -> None:
        """Count the code in ``text[start:end]`` (no quotes or comments in it)."""
        for match in _WORD_OR_PARENTHESIS.finditer(text, start, end):
            word = match.group().lower()
            if word == "(":
                self.parentheses += 1
            elif word == ")":
                self.parentheses -= 1
            elif self.parentheses == 0:
                if word == "begin" or (word == "case" and self.depth):
                    self.depth += 1
                elif word == "end" and self.depth:
                    self.depth -= 1


_QUOTE_NAMES = {"'": "string", '"': "quoted identifier", "`": "backtick identifier"}


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end == -1 else end


def _after_copy_data(text: str, pos: int) -> Tuple[int, Optional[str]]:
    """Past the COPY data after the line holding ``pos``: up to its end line, else the
    end of the text, with why nothing after the COPY is linted (psql reads it all as
    data, so a forgotten end line hides every statement after it)."""
    start = _line_end(text, pos) + 1
    end = _COPY_DATA_END.search(text, start)
    if end is not None:
        return end.end(), None
    rest = text[start:].rstrip()
    # Data may run to the end of the file; a line ending in ";" is a statement that the
    # missing end line turned into data.
    if not re.search(r";[ \t\r]*$", rest, re.M):
        return len(text), None
    lines = rest.count("\n") + 1
    return len(text), (f"COPY ... FROM stdin data has no \\. end line: the rest of the file "
                       f"({lines} line{'s' if lines > 1 else ''}) is read as data and not linted")


def _escaped(text: str, start: int, index: int) -> bool:
    """True when an odd number of backslashes precedes ``text[index]``."""
    count = 0
    while index - 1 - count >= start and text[index - 1 - count] == "\\":
        count += 1
    return count % 2 == 1


def split_statements(text: str, dialect: str = "postgres",
                     blocks: Sequence[Tuple[int, int]] = (),
                     version: Optional[Version] = None) -> SplitResult:
    """``blocks`` are (start, end) ranges the runner sends as one piece (goose's
    StatementBegin ... StatementEnd): a statement ends at a block's end, and a MySQL
    stored program in one runs to it whatever delimiters its body holds. ``version`` is the
    target server's, which decides which MySQL version comments run; without it, all do."""
    return _Scanner(text, dialect, blocks, version).run()


def quoted_and_commented(text: str, dialect: str = "postgres") -> Tuple[Tuple[int, int], ...]:
    """(start, end) of each string, quoted name and comment in ``text``: where a runner's
    own statement delimiter (Liquibase's ``endDelimiter``) is not a delimiter."""
    return _Scanner(text, dialect, (), None).quoted_and_commented()
