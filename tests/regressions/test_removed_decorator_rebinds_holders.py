"""When a decorator is removed from a function, references held before the edit (a callback
registry, a ``functools.partial``) must follow the plain function the name now holds, as a
fresh run would have registered it.

Seen by the fuzzer: ``@functools.lru_cache`` removed from ``f``, then ``f`` edited: ``f()`` and
``mod.f()`` gave the new result, while ``CB["f"]()`` and ``partial(mod.f, 3)()`` still ran the
old cached wrapper and its old code."""

from __future__ import annotations

import functools
import importlib

import hotswap
from conftest import Workspace

DECORATED = """\
import functools


@functools.lru_cache(maxsize=None)
def f(x):
    return x
"""


def test_holders_of_a_function_that_lost_its_decorator_run_the_new_code(
    workspace: Workspace,
) -> None:
    """A callback dict and a partial made before the edits call the new plain ``f``."""
    name = workspace.name()
    workspace.write(f"{name}.py", DECORATED)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        callbacks = {"f": mod.f}
        bound = functools.partial(mod.f, 3)
        workspace.write(f"{name}.py", "def f(x):\n    return x\n")
        assert r.check().ok
        workspace.write(f"{name}.py", "def f(x):\n    return 2\n")
        assert r.check().ok
    assert mod.f(5) == 2
    assert callbacks["f"](5) == 2
    assert bound() == 2
