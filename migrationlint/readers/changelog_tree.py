"""Liquibase changelogs in XML, YAML and JSON, parsed into one positioned tree.

Every format becomes ``Node``s (name, attributes, children, text) with file offsets,
so one interpreter (liquibase.py) serves all three. A YAML/JSON list of single-key
mappings becomes a node named by its key (``changes``, ``rollback``, ``preConditions``)
holding one child per item, so the interpreter can tell forward changes from the
rollback; only ``columns: [{column: {...}}]`` is spliced into its parent, which is how
the XML nests ``<column>`` elements.

XML is read with expat: no DTD loading, no external entities, and entity
declarations are refused outright (no entity expansion attacks).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple
from xml.parsers import expat

from migrationlint.source import SourceFile
from migrationlint.splitter import Comment


class ChangelogError(ValueError):
    """The changelog cannot be parsed; ``offset`` says where."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
class Node:
    name: str
    attrs: Dict[str, Any]
    start: int
    end: int
    children: List["Node"] = field(default_factory=list)
    text: Optional[str] = None
    # Offset of ``text`` in the file when the file holds it character for character.
    text_offset: Optional[int] = None

    def child(self, name: str) -> Optional["Node"]:
        return next((c for c in self.children if c.name == name), None)


# -- XML ---------------------------------------------------------------------------------
def parse_xml(source: SourceFile) -> Tuple[Node, Tuple[Comment, ...]]:
    line_starts = _xml_line_starts(source.text)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: List[Node] = []
    root: List[Node] = []
    comments: List[Comment] = []
    text_parts: List[Tuple[str, int]] = []

    def here() -> int:
        return line_starts[parser.CurrentLineNumber - 1] + parser.CurrentColumnNumber

    def refuse_entities(*_args) -> None:
        raise ChangelogError("entity declarations are not supported in changelogs", here())

    def start(name: str, attrs: Dict[str, str]) -> None:
        flush_text()
        offset = here()
        node = Node(_local(name), dict(attrs), offset, offset + len(name) + 1)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(_name: str) -> None:
        flush_text()
        node = stack.pop()
        node.end = max(node.end, here())

    def characters(data: str) -> None:
        if stack:
            text_parts.append((data, here()))

    def flush_text() -> None:
        if stack and text_parts and "".join(p for p, _ in text_parts).strip():
            node = stack[-1]
            text = "".join(part for part, _ in text_parts)
            node.text = (node.text or "") + text
            node.text_offset = _verified(source.text, text, text_parts[0][1], node.start)
        text_parts.clear()

    def comment(data: str) -> None:
        offset = here()
        comments.append(Comment(offset, offset + len(data) + 7, data.strip()))

    parser.EntityDeclHandler = refuse_entities
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.CommentHandler = comment
    try:
        parser.Parse(source.text, True)
    except expat.ExpatError as exc:
        offset = line_starts[max(exc.lineno, 1) - 1] + max(exc.offset, 0)
        raise ChangelogError(f"invalid XML: {expat.ErrorString(exc.code)}", offset) from None
    if not root:
        raise ChangelogError("empty changelog")
    return root[0], tuple(comments)


def _xml_line_starts(text: str) -> List[int]:
    """Offsets where expat's lines start. XML ends a line at CR LF, LF or a lone CR, so
    source.lines (LF only) would put every position after a lone CR on a later line."""
    return [0] + [match.end() for match in re.finditer(r"\r\n?|\n", text)]


def _local(name: str) -> str:
    """Drop a namespace prefix: ``lb:changeSet`` → ``changeSet``."""
    return name.rsplit(":", 1)[-1]


def _verified(text: str, value: str, guess: int, element: int) -> Optional[int]:
    """Where ``value`` sits in the file, if it appears there verbatim (CDATA, plain text);
    None when entities or escapes make it differ."""
    if text.startswith(value, guess):
        return guess
    found = text.find(value, element)
    return found if found != -1 else None


# -- YAML and JSON -------------------------------------------------------------------------
@dataclass
class _Value:
    """A parsed YAML/JSON value with its offsets; mappings keep key offsets."""

    value: Any
    start: int
    end: int
    # For mappings: [(key, key offset, value)].
    items: Optional[List[Tuple[str, int, "_Value"]]] = None
    # Offset of a string scalar's text when it appears verbatim in the file.
    text_offset: Optional[int] = None


def parse_yaml(source: SourceFile) -> Tuple[Node, Tuple[Comment, ...]]:
    import yaml

    try:
        document = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ChangelogError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
                             mark.index if mark is not None else 0) from None
    if document is None:
        raise ChangelogError("empty changelog")
    value = _from_yaml(document, source.text)
    return _root(value), _hash_comments(source.text)


def _from_yaml(node, text: str) -> _Value:
    import yaml

    start, end = node.start_mark.index, node.end_mark.index
    if isinstance(node, yaml.MappingNode):
        items = [(str(k.value), k.start_mark.index, _from_yaml(v, text)) for k, v in node.value]
        return _Value(None, start, end, items=items)
    if isinstance(node, yaml.SequenceNode):
        return _Value([_from_yaml(item, text) for item in node.value], start, end)
    value = _scalar(node)
    scalar_start = start + (1 if node.style in ("'", '"') else 0)
    exact = scalar_start if isinstance(value, str) and text.startswith(value, scalar_start) else None
    return _Value(value, start, end, text_offset=exact)


def _scalar(node) -> Any:
    """A YAML scalar with the type the composer resolved (bool, int, str...)."""
    import yaml

    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node)
    finally:
        loader.dispose()


