"""A checkpoint's work once files changed: order the changed modules so that a module comes after
the modules it imports (``_engine.plan.dependency_order``), run one transaction per module
(``_engine``), hand each committed module's rebound values to its importers (:mod:`.importers`),
and retry modules that failed earlier when a module they import has just reloaded. Imported at
the first change (see ``_checkpoint.reloader``): a session whose files never change never loads the
parser, the planner or the engine.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Container, Iterator
from typing import Any

from hotswap._checkpoint.follow import (
    Carry,
    Deferred,
    importer_failed,
    record_outcome,
    run_importer,
)
from hotswap._checkpoint.importers import propagate
from hotswap._checkpoint.parses import (
    module_dependencies,
    parse_executing,
    parsed_of,
    try_parse,
    update_linecache,
)
from hotswap._detect.record import FAILED
from hotswap._detect.scope import source_file
from hotswap._detect.text import SourceError, decode
from hotswap._detect.tracker import TRACKER, Changed, Record, Unreadable
from hotswap._engine.affected import forget_analysis
from hotswap._engine.batch import Guard, checkpoint
from hotswap._engine.frames import reloaded
from hotswap._engine.plan import dependency_order
from hotswap._engine.propagate import Observed
from hotswap._engine.source import ParsedSource
from hotswap._engine.transaction import Outcome, Transaction
from hotswap._engine.uses import sweep
from hotswap._report import Problem, Report

# parse_executing: the preparer's parse, which it reaches through this module so that its first
# use loads the engine (hotswap._detect.prepare).
__all__ = ["apply", "parse_executing"]


def apply(
    changed: list[Changed],
    unreadable: list[Unreadable],
    strategy: str,
    namespace: dict[str, Any] | None,
    observed: Observed,
    complete: bool = False,
    definitions_only: frozenset[str] = frozenset(),
) -> Report:
    report = Report()
    with checkpoint(report, len(changed)) as succeeded:  # heap work at its end (see _engine.batch)
        _apply_all(changed, unreadable, strategy, namespace, observed, complete,
                   definitions_only, report, succeeded)
    TRACKER.index.trim()  # (once per checkpoint, not per module: each walks all it holds)
    sweep()
    if succeeded:
        # Running frames made stale may switch (see _frames); ``hotswap.loop`` counts reloads.
        reloaded(succeeded, bool(report.reloaded))
    return report


def _apply_all(
    changed: list[Changed], unreadable: list[Unreadable], strategy: str,
    namespace: dict[str, Any] | None, observed: Observed, complete: bool,
    definitions_only: frozenset[str], report: Report, succeeded: list[str],
) -> None:
    """:func:`apply`'s walk over the modules of a save; those that applied go to ``succeeded``."""
    for bad in unreadable:
        record = bad.record
        if bad.waiting:
            report.warnings.append(Problem(record.name, record.path, None, bad.reason))
        else:
            problem = Problem(record.name, record.path, None, bad.reason)
            record.failure = problem
            if record.text is not None:
                update_linecache(record.path, record.text)  # tracebacks show the code that runs
            report.errors.append(problem)
            report.failed.append(record.name)
    pending = {c.record.name: c for c in changed}
    parsed_new: dict[str, ParsedSource | None] = {}
    deps: dict[str, set[str]] = {}
    # Modules of this save whose file looked half-written: they apply at the next checkpoint.
    unfinished = {bad.record.name for bad in unreadable if bad.record.held is not None}
    if len(pending) > 1 or (pending and unfinished):
        for name, item in pending.items():
            # The executing source first: the new one is then re-parsed from it, and stays the
            # base the next edit of the file is re-parsed from (see _engine.parsing.parse).
            executing = parsed_of(item.record)
            parsed_new[name] = try_parse(item)
            deps[name] = module_dependencies(name, parsed_new[name] or executing)
        order = dependency_order(sorted(pending), deps)  # (sorted: the same order every run)
    else:
        order = list(pending)
    # Values rebound by a module reloaded earlier in this batch, for modules later in it.
    carry: dict[str, Carry] = {name: Carry() for name in order}
    # Modules of an import cycle are walked in some order: one that failed importing a name a
    # module of the batch gains in this save, before that module applied, is tried again after
    # the walk (once).
    retried: set[str] = set()
    deferred: dict[str, Deferred] = {}
    for name in _with_retries(order, retried):
        item = pending[name]
        broken = sorted(deps.get(name, set()) & set(report.failed))
        unwritten = sorted(deps.get(name, set()) & unfinished)
        if broken or unwritten:
            # ``a`` starts calling ``b.new()`` in the save that broke ``b``: applied against
            # the old ``b`` it would fail at call time. It waits for ``b``, and is retried
            # with it (the retry below) once ``b`` applies.
            _hold(item, broken, unwritten, report)
            continue
        outcome: Outcome | None = None
        given = carry.pop(name, Carry())
        with Guard(item.record, report):
            outcome = _reload_one(
                item, strategy, report, parsed_new.get(name), given, definitions_only
            )
        if (
            outcome is not None
            and outcome.error is not None
            and name not in retried
            and _needs_a_later_module(outcome.error, name, pending, succeeded)
        ):
            _take_back(item.record, outcome.error, report)
            retried.add(name)
            carry[name] = given  # what modules before it sent; those after it send more
            continue
        if outcome is not None and outcome.error is None:
            succeeded.append(name)
            with Guard(item.record, report, applied=True):
                propagate(
                    name, outcome, namespace, observed, complete, report, carry,
                    definitions_only, deferred,
                )
    succeeded += _run_deferred(deferred, namespace, observed, complete, report, definitions_only)
    # A module that failed because a dependency was broken is retried when the dependency changes.
    if succeeded:
        _retry_failed(pending, strategy, namespace, observed, complete, definitions_only, report,
                      succeeded)


