"""The journal's rule: every undo record is written before the change it covers.

A reload interrupted anywhere (Ctrl-C, an error) must leave the module exactly as it was. The
journal promises that by writing each undo record *before* its change: an interruption between
the two finds a record whose undo is a no-op, never a change without a record. A place in the
engine that changes first and records after breaks that promise only when the interruption lands
between its two steps, which no ordinary test hits.

So the test checks the promise itself: a reload runs with a journal that applies each undo record
the moment it is written, and the module's state (a function's code, defaults and cells, a
class's members, bases, metaclass and abstract methods, a partial's arguments, what lists, dicts
and partials outside the module hold of it) must not change by that: the change the record covers
has not been made yet. A record written after its change undoes it, which the comparison shows;
a record whose undo fails is reported too. A record written after its change that reads the
changed value undoes nothing then: for the edits written here the reload is also interrupted
just before each record (:func:`cut_records`), and the rollback must leave nothing changed.
Edits: a handful written for the engine's explicit records (``functools.partial``, ABCs, bases
kept when the metaclass cannot change, redirection of a replaced function), then the corpus's
one-module edits. A change made with no record at all, which no order shows, is caught by a scan
of the engine's source (at the end).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus import ALL
from hotswap._engine import transaction as transaction_module
from hotswap._engine.journal import Journal
from hotswap._engine.parsing import parse


class _Cut(BaseException):
    """Raised instead of writing a chosen undo record (as a Ctrl-C landing there would be)."""


class _Checking(list):  # type: ignore[type-arg]
    """The undo log of a journal that applies each record as it is written (see the module
    docstring): ``check`` says what applying it changed. Or, with ``cut`` set, that raises
    instead of writing the n-th record of a kind (see :func:`cut_records`)."""

    check: Callable[[Any], None] | None = None
    cut: tuple[str, int] | None = None
    kinds: list[str] = []

    def append(self, item: Any) -> None:
        if _Checking.cut is not None:
            kind = _kind(item)
            _Checking.kinds.append(kind)
            if _Checking.cut == (kind, _Checking.kinds.count(kind)):
                _Checking.cut = None
                raise _Cut(kind)
        super().append(item)
        if _Checking.check is not None and not isinstance(item, types.FunctionType):
            # (A function is a moved one, half of the shared moved-code record: its code is
            # appended next, to the other list; the source scan below covers that record.)
            _Checking.check(item)


class _CheckingJournal(Journal):
    _records = _Checking


# -- what the module holds, deeply enough to see any change the engine makes -----------------

_FUNCTION_FIELDS = (
    "__code__", "__defaults__", "__kwdefaults__", "__doc__", "__name__", "__qualname__",
    "__annotations__", "__module__",
)


def _state(roots: dict[str, Any], owner: str) -> dict[str, Any]:
    """What ``roots`` hold, by path: identities, and inside the functions and classes of the
    module named ``owner``, containers and wrappers, what the engine may change."""
    state = _State(owner)
    for name, value in list(roots.items()):
        if name != "__builtins__":
            state.visit(name, value, 0)
    state.out["<sys.modules>"] = id(sys.modules.get(owner))
    return state.out


class _State:
    """The walk of :func:`_state`: one method per kind of object it looks inside."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.out: dict[str, Any] = {}
        self.seen: set[int] = set()

    def visit(self, key: str, value: Any, depth: int) -> None:
        self.out[key] = _ident(value)
        if depth > 4 or id(value) in self.seen:
            return
        self.seen.add(id(value))
        if isinstance(value, types.FunctionType):
            self._function(key, value, depth)
        elif isinstance(value, type):
            self._class(key, value, depth)
        elif type(value) in (dict, list, set, tuple):
            self._container(key, value, depth)
        else:
            self._wrapper(key, value, depth)

    def _function(self, key: str, value: types.FunctionType, depth: int) -> None:
        if value.__module__ != self.owner:
            return
        for attr in _FUNCTION_FIELDS:
            self.out[f"{key}.{attr}"] = _ident(getattr(value, attr, None))
        for index, cell in enumerate(value.__closure__ or ()):
            with contextlib.suppress(ValueError):
                self.visit(f"{key}.<cell {index}>", cell.cell_contents, depth + 1)
        for name, inner in list(vars(value).items()):
            self.visit(f"{key}.__dict__[{name}]", inner, depth + 1)

    def _class(self, key: str, value: type, depth: int) -> None:
        if value.__module__ != self.owner:
            return
        self.out[f"{key}.__bases__"] = tuple(map(id, value.__bases__))
        self.out[f"{key}.__class__"] = id(type(value))
        self.out[f"{key}.__abstractmethods__"] = vars(value).get("__abstractmethods__")
        for name, inner in list(vars(value).items()):
            if name not in ("__dict__", "__weakref__", "_abc_impl"):
                self.visit(f"{key}.{name}", inner, depth + 1)

    def _container(self, key: str, value: Any, depth: int) -> None:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        if isinstance(value, set):
            items = enumerate(sorted(map(id, value)))
        for index, inner in list(items):
            self.visit(f"{key}[{_ident(index)}]", inner, depth + 1)

    def _wrapper(self, key: str, value: Any, depth: int) -> None:
        if isinstance(value, functools.partial):
            self.visit(f"{key}.func", value.func, depth + 1)
            self.out[f"{key}.args"] = tuple(map(_ident, value.args))
            self.out[f"{key}.keywords"] = {k: _ident(v) for k, v in value.keywords.items()}
        elif isinstance(value, staticmethod | classmethod):
            self.visit(f"{key}.__func__", value.__func__, depth + 1)
        elif isinstance(value, property):
            for attr in ("fget", "fset", "fdel"):
                self.visit(f"{key}.{attr}", getattr(value, attr), depth + 1)
        elif isinstance(value, functools.cached_property):
            self.visit(f"{key}.func", value.func, depth + 1)
        elif hasattr(value, "__wrapped__") and callable(value):
            self.visit(f"{key}.__wrapped__", value.__wrapped__, depth + 1)
            registry = getattr(value, "registry", None)
            if isinstance(registry, types.MappingProxyType):
                self.visit(f"{key}.registry", dict(registry), depth + 1)


