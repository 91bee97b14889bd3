"""Removing ``@abc.abstractmethod`` from a method makes the class concrete, as in a fresh run.

Found by helper engine12: patching a function copied the new function's attributes but never
dropped the old one's, so the ``__isabstractmethod__`` mark that the decorator had set stayed,
``A.__abstractmethods__`` still held ``m``, and ``A()`` kept raising "Can't instantiate
abstract class". Markers a decorator set (dunder attributes) that the new definition does not
have go; other attributes (state a program keeps on its function) stay."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

BEFORE = """\
import abc


class A(abc.ABC):
    @abc.abstractmethod
    def m(self):
        ...


def counted():
    return 1


counted.calls = 0
"""

AFTER = """\
import abc


class A(abc.ABC):
    def m(self):
        return 1


def counted():
    return 2


counted.calls = 0
"""


def test_removed_abstractmethod_makes_the_class_concrete(workspace: Workspace) -> None:
    """After the save ``A()`` works and ``A().m()`` runs the new body; the program's own
    attribute on another function keeps its value."""
    name = workspace.name("absmod")
    workspace.write(f"{name}.py", BEFORE)
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        module.counted.calls = 5
        workspace.write(f"{name}.py", AFTER)
        report = r.check()
        assert report.ok, report
        assert module.A.__abstractmethods__ == frozenset()
        assert module.A().m() == 1
        assert not hasattr(module.A.m, "__isabstractmethod__")
        assert module.counted() == 2 and module.counted.calls == 5
