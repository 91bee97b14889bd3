"""A change reaches an importer along every path of the import graph, not only the first."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace
from hotswap._engine import affected, uses


def test_a_value_computed_through_a_second_path_is_computed_again(
    workspace: Workspace,
) -> None:
    """``b`` imports ``f`` from ``a`` and ``g`` (which calls ``f``) from ``c``; ``j`` computes
    ``H = h()`` (``h`` calls ``g``) and ``K = k()`` (``k`` calls ``f``) from ``b``. After
    ``f``'s body changes, both are what a fresh run computes: ``b`` reaches ``j`` first with
    ``k`` and then, through ``c``, with ``h``."""
    a, b, c, j = (workspace.name() for _ in range(4))
    workspace.write(f"{a}.py", "def f():\n    return 1\n")
    workspace.write(f"{c}.py", f"from {a} import f\ndef g():\n    return f()\n")
    workspace.write(
        f"{b}.py",
        f"from {a} import f\nfrom {c} import g\n"
        "def h():\n    return g()\ndef k():\n    return f()\n",
    )
    workspace.write(f"{j}.py", f"from {b} import h, k\nH = h()\nK = k()\nRUNS = [1]\n")
    with hotswap.Reloader() as r:
        mod_j = importlib.import_module(j)
        runs = mod_j.RUNS
        r.check()
        workspace.write(f"{a}.py", "def f():\n    return 2\n")
        report = r.check()
    assert report.ok, report
    assert (mod_j.H, mod_j.K) == (2, 2)
    assert mod_j.RUNS is runs  # what reads nothing that changed did not run again


def test_a_module_nothing_imports_runs_once_for_a_save_of_the_modules_it_reads(
    workspace: Workspace,
) -> None:
    """A script-like module that no module imports computes ``V`` at import time from ``a``
    and ``b``, which change in one save (a branch checkout): its statements run once, after
    both applied, and compute what a fresh run does; not once per module with one new and
    one old value."""
    log, a, b, leaf = (workspace.name() for _ in range(4))
    workspace.write(f"{log}.py", "RUNS = []\n")
    workspace.write(f"{a}.py", "def f():\n    return 1\n")
    workspace.write(f"{b}.py", "def g():\n    return 10\n")
    workspace.write(
        f"{leaf}.py",
        f"import {log}\nfrom {a} import f\nfrom {b} import g\n"
        f"V = f() + g()\n{log}.RUNS.append(V)\n",
    )
    with hotswap.Reloader() as r:
        mod = importlib.import_module(leaf)
        runs = importlib.import_module(log).RUNS
        r.check()
        workspace.write(f"{a}.py", "def f():\n    return 2\n")
        workspace.write(f"{b}.py", "def g():\n    return 20\n")
        report = r.check()
    assert report.ok, str(report)
    assert mod.V == 22
    assert runs == [11, 22]


def test_a_function_that_never_ran_is_not_followed_until_it_runs(
    workspace: Workspace,
) -> None:
    """A helper that nothing called yet (an error-message formatter) is edited: only its module
    reloads, its importers run nothing (they computed nothing with it). Once a cached function
    of an importer has called it, the next edit reaches that cache as it would have from the
    start: the cached result is the one the new helper gives."""
    helpers, user = workspace.name(), workspace.name()
    workspace.write(f"{helpers}.py", "def fmt(x):\n    return 'v1'\n")
    workspace.write(
        f"{user}.py",
        f"import functools\nfrom {helpers} import fmt\nRUNS = []\nRUNS.append(1)\n"
        "@functools.lru_cache(maxsize=None)\ndef cached():\n    return fmt(0)\n",
    )
    with hotswap.Reloader() as r:
        mod = importlib.import_module(user)
        r.check()
        for version in (2, 3):  # never called: nothing to follow, however often it changes
            workspace.write(f"{helpers}.py", f"def fmt(x):\n    return 'v{version}'\n")
            report = r.check()
            assert report.ok and report.reloaded == [helpers], report
            if uses.CALLS_TOLD:  # (3.12 cannot tell a call of ``return 'v1'``: it follows)
                assert user not in affected._KEPT  # the importer's code was not looked at
        assert mod.cached() == "v3"  # now it ran, and a result of it is held
        workspace.write(f"{helpers}.py", "def fmt(x):\n    return 'v4'\n")
        report = r.check()
        assert report.ok, report
    assert mod.cached() == "v4" and mod.RUNS == [1]


def test_a_function_shadowing_its_submodule_does_not_carry_the_submodule_changes(
    workspace: Workspace,
) -> None:
    """``p/u/__init__.py`` does ``from .tools import tools``: ``p.u.tools`` is the function,
    not the submodule, and ``p`` re-exports it (``from .u import tools``), as sympy does with
    ``lambdify``. A change of ``f``, which the submodule calls at import, is computed again
    there (``G = f()``) and reaches the code that reads ``a.f`` (``V = a.f()``), but not the
    modules that merely ``import p``: ``p.tools.G`` names nothing, and their code is not
    looked at."""
    a, p, k, j = (workspace.name() for _ in range(4))
    workspace.write(f"{a}.py", "def f():\n    return 1\n")
    workspace.write(
        f"{p}/u/tools.py", f"from {a} import f\nG = f()\n\ndef tools():\n    return 0\n"
    )
    workspace.write(f"{p}/u/__init__.py", "from .tools import tools\n")
    workspace.write(f"{p}/__init__.py", "from .u import tools\n")
    workspace.write(f"{k}.py", f"import {a}\nV = {a}.f()\n")
    workspace.write(f"{j}.py", f"import {p}\n\ndef use():\n    return {p}.tools()\n")
    with hotswap.Reloader() as r:
        mod_k, mod_j = importlib.import_module(k), importlib.import_module(j)
        tools = importlib.import_module(f"{p}.u.tools")
        assert (mod_k.V, tools.G, mod_j.use()) == (1, 1, 0)
        r.check()
        workspace.write(f"{a}.py", "def f():\n    return 2\n")
        report = r.check()
    assert report.ok, report
    assert (mod_k.V, tools.G, mod_j.use()) == (2, 2, 0)
    assert j not in affected._KEPT  # nothing it holds changed: its code was not looked at


def test_a_name_reached_through_two_paths_is_followed_on_each(
    workspace: Workspace,
) -> None:
    """``k`` imports package ``p`` whose ``tools`` is a function that calls ``f`` and was
    imported from ``p.u``, which took it from ``p.u.tools``, a submodule of the same name.
    Along one path the change of ``f`` reaches ``p`` as ``tools.f`` (through the name of the
    submodule), along the other as ``tools``: ``W = p.tools()`` is computed again, as a fresh
    run computes it."""
    a, p, k = (workspace.name() for _ in range(3))
    workspace.write(f"{a}.py", "def f():\n    return 1\n")
    workspace.write(f"{p}/u/tools.py", f"from {a} import f\ndef tools():\n    return f()\n")
    workspace.write(f"{p}/u/__init__.py", "from .tools import tools\n")
    workspace.write(f"{p}/__init__.py", "from .u import tools\n")
    workspace.write(f"{k}.py", f"import {p}\nW = {p}.tools()\n")
    with hotswap.Reloader() as r:
        mod_k = importlib.import_module(k)
        assert mod_k.W == 1
        r.check()
        workspace.write(f"{a}.py", "def f():\n    return 2\n")
        report = r.check()
    assert report.ok, report
    assert mod_k.W == 2


def test_a_class_whose_imported_metaclass_changed_its_call_is_called_again(
    workspace: Workspace,
) -> None:
    """``m`` makes ``A`` with a metaclass it imports from ``base``; ``user`` computes
    ``X = A()`` at import time. After ``Meta.__call__`` changes in ``base``, ``X`` is what a
    fresh run computes: calling ``A`` behaves differently, though no code of ``m`` names
    ``Meta`` (only its class statement does)."""
    base, m, user = (workspace.name() for _ in range(3))
    workspace.write(
        f"{base}.py",
        "class Meta(type):\n    def __call__(cls):\n        return 1\n",
    )
    workspace.write(f"{m}.py", f"from {base} import Meta\nclass A(metaclass=Meta):\n    pass\n")
    workspace.write(f"{user}.py", f"from {m} import A\nX = A()\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(user)
        r.check()
        workspace.write(
            f"{base}.py",
            "class Meta(type):\n    def __call__(cls):\n        return 2\n",
        )
        report = r.check()
    assert report.ok, report
    assert mod.X == 2


def test_a_dotted_name_reaches_only_code_that_names_each_of_its_parts() -> None:
    """The prefilter of ``affected_functions``: ``pkg.K.m`` changed reaches a module that does
    ``import pkg`` only where its code names ``K`` and ``m`` too; ``K.m`` reaches a class of
    the module that derives from ``K`` though none of its code names ``m``."""
    import types

    code = (
        "import os\ndef f():\n    return os.getcwd()\n"
        "class K:\n    pass\nclass L(K):\n    pass\n"
    )
    module = types.ModuleType("hs_reaches")
    exec(compile(code, "hs_reaches.py", "exec"), module.__dict__)
    for _ in range(3):
        module.f()  # (code that never ran is not followed)
    analysis = affected.Analysis(module.__dict__, "hs_reaches")
    assert analysis.reaches("os.getcwd")
    assert not analysis.reaches("os.path.join")  # ``path``, ``join``: never named
    assert not analysis.reaches("sys.path")
    assert analysis.reaches("K.m")  # L inherits it
    seeds = {"os.path.join"}
    assert affected.affected_functions(module.__dict__, "hs_reaches", seeds, analysis) == seeds
    assert analysis._index is None  # nothing reached: the module's index was not built
    found = affected.affected_functions(module.__dict__, "hs_reaches", {"os.getcwd"}, analysis)
    assert found == {"os.getcwd", "f"}


def _three_modules(
    workspace: Workspace, base: str, middle: str, user: str
) -> tuple[str, str, str]:
    names = tuple(workspace.name() for _ in range(3))
    for name, text in zip(names, (base, middle, user), strict=True):
        workspace.write(f"{name}.py", text.format(*names))
    return names  # type: ignore[return-value]


def _after_edit(workspace: Workspace, names: tuple[str, str, str], edited: str) -> object:
    with hotswap.Reloader() as r:
        user = importlib.import_module(names[2])
        r.check()
        workspace.write(f"{names[0]}.py", edited.format(*names))
        report = r.check()
    assert report.ok, report
    return user


def test_a_class_attribute_read_at_import_elsewhere_follows_its_class_body(
    workspace: Workspace,
) -> None:
    """``LIMIT`` changes in ``base``; ``middle``'s ``class K: X = LIMIT`` runs again (``K``
    is patched in place); ``user`` computed ``Y = K.X`` at import: it is 2, as in a fresh
    run, not the 1 it read before."""
    names = _three_modules(
        workspace,
        "LIMIT = 1\n",
        "from {0} import LIMIT\nclass K:\n    X = LIMIT\n",
        "from {1} import K\nY = K.X\n",
    )
    user = _after_edit(workspace, names, "LIMIT = 2\n")
    assert user.Y == 2  # type: ignore[attr-defined]


def test_an_attribute_a_changed_decorator_sets_is_read_again_by_importers(
    workspace: Workspace,
) -> None:
    """``base``'s decorator sets ``fn.tag``; its edit sets another value, ``middle``'s
    ``@deco def g`` runs again and ``g`` (kept) gets the new tag; ``user``'s ``Y = g.tag``,
    computed at import, is the new one."""
    names = _three_modules(
        workspace,
        "def deco(fn):\n    fn.tag = 1\n    return fn\n",
        "from {0} import deco\n@deco\ndef g():\n    pass\n",
        "from {1} import g\nY = g.tag\n",
    )
    user = _after_edit(workspace, names, "def deco(fn):\n    fn.tag = 2\n    return fn\n")
    assert user.Y == 2  # type: ignore[attr-defined]


def test_an_attribute_inherited_from_a_changed_base_is_read_again_through_a_subclass(
    workspace: Workspace,
) -> None:
    """``middle`` derives ``K`` from ``base.B``; ``B.V`` changes; ``user`` computed
    ``Y = K.V`` at import (inherited): it is the new value."""
    names = _three_modules(
        workspace,
        "class B:\n    V = 1\n",
        "from {0} import B\nclass K(B):\n    pass\n",
        "from {1} import K\nY = K.V\n",
    )
    user = _after_edit(workspace, names, "class B:\n    V = 2\n")
    assert user.Y == 2  # type: ignore[attr-defined]


def test_a_classmethod_called_at_import_elsewhere_runs_again_after_its_edit(
    workspace: Workspace,
) -> None:
    """``base``'s ``Settings.from_env`` is edited; ``user`` computed
    ``SETTINGS = Settings.from_env()`` at import: it holds what the new code returns, as in a
    fresh run. (A method called at import in its own module ran again before too.)"""
    names = _three_modules(
        workspace,
        "class Settings:\n    @classmethod\n    def from_env(cls):\n        return 1\n",
        "X = 0\n",
        "from {0} import Settings\nSETTINGS = Settings.from_env()\n",
    )
    user = _after_edit(
        workspace,
        names,
        "class Settings:\n    @classmethod\n    def from_env(cls):\n        return 2\n",
    )
    assert user.SETTINGS == 2  # type: ignore[attr-defined]


def test_a_method_called_through_a_module_alias_at_import_runs_again(
    workspace: Workspace,
) -> None:
    """``import base`` then ``Y = base.K.v(None)``: the edited method is found through the
    module's name too."""
    names = _three_modules(
        workspace,
        "class K:\n    def v(self):\n        return 1\n",
        "X = 0\n",
        "import {0}\nY = {0}.K.v(None)\n",
    )
    user = _after_edit(workspace, names, "class K:\n    def v(self):\n        return 2\n")
    assert user.Y == 2  # type: ignore[attr-defined]


