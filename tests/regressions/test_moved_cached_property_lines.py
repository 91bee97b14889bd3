"""Functions behind ``functools.cached_property`` must get their line numbers shifted when the
class they sit in moves (lines added above it), or when they move inside an edited class, like
plain methods and properties do.

Seen by the fuzzer: a method added to one class moved the next class down by one line; the
getter of that class's ``cached_property`` still reported its old first line (tracebacks and
``inspect`` pointed one line too high)."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

BEFORE = """\
import functools


class A:
    pass


class B:
    @functools.cached_property
    def value(self):
        return 1

    @property
    def plain(self):
        return 2
"""


def test_a_cached_property_getter_moves_with_its_class(workspace: Workspace) -> None:
    """A line added to ``A`` move ``B.value``'s getter from line 9 to line 10."""
    name = workspace.name()
    workspace.write(f"{name}.py", BEFORE)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        getter = vars(mod.B)["value"].func
        assert getter.__code__.co_firstlineno == 9
        method = "    def m(self):\n        return 0\n"
        workspace.write(f"{name}.py", BEFORE.replace("    pass\n", method))
        assert r.check().ok
    assert vars(mod.B)["plain"].fget.__code__.co_firstlineno == 14  # properties already move
    assert getter.__code__.co_firstlineno == 10


def test_a_cached_property_getter_moves_within_its_edited_class(workspace: Workspace) -> None:
    """A method removed above a ``cached_property`` in the same class moves the getter up
    (fuzzer: ``_line(vars(C6)['m9'])`` stayed 15 where a fresh import has 13)."""
    source = (
        "import functools\n\n\nclass C:\n"
        "    def gone(self):\n        return 0\n\n"
        "    @functools.cached_property\n    def value(self):\n        return 1\n"
    )
    name = workspace.name()
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert vars(mod.C)["value"].func.__code__.co_firstlineno == 8
        gone = "    def gone(self):\n        return 0\n\n"
        workspace.write(f"{name}.py", source.replace(gone, ""))
        assert r.check().ok
    assert vars(mod.C)["value"].func.__code__.co_firstlineno == 5
