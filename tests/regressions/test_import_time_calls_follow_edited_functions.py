"""Values computed at import time by calling a function must be recomputed when that
function's code changes, wherever the call is written, as a fresh run computes them.

Seen by the fuzzer: ``A = f3(3)`` in a class body of another module kept the value the old
``f3`` returned (the class statement re-ran, but the unchanged ``A = ...`` line kept its old
value), and ``A = fza.f3(5)`` (a call through the module attribute) was not re-run at all.
"""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_a_class_attribute_computed_by_an_imported_function(workspace: Workspace) -> None:
    """``class C: A = f(3)`` in module b follows an edit of ``f`` in module a."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "def f(x):\n    return x\n")
    workspace.write(f"{b}.py", f"from {a} import f\n\n\nclass C:\n    A = f(3)\n")
    with hotswap.Reloader() as r:
        importlib.import_module(a)
        mod = importlib.import_module(b)
        assert mod.C.A == 3
        workspace.write(f"{a}.py", "def f(x):\n    return x * 10\n")
        assert r.check().ok
    assert mod.C.A == 30


def test_a_class_attribute_computed_by_a_local_function(workspace: Workspace) -> None:
    """``class C: A = f(3)`` follows an edit of ``f`` in the same module."""
    a = workspace.name("a")
    source = "def f(x):\n    return x{tail}\n\n\nclass C:\n    A = f(3)\n"
    workspace.write(f"{a}.py", source.format(tail=""))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(a)
        workspace.write(f"{a}.py", source.format(tail=" * 10"))
        assert r.check().ok
    assert mod.C.A == 30


def test_a_constant_computed_through_a_module_attribute(workspace: Workspace) -> None:
    """``V = a.f(5)`` in module b follows an edit of ``f`` in module a."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "def f(x):\n    return x\n")
    workspace.write(f"{b}.py", f"import {a}\n\nV = {a}.f(5)\n")
    with hotswap.Reloader() as r:
        importlib.import_module(a)
        mod = importlib.import_module(b)
        workspace.write(f"{a}.py", "def f(x):\n    return x * 10\n")
        assert r.check().ok
    assert mod.V == 50


def test_a_constant_computed_through_a_helper_that_calls_the_edited_function(
    workspace: Workspace,
) -> None:
    """``V = g(2)`` where ``g`` calls ``f``: editing ``f`` changes what ``g(2)`` returns, so a
    fresh run computes another ``V``."""
    a = workspace.name("a")
    source = "def f(x):\n    return x{tail}\n\n\ndef g(x):\n    return f(x) + 1\n\n\nV = g(2)\n"
    workspace.write(f"{a}.py", source.format(tail=""))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(a)
        assert mod.V == 3
        workspace.write(f"{a}.py", source.format(tail=" * 10"))
        assert r.check().ok
    assert mod.V == 21


def test_a_class_attribute_computed_by_a_star_imported_function(workspace: Workspace) -> None:
    """``from a import *`` then ``class C: A = f(0)``: an edit of ``f`` in ``a`` reaches
    ``C.A`` (fuzzer, campaign seed 7000: ``fzb.C11.A12`` stayed 0 where fresh has 1)."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "def f(x):\n    return x\n")
    workspace.write(f"{b}.py", f"from {a} import *\n\n\nclass C:\n    A = f(3)\n")
    with hotswap.Reloader() as r:
        importlib.import_module(a)
        mod = importlib.import_module(b)
        workspace.write(f"{a}.py", "def f(x):\n    return x * 10\n")
        assert r.check().ok
    assert mod.C.A == 30
