"""An edit inside a class costs, and reports, what it changed: one method edited in a large class
is compiled and patched alone, the report names exactly it, and no heap scan runs."""

from __future__ import annotations

import gc
import importlib
import inspect
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

import hotswap
from conftest import Workspace


def _class_source(count: int, body: str = "return x + {i}", extra: str = "") -> str:
    methods = "".join(
        f"    def m{i}(self, x):\n        {body.format(i=i)}\n\n" for i in range(count)
    )
    return f"import functools\n\n\nclass Big:\n    LIMIT = 3\n\n{methods}{extra}\n\nX = 1\n"


def _changes(report: hotswap.Report) -> list[tuple[str, str]]:
    return [(c.qualname, c.action) for c in report.changes]


@pytest.fixture
def no_heap_scans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records every whole-heap walk (``gc.get_objects``, ``gc.get_referrers``) hotswap makes."""
    calls: list[str] = []
    real_objects, real_referrers = gc.get_objects, gc.get_referrers

    def objects(*args: Any) -> list[Any]:
        calls.append("get_objects")
        return real_objects(*args)

    def referrers(*args: Any) -> list[Any]:
        calls.append("get_referrers")
        return real_referrers(*args)

    monkeypatch.setattr(gc, "get_objects", objects)
    monkeypatch.setattr(gc, "get_referrers", referrers)
    yield calls


def test_one_method_edited_is_the_one_change_reported(
    workspace: Workspace, no_heap_scans: list[str]
) -> None:
    """Editing one method of a 50-method class reports ``patched Big.m20`` and nothing else;
    the other methods keep their code objects, and no heap scan runs."""
    name = workspace.name()
    workspace.write(f"{name}.py", _class_source(50))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        codes = {n: f.__code__ for n, f in vars(mod.Big).items() if n.startswith("m")}
        for save in range(2):  # the first save (a whole parse of the old text) and a later one
            source = _class_source(50).replace("return x + 20", f"return x * {20 + save}")
            workspace.write(f"{name}.py", source)
            no_heap_scans.clear()
            report = r.check()
            assert report.ok and _changes(report) == [("Big.m20", "patched")]
            assert mod.Big().m20(2) == 2 * (20 + save)
            assert no_heap_scans == []
        kept = [n for n, f in vars(mod.Big).items() if n.startswith("m") and f.__code__ is codes[n]]
        assert len(kept) == 49


def test_a_method_added_to_a_class_is_reported_by_name(workspace: Workspace) -> None:
    """Adding ``__repr__`` to a class reports ``added Shape.__repr__``, not the methods that
    were already there; instances made before the edit use it."""
    name = workspace.name()
    source = (
        "class Shape:\n    def __init__(self, n):\n        self.n = n\n\n"
        "    def kind(self):\n        return 'shape'\n"
    )
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        shape = mod.Shape(3)
        workspace.write(
            f"{name}.py", source + "\n    def __repr__(self):\n        return f'Shape({self.n})'\n"
        )
        report = r.check()
        assert report.ok and _changes(report) == [("Shape.__repr__", "added")]
        assert repr(shape) == "Shape(3)"


def test_a_method_removed_from_a_class_is_gone(workspace: Workspace) -> None:
    """Deleting a method removes it from the kept class, reported as removed."""
    name = workspace.name()
    workspace.write(f"{name}.py", _class_source(5))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        source = _class_source(5).replace("    def m2(self, x):\n        return x + 2\n\n", "")
        workspace.write(f"{name}.py", source)
        report = r.check()
        assert report.ok and _changes(report) == [("Big.m2", "removed")]
        assert not hasattr(mod.Big, "m2") and mod.Big().m3(1) == 4


def test_methods_below_an_edit_that_added_lines_move_without_being_reported(
    workspace: Workspace,
) -> None:
    """A line added inside one method moves the methods below it: their tracebacks and
    ``inspect`` show the new lines, and only the edited method is reported."""
    name = workspace.name()
    body = "raise KeyError({i})"
    workspace.write(f"{name}.py", _class_source(10, body))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        source = _class_source(10, body).replace(
            "raise KeyError(3)\n", "y = 3\n        raise KeyError(y)\n"
        )
        path = workspace.write(f"{name}.py", source)
        report = r.check()
        assert report.ok and _changes(report) == [("Big.m3", "patched")]
        lines = path.read_text().splitlines()
        try:
            mod.Big().m7(0)
        except KeyError as exc:
            line = traceback.extract_tb(exc.__traceback__)[-1].lineno or 0
        assert lines[line - 1].strip() == "raise KeyError(7)"
        assert inspect.getsource(mod.Big.m7).strip().startswith("def m7(self, x):")


def test_a_method_using_super_added_to_a_kept_class_calls_its_base(workspace: Workspace) -> None:
    """A method added with zero-argument ``super()`` resolves it against the kept class."""
    name = workspace.name()
    source = (
        "class Base:\n    def hello(self):\n        return 'base'\n\n\n"
        "class Child(Base):\n    def other(self):\n        return 1\n"
    )
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        child = mod.Child()
        workspace.write(
            f"{name}.py",
            source + "\n    def hello(self):\n        return 'child of ' + super().hello()\n",
        )
        assert r.check().ok and child.hello() == "child of base"


def test_a_method_read_by_the_class_body_re_runs_the_class(workspace: Workspace) -> None:
    """``size = property(get_size)`` captures the function: editing ``get_size`` re-runs the
    class body so the property calls the new code, as a fresh run would."""
    name = workspace.name()
    source = (
        "class Box:\n    def get_size(self):\n        return 1\n\n"
        "    size = property(get_size)\n"
    )
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        box = mod.Box()
        workspace.write(f"{name}.py", source.replace("return 1", "return 2"))
        assert r.check().ok and box.size == 2 and box.get_size() == 2


def test_a_private_name_in_an_edited_method_is_mangled_as_in_its_class(
    workspace: Workspace,
) -> None:
    """``self.__secret`` in an edited method still reads ``_Vault__secret``."""
    name = workspace.name()
    source = (
        "class Vault:\n    def __init__(self):\n        self.__secret = 41\n\n"
        "    def reveal(self):\n        return self.__secret\n"
    )
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        vault = mod.Vault()
        edited = source.replace("return self.__secret", "return self.__secret + 1")
        workspace.write(f"{name}.py", edited)
        assert r.check().ok and vault.reveal() == 42
        assert mod.Vault.reveal.__qualname__ == "Vault.reveal"


def test_an_edited_method_that_fails_to_decorate_rolls_back(workspace: Workspace) -> None:
    """A decorator that raises while the edited method is made leaves the class as it was."""
    name = workspace.name()
    source = (
        "def deco(f):\n    return f\n\n\nclass C:\n    @deco\n    def m(self):\n        return 1\n"
    )
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        m = mod.C.m
        workspace.write(
            f"{name}.py", source.replace("@deco\n", "@deco(1)\n").replace("return 1", "return 2")
        )
        assert not r.check().ok
        assert mod.C.m is m and mod.C().m() == 1


_MODULE = """\
import functools

