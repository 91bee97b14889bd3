"""A name that leaves a module's star exports must stay in an importer that binds it itself.

Seen by the fuzzer: ``fzb`` has both ``import functools`` and ``from fza import *``. When
``fza`` stopped importing ``functools``, hotswap deleted ``functools`` from ``fzb`` too (it was
the same object ``fza`` had exported), then re-ran ``fzb``'s ``@functools.lru_cache`` function,
which failed with ``NameError: name 'functools' is not defined``: a good save reported as a
failure. A fresh run of ``fzb`` has ``functools`` from its own import."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace


def test_an_importer_keeps_its_own_import_when_the_star_export_goes(workspace: Workspace) -> None:
    """``b`` keeps ``functools``; the save is ok; ``b.f`` still works."""
    a, b = workspace.name("a"), workspace.name("b")
    workspace.write(f"{a}.py", "import functools\n\n\ndef g():\n    return 1\n")
    user = (
        f"import functools\nfrom {a} import *\n\n\n"
        "@functools.lru_cache(maxsize=None)\ndef f():\n    return g() + 1\n"
    )
    workspace.write(f"{b}.py", user)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(b)
        workspace.write(f"{a}.py", "def g():\n    return 5\n")
        report = r.check()
    assert report.ok, report.errors
    assert "functools" in vars(mod)
    assert mod.f() == 6
