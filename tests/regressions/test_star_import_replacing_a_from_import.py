"""Replacing ``from a import K`` by ``from a import *`` must leave ``K`` bound (the star import
binds it), as a fresh run has it.

Seen by the fuzzer: ``fzb`` went from ``from fza import K2`` to ``from fza import *``; the
report said "removed K2" and ``fzb.C8(3)``, which returns ``K2``, raised ``NameError`` (fresh: 0).
The name was bound by the old source's explicit import only, so it was counted as removed and
deleted after the star import had bound it again."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_a_name_now_bound_by_a_star_import_stays(workspace: Workspace) -> None:
    """``b.K`` is still there and ``b.f()`` returns it."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "K = 3\n\n\ndef other():\n    return 0\n")
    workspace.write(f"{b}.py", f"from {a} import K\n\n\ndef f():\n    return K\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(b)
        workspace.write(f"{b}.py", f"from {a} import *\n\n\ndef f():\n    return K\n")
        assert r.check().ok
    assert mod.f() == 3
    assert "other" in vars(mod)
