"""File-system events for the checkpoint: which watched files may have changed, in O(1) when
none did.

The checkpoint before every cell must not stat every watched file. On Linux, an inotify
descriptor watches the directories of the watched modules. The kernel queues an event while the
writing process is still inside its ``write``/``rename``/``unlink`` system call, so once a save
has returned, its event is in the queue. :meth:`Inotify.changed` drains the queue without
blocking (a zero-timeout ``poll`` first, so the common case is one system call): a save that
completed before a checkpoint began is always seen by that checkpoint. There is no watcher
thread and no debounce delay, unlike ``watchfiles`` (whose Rust thread batches events with a
delay, so a checkpoint could run before the thread has seen a save that has already completed).

An event is only a hint: the tracker still compares fingerprints and content hashes, so a
spurious or repeated event costs a ``stat`` and nothing else.

A file is stat-polled at every checkpoint instead (``watch`` returns False) where events are
unavailable or not trustworthy: other platforms, ``HOTSWAP_WATCH=stat`` in the environment, a
directory that cannot be watched (no permission, the inotify watch limit reached), and
directories on network or shared file systems (NFS, SMB, 9p, FUSE, virtiofs, ...) where a save
made by another machine or by the host of a virtual machine produces no event here. A queue
overflow, or a watched directory that is deleted or moved, makes every file concerned count as
possibly changed.

A forked child shares its parent's descriptor; its first checkpoint opens its own (and looks at
every file once), so it never takes events the parent is waiting for.

Known limit: a file with a second hard link in an unwatched directory, edited through that other
link, produces no event in the watched directory (editors do not do that; ``touch`` of the
module file or a re-save does).
"""

from __future__ import annotations

import os
import select
import struct
import sys
from collections.abc import Callable
from typing import Protocol

# inotify(7) constants (stable Linux ABI).
_IN_MODIFY = 0x2
_IN_ATTRIB = 0x4
_IN_CLOSE_WRITE = 0x8
_IN_MOVED_FROM = 0x40
_IN_MOVED_TO = 0x80
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_IN_DELETE_SELF = 0x400
_IN_MOVE_SELF = 0x800
_IN_UNMOUNT = 0x2000
_IN_Q_OVERFLOW = 0x4000
_IN_IGNORED = 0x8000
_IN_ONLYDIR = 0x01000000
_IN_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # inotify_init1 takes the open() flags' values
_IN_CLOEXEC = getattr(os, "O_CLOEXEC", 0)  # (absent on Windows, where this is never used)
_FILE_EVENTS = (
    _IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE
    | _IN_DELETE
)
_DIR_GONE = _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_UNMOUNT | _IN_IGNORED
_MASK = _FILE_EVENTS | _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_ONLYDIR
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len; then ``len`` bytes of NUL-padded name

# File systems where changes made elsewhere (another machine, a VM host) raise no local event.
_REMOTE_TYPES = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre",
        "gpfs", "virtiofs", "vboxsf", "vmhgfs", "prl_fs", "davfs", "fuse", "fuseblk", "ncpfs",
        "coda", "ocfs2", "beegfs",
    }
)


class Watcher(Protocol):
    """What the tracker needs from an event source (tests substitute their own)."""

    def watch(self, path: str) -> bool:
        """Report changes of file ``path`` from now on; False if they cannot be (poll it)."""
        ...

    def changed(self) -> set[str] | None:
        """Files that may have changed since the last call; None: any file may have."""
        ...

    def close(self) -> None: ...

    # Optional: ``quiet() -> bool``, True when ``changed`` would return an empty set (a source
    # without it is asked ``changed`` at every checkpoint); and ``ready``, a callable of no
    # arguments that is truthy when events may be queued: what the checkpoint before every
    # cell calls in its place when a source has it (no Python frame in ``Inotify``'s).


# Times this process has been forked into a child (counted in the child; read in place by
# the checkpoint before every cell), then 1 once the fork hook is registered.
FORKS = [0]


def forks() -> int:
    """How many forks this process descends from since an inotify descriptor was opened: a
    child shares its parent's descriptor (and would take its events), so it opens its own."""
    return FORKS[0]


def _forked() -> None:
    FORKS[0] += 1


def default_watcher() -> Watcher | None:
    """The event source for this process, or None where every file is stat-polled."""
    choice = os.environ.get("HOTSWAP_WATCH", "auto").strip().lower()
    if choice == "stat" or not sys.platform.startswith("linux"):
        return None
    try:
        return Inotify()
    except OSError:
        return None


