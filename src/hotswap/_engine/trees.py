"""Copies of syntax trees moved in lines.

An incremental re-parse shares the trees of statements an edit did not touch, so a statement
that only moved is compiled from a copy carrying its new line numbers. ``copy.deepcopy`` and
then ``ast.increment_lineno`` did that in two passes through the generic copy protocol: for a
large class re-run by a checkout (sympy's ``Expr``), the copy cost more than compiling it.
"""

from __future__ import annotations

import ast
from typing import TypeVar

from hotswap._engine.skeleton import LAZY, settle

Tree = TypeVar("Tree", bound=ast.AST)


def moved_copy(node: Tree, lines: int) -> Tree:
    """A copy of the tree ``node`` moved ``lines`` down: what ``copy.deepcopy`` then
    ``ast.increment_lineno`` make, in one pass (``lineno`` and ``end_lineno`` where a node
    has them as positions; a ``TypeIgnore``, whose ``lineno`` is a field, is never inside a
    statement). A function whose body a skeleton parse left for later gets it first."""
    cls = node.__class__
    if cls in LAZY:
        settle(node)
        cls = node.__class__
    made = cls.__new__(cls)
    state = made.__dict__
    state.update(node.__dict__)
    for key in node._fields:
        value = state.get(key)
        if isinstance(value, ast.AST):
            state[key] = moved_copy(value, lines)
        elif type(value) is list:
            state[key] = [moved_copy(v, lines) if isinstance(v, ast.AST) else v for v in value]
    for key in ("lineno", "end_lineno"):
        value = state.get(key)
        if type(value) is int and key in cls._attributes:
            state[key] = value + lines
    return made