def _ident(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | bytes):
        return value
    return ("id", id(value))


def _differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    keys = sorted(set(before) | set(after))
    return [f"{k}: {before.get(k, '<absent>')!r} -> {after.get(k, '<absent>')!r}" for k in keys
            if before.get(k, "<absent>") != after.get(k, "<absent>")]


# -- the sweep --------------------------------------------------------------------------------

def _load(directory: Path, text: str) -> tuple[types.ModuleType, str]:
    """A fresh module from ``text`` (the same name and file each time: records name it)."""
    name = "_journal_order_edited"
    path = directory / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module, str(path)


def _holders(module: types.ModuleType) -> types.ModuleType:
    """What a session holds of the module's functions outside it (followed when one is
    replaced): a list, a dict, a partial, in a module of their own for :func:`_state`."""
    held = types.ModuleType(module.__name__ + "_held")
    functions = [v for v in vars(module).values() if isinstance(v, types.FunctionType)]
    held.LIST = list(functions)
    held.DICT = {f.__name__: f for f in functions}
    held.PARTIALS = [functools.partial(f) for f in functions]
    return held


def check_records(directory: Path, old: str, new: str) -> list[str]:
    """Reload a fresh module from ``old`` to ``new`` applying each undo record as it is
    written: what applying one changed (or that it failed). Empty: every record came first."""
    module, path = _load(directory, old)
    held = _holders(module)
    found: list[str] = []

    def state(record: Any) -> dict[str, Any]:
        roots = {**vars(module), **{f"held.{k}": v for k, v in vars(held).items()}}
        roots["<what the record covers>"] = _target(record)
        return _state(roots, module.__name__)

    def check(record: Any) -> None:
        before = state(record)
        try:
            record()
        except Exception as exc:
            found.append(f"{_what(record)}: its undo failed: {exc!r}")
            return
        changed = _differences(before, state(record))
        found.extend(f"{_what(record)} undid a change made before it: {d}" for d in changed)

    saved = transaction_module.Journal
    transaction_module.Journal = _CheckingJournal  # type: ignore[misc]
    _Checking.check = check
    try:
        tx = transaction_module.Transaction(module, path, parse(old, path), "incremental")
        outcome = tx.run(new)
    finally:
        _Checking.check = None
        transaction_module.Journal = saved  # type: ignore[misc]
        sys.modules.pop(module.__name__, None)
    assert outcome.error is None, outcome.error
    return found


