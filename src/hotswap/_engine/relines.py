"""Line numbers of code whose statement kept its AST but not its layout.

A save that only reformats (blank lines between methods, a black-style re-wrap of a signature,
a call split over lines) leaves every statement's AST as it was: nothing runs again. When the
whole statement moved by one number of lines, shifting its functions' ``co_firstlineno`` is
enough (``functions.shift_objects``). When lines moved *inside* it, each function
moved by its own amount, and the lines inside one function moved relative to its first line:
the location table (delta-encoded from ``co_firstlineno`` since 3.11) no longer matches the
file, so tracebacks and ``inspect`` point at the wrong lines.

Then the statement is compiled twice, as it stands in the old source and in the new one. The
two code trees have the same shape (same AST); pairing them constant by constant maps each old
code object to its new one. Code objects compare by value, line table included, so a live
function's ``__code__`` finds its pair by equality, however it was made (a class body run
whole, a member run alone, a shifted copy). Only the code is swapped: the functions, their
closures and everything that holds them stay.

A definition deleted from the file may still be held (``held = m.helper``); its lines now
belong to whatever moved up into them. :func:`orphan` points its code at a file name that
says so.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Iterable, Iterator
from typing import Any

from hotswap._engine.journal import Journal


def uniform_shift(old: ast.AST, new: ast.AST) -> bool:
    """Whether ``new`` is ``old`` moved by one number of lines (two trees with the same
    AST but for positions): every node's line and end line moved by the same amount, and no
    column changed."""
    delta: int | None = None
    for a, b in zip(ast.walk(old), ast.walk(new), strict=False):
        line = getattr(a, "lineno", None)
        if line is None:
            continue
        if delta is None:
            delta = b.lineno - line  # type: ignore[attr-defined]
        if b.lineno - line != delta:  # type: ignore[attr-defined]
            return False
        end_a, end_b = getattr(a, "end_lineno", None), getattr(b, "end_lineno", None)
        if end_a is not None and end_b is not None and end_b - end_a != delta:
            return False
        # Columns are in the location table too (the carets under a traceback line).
        if a.col_offset != b.col_offset or (  # type: ignore[attr-defined]
            getattr(a, "end_col_offset", None) != getattr(b, "end_col_offset", None)
        ):
            return False
    return True


def code_pairs(old: types.CodeType, new: types.CodeType) -> dict[types.CodeType, types.CodeType]:
    """Old code -> new code, for every code object in ``old`` (itself included) whose
    counterpart in ``new`` differs (only by positions, for trees compiled from one AST)."""
    out: dict[types.CodeType, types.CodeType] = {}
    stack = [(old, new)]
    while stack:
        a, b = stack.pop()
        if a.co_qualname != b.co_qualname:
            continue  # not the same shape after all: leave this part alone
        if a != b:
            out[a] = b
        inner_a = [c for c in a.co_consts if isinstance(c, types.CodeType)]
        inner_b = [c for c in b.co_consts if isinstance(c, types.CodeType)]
        if len(inner_a) == len(inner_b):
            stack.extend(zip(inner_a, inner_b, strict=True))
    return out


def reline_objects(
    objects: Iterable[Any],
    functions: Iterable[types.FunctionType],
    pairs: dict[types.CodeType, types.CodeType],
    journal: Journal,
    nested: dict[int, tuple[types.CodeType, types.CodeType]],
    done: set[int] | None = None,
) -> int:
    """Give each of ``functions`` the new code its old code pairs with, and each class among
    ``objects`` (nested classes too) the new ``__firstlineno__`` (3.13); inner code objects
    that old closures may still run go to ``nested`` (see ``Patcher.retarget_closures``).
    What got new lines goes to ``done`` (ids; see ``shift_objects``: not moved again).
    Returns how many functions got new code."""
    placed = done if done is not None else set()
    count = 0
    find = _Pairing(pairs)
    for func in functions:
        code = func.__code__
        fresh = find(code)
        if fresh is None or fresh is code:
            continue
        _pair_inner(code, fresh, find, nested)
        journal.setattr(func, "__code__", fresh)
        placed.add(id(func))
        count += 1
    starts = {(c.co_qualname, c.co_firstlineno): n.co_firstlineno for c, n in pairs.items()}
    for cls in _classes(objects):
        start = cls.__dict__.get("__firstlineno__")
        if isinstance(start, int):
            moved = starts.get((cls.__qualname__, start))
            if moved is not None and moved != start:
                journal.setattr(cls, "__firstlineno__", moved)
                placed.add(id(cls))
    return count


def orphan(functions: Iterable[types.FunctionType], path: str, journal: Journal) -> None:
    """Functions whose definition left the file but that something still holds: their code
    names ``<path (removed)>``, so tracebacks and ``inspect`` find no lines rather than the
    lines that now stand where the definition was (another function's). (The angle brackets
    matter: ``linecache.lazycache`` asks the module's loader for the source of any other
    name it cannot stat, and would find the new file.)"""
    label = f"<{path} (removed)>"
    for func in functions:
        code = func.__code__
        if code.co_filename == path:
            journal.setattr(func, "__code__", _relabel(code, label))


def _relabel(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(
        _relabel(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


class _Pairing:
    """The new code paired with a running code object: the compiled old code it equals, or else
    the one with its qualified name and first line (unique ones only). A function compiled with
    its module differs from the same source compiled alone where it calls through a module the
    file imports (``os.getcwd()``: CPython picks other instructions when it knows ``os`` is an
    import of the same unit), so the running code may equal no compiled copy."""

    def __init__(self, pairs: dict[types.CodeType, types.CodeType]) -> None:
        self.pairs = pairs
        places: dict[tuple[str, int], types.CodeType | None] = {}
        for old, fresh in pairs.items():
            key = (old.co_qualname, old.co_firstlineno)
            places[key] = None if key in places else fresh  # (two on one line: no guess)
        self.places = places

    def __call__(self, code: types.CodeType) -> types.CodeType | None:
        try:
            fresh = self.pairs.get(code)
        except TypeError:  # a constant that cannot be hashed (a dead weak reference)
            return None
        if fresh is None:
            fresh = self.places.get((code.co_qualname, code.co_firstlineno))
        return fresh


def _pair_inner(
    old: types.CodeType,
    new: types.CodeType,
    find: _Pairing,
    nested: dict[int, tuple[types.CodeType, types.CodeType]],
) -> None:
    for const in old.co_consts:
        if isinstance(const, types.CodeType):
            fresh = find(const)
            if fresh is not None and (
                not const.co_name.startswith("<") or const.co_name == "<lambda>"
            ):
                nested[id(const)] = (const, fresh)
            if fresh is not None:
                _pair_inner(const, fresh, find, nested)


def _classes(objects: Iterable[Any]) -> Iterator[type]:
    for obj in objects:
        if isinstance(obj, type):
            yield obj
            prefix = obj.__qualname__ + "."
            yield from _classes(
                v
                for v in list(vars(obj).values())
                if isinstance(v, type) and v.__qualname__.startswith(prefix)
            )
