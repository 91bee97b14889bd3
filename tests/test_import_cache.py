"""Importing with hotswap on runs at native speed: cached bytecode is used, and hotswap still
knows exactly what each module executes (the import hook and the importer index, issue 11)."""

from __future__ import annotations

import ast
import importlib
import json
import os
import py_compile
import sys
import time
from pathlib import Path

import pytest

import hotswap
from conftest import Workspace
from hotswap._detect.imports import scan
from hotswap._detect.reads import import_time_binds, import_time_reads
from hotswap._detect.tracker import TRACKER
from hotswap._engine.parsing import parse
from hotswap._engine.plan import from_imports, module_aliases


def _old_with_cache(path: Path, age_s: int = 60) -> None:
    """Make ``path`` look like a file of a project last edited a while ago, with its
    ``__pycache__`` entry written (as the first import of a project leaves it)."""
    stamp = time.time_ns() - age_s * 1_000_000_000
    os.utime(path, ns=(stamp, stamp))
    py_compile.compile(str(path), doraise=True)


def _loads(value: int) -> str:
    """A module whose import-time code leaves a trace (``LOADS``), and ``f`` returning
    ``value``: a reload that ran more than ``f`` shows in ``LOADS``."""
    return f"LOADS = []\nLOADS.append(1)\ndef f():\n    return {value}\n"


def _save_after_import(
    r: hotswap.Reloader, workspace: Workspace, relpath: str, text: str
) -> hotswap.Report:
    """The session's first cell after the imports, the background reader done, then a save and
    the next cell: its report."""
    r.check()
    TRACKER.baselines_read(30)
    workspace.write(relpath, text)
    return r.check()


def test_a_module_run_from_cached_bytecode_reloads_only_what_changed(
    workspace: Workspace,
) -> None:
    """A project imported from its ``__pycache__`` (no recompiling): the first edit after the
    import patches the edited function, and the state made at import time stays."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", _loads(1))
    _old_with_cache(path)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        edited = _loads(2)
        report = _save_after_import(r, workspace, f"{name}.py", edited)
    assert report.ok, report
    assert mod.f() == 2
    assert mod.LOADS == [1]  # nothing but f ran: the cached module's baseline was known
    assert [(c.qualname, c.action) for c in report.changes] == [("f", "patched")]


def test_a_save_before_the_baseline_is_read_is_not_taken_for_it(workspace: Workspace) -> None:
    """Imported from cached bytecode, then saved before hotswap read the file: the save is an
    edit (applied), never the baseline (which would leave the old code running)."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    _old_with_cache(path)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        workspace.write(f"{name}.py", "def f():\n    return 2\n")
        report = r.check()
    assert report.ok, report
    assert mod.f() == 2


def test_a_cache_that_looks_valid_for_a_file_saved_just_now_is_not_trusted(
    workspace: Workspace,
) -> None:
    """Python validates cached bytecode by whole-second mtime and size, so a second save of
    the same size within the same second leaves a stale cache looking valid. hotswap compiles
    such a file from its bytes: what runs is what is on disk (and what hotswap records)."""
    name = workspace.name()
    path = workspace.root / f"{name}.py"
    path.write_text("def f():\n    return 1\n")
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))
    py_compile.compile(str(path), doraise=True)
    path.write_text("def f():\n    return 2\n")  # same size
    os.utime(path, ns=(stamp, stamp))  # same mtime
    with hotswap.Reloader():
        mod = importlib.import_module(name)
    assert mod.f() == 2


def test_an_importer_that_reads_a_value_only_in_functions_follows_without_a_parse(
    workspace: Workspace,
) -> None:
    """``from a import X`` read only inside functions: when X changes, the importer's binding
    follows and its functions see the new value; nothing of it re-runs and it is not parsed."""
    a, b = workspace.name(), workspace.name()
    pa = workspace.write(f"{a}.py", "X = 1\n")
    pb = workspace.write(f"{b}.py", f"from {a} import X\nCALLS = []\ndef g():\n    return X\n")
    _old_with_cache(pa)
    _old_with_cache(pb)
    with hotswap.Reloader() as r:
        mod_b = importlib.import_module(b)
        report = _save_after_import(r, workspace, f"{a}.py", "X = 2\n")
        record = TRACKER.records[b]
        assert record.parsed is None
    assert report.ok, report
    assert mod_b.X == 2 and mod_b.g() == 2


