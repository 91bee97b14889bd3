"""Functions reachable from an object, and line numbers moved without new code.

:func:`functions_in` walks the shapes decorators make (``__wrapped__`` chains, closure cells,
``staticmethod``, ``property``, ``partial``, ``singledispatch`` registries) to the functions
inside; :func:`shift_objects` gives the functions of a statement that only moved code objects
with the new line numbers (hundreds at once when lines are added near the top of a module),
and pairs the inner code objects that closures made before the edit still run.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import types
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from hotswap._engine.journal import Journal


def functions_in(
    obj: Any, path: str | None = None, depth: int = 0, nested_only: bool = False
) -> Iterator[types.FunctionType]:
    """Functions reachable from ``obj`` the way decorators nest them (optionally from ``path``).

    ``nested_only``: a class reached through a function (a decorator's closure holding the
    class its method belongs to) is entered only when it is defined inside ``obj`` (its
    qualified name says so): the functions *defined in* ``obj``'s lines, for shifting them,
    without walking the whole class from each of its methods.
    """
    root = getattr(obj, "__qualname__", None) if nested_only else None
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(obj, depth)]
    while stack:
        current, level = stack.pop()
        if id(current) in seen or level > 8:
            continue
        seen.add(id(current))
        if isinstance(current, types.FunctionType):
            if path is None or current.__code__.co_filename == path:
                yield current
            stack.extend((held, level + 1) for held in _held_by(current))
        elif isinstance(current, functools.singledispatchmethod):
            stack.append((current.dispatcher, level + 1))
            stack.append((current.func, level + 1))
        elif isinstance(current, staticmethod | classmethod):
            stack.append((current.__func__, level + 1))
        elif isinstance(current, property):
            stack.extend((f, level + 1) for f in (current.fget, current.fset, current.fdel) if f)
        elif isinstance(current, type):
            # A class's own members; classes it refers to only when they come from ``path``.
            if level == depth or path is None or _defined_in(current, path):
                if nested_only and level != depth and not _nested_in(current, root):
                    continue
                stack.extend((v, level + 1) for v in list(vars(current).values()))
        elif isinstance(current, functools.partial | functools.cached_property):
            stack.append((current.func, level + 1))
        else:
            wrapped = getattr(current, "__wrapped__", None) if is_code_like(current) else None
            if wrapped is not None:
                stack.append((wrapped, level + 1))


def _held_by(func: types.FunctionType) -> list[Any]:
    """What a function holds that decorators nest: its cells' contents, a ``singledispatch``
    function's registered functions, what ``functools.wraps`` recorded it wraps."""
    out = []
    for cell in func.__closure__ or ():
        with contextlib.suppress(ValueError):  # an empty cell
            out.append(cell.cell_contents)
    registry = func.__dict__.get("registry")
    if type(registry) is types.MappingProxyType:  # a ``singledispatch`` function
        out.extend(list(registry.values()))
    wrapped = func.__dict__.get("__wrapped__")
    if wrapped is not None:
        out.append(wrapped)
    return out


def _nested_in(cls: type, root: str | None) -> bool:
    """Whether ``cls`` was defined inside the object named ``root`` (or inside a function)."""
    qualname = cls.__qualname__
    return "<locals>" in qualname or (root is not None and qualname.startswith(root + "."))


def redirect_class_cells(new: type, old: type) -> None:
    """Point every ``__class__`` cell of functions created with ``new`` at ``old``."""
    for func in functions_in(new):
        code = func.__code__
        if "__class__" not in code.co_freevars or not func.__closure__:
            continue
        cell = func.__closure__[code.co_freevars.index("__class__")]
        try:
            if cell.cell_contents is new:
                cell.cell_contents = old
        except ValueError:
            pass


def shift_code(code: types.CodeType, delta: int) -> types.CodeType:
    """The same code ``delta`` lines further down (nested code objects too).

    Code objects store line numbers relative to ``co_firstlineno`` (the 3.11+ location
    table is delta-encoded from it), so moving the first line moves every line.
    """
    consts = tuple(
        shift_code(c, delta) if isinstance(c, types.CodeType) else c for c in code.co_consts
    )
    return code.replace(co_firstlineno=code.co_firstlineno + delta, co_consts=consts)


