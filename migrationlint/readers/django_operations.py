"""The operation calls a Django ``Migration.operations`` holds, resolved without running
the file.

Besides a plain list of calls, migrations build the list from pieces: ``DROP_OPS +
[...]``, module-level names (``remove_body = migrations.RemoveField(...)``), starred
items and comprehensions (``*[migrations.RemoveField("post", f) for f in ("a", "b")]``).
Whatever cannot be resolved statically is handed back as ``Unreadable``, so the reader
can say it was not checked instead of passing the migration.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterator, Optional, Set, Union

from migrationlint.readers.python_source import assigned_name, call_name, literal

# Methods that change a list in place: a name they are called on may hold anything by
# the time the Migration class reads it.
_MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse"})


def module_bindings(tree: ast.Module) -> Dict[str, ast.AST]:
    """Module-level names bound exactly once (``NAME = value``, ``NAME: T = value``) and
    never changed afterwards (rebound, ``+=``, item assignment, ``.append(...)``)."""
    values: Dict[str, ast.AST] = {}
    changed: Set[str] = set()
    for statement in tree.body:
        name, value = assigned_name(statement)
        if name is not None:
            if name in values:
                changed.add(name)
            values[name] = value
    for node in ast.walk(tree):
        changed.update(_names_changed_by(node))
    return {name: value for name, value in values.items() if name not in changed}


def import_aliases(tree: ast.Module) -> Dict[str, str]:
    """``{alias: name}`` for the module's ``from ... import name as alias`` (``from
    django.contrib.postgres.operations import AddIndexConcurrently as AIC``)."""
    return {alias.asname: alias.name for statement in tree.body
            if isinstance(statement, ast.ImportFrom)
            for alias in statement.names if alias.asname}


def operation_name(call: ast.Call, aliases: Dict[str, str]) -> Optional[str]:
    """The name Django gives the operation ``call`` builds, whatever the file imports
    it as: ``AIC(...)`` → ``AddIndexConcurrently``."""
    name = call_name(call)
    return aliases.get(name, name) if isinstance(call.func, ast.Name) else name


def _names_changed_by(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.AugAssign):
        yield from _base_names((node.target,))
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        yield from _base_names(t for t in targets if isinstance(t, (ast.Subscript, ast.Attribute)))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
        node.func.attr in _MUTATING_METHODS
    ):
        yield from _base_names((node.func.value,))


def _base_names(targets) -> Iterator[str]:
    """``OPS`` for ``OPS``, ``OPS[0]`` and ``OPS.attr``."""
    for target in targets:
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            target = target.value
        if isinstance(target, ast.Name):
            yield target.id


@dataclass(frozen=True)
class Unreadable:
    """A part of the operations that cannot be resolved statically (a function call
    building the list, an imported name, a filtered comprehension...)."""

    node: ast.AST
    # Why, when the reader can say more than what it does read: a name that loops back
    # to a name already followed.
    reason: Optional[str] = None


def operation_nodes(node: Optional[ast.AST], names: Dict[str, ast.AST]) -> Iterator[Union[ast.Call, Unreadable]]:
    """The operation calls of ``node`` (the value of ``operations``), in order, and an
    ``Unreadable`` for each part that cannot be resolved statically."""
    if node is not None:
        yield from _sequence(node, names, frozenset())


def _sequence(node: ast.AST, names: Dict[str, ast.AST], seen: FrozenSet[str]):
    use = node
    node, seen = _resolved(node, names, seen)
    if _is_cycle(node, seen):
        yield _cycle(use)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            if isinstance(item, ast.Starred):
                yield from _sequence(item.value, names, seen)
            else:
                yield from _item(item, names, seen)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _sequence(node.left, names, seen)
        yield from _sequence(node.right, names, seen)
    elif isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        yield from _comprehension(node, names, seen)
    else:
        yield Unreadable(node)


def _item(node: ast.AST, names: Dict[str, ast.AST], seen: FrozenSet[str]):
    resolved, seen = _resolved(node, names, seen)
    # A name bound to something other than a call (a list nested by mistake, an import)
    # is reported where it is used, not where it is bound.
    if _is_cycle(resolved, seen):
        yield _cycle(node)
    else:
        yield resolved if isinstance(resolved, ast.Call) else Unreadable(node)


def _resolved(node: ast.AST, names: Dict[str, ast.AST], seen: FrozenSet[str]):
    """The value a module-level name is bound to (followed through further names);
    ``seen`` stops ``A = B; B = A``-style cycles."""
    while isinstance(node, ast.Name) and node.id in names and node.id not in seen:
        seen = seen | {node.id}
        node = names[node.id]
    return node, seen


def _is_cycle(resolved: ast.AST, seen: FrozenSet[str]) -> bool:
    """``_resolved`` stopped at a name it had already followed: ``A = B; B = A``."""
    return isinstance(resolved, ast.Name) and resolved.id in seen


def _cycle(use: ast.AST) -> Unreadable:
    """Reported where the operations use the name: the binding the cycle stops at is
    only one link of it."""
    name = f"`{ast.unparse(use)}`"
    return Unreadable(use, f"following the module-level name {name} loops back to a name "
                           "already followed, so it never reaches operations")


def _comprehension(node, names: Dict[str, ast.AST], seen: FrozenSet[str]) -> Iterator[ast.AST]:
    """``[CALL for NAME in LITERALS]``: one call per value, the name replaced by it.
    Anything richer (conditions, nested loops, computed iterables) is not resolved."""
    values = _loop_values(node, names, seen)
    if values is None:
        yield Unreadable(node)
        return
    variable = node.generators[0].target.id
    for value in values:
        yield from _item(_substituted(node.elt, variable, value), names, seen)


def _loop_values(node, names: Dict[str, ast.AST], seen: FrozenSet[str]) -> Optional[list]:
    if len(node.generators) != 1:
        return None
    loop = node.generators[0]
    if loop.ifs or loop.is_async or not isinstance(loop.target, ast.Name):
        return None
    iterable, _ = _resolved(loop.iter, names, seen)
    values = literal(iterable)
    if isinstance(values, (set, frozenset)):
        return sorted(values, key=repr)  # a set's own order changes from run to run
    return list(values) if isinstance(values, (list, tuple)) else None


def _substituted(expression: ast.AST, variable: str, value) -> ast.AST:
    """A copy of ``expression`` with the loop variable read as the constant ``value``
    (positions kept, so findings point at the comprehension)."""

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.AST:
            if name.id == variable and isinstance(name.ctx, ast.Load):
                return ast.copy_location(ast.Constant(value=value), name)
            return name

    return Substitute().visit(copy.deepcopy(expression))