def test_an_importer_that_reads_a_value_at_import_time_re_runs_what_reads_it(
    workspace: Workspace,
) -> None:
    """``from a import X`` then ``Y = X + 1`` at import time: Y follows, as a fresh run."""
    a, b = workspace.name(), workspace.name()
    pa = workspace.write(f"{a}.py", "X = 1\n")
    pb = workspace.write(f"{b}.py", f"from {a} import X\nY = X + 1\n")
    _old_with_cache(pa)
    _old_with_cache(pb)
    with hotswap.Reloader() as r:
        mod_b = importlib.import_module(b)
        r.check()
        workspace.write(f"{a}.py", "X = 10\n")
        report = r.check()
    assert report.ok, report
    assert mod_b.Y == 11


TRICKY = '''\
"""Docs mention from nowhere import thing, which is no import."""
from __future__ import annotations
import os, sys as system
import a.b.c
import a.b.d as d
from . import sibling
from .. import cousin as c2
from .pkg.mod import (
    one,   # a comment with ) in it
    two as deux,
)
from x.y import \\
    z
from  spaced . module  import  w
try: from opt import maybe
except ImportError: maybe = None
if system: import late; from late2 import lt
class K:
    from inside import ignored_by_parse
def f():
    from infunc import local
from star import *
'''


def test_the_import_scan_finds_every_import_a_parse_finds() -> None:
    """The importer index is made from a scan of the text, not a parse: it must find at least
    every top-level import the parse finds, however it is written."""
    for importer, package in (("p.q.m", False), ("p.q", True)):
        parsed = parse(TRICKY, "<tricky>")
        found = scan(TRICKY, importer, package)
        want = {(i.source, i.name, i.alias) for i in from_imports(parsed, importer, package)}
        assert want <= set(found.from_items())
        aliases = found.aliases()
        for alias, module in module_aliases(parsed, importer, package).items():
            assert aliases.get(alias) == module, alias


def test_the_import_scan_skips_doctests_and_commented_imports_without_losing_one() -> None:
    """A doctest's ``>>> from a import b`` is not an import of the module (taken for one, it
    made an import cycle of two sympy modules, and a propagation ran one of them once per
    module it imports); a commented-out import whose parenthesis is never closed must not hide
    the real import after it (the scan's match ran to that one's ``)``)."""
    text = (
        '"""Use it so:\n\n    >>> from docs.only import example\n"""\n'
        "# from old.place import (gone,\n"
        "#                        also_gone)\n"
        "from real.place import (\n    kept,\n    also_kept,\n)\n"
        "if True: from guarded import g\n"
        "import a; from semi import s\n"
        "def f():\n    from inner import i\n"
    )
    found = {(source, name) for source, name, _alias in scan(text, "m", False).from_items()}
    assert found == {
        ("real.place", "kept"), ("real.place", "also_kept"), ("guarded", "g"),
        ("semi", "s"), ("inner", "i"),
    }  # fmt: skip


def test_import_time_reads_cover_what_a_parse_says_runs_at_import() -> None:
    """The names read at import time, read off the code object, include every name the parse
    says a top-level statement reads (decorators, defaults, bases, class bodies), and not the
    names only function bodies read."""
    source = (
        "import functools\n"
        "from m import A, B, C, D, E\n"
        "@functools.cache\n"
        "def f(x=A):\n"
        "    return E\n"
        "class K(B):\n"
        "    V = C + 1\n"
        "    def g(self):\n"
        "        return E\n"
        "Y = [D for _ in range(2)]\n"
    )
    reads = import_time_reads(compile(source, "<m>", "exec")).names
    assert {"functools", "A", "B", "C", "D"} <= reads
    assert "E" not in reads
    parsed = parse(source, "<m>")
    roots = {n.partition(".")[0] for n in parsed.all_reads}
    assert roots - {"_"} <= reads | {n for n in dir(__builtins__)}


