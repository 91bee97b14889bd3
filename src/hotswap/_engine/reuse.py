"""A class statement compiled with the live code of the methods an edit left alone.

A class statement runs again whole when a statement of its body reads a name that changed, or
when a base of it changed (a branch checkout re-makes sympy's ``Pow``, 1,800 lines, for its
changed base ``Expr``). Compiling it again compiled every method (40 ms for ``Pow``), though
most are the very trees that were compiled before: a re-parse shares the members an edit did
not touch, and the live class holds the functions made from them.

:func:`stand_ins` picks those methods: a member ``def`` (plain, or under ``@staticmethod``,
``@classmethod`` or ``@property`` alone, its name bound by no other member) that is the same
tree object in the old and the new statement, whose live function's code comes from this
file, under this name, at the member's old first line. The class is compiled with each of them
as a one-line stand-in (its decorators, arguments and annotations kept: the class body
evaluates those), and :func:`put_back` puts the live code, moved to the member's new lines, in
place of each stand-in's code. A stand-in refers to ``__class__`` where the live code does, so
that the class body gives both the same closure; anything that does not check out compiles as
before.
"""

from __future__ import annotations

import ast
import types
from collections import Counter
from typing import Any

from hotswap._detect.outline import node_first
from hotswap._engine.functions import shift_code

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
# A member under one of these decorators alone: where the live function is in what it made.
_UNWRAPPED = {"staticmethod": "__func__", "classmethod": "__func__", "property": "fget"}
_MADE_BY = {"staticmethod": staticmethod, "classmethod": classmethod, "property": property}


def stand_ins(
    new: ast.ClassDef,
    new_lines: list[int],
    old: ast.ClassDef,
    old_lines: list[int],
    live: type,
    path: str,
) -> dict[int, tuple[ast.stmt, types.CodeType, int]]:
    """Members of ``new`` (a class statement's node) whose live code can be reused: by
    position in its body, the stand-in tree (at the member's own fields' lines) with the live
    code moved to the member's new first line and that line. ``new_lines``/``old_lines``: each
    member's first line where it is now / was."""
    shared = {id(member): i for i, member in enumerate(old.body)}
    names = Counter(getattr(member, "name", None) for member in new.body)
    out: dict[int, tuple[ast.stmt, types.CodeType, int]] = {}
    for i, member in enumerate(new.body):
        at = shared.get(id(member))
        if at is None or not isinstance(member, _DEFS) or names[member.name] != 1:
            continue
        code = _live_code(member, live, f"{new.name}.{member.name}", path)
        if code is None or code.co_firstlineno != old_lines[at]:
            continue
        moved = shift_code(code, new_lines[i] - old_lines[at])
        out[i] = (_stand_in(member, "__class__" in code.co_freevars), moved, new_lines[i])
    return out


def _live_code(member: Any, live: type, qualname: str, path: str) -> types.CodeType | None:
    """The code of the function ``live`` holds for ``member``, if it was made from it."""
    value: Any = live.__dict__.get(member.name)
    decorators = member.decorator_list
    if decorators:
        decorator = getattr(decorators[0], "id", "")
        if len(decorators) != 1 or type(value) is not _MADE_BY.get(decorator):
            return None
        value = getattr(value, _UNWRAPPED[decorator], None)
    if type(value) is not types.FunctionType:
        return None
    code = value.__code__
    if code.co_filename != path or code.co_qualname != qualname or code.co_name != member.name:
        return None
    return code


def _stand_in(member: Any, uses_class_cell: bool) -> ast.stmt:
    """``member`` with a one-line body (its other fields shared: the copy moves them)."""
    kind = ast.AsyncFunctionDef if isinstance(member, ast.AsyncFunctionDef) else ast.FunctionDef
    fields = {name: getattr(member, name) for name in kind._fields if name != "body"}
    line, column = member.lineno, member.col_offset + 1
    body: ast.stmt
    if uses_class_cell:  # (a method calling ``super()``: its closure holds the class cell)
        body = ast.Expr(ast.Name("__class__", ast.Load()))
        ast.copy_location(body.value, member)
    else:
        body = ast.Pass()
    body.lineno, body.col_offset = line, column
    body.end_lineno, body.end_col_offset = line, column + 1
    stand_in = kind(body=[body], **fields)
    return ast.copy_location(stand_in, member)


def put_back(
    module: types.CodeType, name: str, codes: dict[int, tuple[ast.stmt, types.CodeType, int]]
) -> types.CodeType | None:
    """``module`` (a compiled class statement) with the stand-ins' code replaced by the live
    code; None when the compiled class does not hold exactly the stand-ins expected, or one's
    free variables differ from its live code's (the caller then compiles it whole)."""
    wanted = {(code.co_name, line): code for _stand_in, code, line in codes.values()}
    bodies = [c for c in module.co_consts if isinstance(c, types.CodeType) and c.co_name == name]
    if len(bodies) != 1:
        return None
    body = bodies[0]
    consts = list(body.co_consts)
    found = 0
    for k, const in enumerate(consts):
        if not isinstance(const, types.CodeType):
            continue
        live = wanted.get((const.co_name, const.co_firstlineno))
        if live is None:
            continue
        if live.co_freevars != const.co_freevars or live.co_qualname != const.co_qualname:
            return None
        consts[k] = live
        found += 1
    if found != len(wanted):
        return None
    fresh = body.replace(co_consts=tuple(consts))
    return module.replace(co_consts=tuple(fresh if c is body else c for c in module.co_consts))


def first_lines(node: ast.ClassDef, lines: list[int]) -> list[int]:
    """Each member's first line (decorators included), given how far each lies behind its
    fields (``lines``)."""
    return [node_first(member) + extra for member, extra in zip(node.body, lines, strict=True)]
