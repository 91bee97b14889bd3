"""A program started with ``python -m hotswap run`` in a subprocess, its output lines in queues:
shared by the runner's tests and the web-app tests (servers under the runner)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

TIMEOUT = 60.0


class Running:
    """A program started with ``python -m hotswap run``; its output lines arrive in queues."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        full_env = {k: v for k, v in os.environ.items() if k != "HOTSWAP_POLL"}
        full_env.update(NO_COLOR="1", PYTHONPATH=str(cwd), **(env or {}))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hotswap", "run", *args],
            cwd=str(cwd),
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._setup_queues()

    def _setup_queues(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self._queues: dict[str, queue.Queue[str | None]] = {
            "out": queue.Queue(),
            "err": queue.Queue(),
        }
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._pump, args=(name, stream), daemon=True).start()

    def _pump(self, name: str, stream: object) -> None:
        try:
            for line in stream:  # type: ignore[attr-defined]
                self._queues[name].put(line.rstrip("\n"))
        except ValueError:  # closed by kill()
            pass
        self._queues[name].put(None)

    def wait(self, name: str, predicate: Callable[[str], bool]) -> str:
        """The next line of stdout (``"out"``) or stderr (``"err"``) satisfying ``predicate``."""
        kept = self.out if name == "out" else self.err
        while True:
            try:
                line = self._queues[name].get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"no such line; {name} so far: {kept!r}") from None
            if line is None:
                self.proc.wait(timeout=TIMEOUT)
                raise AssertionError(
                    f"{name} ended (exit {self.proc.returncode}); so far: {kept!r}; "
                    f"stderr: {self.err + self._rest('err')!r}"
                )
            kept.append(line)
            if predicate(line):
                return line

    def _rest(self, name: str) -> list[str]:
        """Lines of a stream that nobody waited for yet (for a failure message)."""
        rest = []
        while True:
            try:
                line = self._queues[name].get(timeout=1.0)
            except queue.Empty:
                return rest
            if line is None:
                return rest
            rest.append(line)

    def finish(self) -> int:
        code = self.proc.wait(timeout=TIMEOUT)
        for name in ("out", "err"):
            kept = self.out if name == "out" else self.err
            while (line := self._queues[name].get(timeout=TIMEOUT)) is not None:
                kept.append(line)
        return code

    def kill(self) -> None:
        """End the program if it still runs, and close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
