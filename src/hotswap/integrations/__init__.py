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
never imported the framework pays nothing. Built-in ones live in this package; third parties
register theirs in the ``hotswap.integrations`` entry-point group (the value is a class or a
factory returning an instance). Entry points are read once, on a background thread started with
the first :class:`hotswap.Reloader`, so the first save does not pay for ``importlib.metadata``.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable, Iterable
from typing import Any

from hotswap._journal import Journal
from hotswap._report import Change

__all__ = ["Applied", "Integration", "IntegrationError", "active", "register"]

GROUP = "hotswap.integrations"


class IntegrationError(Exception):
    """An integration could not bring its framework in step; the save was rolled back."""


class Integration:
    """Refreshes what a framework derived from objects a reload changed (subclass it)."""

    name: str = "integration"
    requires: tuple[str, ...] = ()  # modules that must be imported for it to be active

    def rerun(self, obj: object) -> bool:
        """Whether the decorators of the changed definition bound to ``obj`` must run again."""
        return False

    def before(self, applied: Applied) -> None:
        """``applied.module``'s new code is about to run (``applied.changes`` is still empty)."""

    def after(self, applied: Applied) -> None:
        """The new code ran; refresh the framework's state through ``applied``."""


class Applied:
    """What one module's reload changed, and the undo-logged way to change framework state."""

    def __init__(self, module: types.ModuleType, changes: list[Change], journal: Journal) -> None:
        self.module = module
        self.changes = changes
        self._journal = journal

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
_loader: threading.Thread | None = None
_entry_points: list[Any] = []
_lock = threading.Lock()


def register(integration: Integration) -> None:
    """Add an integration for this process (tests, or code that does not use entry points)."""
    _registered.append(integration)


def unregister(integration: Integration) -> None:
    if integration in _registered:
        _registered.remove(integration)


def preload() -> None:
    """Start reading the entry points in the background (called by the first Reloader)."""
    global _loader
    with _lock:
        if _loader is None:
            _loader = threading.Thread(target=_read_entry_points, name="hotswap-integrations")
            _loader.daemon = True
            _loader.start()


def _read_entry_points() -> None:
    try:
        from importlib.metadata import entry_points

        _entry_points.extend(entry_points(group=GROUP))
    except Exception:  # a broken distribution's metadata must not break reloading
        pass


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
        preload()
        assert _loader is not None
        _loader.join()
        for point in _entry_points:
            try:
                made = point.load()
                loaded.append(made() if callable(made) else made)
            except Exception as exc:
                print(f"hotswap: the integration {point.name!r} could not be loaded: {exc}",
                      file=sys.stderr)
        _loaded = loaded
    return [*_loaded, *_registered]
