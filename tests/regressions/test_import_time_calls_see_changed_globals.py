"""A value computed at import time by calling a function must be recomputed when a global that
the function reads (while it runs) changes, as a fresh run computes it.

Seen by the fuzzer: ``K1 = 0``, ``def f2(x): return K1``, ``V9 = f2(0)``; saving ``K1 = 1``
re-ran ``K1`` only: ``V9`` stayed 0 where a fresh interpreter has 1 (``V9 = f2(0)`` neither
reads ``K1`` itself nor calls a function whose code changed)."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

SOURCE = """\
K1 = {value}


def f2(x):
    return K1 + x


class C:
    A = f2(10)


V9 = f2(0)
"""


def test_a_call_at_import_time_follows_a_global_the_function_reads(workspace: Workspace) -> None:
    """``V9`` and ``C.A`` are recomputed with the new ``K1``."""
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(value=0))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", SOURCE.format(value=1))
        assert r.check().ok
    assert mod.V9 == 1
    assert mod.C.A == 11


def test_across_modules(workspace: Workspace) -> None:
    """``V = f(0)`` in module b, where ``f`` in module a reads ``a.K``: editing ``K`` in a
    changes ``b.V``."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "K = 0\n\n\ndef f(x):\n    return K + x\n")
    workspace.write(f"{b}.py", f"from {a} import f\n\nV = f(0)\n")
    with hotswap.Reloader() as r:
        importlib.import_module(a)
        mod = importlib.import_module(b)
        workspace.write(f"{a}.py", "K = 5\n\n\ndef f(x):\n    return K + x\n")
        assert r.check().ok
    assert mod.V == 5