def parse_json(source: SourceFile) -> Tuple[Node, Tuple[Comment, ...]]:
    value, end = _JsonReader(source.text).value(_skip_space(source.text, 0))
    if _skip_space(source.text, end) != len(source.text):
        raise ChangelogError("invalid JSON: extra data after the document", end)
    return _root(value), ()


class _JsonReader:
    """A small JSON reader that keeps offsets (the json module does not)."""

    _NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")

    def __init__(self, text: str) -> None:
        self.text = text
        self.depth = 0

    def value(self, at: int) -> Tuple[_Value, int]:
        text = self.text
        if at >= len(text):
            raise ChangelogError("invalid JSON: unexpected end of file", at)
        char = text[at]
        if char in "{[":
            self.depth += 1
            if self.depth > 500:
                raise ChangelogError("invalid JSON: nested too deeply", at)
            result = self.mapping(at) if char == "{" else self.sequence(at)
            self.depth -= 1
            return result
        if char == '"':
            string, end = self.string(at)
            exact = at + 1 if end == at + 2 + len(string) else None  # no escapes inside
            return _Value(string, at, end, text_offset=exact), end
        for word, constant in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, at):
                return _Value(constant, at, at + len(word)), at + len(word)
        number = self._NUMBER.match(text, at)
        if number:
            literal = number.group()
            return _Value(json.loads(literal), at, number.end()), number.end()
        raise ChangelogError(f"invalid JSON: unexpected {char!r}", at)

    def string(self, at: int) -> Tuple[str, int]:
        try:
            return json.decoder.scanstring(self.text, at + 1)
        except json.JSONDecodeError as exc:
            raise ChangelogError(f"invalid JSON: {exc.msg}", exc.pos) from None

    def mapping(self, at: int) -> Tuple[_Value, int]:
        items = []
        position = _skip_space(self.text, at + 1)
        if self.text.startswith("}", position):
            return _Value(None, at, position + 1, items=items), position + 1
        while True:
            if not self.text.startswith('"', position):
                raise ChangelogError("invalid JSON: expected a key", position)
            key_start = position
            key, after = self.string(position)
            colon = _skip_space(self.text, after)
            if not self.text.startswith(":", colon):
                raise ChangelogError("invalid JSON: expected ':'", colon)
            value, position = self.value(_skip_space(self.text, colon + 1))
            items.append((key, key_start, value))
            position = _skip_space(self.text, position)
            if self.text.startswith("}", position):
                return _Value(None, at, position + 1, items=items), position + 1
            if not self.text.startswith(",", position):
                raise ChangelogError("invalid JSON: expected ',' or '}'", position)
            position = _skip_space(self.text, position + 1)

    def sequence(self, at: int) -> Tuple[_Value, int]:
        values = []
        position = _skip_space(self.text, at + 1)
        if self.text.startswith("]", position):
            return _Value(values, at, position + 1), position + 1
        while True:
            value, position = self.value(position)
            values.append(value)
            position = _skip_space(self.text, position)
            if self.text.startswith("]", position):
                return _Value(values, at, position + 1), position + 1
            if not self.text.startswith(",", position):
                raise ChangelogError("invalid JSON: expected ',' or ']'", position)
            position = _skip_space(self.text, position + 1)


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n\ufeff":
        at += 1
    return at


# -- positioned values → Nodes -------------------------------------------------------------
def _root(value: _Value) -> Node:
    if value.items is None:
        raise ChangelogError("a changelog must be a mapping with databaseChangeLog", value.start)
    for key, offset, item in value.items:
        if key == "databaseChangeLog":
            return _node(key, offset, item)
    raise ChangelogError("no databaseChangeLog key at the top level", value.start)


# YAML/JSON spellings of an XML element's repeated children: ``columns: [{column: ...}]``
# is ``<column>`` after ``<column>`` directly inside the change.
_SPLICED_LISTS = frozenset({"columns"})


def _node(name: str, offset: int, value: _Value) -> Node:
    node = Node(name, {}, offset, max(value.end, offset + len(name)))
    if value.items is None and isinstance(value.value, list):
        node.children = _list_children(value.value)
        return node
    if value.items is None:  # `- sql: "ALTER ..."` or a bare scalar
        node.text, node.text_offset = _text(value)
        return node
    for key, key_offset, item in value.items:
        if isinstance(item.value, list) and key in _SPLICED_LISTS:
            node.children += _list_children(item.value)
        elif item.items is not None or isinstance(item.value, list):
            node.children.append(_node(key, key_offset, item))
        else:
            node.attrs[key] = item.value
            if key == "sql" and name == "sql":
                node.text, node.text_offset = _text(item)
    return node


def _list_children(values: List[_Value]) -> List[Node]:
    children = []
    for value in values:
        if value.items is not None and len(value.items) == 1:
            key, offset, item = value.items[0]
            children.append(_node(key, offset, item))
    return children


def _text(value: _Value) -> Tuple[Optional[str], Optional[int]]:
    return (str(value.value), value.text_offset) if value.value is not None else (None, None)


_HASH_COMMENT = re.compile(r"#\s*migrationlint\s*:[^\n]*")


def _hash_comments(text: str) -> Tuple[Comment, ...]:
    """YAML ``#`` comments that carry a migrationlint directive (others do not matter)."""
    return tuple(Comment(m.start(), m.end(), m.group()) for m in _HASH_COMMENT.finditer(text))
