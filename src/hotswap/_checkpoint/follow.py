"""How one importer follows a change of a module it imports: without running, when nothing its
import-time code read changed (its import-time reads, from the code object the import hook saw
or else the parse, against the names that changed: the bindings move, cached results of changed
code are dropped, no statement runs), or else as a transaction with no source change, where the
dataflow rule re-runs what read the changed names.

What travels with it: :class:`Carry`, the values handed to a module reloaded later in the same
save, and :class:`Deferred`, an importer's run put off until the save's walk is over.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any

from hotswap._checkpoint.parses import parsed_of
from hotswap._detect.reads import Reads
from hotswap._detect.tracker import Record
from hotswap._engine.affected import SUBCLASS_HOOK, Analysis, forget_analysis
from hotswap._engine.journal import MISSING, Journal
from hotswap._engine.kinds import clear_caches_reading
from hotswap._engine.source import ParsedSource
from hotswap._engine.transaction import Outcome, Transaction
from hotswap._report import Change, Report


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
        name = called
        while True:
            if name in affected:
                return True
            name, dot, _attr = name.rpartition(".")
            if not dot:
                break
    for base in reads.bases:
        if base + SUBCLASS_HOOK in affected:
            return True
        meta = type(namespace.get(base))
        if meta is not type and meta.__name__ in affected and namespace.get(meta.__name__) is meta:
            return True  # making the class runs its metaclass, which behaves differently
    return False


@dataclass
class Deferred:
    """An importer's re-run put off until the walk is over (see ``propagate``)."""

    record: Record
    target: types.ModuleType
    carry: Carry


def defer(
    deferred: dict[str, Deferred],
    record: Record,
    target: types.ModuleType,
    dirty: set[str],
    preset: dict[str, Any],
    recoded: set[str],
) -> None:
    item = deferred.setdefault(record.name, Deferred(record, target, Carry()))
    item.carry.preset.update(preset)
    item.carry.dirty.update(dirty)
    item.carry.recoded.update(recoded)


def record_outcome(report: Report, outcome: Outcome) -> None:
    report.warnings.extend(outcome.warnings)
    report.changes.extend(outcome.changes)
    if (outcome.changes or outcome.ran) and outcome.module not in report.reloaded:
        report.reloaded.append(outcome.module)


def importer_failed(record: Record, follow: Outcome, report: Report) -> None:
    """An importer's re-run failed (and rolled back): the report and its record say so."""
    assert follow.error is not None
    record.failure = follow.error
    report.errors.append(follow.error)
    report.warnings.extend(follow.warnings)
    report.failed.append(record.name)


def run_importer(
    record: Record,
    target: types.ModuleType,
    parsed: ParsedSource,
    text: str,
    dirty: set[str],
    preset: dict[str, Any],
    recoded: set[str],
    definitions_only: frozenset[str],
) -> Outcome:
    """An importer's transaction with no source change: what read the changed names at
    import time re-runs by the dataflow rule. (The engine re-makes a class when a base is
    among the recoded names: a base whose ``__init_subclass__`` behaves differently is.)"""
    recoded = recoded | {
        n.removesuffix(SUBCLASS_HOOK) for n in recoded if n.endswith(SUBCLASS_HOOK)
    }
    transaction = Transaction(
        target,
        record.path,
        parsed,
        "incremental",
        dirty=dirty,
        preset=preset,
        recoded=recoded,
        definitions_only=record.name in definitions_only,
    )
    forget_analysis(record.name, record.path)
    return transaction.run(text, parsed)


@dataclass
class Carry:
    """What modules reloaded earlier in a batch hand to a module reloaded later in it."""

    preset: dict[str, Any] = field(default_factory=dict)
    recoded: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)
