"""Definitions a save removed, kept so that a later save adding them back restores them in place.

A name removed by one save and added back by a later one is common and rarely meant: a save
caught half-written, a cut and paste done in two saves, ``git checkout`` to a branch without
the name and back. A fresh object would cost the session what hotswap exists to keep: a held
``from m import f``, a bound method, instances and ``isinstance`` of the class. So the objects
a transaction removes (functions, classes, methods and other descriptors of classes, defined
by the module itself) are kept per module, by qualified name (``f``, ``C``, ``C.method``), and
a later save that adds the same qualified name patches the kept object from the new one
(:meth:`hotswap._engine.patch.Patcher.restore`) and binds it again.

Bounded: at most :data:`LIMIT` per module, the oldest dropped first, so nothing grows per
reload. The kept dict changes only when the transaction commits: a rolled-back save neither
buries nor takes back anything.
"""

from __future__ import annotations

import types
from typing import Any

LIMIT = 64  # definitions kept per module


class Graves:
    """One transaction's view of a module's removed definitions (``kept``, owned by the caller:
    the module's record)."""

    __slots__ = ("buried", "kept", "raised")

    def __init__(self, kept: dict[str, Any] | None = None) -> None:
        self.kept: dict[str, Any] = {} if kept is None else kept
        self.buried: dict[str, Any] = {}  # removed by this transaction
        self.raised: set[str] = set()  # taken back by this transaction

    def bury(self, module: str, qualname: str, value: Any) -> None:
        """``value`` left the module under ``qualname``; keep it if its identity can matter."""
        if _definition(value, module):
            self.buried[qualname] = value

    def take(self, qualname: str) -> Any:
        """The object an earlier save removed under ``qualname``, or None."""
        if qualname in self.raised:
            return None
        return self.kept.get(qualname)

    def commit(self) -> None:
        kept = self.kept
        for qualname in self.raised:
            kept.pop(qualname, None)
        for qualname, value in self.buried.items():
            kept.pop(qualname, None)  # (re-inserted last: the newest)
            kept[qualname] = value
        while len(kept) > LIMIT:
            del kept[next(iter(kept))]


def _definition(value: Any, module: str) -> bool:
    inner = value
    if isinstance(value, staticmethod | classmethod):
        inner = value.__func__
    elif isinstance(value, property):
        inner = value.fget
    if not isinstance(inner, types.FunctionType | type) and not hasattr(inner, "__wrapped__"):
        return False
    return getattr(inner, "__module__", None) == module
