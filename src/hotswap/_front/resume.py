"""Code that a ``@hotswap.restartable`` call runs: the function marked so that its loops can be
found at a back-edge, and the *resume* code that continues a switched call in the new source.

A running frame cannot take another code object, and Python has no ``goto`` into a loop. So a
call switches by leaving its frame at a loop back-edge (see ``_front.restart``) and calling a
function compiled here from the new source: its body is *the rest* of the function from that
loop on, and it starts with the frame's saved locals. For a loop at path ``body[3].body[1]``::

    def main(_hotswap_state):          # the new function's globals, name and lines
        x = _hotswap_state["x"]         # the locals whose names survive
        ...                             # (other locals stay unbound, still local)
        <body[3] resumed: the rest of its current iteration, then its next ones>
        <body[4:]>

An enclosing ``for``/``while`` finishes its current iteration in a one-pass loop (so that its
``break`` and ``continue`` keep their meaning) and then goes on with its next ones; ``if``
branches, ``with`` blocks (their ``__exit__`` ran when the frame was left) and ``match`` cases
continue with the rest of their block; a ``try`` is entered again around the rest, with its
handlers and its ``finally``. The loop itself restarts at its next iteration: a ``for`` with the
frame's iterator, a ``while`` at its condition (or, when the old frame had already found it true,
with its body first).

Loops are numbered in pre-order (statements only: comprehensions and nested functions are not
loops of the function). Every code object compiled here stores, once per loop entry, a marker
that locates the loop in the bytecode: ``for`` loops read ``(_hotswap_iter_K := iter(...))`` (the
iterator, which the frame's locals then hold; CPython keeps it on the value stack, out of
reach), ``while`` loops are preceded by ``_hotswap_loop_K = None``. Nothing runs per iteration.
"""

from __future__ import annotations

import ast
import copy
import dis
import linecache
import types
from dataclasses import dataclass, field
from typing import Any

from hotswap._detect.outline import node_first
from hotswap._engine.trees import Tree

ITER = "_hotswap_iter_"
MARK = "_hotswap_loop_"
STATE = "_hotswap_state"
FUTURE_FLAGS = 0x1000000 | 0x2000000 | 0x800000 | 0x400000 | 0x200000 | 0x100000 | 0x20000
_BLOCKS = ("body", "orelse", "finalbody")
Loop = ast.For | ast.While


@dataclass
class Plan:
    """A code object to run, compiled here, with what locates its loops' back-edges."""

    code: types.CodeType
    loops: list[Loop]  # the source's loops, by ordinal (their lines locate ``while`` loops)
    fors: dict[int, int] = field(default_factory=dict)  # FOR_ITER offset -> ordinal
    whiles: list[tuple[int, int, bool]] = field(default_factory=list)  # (start, ordinal, named)
    lines: dict[int, int] = field(default_factory=dict)  # offset -> line
    heads: set[int] = field(default_factory=set)  # offsets of FOR_ITER instructions

    def back_edge(self, source: int, target: int) -> tuple[int, bool] | None:
        """``(ordinal, condition still to test)`` of the loop a jump back goes to, or None
        (a comprehension's, or a loop of code not compiled here)."""
        ordinal = self.fors.get(target)
        if ordinal is not None:
            return ordinal, False
        if target in self.heads:
            return None  # an inlined comprehension's FOR_ITER (PEP 709)
        line_from, line_to = self.lines.get(source), self.lines.get(target)
        best: tuple[int, int, bool] | None = None
        for start, ordinal, named in self.whiles:
            node = self.loops[ordinal]
            end = node.end_lineno or node.lineno
            inside = all(n is not None and node.lineno <= n <= end for n in (line_from, line_to))
            if start <= target and inside and (best is None or start > best[0]):
                best = (start, ordinal, named)
        if best is None:
            return None
        return best[1], best[2] and target == best[0]


@dataclass
class Where:
    """Where a ``def`` sits in its module's tree (code is compiled in the whole module: the
    compiler's output depends on it, e.g. 3.12 loads ``mod.f`` differently when ``mod`` is a
    module-level import, and private names are mangled inside classes)."""

    tree: ast.Module
    block: list[ast.stmt]
    index: int


def function_source(code: types.CodeType) -> tuple[ast.FunctionDef, Where] | None:
    """The ``def`` whose compilation is ``code``, from the file as linecache holds it, and
    where it is (None: no source, or it does not compile to ``code``)."""
    lines = linecache.getlines(code.co_filename)
    if not lines:
        return None
    try:
        tree = ast.parse("".join(lines), code.co_filename)
    except (SyntaxError, ValueError):
        return None
    found = _find(tree.body, code, tree)
    if found is None:
        return None
    node, where = found
    plain = compile_def(node, where, code)
    if plain is None or not _same(plain, code):
        return None
    return node, where


