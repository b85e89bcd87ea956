"""Templated SQL: mask ``{{ ... }}``, ``${...}``, ``{% ... %}`` and ``{# ... #}`` before
parsing so placeholders do not turn into parse errors or garbage findings.

Masks keep the text's length and line breaks, so every offset stays exact. A value
placeholder becomes an identifier-like word of the same length (``${schema}.users``
still parses as a qualified name); ``unmask`` puts the original text back into the
operations so messages show ``${schema}``, not the mask.
"""

from __future__ import annotations

import re
from typing import Any, List, Tuple

from migrationlint.model import Record

_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\$\{[^{}\n]*\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
# A name a Python migration computes, shown as its f-string would be written
# (``{table}``, ``{prefix}_events``): the Alembic reader names tables and SQL parts so.
_PYTHON_FIELDS_NAME = re.compile(r"(?:\w*\{[^{}\n]+\})+\w*")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"

Masks = Tuple[Tuple[str, str], ...]


def is_placeholder(text: str) -> bool:
    """``text`` is one whole placeholder (``${schema}``, ``{{ schema }}``), or a name
    built from Python format fields (``{table}``)."""
    return (_PLACEHOLDER.fullmatch(text) is not None
            or _PYTHON_FIELDS_NAME.fullmatch(text) is not None)


def mask_placeholders(text: str) -> Tuple[str, Masks]:
    """Return the masked text and (mask, original) pairs, longest mask first."""
    if "{" not in text:
        return text, ()
    pieces: List[str] = []
    masks: List[Tuple[str, str]] = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        original = match.group()
        pieces.append(text[last:match.start()])
        if original.startswith(("{%", "{#")) or "\n" in original:
            # Statements (loops, comments) and multi-line placeholders: blank them out.
            pieces.append(re.sub(r"[^\n]", " ", original))
        else:
            mask = mask_word(len(masks), len(original))
            masks.append((mask, original))
            pieces.append(mask)
        last = match.end()
    pieces.append(text[last:])
    masks.sort(key=lambda pair: -len(pair[0]))
    return "".join(pieces), tuple(masks)


def mask_word(number: int, length: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, len(_DIGITS))
        digits = _DIGITS[digit] + digits
        if number == 0:
            break
    return f"_t{digits}".ljust(length, "_")[:length]


def unmask(value: Any, masks: Masks) -> Any:
    """``value`` (an operation, or anything inside one) with the masks replaced back."""
    if not masks:
        return value
    if isinstance(value, str):
        for mask, original in masks:
            value = value.replace(mask, original)
        return value
    if isinstance(value, tuple):
        return tuple(unmask(item, masks) for item in value)
    if isinstance(value, Record):
        changed = {}
        for name in value.field_names:
            current = getattr(value, name)
            restored = unmask(current, masks)
            if restored is not current and restored != current:
                changed[name] = restored
        return value.replace(**changed) if changed else value
    return value


def plain_spelling(name: str) -> str:
    """``name`` with each placeholder written as a lower-case word of its length: what
    decides how a templated name is quoted and split, since the value the template
    engine substitutes later is not known."""
    return mask_placeholders(name)[0]


def is_templated_name(name: str) -> bool:
    """``name`` is completed by the template engine: a whole placeholder, or placeholders
    among word characters (``${prefix}_orders``). It is written unquoted, as the engine
    substitutes it."""
    spelled = plain_spelling(name)
    return is_placeholder(name) or (spelled != name and _WORD.fullmatch(spelled) is not None)


_WORD = re.compile(r"\w+")
