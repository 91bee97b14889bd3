"""Importer propagation: a committed module's rebound and recoded names travel to the modules
that imported them (``from a import f``, ``import a`` then ``a.f``, star imports), transitively,
and to the session namespace.

:func:`propagate` walks the importers breadth first. What each source sends an importer is
gathered (:class:`~.sending.Waiting`), and the importer follows once, when no module it imports
still waits to: sympy's ``codegen.rewriting``, reached from ``core.add`` through some thirty
modules it imports, ran thirty times in one propagation. How one importer follows (without
running, or as a transaction) is :mod:`.follow`'s; what it is sent, :mod:`.sending`'s. An
importer of a module reloaded later in the same save gets the values handed over instead
(:class:`~.follow.Carry`); one whose run failed on a half-applied save runs again once the walk
is over (:func:`~.follow.defer`, ``apply._run_deferred``), and so does, only then, one that no
module imports and that must run while modules of the save are still to apply.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from typing import Any

from hotswap._checkpoint.follow import (
    Carry,
    Deferred,
    Followed,
    defer,
    follow_without_running,
    import_time_reads,
    importer_failed,
    record_outcome,
    run_importer,
    runs_again,
)
from hotswap._checkpoint.parses import is_package, parsed_of
from hotswap._checkpoint.sending import (
    Waiting,
    by_first_name,
    dirty_names,
    holds_other,
    may_hook,
    own_definition,
    recoded_aliases,
    sent_key,
    settle_missing,
)
from hotswap._detect.tracker import TRACKER, Record
from hotswap._engine.affected import SUBCLASS_HOOK, Analysis, affected_functions, analysis_of
from hotswap._engine.journal import MISSING
from hotswap._engine.plan import FromImport, from_imports, module_aliases
from hotswap._engine.propagate import Observed, presets_for, sync_namespace
from hotswap._engine.source import ParsedSource
from hotswap._engine.transaction import Outcome
from hotswap._engine.walk import inherited
from hotswap._report import Change, Report


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
    ``deferred`` (run again at the walk's end: ``apply._run_deferred``)."""
    walk = _Propagation(name, namespace, observed, complete, report, carry, definitions_only)
    walk.run(outcome, deferred)


