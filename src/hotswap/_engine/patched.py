"""What patching takes from the walk and gives back to it (see :mod:`hotswap._engine.patch`).

The transaction tells the patcher what it knows of the class statements it runs again
(:class:`ClassPlan`); each patch returns what it did besides the object the name is to hold
(:class:`Patched`), and what the walk acts on after all patches accumulates in a
:class:`PatchLog` (objects that could not be kept, inner code that changed, what got new lines).
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any

_SCALARS = frozenset({int, float, complex, str, bytes, bool, type(None)})


def same_scalar(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are equal values of one scalar type (a body run again made
    another ``10**6`` or ``"abc"``): what read the old one computes nothing else with it."""
    return type(a) is type(b) and type(a) in _SCALARS and a == b


@dataclass
class ClassPlan:
    """What the walk knows of the class statements it runs again, by class qualname, for
    patching their classes (filled as the walk goes, from the statement diff)."""

    # Class-body names whose statements did not change: the live value stays (state).
    keep: dict[str, frozenset[str]] = field(default_factory=dict)
    # Names the class body no longer binds: the only members (but dunders) that may go.
    removed: dict[str, frozenset[str]] = field(default_factory=dict)
    # Class-body defs sharing a name, paired in order: (old line, new line) by name.
    shadowed: dict[str, dict[str, list[tuple[int, int]]]] = field(default_factory=dict)
    # Classes whose fresh body ran without bases (see ``ClassBodies._class_node``): the kept
    # class keeps its bases, metaclass and layout.
    body_only: set[str] = field(default_factory=set)


@dataclass
class Patched:
    """What one patch did, besides the changes and warnings it reported."""

    value: Any  # what the name should hold: the old object, patched, or the new one
    # Members of kept classes, and attributes of kept functions, that now hold another value
    # (``Level.HIGH`` re-created, ``K.X = LIMIT`` run again, ``fn.tag`` set by a decorator
    # that changed): (dotted name, old, new), read by the dataflow as ``Level.HIGH`` and
    # sent to importers (``Y = K.X`` there runs again).
    member_rebinds: list[tuple[str, Any, Any]]
    # Other members that now hold another value (``C.A = K`` re-run), run other code or went
    # away: read by the dataflow and by cache clearing as ``C.A``.
    changed_attributes: list[str]
    # Members whose code changed and had run (``K.from_env``): an importer whose import-time
    # code calls one (``SETTINGS = K.from_env()``) runs again.
    members_recoded: list[str] = field(default_factory=list)


@dataclass
class PatchLog:
    """What the patches of one transaction did that the walk acts on after them."""

    # (old, new): identity could not be kept; what holds the old one is to hold the new one.
    replaced: list[tuple[Any, Any]] = field(default_factory=list)
    # Inner code objects the edit changed (id of the old one -> old, new): closures made
    # before the edit get the new code (see ``Patcher.retarget_closures``).
    nested: dict[int, tuple[types.CodeType, types.CodeType]] = field(default_factory=dict)
    # Functions and classes given their new lines in this reload (ids; see shift_objects).
    placed: set[int] = field(default_factory=set)
