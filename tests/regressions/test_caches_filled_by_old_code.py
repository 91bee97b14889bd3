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


READER = """\
import functools

import {a}


class C:
    @functools.cached_property
    def value(self):
        return {a}.K


@functools.lru_cache(maxsize=None)
def cached():
    return {a}.K
"""


def test_cached_values_that_read_a_changed_global_of_another_module(
    workspace: Workspace,
) -> None:
    """The getter and the cached function read ``a.K``; after ``K = 0`` becomes ``K = 1`` an
    old instance and the cached function give 1, as fresh (fuzzer: ``I_C3.m4`` stayed 0)."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "K = 0\n")
    workspace.write(f"{b}.py", READER.format(a=a))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(b)
        obj = mod.C()
        assert (obj.value, mod.cached()) == (0, 0)
        workspace.write(f"{a}.py", "K = 1\n")
        assert r.check().ok
    assert mod.C().value == 1
    assert obj.value == 1
    assert mod.cached() == 1
