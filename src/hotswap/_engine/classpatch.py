"""Patching a kept class from its freshly executed counterpart: the class part of
:class:`hotswap._engine.patch.Patcher` (members, bases and metaclass, enums, dataclass
fields, ABCs)."""

from __future__ import annotations

import abc
import contextlib
import functools
import types
from collections.abc import Callable
from typing import Any

from hotswap._detect.creation import held_names, names_of, remember
from hotswap._engine.batch import on_instances, redirect_after_commit
from hotswap._engine.functions import first_line, functions_in, is_code_like, redirect_class_cells
from hotswap._engine.graves import Graves
from hotswap._engine.journal import MISSING, Journal, class_dict
from hotswap._engine.kinds import (
    dataclass_fields,
    drop_cached_values,
    fill_new_fields,
    is_enum_pair,
    patch_enum,
    subclasses,
    swap_type_links,
    tuple_fields,
)
from hotswap._engine.making import made_by
from hotswap._engine.patched import ClassPlan, Patched, PatchLog, same_scalar
from hotswap._engine.relines import orphan
from hotswap._engine.uses import never_called
from hotswap._report import Change, Problem

# Class members that belong to the class object itself, not to the source.
_CLASS_INTERNALS = frozenset(
    {"__dict__", "__weakref__", "_abc_impl", "__abstractmethods__", "__slotnames__"}
)
# Made by class creation from a class's bases, not its body: ``class C(Generic[T])`` records
# ``__orig_bases__``, and ``Generic.__init_subclass__`` sets ``__parameters__``.
_FROM_BASES = frozenset({"__orig_bases__", "__parameters__"})


