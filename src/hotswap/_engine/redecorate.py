"""Decorated definitions: patching a body without running its decorators again.

A changed ``def`` whose decorator lines did not change is compiled without them and only its
innermost function is patched: the decorator's wrapper (and what it registered) stays. Where
running the decorators again is what a fresh run does, they run: the ``register`` statements
of a ``functools.singledispatch`` function whose set changed (its registry is emptied first),
and definitions an integration wants decorated again (a web route derived from a signature).
"""

from __future__ import annotations

import ast
import contextlib
import copy
import itertools
import types
from typing import Any

from hotswap._engine.functions import defaults_differ, functions_in
from hotswap._engine.journal import MISSING
from hotswap._engine.members import registers_into
from hotswap._engine.pairing import Step
from hotswap._engine.plan import ModulePlan
from hotswap._engine.source import ParsedSource, compile_statement
from hotswap._engine.writers import Writers


class Redecorate(Writers):
    """Decorated definitions (see the module docstring)."""

    def _patch_body_only(self, step: Step, new: ParsedSource) -> bool:
        """Patch the innermost function of a decorated ``def`` without re-running decorators."""
        stmt, old_stmt = step.new, step.old
        assert old_stmt is not None and stmt.name is not None
        namespace = self.module.__dict__
        current = namespace.get(stmt.name, MISSING)
        if current is MISSING:
            return False
        targets = [
            f
            for f in functions_in(current, self.path)
            if f.__code__.co_name == stmt.name
            and old_stmt.first <= f.__code__.co_firstlineno <= old_stmt.last
        ]
        if len(targets) != 1:
            return False
        bare = copy.copy(stmt.node)
        assert isinstance(bare, ast.FunctionDef | ast.AsyncFunctionDef)
        # Each decorator becomes an identity at the same position: the code object then starts
        # at the first decorator line, as the real one does (``inspect.getsource`` shows them).
        bare.decorator_list = [
            ast.copy_location(ast.Name(id=_IDENTITY, ctx=ast.Load()), d)
            for d in bare.decorator_list
        ]
        scratch = dict(namespace)
        scratch[_IDENTITY] = _identity
        exec(compile_statement(stmt, self.path, new.future_flags, bare), scratch)
        fresh = scratch[stmt.name]
        target = targets[0]
        if not isinstance(fresh, types.FunctionType) or (
            fresh.__code__.co_freevars != target.__code__.co_freevars
        ):
            return False
        if target.__code__ != fresh.__code__ or defaults_differ(target, fresh):
            self.flow.recoded.add(stmt.name)
        copied = {attr: getattr(target, attr, None) for attr in _WRAPPED_ATTRS}
        self._take(self.patcher.patch(target, fresh, stmt.name))
        self._refresh_wrapper_metadata(current, target, copied)
        for wrapper in _wrappers_of(current):
            wrapper.cache_clear()
        return True

    def _refresh_wrapper_metadata(self, outer: Any, inner: Any, copied: dict[str, Any]) -> None:
        """``functools.wraps`` copied the inner function's docstring, name and annotations onto
        each wrapper at decoration time; copy the new ones where the old ones were copied."""
        current = outer
        for _ in range(8):
            if current is inner or current is None:
                return
            if getattr(current, "__wrapped__", None) is None:
                return  # not made by ``functools.wraps``: its docstring and name are its own
            for attr, before in copied.items():
                try:
                    value = getattr(current, attr)
                except AttributeError:
                    continue
                if value is before or (isinstance(value, str) and value == before):
                    with contextlib.suppress(AttributeError, TypeError):
                        self.journal.setattr(current, attr, getattr(inner, attr))
            current = getattr(current, "__wrapped__", None)

    def _rebuild_registries(self, plan: ModulePlan) -> set[int]:
        """``@show.register`` statements of a ``functools.singledispatch`` function: when any of
        them changed, appeared or went away, empty its registry (but for ``object``) and run
        them all again, so dispatch matches a fresh run. Returns the statement indexes to run."""
        groups: dict[str, list[Step]] = {}
        kept = plan.kept_steps(decorated_only=True)
        tail = plan.tail_steps(decorated_only=True)
        for step in itertools.chain(kept, plan.rest, tail):
            if not step.new.decorators_key:
                continue  # only a decorated definition registers (cheap test: every reload)
            target = registers_into(step.new.node)
            if target is not None:
                groups.setdefault(target, []).append(step)
        old_counts: dict[str, int] = {}
        for stmt in self.old.objects if self.old is not None else ():
            if not stmt.decorators_key:
                continue
            target = registers_into(stmt.node)
            if target is not None:
                old_counts[target] = old_counts.get(target, 0) + 1
        forced: set[int] = set()
        for target, steps in groups.items():
            func = self.module.__dict__.get(target)
            registry = _dispatch_registry(func)
            if registry is None:
                continue
            if old_counts.get(target, 0) == len(steps) and all(s.status == "same" for s in steps):
                continue
            for key in [k for k in registry if k is not object]:
                self.journal.delitem(registry, key)
            clear = getattr(func, "_clear_cache", None)
            if callable(clear):
                clear()
            forced.update(s.new.index for s in steps)
        return forced

    def _integration_reruns(self, plan: ModulePlan) -> set[int]:
        """Changed decorated definitions whose decorators an integration wants run again (a
        web route's decorator derives the route from the function's signature)."""
        if not self.integrations:
            return set()
        namespace = self.module.__dict__
        forced: set[int] = set()
        for step in plan.rest:
            stmt = step.new
            decorated = stmt.decorators_key or (step.old is not None and step.old.decorators_key)
            if step.status != "changed" or not decorated or stmt.name is None:
                continue
            current = namespace.get(stmt.name)
            if current is not None and any(i.rerun(current) for i in self.integrations):
                forced.add(stmt.index)
        return forced


_IDENTITY = "__hotswap_identity__"


def _identity(value: Any) -> Any:
    return value


def _dispatch_registry(func: Any) -> dict[Any, Any] | None:
    """The dict behind a ``singledispatch`` function's ``registry`` (a closure variable)."""
    register = getattr(func, "register", None)
    code = getattr(register, "__code__", None)
    if code is None or "registry" not in code.co_freevars or not hasattr(func, "dispatch"):
        return None
    closure = getattr(register, "__closure__", None) or ()
    index = code.co_freevars.index("registry")
    if index >= len(closure):
        return None
    value = closure[index].cell_contents
    return value if isinstance(value, dict) else None


_WRAPPED_ATTRS = ("__doc__", "__name__", "__qualname__", "__annotations__")


def _wrappers_of(obj: Any) -> list[Any]:
    """Caching wrappers (``lru_cache`` and alike) on the way from ``obj`` to its functions."""
    out = []
    current = obj
    for _ in range(8):
        if callable(getattr(current, "cache_clear", None)):
            out.append(current)
        current = getattr(current, "__wrapped__", None)
        if current is None:
            break
    return out
