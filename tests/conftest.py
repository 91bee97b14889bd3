"""Shared fixtures: a temporary source tree on ``sys.path`` whose edits bump mtimes explicitly."""

from __future__ import annotations

import linecache
import os
import signal
import sys
import textwrap
import traceback
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from _running import Running

# No per-example deadline: the machines that run the suite are shared, and an example that
# takes 315 ms instead of 200 under load is not a failure (a property test failed so once).
settings.register_profile("hotswap", deadline=None)
settings.load_profile("hotswap")

# A suite started in the background of a shell without job control (``make test &`` in a
# script, some CI runners) inherits SIGINT ignored, and so would every interpreter a test starts:
# the tests that press Ctrl-C in a child (test_interrupts, the runner's) would see nothing
# happen. The children get Python's own handling back, as they have from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


class Workspace:
    """A directory on ``sys.path`` where tests write modules and edit them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tick = 0

    def name(self, prefix: str = "hs") -> str:
        """A module name no other test uses."""
        return f"{prefix}_{uuid.uuid4().hex[:10]}"

    def write(self, relpath: str, text: str) -> Path:
        """Write a file (dedented) and move its mtime strictly forward."""
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        self.bump(path)
        return path

    def replace(self, relpath: str, text: str) -> Path:
        """Save a file the way editors that write a new file and rename it do: no reader ever
        sees it half-written (in-place saves are the subject of their own tests)."""
        partial = self.write(relpath + ".saving", text)
        path = partial.with_name(partial.name.removesuffix(".saving"))
        os.replace(partial, path)
        return path

    def bump(self, path: Path) -> None:
        self._tick += 1
        stamp = path.stat().st_mtime_ns + self._tick * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))


def raised_at(func: Callable[[], Any]) -> int:
    """The line ``func()`` raises at (the traceback's last frame)."""
    try:
        func()
    except Exception as exc:
        return traceback.extract_tb(exc.__traceback__)[-1].lineno or 0
    raise AssertionError("did not raise")


def _lives_in(module: object, root: Path) -> bool:
    places = [getattr(module, "__file__", None), *(getattr(module, "__path__", None) or ())]
    inside = str(root) + os.sep
    return any(isinstance(p, str) and p.startswith(inside) for p in places)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    root = tmp_path / "src"
    root.mkdir()
    modules = set(sys.modules)
    path = list(sys.path)
    cache = dict(linecache.cache)
    sys.path.insert(0, str(root))
    try:
        yield Workspace(root)
    finally:
        sys.path[:] = path
        # The test's own modules go; modules it imported for the first time from elsewhere stay
        # (dropping hotswap's lazily imported parts would give the next test a second copy of
        # them, with a second tracker, beside the first).
        for name in set(sys.modules) - modules:
            if _lives_in(sys.modules[name], root):
                del sys.modules[name]
        linecache.cache.clear()
        linecache.cache.update(cache)


# -- options of the reliability suites (tests/test_fuzz.py, tests/test_soak.py) ---------------

FUZZ_SUMMARY = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hotswap reliability")
    group.addoption(
        "--fuzz-examples",
        type=int,
        default=0,
        help="run a fuzz campaign: generated edits until at least this many were checked "
        "(divergences are shrunk and written to tests/regressions/)",
    )
    group.addoption(
        "--fuzz-seed", type=int, default=None, help="first seed of a fuzz campaign (default random)"
    )
    group.addoption(
        "--soak-cycles",
        type=int,
        default=200,
        help="edit+reload cycles of the soak test (make test: 200; a long run: 1000 or more)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[FUZZ_SUMMARY] = []


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(FUZZ_SUMMARY, [])
    if lines:
        terminalreporter.section("hotswap reliability")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def start(workspace: Workspace) -> Iterator[Callable[..., Running]]:
    """Start programs under ``python -m hotswap run`` in the workspace (``start(*args, env=)``);
    each is killed when the test ends (the runner's, loop's and restartable's tests)."""
    started: list[Running] = []

    def run(*args: str, env: dict[str, str] | None = None) -> Running:
        program = Running(list(args), workspace.root, env)
        started.append(program)
        return program

    yield run
    for program in started:
        program.kill()
