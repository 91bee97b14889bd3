"""Work a save will need, done when its file event arrives, before the checkpoint applies it.

A person saves in the editor, then switches to the session and runs the next cell: a moment,
usually more than a few hundred milliseconds, in which the session is idle. The first reload of
a module pays for two things that do not depend on the edit: importing the engine (tens of
milliseconds; not at ``import hotswap``, which stays cheap) and parsing the source the module
executes, whole (30 ms for sympy's 4,200-line ``expr.py``; the edited text is
then parsed from it incrementally, see :mod:`hotswap._engine.reparse`). Later reloads of the module
reuse that parse, so without this module the first save costs several times what later ones do.

Before any save, :func:`warm_up` imports the engine in idle time (after the background reader
read the baselines of what was imported), so that a first save does not pay for it either.

A :class:`Preparer` thread waits on the inotify descriptor (in ``poll``, without the GIL). When
an event arrives it moves the events into the tracker's dirty set, with the same drain and under
the same lock as a checkpoint, so a checkpoint sees every completed save whichever of the two
took its event; it counts the wake-up for :meth:`Preparer.wait` (``hotswap.loop`` waits there);
then, for each changed module whose file now holds something new and that has no parse yet, it
parses the source the module executes (importing the engine the first time). A parse is handed over,
not stored: the checkpoint takes it (:meth:`hotswap._detect.tracker.Tracker.parsed`) only if the
module still executes the text that was parsed (its digest), and waits for a parse in progress
instead of starting its own. Nothing here changes a module or a record: a checkpoint that comes
first simply does the work itself.

What is not prepared: a file whose content is what the module executes (a ``touch``, a save
undone), a module whose baseline is not read yet, and more than :data:`AT_ONCE` modules per
wake-up (a branch checkout is the checkpoint's work; parses held for it would only cost memory).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import select
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotswap._detect.tracker import Tracker

AT_ONCE = 8  # modules parsed ahead per wake-up
_HUP = select.POLLERR | select.POLLHUP | select.POLLNVAL


class Preparer:
    """The thread that takes file events as they arrive and prepares their first reload."""

    def __init__(self, tracker: Tracker, fd: int) -> None:
        self._tracker = tracker
        self._fd = fd
        self._stop = False
        self._wake_read, self._wake_write = os.pipe()
        self._news = threading.Condition()
        self.news = 0  # wake-ups so far (see ``wait``)
        self.prepared = 0  # parses handed over so far (tests and benchmarks wait on it)
        self.error: Exception | None = None  # what ended the thread, if anything did
        self._thread = threading.Thread(target=self._run, name="hotswap-prepare", daemon=True)
        self._owner = os.getpid()

    def start(self) -> Preparer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """End the thread before its descriptor is closed (the thread closes its own pipe)."""
        self._stop = True
        if os.getpid() != self._owner:
            return  # a forked child: the thread (and the pipe's use) is the parent's
        if self._thread.is_alive():
            with contextlib.suppress(OSError):  # the thread closed it already
                os.write(self._wake_write, b"x")
            if self._thread is not threading.current_thread():
                self._thread.join(timeout)

    def wait(self, seen: int, timeout: float) -> None:
        """Return when a wake-up after the ``seen``-th has happened, or after ``timeout``."""
        with self._news:
            self._news.wait_for(lambda: self.news != seen or self._stop, timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        poller.register(self._wake_read, select.POLLIN)
        try:
            while not self._stop:
                ready = poller.poll()
                if self._stop or any(fd == self._fd and mask & _HUP for fd, mask in ready):
                    break
                if any(fd == self._wake_read for fd, _mask in ready):
                    os.read(self._wake_read, 64)  # a forked child's stop: not ours
                    continue
                names = self._tracker.take_events()
                with self._news:
                    self.news += 1
                    self._news.notify_all()
                self._prepare(names)
        except Exception as exc:  # the checkpoint does the work itself; kept for tests
            self.error = exc
        finally:
            self._stop = True
            with self._news:
                self._news.notify_all()
            os.close(self._wake_read)
            os.close(self._wake_write)

    def _prepare(self, names: list[str]) -> None:
        tracker = self._tracker
        todo = [r for r in map(tracker.records.get, names) if r is not None][:AT_ONCE]
        if not todo:
            return
        for record in todo:
            if self._stop:
                return
            if tracker.prepare(record, _parse):
                with self._news:
                    self.prepared += 1
                    self._news.notify_all()

    def wait_prepared(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` parses have been handed over (tests); False on timeout."""
        with self._news:
            return self._news.wait_for(lambda: self.prepared >= count, timeout)


# What a first reload imports: the checkpoint's apply (the engine with it), the re-parse, and
# the integrations' registry (``hotswap._hooks.active``).
_ENGINE = ("hotswap._checkpoint.apply", "hotswap._engine.reparse", "hotswap._engine.nested")


# Modules whose baselines one pass of the background reader read, from which on the full
# collection that the imports made due is run at its end (see ``warm_up``).
COLLECT_AFTER = 200


def warm_up(collect: bool = False) -> None:
    """Import what a first reload needs (30-50 ms of CPU), in idle time: called by the
    background reader once the baselines of the modules imported so far are read, so that a
    cell run the instant after the first save (an editor's "save and run") does not import
    the engine. Never raises: at interpreter shutdown, imports fail.

    ``collect`` (a large import, such as sympy's 800 modules): run the full collection the
    imports made due now. CPython's collector runs one once the objects that survived young
    collections reach a quarter of the long-lived ones; after a large import the next burst of
    allocations sets it off, and the first save's parse is such a burst (a 100 ms collection
    inside a 10 ms reload of sympy's ``evalf``)."""
    try:
        for name in _ENGINE:
            importlib.import_module(name)
        importlib.import_module("hotswap._hooks").active()
    except Exception:  # the first reload imports it again, and says what failed
        return
    if collect and gc.isenabled():
        gc.collect()


def header_facts() -> Any:
    """What the engine's parse asks of a function's header (``_engine.parsing.header_facts``),
    for outlines made in idle time; None when the engine does not import (at shutdown)."""
    try:
        return importlib.import_module("hotswap._engine.parsing").header_facts
    except Exception:
        return None


def _parse(record: Any) -> Any:
    """The engine's parse of ``record``'s executing source (the engine is imported here if
    :func:`warm_up` has not run yet)."""
    apply: Any = importlib.import_module("hotswap._checkpoint.apply")
    return apply.parse_executing(record)
