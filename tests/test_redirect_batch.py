"""Redirecting references in one save: every holder follows, with two heap scans in all.

When a reload cannot keep an object (a function that became a generator is replaced) or a
re-run decorator registered a fresh class where the kept one belongs, the holders of the
object are found with ``gc.get_referrers`` and pointed at the right one. A scan walks the
whole heap: one per object made a long session's checkpoint take 49.8 s (attrs' history); a
save now gathers its objects and scans once for them and once for the tuples and bound
methods around them, however many modules it reloads (a branch checkout of 327 sympy files
spent 83% of its 506 s in one pair of scans per module).
"""

from __future__ import annotations

import gc
import importlib
import inspect
from typing import Any

import pytest
from tests.conftest import Workspace

import hotswap
from hotswap import _hooks
from hotswap._engine import redirect as _redirect


@pytest.fixture(autouse=True)
def no_framework_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a session that imported no web framework. A test run earlier in the same process
    (tests/test_web.py) leaves Flask or Starlette imported, which makes their integrations
    active, and a transaction with an active integration redirects at once, not in the
    checkpoint's one scan (its ``after`` hook reads its registries): the scan counts below
    would then depend on which tests ran before."""
    monkeypatch.setattr(_hooks, "active", list)

COUNT = 20


def _source(count: int, version: int) -> str:
    lines = ["import dataclasses", "REGISTRY = {}", "", "def register(cls):"]
    lines += ["    REGISTRY[cls.__name__] = cls", "    return cls", ""]
    for i in range(count):
        lines += ["@register", "@dataclasses.dataclass", f"class C{i}:", f"    a: int = {version}"]
    keyword = "return" if version == 1 else "yield"
    for i in range(count):
        lines += [f"def f{i}(x):", f"    {keyword} x + {i}", ""]
    return "\n".join(lines) + "\n"


def test_a_list_holding_several_replaced_functions_holds_each_replacement(
    workspace: Workspace,
) -> None:
    """Two functions become generators in one save (each is replaced: a function's code
    cannot change kind): a callback list the session holds with both now holds both new
    functions, in order (it was left empty)."""
    name = workspace.name()
    workspace.write(f"{name}.py", "def f0(x):\n    return x\n\ndef f1(x):\n    return x\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        held = [mod.f0, mod.f1]
        workspace.write(f"{name}.py", "def f0(x):\n    yield x\n\ndef f1(x):\n    yield x\n")
        report = r.check()
    assert report.ok, str(report)
    assert held == [mod.f0, mod.f1]
    assert list(held[1](3)) == [3]


def test_a_save_redirecting_many_objects_scans_the_heap_twice(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty registered dataclasses (a default edited) and twenty functions replaced in one
    save: the registry holds the kept classes, a held list the new functions, and the heap was
    scanned for referrers at most twice (the objects, then the tuples and bound methods around
    them), not once or more per object. (The classes' fresh twins are left out of the scan
    where reference counts show nothing holds them once the registry got the kept ones back.)"""
    name = workspace.name()
    workspace.write(f"{name}.py", _source(COUNT, 1))
    scans: list[int] = []
    real = gc.get_referrers

    def counting(*objs: Any) -> list[Any]:
        scans.append(len(objs))
        return real(*objs)

    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        held = [getattr(mod, f"f{i}") for i in range(COUNT)]
        workspace.write(f"{name}.py", _source(COUNT, 2))
        monkeypatch.setattr(gc, "get_referrers", counting)
        report = r.check()
        monkeypatch.undo()
    assert report.ok, str(report)
    assert all(mod.REGISTRY[f"C{i}"] is getattr(mod, f"C{i}") for i in range(COUNT))
    assert held == [getattr(mod, f"f{i}") for i in range(COUNT)]
    assert 1 <= len(scans) <= 2 and scans[0] >= COUNT  # every object at once, then wrappers


