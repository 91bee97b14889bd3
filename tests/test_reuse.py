"""A class statement that runs again keeps the live code of the methods an edit left alone.

See ``hotswap._engine.reuse``: the class is compiled with one-line stand-ins for those methods,
and their live code, moved to their new lines, takes the stand-ins' place.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import pytest
from tests.conftest import Workspace, raised_at

import hotswap
from hotswap._engine import source as _source

CLASS = '''
K = 1


class Base:
    def hello(self):
        return "base"


class A(Base):
    LIMIT = K

    def plain(self):
        return self.LIMIT

    @staticmethod
    def st(x):
        return x + 1

    @classmethod
    def cm(cls):
        return cls.__name__

    @property
    def prop(self):
        """A property."""
        return 5

    def sup(self):
        return super().hello() + "!"

    async def co(self):
        return 3

    def gen(self):
        yield 1
        yield 2

    def boom(self):
        raise ValueError("boom")
'''


@pytest.fixture
def reused(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many methods each class compile took the live code of."""
    counts: list[int] = []
    real = _source.put_back

    def counting(module: Any, name: str, codes: dict[int, Any]) -> Any:
        made = real(module, name, codes)
        counts.append(len(codes) if made is not None else 0)
        return made

    monkeypatch.setattr(_source, "put_back", counting)
    return counts


def test_a_class_run_again_keeps_the_code_of_its_methods_moved_below_an_edit(
    workspace: Workspace, reused: list[int]
) -> None:
    """Lines added at the top and a constant the class body reads changed: the class runs
    again, and its methods (plain, static, class, property, ``super()``, async, generator) keep
    their code, moved to their new lines: they work, keep their identity, and raise at the line
    the file shows."""
    name = workspace.name()
    workspace.write(f"{name}.py", CLASS)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        a = mod.A()
        before = dict(vars(mod.A))
        raising = '        raise ValueError("boom")'
        assert raised_at(a.boom) == CLASS.splitlines().index(raising) + 1
        edited = "import os\nimport sys\n" + CLASS.replace("K = 1", "K = 2")
        workspace.write(f"{name}.py", edited)
        report = r.check()
    assert report.ok, str(report)
    assert reused and reused[-1] == 8  # (every method: none changed)
    assert (a.plain(), mod.A.st(1), mod.A.cm(), a.prop, a.sup()) == (2, 2, "A", 5, "base!")
    assert mod.A.prop.__doc__ == "A property."
    assert asyncio.run(a.co()) == 3 and list(a.gen()) == [1, 2]
    assert raised_at(a.boom) == edited.splitlines().index(raising) + 1
    for member in ("plain", "st", "cm", "prop", "sup", "co", "gen", "boom"):
        assert vars(mod.A)[member] is before[member], member


def test_a_method_edited_in_a_class_run_again_gets_its_new_code(
    workspace: Workspace, reused: list[int]
) -> None:
    """A method edited in a class that runs again (a constant its body reads changed, in the
    same save): the edited method runs its new code, the others keep theirs."""
    name = workspace.name()
    workspace.write(f"{name}.py", CLASS)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        a = mod.A()
        edited = CLASS.replace("K = 1", "K = 2").replace(
            'super().hello() + "!"', 'super().hello() + "?"'
        )
        workspace.write(f"{name}.py", edited)
        report = r.check()
    assert report.ok, str(report)
    assert reused and reused[-1] == 7
    assert (a.plain(), a.sup(), a.prop) == (2, "base?", 5)


def test_a_method_replaced_at_run_time_is_not_taken_for_the_source(
    workspace: Workspace, reused: list[int]
) -> None:
    """A method the program replaced at run time (``A.plain = other``) is not the code of the
    source's ``plain``: the class runs it from the source, as without reuse."""
    name = workspace.name()
    workspace.write(f"{name}.py", CLASS)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        mod.A.plain = lambda self: "replaced"
        workspace.write(f"{name}.py", CLASS.replace("K = 1", "K = 2"))
        report = r.check()
    assert report.ok, str(report)
    assert reused and reused[-1] == 7
