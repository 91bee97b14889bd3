"""A checkpoint's work once files changed: order the changed modules so that a module comes after
the modules it imports (``_plan.dependency_order``), run one transaction per module
(``_engine``), push the values each committed module rebound to its importers and to the session
namespace (``_propagate``), and retry modules that failed earlier when a module they import has
just reloaded. Imported at the first change (see ``_reloader``): a session whose files never
change never loads the parser, the planner or the engine.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Any

from hotswap._detect.imports import Reads
from hotswap._detect.scope import source_file
from hotswap._detect.text import SourceError, decode
from hotswap._detect.tracker import TRACKER, Changed, Record, Unreadable
from hotswap._engine.batch import Guard, checkpoint
from hotswap._engine.frames import reloaded
from hotswap._engine.journal import MISSING, Journal
from hotswap._engine.kinds import clear_caches_reading
from hotswap._engine.plan import (
    FromImport,
    dependencies,
    dependency_order,
    from_imports,
    module_aliases,
)
from hotswap._engine.propagate import (
    SUBCLASS_HOOK,
    Analysis,
    Observed,
    affected_functions,
    analysis_of,
    exports,
    forget_analysis,
    presets_for,
    sync_namespace,
)
from hotswap._engine.source import ParsedSource, parse, update_linecache
from hotswap._engine.transaction import Outcome, Transaction
from hotswap._engine.uses import sweep
from hotswap._report import Change, Problem, Report

# -- orchestration ---------------------------------------------------------------------------------


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
            # base the next edit of the file is re-parsed from (see _source.parse).
            executing = parsed_of(item.record)
            parsed_new[name] = _try_parse(item)
            deps[name] = _dependencies(name, parsed_new[name] or executing)
        order = dependency_order(sorted(pending), deps)  # (sorted: the same order every run)
    else:
        order = list(pending)
    # Values rebound by a module reloaded earlier in this batch, for modules later in it.
    carry: dict[str, Carry] = {name: Carry() for name in order}
    # Modules of an import cycle are walked in some order: one that failed importing a name a
    # module of the batch gains in this save, before that module applied, is tried again after
    # the walk (once).
    retried: set[str] = set()
    deferred: dict[str, _Deferred] = {}
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
                _propagate(
                    name, outcome, namespace, observed, complete, report, carry,
                    definitions_only, deferred,
                )
    succeeded += _run_deferred(deferred, namespace, observed, complete, report, definitions_only)
    # A module that failed because a dependency was broken is retried when the dependency changes.
    if succeeded:
        for record in list(TRACKER.records.values()):
            data = record.failed_data
            if data is None or record.name in pending or record.fingerprint is None:
                continue
            retry = Changed(record, data, record.fingerprint)
            needs = record.failed_needs
            if needs is None:  # parsed once per failed content, not at every reload
                needs = _dependencies(record.name, parsed_of(record))
                needs |= _dependencies(record.name, _try_parse(retry))
                record.failed_needs = needs
            if needs & set(succeeded):
                outcome = None
                with Guard(record, report):
                    outcome = _reload_one(retry, strategy, report, None, Carry(), definitions_only)
                if outcome is not None and outcome.error is None:
                    with Guard(record, report, applied=True):
                        _propagate(
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


@dataclass
class _Deferred:
    """An importer's re-run put off until the walk is over (see ``_propagate``)."""

    record: Record
    target: types.ModuleType
    carry: Carry


def _defer(
    deferred: dict[str, _Deferred],
    record: Record,
    target: types.ModuleType,
    dirty: set[str],
    preset: dict[str, Any],
    recoded: set[str],
) -> None:
    item = deferred.setdefault(record.name, _Deferred(record, target, Carry()))
    item.carry.preset.update(preset)
    item.carry.dirty.update(dirty)
    item.carry.recoded.update(recoded)


def _run_deferred(
    deferred: dict[str, _Deferred],
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
            follow = _run_importer(
                record, item.target, parsed, text, given.dirty, given.preset, given.recoded,
                definitions_only,
            )
        if follow is None:
            continue
        if follow.error is not None:
            _importer_failed(record, follow, report)
            continue
        _record(report, follow)
        done.append(record.name)
        with Guard(record, report, applied=True):
            _propagate(record.name, follow, namespace, observed, complete, report, {},
                       definitions_only)
    return done


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
        set(carry.preset) | carry.dirty,
        carry.preset,
        carry.recoded,
        record.name in definitions_only,
        record.graves(),
    )
    forget_analysis(record.name, record.path)  # its functions become other code
    outcome = transaction.run(text, parsed)
    if outcome.error is not None:
        _fail(record, item, outcome.error, report)
        report.warnings.extend(outcome.warnings)  # (a rollback that could not undo something)
        return outcome
    record.settle(item.data, item.fingerprint, text, item.hashed)
    record.parsed = outcome.parsed
    record.reads = None  # the parse tells from now on
    TRACKER.changed_text(record)
    record.failure = None
    update_linecache(record.path, text, outcome.parsed)
    _record(report, outcome)
    return outcome


