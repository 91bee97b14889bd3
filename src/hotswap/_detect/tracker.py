"""Which watched files changed: the records of watched modules, events, fingerprints, hashes.

Each watched module has a :class:`~hotswap._detect.record.Record`: its file, the fingerprint
``(mtime_ns, ctime_ns, size, inode)`` and a content digest of the bytes it was executed from.

The checkpoint runs before every cell, so its cost when nothing changed must not grow with the
number of watched modules. :meth:`Tracker.pending` asks the event source
(:mod:`hotswap._detect.events`) which files may have changed; the answer costs one system call when
none did. Only those files, plus files for which no events can be had (they are stat-polled at every
checkpoint), are looked at by :meth:`Tracker.poll`. There a fingerprint that differs (or one still
*racy*: taken less than two seconds after the file's mtime, when a second save in the same timestamp
tick would leave it equal) makes it read and hash the file, and only a different digest counts as a
change. So a touch never reloads, and an edit that restores the old mtime is still seen (ctime and
inode move). A record becomes *dirty* (looked at by the next checkpoint) when an event names its
file, when it is first registered from bytes read before its directory was watched, and when the
event source restarts; it stays dirty until a checkpoint whose scope includes it has looked.

The exact bytes a module was executed from are captured at import time by the import hook
(:mod:`hotswap._detect.capture`) that the first :class:`hotswap.Reloader` installs (and the last one
removes), so an edit made right after an import is never mistaken for the baseline.

Modules loaded before the first Reloader have no captured bytes: their file as it is when the
Reloader is created is their baseline. Reading hundreds of files would make creation slow, so
beyond :data:`EAGER_BASELINES` files the Reloader only watches their directories (and stats the
files that have no events) and a background thread reads them (:meth:`Tracker.resolve`). A
record whose baseline is needed first (a propagation) is read right then, on the calling thread.
A read is the baseline only if it provably precedes every save since the registration: for a
watched file, no event named it before the read, nor right after it (the kernel queues a save's
event before the save returns, so draining the queue after the read sees every save that the
read could have seen); for a stat-polled file, its ``fstat`` equals the stat taken at
registration. Otherwise (a save in the moment after the Reloader was created) the baseline is
unknown and the module's first reload re-runs the whole module (strategy ``full``: still
transactional and identity-keeping). Known limit: whether such a file is a symbolic link (whose
target's directory must be watched too) is found out only when it is read, so a save of the
link's target elsewhere in that first moment is taken for the baseline.

A module's source can also be given as text instead of its file (:meth:`Tracker.push`, behind
``Reloader.apply_sources``: a Dask worker running the text its client pushed, while its own copy
of the file is older). The text is applied as a save of it would be; the file's content at that
moment is then not an edit (a stat that moved, or a racy one, reads the file and finds that
content: nothing happens), so the worker never goes back to its stale copy on its own. A later
push replaces the text; a change of the file to any other content is a real edit, and the file
is the module's source again from then on (a file brought up to the pushed text is too, as
there is then nothing to tell apart). A module pushed before it was imported runs the text when
it is imported (the import hook compiles it instead of the file).
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import Any

from hotswap._detect.capture import CaptureFinder
from hotswap._detect.events import Watcher, default_watcher, forks
from hotswap._detect.imports import ImportIndex, Imports, Reads, scan
from hotswap._detect.prepare import AT_ONCE, Preparer
from hotswap._detect.record import (
    RACY_NS,
    Changed,
    Fingerprint,
    Pushed,
    Record,
    Unreadable,
    decode_or_none,
    digest,
    half_written,
    read_file,
    resolve_directory,
)
from hotswap._detect.scope import is_user_file, library_roots, source_file, watched_modules

__all__ = [
    "EAGER_BASELINES",
    "RACY_NS",
    "TRACKER",
    "Changed",
    "Fingerprint",
    "Record",
    "Tracker",
    "Unreadable",
    "digest",
    "read_file",
]

EAGER_BASELINES = 256  # at most this many files are read while a Reloader is being created


class _Records(dict[str, Record]):
    """The tracker's records; a record stored here is watched (``records[name] = record``)."""

    def __init__(self, tracker: Tracker) -> None:
        super().__init__()
        self._tracker = tracker

    def __setitem__(self, name: str, record: Record) -> None:
        super().__setitem__(name, record)
        self._tracker._watch(record, verify=True)


