"""The checkpoint's question: which records' files changed since they were last looked at.

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
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence

from hotswap._detect.baselines import Baselines
from hotswap._detect.events import FORKS, default_watcher, forks
from hotswap._detect.record import (
    Changed,
    Fingerprint,
    Record,
    Unreadable,
    digest,
    half_written,
    read_file,
)


class Polling(Baselines):
    """What changed, at a checkpoint (see the module docstring)."""

    def quiet(self) -> bool:
        """True when :meth:`pending` would find nothing: no module imported or captured, no
        name dirty or polled, and the event source has nothing to read. A few fields and one
        ``poll`` of the event descriptor, no lock taken, no Python frame but this one: what a
        cell where nothing changed (most cells) costs. False whenever it cannot tell (then
        ``pending`` looks)."""
        if self.captured or self._dirty or self._polled or self._draining:
            return False
        if self._unread and self.reader_wanted():
            return False  # (modules registered with the Reloader: ``discover`` starts the reader)
        if self._scanned and len(sys.modules) != self._modules_size:
            return False  # imports happened: ``arrivals`` looks for modules to register
        news = self._news
        if news is None or self._forks != FORKS[0] or news():
            return False
        # Not while another thread drains events (the preparer, on a save's event): between
        # taking them from the queue and marking their names dirty, neither shows. It counts
        # ``_draining`` up before it takes them and down after it marked them, so one it took
        # before the poll above shows in one of the two now.
        return not (self._draining or self._dirty)

    def pending(self, allowed: Callable[[str], bool] | None) -> list[str]:
        """Names of records that may have changed and that ``allowed`` accepts (None: all).

        Constant time when no event arrived and every file has events. Records not allowed
        stay dirty for a checkpoint whose scope includes them; records of modules no longer
        in ``sys.modules`` are forgotten (else a polled one would be stat-ed, and keep
        :meth:`quiet` from answering, at every checkpoint).
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
                polled.pop(name, None)
                if name in records:  # its module left ``sys.modules``: so does what is kept
                    self.forget(name)  # (imported again, it is captured again)
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
        """What ``record``'s file holds now, if that is an edit to apply (else None; what
        could not be read, or is held back, goes to ``unreadable``)."""
        read = self._read_moved(record, unreadable)
        if read is None:
            return None
        data, fingerprint = read
        if record.pending:
            # Looked at because an event named it (watched: a save since registration, so the
            # baseline is unknown) or because it is polled (compare with the registration stat).
            self.resolve(record, data, fingerprint) if record.fingerprint else self._unknown(record)
        if self._watcher is not None:
            # Watched again: its directory may have been re-created (a checkout), and a file
            # polled while it was gone goes back to events; a link on its way may have been
            # re-pointed (its target directory is watched from now on).
            self._watch(record, verify=False, again=record.real is not None)
        return self._judge(record, data, fingerprint, unreadable)

    def _read_moved(
        self, record: Record, unreadable: list[Unreadable]
    ) -> tuple[bytes, Fingerprint] | None:
        """The file's bytes and their fingerprint, unless its stat says it did not move (or
        it cannot be read: said in ``unreadable``, once for a file that is gone)."""
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
        return data, fingerprint

    def _judge(
        self,
        record: Record,
        data: bytes,
        fingerprint: Fingerprint,
        unreadable: list[Unreadable],
    ) -> Changed | None:
        """Whether ``data``, read from ``record``'s file, is an edit: not the executing
        content, not the copy a pushed text replaced, not a broken content already tried, not
        a save caught half-written (held back, said in ``unreadable``)."""
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
