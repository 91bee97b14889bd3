"""The file watcher: a thread that applies reloads while a program runs (``run`` and ``watch()``).

One daemon thread per :class:`Watch`. It watches the *directories* of the watched modules only
(not recursively, not whole trees), through watchfiles (Rust ``notify``), and recomputes that
set every second, because a running program keeps importing modules. Events are debounced by
watchfiles: changes are gathered until none arrives for ``step_ms`` (at most ``debounce_ms``),
so an editor's multi-step save reloads once.

Where events do not arrive (network file systems, WSL, some container mounts) ``poll=True``
(``--poll``, or ``HOTSWAP_POLL=1``) replaces events with a stat loop over the watched files
every ``poll_ms``; a change is applied once two looks ``step_ms`` apart agree. (notify's own
polling is not used: it compares whole-second modification times, so a second save of the same
size within one second is missed.)

Either way the thread then calls ``Reloader.check()``: the engine finds what changed and applies
it under its process-wide lock, so the thread never races another checkpoint. A program's
threads keep running meanwhile; a call that started before the reload finishes on the old code
of its function, later calls run the new code, and a function that is running *now* (a loop in
``main()``) is named once. With ``at_checkpoint=True`` the thread only marks changes pending and
the program applies them itself by calling :func:`hotswap.checkpoint` at a safe point.
"""

from __future__ import annotations

import os
import threading
import traceback
import types
from collections.abc import Callable, Iterable

from hotswap import _hooks as integrations
from hotswap._checkpoint.reloader import Reloader
from hotswap._detect.tracker import TRACKER
from hotswap._engine.frames import frames_on_stacks, running_old_code
from hotswap._front.render import Show, note, print_report
from hotswap._front.watched import Patterns, WatchedFiles, racy
from hotswap._gate import GATE
from hotswap._report import Report

_ACTIVE: list[Watch] = []
RUNNING_GRACE = 0.1  # seconds a replaced function must keep running to be named
_ENGINE = threading.RLock()  # check() and watched() from this module never overlap


_EMPTIED_WAIT_MS = 1000  # how long a file that was emptied may take to fill