class Tracker:
    """Records of watched modules, shared by every Reloader in the process."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = _Records(self)
        # What the import hook saw executed since the last ``discover``: (path, fingerprint of
        # the bytes, the bytes, import-time reads).
        self.captured: dict[str, tuple[str, Fingerprint, bytes, Reads]] = {}
        # Who imports what (see _imports); records whose text changed since they were last
        # scanned wait in ``_unindexed`` (the background reader scans them, else the next query).
        self.index = ImportIndex()
        self._unindexed: dict[str, None] = {}
        self._lock = threading.Lock()
        self._users = 0
        self._finder: CaptureFinder | None = None
        self._scanned = False
        self._watcher: Watcher | None = None
        self._forks = 0  # _events.forks() when the watcher was started
        # watched file -> the name of its record (a set of names when several share a file)
        self._by_path: dict[str, str | set[str]] = {}
        self._dirty: set[str] = set()  # records the next checkpoint looks at
        # Records without events, looked at every checkpoint, in the order they were registered
        # (a dict used as an ordered set): the stat fallback then walks the files directory by
        # directory, as imports met them, which the kernel's caches favour over hash order.
        self._polled: dict[str, None] = {}
        self._unread: list[Record] = []  # pending baselines for the background reader
        self._events = threading.RLock()  # draining events and resolving baselines
        self._index_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        # ``sys.modules`` as the last checkpoint left it (its size, and its names once asked):
        # a module that entered it another way than through the import hook is found there.
        self._modules_size = 0
        self._modules_seen: set[str] = set()
        # directory -> (its resolved path, the symbolic links on its way), for ``_watch``
        self._real_dirs: dict[str, tuple[str, tuple[str, ...]]] = {}
        # module -> the text that is its source instead of its file (see ``push``); shared with
        # the import hook, which runs it for a module imported later.
        self.pushed: dict[str, Pushed] = {}
        # The thread that takes events as they arrive and parses what a first reload needs
        # (see _prepare); its parses wait in ``_prepared`` (name -> (digest, parse)).
        self._preparer: Preparer | None = None
        self._preparing = threading.Lock()
        self._prepared: dict[str, tuple[bytes, Any]] = {}

    # -- the import hook and the event source --------------------------------------------------

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._finder is None:
                library_roots()  # computed now: sysconfig cannot be asked from inside an import
                self._finder = CaptureFinder(self._capture, self.pushed)
                sys.meta_path.insert(0, self._finder)
                self._start_watcher(default_watcher())

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users <= 0 and self._finder is not None:
                with contextlib.suppress(ValueError):  # someone else removed it
                    sys.meta_path.remove(self._finder)
                self._finder = None
                self._users = 0
                self._unread = []  # the reader thread ends at its next look
                # Unread baselines cannot be proven without events: the next Reloader
                # registers those modules again, with the file as it is then.
                for name in [n for n, r in self.records.items() if r.pending]:
                    self.forget(name)
                self._start_watcher(None)

    @property
    def watcher(self) -> Watcher | None:
        """The event source in use (None: every file is stat-polled)."""
        return self._watcher

    def set_watcher(self, watcher: Watcher | None) -> None:
        """Use ``watcher`` for events from now on (None: stat-poll every file). A test seam,
        and the way to switch to polling at run time; every record is looked at once."""
        with self._lock:
            for record in list(self.records.values()):
                if record.pending:
                    self.resolve(record)  # proven with the events of the old source
            self._start_watcher(watcher)

    def _start_watcher(self, watcher: Watcher | None) -> None:
        if self._preparer is not None:
            self._preparer.stop()  # before its descriptor is closed
            self._preparer = None
        if self._watcher is not None:
            self._watcher.close()
        self._watcher = watcher
        fileno = getattr(watcher, "fileno", None)
        if fileno is not None:
            self._preparer = Preparer(self, fileno()).start()
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

    # -- records -----------------------------------------------------------------------------

    def scan(self) -> None:
        """Register every user module already loaded (once per process, or on demand)."""
        records = self.records
        new = [
            (name, path)
            for name, path in watched_modules().items()
            if name not in records or records[name].path != path
        ]
        if len(new) <= EAGER_BASELINES:
            for name, path in new:
                self.register(name, None, path)
        else:
            self._register_lazily(new)
            self._start_reader()
        self._scanned = True
        self._modules_seen = set(sys.modules)
        self._modules_size = len(self._modules_seen)

    def arrivals(self) -> None:
        """Register user modules that entered ``sys.modules`` since the last look without the
        import hook seeing them execute (``spec_from_file_location`` + ``exec_module``, a
        plugin loader, a finder with its own ``SourceFileLoader`` subclass): their file as it
        is now is their baseline, so edits are seen from the next checkpoint on. A set
        difference of names, only when the size of ``sys.modules`` moved (imports did)."""
        modules = sys.modules
        if len(modules) == self._modules_size or not self._scanned:
            return
        names = set(modules)
        fresh = names - self._modules_seen
        self._modules_seen = names
        self._modules_size = len(names)
        records = self.records
        for name in fresh:
            module = modules.get(name)
            if name in records or not isinstance(module, ModuleType):
                continue
            if getattr(module, "__name__", None) != name:
                continue  # an alias (``__mp_main__`` for the running script): not a module
            if name == "__main__":
                continue
            path = source_file(module)
            if path is not None and is_user_file(path):
                self.register(name, module, path)

    def ensure_scanned(self) -> None:
        if not self._scanned:
            self.scan()

    def _capture(
        self,
        name: str,
        path: str,
        fingerprint: Fingerprint,
        data: bytes,
        reads: Reads,
    ) -> None:
        """The import hook's sink: the bytes a module is about to execute, the fingerprint of
        their read, and what its import-time code reads (any thread)."""
        with self._lock:
            self.captured[name] = (path, fingerprint, data, reads)

    def discover(self) -> None:
        """Register modules the import hook saw being executed since the last call; the
        background reader then indexes their imports and compresses the bytes they hold."""
        if not self.captured:
            return
        with self._lock:
            captured, self.captured = self.captured, {}
        for name, (path, fingerprint, data, reads) in captured.items():
            module = sys.modules.get(name)
            if module is None or source_file(module) != path:
                continue  # the import failed, or the module replaced itself
            record = Record(name, path, None, None, None)
            record.reads = reads
            record.keep(data, fingerprint)
            self._unindexed[name] = None  # indexed by the reader, or by the first query
            self.records[name] = record  # watched and looked at once: the bytes may be stale
            self._unread.append(record)
        self._start_reader()

    def register(self, name: str, module: ModuleType | None, path: str) -> Record:
        """Track a module imported without the hook: its file now is taken as the baseline."""
        record = Record(name, path, None, None, None)
        self._store(record)  # watched before it is read: a later save raises an event
        try:
            data, fingerprint = read_file(path)
        except OSError:
            self._dirty.add(name)
        else:
            record.settle(data, fingerprint, decode_or_none(data, path))
            self._unindexed[name] = None
        return record

    def _register_lazily(self, entries: list[tuple[str, str]]) -> None:
        """Register without reading: one watch per directory, no system call per file, except a
        ``stat`` for files without events (they need a fingerprint to compare with). Whether a
        file is a symbolic link (whose target's directory must be watched too) is found out
        by the background reader, just before it reads the file."""
        polled, by_path, watcher, unread = self._polled, self._by_path, self._watcher, self._unread
        records = self.records
        for name, path in entries:
            record = Record(name, path, None, None, None)
            record.pending = True
            self._unindexed[name] = None
            directory = path.rpartition(os.sep)[0]
            found = self._real_dirs.get(directory)
            if found is None:
                found = self._real_dirs[directory] = resolve_directory(directory or os.sep)
            if name in records or found[1] or found[0] != directory:
                self._store(record, link=False)  # (reached through links: see _watch)
            else:  # the usual case, inlined: thousands of modules at once
                dict.__setitem__(records, name, record)
                if path in by_path:
                    self._route(path, name)
                else:
                    by_path[path] = name
                if watcher is not None and watcher.watch(path):
                    unread.append(record)
                    continue
                polled[name] = None
            if name in polled:
                try:
                    st = os.stat(path)
                except OSError:
                    record.pending = False
                    self._dirty.add(name)
                    continue
                record.seen(Fingerprint.of(st))
                if record.racy:  # a second save in this timestamp tick would not show
                    self.resolve(record)
                    continue
            self._unread.append(record)

    def resolve(
        self, record: Record, data: bytes | None = None, fingerprint: Fingerprint | None = None
    ) -> None:
        """Read a pending baseline, if the read provably precedes every save since the record
        was registered (module docstring); otherwise leave the baseline unknown."""
        with self._events:
            if not record.pending:
                return
            name = record.name
            watched = record.fingerprint is None
            if watched:
                if os.path.islink(record.path):
                    self._watch(record, verify=False, link=True)
                self._drain()
                unchanged = name not in self._dirty
            if data is None or fingerprint is None:
                try:
                    data, fingerprint = read_file(record.path)
                except OSError:
                    record.pending = False  # unknown: any readable content is a change
                    return
            if watched:
                self._drain()
                unchanged = unchanged and name not in self._dirty
            else:
                unchanged = fingerprint == record.fingerprint
            if unchanged:
                record.keep(data, fingerprint)
                self._unindexed[name] = None
            record.pending = False  # last: a reader that sees it False sees the baseline too

    def push(self, name: str, data: bytes) -> Pushed:
        """``data`` is module ``name``'s source from now on, not its file (module docstring);
        the caller applies it to a loaded module, and sets ``stale`` to its file's digest."""
        pushed = self.pushed[name] = Pushed(data)
        return pushed

    def _unknown(self, record: Record) -> None:
        with self._events:
            record.pending = False

    # -- ahead of the checkpoint (see _prepare) -------------------------------------------------

    def take_events(self) -> list[str]:
        """Drain the event source into the dirty set, as a checkpoint does; the dirty names."""
        with self._events:
            self._drain()
            return list(self._dirty)

    def prepare(self, record: Record, parse: Callable[[Record], Any]) -> bool:
        """Parse ``record``'s executing source for its coming reload, if its file now holds
        something else (the preparer's thread); True when a parse was handed over."""
        if record.pending or record.parsed is not None or record.digest is None:
            return False
        if self._prepared.get(record.name, (None,))[0] == record.digest:
            return False
        try:
            data, _fingerprint = read_file(record.path)
        except OSError:
            return False
        if digest(data) == record.digest:
            return False  # touched, or saved back: nothing to reload
        with self._preparing:
            token = record.digest
            if record.parsed is not None or token is None:
                return False  # the checkpoint came first
            parsed = parse(record)
            if parsed is None:
                return False
            while len(self._prepared) >= AT_ONCE:
                del self._prepared[next(iter(self._prepared))]
            self._prepared[record.name] = (token, parsed)
        return True

    def parsed(self, record: Record, parse: Callable[[Record], Any]) -> Any:
        """``record.parsed``, taken from the preparer when it parsed the text the module still
        executes, else parsed now; under the lock the preparer parses under, so that a text is
        never parsed twice at once."""
        with self._preparing:
            if record.parsed is None:
                token, parsed = self._prepared.pop(record.name, (None, None))
                if token is None or token != record.digest:
                    parsed = parse(record)
                record.parsed = parsed
            return record.parsed

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
            paths = watcher.changed()
            if paths is None:
                self._dirty.update(self.records)
            elif paths:
                self._mark(paths)

    def _store(self, record: Record, link: bool | None = None) -> None:
        old = self.records.get(record.name)
        if old is not None:
            self._unroute(old)
        dict.__setitem__(self.records, record.name, record)
        self._watch(record, verify=False, link=link)

    def forget(self, name: str) -> None:
        with self._index_lock:
            self.index.forget(name)
            self._unindexed.pop(name, None)
        record = self.records.pop(name, None)
        if record is not None:
            self._unroute(record)
        self._dirty.discard(name)
        self._polled.pop(name, None)

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

    def _start_reader(self) -> None:
        if self._unread and (self._reader is None or not self._reader.is_alive()):
            self._reader = threading.Thread(
                target=self._read_baselines, name="hotswap-baselines", daemon=True
            )
            self._reader.start()

    def _read_baselines(self) -> None:
        """Background: read pending baselines (each read is checked against its first stat)."""
        while True:
            with self._lock:
                if not self._unread:
                    return
                record = self._unread.pop()
            if record.pending:
                self.resolve(record)
            self._index(record.name)
            record.pack()
            time.sleep(0)  # yield the GIL after each file: the session's own work comes first

    def baselines_read(self, timeout: float | None = None) -> bool:
        """Wait for the background reader (benchmarks and tests); True when it is done."""
        reader = self._reader
        if reader is not None:
            reader.join(timeout)
            return not reader.is_alive()
        return True

    def holders(self, source: str, names: set[str]) -> list[Record]:
        """Records whose text imports from module ``source`` one of ``names``, star-imports it
        or names it by ``import`` (``ImportIndex.holders``): a superset of those a parse would
        say; the caller checks their live bindings. Records not scanned yet (their text changed,
        or the background reader has not reached them) are scanned first."""
        if self._unindexed:
            for name in list(self._unindexed):
                self._index(name)
        records = self.records
        return [records[n] for n in sorted(self.index.holders(source, names)) if n in records]

    def imports_of(self, record: Record) -> Imports | None:
        """What ``record``'s text imports (None when its text is unknown)."""
        if record.name in self._unindexed:
            self._index(record.name)
        return self.index.of.get(record.name)

    def changed_text(self, record: Record) -> None:
        """``record`` executes a new text now (a reload): its imports are scanned again when
        the index is next asked."""
        self._unindexed[record.name] = None

    def _index(self, name: str) -> None:
        """Scan the imports of record ``name`` into the index (any thread)."""
        with self._index_lock:
            if self._unindexed.pop(name, False) is False and name in self.index.of:
                return
            record = self.records.get(name)
            text = record.text if record is not None else None  # (reads a pending baseline)
            if text is None or record is None:
                self.index.forget(name)
            else:
                self.index.update(name, scan(text, name, record.path.endswith("__init__.py")))

    # -- the checkpoint ------------------------------------------------------------------------

    def pending(self, allowed: Callable[[str], bool] | None) -> list[str]:
        """Names of records that may have changed and that ``allowed`` accepts (None: all).

        Constant time when no event arrived and every file has events. Records not allowed
        stay dirty for a checkpoint whose scope includes them; records of modules no longer
        in ``sys.modules`` are dropped from the dirty set.
        """
        self.discover()
        self.arrivals()
        if self._forks != forks() and self._watcher is not None:
            self._start_watcher(default_watcher())  # a forked child: its own descriptor
        with self._events:
            self._drain()
        dirty, polled = self._dirty, self._polled
        if not dirty and not polled:
            return []
        # (a copy of the dirty set: names of modules that are gone leave it below)
        names = dirty.union(self._stat_moved(polled)) if polled else list(dirty)
        out = []
        modules, records = sys.modules, self.records
        for name in names:
            if name not in modules or name not in records:
                dirty.discard(name)
            elif allowed is None or allowed(name):
                out.append(name)
        return out

    def _stat_moved(self, polled: dict[str, None]) -> list[str]:
        """The polled records whose file's ``stat`` differs from their fingerprint, and those
        that cannot be told by one (no fingerprint yet, saved too recently, missing): what
        :meth:`poll` must look at. The stat fallback's hot loop, every file at every checkpoint,
        so it does only this and compares the fields in place."""
        out: list[str] = []
        records, stat = self.records, os.stat
        for name in polled:
            record = records.get(name)
            if record is None or record.fingerprint is None or record.racy or record.gone:
                out.append(name)
                continue
            fingerprint = record.fingerprint
            try:
                st = stat(record.path)
            except OSError:
                out.append(name)
                continue
            if (
                st.st_mtime_ns != fingerprint[0]
                or st.st_ctime_ns != fingerprint[1]
                or st.st_size != fingerprint[2]
                or st.st_ino != fingerprint[3]
            ):
                out.append(name)
        return out

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

    def poll(self, names: Sequence[str]) -> tuple[list[Changed], list[Unreadable]]:
        """The records among ``names`` whose file content differs from what is executing."""
        changed: list[Changed] = []
        unreadable: list[Unreadable] = []
        dirty, records = self._dirty, self.records
        for name in names:
            record = records.get(name)
            if record is not None and record.pending and record.fingerprint is None:
                # An event named it before its baseline was read: once the name leaves the
                # dirty set, the background reader could take the saved file for the baseline.
                self._unknown(record)
            dirty.discard(name)
            if record is None:
                continue
            found = self._look(record, unreadable)
            if found is not None:
                changed.append(found)
        return changed, unreadable

    def _look(self, record: Record, unreadable: list[Unreadable]) -> Changed | None:
        try:
            st = os.stat(record.path)
        except FileNotFoundError:
            if not record.gone:
                record.gone = True
                unreadable.append(
                    Unreadable(record, "file was deleted; keeping the last version", True)
                )
            self._poll_while_gone(record)
            return None
        except OSError as exc:
            unreadable.append(Unreadable(record, f"cannot stat: {exc.strerror or exc}"))
            return None
        if Fingerprint.of(st) == record.fingerprint and not record.racy and not record.gone:
            return None
        try:
            data, fingerprint = read_file(record.path)
        except IsADirectoryError:
            if not record.gone:
                record.gone = True
                unreadable.append(Unreadable(record, "the file was replaced by a directory"))
            self._poll_while_gone(record)
            return None
        except OSError as exc:
            unreadable.append(Unreadable(record, f"cannot read: {exc.strerror or exc}"))
            return None
        if record.pending:
            # Looked at because an event named it (watched: a save since registration, so the
            # baseline is unknown) or because it is polled (compare with the registration stat).
            self.resolve(record, data, fingerprint) if record.fingerprint else self._unknown(record)
        if self._watcher is not None:
            # Watched again: its directory may have been re-created (a checkout), and a file
            # polled while it was gone goes back to events; a link on its way may have been
            # re-pointed (its target directory is watched from now on).
            self._watch(record, verify=False, again=record.real is not None)
        current = digest(data)
        pushed = self.pushed.get(record.name)
        if pushed is not None:
            if current == pushed.stale and current != record.digest:
                record.seen(fingerprint)  # the copy it had when the text was pushed: no edit
                return None
            del self.pushed[record.name]  # a real edit (or the text itself): the file again
        if current == record.digest:
            record.held = None
            record.settle(data, fingerprint, None)  # touched, or a failed edit undone
            return None
        if current == record.failed_digest:
            record.seen(fingerprint)  # the same broken content: wait for the next edit
            return None
        if record.held != fingerprint:
            reason = half_written(record, data)
            if reason is not None:
                # Most likely an in-place save (truncate, then write; or a write in chunks)
                # caught in between: its next write raises another event. A file really
                # saved so is still so at a later checkpoint, and is applied then.
                record.held = fingerprint
                self._dirty.add(record.name)
                unreadable.append(
                    Unreadable(
                        record,
                        f"{reason}: taken for a save still being written; applied at the "
                        "next check if it stays so",
                        True,
                    )
                )
                return None
        record.held = None
        return Changed(record, data, fingerprint, current)

    def holding(self, names: Iterable[str]) -> bool:
        """Whether a checkpoint held back the file of one of ``names`` (see
        :func:`~hotswap._detect.record.half_written`): the next checkpoint applies it if it
        stays so."""
        records = self.records
        return any((r := records.get(n)) is not None and r.held is not None for n in names)

    def _poll_while_gone(self, record: Record) -> None:
        """A missing file (or its whole directory, whose watch the kernel dropped) is stat-ed at
        every checkpoint until it is back; then it is watched again."""
        if self._watcher is not None:
            self._polled[record.name] = None


TRACKER = Tracker()
Record.resolver = TRACKER.resolve
