"""The state the parts of a module transaction share, and what it reports.

:class:`hotswap._engine.transaction.Transaction` is a small core (run, attempt, the walk, the
outcome) over parts, each a module of its own: :mod:`~hotswap._engine.binding` (running a
statement, binding what it made), :mod:`~hotswap._engine.classbody` (class statements),
:mod:`~hotswap._engine.redecorate` (decorated definitions), :mod:`~hotswap._engine.writers`
(statements that write into objects others made), :mod:`~hotswap._engine.shifting` (line
numbers). Each part is a class in one chain of inheritance, from :class:`Walk` up to the
transaction, so that a part may call the parts below it and the type checker sees every field
they share: those are declared here, once. The dataflow state of a walk is an object of its own
(:class:`hotswap._engine.dataflow.Dataflow`); so is what patching knows and returns
(:mod:`hotswap._engine.patched`).
"""

from __future__ import annotations

import ast
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hotswap import _hooks as integrations
from hotswap._engine.dataflow import Dataflow
from hotswap._engine.journal import Journal
from hotswap._engine.kinds import clear_caches_reading
from hotswap._engine.patch import Patcher
from hotswap._engine.patched import ClassPlan, Patched
from hotswap._engine.redirect import Redirect
from hotswap._engine.source import ParsedSource
from hotswap._report import Change, Problem


@dataclass
class Outcome:
    """What one module transaction did; ``error`` set means it was rolled back."""

    module: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error: Problem | None = None
    rebinds: list[tuple[str, Any, Any]] = field(default_factory=list)  # (name, old, new)
    recoded: set[str] = field(default_factory=set)  # functions patched with new code
    # Methods of its classes whose code changed (``K.m``; see ``Patched.members_recoded``):
    # sent only to importers whose import-time code calls one (not followed further).
    members: set[str] = field(default_factory=set)
    parsed: ParsedSource | None = None
    ran: int = 0


# Statements that may leave a name they bind unbound, depending on what happens when they run.
CONDITIONAL = (
    ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.TryStar, ast.With, ast.AsyncWith,
    ast.Match,
)


class Walk:
    """What every part of :class:`hotswap._engine.transaction.Transaction` reads and fills."""

    # Of the transaction (see ``Transaction.__init__``).
    module: types.ModuleType
    name: str
    path: str
    old: ParsedSource | None
    strategy: str
    preset: dict[str, Any]
    definitions_only: bool
    _full: bool
    _replan: set[int]
    _at_point: set[int]
    # Of one walk, made anew when a walk starts again (see ``Transaction._attempt``).
    integrations: list[integrations.Integration]
    outcome: Outcome
    flow: Dataflow
    _caches_cleared_for: set[str]
    touched: set[str]
    _saved_objects: set[int]
    _dropped_attributes: dict[str, set[str]]
    _redirects: list[Redirect]
    journal: Journal
    patcher: Patcher
    classes: ClassPlan

    def _where(self, stmt: Any) -> str:
        return f"{self.path}:{stmt.first}"

    def _skip_referrer(self, new: Any, ours: set[int] | frozenset[int] = frozenset()) -> Any:
        namespace = self.module.__dict__
        own = getattr(new, "__dict__", None)

        def skip(ref: Any) -> bool:
            return (
                ref is namespace
                or ref is own
                or isinstance(ref, types.FrameType)
                or id(ref) in ours
            )

        return skip

    def _clear_caches(self, new: ParsedSource) -> None:
        """Drop what caches of this module hold from functions whose behaviour changed so far
        (each set of such names once)."""
        if not (self.flow.recoded or self.flow.dirty):
            return
        names = self.flow.affected(new) | self.flow.dirty
        if names <= self._caches_cleared_for:
            return
        self._caches_cleared_for |= names
        clear_caches_reading(self.module.__dict__, names, self.path, self.journal)

    def _take(self, patched: Patched) -> Any:
        """What a patch rebound or changed among class members: dirty names (later statements
        reading ``C.x`` run again) and rebinds (importers follow). Returns what it made."""
        for dotted, before, after in patched.member_rebinds:
            self.flow.dirty.add(dotted)
            self.outcome.rebinds.append((dotted, before, after))
        self.flow.dirty.update(patched.changed_attributes)
        self.flow.dirty.update(inherited(self.module.__dict__, patched.changed_attributes))
        self.outcome.members.update(patched.members_recoded)
        return patched.value


def inherited(namespace: dict[str, Any], dotted: Iterable[str]) -> set[str]:
    """``S.x`` for each class ``S`` of ``namespace`` that inherits a changed ``C.x`` from
    ``C``: ``for k in P._kf: setattr(P, ...)`` reads the base's new table through the subclass
    (found checking out sympy 1.12.1 -> 1.13.0: ``PythonCodePrinter._print_isnan``)."""
    changed = [d.partition(".") for d in dotted if d.count(".") == 1]
    if not changed:
        return set()
    classes = [(n, v) for n, v in list(namespace.items()) if isinstance(v, type)]
    out = set()
    for owner, _, attr in changed:
        base = namespace.get(owner)
        if not isinstance(base, type):
            continue
        for name, cls in classes:
            if cls is base or base not in cls.__mro__:  # (not issubclass: a Protocol)
                continue
            # The first class of the MRO that has ``attr``, or ``base`` when it lost it.
            found = next((k for k in cls.__mro__ if attr in vars(k)), base)
            if found is base or base not in found.__mro__:
                out.add(f"{name}.{attr}")
    return out
