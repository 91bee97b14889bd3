"""What a top-level statement changes without rebinding a name: the objects it *touches*.

``C.__eq__ = f``, ``X[k] = v``, ``del C.x``, ``X.append(v)``, ``setattr(C, n, f)``,
``add_methods(C)``: each changes an object that an earlier statement made. A fresh run makes the
object, then runs every statement that touches it, in source order. The plan's dataflow
(:mod:`hotswap._engine.plan`, :class:`hotswap._engine.transaction.Transaction`) counts touching as a
write: when the object is made again, the statements that touch it run again; when one of them went
away, the object is made again with those that remain. This module reads statements only; it names
what they touch, what they set by a spelled-out name, and how a report names them.
"""

from __future__ import annotations

import ast
import weakref

from hotswap._engine.source import ParsedSource, Statement


def touches(stmt: Statement) -> frozenset[str]:
    """Module names whose objects ``stmt`` changes while it runs without rebinding them:
    ``X.a = v``, ``X[k] = v``, ``del X.a``, ``X.a += 1``, ``X.m(...)`` (a method may change
    ``X``), ``f(X)`` with ``f`` a plain name (``setattr(X, ...)``, ``add_methods(X)``; not
    ``registry.add(X)``, which changes ``registry``). Definitions touch nothing (their
    decorators register; see the engine). Cached by AST node: a re-parse shares the nodes of
    the statements an edit did not touch, so a module's statements are scanned once."""
    node = stmt.node
    cached = _CACHE.get(node)
    if cached is None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            cached = frozenset()
        else:
            cached = frozenset(_touched_in(node) - stmt.binds)
        _CACHE[node] = cached
    return cached


_CACHE: weakref.WeakKeyDictionary[ast.stmt, frozenset[str]] = weakref.WeakKeyDictionary()


# Builtins that only look at their arguments: passing ``X`` to them changes nothing.
_PURE_CALLS = frozenset(
    {
        "print", "len", "isinstance", "issubclass", "hasattr", "getattr", "repr", "str", "id",
        "type", "callable", "sorted", "list", "tuple", "dict", "set", "frozenset", "iter",
        "vars", "dir", "hash", "bool", "int", "float", "enumerate", "zip", "any", "all", "min",
        "max", "sum", "reversed", "format",
    }
)  # fmt: skip


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _touched_in(node: ast.stmt) -> set[str]:
    """:func:`touches` of one statement, by a walk that skips what runs later (function and
    lambda bodies)."""
    out: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(current, ast.Attribute | ast.Subscript) and not isinstance(
            current.ctx, ast.Load
        ):
            root = _root(current.value)
            if root is not None:
                out.add(root)
        elif isinstance(current, ast.AugAssign) and isinstance(
            current.target, ast.Attribute | ast.Subscript
        ):
            root = _root(current.target.value)
            if root is not None:
                out.add(root)
        elif isinstance(current, ast.Call):
            func = current.func
            if isinstance(func, ast.Attribute):
                root = _root(func.value)
                if root is not None:
                    out.add(root)
            # ``setattr(C, ...)``, ``add_methods(C)``: a function called by its plain name.
            # ``admin.site.register(C)``, ``event.listen(C, ...)``: an API of another object
            # records ``C`` (kept in place when its body runs again), it does not change it.
            if isinstance(func, ast.Name) and func.id not in _PURE_CALLS:
                for arg in [*current.args, *(k.value for k in current.keywords)]:
                    passed = arg.value if isinstance(arg, ast.Starred) else arg
                    if isinstance(passed, ast.Name):
                        out.add(passed.id)
        stack.extend(ast.iter_child_nodes(current))
    return out


def called_touches(stmt: Statement, parsed: ParsedSource) -> frozenset[str]:
    """For a bare call of a function this module defines (``setup()``), the module names whose
    objects its body touches (``STATE["ready"] = True``): what the call changed."""
    node = stmt.node
    if not (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    ):
        return frozenset()
    defs = [s.node for s in parsed.named(node.value.func.id) if s.is_def]
    func = defs[-1] if defs else None
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return frozenset()
    args = func.args
    local = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    local.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    declared: set[str] = set()
    touched: set[str] = set()
    for inner in func.body:
        touched |= _touched_in(inner)
        for sub in ast.walk(inner):
            if isinstance(sub, ast.Global):
                declared.update(sub.names)
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                local.add(sub.id)
    return frozenset(touched - (local - declared))


def set_attributes(stmt: Statement, name: str) -> set[str]:
    """Attributes ``stmt`` sets or deletes on ``name`` by a name the source spells out:
    ``name.a = v``, ``del name.a``, ``setattr(name, "a", v)``."""
    out: set[str] = set()
    for node in ast.walk(stmt.node):
        if (
            isinstance(node, ast.Attribute)
            and not isinstance(node.ctx, ast.Load)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            out.add(node.attr)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == name
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            out.add(node.args[1].value)
    return out


def label(stmt: Statement) -> str:
    """How a report names a statement that ran again: its targets for an assignment
    (``C.__eq__``, ``CONFIG['debug']``), else its first line (``setattr(C, 'x', f)``,
    ``for n in NAMES``), shortened."""
    node = stmt.node
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    if targets:
        text = ", ".join(ast.unparse(t) for t in targets)
    else:
        text = ast.unparse(node).partition("\n")[0].rstrip(":")
    return text if len(text) <= 48 else text[:45] + "..."


def main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":``: never runs on import."""
    test = node.test if isinstance(node, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def head(node: ast.stmt) -> str:
    """What a statement does, without its values: the targets of an assignment, the function
    a bare call calls (else its whole text). A statement edited in place keeps its head."""
    if isinstance(node, ast.Assign):
        return "=" + ast.dump(ast.Tuple(elts=node.targets))
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return "=" + ast.dump(node.target)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return "()" + ast.dump(node.value.func)
    return ast.dump(node)


# Calls whose removal leaves nothing a fresh run would lack (output, logging).
_SAYING = frozenset({"print", "pprint", "debug", "info", "warning", "error", "exception"})


def unknown_effects(node: ast.stmt) -> bool:
    """A bare call that may have changed state no name shows (``setup()``)."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return called not in _SAYING and called not in _PURE_CALLS
