"""Baselines kept out of the process heap: one append-only spill file per process.

A module's executed bytes must stay known exactly until its first reload, which diffs
against them; but most modules are never edited, and a session that imports sympy would hold
3.7 MiB of compressed sources for nothing. So the background reader writes each baseline,
compressed, to a temporary file, and the record keeps its address (offset and length, one
int) next to the digest it already kept of the executed bytes. A read checks that digest:
what comes back is what ran, or nothing.

The file never has a name: on Linux it is made with ``O_TMPFILE | O_EXCL`` in the temporary
directory (it cannot be linked in later), elsewhere by :func:`tempfile.TemporaryFile` (unlinked
at once, or deleted when closed); so no other process can open it, and nothing is left behind
when the process ends. It is the one file hotswap writes (docs/safety.md). Writes and reads
are positional (``os.pwrite``/``os.pread``): a forked child shares its parent's file
description, and with it the file offset, which neither then uses. A child reads what was
written before the fork through the inherited descriptor (the parent only appends after it) and
writes its own file from then on; addresses go on counting from where the inherited file ended
for it, so one address names one place in both processes.

What may go wrong, and what then happens:

- no temporary file can be made, or a write fails (a full disk): the record keeps the
  compressed bytes in memory, as before the spill existed;
- a read fails or gives other bytes (the file was truncated, or its descriptor closed by a
  library that daemonises the process): :meth:`Record.text` reads the module's file instead,
  which still holds the executed bytes if its digest is the same; otherwise the executed source
  is unknown, as for a module whose file changed before its baseline could be read: its next
  reload runs the whole module (strategy ``full``, still transactional and identity-keeping).
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import IO

__all__ = ["SPILL", "Spill"]

_LENGTH_BITS = 32  # an address is offset << 32 | length
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1


class Spill:
    """An append-only store of byte strings in temporary files; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (first address offset, descriptor), in order: the files inherited from parent
        # processes, then this process's own (the last, once it wrote).
        self._files: list[tuple[int, int]] = []
        self._kept: list[IO[bytes]] = []  # file objects whose closing would delete the file
        self._end = 0  # the offset the next write gets
        self._pid = 0  # the process that made the last file
        self._forks_registered = False

    def put(self, data: bytes) -> int | None:
        """Append ``data``; its address, or None when it cannot be written (keep it then)."""
        if not data or len(data) > _LENGTH_MASK:
            return None
        with self._lock:
            try:
                start, fd = self._own()
                offset = self._end
                _write_at(fd, data, offset - start)
            except OSError:
                return None
            self._end = offset + len(data)
        return offset << _LENGTH_BITS | len(data)

    def get(self, address: int) -> bytes | None:
        """The bytes stored at ``address`` (None when they cannot be read back); the caller
        checks them against the digest it kept."""
        offset, length = address >> _LENGTH_BITS, address & _LENGTH_MASK
        with self._lock:
            for start, fd in reversed(self._files):
                if start <= offset:
                    try:
                        data = _read_at(fd, length, offset - start)
                    except OSError:
                        return None
                    return data if len(data) == length else None
        return None

    def descriptors(self) -> list[int]:
        """The open spill files' descriptors (tests: a spill lost under the session)."""
        return [fd for _start, fd in self._files]

    def _own(self) -> tuple[int, int]:
        """This process's file, made at its first write (hold ``self._lock``)."""
        pid = os.getpid()
        if self._pid != pid:
            self._files.append((self._end, self._unnamed_file()))
            self._pid = pid
            if not self._forks_registered:
                self._forks_registered = True
                os.register_at_fork(after_in_child=self._forked)
        return self._files[-1]

    def _forked(self) -> None:
        # A thread of the parent may have held the lock at the fork; it does not exist here.
        self._lock = threading.Lock()


    def _unnamed_file(self) -> int:
        """A descriptor of a new file that has no name (see the module docstring)."""
        flag = getattr(os, "O_TMPFILE", 0)
        if flag:
            # ``tempfile.gettempdir`` would probe the directory by creating a named file.
            directory = tempfile.tempdir or os.environ.get("TMPDIR") or "/tmp"
            try:
                return os.open(directory, flag | os.O_RDWR | os.O_EXCL | os.O_CLOEXEC, 0o600)
            except OSError:
                pass  # a file system without O_TMPFILE
        handle = tempfile.TemporaryFile(prefix="hotswap-spill-")  # noqa: SIM115 - kept open
        self._kept.append(handle)
        return handle.fileno()


def _write_at(fd: int, data: bytes, position: int) -> None:
    view = memoryview(data)
    while view:
        if hasattr(os, "pwrite"):
            written = os.pwrite(fd, view, position)
        else:  # pragma: no cover - Windows: no fork, the offset is ours (under the lock)
            os.lseek(fd, position, os.SEEK_SET)
            written = os.write(fd, view)
        view, position = view[written:], position + written


def _read_at(fd: int, length: int, position: int) -> bytes:
    if not hasattr(os, "pread"):  # pragma: no cover - Windows (under the lock)
        os.lseek(fd, position, os.SEEK_SET)
        return os.read(fd, length)
    return os.pread(fd, length, position)


SPILL = Spill()