def cut_records(directory: Path, old: str, new: str) -> list[str]:
    """The reload of ``old`` to ``new`` interrupted at each undo record it writes, in turn
    (raising instead of writing it, as a Ctrl-C landing just before it would): what each
    interruption left changed after the rollback, or an undo that failed. This also finds a
    record written after its change that reads the changed value (applying it then changes
    nothing); but user code's own side effects are not undone either (a class body filling a
    registry): the edits swept this way have none."""
    _reload_cut(directory, old, new, None)
    found: list[str] = []
    for cut in list(_numbered(_Checking.kinds)):
        found += [f"cut at {cut}: {line}" for line in _reload_cut(directory, old, new, cut)]
    return found


def _reload_cut(directory: Path, old: str, new: str, cut: tuple[str, int] | None) -> list[str]:
    module, path = _load(directory, old)
    held = _holders(module)

    def state() -> dict[str, Any]:
        roots = {**vars(module), **{f"held.{k}": v for k, v in vars(held).items()}}
        return _state(roots, module.__name__)

    before = state()
    saved = transaction_module.Journal
    transaction_module.Journal = _CheckingJournal  # type: ignore[misc]
    _Checking.cut, _Checking.kinds = (cut or ("", 0)), []
    try:
        tx = transaction_module.Transaction(module, path, parse(old, path), "incremental")
        outcome: Any = tx.run(new)
    except _Cut:  # (before the walk's ``try``: nothing to roll back yet)
        outcome = None
    finally:
        reached, _Checking.cut = _Checking.cut is None, None
        transaction_module.Journal = saved  # type: ignore[misc]
    try:
        if cut is None:
            assert outcome is not None and outcome.error is None, outcome
            return []
        assert reached, f"no record {cut} in {_Checking.kinds}"
        found = []
        if outcome is not None:
            assert outcome.error is not None and "_Cut" in outcome.error.message, outcome
            found += [w.message for w in outcome.warnings]
        return found + _differences(before, state())
    finally:
        sys.modules.pop(module.__name__, None)


def _numbered(kinds: list[str]) -> Iterator[tuple[str, int]]:
    """Each record kind with its occurrence number: the heap scans of redirection meet
    holders in another order each run, so records are cut by kind, not by position."""
    seen: dict[str, int] = {}
    for kind in kinds:
        seen[kind] = seen.get(kind, 0) + 1
        yield kind, seen[kind]


def _target(record: Any) -> Any:
    """The object an undo record restores (a partial's first argument, or the object whose
    bound method it calls)."""
    func = getattr(record, "func", record)
    bound = getattr(func, "__self__", None)
    if bound is not None and not isinstance(bound, types.ModuleType):
        return bound
    args = getattr(record, "args", ())
    return args[0] if args else None


def _kind(record: Any) -> str:
    """What a record undoes, the same from run to run (no addresses)."""
    target = _target(record)
    args = getattr(record, "args", ())
    detail = f", {args[1]!r}" if len(args) > 1 and isinstance(args[1], str) else ""
    return f"{_what(record)}({type(target).__name__}{detail})"


