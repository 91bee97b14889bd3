"""Rebinding references: where an object could not be kept, its holders follow the new one.

``redirect_many([(old, new, skip), ...])`` finds the holders of every ``old`` with one
``gc.get_referrers`` scan and points them at its ``new``: dict values and keys, list items,
closure cells, ``partial`` objects, and, one level up (one more scan), the holders of immutable
wrappers around ``old`` (tuples, function defaults, bound methods), which are rebuilt. A scan
walks the whole heap (tens to hundreds of milliseconds in a large project), so a reload gathers
its redirections and makes them at once, and a checkpoint gathers those of every transaction it
commits and makes them at its end (see ``_engine.batch``). Every change goes through the journal.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import inspect
import sys
import types
import weakref
from collections.abc import Callable
from typing import Any

from hotswap._engine.functions import COUNTED
from hotswap._engine.journal import MISSING, Journal

Redirect = tuple[Any, Any, Callable[[Any], bool]]  # (old, new, skip this referrer)


def redirect_references(old: Any, new: Any, journal: Journal, skip: Callable[[Any], bool]) -> int:
    """Point references to ``old`` held in dicts, lists, closure cells and ``partial`` objects
    at ``new`` (journaled); see :func:`redirect_many`.

    Used both ways: a replaced object's holders (``handlers = [m.f]``) follow the replacement,
    and a registry that a re-run decorator filled with a fresh class gets the kept class back.
    """
    return redirect_many([(old, new, skip)], journal)


def redirect_many(
    redirects: list[Redirect], journal: Journal, holders: list[Any] | None = None
) -> int:
    """Each ``(old, new, skip)``: point the references to ``old`` at ``new``, but in referrers
    ``skip`` accepts. Two ``gc.get_referrers`` scans in all, however many objects: one for the
    holders of every ``old``, one for the holders of the immutable wrappers found around them
    (tuples, bound methods: rebuilt, and the rebuilt one put where the old one was held).
    ``holders``: look only there (no scan; wrappers are left to a later scan).
    A scan walks the whole heap (seconds in a long session), so callers gather what one
    reload redirects and pass it at once. ``old -> new`` chains (``a -> b``, ``b -> c``)
    end where the last one points.

    This function must have no closures: a cell of its own frame holding ``old`` would be
    found among the referrers and redirected.
    """
    if not redirects:
        return 0
    if holders is None:
        redirects = held_ones(redirects)
        if not redirects:
            return 0
    target: dict[int, Any] = {}
    skips: dict[int, Callable[[Any], bool]] = {}
    for old, new, skip in redirects:
        target[id(old)] = new
        skips[id(old)] = skip
    for key in list(target):  # (a few pairs: follow chains to their end)
        seen = {key}
        while id(target[key]) in target and id(target[key]) not in seen:
            seen.add(id(target[key]))
            target[key] = target[id(target[key])]
    olds = tuple(old for old, _new, _skip in redirects)
    ours = {id(olds), id(redirects), *map(id, redirects)}
    # The functions kept for weak callers (see ``forward_weak_callers``) stay the old ones.
    ours.update(id(kept) for _ref, kept in _FORWARDING.values())
    count = 0
    wrappers: dict[int, tuple[Any, Any]] = {}  # id(immutable holder) -> (it, its rebuilt copy)
    for ref in referrers(olds) if holders is None else holders:
        if id(ref) in ours or journal.owns(ref) or isinstance(ref, types.FrameType):
            continue
        held = [old for old in _held(ref, target) if not skips[id(old)](ref)]
        if not held:
            continue
        if holders is not None and type(ref) in (tuple, types.MethodType):
            continue
        if type(ref) is tuple:
            mapped = {id(old) for old in held}
            wrappers[id(ref)] = (ref, tuple(target[id(v)] if id(v) in mapped else v for v in ref))
        elif type(ref) is types.MethodType:
            # Bound methods are immutable: a fresh one takes the old one's places.
            wrappers[id(ref)] = (ref, types.MethodType(target[id(held[0])], ref.__self__))
        else:
            for old in held:
                count += _redirect_in(ref, old, target[id(old)], journal)
    if wrappers:
        count += _redirect_holders(wrappers, journal)
    return count


def held_ones(redirects: list[Redirect]) -> list[Redirect]:
    """``redirects`` but the fresh twins of kept classes that nothing holds (see
    :func:`_unheld`): a scan would find nothing to change for them."""
    news = {id(new) for _old, new, _skip in redirects}
    kept = [r for r in redirects if id(r[0]) in news or not _unheld(r[0], redirects)]
    return kept if len(kept) < len(redirects) else redirects


_SELF = (types.GetSetDescriptorType, types.MemberDescriptorType)


def _unheld(obj: Any, redirects: list[Redirect]) -> bool:
    """Whether class ``obj`` is held by nothing but its own ``__mro__`` (held by nothing but
    the class), the ``__dict__``/``__weakref__``/slot descriptors of its own namespace and
    ``redirects``: told by reference counts, which count every holder, so exact. A class made
    again for a statement re-run and patched into the kept one is that, unless its making
    stored it somewhere (a registry, a subclass made with it, a ``__class__`` cell): one scan
    fewer per save for such twins (sympy's ``PRECEDENCE`` edited: two classes re-run in
    importers, 39 of 78 ms)."""
    if not isinstance(obj, type) or not COUNTED:
        return False
    mro = obj.__mro__
    if not mro or mro[0] is not obj:
        return False
    inner = 1 + sum(
        1 for value in vars(obj).values() if type(value) in _SELF and value.__objclass__ is obj
    )
    ours = sum(1 for old, _new, _skip in redirects if old is obj)
    # Held here too: by getrefcount's argument, and ``obj`` (``mro``: by ``mro`` as well).
    return sys.getrefcount(mro) == 3 and sys.getrefcount(obj) == inner + ours + 2


# ``gc.get_referrers(*objs)`` compares each reference in the heap with every one of ``objs`` in
# turn (gcmodule.c, ``referrersvisit``: a linear search of the tuple), so one scan for a
# checkout's thousands of objects costs thousands of scans for one. Past this many, the heap is
# walked in slices with a set of their ids: ``gc.get_referents`` of a whole slice at once (in
# C), and of each object only in a slice that refers to one (measured with all of sympy
# loaded: 3,000 objects 0.66 -> 0.10 s; 150 objects about even).
_BY_SET = 150
_SLICE = 256
# Syntax tree nodes hold nodes, lists of them and constants, never a user's function or class:
# the pass skips them (after a checkout, hotswap's parses of the changed modules are most of
# the heap: millions of nodes for sympy's 327 files).
_NODES = frozenset(
    c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast.AST)
)


def referrers(objs: tuple[Any, ...]) -> list[Any]:
    """The objects tracked by the collector that refer to any of ``objs`` (not ``objs``
    itself): what ``gc.get_referrers(*objs)`` returns (for many objects, but ``ast`` nodes)."""
    if len(objs) <= _BY_SET:
        return gc.get_referrers(*objs)
    ids = {id(obj) for obj in objs}
    refers = gc.get_referents
    # Not modules: CPython 3.12's ``_asyncio`` module traverses its FutureIter free list, so
    # ``gc.get_referents`` of it hands out freed objects, and dropping that list frees them
    # again (a cycle in the free list: the next collection loops forever). A module's names
    # live in its ``__dict__``, which the heap holds on its own.
    heap = [
        obj
        for obj in gc.get_objects()
        if type(obj) not in _NODES and not isinstance(obj, types.ModuleType)
    ]
    found: list[Any] = []
    for start in range(0, len(heap), _SLICE):
        part = heap[start : start + _SLICE]
        if ids.isdisjoint(map(id, refers(*part))):
            continue
        found.extend(o for o in part if not ids.isdisjoint(map(id, refers(o))) and o is not objs)
    return found


def _held(ref: Any, target: dict[int, Any]) -> list[Any]:
    """The objects to redirect that ``ref`` holds where :func:`_redirect_in` can change them
    (or that an immutable wrapper holds), each once."""
    if isinstance(ref, dict):
        found = [v for v in ref.values() if id(v) in target]
        found += [k for k in ref if id(k) in target]
    elif isinstance(ref, list) or type(ref) is tuple:
        found = [v for v in ref if id(v) in target]
    elif isinstance(ref, types.CellType):
        try:
            contents = ref.cell_contents
        except ValueError:
            return []
        found = [contents] if id(contents) in target else []
    elif type(ref) is types.MethodType:
        found = [ref.__func__] if id(ref.__func__) in target else []
    elif type(ref) is functools.partial:
        found = [ref.func] if id(ref.func) in target else []
    else:
        return []
    if len(found) < 2:
        return found
    unique = {id(v): v for v in found}
    return list(unique.values())


def _redirect_holders(wrappers: dict[int, tuple[Any, Any]], journal: Journal) -> int:
    """Put each rebuilt wrapper where its old one is held (function defaults, dicts, lists,
    cells): one scan for all of them."""
    count = 0
    olds = tuple(ref for ref, _fresh in wrappers.values())
    for holder in referrers(olds):
        if holder is olds or journal.owns(holder) or isinstance(holder, types.FrameType):
            continue
        if isinstance(holder, types.FunctionType):
            pair = wrappers.get(id(holder.__defaults__))
            if pair is not None and holder.__defaults__ is pair[0]:
                journal.setattr(holder, "__defaults__", pair[1])
                count += 1
        elif isinstance(holder, dict | list | types.CellType):
            for ref in _held(holder, wrappers):
                count += _redirect_in(holder, ref, wrappers[id(ref)][1], journal)
    return count


def _redirect_in(ref: Any, old: Any, new: Any, journal: Journal) -> int:
    """Point ``ref``'s references to ``old`` at ``new``: ``ref`` a dict (values and keys), a
    list, a cell or a ``partial``."""
    count = 0
    if isinstance(ref, dict):
        for key, value in list(ref.items()):
            if value is old:
                journal.setitem(ref, key, new)
                count += 1
            if key is old:
                held = ref[key]  # (``new`` already, when the value was ``old`` too)
                journal.delitem(ref, key)
                journal.setitem(ref, new, held)
                count += 1
    elif isinstance(ref, list):
        saved = list(ref)
        if any(value is new for value in saved):
            # Already registered (``__init_subclass__`` appending every subclass): drop the
            # duplicate the re-run added instead of registering the kept object twice.
            items = [value for value in saved if value is not old]
        else:
            items = [new if value is old else value for value in saved]
        if len(items) != len(saved) or any(a is not b for a, b in zip(items, saved, strict=True)):
            journal.restore_list_on_rollback(ref, saved)  # (the record first, then the change)
            ref[:] = items
            count += 1
    elif isinstance(ref, types.CellType):
        with contextlib.suppress(ValueError):
            if ref.cell_contents is old:
                journal.set_cell(ref, new)
                count += 1
    elif type(ref) is functools.partial and ref.func is old:
        state = ref.__reduce__()[2]
        setstate: Callable[[Any], None] = ref.__setstate__  # type: ignore[attr-defined]
        journal.on_rollback(functools.partial(setstate, state))
        setstate((new, *state[1:]))
        count += 1
    return count


# Replaced functions that weak references still point at, kept while their replacement lives:
# id(replacement) -> (weak reference to it, the functions that forward to it).
_FORWARDING: dict[int, tuple[weakref.ref[types.FunctionType], list[types.FunctionType]]] = {}
_TARGET = "__hotswap_target__"
_KINDS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def _dropped(ref: weakref.ref[types.FunctionType]) -> None:
    """A replacement died: the functions forwarding to it go too. (Every weak reference
    hotswap makes has this callback: that is how :func:`_theirs` tells them apart.)"""
    for key, (held, _olds) in list(_FORWARDING.items()):
        if held is ref:
            del _FORWARDING[key]


def _theirs(obj: Any) -> int:
    """How many weak references to ``obj`` someone other than hotswap holds."""
    return sum(1 for ref in weakref.getweakrefs(obj) if ref.__callback__ is not _dropped)


def forward_weak_callers(old: Any, new: Any, journal: Journal) -> int:
    """Weak references to ``old`` (replaced by ``new``): how many of them are left that will
    die with it. A function's weak callers are kept working (see the module docstring): 0."""
    if not weakref.getweakrefcount(old) or isinstance(old, type):
        return 0  # (classes: the runtime's own caches hold them weakly; replacing one warns)
    if not (isinstance(old, types.FunctionType) and isinstance(new, types.FunctionType)):
        return weakref.getweakrefcount(old)
    entry = _FORWARDING.get(id(old))
    if entry is not None and entry[0]() is old:
        # ``old`` replaced an earlier function that weak callers hold: that one forwards to
        # ``new`` now, so replacements do not chain up (one kept function per weak target).
        earlier = entry[1]
        for func in earlier:
            again = _forwarding_code(func.__code__, new)
            if again is not None:
                journal.setattr(func, "__code__", again)
                journal.setattr(func, "__wrapped__", new)
        _keep(new, earlier, journal)
        journal.on_rollback(functools.partial(_FORWARDING.__setitem__, id(old), entry))
        del _FORWARDING[id(old)]
    if not _theirs(old):
        return 0
    code = _forwarding_code(old.__code__, new)
    if code is None:
        return _theirs(old)
    journal.setattr(old, "__code__", code)
    journal.setattr(old, "__wrapped__", new)  # ``inspect.signature`` shows the new one
    _keep(new, [old], journal)
    return 0


