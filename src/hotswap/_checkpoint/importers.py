"""Importer propagation: a committed module's rebound and recoded names travel to the modules
that imported them (``from a import f``, ``import a`` then ``a.f``, star imports), transitively,
and to the session namespace.

:func:`propagate` walks the importers breadth first, each once per module and names it was
sent; how one importer follows (without running, or as a transaction) is :mod:`.follow`'s. An
importer of a module reloaded later in the same save gets the values handed over instead
(:class:`~.follow.Carry`); one whose run failed on a half-applied save runs again once the walk
is over (:func:`~.follow.defer`, ``apply._run_deferred``), and so does, only then, one that no
module imports and that must run while modules of the save are still to apply.
"""

from __future__ import annotations

import sys
import types
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
from hotswap._detect.tracker import TRACKER, Record
from hotswap._engine.affected import SUBCLASS_HOOK, Analysis, affected_functions, analysis_of
from hotswap._engine.journal import MISSING
from hotswap._engine.plan import FromImport, from_imports, module_aliases
from hotswap._engine.propagate import Observed, exports, presets_for, sync_namespace
from hotswap._engine.source import ParsedSource
from hotswap._engine.transaction import Outcome
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
        while self.queue:
            source, result = self.queue.pop(0)
            if not result.rebinds and not result.recoded:
                continue
            module = sys.modules.get(source)
            if module is None:
                continue
            source_ns = module.__dict__
            self._changed(source, source_ns, result)
            # What of ``source`` changed, by first name: an importer holding none of it (and not
            # naming the module itself) has nothing to follow.
            by_head = _by_head(result.recoded)
            heads = set(by_head)
            heads.update(n.partition(".")[0] for n, _old, _new in result.rebinds)
            names = {_sent_key(n) for n in result.recoded}
            names.update(_sent_key(n) for n, _old, _new in result.rebinds)
            for record in TRACKER.holders(source, heads):  # the index: not every watched module
                if record.name == self.name:
                    continue
                # An importer is followed again when a later path brings names it was not sent
                # yet (``b`` reaches ``j`` with ``k``, then, once ``c`` changed ``g``, with
                # ``h``), with those names only. ``tools.f`` sent does not stand for ``tools``
                # (see ``_sent_key``).
                already = self.sent.get((source, record.name))
                fresh = names if already is None else names - already
                if fresh:
                    self._follow(record, source, source_ns, result, by_head, fresh, already)

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
            if _may_hook(source_ns, result.recoded):
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
            rebinds = [r for r in rebinds if _sent_key(r[0]) in fresh]
            recoded_here = {n for n in recoded_here if _sent_key(n) in fresh}
            head_map = _by_head(recoded_here)
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
            # (``_recoded_aliases`` checks identity), so a scanned one does.
            parsed = parsed_of(record)
            if parsed is None:
                return
            imports = self.once(from_imports, parsed, record.name, as_package)
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
                return
            self._settle_missing(preset, parsed, record.name, as_package, source, target_ns)
        recoded = _recoded_aliases(imports, source, source_ns, head_map, target_ns)
        dirty = _dirty(preset, imports, source, rebinds)
        for prefix in self._module_aliases(record.name, parsed, as_package, source, target_ns):
            recoded.update(f"{prefix}.{name}" for name in recoded_here)
            dirty.update(f"{prefix}.{name}" for name, old, new in rebinds)
        if not preset and not recoded and not dirty:
            return
        if record.name in self.carry:  # reloads later in this batch: hand the values over
            self.carry[record.name].preset.update(preset)
            self.carry[record.name].recoded.update(recoded)
            self.carry[record.name].dirty.update(dirty)
            return
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
        self.sent.setdefault((source, record.name), set()).update(fresh)
        self.queue.append((record.name, follow))

    def _module_aliases(
        self,
        importer: str,
        parsed: ParsedSource | None,
        as_package: bool,
        source: str,
        target_ns: dict[str, Any],
    ) -> list[str]:
        """The importer's names for module ``source`` itself: ``a.f(...)`` and ``a.X``
        through ``import a``. Not a name that holds something else: ``from p import s`` names
        the submodule ``p.s`` only if ``p`` did not bind ``s`` to another object (sympy's
        ``from .utilities import lambdify`` binds the function ``lambdify`` that
        ``sympy/utilities/__init__.py`` put over its submodule)."""
        aliases = (
            self.once(module_aliases, parsed, importer, as_package)
            if parsed is not None
            else TRACKER.index.aliases(importer)
        )
        module = sys.modules.get(source)
        return [
            prefix
            for prefix, module_name in aliases.items()
            if module_name == source and not _holds_other(target_ns, prefix, module)
        ]

    def _settle_missing(
        self,
        preset: dict[str, Any],
        parsed: ParsedSource,
        importer: str,
        as_package: bool,
        source: str,
        target_ns: dict[str, Any],
    ) -> None:
        """The names ``preset`` would remove from the importer (``MISSING``) that it keeps."""
        # A name the importer binds itself (``import functools`` next to a star import
        # of a module that also had it) is its own: a star import does not take it away.
        own = parsed.bound_names()
        for name in [n for n, v in preset.items() if v is MISSING and n in own]:
            del preset[name]
        # Another star import of the importer still brings the name (``functools`` from
        # both ``from a import *`` and ``from b import *``): its value stays, or becomes
        # it.
        every = self.once(from_imports, parsed, importer, as_package)
        for name in [n for n, v in preset.items() if v is MISSING]:
            still = _star_value(every, source, name)
            if still is target_ns.get(name, MISSING):
                del preset[name]
            elif still is not MISSING:
                preset[name] = still

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
                return follow_without_running(
                    record, target, preset, recoded, dirty, affected, self.analyses[record.name]
                )
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
        return run_importer(
            record, target, parsed, text, dirty, preset, recoded, self.definitions_only
        )


_PUT_OFF = Outcome("")  # (``_run``: the importer runs after the walk, see ``_run_deferred``)


def _dirty(
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


def _own_definition(value: Any, module: str) -> bool:
    """Whether ``value`` is a function or class that ``module`` defines."""
    return isinstance(value, types.FunctionType | type) and value.__module__ == module


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


def _may_hook(namespace: dict[str, Any], recoded: set[str]) -> bool:
    """Whether a ``__init_subclass__`` of the module's classes can be among what behaves
    differently: one of them defines one, or one already is. Else the module's code need not
    be read for it (a save that moves a thousand functions read all of them)."""
    if any(n.endswith(SUBCLASS_HOOK) for n in recoded):
        return True
    return any(
        isinstance(value, type) and "__init_subclass__" in value.__dict__
        for value in list(namespace.values())
    )


def _sent_key(name: str) -> str:
    """What :attr:`_Propagation.sent` records of a changed name: ``f`` for ``f`` itself,
    ``f.`` for any attribute path under it. Not whole names: a path that goes round an import
    cycle through module names (``a.b.a.b.f``) grows without end, while these are finite."""
    head, dot, _rest = name.partition(".")
    return head + dot


def _holds_other(namespace: dict[str, Any], prefix: str, module: object) -> bool:
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


def _by_head(recoded: set[str]) -> dict[str, list[str]]:
    """``{"C": [".m", ".n"], "f": [""]}`` for ``{"C.m", "C.n", "f"}``."""
    by_head: dict[str, list[str]] = {}
    for name in recoded:
        head, dot, rest = name.partition(".")
        by_head.setdefault(head, []).append(dot + rest)
    return by_head
