"""Integrations: keep what a framework derived from your objects in step with each reload.

Frameworks read your functions and classes once, when they are registered, and keep what they
derived: a web route's parameters and response model (FastAPI), its URL rule (Flask), a resolver
cache (Django), a schema. Patching the function in place keeps its identity but not that derived
state. An :class:`Integration` refreshes it, inside the module's transaction:

1. :meth:`Integration.rerun` is asked, for each decorated definition that changed in the save,
   whether its decorators must run again (on the patched object) because the framework derives
   state from it when it is decorated; ``@app.get("/x")`` then registers a fresh route.
2. :meth:`Integration.before` runs before the module's new code runs (to snapshot what the
   framework holds), :meth:`Integration.after` after it ran; both get the module's
   :class:`Applied`, which names the changes once they are made. Every change an integration
   makes goes through :class:`Applied` (``setattr``, ``delattr``, ``setitem``, ``delitem``,
   ``replace_items``, ``on_rollback``), so that it is undone with the module's own changes when
   anything fails.
3. An exception from an integration rolls the module back like any other failed reload; the
   report names the integration.

An integration is active while every module in its ``requires`` is imported, so a session that
never imported the framework pays nothing. Built-in ones live in :mod:`hotswap.integrations`,
which re-exports this API; third parties
register theirs in the ``hotswap.integrations`` entry-point group (the value is a class or a
factory returning an instance). Entry points are read once, at the first save, straight from the
distributions' ``entry_points.txt`` (see :func:`entry_points`).

This module is the hook API only, in the base layer: the engine's transaction calls the hooks
and the watcher gates requests, so neither may import the integrations above them.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import types
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from hotswap._gate import GATE, Gate
from hotswap._report import Change, Problem

if TYPE_CHECKING:
    from hotswap._engine.journal import Journal

GROUP = "hotswap.integrations"


class IntegrationError(Exception):
    """An integration could not bring its framework in step; the save was rolled back."""


class Integration:
    """Refreshes what a framework derived from objects a reload changed (subclass it)."""

    name: str = "integration"
    requires: tuple[str, ...] = ()  # modules that must be imported for it to be active
    serves: tuple[str, ...] = ()  # the module defining the request entry :meth:`serve` wraps

    def rerun(self, obj: object) -> bool:
        """Whether the decorators of the changed definition bound to ``obj`` must run again."""
        return False

    def before(self, applied: Applied) -> None:
        """``applied.module``'s new code is about to run (``applied.changes`` is still empty)."""

    def after(self, applied: Applied) -> None:
        """The new code ran; refresh the framework's state through ``applied``."""

    def serve(self, gate: Gate) -> Callable[[], None] | None:
        """Wrap the framework's request entry with ``gate`` (:mod:`hotswap._gate`); return the undo.

        Called once, by a watcher applying saves while the program serves requests."""
        return None


