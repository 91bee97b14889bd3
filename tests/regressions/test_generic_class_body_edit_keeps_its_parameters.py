"""A method edit in a ``Generic[T]`` class keeps what class creation gave the class
(``__orig_bases__``, ``__parameters__``): subscripting it (``Box[int]``) and subclasses
written as ``class IntBox(Box[int])`` keep working.

Found checking out rich 13.7.1 -> 13.9.4: after an edit of ``PromptBase(Generic[PromptType])``'s
methods (``ask`` has ``@overload`` stubs, so the class body runs whole), the class had
lost both. hotswap runs such a class's body without its bases (so that
``Generic.__init_subclass__`` does not run twice) and took the dunders missing from that
stand-in for members the edit removed."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

SOURCE = """\
from typing import Generic, TypeVar, overload

T = TypeVar("T")


class Box(Generic[T]):
    size: int = 1

    def __init__(self, n: int = {value}) -> None:
        self.n = n

    @overload
    @classmethod
    def make(cls, x: int) -> "Box[int]": ...

    @overload
    @classmethod
    def make(cls, x: str) -> "Box[str]": ...

    @classmethod
    def make(cls, x):
        return cls({value})

    def get(self) -> int:
        return {value}


class IntBox(Box[int]):
    pass
"""


def test_a_method_edit_keeps_what_generic_gave_the_class(workspace: Workspace) -> None:
    name = workspace.name()
    workspace.write(f"{name}.py", SOURCE.format(value=1))
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        box = module.Box
        workspace.write(f"{name}.py", SOURCE.format(value=2))
        assert r.check().ok
        assert module.Box is box and box().get() == 2
        assert box.__parameters__ == (module.T,)
        assert box.__orig_bases__ == (module.Generic[module.T],)
        assert box[int]().get() == 2 and module.IntBox().get() == 2
