"""What each watched module executes: its baseline, captured, registered or read later.

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

import os
import sys
import threading
import time
from types import ModuleType

from hotswap._detect.events import Watcher
from hotswap._detect.indexing import Indexing
from hotswap._detect.prepare import COLLECT_AFTER, header_facts, warm_up
from hotswap._detect.record import (
    Fingerprint,
    Pushed,
    Record,
    read_file,
    resolve_directory,
)
from hotswap._detect.scope import is_user_file, source_file, watched_modules
from hotswap._detect.sources import Captured, Sources

EAGER_BASELINES = 256  # at most this many files are read while a Reloader is being created
# Seconds without an import before the background reader starts its work (the warm-up alone is
# 30-50 ms of CPU: a module that takes 20 ms to run must not look like the import's end).
READER_AFTER = 0.1


class Baselines(Indexing):
    """Registering records and reading their baselines (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        # What the import hook saw executed since the last ``discover``, in order (see
        # ``_detect.sources``): appended without a lock, by any thread importing.
        self.sources = Sources()
        self.captured = self.sources.captured
        self._lock = threading.Lock()
        self._scanned = False
        self._unread: list[Record] = []  # pending baselines for the background reader
        self._reader: threading.Thread | None = None
        # ``sys.modules`` as the last checkpoint left it (its size, and its names once asked):
        # a module that entered it another way than through the import hook is found there.
        self._modules_size = 0
        self._modules_seen: set[str] = set()
        # module -> the text that is its source instead of its file (see ``push``); shared with
        # the import hook, which runs it for a module imported later.
        self.pushed: dict[str, Pushed] = {}

    def set_watcher(self, watcher: Watcher | None) -> None:
        """Use ``watcher`` for events from now on (None: stat-poll every file). A test seam,
        and the way to switch to polling at run time; every record is looked at once."""
        with self._lock:
            for record in list(self.records.values()):
                if record.pending:
                    self.resolve(record)  # proven with the events of the old source
            self._start_watcher(watcher)

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
                self.register(name, None, path)  # (the reader starts at the first checkpoint)
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
        with self._lock:  # (the background reader may take what its own imports added)
            names = set(modules)
            fresh = names - self._modules_seen
            self._modules_seen = names
            self._modules_size = len(names)
        records = self.records
        for name in fresh:
            module = modules.get(name)
            if name in records or not isinstance(module, ModuleType):
                continue
            path = _program_file(name, module)
            if path is not None:
                self.register(name, module, path)
        self._start_reader()

    def ensure_scanned(self) -> None:
        if not self._scanned:
            self.scan()

    def discover(self) -> None:
        """Register modules the import hook saw being executed since the last call; the
        background reader then indexes their imports, reads the sources that cached bytecode
        ran and the early reader did not, and compresses the bytes they hold. (The reader
        starts here for modules registered before the first checkpoint too.)"""
        captured = self.captured
        if not captured:
            if self.reader_wanted():
                self._start_reader()
            return
        latest: dict[str, Captured] = {}  # (a module imported again since: its last run)
        while captured:
            try:
                item = captured.popleft()
            except IndexError:  # (another thread took the last one)
                break
            latest[item[0]] = item
        for name, given, code, ran in latest.values():
            module = sys.modules.get(name)
            path = os.path.abspath(given)
            if module is None or source_file(module) != path:
                continue  # the import failed, or the module replaced itself
            record = Record(name, path, None, None, None)
            record.read_later(code)
            if isinstance(ran, os.stat_result):  # not read yet: read later, if still that file
                record.seen(Fingerprint.of(ran))
                record.pending = True
            else:
                record.keep(ran[1], ran[0])
            self._unindexed[name] = None  # indexed by the reader, or by the first query
            self.records[name] = record  # watched and looked at once: the bytes may be stale
            self._unread.append(record)
        self._start_reader()

    def register(self, name: str, module: ModuleType | None, path: str) -> Record:
        """Track a module imported without the hook: its file now is taken as the baseline.
        The background reader indexes its imports, outlines it if it is large and packs its
        bytes, as for a module imported with the hook (a module imported before ``%load_ext
        hotswap`` had none of it, and its first save with the cell at once imported the engine
        and parsed it whole: 60 ms for 400 small functions). The next checkpoint starts the
        reader: one started with the Reloader warmed the engine up beside the import that
        often follows."""
        record = Record(name, path, None, None, None)
        self._store(record)  # watched before it is read: a later save raises an event
        try:
            data, fingerprint = read_file(path)
        except OSError:
            self._dirty.add(name)
        else:
            record.keep(data, fingerprint)
            self._unindexed[name] = None
            self._unread.append(record)
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
                    record.lost()
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
            else:
                record.lost()
            record.pending = False  # last: a reader that sees it False sees the baseline too

    def push(self, name: str, data: bytes) -> Pushed:
        """``data`` is module ``name``'s source from now on, not its file (module docstring);
        the caller applies it to a loaded module, and sets ``stale`` to its file's digest."""
        pushed = self.pushed[name] = Pushed(data)
        return pushed

    def _unknown(self, record: Record) -> None:
        with self._events:
            if record.pending:
                record.lost()
            record.pending = False

    def reader_wanted(self) -> bool:
        """Whether records wait for the background reader and none runs."""
        reader = self._reader
        return bool(self._unread) and (reader is None or not reader.is_alive())

    def _start_reader(self) -> None:
        """Start the background reader unless it runs: it reads what ``_unread`` holds, and
        what is added to it before it ends (it ends under the lock, seeing it empty)."""
        with self._lock:
            if not self.reader_wanted():
                return
            self._reader = threading.Thread(
                target=self._read_baselines, name="hotswap-baselines", daemon=True
            )
            self._reader.start()

    def _read_baselines(self) -> None:
        """Background: read pending baselines (each read is checked against its first stat),
        in rounds until none waits: modules imported while it warmed the engine up or made
        outlines were left for the first save to read and index (37-49 ms of rich's, when
        the reader had started for the modules imported before the Reloader). It starts once
        no module was imported for a moment: started with the Reloader, it warmed the engine
        up beside the project's import that followed (rich's import took 1.96x)."""
        self.sources.quiet(READER_AFTER)
        while self._read_round():
            pass

    def _read_round(self) -> bool:
        """One round of :meth:`_read_baselines`; False when it found nothing to read (and
        the reader ends: ``_start_reader`` starts another for what comes later)."""
        read = 0
        large = []
        while True:
            with self._lock:
                if not self._unread:
                    if not read:
                        self._reader = None  # (under the lock: a record added now starts one)
                        return False
                    break
                record = self._unread.pop()
            read += 1
            if record.pending:
                self.resolve(record)
            self._index(record.name)
            record.work_out_reads()  # here, off the session's time
            if record.wants_outline():
                large.append(record)
            record.pack()
            time.sleep(0)  # yield the GIL after each file: the session's own work comes first
        before = len(sys.modules)
        warm_up(read >= COLLECT_AFTER)  # what a first reload needs, now the imports settled
        self._seen_own_imports(before)
        facts = header_facts() if large else None
        for record in large:  # the first save of a large module parses a skeleton of it
            start = time.perf_counter()
            record.make_outline(facts)
            # A parse holds the GIL: at most a third of the time, the session's work first.
            time.sleep(2 * (time.perf_counter() - start))
        return True

    def _seen_own_imports(self, before: int) -> None:
        """After the reader's warm-up (the engine's modules, and what they import): take the
        names it added to ``sys.modules`` as looked at, when nothing else came meanwhile and
        none of them is the program's own, so that the first checkpoint after it does not
        compare every name (0.45 ms of sympy's first save, with all of sympy loaded)."""
        with self._lock:
            if not self._scanned or self._modules_size != before:
                return  # (a checkpoint looked meanwhile, or imports came before the warm-up)
            modules = sys.modules
            names = set(modules)
            for name in names - self._modules_seen:
                module = modules.get(name)
                if isinstance(module, ModuleType) and _program_file(name, module) is not None:
                    return  # the program imported meanwhile: the checkpoint registers it
            self._modules_seen = names
            self._modules_size = len(names)

    def baselines_read(self, timeout: float | None = None) -> bool:
        """Wait for the background reader (benchmarks and tests); True when it is done."""
        reader = self._reader
        if reader is not None:
            reader.join(timeout)
            return not reader.is_alive()
        return True


def _program_file(name: str, module: ModuleType) -> str | None:
    """The file of ``module`` (in ``sys.modules`` as ``name``) when it is one of the program's
    own, to be watched; None for an alias (``__mp_main__`` for the running script), for
    ``__main__``, and for a module of the standard library, site-packages or hotswap."""
    if getattr(module, "__name__", None) != name or name == "__main__":
        return None
    path = source_file(module)
    return path if path is not None and is_user_file(path) else None
