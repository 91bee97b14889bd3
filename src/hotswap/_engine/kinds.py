"""Class kinds whose members are generated: enums, dataclasses, named tuples, slotted classes.

The class statement is re-run (with its member-generating decorators and metaclass), so the
fresh class holds what a fresh import would generate. These helpers move that onto the kept
class where the generic member-by-member patch is not enough:

- Enum: members live in the metaclass's maps (``_member_map_``, ``_value2member_map_``...) and
  the metaclass forbids reassigning them. A member whose name survives keeps its identity and
  takes the new value (unless the enum's values are immutable ``int``/``str`` instances and the
  value changed: then the new member object takes the name, re-classed to the kept enum).
- Dataclass: instances made before the edit get the defaults of fields that were added.
- Named tuples and ``__slots__`` layouts: old instances cannot change shape; they are counted
  for the warning (with the checkpoint's other instance work: ``batch.on_instances``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
from typing import Any

from hotswap._engine.batch import live_instances, on_instances
from hotswap._engine.journal import MISSING, Journal

# Names an enum class keeps in its own dict that describe its members.
ENUM_MAPS = frozenset(
    {
        "_member_map_",
        "_member_names_",
        "_value2member_map_",
        "_unhashable_values_",
        "_unhashable_values_map_",
    }
)


def is_enum_pair(old: type, new: type) -> bool:
    return isinstance(old, enum.EnumMeta) and isinstance(new, enum.EnumMeta)


def patch_enum(
    old: Any, new: Any, journal: Journal
) -> tuple[set[str], list[tuple[str, Any, Any]], list[tuple[str, Any]]]:
    """Move the members of ``new`` onto ``old``; return the names handled, the members
    re-created (name, old member, new member) and those kept whose value changed (name,
    member)."""
    immutable = old._member_type_ is not object
    kept: dict[str, Any] = {}  # canonical member name -> member object on ``old``
    recreated: list[tuple[str, Any, Any]] = []
    revalued: list[tuple[str, Any]] = []
    for name, fresh in new._member_map_.items():
        if fresh._name_ != name:
            continue  # an alias: resolved below
        before = old._member_map_.get(name)
        same_value = before is not None and type(before._value_) is type(fresh._value_)
        same_value = same_value and before._value_ == fresh._value_
        if before is not None and (not immutable or same_value):
            _take_state(before, fresh, journal)
            kept[name] = before
            if not same_value:
                revalued.append((name, before))
        else:
            _reclass(fresh, old)
            kept[name] = fresh
            if before is not None:
                recreated.append((name, before, fresh))

    def resolve(member: Any) -> Any:
        if member._name_ in kept and kept[member._name_]._value_ == member._value_:
            return kept[member._name_]
        _reclass(member, old)  # a pseudo-member (Flag combination)
        return member

    member_map = {name: resolve(member) for name, member in new._member_map_.items()}
    value_map = {value: resolve(member) for value, member in new._value2member_map_.items()}
    handled = set(member_map) | set(old._member_map_) | ENUM_MAPS
    for name in old._member_map_:
        if name not in member_map:
            journal.delattr(old, name)
    for name, member in member_map.items():
        journal.setattr(old, name, member)
    journal.setattr(old, "_member_map_", member_map)
    journal.setattr(old, "_member_names_", list(new._member_names_))
    journal.setattr(old, "_value2member_map_", value_map)
    for name in ("_unhashable_values_", "_unhashable_values_map_"):
        if name in vars(new):
            journal.setattr(old, name, vars(new)[name])
    return handled, recreated, revalued


def _take_state(before: Any, fresh: Any, journal: Journal) -> None:
    """The kept enum member ``before`` takes the state of ``fresh`` (its value among it)."""
    state = vars(before)
    for key in [k for k in state if k not in vars(fresh) and k != "__objclass__"]:
        journal.delitem(state, key)  # caches such as Flag's ``_inverted_``
    for key, value in vars(fresh).items():
        if key != "__objclass__":
            journal.setitem(state, key, value)


def _reclass(member: Any, cls: type) -> None:
    """A member made by the fresh enum class becomes a member of the kept one."""
    if type(member) is not cls:
        member.__class__ = cls
    if "__objclass__" in vars(member):
        member.__objclass__ = cls


def dataclass_fields(cls: type) -> dict[str, Any] | None:
    if not dataclasses.is_dataclass(cls):
        return None
    return {field.name: field for field in dataclasses.fields(cls)}


def fill_new_fields(cls: type, before: dict[str, Any], journal: Journal) -> int:
    """Give instances made before the edit the defaults of dataclass fields that were added."""
    after = dataclass_fields(cls) or {}
    added = [field for name, field in after.items() if name not in before]
    if not added:
        return 0
    missing = 0
    for obj in instances(cls):
        state = getattr(obj, "__dict__", None)
        if not isinstance(state, dict):
            continue
        for field in added:
            if field.name in state:
                continue
            if field.default is not dataclasses.MISSING:
                journal.setitem(state, field.name, field.default)
            elif field.default_factory is not dataclasses.MISSING:
                journal.setitem(state, field.name, field.default_factory())
            else:
                missing += 1
    return missing


def instances(cls: type) -> list[Any]:
    """Live instances of exactly ``cls``, now (one heap scan)."""
    return live_instances(frozenset({cls}))


def tuple_fields(cls: type) -> tuple[str, ...] | None:
    fields = cls.__dict__.get("_fields", MISSING)
    if issubclass(cls, tuple) and isinstance(fields, tuple):
        return fields
    return None


_NEVER_CACHES = frozenset(
    {
        types.FunctionType,
        types.ModuleType,
        types.BuiltinFunctionType,
        int,
        float,
        str,
        bytes,
        bool,
        type(None),
        tuple,
        list,
        dict,
        set,
        frozenset,
    }
)


def clear_caches_reading(
    namespace: dict[str, Any], names: set[str], path: str, journal: Journal
) -> None:
    """Drop results cached by code that calls a function whose behaviour changed: an
    ``lru_cache``/``cache`` function of the module, or a ``cached_property`` of its classes."""
    module = namespace.get("__name__")
    for value in list(namespace.values()):
        if type(value) in _NEVER_CACHES:
            continue  # most of a module: a failed attribute lookup on each would cost more
        if _is_cache(value):
            if _reads(getattr(value, "__wrapped__", None), names, path):
                value.cache_clear()
        elif isinstance(value, type) and getattr(value, "__module__", None) == module:
            cached = [
                attr
                for attr in list(vars(value).values())
                if isinstance(attr, functools.cached_property) and attr.attrname
            ]
            if not cached:
                continue  # most classes: no need to look at their bases
            # ``self.A`` reads ``C.A`` when ``C`` is the class or one of its bases.
            inherited = _changed_class_attributes(value, names, namespace)
            stale = [
                attr.attrname or ""
                for attr in cached
                if _reads(attr.func, names, path) or _reads(attr.func, inherited, path)
            ]
            if stale:
                drop_cached_values(value, set(stale), journal, module or "", path)


def clear_module_caches(namespace: dict[str, Any], path: str) -> None:
    """Empty every ``lru_cache``/``cache`` of the module's functions (after a failed reload)."""
    for value in list(namespace.values()):
        if type(value) in _NEVER_CACHES or not _is_cache(value):
            continue
        code = getattr(getattr(value, "__wrapped__", None), "__code__", None)
        if code is not None and code.co_filename == path:
            value.cache_clear()


