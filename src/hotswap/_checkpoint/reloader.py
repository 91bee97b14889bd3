"""The public entry points: :class:`Reloader` (checkpoints) and :func:`reload` (one module now).

A checkpoint finds the watched modules whose file content changed (``_detect``) and, when there
are any, hands them to ``_checkpoint.apply`` (imported then: loading hotswap and a checkpoint
that finds nothing never import the parser, the planner or the engine). Everything runs under one
process-wide lock, so two threads (a watcher and a REPL, say) never reload at the same time.

:meth:`Reloader.apply_sources` is the same data path for source given as text instead of a
file (a Dask worker applying what its client pushed; see ``_detect``, "given as text"), and
:data:`LISTENERS` are told of each checkpoint that reloaded something (``hotswap.dask`` pushes
then).
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from hotswap._detect.scope import Scope, parse_mode, source_file
from hotswap._detect.tracker import TRACKER, Changed, Record, digest, read_file
from hotswap._errors import HotswapError
from hotswap._report import Problem, Report

if TYPE_CHECKING:  # imported at the first change: loading stays quick
    from hotswap._engine.propagate import Observed

STRATEGIES = ("incremental", "full")
_LOCK = threading.RLock()
# Called with the report of every checkpoint that reloaded a module (after the lock is released;
# an exception in one is the listener's own, reported by its owner, never the checkpoint's).
LISTENERS: list[Callable[[Report], None]] = []


def _parse_strategy(value: str) -> str:
    if value not in STRATEGIES:
        raise ValueError(f"unknown strategy {value!r}: use 'incremental' or 'full'")
    return value


class Reloader:
    """Keeps loaded user modules (and optionally a namespace) in step with their files.

    Creating one installs the source-capturing import hook (``close()`` removes it) and takes the
    files of already loaded user modules as their baseline. ``check()`` is the checkpoint.
    """

    __module__ = "hotswap"

    def __init__(
        self,
        namespace: dict[str, Any] | None = None,
        mode: str | int = "all",
        strategy: str = "incremental",
    ) -> None:
        self.namespace = namespace
        self._mode = parse_mode(mode)
        self._strategy = _parse_strategy(strategy)
        self._scope = Scope()
        self._observed: Observed | None = None  # from-imports seen in ``namespace``
        self.last_report: Report | None = None
        self._definitions_only: set[str] = set()
        self._closed = False
        with _LOCK:
            TRACKER.acquire()
            TRACKER.scan()

    # -- configuration ---------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str | int) -> None:
        self._mode = parse_mode(value)

    @property
    def strategy(self) -> str:
        return self._strategy

    @strategy.setter
    def strategy(self, value: str) -> None:
        self._strategy = _parse_strategy(value)

    def include(self, *names: str) -> None:
        for name in names:
            self._scope.include(name)

    def exclude(self, *names: str) -> None:
        for name in names:
            self._scope.exclude(name)

    @property
    def included(self) -> frozenset[str]:
        return frozenset(self._scope.included)

    @property
    def excluded(self) -> frozenset[str]:
        return frozenset(self._scope.excluded)

    def apply_definitions_only(self, *names: str) -> None:
        """Reload these modules by applying only their ``def``/``class`` and import statements.

        For a program whose module is running right now (the runner's ``__main__``): its
        functions and classes follow edits, its other top-level statements never run again.
        """
        self._definitions_only.update(names)

    def observe(self, source: str) -> None:
        """Record the ``from m import ...`` statements of code the user ran in ``namespace``."""
        if "import" in source:
            self._seen().add_source(source)

    def _seen(self) -> Observed:
        if self._observed is None:
            from hotswap._engine.propagate import Observed

            self._observed = Observed()
        return self._observed

    def watched(self) -> list[str]:
        TRACKER.discover()
        TRACKER.arrivals()
        return sorted(
            n for n in TRACKER.records if n in sys.modules and self._scope.allows(n, self._mode)
        )

    @property
    def failures(self) -> dict[str, Problem]:
        return {
            name: record.failure
            for name, record in TRACKER.records.items()
            if record.failure is not None
            and name in sys.modules
            and self._scope.allows(name, self._mode)
        }

    # -- the checkpoint --------------------------------------------------------------------------

    def check(self) -> Report:
        """Reload every watched module whose source changed since it was executed.

        Never raises (but ``KeyboardInterrupt``): a failure inside hotswap is a reported error,
        and each module it concerns keeps its previous version."""
        if self.quiet():
            return Report()
        try:
            report = self._check()
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            message = (
                f"internal error (a bug in hotswap, at {os.path.basename(where.filename)}:"
                f"{where.lineno}): {type(exc).__name__}: {exc}; nothing was reloaded"
            )
            report = Report(errors=[Problem("hotswap", where.filename, where.lineno, message)])
            self.last_report = report
            return report
        if report.reloaded and LISTENERS:
            for listener in list(LISTENERS):
                listener(report)
        return report

    def quiet(self) -> bool:
        """True when a checkpoint now would find nothing to do: reloading is off, or no file
        event, import or polled file since the last one. Cheap enough for every cell (the
        front-ends' per-cell hooks ask it before :meth:`check`)."""
        if self._mode == "off":
            return True
        # Not while a checkpoint runs in another thread (a watcher applying a save): the
        # caller then waits for it in :meth:`check`, as it always did.
        if not _LOCK.acquire(blocking=False):
            return False
        try:
            return TRACKER.quiet()
        finally:
            _LOCK.release()

    def apply_sources(self, sources: Mapping[str, bytes]) -> Report:
        """Take ``sources`` (module name -> source bytes) as those modules' source from now on.

        Each loaded module is reloaded as if its file had been saved with the given text (the
        same transaction, rollback and report as a checkpoint); the file's content as it is now
        is not taken for an edit afterwards, a later change of the file to other content is. A
        module not imported yet runs the given text when it is imported. A module that is not
        watched here (no source file, or outside the scope) is named in a warning."""
        report = Report()
        changed: list[Changed] = []
        strategy = self._strategy
        with _LOCK:
            TRACKER.discover()
            TRACKER.arrivals()
            for name, data in sources.items():
                pushed = TRACKER.push(name, data)
                module = sys.modules.get(name)
                record = TRACKER.records.get(name)
                if module is None:
                    continue  # imported later: the import hook runs ``data``
                if record is None or not self._scope.allows(name, self._mode):
                    TRACKER.pushed.pop(name, None)
                    path = getattr(module, "__file__", None) or ""
                    report.warnings.append(
                        Problem(name, path, None, "not watched in this process; not applied")
                    )
                    continue
                try:
                    disk, fingerprint = read_file(record.path)
                except OSError as exc:
                    TRACKER.pushed.pop(name, None)
                    reason = exc.strerror or str(exc)
                    report.errors.append(Problem(name, record.path, None, f"cannot read: {reason}"))
                    report.failed.append(name)
                    continue
                pushed.stale = digest(disk)
                hashed = digest(data)
                if record.text is None:
                    strategy = "full"  # the executing source is unknown (see ``reload``)
                if hashed != record.digest:
                    changed.append(Changed(record, data, fingerprint, hashed))
                else:
                    record.seen(fingerprint)
            if changed:
                from hotswap._checkpoint.apply import apply

                report.merge(
                    apply(
                        changed,
                        [],
                        strategy,
                        self.namespace,
                        self._seen(),
                        complete=self._mode == "complete",
                        definitions_only=frozenset(self._definitions_only),
                    )
                )
        self.last_report = report
        return report

    def _check(self) -> Report:
        with _LOCK:
            mode, scope = self._mode, self._scope
            # Constant time when nothing changed: file events say which records to look at.
            # (No per-name scope test when the scope takes every module, as by default.)
            everything = mode in ("all", "complete") and not scope.excluded
            if everything and "__main__" in TRACKER.records and "__main__" not in scope.included:
                everything = False
            names = TRACKER.pending(None if everything else lambda n: scope.allows(n, mode))
            if not names:
                return Report()
            changed, unreadable = TRACKER.poll(names)
            if not changed and not unreadable:
                return Report()
            from hotswap._checkpoint.apply import apply

            report = apply(
                changed,
                unreadable,
                self._strategy,
                self.namespace,
                self._seen(),
                complete=mode == "complete",
                definitions_only=frozenset(self._definitions_only),
            )
        self.last_report = report
        return report

    def close(self) -> None:
        """Remove the import hook (once every Reloader in the process is closed)."""
        if not self._closed:
            self._closed = True
            TRACKER.release()

    def __enter__(self) -> Reloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<hotswap.Reloader mode={self._mode!r} strategy={self._strategy!r}>"


def reload(module: types.ModuleType | str, strategy: str = "incremental") -> Report:
    """Reload one module now, under the same contract as a checkpoint.

    With ``strategy="incremental"`` only what changed since the module was executed runs (and an
    unchanged file does nothing); ``"full"`` re-executes the whole module, still transactional
    and identity-keeping. A module whose executed source hotswap never saw is reloaded in full.
    """
    _parse_strategy(strategy)
    if isinstance(module, str):
        if module not in sys.modules:
            raise HotswapError(f"module {module!r} is not loaded")
        module = sys.modules[module]
    name = module.__name__
    path = source_file(module)
    if path is None:
        raise HotswapError(f"module {name!r} has no Python source file to reload")
    with _LOCK:
        TRACKER.discover()
        record = TRACKER.records.get(name)
        if record is None or record.path != path:
            record = Record(name, path, None, None, None)
            TRACKER.records[name] = record
        try:
            data, fingerprint = read_file(path)
        except OSError as exc:
            report = Report(failed=[name])
            reason = exc.strerror or str(exc)
            report.errors.append(Problem(name, path, None, f"cannot read: {reason}"))
            return report
        if strategy == "incremental" and record.digest == digest(data):
            return Report()
        if record.text is None:
            strategy = "full"
        from hotswap._checkpoint.apply import apply
        from hotswap._engine.propagate import Observed

        return apply([Changed(record, data, fingerprint)], [], strategy, None, Observed())
