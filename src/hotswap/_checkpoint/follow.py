"""Whether an importer must run again after a module it imports changed, and how it follows
when it need not: its import-time reads (from the code object the import hook saw, else the
parse) against the names that changed; an importer none of whose import-time code reads them
takes the new bindings and drops cached results of changed code, and no statement of it runs.
"""

from __future__ import annotations

import types
from typing import Any

from hotswap._checkpoint.parses import parsed_of
from hotswap._detect.imports import Reads
from hotswap._detect.tracker import Record
from hotswap._engine.journal import MISSING, Journal
from hotswap._engine.kinds import clear_caches_reading
from hotswap._engine.propagate import SUBCLASS_HOOK, Analysis
from hotswap._engine.transaction import Outcome
from hotswap._report import Change


def follow_without_running(
    record: Record,
    target: types.ModuleType,
    preset: dict[str, Any],
    recoded: set[str],
    dirty: set[str],
    affected: set[str],
    analysis: Analysis,
) -> Outcome:
    """What a transaction of the importer would do when none of its statements re-runs:
    bind the new values, drop cached results of code whose behaviour changed, and say which
    of its functions behave differently (for its own importers)."""
    namespace = target.__dict__
    outcome = Followed(record.name)
    for alias, value in preset.items():
        before = namespace.get(alias, MISSING)
        if value is MISSING:
            namespace.pop(alias, None)
        else:
            namespace[alias] = value
        outcome.rebinds.append((alias, before, value))
        outcome.changes.append(Change(record.name, alias, "rebound", record.path))
    affected = affected - (dirty - recoded)  # plain values are dirty, not "called"
    affected |= recoded
    if analysis.caches:
        journal = Journal()
        clear_caches_reading(namespace, affected | dirty, record.path, journal)
        journal.commit()
    outcome.recoded = affected
    return outcome


class Followed(Outcome):
    """The outcome of an importer that followed without running (its ``recoded`` already
    holds the ``C.__init_subclass__`` names)."""


def import_time_reads(record: Record) -> Reads | None:
    """What ``record``'s import-time code reads (first parts of dotted names): from the code
    object the import hook saw, else from the parse. None when neither is known."""
    if record.parsed is None and record.reads is not None:
        return record.reads
    parsed = parsed_of(record)
    if parsed is None:
        return None
    reads = parsed.all_reads
    names = frozenset(n.partition(".")[0] for n in reads)
    # ``called`` keeps dotted names: ``A = mod.f(0)`` calls ``mod.f``, which ``runs_again``
    # looks for among the changed functions (``mod`` alone is never one of them).
    return Reads(names, frozenset(reads), frozenset())


def runs_again(
    reads: Reads, affected: set[str], dirty: set[str], namespace: dict[str, Any]
) -> bool:
    """Whether a statement of the importer could compute something else now: its import-time
    code reads a rebound name, may call something that behaves differently (see
    ``affected_functions``), or makes a class on a base whose ``__init_subclass__`` or
    metaclass does (a base is not called otherwise)."""
    if not reads.names.isdisjoint({n.partition(".")[0] for n in dirty}):
        return True
    for called in reads.called:  # ``f``, ``K.m``: it, or what it is an attribute of
        while True:
            if called in affected:
                return True
            called, dot, _attr = called.rpartition(".")
            if not dot:
                break
    for base in reads.bases:
        if base + SUBCLASS_HOOK in affected:
            return True
        meta = type(namespace.get(base))
        if meta is not type and meta.__name__ in affected and namespace.get(meta.__name__) is meta:
            return True  # making the class runs its metaclass, which behaves differently
    return False