def _is_cache(value: Any) -> bool:
    """An ``lru_cache``/``cache`` wrapper (or anything else offering ``cache_clear``)."""
    return callable(getattr(value, "cache_clear", None))


def _changed_class_attributes(cls: type, names: set[str], namespace: dict[str, Any]) -> set[str]:
    """The attributes named ``C.A`` in ``names`` where ``C`` is ``cls`` or one of its bases."""
    out = set()
    for name in names:
        owner, dot, attribute = name.partition(".")
        base = namespace.get(owner) if dot else None
        # The MRO, not ``issubclass``: that runs the base's ``__subclasscheck__`` (a Protocol
        # that is not runtime-checkable raises; an ABC's registrations are not inheritance).
        if isinstance(base, type) and base in cls.__mro__:
            out.add(attribute)
    return out


def _reads(func: Any, names: set[str], path: str) -> bool:
    code = getattr(func, "__code__", None)
    if code is None or code.co_filename != path:
        return False
    used = set(code.co_names)
    # ``a.K`` (read through ``import a``) shows in co_names as both ``a`` and ``K``.
    return any(all(part in used for part in name.split(".")) for name in names)


def drop_cached_values(
    cls: type, names: set[str], journal: Journal, module: str, path: str
) -> None:
    """Forget ``cached_property`` values on live instances of ``cls`` and its subclasses (at
    the end of the checkpoint, with its other instance work: one heap scan)."""
    classes = frozenset({cls, *subclasses(cls)})
    on_instances(classes, functools.partial(_forget, frozenset(names)), journal, module, path)


def _forget(names: frozenset[str], objects: list[Any], journal: Journal) -> None:
    for obj in objects:
        state = getattr(obj, "__dict__", None)
        if not isinstance(state, dict):
            continue
        for name in names:
            if name in state:
                journal.delitem(state, name)


def subclasses(cls: type) -> list[type]:
    """Every subclass of ``cls``, direct or not (``type.__subclasses__``, not a metaclass's)."""
    out: list[type] = []
    stack: list[type] = list(type.__subclasses__(cls))
    while stack:
        sub = stack.pop()
        out.append(sub)
        stack.extend(type.__subclasses__(sub))
    return out


def swap_type_links(old: type, new: type, journal: Journal) -> str | None:
    """Give ``old`` the bases and metaclass of ``new``; say why not if the runtime refuses."""
    if _layout(old) != _layout(new):
        return (
            "instance layout (__slots__ or base layout) changed; new instances use the new "
            "class, instances created before keep the old one"
        )
    bases = old.__bases__
    if bases != new.__bases__:
        try:
            journal.setattr(old, "__bases__", new.__bases__)
        except TypeError as exc:
            return f"bases changed and cannot be swapped in place ({exc})"
    if type(old) is not type(new):
        try:
            journal.setattr(old, "__class__", type(new))
        except TypeError as exc:
            if old.__bases__ is not bases:
                journal.setattr(old, "__bases__", bases)  # (it stays the old class)
            return f"metaclass changed and cannot be swapped in place ({exc})"
    return None


def _layout(cls: type) -> tuple[Any, ...]:
    slots = cls.__dict__.get("__slots__", None)
    if isinstance(slots, str):
        slots = (slots,)
    return (
        tuple(slots) if slots is not None else None,
        cls.__basicsize__,
        cls.__itemsize__,
        cls.__dictoffset__,
        cls.__weakrefoffset__,
    )