def shift_objects(
    items: Iterable[tuple[Any, int, int, int]],
    path: str,
    journal: Journal,
    nested: dict[int, tuple[types.CodeType, types.CodeType]],
    done: set[int],
) -> None:
    """For each ``(obj, first, last, delta)``: shift line numbers of the functions from ``path``
    in ``obj`` that were defined in lines ``first..last`` by ``delta``.

    Inner functions already made from the old code (``handler = make_handler()``) are listed in
    ``nested`` (old code -> shifted code) for :meth:`Patcher.retarget_closures`. ``done`` holds
    the ids of functions and classes this reload already gave their new lines (patched,
    shifted or relined): a statement below that binds the same object again (``from .m import
    C`` in a ``__main__`` block) must not move them a second time, now that their new lines may
    lie within its old ones.
    """
    funcs, codes = journal.moved_codes()
    add_func, add_code = funcs.append, codes.append
    function_type, code_type = types.FunctionType, types.CodeType
    for obj, first, last, delta in items:
        if type(obj) is function_type and obj.__closure__ is None and not obj.__dict__:
            # The common case (a plain function moved by an edit above it), without the walk:
            # nothing nested to pair, nothing wrapped, no class. Thousands move in a large module.
            code = obj.__code__
            line = code.co_firstlineno
            if code.co_filename != path or not first <= line <= last or id(obj) in done:
                continue
            if code_type not in map(type, code.co_consts):
                shifted = code.replace(co_firstlineno=line + delta)
            else:  # (a comprehension, a lambda or an inner function: each moves with it)
                shifted = shift_code(code, delta)
                pair_nested(code, shifted, nested)
            add_func(obj)  # the undo record first, then the change
            add_code(code)
            obj.__code__ = shifted
            done.add(id(obj))
            continue
        for func in functions_in(obj, path, nested_only=True):
            line = func.__code__.co_firstlineno
            if first <= line <= last and id(func) not in done:
                shifted = shift_code(func.__code__, delta)
                pair_nested(func.__code__, shifted, nested)
                journal.setattr(func, "__code__", shifted)
                done.add(id(func))
        for cls in _classes_in(obj, path):
            start = cls.__dict__.get("__firstlineno__")
            if isinstance(start, int) and first <= start <= last and id(cls) not in done:
                journal.setattr(cls, "__firstlineno__", start + delta)
                done.add(id(cls))


def _reference_counts(nested: dict[int, tuple[types.CodeType, types.CodeType]]) -> list[int]:
    return [sys.getrefcount(old) for old, _new in nested.values()]


_UNUSED: list[int] = []


def _unused_count() -> int:
    """The reference count :func:`_reference_counts` gives for an inner code that only its
    outer code's constants and the ``nested`` map hold (what ``pair_nested`` leaves)."""
    if not _UNUSED:
        module = compile("def outer():\n    def inner():\n        pass\n", "<hotswap>", "exec")
        outer = next(c for c in module.co_consts if isinstance(c, types.CodeType))
        nested: dict[int, tuple[types.CodeType, types.CodeType]] = {}
        pair_nested(outer, shift_code(outer, 1), nested)
        _UNUSED.append(_reference_counts(nested)[0])
    return _UNUSED[0]


# Whether reference counts prove who holds an object: not on free-threaded builds, which defer
# and split them (``known_users`` here, ``redirect``'s class twins).
COUNTED = getattr(sys, "_is_gil_enabled", lambda: True)() is not False

# The functions a heap scan found running an inner code and gave its new code, by the id of
# the code they run now: the next save that moves that code again finds them here, and needs no
# scan when they account for every reference to it (see :func:`known_users`). Weak both ways.
_USERS: dict[int, tuple[weakref.ref[types.CodeType], list[weakref.ref[types.FunctionType]]]] = {}


def known_users(
    nested: dict[int, tuple[types.CodeType, types.CodeType]],
) -> list[types.FunctionType] | None:
    """The functions made before the edit that run the old inner codes of ``nested``: [] when
    none may, the ones a scan found before (:func:`remember_users`) when they are all of them,
    else None (a scan of the heap must find them).

    Every function object holds a reference to its code. An old inner code held only by the
    constants of its old outer code and by ``nested`` has the reference count of a code that
    no function uses (measured once, the same way, by :func:`_unused_count`): then no closure
    made from it is alive. A code whose count is that plus the number of known functions still
    running it has no other user; anything else holding it (a closure made since, a running
    frame, a tracer) makes the count higher, and the scan runs.
    """
    if not COUNTED:
        return None
    unused = _unused_count()
    counts = _reference_counts(nested)
    if all(count <= unused for count in counts):
        return []
    users: list[types.FunctionType] = []
    for (old, _new), count in zip(nested.values(), counts, strict=True):
        if count == unused:
            continue
        entry = _USERS.get(id(old))
        if entry is None or entry[0]() is not old:
            return None
        mine = [f for ref in entry[1] if (f := ref()) is not None and f.__code__ is old]
        if count != unused + len(mine):
            return None
        users += mine
    return users