LIMIT = 3


def helper(x):
    return x + LIMIT


@functools.lru_cache
def cached(x):
    return x * 2


class Big:
    SIZE = 10

    def m(self, x):
        return helper(x) + self.SIZE
"""


@pytest.mark.parametrize(
    ("before", "after", "probe", "expected"),
    [
        ("return x + LIMIT", "return x - LIMIT", "helper(5)", 2),
        ("return x * 2", "return x * 3", "cached(2)", 6),
        ("LIMIT = 3", "LIMIT = 4", "helper(1)", 5),
        ("SIZE = 10", "SIZE = 20", "Big().m(0)", 23),
        ("return helper(x) + self.SIZE", "return self.SIZE", "Big().m(0)", 10),
    ],
    ids=["function body", "cached function body", "constant", "class constant", "method body"],
)
def test_common_edits_run_no_heap_scan(
    workspace: Workspace,
    no_heap_scans: list[str],
    before: str,
    after: str,
    probe: str,
    expected: int,
) -> None:
    """A function or method body edit, a module or class constant changed: the reload takes
    effect without walking the heap (``gc.get_objects``/``gc.get_referrers``)."""
    name = workspace.name()
    workspace.write(f"{name}.py", _MODULE)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert mod.cached(2) == 4
        workspace.write(f"{name}.py", _MODULE.replace(before, after))
        no_heap_scans.clear()
        assert r.check().ok
        assert no_heap_scans == []
        assert eval(probe, vars(mod)) == expected


def test_a_class_constant_change_is_reported_as_that_constant(workspace: Workspace) -> None:
    """``SIZE = 10`` -> ``SIZE = 20`` in a class reports ``rebound Big.SIZE`` only, and methods
    reading ``self.SIZE`` see it."""
    name = workspace.name()
    workspace.write(f"{name}.py", _MODULE)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", _MODULE.replace("SIZE = 10", "SIZE = 20"))
        report = r.check()
        assert report.ok and _changes(report) == [("Big.SIZE", "rebound")]
        assert mod.Big().m(0) == 23


def test_a_class_constant_read_by_the_class_body_re_runs_what_reads_it(
    workspace: Workspace,
) -> None:
    """``B = A * 2`` in the class body follows a change of ``A``, as in a fresh run."""
    name = workspace.name()
    source = "class K:\n    A = 1\n    B = A * 2\n"
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", source.replace("A = 1", "A = 5"))
        assert r.check().ok and (mod.K.A, mod.K.B) == (5, 10)


def test_methods_that_only_moved_are_not_reported_when_the_class_runs_again(
    workspace: Workspace,
) -> None:
    """A class whose body must run again (a class-body statement changed that the methods'
    patching cannot express) reports what changed, not the methods that merely moved."""
    name = workspace.name()
    source = "class K:\n    A = 1\n    B = A * 2\n\n    def m(self):\n        return self.B\n"
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert mod.K().m() == 2
        workspace.write(f"{name}.py", source.replace("A = 1\n", "A = 2\n    # note\n"))
        report = r.check()
        assert report.ok and mod.K().m() == 4
        assert ("K.m", "patched") not in _changes(report)