class ClassPatching:
    """Class patching; :class:`hotswap._engine.patch.Patcher` adds functions and the dispatch."""

    journal: Journal
    module: str
    path: str
    changes: list[Change]
    warnings: list[Problem]
    graves: Graves
    classes: ClassPlan
    log: PatchLog
    _memo: dict[tuple[int, int], Any]
    stale_cached: set[str]
    _keep_cells: bool
    _member_rebinds: list[tuple[str, Any, Any]]
    _changed_attributes: list[str]
    _recoded: list[str]  # (``Patched.members_recoded``)

    def _value(self, old: Any, new: Any, qualname: str) -> Any:
        raise NotImplementedError  # the dispatch, in Patcher

    def _done(self, value: Any) -> Patched:
        """The result of one patch: ``value`` and what it did to members, handed over."""
        done = Patched(value, self._member_rebinds, self._changed_attributes, self._recoded)
        self._member_rebinds, self._changed_attributes, self._recoded = [], [], []
        return done

    def _restore(self, qualname: str, new: Any) -> Any:
        """What an added ``qualname`` binds: the object an earlier save removed under that
        name, patched from ``new`` (identity kept for those who held it), or ``new``."""
        kept = self.graves.take(qualname)
        if kept is None:
            return new
        before = len(self.changes)
        result = self._value(kept, new, qualname)
        if result is kept:
            self.graves.raised.add(qualname)
            # Reported as added (by the caller), not as patched.
            self.changes[before:] = [c for c in self.changes[before:] if c.qualname != qualname]
        return result

    def _forget_cached(self, current: Any, result: Any) -> None:
        """A ``cached_property`` that became something else or went away: what it cached in
        instances' ``__dict__`` would shadow the new member (or keep a removed name alive)."""
        if (
            isinstance(current, functools.cached_property)
            and current.attrname
            and not isinstance(result, functools.cached_property)
        ):
            self.stale_cached.add(current.attrname)

    def _class(self, old: type, new: type, qualname: str) -> Any:
        if qualname in self.classes.body_only:
            problem = None if _own_slots(old) == _own_slots(new) else "__slots__ changed"
        else:
            problem = swap_type_links(old, new, self.journal)
        if problem is not None:
            _warn_counted(self, old, new, functools.partial(_replaced, f"{qualname}: {problem}"))
            self.log.replaced.append((old, new))
            self._change(qualname, "replaced", new)
            return new
        self._memo[(id(old), id(new))] = old
        redirect_class_cells(new, old)
        handled = self._enum(old, new, qualname) if is_enum_pair(old, new) else None
        fields_before = dataclass_fields(old)
        tuple_before = tuple_fields(old)
        self._pair_shadowed(old, new, qualname)
        touched = self._take_members(old, new, qualname, handled or set())
        touched = self._drop_members(old, new, qualname, handled or set()) or touched
        if qualname not in self.classes.body_only:  # (a stand-in made without its bases)
            self._made_like(old, new)
        if self.stale_cached:
            self._drop_cached_values(old)
        _field_warnings(self, old, new, qualname, fields_before, tuple_before)
        if isinstance(old, abc.ABCMeta):
            refresh_abc(old, self.journal)
        if touched or handled is not None:
            self._change(qualname, "patched", old)
            invalidate_abc_negative_caches()
        return old

    def _enum(self, old: type, new: type, qualname: str) -> set[str]:
        """The members of an enum class (see :func:`hotswap._engine.kinds.patch_enum`); the
        names it handled."""
        handled, recreated, revalued = patch_enum(old, new, self.journal)
        for member, kept in revalued:  # (``Y = E.A.value`` in an importer read the old value)
            self._member_rebinds.append((f"{qualname}.{member}", kept, kept))
        for member, before, fresh in recreated:
            self._member_rebinds.append((f"{qualname}.{member}", before, fresh))
            self._warn(
                new,
                f"{qualname}.{member}: the value of a member of an {_member_type(old)}"
                "-based enum changed; the member is a new object (the old one keeps its value)",
            )
        return handled

    def _take_members(self, old: type, new: type, qualname: str, handled: set[str]) -> bool:
        """Each member of the fresh class onto the kept one, but unchanged class-body values."""
        keep = self.classes.keep.get(qualname, frozenset())
        touched = False
        for name, incoming in list(new.__dict__.items()):
            if name in _CLASS_INTERNALS or name in handled:
                continue
            if isinstance(incoming, types.MemberDescriptorType):
                continue
            current = old.__dict__.get(name, MISSING)
            if current is not MISSING and name in keep and not is_code_like(current):
                continue  # unchanged class-body statement: keep the live value (state)
            touched = self._member(old, name, incoming, qualname) or touched
        return touched

    def _drop_members(self, old: type, new: type, qualname: str, handled: set[str]) -> bool:
        """Members of the kept class the fresh one lacks and its body made: they go."""
        removable = self.classes.removed.get(qualname)
        made: frozenset[str] | None = None  # what its making set (see _detect.creation)
        touched = False
        for name in list(old.__dict__):
            if name in new.__dict__ or name in _CLASS_INTERNALS or name in handled:
                continue
            dunder = name.startswith("__") and name.endswith("__")
            if removable is not None and name not in removable and not dunder:
                if made is None:  # (a stand-in made without bases: its making set nothing)
                    stand_in = qualname in self.classes.body_only
                    made = frozenset() if stand_in else made_by(old, self.module, self.path)
                if name not in made:
                    # Set from outside the class body: not ours to remove. (Dunders missing from
                    # the fresh class were made by its making or a decorator: ``__hash__ =
                    # None``.)
                    continue
            if name in _FROM_BASES and qualname in self.classes.body_only:
                # The body ran without the bases: what class creation made from them is still
                # right (the stand-in class lacks it).
                continue
            if isinstance(old.__dict__[name], types.MemberDescriptorType):
                continue
            self._remove_member(old, name, qualname, old.__dict__[name])
            touched = True
        return touched

    def _made_like(self, old: type, new: type) -> None:
        """``old`` now holds what making ``new`` set: the next patch takes that back if the
        making after it no longer sets it (undone with the transaction)."""
        before = held_names(old)
        remember(old, names_of(new))
        self.journal.on_rollback(functools.partial(remember, old, before))

    def _remove_member(self, old: type, name: str, qualname: str, value: Any) -> None:
        self._forget_cached(value, MISSING)
        self._changed_attributes.append(f"{qualname}.{name}")
        self.graves.bury(self.module, f"{qualname}.{name}", value)
        self._orphan(value)
        self.journal.delattr(old, name)
        self._change(f"{qualname}.{name}", "removed", None)

    def _pair_shadowed(self, old: type, new: type, qualname: str) -> None:
        """Patch each old function of a name several class-body ``def``s bind with the new
        function of the def it pairs with (the n-th with the n-th; found by first line), and
        let what holds the new one (a fresh registry, a property) hold the patched old one.
        The class dict keeps the one the last new ``def`` pairs with (or the new one)."""
        shadowed = self.classes.shadowed.pop(qualname, None)
        if not shadowed:
            return
        olds = self._functions_by_line(old, shadowed)
        news = self._functions_by_line(new, shadowed)
        pairs: list[tuple[Any, Any]] = []
        for name, lines in shadowed.items():
            for old_line, new_line in lines:
                before = olds.get((name, old_line))
                after = news.get((name, new_line))
                if before is None or after is None:
                    continue
                if self._value(before, after, f"{qualname}.{name}") is before:
                    pairs.append((after, before))
            last = new.__dict__.get(name)
            current = old.__dict__.get(name)
            if isinstance(last, types.FunctionType) and current is not None:
                paired = next((b for a, b in pairs if a is last), last)
                self._memo[(id(current), id(last))] = paired
        # Not redirected: the new class dict (the member loop updates the kept class from
        # it) and this method's own bookkeeping.
        own = [class_dict(new), pairs, olds, news, self._memo, *pairs]
        skip = {id(obj) for obj in own}
        redirect_after_commit(  # (at the end of the checkpoint: one scan for all)
            [(after, before, lambda ref: id(ref) in skip) for after, before in pairs],
            self.journal,
            self.module,
            self.path,
            own,
        )

    def _functions_by_line(
        self, cls: type, shadowed: dict[str, list[tuple[int, int]]]
    ) -> dict[tuple[str, int], types.FunctionType]:
        prefix = cls.__qualname__ + "."
        out = {}
        for func in functions_in(cls, self.path):
            code = func.__code__
            if code.co_name in shadowed and code.co_qualname == prefix + code.co_name:
                out[(code.co_name, code.co_firstlineno)] = func
        return out

    def _member(self, old: type, name: str, incoming: Any, qualname: str) -> bool:
        """Make member ``name`` of the kept class ``old`` the fresh ``incoming`` (patched in
        place where it can be); whether anything changed."""
        current = old.__dict__.get(name, MISSING)
        member = f"{qualname}.{name}"
        if current is MISSING:
            incoming = self._restore(member, incoming)
            self.journal.setattr(old, name, incoming)
            _set_name(incoming, old, name)
            if not name.startswith("__") or any(functions_in(incoming, self.path)):
                self._change(member, "added", incoming)  # ``__repr__`` too; not ``__hash__``
            return True
        before = len(self.changes)
        ran = is_code_like(current) and not never_called(current)  # (before its code is new)
        result = self._value(current, incoming, member)
        if self._code_changed_since(before):
            self._changed_attributes.append(member)  # ``self.m()`` now runs other code
            if ran:
                self._recoded.append(member)
        if result is current:
            return False
        if member not in self._changed_attributes:
            self._changed_attributes.append(member)  # ``foo = C.foo`` took the one it replaces
        self._forget_cached(current, result)
        self.journal.setattr(old, name, result)
        _set_name(result, old, name)
        if not is_code_like(incoming) and not name.startswith("__"):
            self._change(member, "rebound", result)
            self._changed_attributes.append(member)
            if not same_scalar(current, result):  # (importers: ``Y = K.X`` runs again)
                self._member_rebinds.append((member, current, result))
        return True

    def patch_members(
        self, old: type, fresh: type | None, names: list[str], removed: list[str], qualname: str
    ) -> Patched:
        """What :meth:`_class` does for the members ``names`` only: ``fresh`` is a stand-in
        class in which only the edited ``def`` statements ran; ``removed`` went from the body.
        (They are of a changed class statement: what their closures captured is new too.)"""
        self._keep_cells = False
        touched = False
        if fresh is not None:
            redirect_class_cells(fresh, old)
            for name in names:
                incoming = fresh.__dict__.get(name, MISSING)
                if incoming is not MISSING:
                    touched = self._member(old, name, incoming, qualname) or touched
        for name in removed:
            value = old.__dict__.get(name, MISSING)
            if name in names or value is MISSING:
                continue
            self._remove_member(old, name, qualname, value)
            touched = True
        if self.stale_cached:
            self._drop_cached_values(old)
        if names or removed:  # (a hook patched in place leaves ``touched`` False)
            if isinstance(old, abc.ABCMeta):
                refresh_abc(old, self.journal)  # ``__subclasshook__`` or abstract methods changed
            if touched:
                invalidate_abc_negative_caches()
        return self._done(old)

    def _orphan(self, value: Any) -> None:
        """A member left the source: what still holds its functions sees no other's lines."""
        orphan(functions_in(value, self.path, nested_only=True), self.path, self.journal)

    def _drop_cached_values(self, cls: type) -> None:
        names, self.stale_cached = self.stale_cached, set()
        drop_cached_values(cls, names, self.journal, self.module, self.path)

    def _code_changed_since(self, before: int) -> bool:
        """Whether a change recorded after the first ``before`` gave something other code."""
        return any(c.action in ("patched", "replaced") for c in self.changes[before:])

    def _warn(self, obj: Any, message: str) -> None:
        self.warnings.append(Problem(self.module, self.path, first_line(obj), message))

    def _change(self, qualname: str, action: Any, obj: Any) -> None:
        line = first_line(obj)
        where = f"{self.path}:{line}" if line else self.path
        self.changes.append(Change(self.module, qualname, action, where))