def _fail(record: Record, item: Changed, problem: Problem, report: Report) -> None:
    record.fail(item.data, item.fingerprint, item.hashed)
    record.failure = problem
    if record.text is not None:
        update_linecache(record.path, record.text)  # tracebacks show the code that runs
    report.errors.append(problem)
    if record.name not in report.failed:
        report.failed.append(record.name)


def _record(report: Report, outcome: Outcome) -> None:
    report.warnings.extend(outcome.warnings)
    report.changes.extend(outcome.changes)
    if (outcome.changes or outcome.ran) and outcome.module not in report.reloaded:
        report.reloaded.append(outcome.module)


def _propagate(
    name: str,
    outcome: Outcome,
    namespace: dict[str, Any] | None,
    observed: Observed,
    complete: bool,
    report: Report,
    carry: dict[str, Carry],
    definitions_only: frozenset[str] = frozenset(),
    deferred: dict[str, _Deferred] | None = None,
) -> None:
    """Push ``outcome.rebinds`` of module ``name`` to importers and the namespace (transitively).
    An importer whose re-run lacked a name from a module still to apply in this batch goes to
    ``deferred`` (see :func:`_run_deferred`)."""
    queue = [(name, outcome)]
    # What each (module, importer) pair was sent: an importer is followed once per module it
    # imports from and names it holds (``fzd`` star-imports ``fzb``, which star-imports
    # ``fza``, and imports ``f4`` from ``fza`` itself: both reach it).
    sent: dict[tuple[str, str], set[str]] = {}
    analyses: dict[str, Analysis] = {}  # read once per module, again after it ran code
    index = TRACKER.index
    # An importer's parsed imports, read once per propagation (a star importer is reached from
    # each module it star-imports; the parse stays the same while it does not run).
    read: dict[tuple[str, int], tuple[ParsedSource, Any]] = {}

    def once(kind: Any, parsed: ParsedSource, importer: str, is_package: bool) -> Any:
        key = (kind.__name__ + importer, id(parsed))
        found = read.get(key)
        if found is None or found[0] is not parsed:
            found = read[key] = (parsed, kind(parsed, importer, is_package))
        return found[1]

    def analysis(module_name: str, module_ns: dict[str, Any]) -> Analysis:
        found = analyses.get(module_name)
        if found is None:
            found = analyses[module_name] = analysis_of(module_ns, module_name)
        return found

    while queue:
        source, result = queue.pop(0)
        if not result.rebinds and not result.recoded:
            continue
        module = sys.modules.get(source)
        if module is None:
            continue
        source_ns = module.__dict__
        if result.recoded and not isinstance(result, _Followed):
            # A transaction says which names behave differently, not whether subclassing
            # them does. It does for a class whose own statement changed here (its fields,
            # hooks, decorators: a subclass elsewhere is made again), and for one whose
            # ``__init_subclass__`` reads a name that behaves differently.
            defined = {c.qualname.partition(".")[0] for c in result.changes if c.module == source}
            result.recoded |= {
                n + SUBCLASS_HOOK
                for n in result.recoded
                if n in defined and isinstance(source_ns.get(n), type)
            }
            analyses.pop(source, None)  # it ran code: its functions may be new objects
            result.recoded |= {
                n
                for n in affected_functions(
                    source_ns, source, result.recoded, analysis(source, source_ns)
                )
                if n.endswith(SUBCLASS_HOOK)
            }
        if namespace is not None:
            for key in sync_namespace(
                namespace, source, source_ns, result.rebinds, observed, complete
            ):
                report.changes.append(Change(source, key, "rebound", "namespace"))
        # What of ``source`` changed, by first name: an importer holding none of it (and not
        # naming the module itself) has nothing to follow.
        by_head = _by_head(result.recoded)
        heads = set(by_head)
        heads.update(n.partition(".")[0] for n, _old, _new in result.rebinds)
        for record in TRACKER.holders(source, heads):  # the index: not every watched module
            if record.name == name:
                continue
            # An importer is followed again when a later path brings names it was not sent
            # yet (``b`` reaches ``j`` with ``k``, then, once ``c`` changed ``g``, with ``h``),
            # with those names only.
            already = sent.get((source, record.name))
            fresh = heads if already is None else heads - already
            if not fresh:
                continue
            rebinds, recoded_here, head_map = result.rebinds, result.recoded, by_head
            if already is not None:
                rebinds = [r for r in rebinds if r[0].partition(".")[0] in fresh]
                recoded_here = {n for n in recoded_here if n.partition(".")[0] in fresh}
                head_map = {h: v for h, v in by_head.items() if h in fresh}
            target = sys.modules.get(record.name)
            indexed = TRACKER.imports_of(record)
            if target is None or indexed is None:
                continue  # not loaded, or its executed text is unknown
            pairs = index.from_source(record.name, source)
            is_package = _is_package(target)
            # Only the imports from ``source`` matter here.
            imports = [FromImport(source, n, alias) for n, alias in pairs]
            parsed: ParsedSource | None = None
            if rebinds and any(i.name == "*" for i in imports):
                # A star import moves names in and out: only the parse says it is real (the
                # scan also finds ``from a import *`` written in a docstring). Changed code
                # alone moves nothing: the names it reaches are those the importer holds
                # (``_recoded_aliases`` checks identity), so a scanned one does.
                parsed = parsed_of(record)
                if parsed is None:
                    continue
                imports = once(from_imports, parsed, record.name, is_package)
            target_ns = target.__dict__
            preset = presets_for(
                imports, source, source_ns, rebinds, target_ns, add_new=True, add_named=False
            )
            for alias in [a for a in preset if _own_definition(target_ns.get(a), record.name)]:
                # The scan finds imports in docstrings too (``>>> from sympy import primepi``
                # in the module that defines ``primepi``, which ``sympy`` re-exported): what
                # the importer defines is its own, whatever the re-exporter binds now.
                del preset[alias]
            if any(v is MISSING for v in preset.values()):
                parsed = parsed or parsed_of(record)
                if parsed is None:
                    continue
                # A name the importer binds itself (``import functools`` next to a star import
                # of a module that also had it) is its own: a star import does not take it away.
                own = parsed.bound_names()
                for name in [n for n, v in preset.items() if v is MISSING and n in own]:
                    del preset[name]
                # Another star import of the importer still brings the name (``functools`` from
                # both ``from a import *`` and ``from b import *``): its value stays, or becomes
                # it.
                every = once(from_imports, parsed, record.name, is_package)
                for name in [n for n, v in preset.items() if v is MISSING]:
                    still = _star_value(every, source, name)
                    if still is target_ns.get(name, MISSING):
                        del preset[name]
                    elif still is not MISSING:
                        preset[name] = still
            recoded = _recoded_aliases(imports, source, source_ns, head_map, target_ns)
            dirty = set(preset)
            for imp in imports:  # ``from m import Level`` reads ``Level.HIGH``
                if imp.source == source and imp.name != "*":
                    prefix = imp.name + "."
                    dirty.update(
                        imp.alias + "." + name[len(prefix) :]
                        for name, _old, _new in rebinds
                        if name.startswith(prefix)
                    )
            # ``a.f(...)`` and ``a.X`` through ``import a``
            aliases = (
                once(module_aliases, parsed, record.name, is_package)
                if parsed is not None
                else index.aliases(record.name)
            )
            for prefix, module_name in aliases.items():
                if module_name == source:
                    recoded.update(f"{prefix}.{name}" for name in recoded_here)
                    dirty.update(f"{prefix}.{name}" for name, old, new in rebinds)
            if not preset and not recoded and not dirty:
                continue
            if record.name in carry:  # reloads later in this batch: hand the values over
                carry[record.name].preset.update(preset)
                carry[record.name].recoded.update(recoded)
                carry[record.name].dirty.update(dirty)
                continue
            put_off = deferred.pop(record.name, None) if deferred is not None else None
            if put_off is not None:  # its run failed earlier in the walk: this one does it all
                preset = {**put_off.carry.preset, **preset}
                dirty |= put_off.carry.dirty
                recoded |= put_off.carry.recoded
            reads = _import_time_reads(record)
            affected: set[str] | None = None
            if reads is not None:
                # The importer's functions whose behaviour changed (calling a recoded function,
                # reading a rebound name), from its live code objects.
                affected = affected_functions(
                    target_ns, record.name, recoded | dirty, analysis(record.name, target_ns)
                )
            if (
                affected is not None
                and reads is not None
                and not _runs_again(reads, affected, dirty, target_ns)
            ):
                # Nothing the importer ran at import time reads what changed: no statement of
                # it re-runs, so no parse and no transaction; the bindings follow, caches that
                # hold results of changed code are dropped, and its own importers are told
                # which of its functions behave differently now.
                follow = _follow_without_running(
                    record, target, preset, recoded, dirty, affected, analyses[record.name]
                )
            else:
                parsed = parsed or parsed_of(record)
                text = record.text
                if parsed is None or text is None:
                    continue
                follow = _run_importer(record, target, parsed, text, dirty, preset, recoded,
                                       definitions_only)
            if follow.error is not None and deferred is not None and carry:
                # Modules of this save are still to apply: the importer ran against a half-made
                # state no fresh run sees (``T = compute()`` imports, inside a function, a name
                # a later module gains; an old class's method reads a global its module just
                # dropped, in a save that moves the class away). It runs again after the walk,
                # with what every source sent it, and only a failure then is reported.
                _defer(deferred, record, target, dirty, preset, recoded)
                continue
            if follow.error is not None:
                _importer_failed(record, follow, report)
                continue
            _record(report, follow)
            sent.setdefault((source, record.name), set()).update(fresh)
            queue.append((record.name, follow))