def _what(record: Any) -> str:
    func = getattr(record, "func", record)
    return f"the record {getattr(func, '__qualname__', func)!s}"


def _edit(old: str, new: str) -> tuple[str, str]:
    return textwrap.dedent(old).lstrip("\n"), textwrap.dedent(new).lstrip("\n")


# Edits that reach the engine's explicit undo records (see the module docstring).
EDITS: dict[str, tuple[str, str]] = {
    "a partial's arguments": _edit(
        """
        import functools
        def f(a, b=0):
            return a + b
        P = functools.partial(f, 1)
        """,
        """
        import functools
        def f(a, b=0):
            return a + b
        P = functools.partial(f, 2)
        """,
    ),
    "a method made abstract": _edit(
        """
        import abc
        class A(abc.ABC):
            def m(self):
                return 1
        class B(A):
            pass
        """,
        """
        import abc
        class A(abc.ABC):
            @abc.abstractmethod
            def m(self):
                return 2
        class B(A):
            pass
        """,
    ),
    "bases and a metaclass that cannot be swapped": _edit(
        """
        class Base:
            pass
        class Other:
            pass
        class C(Base):
            X = 1
        """,
        """
        class Base:
            pass
        class Other:
            pass
        class Meta(type):
            __slots__ = ()
            def __call__(cls, *args):
                return super().__call__(*args)
        class C(Other, metaclass=Meta):
            X = 2
        """,
    ),
    "a function made a generator, held elsewhere": _edit(
        """
        import functools
        def f():
            return 1
        """,
        """
        import functools
        def f():
            yield 1
        """,
    ),
    "a star import that came and a function that moved": _edit(
        """
        def f():
            return 1
        """,
        """
        from os.path import *

        def f():
            return 1
        """,
    ),
    "methods, defaults, a closure and a cached property": _edit(
        """
        import functools
        def make(n):
            def inner():
                return n
            return inner
        INNER = make(1)
        class C:
            LIMIT = 3
            def m(self, x=1):
                return x
            @functools.cached_property
            def c(self):
                return 1
        def g(x=[1]):
            return x
        """,
        """
        import functools
        def make(n):
            def inner():
                return n + 1
            return inner
        INNER = make(2)
        class C:
            LIMIT = 4
            def m(self, x=2):
                return x * 2
            @functools.cached_property
            def c(self):
                return 2
            def added(self):
                return 3
        def g(x=[2]):
            return x
        """,
    ),
}


@pytest.mark.parametrize("what", sorted(EDITS))
def test_every_undo_record_is_written_before_its_change(what: str, tmp_path: Path) -> None:
    """Applied the moment it is written, no undo record of a reload changes anything; and a
    reload interrupted just before any of its records leaves the module as it was."""
    old, new = EDITS[what]
    assert check_records(tmp_path, old, new) == []
    assert cut_records(tmp_path, old, new) == []


def _one_module_edits() -> Iterator[tuple[str, str, str]]:
    """The corpus's first steps that edit the one module a scenario has."""
    for scenario in ALL:
        if len(scenario.before) != 1 or scenario.requires or scenario.strategy != "incremental":
            continue
        ((path, old),) = scenario.before.items()
        first = scenario.steps[0]
        if set(first.files) != {path} or first.delete or not first.ok:
            continue
        yield scenario.name, old, first.files[path]


CORPUS = sorted({name: (name, old, new) for name, old, new in _one_module_edits()}.values())


