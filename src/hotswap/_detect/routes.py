"""How file events reach the tracker's records: routes from paths to records, the dirty set.

The part of the :class:`~hotswap._detect.tracker.Tracker` that holds its records and talks to
the event source (:mod:`hotswap._detect.events`): each record's file is watched (its directory,
and the symbolic links on the way to it), and an event's path is routed to the records of that
file, which become *dirty*: looked at by the next checkpoint. A file that cannot be watched (no
event source, a file system without events, a link that cannot be followed) is *polled*: stat-ed
at every checkpoint (see :mod:`hotswap._detect.polling`). A Tracker is the sum of its parts, one
job each, in a line of bases (each makes its own state, and uses only its own and its bases'):
this one, then :mod:`~hotswap._detect.indexing`, :mod:`~hotswap._detect.baselines` and
:mod:`~hotswap._detect.polling`.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

from hotswap._detect.events import Watcher, forks
from hotswap._detect.prepare import Preparer
from hotswap._detect.record import Record, resolve_directory

if TYPE_CHECKING:
    from hotswap._detect.tracker import Tracker


class _Records(dict[str, Record]):
    """The tracker's records; a record stored here is watched (``records[name] = record``)."""

    def __init__(self, tracker: Routes) -> None:
        super().__init__()
        self._tracker = tracker

    def __setitem__(self, name: str, record: Record) -> None:
        super().__setitem__(name, record)
        self._tracker._watch(record, verify=True)