@pytest.mark.parametrize("root", [os.path.dirname(ast.__file__) + "/json"])
def test_the_import_scan_agrees_with_the_parse_on_real_modules(root: str) -> None:
    """(On real code: the standard library's json package.)"""
    for file in sorted(Path(root).glob("*.py")):
        text = file.read_text(encoding="utf-8")
        importer = "json" if file.name == "__init__.py" else f"json.{file.stem}"
        package = file.name == "__init__.py"
        parsed = parse(text, str(file))
        found = set(scan(text, importer, package).from_items())
        want = {(i.source, i.name, i.alias) for i in from_imports(parsed, importer, package)}
        assert want <= found, file
        code = compile(text, str(file), "exec")
        reads = import_time_reads(code).names
        assert {n.partition(".")[0] for n in parsed.all_reads} <= reads | set(dir(sys)), file


def _project(workspace: Workspace, files: dict[str, str]) -> dict[str, str]:
    """Write modules named by their keys (unique names substituted for ``{a}``, ``{b}``...)
    as an old project with cached bytecode; return the names."""
    names = {key: workspace.name() for key in files}
    for key, text in files.items():
        path = workspace.write(f"{names[key]}.py", text.format(**names))
        _old_with_cache(path)
    return names


def test_a_subclass_is_not_made_again_when_a_method_of_its_base_changes_behaviour(
    workspace: Workspace,
) -> None:
    """``class D(B)`` elsewhere, and a helper that only B's methods call is edited: making D
    runs no code of B's but ``__init_subclass__``, so D is not made again (its registration
    stays single) and D's instances use the new helper."""
    files = {
        "a": "def h():\n    return 1\n",
        "b": (
            "from {a} import h\nMADE = []\n"
            "class B:\n"
            "    def __init_subclass__(cls):\n        MADE.append(cls.__name__)\n"
            "    def m(self):\n        return h()\n"
        ),
        "c": "from {b} import B\nclass D(B):\n    pass\n",
    }
    names = _project(workspace, files)
    with hotswap.Reloader() as r:
        b = importlib.import_module(names["b"])
        c = importlib.import_module(names["c"])
        report = _save_after_import(r, workspace, f"{names['a']}.py", "def h():\n    return 2\n")
    assert report.ok, report
    assert c.D().m() == 2
    assert b.MADE == ["D"]


def test_a_subclass_is_made_again_when_init_subclass_of_its_base_changes_behaviour(
    workspace: Workspace,
) -> None:
    """``B.__init_subclass__`` calls the edited helper: a fresh run makes ``D`` with the new
    helper's result, and so does the session."""
    files = {
        "a": "def h():\n    return 1\n",
        "b": (
            "from {a} import h\n"
            "class B:\n"
            "    def __init_subclass__(cls):\n        cls.TAG = h()\n"
        ),
        "c": "from {b} import B\nclass D(B):\n    pass\n",
    }
    names = _project(workspace, files)
    with hotswap.Reloader() as r:
        c = importlib.import_module(names["c"])
        report = _save_after_import(r, workspace, f"{names['a']}.py", "def h():\n    return 2\n")
    assert report.ok, report
    assert c.D.TAG == 2


def test_import_time_reads_tell_calls_from_values() -> None:
    """Annotations, arguments, stored values and plain bases are not calls; calls, method
    calls, decorators and metaclasses are."""
    source = (
        "import functools\n"
        "from m import A, B, C, D, E, F, G, M, N, deco\n"
        "@deco\n"
        "def f(x: A = B, *, k=C) -> A:\n"
        "    pass\n"
        "class K(D):\n"
        "    pass\n"
        "class L(D, metaclass=M):\n"
        "    pass\n"
        "Y = E()\n"
        "Z = F.build(G)\n"
        "W = functools.partial(print, N)\n"
    )
    reads = import_time_reads(compile(source, "<m>", "exec"))
    assert {"deco", "E", "F.build", "M", "functools.partial"} <= reads.called
    assert not {"A", "B", "C", "G", "N"} & reads.called
    assert "D" in reads.bases