def test_an_enum_value_read_at_import_elsewhere_follows_its_edit(workspace: Workspace) -> None:
    """``E.A = 1`` becomes ``2`` (the member is kept, its value changes); ``middle`` computed
    ``V = E.A.value`` at import, ``user`` read ``middle.V``: both are 2."""
    names = _three_modules(
        workspace,
        "import enum\nclass E(enum.Enum):\n    A = 1\n",
        "from {0} import E\nV = E.A.value\n",
        "import {1}\nY = {1}.V\n",
    )
    user = _after_edit(workspace, names, "import enum\nclass E(enum.Enum):\n    A = 2\n")
    assert user.Y == 2  # type: ignore[attr-defined]


def test_a_rebound_class_attribute_reaches_through_a_module_that_re_exports_the_class(
    workspace: Workspace,
) -> None:
    """``middle`` only re-exports ``K`` (``from base import K``); ``user`` took ``K`` from it
    and computed ``Y = K.X``; ``K.X`` changes in ``base``: ``Y`` follows, as it would for a
    function re-exported the same way."""
    names = _three_modules(
        workspace,
        "class K:\n    X = 1\n",
        "from {0} import K\n",
        "from {1} import K\nY = K.X\n",
    )
    user = _after_edit(workspace, names, "class K:\n    X = 2\n")
    assert user.Y == 2  # type: ignore[attr-defined]
