"""The worker side of ``hotswap.dask``: one :class:`hotswap.Reloader` per worker process.

:class:`HotswapPlugin` is a ``distributed`` worker plugin. Its ``setup`` (run on every worker
when ``attach`` registers it, and on each worker that joins later, before that worker runs any
task) creates the worker's Reloader, applies the texts the client pushed so far (kept on the
scheduler, see ``TEXTS_KEY``: a late joiner never runs a stale copy of a pushed module first),
and wraps the worker's task executors so that each task start passes through the reload lock:

- in modes ``pull`` and ``auto`` the task start is a checkpoint (constant time when nothing
  changed), so a worker that sees the client's files follows their saves with no client action;
- in every mode no task starts while a reload applies (a push runs on the worker's event loop
  under the same lock; tasks already running keep their frames, their next call runs the new
  code).

The functions below :class:`HotswapPlugin` are what the client runs on workers with
``client.run``: they return plain data (a :class:`hotswap.Report` and digests), never code.
"""

from __future__ import annotations

import gc
import logging
import sys
import types
from collections.abc import Callable
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from hotswap._checkpoint.reloader import _LOCK, Reloader
from hotswap._detect.record import digest
from hotswap._detect.tracker import TRACKER
from hotswap._report import Change, Problem, Report

PLUGIN_NAME = "hotswap"
TEXTS_KEY = ["hotswap", "texts"]  # scheduler metadata: module -> the text pushed last
MODES = ("auto", "pull", "push")
logger = logging.getLogger("hotswap")

# A module's version: the hex digest of the text it runs (None: not known here).
Version = str | None
# One module of a push: (version the worker should be at before, text, its version).
Item = tuple[Version, bytes, str]


class _State:
    """What the plugin keeps in one worker process."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.reloader = Reloader()
        # A spawned worker runs the client's script again as ``__mp_main__``: not a module of
        # the task code, and never to be reloaded under the client's feet.
        self.reloader.exclude("__mp_main__", "__main__")
        self.previous: dict[str, bytes] = {}  # module -> text before the last push (revert)
        self.wrapped: list[Any] = []  # executors whose ``submit`` is ours

    def before_task(self) -> None:
        """Runs in the executor thread before each task function."""
        if self.mode == "push":
            with _LOCK:  # wait for a reload being applied; nothing to check
                return
        report = self.reloader.check()
        if report:
            for line in str(report).splitlines():
                logger.info("%s", line)

    def wrap(self, executors: dict[str, Any]) -> None:
        for key, executor in executors.items():
            if key == "offload" and executor is not executors.get("default"):
                continue  # (de)serialisation, not tasks
            if executor in self.wrapped or not callable(getattr(executor, "submit", None)):
                continue
            executor.submit = _submit(executor.submit, self.before_task)
            self.wrapped.append(executor)

    def unwrap(self) -> None:
        for executor in self.wrapped:
            executor.__dict__.pop("submit", None)  # the class's method again
        self.wrapped = []


def _submit(original: Callable[..., Any], before: Callable[[], None]) -> Callable[..., Any]:
    def submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        def run(*a: Any, **k: Any) -> Any:
            before()
            return fn(*a, **k)

        return original(run, *args, **kwargs)

    return submit


_STATE: _State | None = None


class HotswapPlugin(WorkerPlugin):  # type: ignore[misc]
    """Keeps a worker in step with the client's code (registered by ``hotswap.dask.attach``)."""

    name = PLUGIN_NAME
    idempotent = False

    def __init__(self, mode: str) -> None:
        self.mode = mode

    async def setup(self, worker: Any) -> None:
        global _STATE
        if _STATE is not None:
            _close(_STATE)
        texts = await worker.scheduler.get_metadata(keys=TEXTS_KEY, default=None)
        state = _STATE = _State(self.mode)
        if texts:
            report = state.reloader.apply_sources(dict(texts))
            for line in str(report).splitlines() if report else ():
                logger.info("%s", line)
        state.wrap(worker.executors)

    def teardown(self, worker: Any) -> None:
        global _STATE
        if _STATE is not None:
            _close(_STATE)
            _STATE = None


def _close(state: _State) -> None:
    state.unwrap()
    state.reloader.close()


def _state() -> _State:
    if _STATE is None:
        raise RuntimeError("hotswap is not attached on this worker (no HotswapPlugin set up)")
    return _STATE