def _retry_failed(
    pending: Container[str], strategy: str, namespace: dict[str, Any] | None,
    observed: Observed, complete: bool, definitions_only: frozenset[str], report: Report,
    succeeded: list[str],
) -> None:
    """Reload the modules that failed earlier and import one in ``succeeded`` (which grows
    with each that applies: its own held importers follow it)."""
    for record in list(FAILED):  # not every record: a checkpoint's cost is what it changed
        data = record.failed_data
        if TRACKER.records.get(record.name) is not record:
            FAILED.pop(record, None)  # its module was forgotten
            continue
        if data is None or record.name in pending or record.fingerprint is None:
            continue
        retry = Changed(record, data, record.fingerprint)
        needs = record.failed_needs
        if needs is None:  # parsed once per failed content, not at every reload
            needs = module_dependencies(record.name, parsed_of(record))
            needs |= module_dependencies(record.name, try_parse(retry))
            record.failed_needs = needs
        if needs & set(succeeded):
            outcome = None
            with Guard(record, report):
                outcome = _reload_one(retry, strategy, report, None, Carry(), definitions_only)
            if outcome is not None and outcome.error is None:
                with Guard(record, report, applied=True):
                    propagate(
                        record.name,
                        outcome,
                        namespace,
                        observed,
                        complete,
                        report,
                        {},
                        definitions_only,
                    )
                succeeded.append(record.name)  # its own held importers follow it


def _with_retries(order: list[str], retried: set[str]) -> Iterator[str]:
    """``order``, then the modules put in ``retried`` while it was walked (in order)."""
    yield from order
    yield from [name for name in order if name in retried]


_NEEDS = (
    re.compile(r"cannot import name '[^']+' from '(?P<source>[^']+)'"),
    re.compile(r"module '(?P<source>[^']+)' has no attribute '[^']+'"),
)


def _needs_a_later_module(
    problem: Problem, name: str, pending: Container[str], succeeded: Container[str] = ()
) -> bool:
    """Whether ``problem`` says module ``name`` lacked a name from a module of this batch that
    has not applied yet (later in the walk, or itself waiting: an import cycle walked the other
    way round)."""
    for pattern in _NEEDS:
        found = pattern.search(problem.message)
        if found is None:
            continue
        source = found.group("source")
        return source in pending and source != name and source not in succeeded
    return False