def _find(
    body: list[ast.stmt], code: types.CodeType, tree: ast.Module
) -> tuple[ast.FunctionDef, Where] | None:
    for index, node in enumerate(body):
        if (
            isinstance(node, ast.FunctionDef)
            and node.name == code.co_name
            and node_first(node) == code.co_firstlineno
        ):
            return node, Where(tree, body, index)
        if isinstance(node, ast.ClassDef):
            found = _find(node.body, code, tree)
            if found is not None:
                return found
    return None


def _same(a: types.CodeType, b: types.CodeType) -> bool:
    """The same source compiled twice. Not the bytecode: the engine compiles an edited
    ``def`` alone, and 3.12 then loads ``module.attr`` with another instruction than in the
    whole module; names, constants and nested code say which source it was."""
    return (
        a.co_firstlineno == b.co_firstlineno
        and a.co_names == b.co_names
        and a.co_varnames == b.co_varnames
        and len(a.co_consts) == len(b.co_consts)
        and all(
            _same(x, y) if isinstance(x, types.CodeType) and isinstance(y, types.CodeType)
            else type(x) is type(y) and x == y
            for x, y in zip(a.co_consts, b.co_consts, strict=True)
        )
    )


def compile_def(node: ast.FunctionDef, where: Where, like: types.CodeType) -> types.CodeType | None:
    """Compile the module with ``node`` in the place of the ``def`` at ``where``, with the
    future flags of ``like``; the code object of ``node``, or None."""
    ast.fix_missing_locations(node)
    before = where.block[where.index]
    where.block[where.index] = node
    try:
        top = compile(
            where.tree, like.co_filename, "exec", flags=like.co_flags & FUTURE_FLAGS,
            dont_inherit=True,
        )
    except (SyntaxError, ValueError, TypeError):
        return None
    finally:
        where.block[where.index] = before
    first = node_first(node)
    pending = [top]
    while pending:
        code = pending.pop()
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                if const.co_name == node.name and const.co_firstlineno == first:
                    return const.replace(co_qualname=like.co_qualname)
                pending.append(const)
    return None


def loops_of(body: list[ast.stmt]) -> list[Loop]:
    """The statement loops of a function body in pre-order (not inside nested definitions)."""
    out: list[Loop] = []

    def walk(block: list[ast.stmt]) -> None:
        for node in block:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(node, ast.For | ast.While):
                out.append(node)
            for name in _BLOCKS:
                walk(getattr(node, name, None) or [])
            for handler in getattr(node, "handlers", None) or []:
                walk(handler.body)
            for case in getattr(node, "cases", None) or []:
                walk(case.body)

    walk(body)
    return out


def path_to(body: list[ast.stmt], target: ast.stmt) -> list[tuple[list[ast.stmt], int]] | None:
    """The blocks and indices from ``body`` down to ``target``."""
    for index, node in enumerate(body):
        if node is target:
            return [(body, index)]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for block in _children(node):
            found = path_to(block, target)
            if found is not None:
                return [(body, index), *found]
    return None


def _children(node: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(node, name, None) or [] for name in _BLOCKS]
    blocks += [h.body for h in getattr(node, "handlers", None) or []]
    blocks += [c.body for c in getattr(node, "cases", None) or []]
    return [b for b in blocks if b]


def tagged_copy(node: Tree, loops: list[Loop]) -> Tree:
    """A deep copy of ``node`` in which each of ``loops`` (its loops, in order) carries its
    ordinal as ``_hotswap_k``; ``node`` itself is left as it was."""
    for ordinal, loop in enumerate(loops):
        loop._hotswap_k = ordinal  # type: ignore[union-attr]
    try:
        return copy.deepcopy(node)
    finally:
        for loop in loops:
            del loop._hotswap_k  # type: ignore[union-attr]


def marked(node: ast.FunctionDef, loops: list[Loop]) -> ast.FunctionDef:
    """A copy of ``node`` whose loops carry their markers (see the module docstring)."""
    copied = tagged_copy(node, loops)
    copied.body = _mark_block(copied.body)
    return copied


