"""Redirecting references in one save: every holder follows, with two heap scans in all.

When a reload cannot keep an object (a function that became a generator is replaced) or a
re-run decorator registered a fresh class where the kept one belongs, the holders of the
object are found with ``gc.get_referrers`` and pointed at the right one. A scan walks the
whole heap: one per object made a long session's checkpoint take 49.8 s (attrs' history); a
save now gathers its objects and scans once for them and once for the tuples and bound
methods around them.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any

import pytest
from tests.conftest import Workspace

import hotswap

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
    scanned for referrers twice (the objects, then the tuples and bound methods around them), not
    once or more per object."""
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
    assert len(scans) == 2 and scans[0] >= 2 * COUNT  # every object at once, then wrappers
