"""Driver processes forked from an interpreter that has already imported what they import.

The corpus runs two live driver processes per scenario (``test_corpus``: the plain API;
``test_ipython_corpus``: the plain API and a real IPython shell), several hundred times per
Python. Half of each one's time was imports: hotswap's engine (~0.1 s, loaded at the first
save) and IPython (~0.13 s). Here they come from a fork server that imported them once (one
per pytest process: this file run as ``python _preforked.py serve``): a child is a fork of it
that then runs the driver script as ``python DRIVER ARGS`` would (its own ``sys.argv``,
``sys.path`` as a fresh ``python`` has it with the script's directory first, working
directory, environment, and its output in files). Nothing of a scenario runs before the
fork: each child starts from the same state, and imports every module of its scenario for the
first time.

What a fork cannot give: the hash seed is the server's (started with ``PYTHONHASHSEED=0``, as
the corpus asks of every driver). At its end a child waits for its threads and runs its
``atexit`` functions, as an interpreter's exit does. The oracle side stays a fresh ``python``.

Protocol: a request is a JSON line on the server's stdin; the server answers ``started ID PID``
at once and ``exit PID CODE`` when it has reaped that child (``CODE`` as ``Popen.returncode``
gives it: ``-N`` for a signal).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

# What a driver imports before the scenario starts (the engine is what the first save loads).
PRELOAD = [
    "json",
    "inspect",
    "traceback",
    "_oracle",
    "hotswap",
    "hotswap._checkpoint.apply",
    "hotswap._checkpoint.reloader",
    "traitlets.config",
    "IPython.core.interactiveshell",
]


# -- the server (``python _preforked.py serve``) -----------------------------------------------


def _serve() -> None:
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):  # (IPython is an extra: the child imports it)
            importlib.import_module(name)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    pending = b""
    while True:
        ready = select.select([0, wake_r], [], [])[0]
        if wake_r in ready:
            while os.read(wake_r, 512) if _readable(wake_r) else b"":
                pass
            _reap()
        if 0 in ready:
            data = os.read(0, 1 << 16)
            if not data:
                return  # the test process is gone
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    os.close(wake_r)
                    os.close(wake_w)
                    _child(request)  # never returns
                _say(f"started {request['id']} {pid}")


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


def _reap() -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _say(f"exit {pid} {os.waitstatus_to_exitcode(status)}")


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become ``python argv...`` run in ``cwd`` with ``env``."""
    import runpy

    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        for fd, name in ((1, request["out"]), (2, request["err"])):
            target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        argv, env = request["argv"], request["env"]
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(env)
        sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
        sys.argv = list(argv)
        sys.path[0] = os.path.dirname(os.path.realpath(argv[0]))
        try:
            runpy.run_path(argv[0], run_name="__main__")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            if not isinstance(exc.code, int | None):
                print(exc.code, file=sys.stderr)
        except BaseException:
            import traceback

            traceback.print_exc()
        threading._shutdown()  # type: ignore[attr-defined]  # (as the interpreter's exit does)
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os._exit(code)


# -- the client (the test process) -----------------------------------------------------------


class _Server:
    """This process's fork server, its answers read by a thread of their own."""

    def __init__(self) -> None:
        from _oracle import child_environ

        self.proc = subprocess.Popen(
            [sys.executable, __file__, "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=child_environ(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1"),
            cwd="/",
        )
        self.lock = threading.Lock()
        self.next_id = 0
        self.started: dict[int, int] = {}
        self.exits: dict[int, int] = {}
        self.changed = threading.Condition()
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            kind, key, value = line.decode().split()
            with self.changed:
                if kind == "started":
                    self.started[int(key)] = int(value)
                    # An exit left unread for an earlier child with this pid is not this one's
                    # (this child's own comes on a later line).
                    self.exits.pop(int(value), None)
                else:
                    self.exits[int(key)] = int(value)
                self.changed.notify_all()
        with self.changed:
            self.exits[-1] = -1  # the server ended: no child will be reported any more
            self.changed.notify_all()

    def start(self, request: dict[str, Any]) -> int:
        assert self.proc.stdin is not None
        with self.lock:
            self.next_id += 1
            request["id"] = self.next_id
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        with self.changed:
            self.changed.wait_for(lambda: request["id"] in self.started or -1 in self.exits)
            if -1 in self.exits:
                raise RuntimeError("the fork server ended")
            return self.started.pop(request["id"])

    def exited(self, pid: int) -> bool:
        with self.changed:
            return pid in self.exits

    def wait(self, pid: int, timeout: float | None) -> int | None:
        """The child's exit code, or None if it still runs after ``timeout``."""
        with self.changed:
            self.changed.wait_for(lambda: pid in self.exits or -1 in self.exits, timeout)
            if pid not in self.exits and -1 in self.exits:
                raise RuntimeError("the fork server ended; see the test process's stderr")
            return self.exits.pop(pid, None)

    def close(self) -> None:
        """End the server (at exit: its input closes, it returns once it reads that)."""
        from _oracle import end_server

        end_server(self.proc)


_SERVER: list[_Server] = []
_SERVER_LOCK = threading.Lock()


def _server() -> _Server:
    with _SERVER_LOCK:
        if not _SERVER:
            _SERVER.append(_Server())
            atexit.register(_SERVER[0].close)
        return _SERVER[0]


class Forked:
    """A driver started from the fork server, read as a ``subprocess.Popen`` with pipes is."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], tag: str) -> None:
        self._out = cwd / f".{tag}.stdout"
        self._err = cwd / f".{tag}.stderr"
        request = {"argv": argv, "cwd": str(cwd), "env": env,
                   "out": str(self._out), "err": str(self._err)}
        self.pid = _server().start(request)
        self.returncode: int | None = None

    def kill(self) -> None:
        if self.returncode is None and not _server().exited(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)  # (not reaped yet: the pid is still its own)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for the child (``subprocess.TimeoutExpired`` after ``timeout``); its output."""
        if self.returncode is None:
            code = _server().wait(self.pid, timeout)
            if code is None:
                raise subprocess.TimeoutExpired(["forked driver"], timeout or 0)
            self.returncode = code
        read = lambda path: path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
        return read(self._out), read(self._err)


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    _serve()
