"""A docstring added to a ``typing.Protocol`` class (not ``@runtime_checkable``) applies.

Found checking out sympy 1.12.1 -> 1.13.0: ``sympy.polys.matrices._typing`` gained a docstring
on ``RingElement(Protocol)`` and the reload failed with "Instance and class checks can only be
used with @runtime_checkable protocols" (raised inside ``typing``), which held back the
modules importing it. hotswap refreshes the abstract-method bookkeeping of a patched ABC and
its subclasses, and asked ``issubclass`` of a protocol that refuses it."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

SOURCE = '''\
from typing import Protocol, TypeVar

T = TypeVar("T")


class RingElement(Protocol):
    {doc}
    def __add__(self: T, other: T, /) -> T: ...
    def __neg__(self: T, /) -> T: ...


class Impl(RingElement):
    def __add__(self, other):
        return 1

    def __neg__(self):
        return -1
'''


def test_a_docstring_added_to_a_protocol(workspace: Workspace) -> None:
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(doc=""))
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        cls = module.RingElement
        workspace.write(f"{name}.py", SOURCE.format(doc='"""A ring element."""'))
        report = r.check()
        assert report.ok, report
        assert module.RingElement is cls and cls.__doc__ == "A ring element."
        assert -module.Impl() == -1