def local_users(
    nested: dict[int, tuple[types.CodeType, types.CodeType]],
    namespaces_for: Callable[[set[str]], list[dict[str, Any]]],
) -> list[types.FunctionType] | None:
    """The functions made before the edit that run the old inner codes of ``nested``, when the
    namespaces ``namespaces_for`` gives for the top-level names those codes lie in (the
    module's, and those of the modules that import them) hold every one of them: their values
    and their classes' members (a decorator wraps functions and methods in its inner function,
    and that wrapper is what a module and a class hold). Proven by the reference counts, as in
    :func:`known_users`; None when something else holds one (then the heap is scanned). A line
    added above such a decorator moves its inner code: the wrappers get the moved code without
    a scan of the heap (4-6 ms of rich's first save with a line added at the top of
    ``console.py``, whose ``group`` wraps methods of ``traceback.py``)."""
    if not COUNTED:
        return None
    unused = _unused_count()
    counts = _reference_counts(nested)
    used = {key for key, count in zip(nested, counts, strict=True) if count != unused}
    if not used:
        return []
    outers = {nested[key][0].co_qualname.partition(".")[0] for key in used}
    found: dict[int, types.FunctionType] = {}
    plain, wrappers = types.FunctionType, (staticmethod, classmethod)
    for namespace in namespaces_for(outers):
        name = namespace.get("__name__")
        for value in list(namespace.values()):
            kind = type(value)
            if kind is plain:
                if id(value.__code__) in used:
                    found[id(value)] = value
            elif isinstance(value, type) and getattr(value, "__module__", None) == name:
                for member in list(value.__dict__.values()):
                    func = member.__func__ if type(member) in wrappers else member
                    if type(func) is plain and id(func.__code__) in used:
                        found[id(func)] = func
    # (The ids are of codes ``nested`` holds, so a function whose code has one runs that code.)
    per_code: dict[int, int] = {}
    for func in found.values():
        key = id(func.__code__)
        per_code[key] = per_code.get(key, 0) + 1
    for key, count in zip(nested, counts, strict=True):
        if count != unused + per_code.get(key, 0):
            return None
    return list(found.values())


def remember_users(code: types.CodeType, functions: list[types.FunctionType]) -> None:
    """Remember the functions that now run ``code`` (see :func:`known_users`)."""
    key = id(code)

    def forget(ref: weakref.ref[types.CodeType]) -> None:
        entry = _USERS.get(key)
        if entry is not None and entry[0] is ref:
            del _USERS[key]

    _USERS[key] = (weakref.ref(code, forget), [weakref.ref(f) for f in functions])


def moved_only(old: types.CodeType, new: types.CodeType) -> bool:
    """Whether ``new`` is ``old`` moved by whole lines (code objects compare their lines)."""
    delta = new.co_firstlineno - old.co_firstlineno
    return bool(delta) and shift_code(old, delta) == new


def pair_nested(
    old: types.CodeType,
    new: types.CodeType,
    nested: dict[int, tuple[types.CodeType, types.CodeType]],
) -> None:
    for before, after in zip(old.co_consts, new.co_consts, strict=False):
        if isinstance(before, types.CodeType) and isinstance(after, types.CodeType):
            # Comprehension and generator-expression bodies never outlive their frame.
            if not before.co_name.startswith("<") or before.co_name == "<lambda>":
                nested[id(before)] = (before, after)
            pair_nested(before, after, nested)


def _classes_in(obj: Any, path: str) -> Iterator[type]:
    if isinstance(obj, type) and _defined_in(obj, path):
        yield obj
        for value in list(vars(obj).values()):
            if isinstance(value, type) and value.__qualname__.startswith(obj.__qualname__ + "."):
                yield from _classes_in(value, path)


def _defined_in(cls: type, path: str) -> bool:
    module = sys.modules.get(cls.__module__)
    return getattr(module, "__file__", None) == path


def is_code_like(obj: Any) -> bool:
    return callable(obj) or isinstance(
        obj, staticmethod | classmethod | property | functools.cached_property
    )


_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement


def defaults_differ(old: types.FunctionType, new: types.FunctionType) -> bool:
    """Whether calls that leave out arguments get other values from ``new`` than from ``old``."""
    for attr in ("__defaults__", "__kwdefaults__"):
        before, after = getattr(old, attr), getattr(new, attr)
        if before is after:
            continue
        try:
            if bool(before != after):
                return True
        except Exception:  # an array default compares elementwise: take it as changed
            return True
    return False


def same_definition(old: Any, new: Any) -> bool:
    """Whether ``new`` is the fresh run of the definition that made ``old`` (same module and
    qualified name; for classes, both made by class statements). Anything else is rebound."""
    if isinstance(old, types.FunctionType | type) or isinstance(new, types.FunctionType | type):
        if type(old) is not type(new) and not (isinstance(old, type) and isinstance(new, type)):
            return False
        if getattr(old, "__module__", None) != getattr(new, "__module__", None):
            return False
        if getattr(old, "__qualname__", None) != getattr(new, "__qualname__", None):
            return False
        if isinstance(old, type):
            return bool(old.__flags__ & _HEAPTYPE) and bool(new.__flags__ & _HEAPTYPE)
    return True


def first_line(obj: Any) -> int | None:
    for func in functions_in(obj) if obj is not None else ():
        return func.__code__.co_firstlineno
    line = getattr(obj, "__firstlineno__", None)
    return line if isinstance(line, int) else None
