"""When a ``functools.cached_property`` becomes a plain method (or goes away), instances made
before the edit must not keep serving the value it cached: in a fresh run the name is the
method. The cached value sits in the instance's ``__dict__`` and shadows the new method.

Seen by the fuzzer: after ``@functools.cached_property def m6(self)`` became
``def m6(self, x)``, ``I_C1.m6(5)`` on an instance that had read ``m6`` before raised
``TypeError: 'int' object is not callable`` (fresh: 0)."""

from __future__ import annotations

import importlib

import pytest

import hotswap
from conftest import Workspace

BEFORE = """\
import functools


class C:
    @functools.cached_property
    def value(self):
        return 1
"""

AFTER = {
    "method": "class C:\n    def value(self, x=0):\n        return 2 + x\n",
    "removed": "class C:\n    pass\n",
}


@pytest.mark.parametrize("change", sorted(AFTER))
def test_an_old_instance_forgets_what_a_removed_cached_property_cached(
    workspace: Workspace, change: str
) -> None:
    """The old instance behaves like a new one: the method is called, or the name is gone."""
    name = workspace.name()
    workspace.write(f"{name}.py", BEFORE)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        obj = mod.C()
        assert obj.value == 1
        workspace.write(f"{name}.py", AFTER[change])
        assert r.check().ok
    if change == "method":
        assert obj.value(5) == 7
    else:
        assert not hasattr(obj, "value")