class _Propagation:
    """One :func:`propagate`: the modules whose changes still travel, and what each importer
    was sent."""

    def __init__(
        self,
        name: str,
        namespace: dict[str, Any] | None,
        observed: Observed,
        complete: bool,
        report: Report,
        carry: dict[str, Carry],
        definitions_only: frozenset[str],
    ) -> None:
        self.name = name
        self.namespace = namespace
        self.observed = observed
        self.complete = complete
        self.report = report
        self.carry = carry
        self.definitions_only = definitions_only
        self.deferred: dict[str, Deferred] | None = None  # (see :func:`propagate`)
        self.queue: list[tuple[str, Outcome]] = []
        # What each (module, importer) pair was sent: an importer is followed once per module it
        # imports from and names it holds (``fzd`` star-imports ``fzb``, which star-imports
        # ``fza``, and imports ``f4`` from ``fza`` itself: both reach it).
        self.sent: dict[tuple[str, str], set[str]] = {}
        self.analyses: dict[str, Analysis] = {}  # read once per module, again after it ran code
        # An importer's parsed imports, read once per propagation (a star importer is reached
        # from each module it star-imports; the parse stays the same while it does not run).
        self.read: dict[tuple[str, int], tuple[ParsedSource, Any]] = {}
        # Importers reached, with what every source sent them so far: each runs once, when no
        # module it imports still waits to run (see ``_ready``), not once per source.
        self.waiting: dict[str, Waiting] = {}

    def once(self, kind: Any, parsed: ParsedSource, importer: str, is_package: bool) -> Any:
        key = (kind.__name__ + importer, id(parsed))
        found = self.read.get(key)
        if found is None or found[0] is not parsed:
            found = self.read[key] = (parsed, kind(parsed, importer, is_package))
        return found[1]

    def analysis(self, module_name: str, module_ns: dict[str, Any]) -> Analysis:
        found = self.analyses.get(module_name)
        if found is None:
            found = self.analyses[module_name] = analysis_of(module_ns, module_name)
        return found

    def run(self, outcome: Outcome, deferred: dict[str, Deferred] | None) -> None:
        self.deferred = deferred
        self.queue.append((self.name, outcome))
        while self.queue or self.waiting:
            if not self.queue:
                self._run_waiting(_ready(self.waiting))
                continue
            source, result = self.queue.pop(0)
            if not result.rebinds and not result.recoded and not result.members:
                continue
            module = sys.modules.get(source)
            if module is None:
                continue
            source_ns = module.__dict__
            if result.members:
                self._members(source, source_ns, result.members)
            if not result.rebinds and not result.recoded:
                continue
            self._changed(source, source_ns, result)
            # What of ``source`` changed, by first name: an importer holding none of it (and not
            # naming the module itself) has nothing to follow.
            by_head = by_first_name(result.recoded)
            heads = set(by_head)
            heads.update(n.partition(".")[0] for n, _old, _new in result.rebinds)
            names = {sent_key(n) for n in result.recoded}
            names.update(sent_key(n) for n, _old, _new in result.rebinds)
            for record in TRACKER.holders(source, heads):  # the index: not every watched module
                if record.name == self.name:
                    continue
                # An importer is followed again when a later path brings names it was not sent
                # yet (``b`` reaches ``j`` with ``k``, then, once ``c`` changed ``g``, with
                # ``h``), with those names only. ``tools.f`` sent does not stand for ``tools``
                # (see ``sent_key``).
                already = self.sent.get((source, record.name))
                fresh = names if already is None else names - already
                if fresh:
                    self._follow(record, source, source_ns, result, by_head, fresh, already)

    def _members(self, source: str, source_ns: dict[str, Any], members: set[str]) -> None:
        """Methods of ``source``'s classes whose code changed (``Outcome.members``): an
        importer whose import-time code calls one by name (``SETTINGS = Settings.from_env()``,
        ``Y = K.v(None)``) runs again with it. Not followed further, into the functions that
        call one (finding those analyses every importer of the class: sympy's ``Expr`` has
        131), nor through a package that re-exports the class, nor into a call on an instance
        (``K().v()``). The modules whose imports name ``source`` are asked first whether
        their import-time code calls anything of that name: sympy's ``expr`` has 131 such."""
        by_head = by_first_name(members)
        tails = tuple({"." + member.rpartition(".")[2] for member in members})
        for record in TRACKER.naming(source):
            target = sys.modules.get(record.name)
            if target is None or record.name == self.name:
                continue
            calls = _import_time_calls(record)
            if not any(c.endswith(tails) for c in calls):
                continue  # (most importers of a class call none of its methods at import)
            called = _calls_of(record.name, calls, target.__dict__, source, source_ns, by_head)
            if called:
                self._send(record, target).recoded |= called

    def _changed(self, source: str, source_ns: dict[str, Any], result: Outcome) -> None:
        """What ``source``'s outcome says changed, completed; the namespace follows it."""
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
            self.analyses.pop(source, None)  # it ran code: its functions may be new objects
            if may_hook(source_ns, result.recoded):
                result.recoded |= {
                    n
                    for n in affected_functions(
                        source_ns, source, result.recoded, self.analysis(source, source_ns)
                    )
                    if n.endswith(SUBCLASS_HOOK)
                }
        if self.namespace is not None:
            for key in sync_namespace(
                self.namespace, source, source_ns, result.rebinds, self.observed, self.complete
            ):
                self.report.changes.append(Change(source, key, "rebound", "namespace"))

    def _follow(
        self,
        record: Record,
        source: str,
        source_ns: dict[str, Any],
        result: Outcome,
        by_head: dict[str, list[str]],
        fresh: set[str],
        already: set[str] | None,
    ) -> None:
        """Bring importer ``record`` in step with the names ``fresh`` of ``source``."""
        rebinds, recoded_here, head_map = result.rebinds, result.recoded, by_head
        if already is not None:
            rebinds = [r for r in rebinds if sent_key(r[0]) in fresh]
            recoded_here = {n for n in recoded_here if sent_key(n) in fresh}
            head_map = by_first_name(recoded_here)
        target = sys.modules.get(record.name)
        indexed = TRACKER.imports_of(record)
        if target is None or indexed is None:
            return  # not loaded, or its executed text is unknown
        as_package = is_package(target)
        # Only the imports from ``source`` matter here.
        pairs = TRACKER.index.from_source(record.name, source)
        imports = [FromImport(source, n, alias) for n, alias in pairs]
        parsed: ParsedSource | None = None
        if rebinds and any(i.name == "*" for i in imports):
            # A star import moves names in and out: only the parse says it is real (the
            # scan also finds ``from a import *`` written in a docstring). Changed code
            # alone moves nothing: the names it reaches are those the importer holds
            # (``recoded_aliases`` checks identity), so a scanned one does.
            parsed = parsed_of(record)
            if parsed is None:
                return
            imports = self.once(from_imports, parsed, record.name, as_package)
        target_ns = target.__dict__
        preset = presets_for(
            imports, source, source_ns, rebinds, target_ns, add_new=True, add_named=False
        )
        for alias in [a for a in preset if own_definition(target_ns.get(a), record.name)]:
            # The scan finds imports in docstrings too (``>>> from sympy import primepi``
            # in the module that defines ``primepi``, which ``sympy`` re-exported): what
            # the importer defines is its own, whatever the re-exporter binds now.
            del preset[alias]
        if any(v is MISSING for v in preset.values()):
            parsed = parsed or parsed_of(record)
            if parsed is None:
                return
            settle_missing(
                preset, parsed, lambda: self.once(from_imports, parsed, record.name, as_package),
                source, target_ns,
            )
        recoded = recoded_aliases(imports, source, source_ns, head_map, target_ns)
        dirty = dirty_names(preset, imports, source, rebinds)
        aliases = (
            self.once(module_aliases, parsed, record.name, as_package)
            if parsed is not None
            else TRACKER.index.aliases(record.name)
        )
        for prefix in _names_for(aliases, source, target_ns):
            recoded.update(f"{prefix}.{name}" for name in recoded_here)
            dirty.update(f"{prefix}.{name}" for name, old, new in rebinds)
        if not preset and not recoded and not dirty:
            return
        into = self._send(record, target)
        into.preset.update(preset)
        into.recoded |= recoded
        into.dirty |= dirty
        if isinstance(into, Waiting):
            into.parsed = into.parsed or parsed
            into.sent.append((source, fresh))

    def _send(self, record: Record, target: types.ModuleType) -> Waiting | Carry:
        """Where what ``record`` is sent goes: the values handed over to a module reloaded
        later in this batch, else its entry among the waiting importers (made now)."""
        carried = self.carry.get(record.name)
        if carried is not None:
            return carried
        waiting = self.waiting.get(record.name)
        if waiting is None:
            scanned = TRACKER.index.of.get(record.name)
            sources = scanned.sources() if scanned is not None else set()
            sources.discard(record.name)
            waiting = self.waiting[record.name] = Waiting(record, target, sources)
        return waiting

    def _run_waiting(self, name: str) -> None:
        """Bring a waiting importer in step with everything its sources sent it."""
        item = self.waiting.pop(name)
        record, target, parsed = item.record, item.target, item.parsed
        preset, recoded, dirty = item.preset, item.recoded, item.dirty
        put_off = self.deferred.pop(record.name, None) if self.deferred is not None else None
        if put_off is not None:  # its run failed earlier in the walk: this one does it all
            preset = {**put_off.carry.preset, **preset}
            dirty |= put_off.carry.dirty
            recoded |= put_off.carry.recoded
        follow = self._run(record, target, parsed, preset, recoded, dirty)
        if follow is None or follow is _PUT_OFF:
            return
        if follow.error is not None and self.deferred is not None and self.carry:
            # Modules of this save are still to apply: the importer ran against a half-made
            # state no fresh run sees (``T = compute()`` imports, inside a function, a name
            # a later module gains; an old class's method reads a global its module just
            # dropped, in a save that moves the class away). It runs again after the walk,
            # with what every source sent it, and only a failure then is reported.
            defer(self.deferred, record, target, dirty, preset, recoded)
            return
        if follow.error is not None:
            importer_failed(record, follow, self.report)
            return
        record_outcome(self.report, follow)
        for source, fresh in item.sent:
            self.sent.setdefault((source, record.name), set()).update(fresh)
        self.queue.append((record.name, follow))

    def _run(
        self,
        record: Record,
        target: types.ModuleType,
        parsed: ParsedSource | None,
        preset: dict[str, Any],
        recoded: set[str],
        dirty: set[str],
    ) -> Outcome | None:
        """The importer followed: without running when nothing it ran at import time reads
        what changed, else as a transaction (None: its source is unknown; ``_PUT_OFF``: it
        runs after the walk)."""
        target_ns = target.__dict__
        reads = import_time_reads(record)
        affected: set[str] = set()
        if reads is not None:
            # The importer's functions whose behaviour changed (calling a recoded function,
            # reading a rebound name), from its live code objects.
            affected = affected_functions(
                target_ns, record.name, recoded | dirty, self.analysis(record.name, target_ns)
            )
            if not runs_again(reads, affected, dirty, target_ns):
                # Nothing the importer ran at import time reads what changed: no statement of
                # it re-runs, so no parse and no transaction; the bindings follow, caches that
                # hold results of changed code are dropped, and its own importers are told
                # which of its functions behave differently now.
                followed = follow_without_running(
                    record, target, preset, recoded, dirty, affected, self.analyses[record.name]
                )
                return _with_attributes(followed, target_ns, dirty)
        if self.deferred is not None and self.carry and not TRACKER.index.importers(record.name):
            # No module imports it, and modules of this save are still to apply: it runs once,
            # after the walk, with what every source sent it (sympy's ``hyperexpand_doc``
            # builds a docstring from a dozen modules of a checkout: it ran once per each).
            defer(self.deferred, record, target, dirty, preset, recoded)
            return _PUT_OFF
        parsed = parsed or parsed_of(record)
        text = record.text
        if parsed is None or text is None:
            return None
        outcome = run_importer(
            record, target, parsed, text, dirty, preset, recoded, self.definitions_only
        )
        if outcome.error is None:
            # What behaves differently in it still does after its statements ran (a class its
            # statement made again in place with a metaclass that changed: ``X = A()`` in its
            # importers computes something else); the run tells only of its functions.
            outcome.recoded |= affected - (dirty - recoded)
            _with_attributes(outcome, target_ns, dirty)
        return outcome


