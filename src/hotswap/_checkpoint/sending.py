"""What a module's change sends to each of its importers, worked out from the importer's
imports and namespace: the values to bind (``preset``), the names whose value changed
(:func:`dirty_names`) or whose code behaves differently (:func:`recoded_aliases`), and, while a
propagation runs, what each importer reached waits to run with (:class:`Waiting`).

Below :mod:`.importers`, which walks the importers and decides when each one runs.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

from hotswap._detect.tracker import Record
from hotswap._engine.affected import SUBCLASS_HOOK
from hotswap._engine.journal import MISSING
from hotswap._engine.plan import FromImport
from hotswap._engine.propagate import exports
from hotswap._engine.source import ParsedSource


class Waiting:
    """An importer reached by a propagation, and what its sources sent it (merged)."""

    __slots__ = ("dirty", "parsed", "preset", "recoded", "record", "sent", "sources", "target")

    def __init__(self, record: Record, target: types.ModuleType, sources: set[str]) -> None:
        self.record, self.target, self.sources = record, target, sources
        self.parsed: ParsedSource | None = None
        self.preset: dict[str, Any] = {}
        self.recoded: set[str] = set()
        self.dirty: set[str] = set()
        self.sent: list[tuple[str, set[str]]] = []  # (source, names) for ``sent``, once run


def dirty_names(
    preset: dict[str, Any],
    imports: list[FromImport],
    source: str,
    rebinds: list[tuple[str, Any, Any]],
) -> set[str]:
    """The importer's names whose value changed: those ``preset`` binds, and ``Level.HIGH``
    through ``from m import Level`` for a rebound ``Level.HIGH`` of ``m``."""
    dirty = set(preset)
    for imp in imports:
        if imp.source == source and imp.name != "*":
            prefix = imp.name + "."
            dirty.update(
                imp.alias + "." + name[len(prefix) :]
                for name, _old, _new in rebinds
                if name.startswith(prefix)
            )
    return dirty


def own_definition(value: Any, module: str) -> bool:
    """Whether ``value`` is a function or class that ``module`` defines."""
    return isinstance(value, types.FunctionType | type) and value.__module__ == module


def star_value(imports: list[FromImport], gone_from: str, name: str) -> Any:
    """What the last star import of another module than ``gone_from`` binds ``name`` to."""
    for imp in reversed(imports):
        if imp.name != "*" or imp.source == gone_from:
            continue
        module = sys.modules.get(imp.source)
        if module is None:
            continue
        namespace = vars(module)
        if name in namespace and name in exports({name}, namespace.get("__all__")):
            return namespace[name]
    return MISSING


def recoded_aliases(
    imports: list[FromImport],
    source: str,
    source_ns: dict[str, Any],
    by_head: dict[str, list[str]],
    target_ns: dict[str, Any],
) -> set[str]:
    """The importer's names that hold a function of ``source`` whose code changed: an alias of
    ``from source import f`` or a name a ``from source import *`` brought in (``C.attr`` for
    a recoded ``C.attr`` of a class ``C`` it holds). ``by_head``: the recoded names of
    ``source`` by first part (``by_first_name``)."""
    mine = [imp for imp in imports if imp.source == source]
    if not mine:
        return set()
    out: set[str] = set()
    for imp in mine:
        pairs = ((h, h) for h in by_head) if imp.name == "*" else [(imp.name, imp.alias)]
        for head, alias in pairs:
            tails = by_head.get(head)
            if tails and alias in target_ns and target_ns[alias] is source_ns.get(head):
                out.update(alias + tail for tail in tails)
    return out


def may_hook(namespace: dict[str, Any], recoded: set[str]) -> bool:
    """Whether a ``__init_subclass__`` of the module's classes can be among what behaves
    differently: one of them defines one, or one already is. Else the module's code need not
    be read for it (a save that moves a thousand functions read all of them)."""
    if any(n.endswith(SUBCLASS_HOOK) for n in recoded):
        return True
    return any(
        isinstance(value, type) and "__init_subclass__" in value.__dict__
        for value in list(namespace.values())
    )


def sent_key(name: str) -> str:
    """What :attr:`_Propagation.sent` records of a changed name: ``f`` for ``f`` itself,
    ``f.`` for any attribute path under it. Not whole names: a path that goes round an import
    cycle through module names (``a.b.a.b.f``) grows without end, while these are finite."""
    head, dot, _rest = name.partition(".")
    return head + dot


def holds_other(namespace: dict[str, Any], prefix: str, module: object) -> bool:
    """Whether ``prefix`` (``s``, ``a.b``) is bound in ``namespace`` to something other than
    ``module``. A name it does not bind (an import inside a function) may still name it."""
    head, _dot, rest = prefix.partition(".")
    value = namespace.get(head, MISSING)
    for part in rest.split(".") if rest else ():
        if value is MISSING or value is module:
            break
        if not isinstance(value, types.ModuleType):
            return True
        value = value.__dict__.get(part, MISSING)  # (not ``getattr``: no module ``__getattr__``)
    return value is not MISSING and value is not module


def by_first_name(recoded: set[str]) -> dict[str, list[str]]:
    """``{"C": [".m", ".n"], "f": [""]}`` for ``{"C.m", "C.n", "f"}``."""
    by_head: dict[str, list[str]] = {}
    for name in recoded:
        head, dot, rest = name.partition(".")
        by_head.setdefault(head, []).append(dot + rest)
    return by_head


def settle_missing(
    preset: dict[str, Any],
    parsed: ParsedSource,
    every: Callable[[], list[FromImport]],
    source: str,
    target_ns: dict[str, Any],
) -> None:
    """The names ``preset`` would remove from the importer (``MISSING``) that it keeps.
    ``every``: the importer's from-imports, parsed (asked only if a name is still missing)."""
    # A name the importer binds itself (``import functools`` next to a star import
    # of a module that also had it) is its own: a star import does not take it away.
    own = parsed.bound_names()
    for name in [n for n, v in preset.items() if v is MISSING and n in own]:
        del preset[name]
    # Another star import of the importer still brings the name (``functools`` from
    # both ``from a import *`` and ``from b import *``): its value stays, or becomes
    # it.
    missing = [n for n, v in preset.items() if v is MISSING]
    if not missing:
        return
    imports = every()
    for name in missing:
        still = star_value(imports, source, name)
        if still is target_ns.get(name, MISSING):
            del preset[name]
        elif still is not MISSING:
            preset[name] = still
