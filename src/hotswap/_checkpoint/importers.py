"""Importer propagation: a committed module's rebound and recoded names travel to the modules
that imported them (``from a import f``, ``import a`` then ``a.f``, star imports), transitively,
and to the session namespace.

An importer follows without running when nothing its import-time code read changed (the
bindings move, caches of changed code are dropped); otherwise it runs as a transaction with no
source change, where the dataflow rule re-runs what read the changed names. Importers of a
module reloaded later in the same save get the values handed over (:class:`Carry`); an importer
whose run failed on a half-applied save runs again once the walk is over (:func:`defer`,
:func:`run_deferred`).
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import Any

from hotswap._checkpoint.follow import (
    Followed,
    follow_without_running,
    import_time_reads,
    runs_again,
)
from hotswap._checkpoint.parses import is_package, parsed_of
from hotswap._detect.tracker import TRACKER, Record
from hotswap._engine.batch import Guard
from hotswap._engine.journal import MISSING
from hotswap._engine.plan import FromImport, from_imports, module_aliases
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
from hotswap._engine.source import ParsedSource
from hotswap._engine.transaction import Outcome, Transaction
from hotswap._report import Change, Report


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


def run_deferred(
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
            follow = _run_importer(
                record, item.target, parsed, text, given.dirty, given.preset, given.recoded,
                definitions_only,
            )
        if follow is None:
            continue
        if follow.error is not None:
            _importer_failed(record, follow, report)
            continue
        record_outcome(report, follow)
        done.append(record.name)
        with Guard(record, report, applied=True):
            propagate(record.name, follow, namespace, observed, complete, report, {},
                       definitions_only)
    return done


def record_outcome(report: Report, outcome: Outcome) -> None:
    report.warnings.extend(outcome.warnings)
    report.changes.extend(outcome.changes)
    if (outcome.changes or outcome.ran) and outcome.module not in report.reloaded:
        report.reloaded.append(outcome.module)


def propagate(
    name: str,
    outcome: Outcome,
    namespace: dict[str, Any] | None,
    observed: Observed,
    complete: bool,
    report: Report,
    carry: dict[str, Carry],
    definitions_only: frozenset[str] = frozenset(),
    deferred: dict[str, Deferred] | None = None,
) -> None:
    """Push ``outcome.rebinds`` of module ``name`` to importers and the namespace (transitively).
    An importer whose re-run lacked a name from a module still to apply in this batch goes to
    ``deferred`` (see :func:`run_deferred`)."""
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
        if result.recoded and not isinstance(result, Followed):
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
            as_package = is_package(target)
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
                imports = once(from_imports, parsed, record.name, as_package)
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
                every = once(from_imports, parsed, record.name, as_package)
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
                once(module_aliases, parsed, record.name, as_package)
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
            reads = import_time_reads(record)
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
                and not runs_again(reads, affected, dirty, target_ns)
            ):
                # Nothing the importer ran at import time reads what changed: no statement of
                # it re-runs, so no parse and no transaction; the bindings follow, caches that
                # hold results of changed code are dropped, and its own importers are told
                # which of its functions behave differently now.
                follow = follow_without_running(
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
                defer(deferred, record, target, dirty, preset, recoded)
                continue
            if follow.error is not None:
                _importer_failed(record, follow, report)
                continue
            record_outcome(report, follow)
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
