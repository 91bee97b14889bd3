"""Registries that class creation or a decorator filled with a fresh object, given the kept one
at once.

A class patched in place is first made afresh (its statement runs), and what its creation ran
(a metaclass, a base's ``__init_subclass__``, a descriptor's ``__set_name__``, a decorator) may
have stored the fresh object in a registry. Holders of fresh objects get the kept ones back from
the checkpoint's one heap scan (``_engine.batch``), at the end of the save. A module later in
the same save that reads such a registry before then gets the fresh twin: sympy's ``S.Infinity``
was made from a fresh ``Infinity``, whose ``__hash__`` (patched into the kept class, its
``super()`` cell pointing there) then raised in ``super()``, and 20 modules of a checkout failed.

Code that fills a registry finds it again through its own module's globals, a few references
down (``S._classes_to_install[name]``, ``REGISTRY.append(cls)``, a list in a closure cell). So
this module walks those few references from the globals of the modules whose code the class
statement or the decorator ran, and redirects what holds a fresh object there, at once. It
reads no more than a bounded number of objects; the heap scan at the end still finds the rest.
"""

from __future__ import annotations

import ast
import gc
import inspect
import sys
import types
from typing import Any

from hotswap._engine.journal import Journal
from hotswap._engine.redirect import Redirect, held_ones, redirect_many
from hotswap._engine.source import ParsedSource

_DEPTH = 5  # module globals -> object -> its dict -> a table -> the fresh object
_BUDGET = 20_000  # objects read per reload, at most
# Not followed: other modules (their globals are roots only when their code ran), code, frames,
# syntax trees. Functions are followed into their closure cells only (not into their globals).
_LEAVES = (types.ModuleType, types.CodeType, types.FrameType, ast.AST)
_SKIPPED_MODULES = frozenset({"builtins", "abc", "typing", "enum", "functools", "dataclasses"})


def reach_registries(
    redirects: list[Redirect],
    namespace: dict[str, Any],
    decorators: list[ast.expr],
    journal: Journal,
) -> int:
    """Point what holds a fresh object of ``redirects`` (``(fresh, kept, skip)``) at the kept
    one, in the registries near the modules whose code made it: ``namespace`` (the reloaded
    module's globals), the modules of the metaclasses and class hooks of fresh classes, and of
    ``decorators`` (the decorator expressions of the statements that made them)."""
    redirects = held_ones(redirects)  # (a twin nothing holds is in no registry)
    if not redirects or (not decorators and all(_made_quietly(f) for f, _k, _s in redirects)):
        return 0
    roots = _roots([fresh for fresh, _kept, _skip in redirects], namespace, decorators)
    holders = _holders(roots, {id(fresh) for fresh, _kept, _skip in redirects})
    return redirect_many(redirects, journal, holders) if holders else 0


def _made_quietly(fresh: Any) -> bool:
    """Whether making class ``fresh`` ran no code but its body, which cannot name it: no
    metaclass but ``type``, no ``__mro_entries__`` of a base (``__orig_bases__``), no base's
    ``__init_subclass__`` and no ``__set_name__``; then no registry can hold it (a plain class
    of a checkout's module: a walk that found nothing, per class statement run)."""
    if type(fresh) is not type or "__orig_bases__" in fresh.__dict__:
        return False
    if any("__init_subclass__" in vars(base) for base in fresh.__mro__[1:] if base is not object):
        return False
    return not any(hasattr(type(value), "__set_name__") for value in fresh.__dict__.values())


def decorators_of(redirects: list[Redirect], new: ParsedSource) -> list[ast.expr]:
    """The decorators of the statements of ``new`` that made the fresh objects of
    ``redirects``, and a class statement's keywords (``metaclass=f``: ``f`` may register
    what it makes, and nothing in the class says it ran)."""
    out: list[ast.expr] = []
    for _fresh, kept, _skip in redirects:
        name = getattr(kept, "__name__", None)
        for stmt in new.named(name) if isinstance(name, str) else ():
            if isinstance(stmt.node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                out.extend(stmt.node.decorator_list)
            if isinstance(stmt.node, ast.ClassDef):
                out.extend(keyword.value for keyword in stmt.node.keywords)
    return out


def _roots(
    fresh: list[Any], namespace: dict[str, Any], decorators: list[ast.expr]
) -> list[dict[str, Any]]:
    names: dict[str, None] = {}  # (ordered, unique)
    for obj in fresh:
        if isinstance(obj, type):
            for meta in inspect.getmro(type(obj)):
                names[meta.__module__] = None
            for base in obj.__mro__[1:]:
                if "__init_subclass__" in base.__dict__:
                    names[base.__module__] = None
            for value in obj.__dict__.values():
                if hasattr(type(value), "__set_name__"):
                    names[type(value).__module__] = None
    for decorator in decorators:
        expr = decorator  # down to the name it starts from: ``@a.b(...)`` -> ``a``
        while isinstance(expr, ast.Call | ast.Attribute):
            expr = expr.func if isinstance(expr, ast.Call) else expr.value
        if not isinstance(expr, ast.Name):
            continue
        value = namespace.get(expr.id)
        if isinstance(value, types.ModuleType):
            names[value.__name__] = None
        elif isinstance(getattr(value, "__module__", None), str):
            names[value.__module__] = None
    roots = [namespace]
    for name in names:
        module = sys.modules.get(name) if name not in _SKIPPED_MODULES else None
        if module is not None and module.__dict__ is not namespace:
            roots.append(module.__dict__)
    return roots


def _holders(roots: list[dict[str, Any]], targets: set[int]) -> list[Any]:
    """The objects within ``_DEPTH`` references of ``roots`` that refer to one of ``targets``."""
    found: dict[int, Any] = {}
    seen = {id(root) for root in roots}
    level: list[Any] = list(roots)
    for _ in range(_DEPTH):
        below: list[Any] = []
        for obj in level:
            for ref in _referents(obj):
                if id(ref) in targets:
                    found[id(obj)] = obj
                elif id(ref) not in seen and gc.is_tracked(ref) and not isinstance(ref, _LEAVES):
                    seen.add(id(ref))
                    below.append(ref)
        if not below or len(seen) > _BUDGET:
            break
        level = below
    return list(found.values())


def _referents(obj: Any) -> list[Any] | tuple[Any, ...]:
    if isinstance(obj, types.FunctionType):
        return obj.__closure__ or ()
    if isinstance(obj, type):  # its own namespace only (not its bases, its MRO, its subclasses)
        return [ref for ref in gc.get_referents(obj) if type(ref) is dict]
    return gc.get_referents(obj)
