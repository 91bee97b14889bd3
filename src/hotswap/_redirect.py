"""Rebinding references: where an object could not be kept, its holders follow the new one.

``redirect_references(old, new)`` finds the holders of ``old`` with one ``gc.get_referrers``
scan and points them at ``new``: dict values and keys, list items, closure cells, ``partial``
objects, and, one level up, the holders of immutable wrappers around ``old`` (tuples, function
defaults, bound methods), which are rebuilt. Every change goes through the journal.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import types
from collections.abc import Callable
from typing import Any

from hotswap._journal import Journal


def redirect_references(old: Any, new: Any, journal: Journal, skip: Callable[[Any], bool]) -> int:
    """Point references to ``old`` held in dicts, lists, closure cells and ``partial`` objects
    at ``new`` (journaled). One ``gc.get_referrers`` scan.

    Used both ways: a replaced object's holders (``handlers = [m.f]``) follow the replacement,
    and a registry that a re-run decorator filled with a fresh class gets the kept class back.
    This function must have no closures: a cell of its own frame holding ``old`` would be
    found among the referrers and redirected.
    """
    count = 0
    for ref in gc.get_referrers(old):
        if not (skip(ref) or journal.owns(ref)):
            count += _redirect_in(ref, old, new, journal)
    return count


def _redirect_tuple(ref: tuple[Any, ...], old: Any, new: Any, journal: Journal) -> int:
    """Tuples are immutable: rebuild one and put it where the old one was held (a function's
    ``__defaults__``, a dict or a list). One level deep."""
    items = []
    for value in ref:
        items.append(new if value is old else value)
    return _redirect_holders(ref, tuple(items), journal)


def _redirect_holders(ref: Any, fresh: Any, journal: Journal) -> int:
    """Put ``fresh`` where the immutable ``ref`` is held (defaults, dicts, lists, cells)."""
    count = 0
    for holder in gc.get_referrers(ref):
        if journal.owns(holder) or isinstance(holder, types.FrameType):
            continue
        if isinstance(holder, types.FunctionType) and holder.__defaults__ is ref:
            journal.setattr(holder, "__defaults__", fresh)
            count += 1
        elif isinstance(holder, dict | list | types.CellType):
            count += _redirect_in(holder, ref, fresh, journal)
    return count


def _redirect_in(ref: Any, old: Any, new: Any, journal: Journal) -> int:
    count = 0
    if isinstance(ref, dict):
        for key, value in list(ref.items()):
            if value is old:
                journal.setitem(ref, key, new)
                count += 1
            if key is old:
                value = ref[key]
                journal.delitem(ref, key)
                journal.setitem(ref, new, value)
                count += 1
    elif isinstance(ref, list):
        saved = list(ref)
        if any(value is new for value in saved):
            # Already registered (``__init_subclass__`` appending every subclass): drop the
            # duplicate the re-run added instead of registering the kept object twice.
            ref[:] = [value for value in saved if value is not old]
        else:
            ref[:] = [new if value is old else value for value in saved]
        if len(ref) != len(saved) or any(a is not b for a, b in zip(ref, saved, strict=True)):
            journal.restore_list_on_rollback(ref, saved)
            count += 1
    elif isinstance(ref, types.CellType):
        with contextlib.suppress(ValueError):
            if ref.cell_contents is old:
                journal.set_cell(ref, new)
                count += 1
    elif type(ref) is tuple:
        count += _redirect_tuple(ref, old, new, journal)
    elif type(ref) is types.MethodType and ref.__func__ is old:
        # Bound methods are immutable: a fresh one takes the old one's places.
        count += _redirect_holders(ref, types.MethodType(new, ref.__self__), journal)
    elif type(ref) is functools.partial and ref.func is old:
        state = ref.__reduce__()[2]
        setstate: Callable[[Any], None] = ref.__setstate__  # type: ignore[attr-defined]
        setstate((new, *state[1:]))
        journal.on_rollback(functools.partial(setstate, state))
        count += 1
    return count