def _counting_scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Whole-heap scans counted (``gc.get_referrers``: the number of objects asked for;
    ``gc.get_objects``: 0)."""
    scans: list[int] = []
    referrers, objects = gc.get_referrers, gc.get_objects

    def counting(*objs: Any) -> list[Any]:
        scans.append(len(objs))
        return referrers(*objs)

    def listing(*args: Any) -> list[Any]:
        scans.append(0)
        return objects(*args)

    monkeypatch.setattr(gc, "get_referrers", counting)
    monkeypatch.setattr(gc, "get_objects", listing)
    return scans


def test_a_save_of_many_modules_scans_the_heap_twice_in_all(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout that changes twelve modules, each with two registered dataclasses and two
    functions that become generators: every registry holds the kept classes, a list the
    session holds has every new function, and the heap was scanned at most twice for the
    whole save (not twice per module)."""
    names = [workspace.name() for _ in range(12)]
    for name in names:
        workspace.write(f"{name}.py", _source(2, 1))
    with hotswap.Reloader() as r:
        mods = [importlib.import_module(name) for name in names]
        held = [getattr(mod, f"f{i}") for mod in mods for i in range(2)]
        for name in names:
            workspace.write(f"{name}.py", _source(2, 2))
        scans = _counting_scans(monkeypatch)
        report = r.check()
        monkeypatch.undo()
    assert report.ok, str(report)
    assert sorted(report.reloaded) == sorted(names)
    for mod in mods:
        assert all(mod.REGISTRY[f"C{i}"] is getattr(mod, f"C{i}") for i in range(2))
        assert mod.C0().a == 2
    assert held == [getattr(mod, f"f{i}") for mod in mods for i in range(2)]
    assert list(held[-1](1)) == [2]
    assert 1 <= len(scans) <= 2 and scans[0] >= 12 * 2


def test_a_copy_a_later_module_of_the_save_made_of_a_registry_holds_the_kept_class(
    workspace: Workspace,
) -> None:
    """``b`` copies ``a``'s registry at import time; one save edits the registered class in
    ``a`` (its decorator registers the class made again) and the copy in ``b``: the copy holds
    the kept ``a.C`` once, as a fresh run's would, though its holders are redirected only
    when the save has applied."""
    a, b = workspace.name(), workspace.name()
    source_a = "REGISTRY = []\n\ndef register(cls):\n    REGISTRY.append(cls)\n    return cls\n\n"
    source_a += "@register\nclass C:\n    x = {x}\n"
    workspace.write(f"{a}.py", source_a.format(x=1))
    workspace.write(f"{b}.py", f"import {a}\n\nCOPY = list({a}.REGISTRY)\n")
    with hotswap.Reloader() as r:
        mod_a = importlib.import_module(a)
        mod_b = importlib.import_module(b)
        kept = mod_a.C
        workspace.write(f"{a}.py", source_a.format(x=2))
        workspace.write(f"{b}.py", f"import {a}\n\nCOPY = list({a}.REGISTRY) + []\n")
        report = r.check()
    assert report.ok, str(report)
    assert mod_a.C is kept and kept.x == 2
    assert [kept] == mod_a.REGISTRY
    assert [kept] == mod_b.COPY


def test_a_registry_a_metaclass_function_fills_holds_the_kept_class_for_the_save(
    workspace: Workspace,
) -> None:
    """``class C(metaclass=register)``, where the function ``register`` makes the class with
    ``type`` and registers it: nothing in the class made says that code other than its body
    ran. One save edits ``C``'s header and ``b``, which reads the registry at import time:
    ``b`` finds the kept ``a.C`` there, once, as in a fresh run."""
    a, b = workspace.name(), workspace.name()
    source_a = "REGISTRY = []\n\ndef register(*args):\n    cls = type(*args)\n"
    source_a += "    REGISTRY.append(cls)\n    return cls\n\nclass C({base}metaclass=register):\n"
    source_a += "    x = {x}\n"
    workspace.write(f"{a}.py", source_a.format(base="", x=1))
    workspace.write(f"{b}.py", f"import {a}\n\nKEPT = {a}.REGISTRY == [{a}.C]\n")
    with hotswap.Reloader() as r:
        mod_a = importlib.import_module(a)
        mod_b = importlib.import_module(b)
        kept = mod_a.C
        workspace.write(f"{a}.py", source_a.format(base="object, ", x=2))  # (the whole statement)
        workspace.write(f"{b}.py", f"import {a}\n\nKEPT = {a}.REGISTRY == [{a}.C] or None\n")
        report = r.check()
    assert report.ok, str(report)
    assert mod_a.C is kept and kept.x == 2
    assert [kept] == mod_a.REGISTRY
    assert mod_b.KEPT is True