def _take_back(record: Record, problem: Problem, report: Report) -> None:
    """Undo what reporting ``problem`` of ``record`` put in ``report`` (it is tried again)."""
    report.errors[:] = [e for e in report.errors if e is not problem]
    if record.name in report.failed:
        report.failed.remove(record.name)
    record.failure = None


def _hold(item: Changed, broken: list[str], unwritten: list[str], report: Report) -> None:
    """Keep a module of this save that imports a module whose reload failed in it (an error of
    its own, as it keeps its previous version), or whose file looked half-written (a warning:
    both apply at the next checkpoint). Its new text is retried, as a failed one is, when one
    of the modules it imports reloads."""
    record = item.record
    record.fail(item.data, item.fingerprint, item.hashed)
    if broken:
        message = (
            f"not applied: held back with {', '.join(broken)}, which it imports and which "
            "failed; applied together when that is fixed"
        )
    else:
        message = (
            f"not applied yet: held back with {', '.join(unwritten)}, which it imports and "
            "which is still being written; applied together with it"
        )
    problem = Problem(record.name, record.path, None, message)
    if not broken:
        report.warnings.append(problem)
        return
    record.failure = problem
    report.errors.append(problem)
    if record.name not in report.failed:
        report.failed.append(record.name)


def _reload_one(
    item: Changed,
    strategy: str,
    report: Report,
    parsed: ParsedSource | None,
    carry: Carry,
    definitions_only: frozenset[str] = frozenset(),
) -> Outcome | None:
    record = item.record
    module = sys.modules.get(record.name)
    if module is None or source_file(module) != record.path:
        TRACKER.forget(record.name)
        return None
    try:
        text = decode(item.data, record.path)
    except SourceError as exc:
        _fail(record, item, Problem(record.name, record.path, exc.line, str(exc)), report)
        return None
    old = parsed_of(record)
    transaction = Transaction(
        module,
        record.path,
        old,
        strategy,
        dirty=set(carry.preset) | carry.dirty,
        preset=carry.preset,
        recoded=carry.recoded,
        definitions_only=record.name in definitions_only,
        graves=record.graves(),
        old_bound=record.bound if old is None else None,
    )
    try:
        outcome = transaction.run(text, parsed)
    finally:  # after the run: the transaction asks whether old code ran (``_engine.binding``)
        forget_analysis(record.name, record.path)  # its functions became other code
    if outcome.error is not None:
        _fail(record, item, outcome.error, report)
        report.warnings.extend(outcome.warnings)  # (a rollback that could not undo something)
        return outcome
    record.settle(item.data, item.fingerprint, text, item.hashed)
    record.parsed = outcome.parsed
    record.reads = None  # the parse tells from now on
    TRACKER.changed_text(record, old.text if old is not None else None)
    record.failure = None
    update_linecache(record.path, text, outcome.parsed)
    record_outcome(report, outcome)
    return outcome


def _fail(record: Record, item: Changed, problem: Problem, report: Report) -> None:
    record.fail(item.data, item.fingerprint, item.hashed)
    record.failure = problem
    if record.text is not None:
        update_linecache(record.path, record.text)  # tracebacks show the code that runs
    report.errors.append(problem)
    if record.name not in report.failed:
        report.failed.append(record.name)


def _run_deferred(
    deferred: dict[str, Deferred],
    namespace: dict[str, Any] | None,
    observed: Observed,
    complete: bool,
    report: Report,
    definitions_only: frozenset[str],
) -> list[str]:
    """Run the importers put off while the batch was walked, now that it applied; the names of
    those that reloaded."""
    done = []
    while deferred:
        item = deferred.pop(next(iter(deferred)))
        record, given = item.record, item.carry
        parsed, text = parsed_of(record), record.text
        if parsed is None or text is None:
            continue
        follow: Outcome | None = None
        with Guard(record, report):
            follow = run_importer(
                record, item.target, parsed, text, given.dirty, given.preset, given.recoded,
                definitions_only,
            )
        if follow is None:
            continue
        if follow.error is not None:
            importer_failed(record, follow, report)
            continue
        record_outcome(report, follow)
        done.append(record.name)
        with Guard(record, report, applied=True):
            propagate(
                record.name, follow, namespace, observed, complete, report, {}, definitions_only
            )
    return done
