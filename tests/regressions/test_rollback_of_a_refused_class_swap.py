"""A save that changes a class's bases or metaclass in a way CPython refuses to apply in place,
and then fails further down, is rolled back like any failed save.

Seen by the fuzzer (fuzz_1816a4d37e): ``class C3(C1)`` saved as ``class C3`` above a line that
raises. The journal records an attribute change before making it; the refused ``__bases__``
assignment left a record whose "old value" had been read from the class ``__dict__`` (where
``__bases__`` is not), so the rollback tried to delete ``__bases__``: ``check()`` raised
``TypeError: cannot delete '__bases__' attribute`` instead of reporting the save's error, and
the undo records after it never ran."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_a_refused_base_swap_then_an_error(workspace: Workspace) -> None:
    """The report names the error's line; the class keeps its bases and its instances."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "class C1:\n    def m(self):\n        return 1\n")
    workspace.write(f"{b}.py", f"from {a} import C1\n\n\nclass C3(C1):\n    pass\n")
    with hotswap.Reloader() as r:
        mod_a, mod_b = importlib.import_module(a), importlib.import_module(b)
        instance = mod_b.C3()
        workspace.write(f"{b}.py", "class C3:\n    pass\n\n\nraise RuntimeError('broken')\n")
        report = r.check()
        assert not report.ok
        assert report.errors[0].line == 5 and "broken" in report.errors[0].message
        assert mod_b.C3.__bases__ == (mod_a.C1,)
        assert isinstance(instance, mod_b.C3) and instance.m() == 1
        assert mod_b.C1 is mod_a.C1
        assert not report.warnings, report.warnings  # everything was restored


def test_a_refused_metaclass_swap_then_an_error(workspace: Workspace) -> None:
    """The same with a metaclass that goes away: the class keeps its metaclass."""
    name = workspace.name()
    source = "class M(type):\n    pass\n\n\nclass C(metaclass=M):\n    X = 1\n"
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        cls = mod.C
        broken = "class M(type):\n    pass\n\n\nclass C:\n    X = 1\n\n\nraise ValueError('no')\n"
        workspace.write(f"{name}.py", broken)
        report = r.check()
        assert not report.ok and report.errors[0].line == 9
        assert type(mod.C) is mod.M and mod.C is cls and mod.C.X == 1
        assert not report.warnings, report.warnings