def _ready(waiting: dict[str, Waiting]) -> str:
    """The waiting importer to run next: one that imports no module still waiting (so it
    runs after them, with what they send too); in an import cycle, the first reached."""
    for name, item in waiting.items():
        if item.sources.isdisjoint(waiting):
            return name
    return next(iter(waiting))


def _names_for(
    aliases: dict[str, str], source: str, target_ns: dict[str, Any]
) -> list[str]:
    """The importer's names for module ``source`` itself (``aliases``: its ``import``
    statements' names, by module): ``a.f(...)`` and ``a.X`` through ``import a``. Not a name
    that holds something else: ``from p import s`` names the submodule ``p.s`` only if ``p``
    did not bind ``s`` to another object (sympy's ``from .utilities import lambdify`` binds the
    function ``lambdify`` that ``sympy/utilities/__init__.py`` put over its submodule)."""
    module = sys.modules.get(source)
    return [
        prefix
        for prefix, module_name in aliases.items()
        if module_name == source and not holds_other(target_ns, prefix, module)
    ]


def _import_time_calls(record: Record) -> Iterable[str]:
    """``import_time_reads(record).called``, without making sets when the code tells."""
    calls = record.calls() if record.parsed is None else None
    if calls is not None:
        return calls
    reads = import_time_reads(record)
    return reads.called if reads is not None else ()