def test_a_module_of_the_save_that_rolls_back_redirects_nothing(
    workspace: Workspace,
) -> None:
    """One save: ``a``'s function becomes a generator (applied), and ``b``'s too, but ``b``
    then fails (it replaces itself in ``sys.modules``) and rolls back: a list the session
    holds gets ``a``'s new function and keeps ``b``'s old one, which still returns."""
    a, b = workspace.name(), workspace.name()
    for name in (a, b):
        workspace.write(f"{name}.py", "def f(x):\n    return x\n")
    with hotswap.Reloader() as r:
        mod_a, mod_b = importlib.import_module(a), importlib.import_module(b)
        held = [mod_a.f, mod_b.f]
        old_b = mod_b.f
        workspace.write(f"{a}.py", "def f(x):\n    yield x\n")
        workspace.write(
            f"{b}.py", f"import sys\n\ndef f(x):\n    yield x\n\nsys.modules[{b!r}] = sys\n"
        )
        report = r.check()
    assert report.reloaded == [a] and report.failed == [b], str(report)
    assert held[0] is mod_a.f and list(held[0](1)) == [1]
    assert held[1] is old_b and mod_b.f is old_b and held[1](1) == 1


class _Thing:
    pass


def test_referrers_of_many_objects_are_those_the_collector_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past a hundred or so objects the referrers are found by a pass over the heap with a
    set of ids (``gc.get_referrers`` compares every reference with each object in turn):
    it finds the dicts, lists and tuples that hold them, and nothing else. (The threshold
    is lowered here: ``gc.get_referrers`` of hundreds of objects in a test session's heap takes
    minutes.)"""
    monkeypatch.setattr(_redirect, "_BY_SET", 4)
    objs = tuple(_Thing() for _ in range(8))  # (tracked by the collector)
    holders: list[Any] = [
        {"x": objs[0]},
        [objs[1], objs[2]],
        (objs[3],),
    ]
    by_set = _redirect.referrers(objs)
    ours = {id(by_set), id(holders), id(objs)}
    found = {id(r) for r in by_set if id(r) not in ours and not inspect.isframe(r)}
    assert found == {id(holders[0]), id(holders[1]), id(holders[2])}


def test_a_save_replacing_hundreds_of_objects_sends_every_holder_to_the_new_one(
    workspace: Workspace,
) -> None:
    """160 registered dataclasses and 160 functions that become generators in one module:
    every registry entry is the kept class and a list the session holds has every new
    function (the holders are found by the pass with a set of ids)."""
    count = 160
    name = workspace.name()
    workspace.write(f"{name}.py", _source(count, 1))
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        held = [getattr(mod, f"f{i}") for i in range(count)]
        workspace.write(f"{name}.py", _source(count, 2))
        report = r.check()
    assert report.ok, str(report)
    assert all(mod.REGISTRY[f"C{i}"] is getattr(mod, f"C{i}") for i in range(count))
    assert held == [getattr(mod, f"f{i}") for i in range(count)]


MAKER = "def make(n):\n    def inc(x):\n        return x + n * {k}\n    return inc\n"


def test_closures_made_before_a_save_of_many_modules_run_the_new_code_after_one_scan(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closures the session made from six modules (``inc = m.make(1)``) before a save that
    edits the inner function of each: every one runs the new inner code, and the heap was
    scanned once for them all (not once per module)."""
    names = [workspace.name() for _ in range(6)]
    for name in names:
        workspace.write(f"{name}.py", MAKER.format(k=1))
    with hotswap.Reloader() as r:
        mods = [importlib.import_module(name) for name in names]
        made = [mod.make(1) for mod in mods]
        for name in names:
            workspace.write(f"{name}.py", MAKER.format(k=10))
        scans = _counting_scans(monkeypatch)
        report = r.check()
        monkeypatch.undo()
    assert report.ok and not report.warnings, str(report)
    assert [inc(1) for inc in made] == [11] * 6
    assert len(scans) == 1