def poll_from_environment() -> bool:
    """``HOTSWAP_POLL``: set and not ``0``/``false``/``no``/``off`` means poll."""
    value = os.environ.get("HOTSWAP_POLL", "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


class Watch:
    """A running file watcher; ``stop()`` ends it (also a context manager).

    Use :func:`hotswap.watch` to make one. ``reloader`` is the :class:`hotswap.Reloader` it
    drives (its own, closed on ``stop()``, unless one was passed in).
    """

    __module__ = "hotswap"

    def __init__(
        self,
        reloader: Reloader | None = None,
        *,
        poll: bool | None = None,
        at_checkpoint: bool = False,
        quiet: bool = False,
        verbose: bool = False,
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        on_report: Callable[[Report], None] | None = None,
        debounce_ms: int = 1600,
        step_ms: int = 50,
        poll_ms: int = 250,
        on_change: Callable[[], None] | None = None,
        also: Iterable[str] = (),
    ) -> None:
        self._own = reloader is None
        self.reloader = reloader if reloader is not None else Reloader()
        self.poll = poll_from_environment() if poll is None else poll
        self.at_checkpoint = at_checkpoint
        self.show = Show(quiet=quiet, verbose=verbose)
        self.patterns = Patterns(include, exclude)
        self.on_report = on_report
        self.debounce_ms, self.step_ms, self.poll_ms = debounce_ms, step_ms, poll_ms
        self._stop = threading.Event()
        self._pending = threading.Event()
        self._apply_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._said_running: set[tuple[str, str]] = set()  # (qualname, path)
        self._said_trouble = False
        self.on_change = on_change  # called when files changed, before applying (the runner)
        self.watched = WatchedFiles(self.reloader, self.patterns, also, _ENGINE)
        self._sizes: dict[str, int] = {}  # file sizes at the last change (see below)
        # A checkpoint held a file that looked half-written (see ``_detect.record.half_written``):
        # the thread checks again at its next look even if no event comes (a file really
        # saved so raises none).
        self._again = False

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Watch:
        if self._thread is None:
            self.patterns.apply(self.reloader)
            prints = self.watched.fingerprints()
            self._sizes = {p: fp[2] for p, fp in prints.items() if fp is not None}
            self._thread = threading.Thread(target=self._run, name="hotswap-watch", daemon=True)
            _ACTIVE.append(self)
            # Requests and saves never overlap: web frameworks imported now or later have their
            # request entry gated (see hotswap._gate).
            integrations.serve_requests()
            self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching; pending changes are dropped. Safe to call twice, and from any thread."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        if not _ACTIVE:
            integrations.stop_serving()
        if self._own:
            self.reloader.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    @property
    def pending(self) -> bool:
        """Changes were seen and wait for :meth:`checkpoint` (``at_checkpoint`` mode)."""
        return self._pending.is_set()

    def __enter__(self) -> Watch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        how = "polling" if self.poll else "events"
        return f"<hotswap.Watch {how} running={self.running} at_checkpoint={self.at_checkpoint}>"

    # -- applying --------------------------------------------------------------------------------

    def checkpoint(self) -> Report | None:
        """Apply the changes the watcher saw, now, in the calling thread (None: nothing seen)."""
        if not self._pending.is_set():
            return None
        return self.apply()

    def apply(self) -> Report:
        """Reload what changed now and show the report."""
        with self._apply_lock:
            self._pending.clear()
            # Right before the reloader reads the files (not when the change was noticed: a
            # save can start in between, while ``on_change`` runs, and be read half-done).
            self._wait_while_truncated()
            try:
                # No request runs while the save applies: each is served by old or new code.
                with _ENGINE, GATE.applying(note):
                    self.patterns.apply(self.reloader)
                    report = self.reloader.check()
            except Exception:
                note(
                    [
                        "hotswap: internal error while reloading (a bug in hotswap; "
                        "please report it with this traceback):",
                        traceback.format_exc().rstrip(),
                    ]
                )
                return Report()
            self._again = TRACKER.holding(self.reloader.watched())
            if report:
                self._present(report)
            return report

    def check_now(self) -> Report:
        """Apply what was saved, now, in the calling thread, without waiting for the thread to
        notice it (``hotswap.loop`` before each step): constant time when nothing changed."""
        with self._apply_lock:
            try:
                with _ENGINE, GATE.applying(note):
                    self.patterns.apply(self.reloader)
                    report = self.reloader.check()
            except Exception:
                note(["hotswap: internal error while reloading:", traceback.format_exc().rstrip()])
                return Report()
        if report:
            self._present(report)
        return report

    def _present(self, report: Report) -> None:
        if self.on_report is not None:
            self.on_report(report)
            return
        print_report(report, self.show)
        self.say_running(report)

    def say_running(self, report: Report) -> None:
        """Name, once each, the functions of ``report`` that keep running their old code.

        A frame caught in the middle of a short call is not worth a line: what still runs the
        old code a moment later (a loop, a server) is named, from a timer thread, so neither
        the program nor the watcher waits for it.
        """
        found = [
            item
            for item in running_old_code(report.reloaded)
            if item[1:3] not in self._said_running
        ]
        if found:
            timer = threading.Timer(RUNNING_GRACE, self._confirm_running, args=(found,))
            timer.daemon = True
            timer.start()

    def _confirm_running(self, found: list[tuple[types.FrameType, str, str, str]]) -> None:
        live = frames_on_stacks()
        lines = []
        for frame, qualname, path, thread in found:
            if (qualname, path) in self._said_running or not any(f is frame for f in live):
                continue
            self._said_running.add((qualname, path))
            lines.append(
                f"hotswap: {qualname}() is running in {thread} and keeps its old code until "
                "it returns; new calls run the new code"
            )
        note(lines)

    # -- the thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            if self.poll:
                self._poll_loop()
            else:
                self._event_loop()
        except Exception:
            note(["hotswap: the file watcher stopped:", traceback.format_exc().rstrip()])

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()
        if self.at_checkpoint:
            self._pending.set()
        else:
            self.apply()

    def _event_loop(self) -> None:
        import watchfiles  # imported here: ``import hotswap`` stays cheap

        while not self._stop.is_set():
            directories = self.directories()
            if not directories:
                self._stop.wait(1.0)
                continue
            # A save made while the watch was being set up produced no event: the first yield
            # (changes, or the first one-second timeout) checks once to catch it.
            first = True
            try:
                for changes in watchfiles.watch(
                    *sorted(directories),
                    watch_filter=self.watched.relevant,
                    debounce=self.debounce_ms,
                    step=self.step_ms,
                    stop_event=self._stop,
                    rust_timeout=1000,
                    yield_on_timeout=True,
                    recursive=False,
                    force_polling=False,
                    raise_interrupt=False,
                    ignore_permission_denied=True,
                ):
                    integrations.serve_requests()  # a server started since the last look
                    if changes or first or self._again:
                        first = False
                        self._changed()
                    if self._stop.is_set() or self.directories() != directories:
                        break
            except (OSError, RuntimeError) as exc:  # a directory vanished between two looks
                if not self._said_trouble:
                    self._said_trouble = True
                    note([f"hotswap: watching failed ({exc}); retrying"])
                self._stop.wait(1.0)

    def _poll_loop(self) -> None:
        step = self.step_ms / 1000
        last = self.watched.fingerprints()
        while not self._stop.wait(self.poll_ms / 1000):
            integrations.serve_requests()  # a server started since the last look
            now = self.watched.fingerprints()
            if now == last and not racy(now) and not self._again:
                continue
            waited = 0.0
            while waited < self.debounce_ms / 1000:  # settle: two looks that agree
                if self._stop.wait(step):
                    return
                waited += step
                again = self.watched.fingerprints()
                if again == now:
                    break
                now = again
            self._changed()
            last = now

    def _wait_while_truncated(self) -> None:
        """An in-place save truncates the file before writing it: a watched file that had
        content and is empty now is given up to ``debounce_ms`` (and at least a second) to
        fill, so a half-done save does not empty the module (a writer descheduled between the
        two steps makes that gap long; the runner's debounce is short). Files that were empty
        before (``__init__.py``) are not waited for."""
        limit = max(self.debounce_ms, _EMPTIED_WAIT_MS) / 1000
        waited = 0.0
        while True:
            prints = self.watched.fingerprints()
            emptied = [
                path
                for path, fp in prints.items()
                if fp is not None and fp[2] == 0 and self._sizes.get(path, 0) > 0
            ]
            if not emptied or waited >= limit:
                break
            if self._stop.wait(self.step_ms / 1000):
                return
            waited += self.step_ms / 1000
        self._sizes = {path: fp[2] for path, fp in prints.items() if fp is not None}

    # -- what to watch (see ``watched.WatchedFiles``) ---------------------------------------------

    def files(self) -> set[str]:
        """The source files of the modules the reloader watches now."""
        return self.watched.files()

    def directories(self) -> frozenset[str]:
        """The directories to watch (see :meth:`WatchedFiles.directories`)."""
        return self.watched.directories()


def watch(
    reloader: Reloader | None = None,
    *,
    poll: bool | None = None,
    at_checkpoint: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    on_report: Callable[[Report], None] | None = None,
) -> Watch:
    """Start a file watcher that reloads edited modules while the program runs.

    Returns the running :class:`Watch`; ``stop()`` it, or use it as a context manager::

        with hotswap.watch():
            serve_forever()

    ``poll`` (default: ``HOTSWAP_POLL``) polls instead of waiting for file system events.
    ``at_checkpoint`` applies changes only when the program calls :func:`hotswap.checkpoint`.
    ``include``/``exclude`` take module names (covering submodules) or glob patterns.
    Reports go to stderr (``quiet``: errors and warnings only; ``verbose``: every object), or
    to ``on_report`` instead.
    """
    return Watch(
        reloader,
        poll=poll,
        at_checkpoint=at_checkpoint,
        quiet=quiet,
        verbose=verbose,
        include=include,
        exclude=exclude,
        on_report=on_report,
    ).start()


def checkpoint() -> Report | None:
    """A safe point: apply the changes running watchers have seen, now, in this thread.

    Cheap when nothing changed (and when no watcher runs): call it once per loop iteration.
    Returns the report, or None when there was nothing to apply.
    """
    if not _ACTIVE:
        return None
    result: Report | None = None
    for active in list(_ACTIVE):
        report = active.checkpoint()
        if report is not None:
            if result is None:
                result = report
            else:
                result.merge(report)
    return result