def _importer_failed(record: Record, follow: Outcome, report: Report) -> None:
    """An importer's re-run failed (and rolled back): the report and its record say so."""
    assert follow.error is not None
    record.failure = follow.error
    report.errors.append(follow.error)
    report.warnings.extend(follow.warnings)
    report.failed.append(record.name)


def _own_definition(value: Any, module: str) -> bool:
    """Whether ``value`` is a function or class that ``module`` defines."""
    return isinstance(value, types.FunctionType | type) and value.__module__ == module


def _run_importer(
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
        dirty,
        preset,
        recoded,
        record.name in definitions_only,
    )
    forget_analysis(record.name, record.path)
    return transaction.run(text, parsed)


def _follow_without_running(
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
    outcome = _Followed(record.name)
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


class _Followed(Outcome):
    """The outcome of an importer that followed without running (its ``recoded`` already
    holds the ``C.__init_subclass__`` names)."""


def _import_time_reads(record: Record) -> Reads | None:
    """What ``record``'s import-time code reads (first parts of dotted names): from the code
    object the import hook saw, else from the parse. None when neither is known."""
    if record.parsed is None and record.reads is not None:
        return record.reads
    parsed = parsed_of(record)
    if parsed is None:
        return None
    reads = parsed.all_reads
    names = frozenset(n.partition(".")[0] for n in reads)
    # ``called`` keeps dotted names: ``A = mod.f(0)`` calls ``mod.f``, which ``_runs_again``
    # looks for among the changed functions (``mod`` alone is never one of them).
    return Reads(names, frozenset(reads), frozenset())


def _runs_again(
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


def _star_value(imports: list[FromImport], gone_from: str, name: str) -> Any:
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


def _recoded_aliases(
    imports: list[FromImport],
    source: str,
    source_ns: dict[str, Any],
    by_head: dict[str, list[str]],
    target_ns: dict[str, Any],
) -> set[str]:
    """The importer's names that hold a function of ``source`` whose code changed: an alias of
    ``from source import f`` or a name a ``from source import *`` brought in (``C.attr`` for
    a recoded ``C.attr`` of a class ``C`` it holds). ``by_head``: the recoded names of
    ``source`` by first part (``_by_head``)."""
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


def _by_head(recoded: set[str]) -> dict[str, list[str]]:
    """``{"C": [".m", ".n"], "f": [""]}`` for ``{"C.m", "C.n", "f"}``."""
    by_head: dict[str, list[str]] = {}
    for name in recoded:
        head, dot, rest = name.partition(".")
        by_head.setdefault(head, []).append(dot + rest)
    return by_head


@dataclass
class Carry:
    """What modules reloaded earlier in a batch hand to a module reloaded later in it."""

    preset: dict[str, Any] = field(default_factory=dict)
    recoded: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)


def parsed_of(record: Record) -> ParsedSource | None:
    """The parsed executing source of a record (parsed lazily, or ahead when its save's event
    arrived (see _prepare), then cached)."""
    if record.parsed is None:
        return TRACKER.parsed(record, parse_executing)  # type: ignore[no-any-return]
    return record.parsed


def parse_executing(record: Record) -> ParsedSource | None:
    """``record``'s executing source parsed (None: unknown, or it does not parse)."""
    text = record.text
    if text is None:
        return None
    try:
        return parse(text, record.path)
    except SourceError:
        return None


def _try_parse(item: Changed) -> ParsedSource | None:
    try:
        return parse(decode(item.data, item.record.path), item.record.path)
    except SourceError:
        return None


def _dependencies(name: str, parsed: ParsedSource | None) -> set[str]:
    if parsed is None:
        return set()
    module = sys.modules.get(name)
    return dependencies(parsed, name, _is_package(module))


def _is_package(module: types.ModuleType | None) -> bool:
    return module is not None and hasattr(module, "__path__")