@pytest.mark.slow
@pytest.mark.parametrize(("name", "old", "new"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_edits_write_every_record_before_its_change(
    name: str, old: str, new: str, tmp_path: Path
) -> None:
    """The same, over the corpus's one-module edits (without their sessions' setup)."""
    assert check_records(tmp_path, old, new) == []


def test_the_check_finds_a_change_made_before_its_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: a patch that sets a partial's state first and records after (the
    order the rule forbids) is found."""
    from hotswap._engine import patch

    def changes_first(self: Any, old: Any, new: Any, q: str) -> Any:
        func = self._value(old.func, new.func, q)
        before = old.__reduce__()[2]
        setstate: Callable[[Any], None] = old.__setstate__
        setstate((func, new.args, new.keywords or None, new.__dict__ or None))
        self.journal.on_rollback(functools.partial(setstate, before))
        return old

    monkeypatch.setattr(patch.Patcher, "_partial", changes_first)
    found = check_records(tmp_path, *EDITS["a partial's arguments"])
    assert found == [
        "the record partial.__setstate__ undid a change made before it:"
        " <what the record covers>.args: (2,) -> (1,)"
    ]


# -- changes no interruption shows: made outside the journal altogether ----------------------

# What the runtime keeps in a function's or a class's structure, and a cell's contents: a
# change to one of these on a live object is undone only by a journal record.
_STRUCTURE = frozenset(
    {
        "__bases__", "__class__", "__code__", "__defaults__", "__kwdefaults__", "__dict__",
        "__abstractmethods__", "__objclass__", "cell_contents",
    }
)
# (module, function) -> why it may change them directly.
_DIRECT = {
    ("functions.py", "redirect_class_cells"): "cells of functions the reload itself made",
    ("functions.py", "shift_objects"): "its shared record (journal.moved_codes) is written first",
    ("kinds.py", "_reclass"): "enum members the fresh class made",
    ("writers.py", "_restore_object"): "an undo record itself",
    ("source.py", "moved"): "a parsed statement it made (not a live object)",
    ("skeleton.py", "_lazy_body"): "syntax trees it parsed (not live objects)",
    ("skeleton.py", "_materialize"): "syntax trees it parsed (not live objects)",
    ("skeleton.py", "_set_body"): "syntax trees it parsed (not live objects)",
    ("skeleton.py", "_parse_header"): "syntax trees it parsed (not live objects)",
}


def direct_changes(source: str, module: str) -> list[str]:
    """Stores to (and deletions of) :data:`_STRUCTURE` attributes and ``setattr``/``delattr``
    calls outside ``self``, by enclosing function, but in :data:`_DIRECT`."""
    import ast

    found: list[str] = []

    def scan(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            direct = False
            if isinstance(child, ast.Attribute) and isinstance(child.ctx, ast.Store | ast.Del):
                owner = child.value
                direct = child.attr in _STRUCTURE and not (
                    isinstance(owner, ast.Name) and owner.id == "self"
                )
            elif isinstance(child, ast.Call) and isinstance(child.func, ast.Name):
                direct = child.func.id in ("setattr", "delattr")
            if direct and (module, function) not in _DIRECT:
                found.append(f"{module}:{child.lineno} in {function}: {ast.unparse(child)}")
            scan(child, inner)

    scan(ast.parse(source), "<module>")
    return found


def test_the_engine_changes_live_objects_only_through_the_journal() -> None:
    """No module of the engine but the journal assigns a function's code or defaults, a class's
    bases or metaclass, a cell, or calls ``setattr``/``delattr`` (but the places listed, each
    with its reason): a change made there would have no undo record at all."""
    from hotswap import _engine

    found: list[str] = []
    for path in sorted(Path(_engine.__file__).parent.glob("*.py")):
        if path.name != "journal.py":
            found += direct_changes(path.read_text(encoding="utf-8"), path.name)
    assert found == []


def test_the_scan_finds_a_change_outside_the_journal() -> None:
    """The scan can fail: ``old.__bases__ = bases`` in a patching function is found."""
    source = "def swap(old, bases):\n    old.__bases__ = bases\n"
    assert direct_changes(source, "classpatch.py") == [
        "classpatch.py:2 in swap: old.__bases__"
    ]
