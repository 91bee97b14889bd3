"""A save of many modules (a branch checkout) and the garbage collector.

A checkpoint that applies hundreds of modules would set off CPython's full collection again
and again (33 s of a 162 s sympy checkout, 13 full collections): for a save of many modules
full collections wait until it has applied; the collector's thresholds are then as they were.
"""

from __future__ import annotations

import ast
import gc
import importlib
from collections.abc import Iterator

import pytest
from tests.conftest import Workspace

import hotswap
from hotswap._engine import batch as _batch


def _many(workspace: Workspace, source: str) -> list[str]:
    """Sixteen modules (a save of many) written with ``source``; their names."""
    names = [workspace.name() for _ in range(_batch.MANY)]
    for name in names:
        workspace.write(f"{name}.py", source)
    return names


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_the_collector_thresholds_are_as_they_were_after_a_save_of_many_modules(
    workspace: Workspace, thresholds: tuple[int, int, int]
) -> None:
    """Sixteen modules changed in one save: each applies, and the collector's thresholds
    are the session's again afterwards (full collections waited only while it applied)."""
    names = _many(workspace, "def f():\n    return 1\n")
    seen: list[tuple[int, int, int]] = []
    with hotswap.Reloader() as r:
        mods = [importlib.import_module(name) for name in names]
        for name in names[:-1]:
            workspace.write(f"{name}.py", "def f():\n    return 2\n")
        workspace.write(
            f"{names[-1]}.py", "import gc\nSEEN = gc.get_threshold()\n\ndef f():\n    return 2\n"
        )
        report = r.check()
        seen.append(mods[-1].SEEN)
    assert report.ok, str(report)
    assert [mod.f() for mod in mods] == [2] * len(mods)
    assert seen[0][2] > thresholds[2]  # (while it applied)
    assert gc.get_threshold() == thresholds


def test_thresholds_a_module_sets_while_a_save_of_many_applies_are_kept(
    workspace: Workspace, thresholds: tuple[int, int, int]
) -> None:
    """A module of a sixteen-module save sets the collector's thresholds when it runs (a
    tuning a fresh import makes too): they stay what it set."""
    names = _many(workspace, "X = 1\n")
    with hotswap.Reloader() as r:
        for name in names:
            importlib.import_module(name)
        for name in names[:-1]:
            workspace.write(f"{name}.py", "X = 2\n")
        workspace.write(f"{names[-1]}.py", "import gc\ngc.set_threshold(5000, 20, 30)\nX = 2\n")
        report = r.check()
    assert report.ok, str(report)
    assert gc.get_threshold() == (5000, 20, 30)


def test_a_module_of_a_save_of_many_is_edited_again_afterwards(workspace: Workspace) -> None:
    """After a sixteen-module save (whose parses are let go: millions of nodes for a real
    checkout), one of its modules is edited again: only the edited function is patched,
    and the module's state survives."""
    source = "STATE = []\n\ndef f():\n    return {f}\n\ndef g():\n    return {g}\n"
    names = _many(workspace, source.format(f=1, g=1))
    with hotswap.Reloader() as r:
        mods = [importlib.import_module(name) for name in names]
        state = mods[0].STATE
        for name in names:
            workspace.write(f"{name}.py", source.format(f=2, g=1))
        assert r.check().ok
        workspace.write(f"{names[0]}.py", source.format(f=2, g=3))
        report = r.check()
    assert report.ok, str(report)
    assert [(c.qualname, c.action) for c in report.changes] == [("g", "patched")]
    assert (mods[0].f(), mods[0].g()) == (2, 3)
    assert mods[0].STATE is state


def test_what_a_save_of_many_made_is_collected_as_usual_after_it(workspace: Workspace) -> None:
    """The trees a save's parses made go straight to the oldest generation (see
    ``no_collections``); nothing stays frozen, and the cyclic garbage the modules made
    meanwhile is collected by the next collection."""
    source = (
        "import weakref\n\nCOLLECTED = []\n\n"
        "class _Cycle:\n    pass\n\n_c = _Cycle()\n_c.me = _c\n"
        "weakref.finalize(_c, COLLECTED.append, {n})\ndel _c\n"
    )
    names = _many(workspace, source.format(n=0))
    gc.collect()
    frozen = gc.get_freeze_count()  # (0, but 375 tuples in a fresh CPython 3.12.1)
    with hotswap.Reloader() as r:
        mods = [importlib.import_module(name) for name in names]
        for name in names:
            workspace.write(f"{name}.py", source.format(n=1))
        report = r.check()
    assert report.ok, str(report)
    assert gc.get_freeze_count() == frozen
    gc.collect()
    assert [sorted(mod.COLLECTED) for mod in mods] == [[0, 1]] * len(mods)


def test_objects_frozen_before_a_save_of_many_stay_frozen(workspace: Workspace) -> None:
    """A program that froze its objects (``gc.freeze()`` before forking workers) keeps them
    frozen through a sixteen-module save: hotswap thaws nothing."""
    names = _many(workspace, "X = 1\n")
    with hotswap.Reloader() as r:
        for name in names:
            importlib.import_module(name)
        marker = [object()]
        gc.freeze()
        try:
            for name in names:
                workspace.write(f"{name}.py", "X = 2\n")
            report = r.check()
            assert report.ok, str(report)
            assert not any(obj is marker for obj in gc.get_objects())  # (still frozen)
        finally:
            gc.unfreeze()
    assert any(obj is marker for obj in gc.get_objects())


def test_a_parse_puts_its_tree_in_the_oldest_generation() -> None:
    """A parse's tree skips the young generations (each young collection walked it again),
    and stays visible to ``gc.get_objects()`` (heap scans find what it holds). Where objects
    were frozen before (CPython 3.12 starts with some), it is left where it is."""
    from hotswap._detect.outline import no_collections

    before = gc.get_freeze_count()
    with no_collections():
        tree = ast.parse("x = [1, 2]\n" * 50)
    if before == 0:
        assert any(obj is tree for obj in gc.get_objects(generation=2))
    assert any(obj is tree for obj in gc.get_objects())
    assert gc.get_freeze_count() == before


def test_instances_of_the_classes_a_save_replaced_are_counted_in_one_scan(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two modules saved together each change a class's ``__slots__`` (the class is replaced:
    its instances keep the old layout). Each warning counts the live instances of its old
    class, found by one heap scan at the end of the checkpoint (0.2 s each with sympy
    loaded: a branch checkout asked six times)."""
    scans: list[frozenset[type]] = []
    real = _batch.live_instances

    def counting(classes: frozenset[type]) -> list[object]:
        scans.append(classes)
        return real(classes)

    monkeypatch.setattr(_batch, "live_instances", counting)
    names = [workspace.name(), workspace.name()]
    for name in names:
        workspace.write(f"{name}.py", "class P:\n    __slots__ = ('x',)\n")
    with hotswap.Reloader() as r:
        mods = [importlib.import_module(name) for name in names]
        kept = [mods[0].P(), mods[0].P(), mods[1].P()]
        for name in names:
            workspace.write(f"{name}.py", "class P:\n    __slots__ = ('x', 'y')\n")
        report = r.check()
    assert report.ok, str(report)
    says = {w.module: w.message.split("old one ")[-1] for w in report.warnings}
    assert says == {names[0]: "(2 live instance(s))", names[1]: "(1 live instance(s))"}
    assert len(scans) == 1 and len(scans[0]) == 2
    assert [type(obj).__slots__ for obj in kept] == [("x",)] * 3