def _calls_of(
    importer: str,
    calls: Iterable[str],
    target_ns: dict[str, Any],
    source: str,
    source_ns: dict[str, Any],
    by_head: dict[str, list[str]],
) -> set[str]:
    """The methods of ``by_head`` (of ``source``'s classes) among ``calls`` (what the
    importer's import-time code calls), by its names for them: through ``from source import K
    as L``, ``L.v``; through ``import source``, ``source.K.v``."""
    names = {
        alias + rest
        for name, alias in TRACKER.index.from_source(importer, source)
        if name in by_head and target_ns.get(alias) is source_ns.get(name, MISSING)
        for rest in by_head[name]
    }
    for prefix in _names_for(TRACKER.index.aliases(importer), source, target_ns):
        names.update(f"{prefix}.{head}{rest}" for head, rests in by_head.items() for rest in rests)
    return names.intersection(calls)


def _with_attributes(outcome: Outcome, namespace: dict[str, Any], dirty: set[str]) -> Outcome:
    """``outcome`` with the attributes its sources rebound on what the importer holds passed
    on (``K.X`` changed in ``m``, ``from m import K`` here: ``Y = K.X`` in this module's
    importers read the old value), and ``S.x`` for each class ``S`` of the importer that
    inherits such a ``C.x`` (``class K(B)`` here, ``B.V`` changed there). The old value is
    gone (the class was patched in place): what importers act on is the name."""
    bound = {name for name, _old, _new in outcome.rebinds}
    held = {n for n in dirty if "." in n and n.partition(".")[0] in namespace}
    for name in sorted((held | inherited(namespace, dirty)) - bound):
        value: Any = namespace[name.partition(".")[0]]
        for part in name.split(".")[1:]:
            value = getattr(value, part, MISSING)
        outcome.rebinds.append((name, MISSING, value))
    return outcome


_PUT_OFF = Outcome("")  # (``_run``: the importer runs after the walk, see ``_run_deferred``)