class Routes:
    """The records, and the routes from watched paths to them: the watcher, the dirty set and
    the polled records."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = _Records(self)
        self._watcher: Watcher | None = None
        self._forks = 0  # _events.forks() when the watcher was started
        # watched file -> the name of its record (a set of names when several share a file)
        self._by_path: dict[str, str | set[str]] = {}
        self._dirty: set[str] = set()  # records the next checkpoint looks at
        # Records without events, looked at every checkpoint, in the order they were registered
        # (a dict used as an ordered set): the stat fallback then walks the files directory by
        # directory, as imports met them, which the kernel's caches favour over hash order.
        self._polled: dict[str, None] = {}
        self._events = threading.RLock()  # draining events and resolving baselines
        # Above zero while a thread takes events from the source and marks their names dirty
        # (it holds ``_events``): ``Polling.quiet`` reads it instead of taking the lock.
        self._draining = 0
        # The event source's ``ready`` (or ``not quiet()``); None: it cannot tell, look.
        self._news: Callable[[], object] | None = None
        # directory -> (its resolved path, the symbolic links on its way), for ``_front.watch``
        self._real_dirs: dict[str, tuple[str, tuple[str, ...]]] = {}
        # The thread that takes events as they arrive and parses what a first reload needs
        # (see _prepare); its parses wait in the tracker's ``_prepared``.
        self._preparer: Preparer | None = None

    @property
    def watcher(self) -> Watcher | None:
        """The event source in use (None: every file is stat-polled)."""
        return self._watcher

    def _start_watcher(self, watcher: Watcher | None) -> None:
        if self._preparer is not None:
            self._preparer.stop()  # before its descriptor is closed
            self._preparer = None
        if self._watcher is not None:
            self._watcher.close()
        self._watcher = watcher
        self._news = _news(watcher)
        fileno = getattr(watcher, "fileno", None)
        if fileno is not None:
            self._preparer = Preparer(cast("Tracker", self), fileno()).start()
        self._forks = forks()
        self._polled.clear()
        for record in self.records.values():
            self._watch(record, verify=True)

    def _watch(
        self, record: Record, verify: bool, link: bool | None = None, again: bool = False
    ) -> None:
        """Route changes of ``record``'s file to it; ``verify``: look at it once, as its bytes
        may have been read before its directory was watched. ``link``: whether the file is a
        symbolic link, if the caller knows. ``again``: resolve its directory again (an event
        may have named a symbolic link on its way)."""
        name = record.name
        self._route(record.path, name)
        watcher = self._watcher
        target = None if watcher is None else self._through_links(record, watcher, again)
        if watcher is None or target is None or not watcher.watch(target):
            self._polled[name] = None
            return
        self._polled.pop(name, None)
        if link is None:
            link = os.path.islink(record.path)
        if link:  # edits land in the target's directory
            target = os.path.realpath(record.path)
            self._route(target, name)
            if not watcher.watch(target):
                self._polled[name] = None
        if verify:
            self._dirty.add(name)

    def _through_links(self, record: Record, watcher: Watcher, again: bool) -> str | None:
        """The path to watch for ``record``'s file: itself, or, when its directory is reached
        through symbolic links (``current -> release2``), the file in the resolved directory;
        then the links themselves are watched too (in their parent directories), so that
        re-pointing one is an event for every record under it, whose look resolves again.
        (An inotify watch follows the link once, when it is added: it would keep watching
        the old target.) None: the links cannot be watched (poll the file)."""
        directory, _, base = record.path.rpartition(os.sep)
        found = None if again else self._real_dirs.get(directory)
        if found is None:
            found = self._real_dirs[directory] = resolve_directory(directory or os.sep)
        real, links = found
        if not links and real == directory:
            return record.path
        target = os.path.join(real, base)
        name = record.name
        if record.real != target:
            if record.real is not None:
                self._unroute_path(record.real, name)
            record.real = target
        self._route(target, name)
        for path in links:
            self._route(path, name)
            if not watcher.watch(path):
                return None
        return target

    def _store(self, record: Record, link: bool | None = None) -> None:
        old = self.records.get(record.name)
        if old is not None:
            self._unroute(old)
        dict.__setitem__(self.records, record.name, record)
        self._watch(record, verify=False, link=link)

    def _unroute(self, record: Record) -> None:
        for path in {record.path, os.path.realpath(record.path), record.real}:
            if path is not None:
                self._unroute_path(path, record.name)

    def _unroute_path(self, path: str, name: str) -> None:
        names = self._by_path.get(path)
        if names == name:
            del self._by_path[path]
        elif isinstance(names, set):
            names.discard(name)

    def _route(self, path: str, name: str) -> None:
        names = self._by_path.get(path)
        if names is None or names == name:
            self._by_path[path] = name
        elif isinstance(names, str):
            self._by_path[path] = {names, name}
        else:
            names.add(name)

    def take_events(self) -> list[str]:
        """Drain the event source into the dirty set, as a checkpoint does; the dirty names."""
        with self._events:
            self._drain()
            return list(self._dirty)

    def events_seen(self) -> int:
        """A count to pass to :meth:`wait_for_events`."""
        preparer = self._preparer
        return preparer.news if preparer is not None else 0

    def wait_for_events(self, seen: int, timeout: float) -> None:
        """Return when a file event may have arrived since ``events_seen()`` gave ``seen``, or
        after ``timeout`` (a checkpoint then says what changed)."""
        if self._dirty:
            return  # events taken already, not yet looked at by a checkpoint
        preparer = self._preparer
        if preparer is not None and preparer.running:
            preparer.wait(seen, timeout)
            return
        fileno = getattr(self._watcher, "fileno", None)
        if fileno is not None and fileno() >= 0:
            # The kernel queues a save's event before the save returns: readable means
            # something in a watched directory changed.
            select.select([fileno()], [], [], timeout)
        else:
            time.sleep(timeout)

    def _drain(self) -> None:
        """Move the event source's news into the dirty set (hold ``self._events``)."""
        watcher = self._watcher
        if watcher is not None:
            self._draining += 1  # (one thread at a time: the caller holds ``_events``)
            try:
                paths = watcher.changed()
                if paths is None:
                    self._dirty.update(self.records)
                elif paths:
                    self._mark(paths)
            finally:
                self._draining -= 1

    def _mark(self, paths: Iterable[str]) -> None:
        by_path, dirty = self._by_path, self._dirty
        for path in paths:
            names = by_path.get(path)
            if names is None:
                continue
            if isinstance(names, str):
                dirty.add(names)
            else:
                dirty.update(names)

    def _poll_while_gone(self, record: Record) -> None:
        """A missing file (or its whole directory, whose watch the kernel dropped) is stat-ed at
        every checkpoint until it is back; then it is watched again."""
        if self._watcher is not None:
            self._polled[record.name] = None


def _news(watcher: Watcher | None) -> Callable[[], object] | None:
    """What tells whether ``watcher`` has events queued (see ``Watcher``), or None."""
    ready = getattr(watcher, "ready", None)
    if ready is not None:
        return ready  # type: ignore[no-any-return]
    quiet = getattr(watcher, "quiet", None)
    if quiet is None:
        return None
    return lambda: not quiet()