def _warn_counted(
    patching: ClassPatching, old: type, new: type, message: Callable[[int], str | None]
) -> None:
    """Warn what ``message`` makes of how many live instances ``old`` has (None: nothing to
    say), counted by the checkpoint's one heap scan, at its end."""
    then = functools.partial(_count, message)
    journal, module, path = patching.journal, patching.module, patching.path
    warning = on_instances(frozenset({old}), then, journal, module, path, first_line(new))
    if warning:
        patching._warn(new, warning)


def _count(message: Callable[[int], str | None], found: list[Any], _journal: Journal) -> str | None:
    return message(len(found))


def _replaced(prefix: str, count: int) -> str:
    return f"{prefix} ({count} live instance(s))"


def _old_fields(qualname: str, before: tuple[str, ...], count: int) -> str | None:
    if not count:
        return None
    return (
        f"{qualname}: fields changed; {count} instance(s) made before the "
        f"edit keep their old fields {before}"
    )


def _own_slots(cls: type) -> Any:
    return cls.__dict__.get("__slots__", None)


class _Invalidator(abc.ABC):  # noqa: B024 - exists only to be registered with
    pass


class _Registered:
    pass


def invalidate_abc_negative_caches() -> None:
    """Every ABC caches "``C`` is not a subclass"; a changed class may now be one.
    ``ABCMeta.register`` bumps the global invalidation counter that those caches check."""
    _Invalidator._abc_registry_clear()  # type: ignore[attr-defined]
    _Invalidator.register(_Registered)  # registering again bumps the counter; nothing grows