def version_of(name: str) -> Version:
    """The version module ``name`` runs (or will run when imported) in this process."""
    pushed = TRACKER.pushed.get(name)
    record = TRACKER.records.get(name)
    if name in sys.modules and record is not None:
        if record.digest is None:
            record.text  # noqa: B018 - reads a pending baseline
        return record.digest.hex() if record.digest is not None else None
    if pushed is not None:
        return digest(pushed.data).hex()
    return None


def apply_push(
    items: dict[str, Item], paths: dict[str, str], by_value: list[str]
) -> dict[str, Any]:
    """Apply pushed texts (client -> worker, on the worker's event loop): a module found at a
    version that is neither the expected old one nor the new one is *skewed* (a warning; the
    text is applied all the same, which resyncs it)."""
    state = _state()
    with _LOCK:
        TRACKER.discover()
        skewed = []
        for name, (old, _data, new) in items.items():
            now = version_of(name)
            if old is not None and now not in (old, new, None):
                skewed.append(name)
            record = TRACKER.records.get(name)
            text = record.text if record is not None and name in sys.modules else None
            if now != new and text is not None:
                state.previous[name] = text.encode()
        report = state.reloader.apply_sources({name: item[1] for name, item in items.items()})
        for name in skewed:
            report.warnings.append(
                Problem(name, paths.get(name, ""), None, "was at neither the previous nor the "
                        "pushed version (skewed); resynced to the pushed version")
            )
        if by_value:
            _patch_by_value(
                {n: items[n][1] for n in by_value if n in items}, paths, report
            )
    return {"report": report, "versions": {n: version_of(n) for n in items}}


def revert(names: list[str]) -> dict[str, Any]:
    """Put back the text each module ran before the last push (``on_failure="revert"``)."""
    state = _state()
    with _LOCK:
        texts = {n: state.previous[n] for n in names if n in state.previous}
        report = state.reloader.apply_sources(texts)
    return {"report": report, "versions": {n: version_of(n) for n in names}}


def check(names: list[str]) -> dict[str, Any]:
    """A checkpoint now (mode ``pull``: the client asks, the worker reads its own files)."""
    report = _state().reloader.check()
    return {"report": report, "versions": {n: version_of(n) for n in names}}


def versions(names: list[str]) -> dict[str, Version]:
    with _LOCK:
        TRACKER.discover()
        return {n: version_of(n) for n in names}


def status() -> dict[str, str]:
    """Every watched module loaded here, or pushed, with its version."""
    with _LOCK:
        TRACKER.discover()
        scope = _state().reloader
        names = {n for n in TRACKER.records if n in sys.modules} | set(TRACKER.pushed)
        names -= scope.excluded
    return {n: v for n in sorted(names) if (v := version_of(n)) is not None}


def _patch_by_value(sources: dict[str, bytes], paths: dict[str, str], report: Report) -> None:
    """Functions that reached this worker by value (cloudpickle copies them, with their own
    globals: they are not the module's objects) and match a definition of a pushed module by
    module and qualified name get the new code. Once per push, over the whole heap (the
    copies are reachable from anything: task results, actors, closures), and only for the
    modules the client pickles by value. Only code: a default or a global the new text adds
    is not known to such a copy."""
    codes: dict[str, dict[str, types.CodeType]] = {}
    for name, data in sources.items():
        try:
            code = compile(data, paths.get(name, name), "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            continue
        table: dict[str, types.CodeType] = {}
        codes[name] = table
        stack = [code]
        while stack:
            for const in stack.pop().co_consts:
                if isinstance(const, types.CodeType):
                    table.setdefault(const.co_qualname, const)
                    stack.append(const)
    for obj in gc.get_objects():
        if type(obj) is not types.FunctionType:
            continue
        module = getattr(obj, "__module__", None)
        found = codes.get(module) if isinstance(module, str) else None
        if found is None:
            continue
        new = found.get(obj.__qualname__)
        old = obj.__code__
        if new is None or new.co_freevars != old.co_freevars or new == old:
            continue
        loaded = sys.modules.get(module) if isinstance(module, str) else None
        if loaded is not None and obj.__globals__ is loaded.__dict__:
            continue  # the module's own function: patched by the reload
        obj.__code__ = new
        report.changes.append(Change(module or "", obj.__qualname__, "patched", "by value"))
        if isinstance(module, str) and module not in report.reloaded:
            report.reloaded.append(module)
