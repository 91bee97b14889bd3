"""The undo log of one reload transaction.

Every mutation the engine makes to a live object goes through a :class:`Journal` method that first
records how to undo it. ``rollback()`` replays the undo records newest first, so the objects end
exactly as they started (same dict contents, same code objects, same class members); ``commit()``
forgets them. Module dicts are journaled wholesale with :meth:`Journal.snapshot_dict` because
statements executed in them write names directly.

Rollback must finish even when the user presses Ctrl-C again while it runs: on the main thread,
SIGINT is deferred until the last undo record has been applied and then re-delivered.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import itertools
import signal
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

MISSING: Any = object()  # "no such name/attribute", shared by the engine modules
# In the touched keys of a dict snapshot: rollback restores every key (while a statement runs
# that may bind any name: ``from m import *``).
EVERY_KEY = " every key"


class Journal:
    # The list type the undo records are written to (the undo log, and the shared record of
    # moved functions): tests/test_journal_order.py counts every record written through it.
    _records: Callable[[], list[Any]] = list

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = self._records()
        self._owned: set[int] = set()  # ids of the journal's own copies (never redirected)
        self._moved: tuple[list[types.FunctionType], list[types.CodeType]] | None = None

    def owns(self, obj: object) -> bool:
        return id(obj) in self._owned

    def __len__(self) -> int:
        return len(self._undo)

    # -- recorded mutations -----------------------------------------------------------------

    # Undo records are ``functools.partial`` objects, not closures: reference redirection
    # (``_engine.redirect.redirect_references``) rewrites closure cells but never partials'
    # arguments.

    # Each record is appended *before* its change: a KeyboardInterrupt between the two then
    # finds a record whose undo is a no-op, never a change without a record.

    def setattr(self, obj: Any, name: str, value: Any) -> None:
        old = _own_attribute(obj, name)
        self._undo.append(functools.partial(_restore_attribute, obj, name, old))
        _set(obj, name, value)

    def setattrs(self, obj: Any, updates: list[tuple[str, Any]]) -> None:
        """Set several attributes of ``obj`` (not a class) at once, as other threads see it.

        A function's ``__code__`` and ``__defaults__`` must change together: a thread calling it
        between the two would run the new code with the old defaults. CPython (with the GIL)
        hands the GIL to another thread only between bytecodes of a Python frame, or where C code
        releases it; ``map`` calling the built-in ``setattr`` runs no bytecode and releases
        nothing, so no other thread runs between these assignments. Every record is written
        first (an assignment that raises leaves the others' records to undo them)."""
        for name, _value in updates:
            old = _own_attribute(obj, name)
            self._undo.append(functools.partial(_restore_attribute, obj, name, old))
        names = [name for name, _value in updates]
        values = [value for _name, value in updates]
        collections.deque(map(setattr, itertools.repeat(obj), names, values), maxlen=0)

    def record_attribute(self, obj: Any, name: str) -> None:
        """An undo record of attribute ``name`` of ``obj``, which a call the journal cannot
        make for the caller (``abc.update_abstractmethods``) is about to change."""
        old = _own_attribute(obj, name)
        self._undo.append(functools.partial(_restore_attribute, obj, name, old))

    def delattr(self, obj: Any, name: str) -> None:
        old = _own_attribute(obj, name)
        if old is MISSING:
            return
        self._undo.append(functools.partial(_restore_attribute, obj, name, old))
        _delete(obj, name)

    def setitem(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        old = mapping.get(key, MISSING)
        self._undo.append(functools.partial(_restore_item, mapping, key, old))
        mapping[key] = value

    def delitem(self, mapping: dict[Any, Any], key: Any) -> None:
        old = mapping.get(key, MISSING)
        if old is MISSING:
            return
        self._undo.append(functools.partial(_restore_item, mapping, key, old))
        del mapping[key]

    def set_cell(self, cell: types.CellType, value: Any) -> None:
        try:
            old = cell.cell_contents
        except ValueError:
            old = MISSING
        self._undo.append(functools.partial(_restore_cell, cell, old))
        cell.cell_contents = value

    def snapshot_dict(self, mapping: dict[str, Any]) -> set[str]:
        """Record a whole dict; rollback restores it without replacing it.

        Returns the set of *touched* keys, which the caller fills with every key it changed:
        rollback restores exactly those, so that a value another thread stored in the same
        dict meanwhile (a counter a worker increments) is not lost. The set is held by the
        journal's record; until the caller adds to it, rollback restores every key.
        """
        saved = dict(mapping)
        touched: set[str] = set()
        self._owned.add(id(saved))
        self._undo.append(functools.partial(_restore_dict, mapping, saved, touched))
        return touched

    def restore_list_on_rollback(self, items: list[Any], saved: list[Any]) -> None:
        """Rollback puts ``saved`` back as the contents of ``items``. The copy is the journal's
        own: a later redirection in the same transaction must not find it among the referrers
        of an old object and rewrite it (each rewrite would copy it again: the copies double
        with every replaced function)."""
        self._owned.add(id(saved))
        self._undo.append(functools.partial(items.__setitem__, slice(None), saved))

    def on_rollback(self, undo: Callable[[], None]) -> None:
        self._undo.append(undo)

    # -- outcome ------------------------------------------------------------------------------

    def moved_codes(self) -> tuple[list[types.FunctionType], list[types.CodeType]]:
        """The undo record of functions that only moved (line numbers shifted): append a function
        and its current code to these lists, then give it the shifted code. An edit near the top
        of a large module moves thousands: they share this one record, which restores them
        newest first at the place of the first one. (A later record about the same function is
        undone before it, so the earliest code is restored last.)"""
        moved = self._moved
        if moved is None:
            moved = self._moved = (self._records(), [])
            self._owned.update((id(moved[0]), id(moved[1])))  # not a holder to redirect
            self._undo.append(functools.partial(_restore_codes, *moved))
        return moved

    def rollback(self) -> list[Exception]:
        """Undo every record, newest first. A record that cannot be undone does not stop the
        others: the errors are returned (none is expected; each one is a bug to report)."""
        failed: list[Exception] = []
        with _sigint_deferred():
            while self._undo:
                undo = self._undo.pop()
                try:
                    undo()
                except Exception as exc:
                    failed.append(exc)
        self._owned.clear()
        self._moved = None
        return failed

    def commit(self) -> None:
        self._undo.clear()
        self._owned.clear()
        self._moved = None


def _restore_codes(funcs: list[types.FunctionType], codes: list[types.CodeType]) -> None:
    for func, code in zip(reversed(funcs), reversed(codes), strict=True):
        func.__code__ = code


# What a class holds in its type structure, not in its ``__dict__`` (restored by assignment).
_TYPE_FIELDS = frozenset({"__bases__", "__class__", "__name__", "__qualname__"})


def _own_attribute(obj: Any, name: str) -> Any:
    """The attribute as stored on ``obj`` itself (a class's own ``__dict__``, not inherited)."""
    if isinstance(obj, type) and name not in _TYPE_FIELDS:
        return obj.__dict__.get(name, MISSING)
    try:
        return getattr(obj, name)
    except AttributeError:
        return MISSING


def _set(obj: Any, name: str, value: Any) -> None:
    # Classes are patched through ``type.__setattr__``: a metaclass hook (EnumType forbids
    # reassigning members) guards users' code, not the restoration of a class's own dict.
    if isinstance(obj, type):
        own = _past_metaclass(obj, name)
        if own is _OWN_DICT:
            class_dict(obj)[name] = value
            _modified(obj)
        elif own is not None:
            own.__set__(obj, value)
        else:
            type.__setattr__(obj, name, value)
    else:
        setattr(obj, name, value)


def _delete(obj: Any, name: str) -> None:
    if isinstance(obj, type):
        own = _past_metaclass(obj, name)
        if own is _OWN_DICT:
            del class_dict(obj)[name]
            _modified(obj)
        elif own is not None:
            own.__delete__(obj)
        else:
            type.__delattr__(obj, name)
    else:
        delattr(obj, name)


def _past_metaclass(cls: type, name: str) -> Any:
    """How to write ``name`` on ``cls`` as a class statement does, when a metaclass of ``cls``
    has a data descriptor of that name: ``type.__setattr__`` would call the metaclass's (a
    computed ``__doc__`` property without a setter: sympy's ``PredicateMeta``; a
    ``free_symbols`` property: sympy's ``FunctionClass``), where a class statement stores the
    value in the class's own dict. ``type``'s own descriptor for ``name`` (``__doc__``) writes
    there; for other names, ``_OWN_DICT``; None when no metaclass descriptor is in the way."""
    meta: type = type(cls)
    for klass in meta.__mro__:
        if klass is type:
            return None
        found = klass.__dict__.get(name)
        if found is not None and hasattr(type(found), "__set__"):
            own = type.__dict__.get(name)
            return own if own is not None and hasattr(type(own), "__set__") else _OWN_DICT
    return None


_OWN_DICT: Any = object()  # (see _past_metaclass)


def class_dict(cls: type) -> dict[str, Any]:
    """The dict behind ``cls.__dict__`` (a read-only proxy refers to it, and only to it)."""
    (namespace,) = gc.get_referents(cls.__dict__)
    return namespace  # type: ignore[no-any-return]


def _modified(cls: type) -> None:
    """Tell the runtime ``cls``'s dict changed (its attribute caches, and its subclasses'):
    setting and deleting an attribute through ``type`` does (CPython's ``PyType_Modified``)."""
    type.__setattr__(cls, "__hotswap_modified__", None)
    type.__delattr__(cls, "__hotswap_modified__")


def _restore_attribute(obj: Any, name: str, old: Any) -> None:
    if _own_attribute(obj, name) is old:
        # Nothing to undo (an interruption between the record and its change). Not even
        # assigned again: ``__class__`` of a class whose metaclass is a built-in type cannot
        # be assigned at all, not even the value it has.
        return
    if old is MISSING:
        with contextlib.suppress(AttributeError):
            _delete(obj, name)
    else:
        _set(obj, name, old)


def _restore_cell(cell: types.CellType, old: Any) -> None:
    if old is MISSING:
        del cell.cell_contents
    else:
        cell.cell_contents = old


def _restore_dict(mapping: dict[str, Any], saved: dict[str, Any], touched: set[str]) -> None:
    keys = touched if touched and EVERY_KEY not in touched else set(mapping) | set(saved)
    for key in keys:
        value = saved.get(key, MISSING)
        if value is MISSING:
            mapping.pop(key, None)
        elif mapping.get(key, MISSING) is not value:
            mapping[key] = value


def _restore_item(mapping: dict[Any, Any], key: Any, old: Any) -> None:
    if old is MISSING:
        mapping.pop(key, None)
    else:
        mapping[key] = old


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold SIGINT while the body runs (main thread only), then deliver it if it came."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.getsignal(signal.SIGINT)
    except ValueError:  # pragma: no cover - no signal support in this interpreter
        yield
        return
    received: list[int] = []
    try:
        signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    except (ValueError, TypeError):  # pragma: no cover
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and callable(previous):
            previous(signal.SIGINT, None)