class Applied:
    """What one module's reload changed, and the undo-logged way to change framework state."""

    def __init__(
        self,
        module: types.ModuleType,
        changes: list[Change],
        journal: Journal,
        warnings: list[Problem] | None = None,
        path: str = "",
    ) -> None:
        self.module = module
        self.changes = changes
        self._journal = journal
        self._warnings = warnings if warnings is not None else []
        self._path = path

    def warn(self, message: str) -> None:
        """Say, in the save's report, what the framework could not be brought to do."""
        self._warnings.append(Problem(self.module.__name__, self._path, None, message))

    def setattr(self, obj: Any, name: str, value: Any) -> None:
        self._journal.setattr(obj, name, value)

    def delattr(self, obj: Any, name: str) -> None:
        self._journal.delattr(obj, name)

    def setitem(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        self._journal.setitem(mapping, key, value)

    def delitem(self, mapping: dict[Any, Any], key: Any) -> None:
        self._journal.delitem(mapping, key)

    def replace_items(self, items: list[Any], new: Iterable[Any]) -> None:
        """``items[:] = new``, undone on rollback."""
        before = list(items)
        self._journal.on_rollback(lambda: items.__setitem__(slice(None), before))
        items[:] = list(new)

    def on_rollback(self, undo: Callable[[], None]) -> None:
        self._journal.on_rollback(undo)


# -- the registry -------------------------------------------------------------------------------

_BUILTIN = (
    ("hotswap.integrations.starlette", "StarletteIntegration"),
    ("hotswap.integrations.flask", "FlaskIntegration"),
    ("hotswap.integrations.django", "DjangoIntegration"),
)
_registered: list[Integration] = []
_loaded: list[Integration] | None = None


def register(integration: Integration) -> None:
    """Add an integration for this process (tests, or code that does not use entry points)."""
    _registered.append(integration)


def unregister(integration: Integration) -> None:
    if integration in _registered:
        _registered.remove(integration)


def entry_points() -> list[tuple[str, str]]:
    """``(name, "module:attribute")`` of each entry point in the :data:`GROUP` group, from the
    ``entry_points.txt`` of the distributions on ``sys.path`` (the first of each name wins, as
    for the import system). Read here, not through ``importlib.metadata``: importing that costs
    20-40 ms of CPU (``email``, ``csv``, ``zipfile``...), which a background thread took from
    the user's own imports right after the first Reloader (one listing per directory here, and
    one read per distribution with entry points: about a millisecond)."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    header = f"[{GROUP}]"
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue  # a zip file, a directory that is gone
        for dist in names:
            if not dist.endswith((".dist-info", ".egg-info")):
                continue
            project = dist.partition("-")[0].lower().replace("_", "-").replace(".", "-")
            if project in seen:
                continue
            seen.add(project)
            listing = os.path.join(entry or ".", dist, "entry_points.txt")
            try:
                with open(listing, encoding="utf-8") as handle:
                    text = handle.read()
            except (OSError, UnicodeDecodeError):
                continue
            if header in text:
                found.extend(_section(text, header))
    return found


def _section(text: str, header: str) -> list[tuple[str, str]]:
    """The ``name = value`` lines of one ``[section]`` of an ``entry_points.txt``."""
    out: list[tuple[str, str]] = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            inside = line == header
        elif inside and "=" in line:
            name, _, value = line.partition("=")
            out.append((name.strip(), value.partition("[")[0].strip()))
    return out


def _load(value: str) -> Any:
    """The object an entry point's ``module:attribute`` names."""
    module_name, _, attribute = value.partition(":")
    made: Any = importlib.import_module(module_name.strip())
    for part in filter(None, attribute.strip().split(".")):
        made = getattr(made, part)
    return made


def active() -> list[Integration]:
    """The integrations whose frameworks are imported now (usually none: one dict lookup each)."""
    everything = _all()
    return [i for i in everything if all(name in sys.modules for name in i.requires)]


def _all() -> list[Integration]:
    global _loaded
    if _loaded is None:
        loaded: list[Integration] = []
        for module_name, class_name in _BUILTIN:
            module = __import__(module_name, fromlist=[class_name])  # (imports no framework)
            loaded.append(getattr(module, class_name)())
        for name, value in entry_points():
            try:
                made = _load(value)
                loaded.append(made() if callable(made) else made)
            except Exception as exc:  # a broken third party must not break reloading
                print(f"hotswap: the integration {name!r} could not be loaded: {exc}",
                      file=sys.stderr)
        _loaded = loaded
    return [*_loaded, *_registered]


# -- requests and saves -------------------------------------------------------------------------

_serving: dict[int, Callable[[], None] | None] = {}  # id(integration) -> undo
_finder: _AfterImport | None = None
_serve_lock = threading.RLock()  # re-entered when serve() imports the framework module


def serve_requests(loaded: str | None = None) -> None:
    """Gate the request entries of the frameworks imported now (each once), and of those
    imported later, right after their module runs (so before the server can take a request).
    Called by a watcher that applies saves while the program runs."""
    global _finder
    # The watcher's thread and an importing thread (the finder below) can both get here: a
    # request entry wrapped twice would count every request twice.
    with _serve_lock:
        for integration in active():
            if id(integration) not in _serving and all(
                _ready(name, loaded) for name in integration.serves
            ):
                _serving[id(integration)] = integration.serve(GATE)
        if _finder is None:
            names = {name for i in _all() for name in i.serves}
            _finder = _AfterImport(names)
            sys.meta_path.insert(0, _finder)


def _ready(name: str, loaded: str | None) -> bool:
    """Whether module ``name`` has run to its end (``loaded``: it just did, on this thread).

    A module another thread is still executing must not be imported from here: that import
    would wait for it while it waits for :data:`_serve_lock` (its own ``exec_module`` ends in
    :func:`serve_requests`)."""
    module = sys.modules.get(name)
    if module is None:
        return False
    return name == loaded or not getattr(getattr(module, "__spec__", None), "_initializing", False)


def stop_serving() -> None:
    """Undo :func:`serve_requests` (the last watcher stopped)."""
    global _finder
    with _serve_lock:
        if _finder is not None:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(_finder)
            _finder = None
        undos = [undo for undo in _serving.values() if undo is not None]
        _serving.clear()
    for undo in reversed(undos):
        undo()


class _AfterImport:
    """A meta-path finder that runs :func:`serve_requests` right after a framework module named
    in an integration's ``serves`` has executed. It finds nothing itself: it asks the finders
    after it, and wraps the found loader's ``exec_module`` on that loader instance (the loader's
    type, and so ``module.__spec__.loader``, stay what they were)."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self._busy = threading.local()  # names being found on this thread: other finders that
        # delegate to the rest of sys.meta_path (hotswap's capture hook) come back here

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        busy: set[str] = self._busy.__dict__.setdefault("names", set())
        if fullname not in self.names or fullname in busy:
            return None
        busy.add(fullname)
        try:
            return self._find(fullname, path, target)
        finally:
            busy.discard(fullname)

    def _find(self, fullname: str, path: Any, target: Any) -> Any:
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is None:
                continue
            loader = spec.loader
            original = getattr(loader, "exec_module", None)
            if original is not None:

                def exec_module(module: types.ModuleType, original: Any = original) -> None:
                    original(module)
                    serve_requests(loaded=module.__name__)

                loader.exec_module = exec_module
            return spec
        return None