def _set_name(value: Any, owner: type, name: str) -> None:
    """What ``type.__new__`` does for each attribute: tell descriptors their owner and name."""
    hook = getattr(type(value), "__set_name__", None)
    if hook is not None:
        hook(value, owner, name)


def _member_type(enum_class: Any) -> str:
    return str(enum_class._member_type_.__name__)


def refresh_abc(cls: type, journal: Journal) -> None:
    """Recompute abstract methods of ``cls`` and its subclasses (base first) and reset
    their isinstance caches."""
    for klass in [cls, *subclasses(cls)]:
        # ``abc.update_abstractmethods`` sets the attribute itself: recorded before it runs.
        journal.record_attribute(klass, "__abstractmethods__")
        with contextlib.suppress(AttributeError, TypeError):
            abc.update_abstractmethods(klass)
        clear = getattr(klass, "_abc_caches_clear", None)
        if callable(clear):
            clear()


def _field_warnings(
    patching: ClassPatching,
    old: type,
    new: type,
    qualname: str,
    fields_before: dict[str, Any] | None,
    tuple_before: tuple[str, ...] | None,
) -> None:
    """Warn of instances made before the edit whose fields no longer match their class
    (dataclass fields without a default are filled where they can be; named tuples' are
    counted with the checkpoint's other instance work)."""
    if fields_before is not None and fill_new_fields(old, fields_before, patching.journal):
        patching._warn(
            new,
            f"{qualname}: instances made before the edit lack the new fields that have no default",
        )
    if tuple_before is not None and tuple_before != tuple_fields(old):
        _warn_counted(patching, old, new, functools.partial(_old_fields, qualname, tuple_before))