def test_an_object_made_at_import_is_kept_when_only_its_methods_behave_differently(
    workspace: Workspace,
) -> None:
    """``HANDLER = Handler()`` in an importer, where only ``Handler.__call__`` calls the edited
    helper: making a Handler computes the same as before, so the object (and whatever holds
    it) is kept, and calling it runs the new helper."""
    files = {
        "a": "def h():\n    return 1\n",
        "b": (
            "from {a} import h\n"
            "class Handler:\n"
            "    def __call__(self):\n        return h()\n"
        ),
        "c": "from {b} import Handler\nHANDLER = Handler()\nHELD = [HANDLER]\n",
    }
    names = _project(workspace, files)
    with hotswap.Reloader() as r:
        c = importlib.import_module(names["c"])
        held = c.HANDLER
        report = _save_after_import(r, workspace, f"{names['a']}.py", "def h():\n    return 2\n")
    assert report.ok, report
    assert c.HANDLER is held and [held] == c.HELD
    assert c.HANDLER() == 2


def test_a_checkout_right_after_the_import_removes_what_it_removed(
    workspace: Workspace,
) -> None:
    """Imported from cached bytecode, then a checkout rewrites the file at once (dated in the
    past, as some tools do) without one of its functions, before hotswap read the source it
    ran: the function goes, as in a fresh run (what the module's cached code bound is known
    from its code object)."""
    name = workspace.name()
    source = "def kept():\n    return 1\n\n\ndef legacy():\n    return 0\n"
    path = workspace.write(f"{name}.py", source)
    _old_with_cache(path)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        path.write_text("def kept():\n    return 2\n")
        past = time.time_ns() - 3600 * 1_000_000_000
        os.utime(path, ns=(past, past))
        report = r.check()
    assert report.ok, report
    assert mod.kept() == 2
    assert not hasattr(mod, "legacy")


