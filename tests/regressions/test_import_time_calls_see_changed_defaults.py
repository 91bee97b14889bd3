"""A value computed at import time by calling a function must be recomputed when that
function's *defaults* change (not its code), as a fresh run computes it.

Seen by the fuzzer (campaign seed 7000): ``@functools.lru_cache def f2(x, d=0): return d`` and
``class C8: A9 = f2(0)``; saving ``d=1`` left ``C8.A9`` at 0 where a fresh run has 1 (the
report said only "reloaded fza")."""

from __future__ import annotations

import importlib

import pytest

import hotswap
from conftest import Workspace

SOURCE = """\
import functools


{decorator}
def f(x, d={default}):
    return d


class C:
    A = f(0)


V = f(0)
"""


@pytest.mark.parametrize("decorator", ["", "@functools.lru_cache(maxsize=None)"])
def test_a_changed_default_reaches_import_time_callers(
    workspace: Workspace, decorator: str
) -> None:
    """``C.A`` and ``V`` become 1, and ``f(0)`` too (the cache is not served)."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(decorator=decorator, default=0))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert (mod.C.A, mod.V) == (0, 0)
        workspace.write(f"{name}.py", SOURCE.format(decorator=decorator, default=1))
        assert r.check().ok
    assert mod.f(0) == 1
    assert (mod.C.A, mod.V) == (1, 1)