def _keep(new: types.FunctionType, olds: list[types.FunctionType], journal: Journal) -> None:
    entry = _FORWARDING.get(id(new))
    if entry is None or entry[0]() is not new:
        entry = _FORWARDING[id(new)] = (weakref.ref(new, _dropped), [])
    journal.on_rollback(functools.partial(_forget, entry[1], olds))  # (record first)
    entry[1].extend(olds)


def _forget(kept: list[types.FunctionType], olds: list[types.FunctionType]) -> None:
    for func in olds:
        with contextlib.suppress(ValueError):  # (never added: interrupted before the change)
            kept.remove(func)


def _forwarding_code(code: types.CodeType, new: types.FunctionType) -> types.CodeType | None:
    """Code of the kind of ``code`` (plain, generator, coroutine), with its free variables
    (a function's closure cannot change), that calls what a weak reference to ``new`` holds."""
    kind = code.co_flags & _KINDS
    free = code.co_freevars
    call = f"{_TARGET}()(*args, **kwargs)"
    if kind == inspect.CO_ASYNC_GENERATOR:
        body = [f"async for item in {call}:", "    yield item"]
    elif kind == inspect.CO_COROUTINE:
        body = [f"return await {call}"]
    elif kind == inspect.CO_GENERATOR:
        body = [f"return (yield from {call})"]
    else:
        body = [f"return {call}"]
    keyword = "async def" if kind & (inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR) else "def"
    lines = ["def outer():"]
    if free:
        lines.append("    " + " = ".join(free) + " = None")
    lines.append(f"    {keyword} forward(*args, **kwargs):")
    if free:  # never runs; makes them free variables of ``forward``, as of the old code
        lines.append("        if False:\n            (" + ", ".join(free) + ",)")
    lines.append(f"        {_TARGET} = {_TARGET!r}")
    lines.extend("        " + line for line in body)
    module = compile("\n".join(lines) + "\n", code.co_filename, "exec", dont_inherit=True)
    outer = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    forward = next(c for c in outer.co_consts if isinstance(c, types.CodeType))
    if forward.co_freevars != free:
        return None
    # The placeholder string becomes the weak reference itself: the code holds no strong
    # reference to ``new``, so nothing here keeps a replacement alive.
    target = weakref.ref(new, _dropped)
    consts = tuple(target if c == _TARGET else c for c in forward.co_consts)
    return forward.replace(
        co_consts=consts,
        co_name=code.co_name,
        co_qualname=code.co_qualname,
        co_firstlineno=new.__code__.co_firstlineno,
    )


def rebound_to(value: Any, rebinds: list[tuple[str, Any, Any]]) -> Any:
    """What the name that held ``value`` holds after the walk: ``f = twice(f)`` below a
    replaced ``def f`` rebinds ``f`` again, and the holders of the old ``f`` get the wrapper,
    as a fresh ``from m import f`` would."""
    for _name, before, after in rebinds:
        if before is value and after is not MISSING:
            value = after
    return value


def net_rebinds(rebinds: list[tuple[str, Any, Any]]) -> list[tuple[str, Any, Any]]:
    """One entry per chain of rebinds of a name (``f`` replaced, then ``f = twice(f)``): from
    what it held before the save, which importers and sessions hold, to what it holds now."""
    out: list[tuple[str, Any, Any]] = []
    last: dict[str, int] = {}
    for name, before, after in rebinds:
        at = last.get(name)
        if at is not None and out[at][2] is before:
            out[at] = (name, out[at][1], after)
        else:
            last[name] = len(out)
            out.append((name, before, after))
    return out
