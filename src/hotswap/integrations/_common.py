"""Helpers the built-in integrations share: where the framework objects live, what left a module."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any


def user_globals() -> Iterator[Any]:
    """Every global value of the watched (user) modules and ``__main__``: where applications and
    routers live. Runs only when a reload touches a module while the framework is imported."""
    from hotswap._detect.tracker import TRACKER

    names = [*TRACKER.records, "__main__"]
    for name in names:
        module = sys.modules.get(name)
        namespace = getattr(module, "__dict__", None)
        if isinstance(namespace, dict):
            yield from list(namespace.values())


def left_module(func: Any, module: types.ModuleType) -> bool:
    """Whether ``func``, a module-level function of ``module``, is no longer bound there by its
    name (its definition was deleted or renamed in this save)."""
    if getattr(func, "__module__", None) != module.__name__:
        return False
    name = getattr(func, "__name__", None)
    if not isinstance(name, str) or getattr(func, "__qualname__", None) != name:
        return False  # a method, a nested function or a lambda: not bound by its own name
    return module.__dict__.get(name) is not func