class Inotify:
    """Directory watches on one non-blocking inotify descriptor (Linux)."""

    def __init__(self) -> None:
        import ctypes  # here, not at import time: ``import hotswap`` stays cheap

        libc = ctypes.CDLL(None, use_errno=True)
        self._add = libc.inotify_add_watch
        self._add.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
        self._add.restype = ctypes.c_int
        init = libc.inotify_init1
        init.argtypes = (ctypes.c_int,)
        init.restype = ctypes.c_int
        fd = init(_IN_NONBLOCK | _IN_CLOEXEC)
        if not FORKS[1:]:
            FORKS.append(1)  # registered once per process
            os.register_at_fork(after_in_child=_forked)
        if fd < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
        self._fd = fd
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)
        self.ready: Callable[[], object] = _zero_poll(fd) or (lambda: self._poll.poll(0))
        self._dirs: dict[int, set[str]] = {}  # wd -> directory paths (symlinks may alias)
        self._watched: dict[str, int | None] = {}  # directory -> wd, None: cannot be watched
        self._files: dict[str, set[str]] = {}  # directory -> names of watched files in it
        self._mounts: list[tuple[str, str]] | None = None

    def watch(self, path: str) -> bool:
        directory, _, name = path.rpartition(os.sep)  # absolute, normalized: no trailing sep
        directory = directory or os.sep
        wd = self._watched.get(directory, -1)
        if wd == -1:
            wd = self._add_directory(directory)
        if wd is None:
            return False
        files = self._files.get(directory)
        if files is None:
            self._files[directory] = {name}
        else:
            files.add(name)
        return True

    def _add_directory(self, directory: str) -> int | None:
        wd: int | None = None
        if not self._remote(directory):
            result = self._add(self._fd, os.fsencode(directory), _MASK)
            if result >= 0:
                wd = result
                self._dirs.setdefault(wd, set()).add(directory)
        self._watched[directory] = wd
        return wd

    def quiet(self) -> bool:
        """No event to read (``changed`` would return an empty set)."""
        return not self.ready()

    def changed(self) -> set[str] | None:
        if not self.ready():
            return set()
        out: set[str] = set()
        overflow = False
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            at = 0
            while at + _HEADER.size <= len(data):
                wd, mask, _cookie, length = _HEADER.unpack_from(data, at)
                raw = data[at + _HEADER.size : at + _HEADER.size + length]
                at += _HEADER.size + length
                if mask & _IN_Q_OVERFLOW:
                    overflow = True
                    continue
                directories = self._dirs.get(wd, ())
                if mask & _DIR_GONE:
                    # The directory itself went away or moved: its files may all have changed,
                    # and it is watched again (or polled) when a file in it is next watched.
                    for directory in list(directories):
                        names = self._files.get(directory, ())
                        out.update(os.path.join(directory, f) for f in names)
                        self._watched.pop(directory, None)
                        self._files.pop(directory, None)
                    self._dirs.pop(wd, None)
                    continue
                name = os.fsdecode(raw.rstrip(b"\0"))
                for directory in directories:
                    out.add(os.path.join(directory, name))
        return None if overflow else out

    def fileno(self) -> int:
        """The descriptor, readable when an event is queued (``hotswap.loop`` waits on it)."""
        return int(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            self._poll.unregister(self._fd)
            os.close(self._fd)
            self._fd = -1

    def _remote(self, directory: str) -> bool:
        """Whether ``directory`` lies on a file system that gets changes without events."""
        if self._mounts is None:
            self._mounts = _mounts()
        real = os.path.realpath(directory)
        best, kind = "", ""
        for point, fstype in self._mounts:
            inside = real == point or real.startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, kind = point, fstype
        return kind.partition(".")[0] in _REMOTE_TYPES


def _zero_poll(fd: int) -> Callable[[], object] | None:
    """Whether ``fd`` is readable now: ``poll(2)`` with a zero timeout, called without letting
    go of the GIL (``ctypes.PyDLL``). A checkpoint before every cell asks it; ``select.poll``
    lets go of the GIL around the call, which hands it to any thread waiting for it, such as
    IPython's history writer, woken by every cell: the cell then waited for that thread's
    work (19 us a call measured inside ``run_cell``, 0.5 us outside it). The call is the C
    function with its arguments bound (``functools.partial``, arguments made once, no
    ``argtypes`` to convert through): no Python frame, 0.9 us against 1.2 (inside
    ``run_cell``, where every frame runs with cold caches, 5.8 us through two frames). It
    returns how many descriptors are readable (0 or 1; -1 for EINTR, taken for readable: the
    read finds out). None: no libc."""
    import ctypes
    import functools

    class PollFd(ctypes.Structure):
        _fields_ = (("fd", ctypes.c_int), ("events", ctypes.c_short), ("revents", ctypes.c_short))

    try:
        poll = ctypes.PyDLL(None).poll
    except (OSError, AttributeError):
        return None
    poll.restype = ctypes.c_int
    entry = PollFd(fd, select.POLLIN, 0)
    # The structure is kept alive by the pointer object that refers to it (its ``_objects``).
    return functools.partial(poll, ctypes.pointer(entry), ctypes.c_ulong(1), ctypes.c_int(0))


def _mounts() -> list[tuple[str, str]]:
    """(mount point, file system type) of every mount, from /proc/self/mountinfo."""
    out = []
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                fields = line.split()
                if "-" not in fields:
                    continue
                dash = fields.index("-")
                if len(fields) > dash + 1 and len(fields) > 4:
                    point = fields[4].replace("\\040", " ").replace("\\011", "\t")
                    out.append((point.replace("\\134", "\\"), fields[dash + 1]))
    except OSError:
        pass
    return out
