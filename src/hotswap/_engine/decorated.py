"""What a class statement's decorators made of the class, and what they recorded elsewhere.

A class decorator may return the class itself (``dataclass``, a registering decorator), or
another object that holds it: an actor handle (``ray.remote``), a subclass made in the
decorator, a proxy. When only the class body changed, the engine runs the body without the
decorators and patches the class in place; :func:`kept_class` finds that class inside what
the module binds, so the decorator's object stays bound, as it is.

``typing.overload`` records every stub in a registry of its own (by module, qualified name
and first line); a class body that runs again records them anew: :func:`forget_overloads`
drops the old records first (journaled); top-level stubs that came, went or changed are
recorded anew the same way (:func:`restub`).
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import types
import typing
from typing import Any

from hotswap._engine.journal import Journal
from hotswap._engine.pairing import is_overload
from hotswap._engine.plan import ModulePlan
from hotswap._engine.source import ParsedSource, Statement


def forget_overloads(node: ast.ClassDef, module: str, journal: Journal) -> None:
    """Drop ``typing``'s records of the overloaded members of class ``node`` of ``module``
    (else ``typing.get_overloads`` lists each stub again, at its new line)."""
    registry = getattr(typing, "_overload_registry", None)
    by_name = registry.get(module) if isinstance(registry, dict) else None
    if not by_name:
        return
    for member in node.body:
        if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            is_overload(d) for d in member.decorator_list
        ):
            qualname = f"{node.name}.{member.name}"
            if qualname in by_name:
                journal.delitem(by_name, qualname)


def restub(
    plan: ModulePlan,
    new: ParsedSource,
    module: str,
    journal: Journal,
    running: set[int],
    dirty: set[str],
) -> set[int]:
    """The top-level ``@overload`` stubs that must run again, after forgetting ``typing``'s
    records of their name: every stub of a name one of whose stubs came, went, changed or
    runs anyway (``running``: forced, or every statement in a full reload; or it reads a
    name a changed statement binds or ``dirty`` holds, such as a ``TypeVar`` its annotations
    name). ``typing`` records a stub by its first line: a moved stub that runs again would be
    listed twice by ``typing.get_overloads``, and a stub that went would stay listed; a
    fresh run records the new stubs only. Empty, at no cost, when no stub is in the edit."""
    names = {s.new.name for s in plan.rest if s.status != "same" and _stub(s.new)}
    names.update(old.name for old, _at in plan.dropped if _stub(old))
    objects = new.objects
    names.update(objects[i].name for i in running if _stub(objects[i]))
    rebound = set(dirty)
    rebound.update(n for s in plan.rest if s.status != "same" for n in s.new.binds)
    if rebound:
        names.update(s.name for s in objects if _stub(s) and not s.reads.isdisjoint(rebound))
    names.discard(None)
    if not names:
        return set()
    registry = getattr(typing, "_overload_registry", None)
    by_name = registry.get(module) if isinstance(registry, dict) else None
    for name in names:
        if by_name and name in by_name:
            journal.delitem(by_name, name)
    return {s.index for name in names if name for s in new.named(name) if _stub(s)}


def _stub(stmt: Statement) -> bool:
    node = stmt.node
    return bool(stmt.decorators_key) and (
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(is_overload(d) for d in node.decorator_list)
    )


def kept_class(obj: Any, module: str, qualname: str) -> type | None:
    """The class a class statement made, found in what its decorators returned: the object
    itself, or a class held by it (an actor handle's attribute, a wrapper subclass's base,
    a closure), a few levels deep. None when it is not found."""
    queue: list[tuple[Any, int]] = [(obj, 0)]
    seen: set[int] = set()
    while queue:
        current, depth = queue.pop(0)
        if id(current) in seen or depth > 3:
            continue
        seen.add(id(current))
        if isinstance(current, type):
            if current.__module__ == module and current.__qualname__ == qualname:
                return current
            inner: list[Any] = list(current.__bases__)
        elif isinstance(current, types.FunctionType):
            inner = []
            for cell in current.__closure__ or ():
                with contextlib.suppress(ValueError):
                    inner.append(cell.cell_contents)
        elif isinstance(current, types.ModuleType | str | bytes | int | float | type(None)):
            continue
        else:
            try:
                inner = list(vars(current).values())
            except TypeError:
                inner = []
            wrapped = static_attribute(current, "__wrapped__")
            if wrapped is not None:
                inner.append(wrapped)
        queue.extend((item, depth + 1) for item in inner)
    return None


def static_attribute(obj: Any, name: str) -> Any:
    """``obj.name`` without running ``__getattr__`` (a proxy may answer anything)."""
    try:
        return inspect.getattr_static(obj, name, None)
    except Exception:
        return None