def test_closures_moved_by_lines_added_above_are_found_by_a_scan_only_once(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closure the session made (``inc = m.make(1)``) keeps reporting the line its code is
    on while lines are added above ``make`` save after save. The first such save finds the
    closure with a scan of the heap; the next ones know it and scan nothing, until the
    session makes another closure (``m.make(2)``), which the next save finds by a scan."""
    name = workspace.name()

    def save(pad: int) -> None:
        workspace.write(f"{name}.py", "\n" * pad + MAKER.format(k=1))

    save(0)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        held = [mod.make(1)]
        scans = []
        for pad in (1, 2, 3):
            if pad == 3:
                held.append(mod.make(2))
            save(pad)
            counted = _counting_scans(monkeypatch)
            report = r.check()
            monkeypatch.undo()
            assert report.ok and not report.warnings, str(report)
            assert [inc.__code__.co_firstlineno for inc in held] == [pad + 2] * len(held)
            scans.append(len(counted))
    assert [inc(1) for inc in held] == [2, 3]
    assert scans == [1, 0, 1]


DECORATOR = (
    "import functools\n\n\ndef logged(f):\n    @functools.wraps(f)\n"
    "    def wrapper(*args):\n        return f(*args) + 1\n    return wrapper\n"
)


@pytest.mark.parametrize("also_held", [False, True], ids=["in-modules", "also-in-a-list"])
def test_wrappers_a_decorator_made_move_with_it_without_a_scan(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, also_held: bool
) -> None:
    """A decorator's wrappers hold its inner function's code: a line added above the
    decorator moves that code, and every wrapper made before (on a method and a function of
    another module that imports it by name) reports the moved lines, as a fresh run's would.
    Where the modules hold them all, they are found there without a scan of the heap; a wrapper
    the session made and holds elsewhere (in a list) makes the save scan the heap once, and it
    moves too."""
    deco, user = workspace.name(), workspace.name()
    workspace.write(f"{deco}.py", DECORATOR)
    workspace.write(
        f"{user}.py",
        f"from {deco} import logged\n\n\nclass K:\n    @logged\n    def m(self):\n"
        "        return 1\n\n\n@logged\ndef g():\n    return 2\n",
    )
    with hotswap.Reloader() as r:
        decorators = importlib.import_module(deco)
        mod = importlib.import_module(user)
        held = [mod.K.__dict__["m"], mod.g]
        if also_held:
            held.append(decorators.logged(lambda: 4))  # only this list holds it
        r.check()
        workspace.write(f"{deco}.py", "# a line added above\n" + DECORATOR)
        scans = _counting_scans(monkeypatch)
        report = r.check()
        monkeypatch.undo()
    assert report.ok and not report.warnings, str(report)
    assert {w.__code__.co_firstlineno for w in held} == {6}  # (its ``@functools.wraps``)
    assert (mod.K().m(), mod.g()) == (2, 3)
    assert len(scans) == (1 if also_held else 0)


def test_classes_made_again_for_a_constant_they_read_need_no_scan(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``b``'s classes read ``a.LIMIT`` in their bodies (one plain, one whose base has an
    ``__init_subclass__`` that stores nothing): a save of ``a`` runs them again, and each is
    patched in place with the new value. Their fresh twins are held by nothing (reference
    counts say so), so the save scans the heap not once."""
    a, b = workspace.name(), workspace.name()
    workspace.write(f"{a}.py", "LIMIT = 1\n")
    source_b = f"from {a} import LIMIT\n\nclass Plain:\n    limit = LIMIT\n\n"
    source_b += "class Base:\n    def __init_subclass__(cls):\n        cls.seen = True\n\n"
    source_b += "class Hooked(Base):\n    limit = LIMIT\n    __slots__ = ('x',)\n"
    workspace.write(f"{b}.py", source_b)
    with hotswap.Reloader() as r:
        importlib.import_module(a)
        mod_b = importlib.import_module(b)
        kept = (mod_b.Plain, mod_b.Hooked)
        workspace.write(f"{a}.py", "LIMIT = 2\n")
        scans = _counting_scans(monkeypatch)
        report = r.check()
        monkeypatch.undo()
    assert report.ok, str(report)
    assert (mod_b.Plain, mod_b.Hooked) == kept
    assert (kept[0].limit, kept[1].limit, kept[1].seen) == (2, 2, True)
    assert scans == []


def test_a_class_made_again_that_its_base_stored_far_away_is_found_by_a_scan(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As above, but the base's ``__init_subclass__`` hands the class to another module,
    which keeps it in a list (out of reach of the walk near the hook): the save scans the
    heap for the fresh twin, and the list holds the kept class, once, as a fresh run's
    would."""
    a, b, c = workspace.name(), workspace.name(), workspace.name()
    workspace.write(f"{a}.py", "LIMIT = 1\n")
    workspace.write(f"{c}.py", "HELD = []\n\ndef keep(cls):\n    HELD.append(cls)\n")
    source_b = f"import {c}\nfrom {a} import LIMIT\n\nclass Base:\n"
    source_b += f"    def __init_subclass__(cls):\n        {c}.keep(cls)\n\n"
    source_b += "class Sub(Base):\n    limit = LIMIT\n"
    workspace.write(f"{b}.py", source_b)
    with hotswap.Reloader() as r:
        importlib.import_module(a)
        mod_b = importlib.import_module(b)
        mod_c = importlib.import_module(c)
        kept = mod_b.Sub
        workspace.write(f"{a}.py", "LIMIT = 2\n")
        scans = _counting_scans(monkeypatch)
        report = r.check()
        monkeypatch.undo()
    assert report.ok, str(report)
    assert mod_b.Sub is kept and kept.limit == 2
    assert len(mod_c.HELD) == 1 and mod_c.HELD[0] is kept
    assert len(scans) >= 1
