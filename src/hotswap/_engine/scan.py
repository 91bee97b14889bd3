"""What one top-level statement binds at module scope and reads and calls while the module body
runs (its *exec-time* reads: decorators, defaults and annotations of a ``def``, the whole body of
a ``class``, everything outside function bodies otherwise), read off its AST.

:func:`hotswap._engine.source.make_statement` records these on each
:class:`~hotswap._engine.source.Statement`; the plan's dataflow rule (which statement re-runs
when a name it reads changed) and the nested re-parse of a class body use them.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator

STAR = "*"  # the bind of ``from m import *``: the names it binds are known only when it runs


def declares_global(node: ast.stmt) -> bool:
    """A ``global`` statement at module level (outside functions and classes)."""
    return any(type(sub) is ast.Global for sub in _nodes(node, _SCOPES))


def _nodes(root: ast.AST, closed: type | tuple[type, ...]) -> Iterator[ast.AST]:
    """``root`` and the nodes below it (``ast.walk``'s, in another order), not entering the
    ``closed`` kinds. One loop over the fields, not ``ast.iter_child_nodes``' generators: what a
    module reads at import time is read off every node outside its function bodies."""
    stack: list[ast.AST] = [root]
    pop, push, extend, node_type = stack.pop, stack.append, stack.extend, ast.AST
    while stack:
        current = pop()
        yield current
        if isinstance(current, closed):
            continue
        for field in current._fields:
            value = getattr(current, field, None)
            if type(value) is list:
                extend(v for v in value if isinstance(v, node_type))
            elif isinstance(value, node_type):
                push(value)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_PATTERNS = (ast.MatchAs, ast.MatchStar, ast.MatchMapping)  # patterns that bind a name


def scan_member(
    node: ast.stmt, postponed_annotations: bool = False
) -> tuple[frozenset[str], frozenset[str]]:
    """What a member of a top-level class reads and calls while the class body runs: its
    part of the class statement's ``reads`` and ``calls``."""
    if _reads_nothing(node, postponed_annotations):
        return _NOTHING
    scan = Scan(postponed_annotations)
    scan.statement(node, module_scope=False)
    return frozenset(scan.reads), frozenset(scan.calls)


MemberScans = tuple[tuple[frozenset[str], frozenset[str]], ...]

_NOTHING: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _reads_nothing(node: ast.stmt, postponed: bool) -> bool:
    """A method whose header reads no name while the class body runs: no decorator, every
    default a literal, no annotation evaluated. Most members of a large class are such; a
    class's first parse scans all of them (250 members: 1.5 ms of a 6 ms skeleton parse)."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):  # (a skeleton's: lazy)
        return False
    if node.decorator_list:
        return False
    args = node.args
    constant = ast.Constant
    for default in args.defaults:
        if type(default) is not constant:
            return False
    for keyword_default in args.kw_defaults:
        if keyword_default is not None and type(keyword_default) is not constant:
            return False
    if postponed:
        return True
    if node.returns is not None and type(node.returns) is not constant:
        return False
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if arg is not None and arg.annotation is not None and type(arg.annotation) is not constant:
            return False
    return True


def scan_statement(
    node: ast.stmt, postponed_annotations: bool, members: MemberScans | None = None
) -> tuple[Scan, MemberScans | None]:
    """The scan of a top-level statement; for a class, also each member's part (``reads``,
    ``calls``): the class reads their union and its header's, and a nested re-parse of the
    class needs the parts (``Statement.member_scans``), so its first one scans no member
    again. ``members``: the parts, known already (the nested re-parse's)."""
    scan = Scan(postponed_annotations)
    if not isinstance(node, ast.ClassDef) or not node.body:
        scan.statement(node, module_scope=True)
        return scan, None
    if members is None:
        members = tuple(scan_member(member, postponed_annotations) for member in node.body)
    header = copy.copy(node)
    header.body = []
    scan.statement(header, module_scope=True)
    for reads, calls in members:
        scan.reads |= reads
        scan.calls |= calls
    return scan, members


def loaded_names(body: list[ast.stmt]) -> frozenset[str]:
    """Every name read (``Load``) anywhere in ``body``, and ``a.X`` for an attribute of a
    name (``return a.K`` reads ``a.K``): what ``ast.walk`` would find, without its generators
    (a whole parse walks every function body of the module). Not the names only read to build
    an exception a ``raise`` outside any ``try``/``with`` raises: a call that reached them
    failed, so it computed nothing (see ``_engine.uses``; the same rule, read off code objects)."""
    out = set()
    stack: list[ast.AST] = list(body)
    guarded: list[ast.AST] = []  # where a raise may be caught: walked whole, below
    pop, push, extend = stack.pop, stack.append, stack.extend
    name_type, attribute_type, load, node_type = ast.Name, ast.Attribute, ast.Load, ast.AST
    raise_type, assert_type = ast.Raise, ast.Assert
    handlers = (ast.Try, ast.TryStar, ast.With, ast.AsyncWith)
    while stack:
        node = pop()
        if type(node) is name_type:
            if isinstance(node.ctx, load):  # type: ignore[attr-defined]
                out.add(node.id)  # type: ignore[attr-defined]
            continue
        if type(node) is raise_type:
            continue
        if type(node) is assert_type:
            push(node.test)  # type: ignore[attr-defined]  # the message: only when it fails
            continue
        if type(node) is attribute_type and type(node.value) is name_type:  # type: ignore[attr-defined]
            out.add(f"{node.value.id}.{node.attr}")  # type: ignore[attr-defined]
        if isinstance(node, handlers):
            # What a handler may catch: a ``try`` body (and all of it under a ``finally``,
            # which may return), a ``with`` body (``__exit__`` may suppress).
            if isinstance(node, ast.Try | ast.TryStar) and not node.finalbody:
                guarded.extend(node.body)
                extend(node.handlers)
                extend(node.orelse)
            else:
                guarded.append(node)
            continue
        for attribute in node._fields:
            value = getattr(node, attribute, None)
            if type(value) is list:
                extend(v for v in value if isinstance(v, node_type))
            elif isinstance(value, node_type):
                push(value)
    _read_whole(guarded, out)
    return frozenset(out)


def _read_whole(guarded: list[ast.AST], out: set[str]) -> None:
    """Add to ``out`` what :func:`loaded_names` finds in the ``guarded`` nodes, where a raise
    may be caught: every raise counts (``except E as e: return str(e)`` keeps the message)."""
    name_type, attribute_type, load = ast.Name, ast.Attribute, ast.Load
    while guarded:
        node = guarded.pop()
        for child in ast.walk(node):
            if type(child) is name_type and isinstance(child.ctx, load):  # type: ignore[attr-defined]
                out.add(child.id)  # type: ignore[attr-defined]
            elif type(child) is attribute_type and type(child.value) is name_type:  # type: ignore[attr-defined]
                out.add(f"{child.value.id}.{child.attr}")  # type: ignore[attr-defined]


class Scan:
    """Collects the module-scope binds and exec-time reads of one top-level statement."""

    def __init__(self, postponed_annotations: bool) -> None:
        self.binds: set[str] = set()
        self.reads: set[str] = set()
        self.calls: set[str] = set()
        self.local_only: set[str] = set()
        self.postponed = postponed_annotations

    def statement(self, node: ast.AST, module_scope: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self._function_header(node)
            self._bind(node.name, module_scope)
        elif isinstance(node, ast.ClassDef):
            self._class(node, module_scope)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            self._import(node, module_scope)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.expression(node.value, module_scope)
            if not self.postponed:
                self.expression(node.annotation, module_scope)
            if node.value is not None or not isinstance(node.target, ast.Name):
                self.expression(node.target, module_scope)  # (``x: int`` alone binds no ``x``)
        elif isinstance(node, ast.AugAssign):
            self.expression(node.value, module_scope)
            if isinstance(node.target, ast.Name):
                self.reads.add(node.target.id)
            self.expression(node.target, module_scope)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    self.statement(child, module_scope)
                else:
                    self.expression(child, module_scope)

    def _class(self, node: ast.ClassDef, module_scope: bool) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.expression(expr, module_scope)
            dotted = _dotted(expr)
            if dotted is not None:
                # Applied to the class as it is made: a changed decorator, metaclass or
                # ``__init_subclass__`` of a base re-runs the class statement.
                self.calls.add(dotted)
        for stmt in node.body:
            self.statement(stmt, module_scope=False)
        self._bind(node.name, module_scope)

    def _import(self, node: ast.Import | ast.ImportFrom, module_scope: bool) -> None:
        for name in import_binds(node):
            self._bind(name, module_scope)

    def _function_header(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        for expr in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self.expression(expr, True)
        if isinstance(node, ast.Lambda):
            return
        for expr in node.decorator_list:
            self.expression(expr, True)
            dotted = _dotted(expr)
            if dotted is not None:
                self.calls.add(dotted)  # a changed decorator re-runs what it decorates
        if not self.postponed:
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            every += [a for a in (args.vararg, args.kwarg) if a is not None]
            for arg in every:
                if arg.annotation is not None:
                    self.expression(arg.annotation, True)
            if node.returns is not None:
                self.expression(node.returns, True)

    def expression(self, node: ast.AST, module_scope: bool) -> None:
        """Every node of ``node`` that runs now (not the bodies of lambdas: they run later,
        and their headers are scanned as a function's). A module's annotations (rich annotates
        every method) are most of what its first parse scans."""
        # The walk of ``_nodes``, inlined: a generator's step per node cost a fifth more here.
        stack: list[ast.AST] = [node]
        pop, push, extend = stack.pop, stack.append, stack.extend
        reads, calls, node_type, constant = self.reads, self.calls, ast.AST, ast.Constant
        while stack:
            sub = pop()
            kind = type(sub)
            if kind is ast.Name:
                context = type(sub.ctx)  # type: ignore[attr-defined]
                if context is not ast.Store:
                    reads.add(sub.id)  # type: ignore[attr-defined]  # ``del x`` needs ``x``
                if context is not ast.Load:
                    self._bind(sub.id, module_scope)  # type: ignore[attr-defined]
                continue  # (below it only its context, which reads nothing)
            elif kind is ast.Lambda:
                self._function_header(sub)  # type: ignore[arg-type]
                continue  # its body runs when it is called
            elif kind is ast.Call:
                dotted = _dotted(sub.func)  # type: ignore[attr-defined]
                if dotted is not None:
                    calls.add(dotted)  # ``f(...)``, or ``mod.f(...)`` through a module
            elif kind is ast.Attribute and type(sub.ctx) is ast.Load:  # type: ignore[attr-defined]
                dotted = _dotted(sub)  # type: ignore[arg-type]
                if dotted is not None:
                    reads.add(dotted)  # ``a.X`` through ``import a``
            elif kind in _PATTERNS:
                name = getattr(sub, "rest" if kind is ast.MatchMapping else "name", None)
                if name:
                    self._bind(name, module_scope)
            # (A constant has no node below it and reads nothing: most nodes of a module's
            # data, such as ``__all__``, are never pushed.)
            for field in sub._fields:
                value = getattr(sub, field, None)
                if type(value) is list:
                    extend(v for v in value if isinstance(v, node_type) and type(v) is not constant)
                elif isinstance(value, node_type) and type(value) is not constant:
                    push(value)

    def _bind(self, name: str, module_scope: bool) -> None:
        if module_scope:
            self.binds.add(name)
        else:
            # A class-body binding shadows module names only for later reads in the same body;
            # keep the read conservative (a module-level rebinding still re-runs the class).
            pass


def import_binds(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The names an import statement binds (``STAR`` for ``from m import *``)."""
    if type(node) is ast.Import:
        return [alias.asname or alias.name.partition(".")[0] for alias in node.names]
    return [STAR if a.name == "*" else a.asname or a.name for a in node.names]


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def attributes_set(statements: list[ast.stmt]) -> frozenset[str]:
    """The attribute names ``statements`` assign outside function bodies (``C.extra = 1``,
    ``setattr(C, "extra", 1)``): members a module sets on its classes from outside them."""
    names: set[str] = set()
    todo: list[ast.AST] = list(statements)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
        ):
            names.add(str(node.args[1].value))
        todo.extend(ast.iter_child_nodes(node))
    return frozenset(names)