def test_importing_from_cached_bytecode_reads_no_source(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import that Python serves from ``__pycache__`` reads no source file while it runs
    (reading every source was a quarter of a project's import): the source is read later, and
    the first edit is still applied as an edit of exactly what ran."""
    from hotswap._detect import capture

    reads: list[str] = []
    real_read = capture.read_file
    monkeypatch.setattr(capture, "read_file", lambda path: reads.append(path) or real_read(path))
    name = workspace.name()
    path = workspace.write(f"{name}.py", _loads(1))
    _old_with_cache(path)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert reads == []
        edited = _loads(2)
        report = _save_after_import(r, workspace, f"{name}.py", edited)
    assert report.ok, report
    assert (mod.f(), mod.LOADS) == (2, [1])
    assert [(c.qualname, c.action) for c in report.changes] == [("f", "patched")]


def test_an_edit_made_after_the_import_before_the_next_cell_is_applied_as_an_edit(
    workspace: Workspace,
) -> None:
    """The usual session: a cell imports the project (from its ``__pycache__``), the person
    edits a function, then runs the next cell, the first checkpoint since the import. Only the
    edited function changes: the source the import ran was read right after the import, not
    at that checkpoint (which would find the edit, with the old text lost)."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", _loads(1))
    _old_with_cache(path)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert TRACKER.sources.read(30)
        workspace.write(f"{name}.py", _loads(2))
        report = r.check()
    assert report.ok, report
    assert (mod.f(), mod.LOADS) == (2, [1])
    assert [(c.qualname, c.action) for c in report.changes] == [("f", "patched")]


def test_a_source_lost_before_it_was_read_reloads_whole_and_keeps_what_the_user_set(
    workspace: Workspace,
) -> None:
    """Imported from cached bytecode and rewritten before hotswap read its source: the module
    runs whole from the new text (its old text is gone, so there is nothing to compare), its
    functions keep their identity, the names only its old code bound go, and what the user set
    on the module stays."""
    name = workspace.name()
    source = (
        "import os\nREGISTRY = {}\n\n\nclass Old:\n    pass\n\n\n"
        "def kept():\n    return 1\n"
    )
    path = workspace.write(f"{name}.py", source)
    _old_with_cache(path)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        kept = mod.kept
        mod.extra = "set in the session"
        path.write_text("REGISTRY = {}\n\n\ndef kept():\n    return 2\n")
        _old_with_cache(path, age_s=3600)
        report = r.check()
    assert report.ok, report
    assert kept() == 2 and mod.kept is kept
    assert not hasattr(mod, "Old") and not hasattr(mod, "os")
    assert mod.extra == "set in the session"


@pytest.mark.parametrize(
    ("source", "bound"),
    [
        ('"""Doc."""\nimport os\nimport a.b as c\nfrom x import y, z as w\n', "os c y w"),
        ("X = 1\nY: int = 2\nZ: int\nA, (B, *C) = 1, (2, 3)\nX += 1\n", "X Y A B C"),
        ("def f():\n    global G\n    G = 1\nclass K:\n    m = 1\n", "f K"),
        ("for i in range(3):\n    pass\nwith open(p) as fh:\n    pass\n", "i fh"),
        ("try:\n    pass\nexcept E as err:\n    pass\nD = {k: 1 for k in ()}\n", "err D"),
        ("if (n := 3):\n    pass\n@deco\ndef g():\n    pass\n", "n g"),
    ],
)
def test_the_names_a_module_binds_are_read_off_its_code(source: str, bound: str) -> None:
    """What a module's top-level code binds, from its code object alone (on every supported
    Python): names stored at the top level, not a function's globals, a class's members, a
    comprehension's variables, nor the docstring."""
    assert set(import_time_binds(compile(source, "m.py", "exec"))) == set(bound.split())


@pytest.mark.parametrize("root", [os.path.dirname(json.__file__), os.path.dirname(ast.__file__)])
def test_the_names_a_module_binds_cover_its_definitions_on_real_code(root: str) -> None:
    """(On real code: the standard library.) Every function, class and import the parse says
    a module binds at its top level is among the names read off its code object."""
    checked = 0
    for path in sorted(Path(root).glob("*.py"))[:60]:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        wanted = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                wanted.add(node.name)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                wanted.update(
                    (a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"
                )
        wanted.discard("__doc__")  # (``from _csv import __doc__``: every module has one)
        found = set(import_time_binds(compile(text, str(path), "exec")))
        assert wanted <= found, (path, sorted(wanted - found))
        checked += 1
    assert checked > 3


@pytest.fixture(params=[False, True], ids=["scanned", "grouped"])
def grouping(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index as it answers for small importers (their triples scanned), and as it does for
    large ones (grouped by source once per checkpoint): every importer counts as large."""
    from hotswap._detect import imports as imports_module

    if request.param:
        monkeypatch.setattr(imports_module, "_GROUP_FROM", 0)


@pytest.mark.usefixtures("grouping")
def test_the_importer_index_answers_as_a_fresh_one_while_its_entries_change() -> None:
    """A checkout changes the imports of hundreds of modules between the queries of one save:
    after each change the index names the importers and holders a fresh index made from the
    same texts names (``from p import s`` makes ``p.s``'s importers; ``import a.b`` names
    ``a`` too), though it forgets only the answers the changed module can alter (and a large
    importer's grouping, when its own entry changes)."""
    from hotswap._detect.imports import ImportIndex

    texts = {
        "p": "",
        "p.s": "from p import t\n",
        "m": "from p import s\nimport a.b\n",
        "n": "from p.s import f, g as h\nfrom q import *\n",
    }
    changes = [
        ("m", "from p.s import f\n"),
        ("n", "import p.s as alias\nfrom p import t\n"),
        ("o", "from p import s\nfrom a.b import c\n"),
        ("m", ""),
        ("p.s", "from p import s\nimport q\n"),
        ("o", "from q import x\n"),
    ]
    sources = ["p", "p.s", "p.t", "a", "a.b", "a.b.c", "q", "m", "n", "o"]
    names = {"s", "t", "f", "g", "c", "x", "nothing"}
    live = ImportIndex()
    for name, text in texts.items():
        live.update(name, scan(text, name, name == "p"))
    for name, text in changes:
        for source in sources:  # (answers kept from before the change)
            live.importers(source)
            live.holders(source, names)
        texts[name] = text
        live.update(name, scan(text, name, name == "p"))
        fresh = ImportIndex()
        for each, body in texts.items():
            fresh.update(each, scan(body, each, each == "p"))
        for source in sources:
            assert live.importers(source) == fresh.importers(source), (name, source)
            for held in names:
                assert live.holders(source, {held}) == fresh.holders(source, {held}), source
    live.forget("o")
    del texts["o"]
    fresh = ImportIndex()
    for each, body in texts.items():
        fresh.update(each, scan(body, each, each == "p"))
    for source in sources:
        assert live.importers(source) == fresh.importers(source), source
        assert live.holders(source, names) == fresh.holders(source, names), source


@pytest.mark.usefixtures("grouping")
def test_the_importer_index_answers_what_each_importers_imports_say() -> None:
    """Who imports a name from a module, read off the index's flat lists at C speed (or, for
    a large importer, grouped by source once per propagation), is what reading each importer's
    imports one by one says, where names, aliases and module names are spelled alike
    (``from p import p``, ``from p.s import p as s``, a module named like a name it imports)."""
    from hotswap._detect.imports import ImportIndex

    texts = {
        "p": "from p import p\nfrom p.s import p as s\n",
        "p.s": "from p import t, s\nfrom p.t import p\n",
        "m": "from p import s as p\nimport p.s\nfrom q import s\n",
        "n": "from p.s import f, g as h, p\nfrom q import *\nfrom p import t as s\n",
        "o": "import p.s.t as q\nfrom s import p\nfrom p import o, t\n",
        "q": "from p.t import s\nfrom p import q\nimport p\n",
    }
    index = ImportIndex()
    for name, text in texts.items():
        index.update(name, scan(text, name, name == "p"))
    sources = ["p", "p.s", "p.t", "p.s.t", "q", "s", "m", "o", "p.o", "p.q"]
    names = ["p", "s", "t", "f", "g", "h", "o", "q", "*", "nothing"]
    for source in sources:
        parent, _dot, last = source.rpartition(".")
        for name in names:
            expected = set()
            for importer, imports in index.of.items():
                froms = imports.from_items()
                modules = imports.module_items()
                if (
                    any(src == source and n in (name, "*") for src, n, _a in froms)
                    or any(src == parent and n == last for src, n, _a in froms)
                    or any(
                        module == source or (alias == module and module.startswith(source + "."))
                        for alias, module in modules
                    )
                ):
                    expected.add(importer)
            assert index.holders(source, {name}) == expected, (source, name)
        for importer, imports in index.of.items():
            for name in names:
                said = any(src == source and n == name for src, n, _a in imports.from_items())
                assert index._names(importer, source, name) == said, (importer, source, name)
            pairs = [(n, a) for src, n, a in imports.from_items() if src == source]
            assert index.from_source(importer, source) == pairs, (importer, source)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork")
def test_a_forked_child_reads_what_its_imports_ran_from_cached_bytecode(
    workspace: Workspace,
) -> None:
    """A child forked while the parent's early reader ran (a worker pool started right after
    the imports) imports from ``__pycache__`` too: its own early reader reads those sources
    right after (else its first edit of such a module would find the old text lost). The child
    asks nothing that takes the tracker's locks (another thread may have held one at the fork)."""
    name = workspace.name()
    source = "def f():\n    return 1\n"
    _old_with_cache(workspace.write(f"{name}.py", source))
    first = workspace.name()
    _old_with_cache(workspace.write(f"{first}.py", "X = 1\n"))
    with hotswap.Reloader():
        importlib.import_module(first)  # the parent's early reader wakes (and waits)
        pid = os.fork()
        if pid == 0:  # the child: exit status 0 only if its reader read the source
            status = 1
            try:
                importlib.import_module(name)
                entry = next(e for e in TRACKER.captured if e[0] == name)
                if TRACKER.sources.read(30) and entry[3][1] == source.encode():
                    status = 0
            finally:
                os._exit(status)
        _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