def _mark_block(block: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for node in block:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.append(node)
            continue
        ordinal = getattr(node, "_hotswap_k", None)
        if isinstance(node, ast.For) and ordinal is not None:
            # ``__import__("builtins").iter``, not ``iter``: a module or function may have a
            # name ``iter`` of its own (once per loop entry, not per iteration).
            builtins = ast.Call(
                func=ast.Name("__import__", ast.Load()), args=[ast.Constant("builtins")],
                keywords=[],
            )
            func = ast.Attribute(value=builtins, attr="iter", ctx=ast.Load())
            call = ast.Call(func=func, args=[node.iter], keywords=[])
            node.iter = ast.NamedExpr(target=ast.Name(f"{ITER}{ordinal}", ast.Store()), value=call)
            ast.copy_location(node.iter, call.args[0])
            ast.copy_location(call, call.args[0])
        elif isinstance(node, ast.While) and ordinal is not None:
            out.append(_assign(f"{MARK}{ordinal}", ast.Constant(None), node))
        for name in _BLOCKS:
            if getattr(node, name, None):
                setattr(node, name, _mark_block(getattr(node, name)))
        parts = [*(getattr(node, "handlers", None) or []), *(getattr(node, "cases", None) or [])]
        for part in parts:
            part.body = _mark_block(part.body)
        out.append(node)
    return out


def _assign(name: str, value: ast.expr, where: ast.AST) -> ast.stmt:
    node = ast.Assign(targets=[ast.Name(name, ast.Store())], value=value)
    return _located(node, where)


def _located(node: ast.stmt, where: ast.AST) -> ast.stmt:
    """``node`` (and its children) at the first column of ``where``'s first line."""
    line = getattr(where, "lineno", 1)
    for child in ast.walk(node):
        if "lineno" in child._attributes:
            child.lineno = child.end_lineno = line  # type: ignore[attr-defined]
            child.col_offset = child.end_col_offset = 0  # type: ignore[attr-defined]
    return node


def plan_of(code: types.CodeType, loops: list[Loop]) -> Plan:
    """Locate the loops of ``code`` (compiled from a function marked by :func:`marked`)."""
    plan = Plan(code, loops)
    instructions = list(dis.get_instructions(code))
    for index, ins in enumerate(instructions):
        if ins.positions is not None and ins.positions.lineno is not None:
            plan.lines[ins.offset] = ins.positions.lineno
        if ins.opname == "FOR_ITER":
            plan.heads.add(ins.offset)
        if not ins.opname.startswith("STORE_FAST"):
            continue
        names = ins.argval if isinstance(ins.argval, tuple) else (ins.argval,)
        first = str(names[0])
        after = instructions[index + 1 : index + 3]
        if first.startswith(ITER) and [i.opname for i in after] == ["GET_ITER", "FOR_ITER"]:
            plan.fors[after[1].offset] = int(first[len(ITER) :])
        elif first.startswith(MARK) and after:
            # Fused with the next load (3.13's STORE_FAST_LOAD_FAST) when no jump lands there.
            fused = len(names) > 1
            start = ins.offset if fused else after[0].offset
            plan.whiles.append((start, int(first[len(MARK) :]), not fused))
    return plan


@dataclass
class Resume:
    """A switched call's continuation: ``function(state)`` runs the rest of it."""

    function: types.FunctionType
    plan: Plan
    state: dict[str, Any]
    line: int
    kept: int
    base: types.CodeType  # the function's code it was built from


def build(
    node: ast.FunctionDef,
    where: Where,
    now: types.CodeType,
    globals_: dict[str, Any],
    ordinal: int,
    test_first: bool,
    values: dict[str, Any],
) -> Resume | None:
    """The resume function of the new ``def`` ``node`` (compiled as ``now``) at its loop
    ``ordinal``, starting with ``values`` (the old frame's locals and loop iterators, by the
    new source's loop ordinals). None when it cannot be built."""
    loops = loops_of(node.body)
    work = tagged_copy(node, loops)
    copies = loops_of(work.body)
    path = path_to(work.body, copies[ordinal])
    if path is None:
        return None
    names = set(now.co_varnames) | set(now.co_cellvars)
    declared = {n for stmt in ast.walk(work) if isinstance(stmt, ast.Global) for n in stmt.names}
    names -= declared
    kept = sorted(n for n in names if n in values)
    iterators = sorted(n for n in values if n.startswith(ITER))
    loop = copies[ordinal]
    head: list[ast.stmt] = []
    if declared:
        head.append(_located(ast.Global(names=sorted(declared)), loop))
    for name in [*kept, *iterators]:
        value = ast.Subscript(ast.Name(STATE, ast.Load()), ast.Constant(name), ast.Load())
        head.append(_assign(name, value, loop))
    unbound = sorted(names - set(kept))
    if unbound:  # assigned nowhere in the rest, they must still be locals, not globals
        stores = [_assign(n, ast.Constant(None), loop) for n in unbound]
        head.append(_located(ast.If(test=ast.Constant(False), body=stores, orelse=[]), loop))
    rest = rest_of(path, 0, test_first)
    if rest is None:
        return None
    function = ast.FunctionDef(
        name=node.name,
        args=ast.arguments(
            posonlyargs=[], args=[ast.arg(STATE)], vararg=None, kwonlyargs=[], kw_defaults=[],
            kwarg=None, defaults=[],
        ),
        body=_mark_block([*head, *rest]),
        decorator_list=[],
        returns=None,
    )
    if "type_params" in ast.FunctionDef._fields:
        function.type_params = []  # type: ignore[attr-defined]
    ast.copy_location(function, node)
    function.lineno = loop.lineno
    for arg in ast.walk(function.args):
        ast.copy_location(arg, loop)
    code = compile_def(function, where, now)
    if code is None:
        return None
    result = types.FunctionType(code, globals_, node.name)
    result.__qualname__ = now.co_qualname
    state = {n: values[n] for n in [*kept, *iterators]}
    return Resume(result, plan_of(code, loops), state, loop.lineno, len(kept), now)


def rest_of(
    path: list[tuple[list[ast.stmt], int]], level: int, test_first: bool
) -> list[ast.stmt] | None:
    block, index = path[level]
    node = block[index]
    after = block[index + 1 :]
    if level == len(path) - 1:
        assert isinstance(node, ast.For | ast.While)
        return [*_again(node, test_first), *after]
    child_block = path[level + 1][0]
    whole = copy.deepcopy(node)  # its next iterations: the rest below changes the nodes
    inner = rest_of(path, level + 1, test_first)
    if inner is None:
        return None
    if isinstance(node, ast.For | ast.While) and child_block is node.body:
        assert isinstance(whole, ast.For | ast.While)
        here = _finish_iteration(whole, inner)
    elif isinstance(node, ast.Try | getattr(ast, "TryStar", ast.Try)) and child_block is node.body:
        again = copy.copy(node)
        again.body = inner
        here = [again]
    elif isinstance(node, ast.AsyncFor | ast.AsyncWith):
        return None
    else:  # if/else, with (left), match case, a try's handler/else/finally, a loop's else
        here = inner
    return [*here, *after]


def _again(loop: Loop, test_first: bool) -> list[ast.stmt]:
    """``loop`` from its next iteration: ``for`` with the saved iterator, ``while`` at its test
    (or body first, when the old frame had already found the test true)."""
    if isinstance(loop, ast.For):
        ordinal = loop._hotswap_k  # type: ignore[attr-defined]
        loop.iter = ast.copy_location(ast.Name(f"{ITER}{ordinal}", ast.Load()), loop.iter)
        return [loop]
    constant = isinstance(loop.test, ast.Constant) and bool(loop.test.value)
    if test_first or constant:
        return [loop]
    return _finish_iteration(loop, copy.deepcopy(loop.body))


def _finish_iteration(loop: Loop, rest: list[ast.stmt]) -> list[ast.stmt]:
    """``rest`` of ``loop``'s current iteration, then its next ones: ``rest`` runs in a
    one-pass ``for`` (``continue`` ends it, ``break`` skips the loop and its ``else``)."""
    flag = f"_hotswap_broke_{loop._hotswap_k}"  # type: ignore[union-attr]
    once = ast.For(
        target=ast.Name("_hotswap_once", ast.Store()),
        iter=ast.Tuple([ast.Constant(None)], ast.Load()),
        body=[],
        orelse=[],
    )
    _located(once, loop)
    once.body, once.orelse = rest, [_assign(flag, ast.Constant(False), loop)]
    for_rest = _again(loop, True)
    go_on = ast.If(test=ast.UnaryOp(ast.Not(), ast.Name(flag, ast.Load())), body=[], orelse=[])
    # (deleted before the loop goes on: at a script's top level they are module globals)
    forget = ast.Delete(targets=[ast.Name(flag, ast.Del()), ast.Name("_hotswap_once", ast.Del())])
    _located(go_on, loop)
    _located(forget, loop)
    go_on.body, go_on.orelse = [forget, *for_rest], [copy.deepcopy(forget)]
    return [_assign(flag, ast.Constant(True), loop), once, go_on]
