"""Threads calling into a module while the main thread reloads it again and again.

Worker threads call the module's functions, methods, properties, a decorated function and a
closure, and update module state (a global counter under a lock, a shared list), while the
main thread saves new versions and broken versions (which roll back). Afterwards: no worker
saw an exception, no single call returned values from two versions of its function, and no
update made by a worker was lost.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

import hotswap
from conftest import Workspace

pytestmark = pytest.mark.slow  # threads hammering reloads

WORKERS = 4
CYCLES = 60

SOURCE = '''\
import functools
import threading

LOCK = threading.Lock()
TOTAL = 0
LOG = []


def bump():
    """Update module state the way threads do: a global rebinding and a shared list."""
    global TOTAL
    with LOCK:
        TOTAL += 1
        LOG.append(1)


def work():
    first = {version}
    spin = 0
    for _ in range(300):
        spin += 1
    last = {version}
    return first, last


def _twice(fn):
    @functools.wraps(fn)
    def inner(*args):
        return fn(*args) * 2
    return inner


@_twice
def decorated():
    return {version}


def make():
    def closure():
        return {version}
    return closure


class C:
    ATTR = {version}

    def method(self):
        first = {version}
        for _ in range(100):
            pass
        return first, {version}

    @property
    def prop(self):
        return {version}
{tail}'''


def _source(version: int, broken: bool = False) -> str:
    tail = f'\n\nraise RuntimeError("broken save {version}")\n' if broken else ""
    return SOURCE.format(version=version, tail=tail)


class Worker(threading.Thread):
    """Calls into the module until told to stop; records every result and every error."""

    def __init__(self, mod: Any, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.mod, self.stop = mod, stop
        self.errors: list[BaseException] = []
        self.mixed: list[tuple[str, object]] = []
        self.bumps = 0
        self.calls = 0
        self.held = mod.C()
        self.closure: Callable[[], int] = mod.make()

    def run(self) -> None:
        mod = self.mod
        while not self.stop.is_set():
            try:
                for name, call in (
                    ("work", mod.work),
                    ("method", self.held.method),
                    ("fresh method", lambda: mod.C().method()),
                ):
                    first, last = call()
                    if first != last:
                        self.mixed.append((name, (first, last)))
                mod.decorated()
                self.closure()
                _ = self.held.prop, mod.C.ATTR
                mod.bump()
                self.bumps += 1
                self.calls += 1
            except BaseException as exc:  # anything a reload made a worker see
                self.errors.append(exc)
                return


def test_threads_calling_in_while_the_module_reloads(workspace: Workspace) -> None:
    """Sixty saves (every third one broken and rolled back) while four threads call in: no
    exception, no call mixing two versions of one function, no lost update."""
    name = workspace.name("threads")
    workspace.write(f"{name}.py", _source(0))
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so calls overlap every reload step
    stop = threading.Event()
    with hotswap.Reloader() as reloader:
        mod = importlib.import_module(name)
        workers = [Worker(mod, stop) for _ in range(WORKERS)]
        try:
            for worker in workers:
                worker.start()
            failed = 0
            for cycle in range(1, CYCLES + 1):
                broken = cycle % 3 == 0
                workspace.write(f"{name}.py", _source(cycle, broken))
                report = reloader.check()
                assert report.ok is not broken, report.errors
                failed += broken
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=60)
            sys.setswitchinterval(previous)
    assert not any(w.is_alive() for w in workers)
    assert [e for w in workers for e in w.errors] == []
    assert [m for w in workers for m in w.mixed] == []
    assert all(w.calls > 0 for w in workers)
    bumps = sum(w.bumps for w in workers)
    assert len(mod.LOG) == bumps
    assert bumps == mod.TOTAL, f"{bumps - mod.TOTAL} updates of TOTAL were lost"
    assert failed == CYCLES // 3
    assert mod.work() == (CYCLES - 1, CYCLES - 1)  # the last good save runs


def test_reloads_from_two_threads_at_once(workspace: Workspace) -> None:
    """Two threads (a watcher and a REPL, say) calling ``check()`` at the same time: every save
    is applied once, in order, and the module ends at the last version."""
    name = workspace.name("threads")
    workspace.write(f"{name}.py", _source(0))
    with hotswap.Reloader() as reloader:
        mod = importlib.import_module(name)
        errors: list[BaseException] = []
        stop = threading.Event()

        def checker() -> None:
            while not stop.is_set():
                try:
                    reloader.check()
                except BaseException as exc:
                    errors.append(exc)
                    return

        other = threading.Thread(target=checker, daemon=True)
        other.start()
        try:
            for version in range(1, 41):
                workspace.write(f"{name}.py", _source(version))
                reloader.check()
                assert mod.work() == (version, version)
        finally:
            stop.set()
            other.join(timeout=60)
    assert errors == []
    assert mod.C().method() == (40, 40)
