"""Results cached by ``functools.lru_cache`` or ``functools.cached_property`` that were computed
by code that has since changed must not be served after the reload: a fresh run computes them
with the new code (the design says: clear results computed by old code).

Seen by the fuzzer: a held instance's ``cached_property`` whose getter calls ``f`` kept the value
the old ``f`` gave; the getter itself had not changed, so its cached values were kept. The same
holds for an ``lru_cache`` function whose body calls an edited function."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

SOURCE = """\
import functools


def f():
    return {value}


class C:
    @functools.cached_property
    def value(self):
        return f()


@functools.lru_cache(maxsize=None)
def cached():
    return f()
"""


def test_a_cached_property_that_calls_an_edited_function(workspace: Workspace) -> None:
    """``obj.value`` on an instance made (and read) before the edit gives the new result."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(value=1))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        obj = mod.C()
        assert obj.value == 1
        workspace.write(f"{name}.py", SOURCE.format(value=2))
        assert r.check().ok
    assert mod.C().value == 2
    assert obj.value == 2


def test_an_lru_cache_function_that_calls_an_edited_function(workspace: Workspace) -> None:
    """``cached()`` called before the edit gives the new result after it."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(value=1))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert mod.cached() == 1
        workspace.write(f"{name}.py", SOURCE.format(value=2))
        assert r.check().ok
    assert mod.cached() == 2
