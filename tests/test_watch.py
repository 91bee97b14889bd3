"""``hotswap.watch()`` and ``hotswap.checkpoint()``: reloads applied by a watcher thread.

These run in the test process with real files and the real watcher (events through watchfiles,
or the stat-polling fallback). Waiting for a reload is bounded by a generous deadline, never
timed. The thread-hammer test edits a class over and over while threads call its methods.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import hotswap
from conftest import Workspace
from hotswap._front.watch import RUNNING_GRACE, Watch, poll_from_environment

DEADLINE = 60.0


def _until(condition: Callable[[], bool], describe: Callable[[], str] | None = None) -> None:
    """Wait until ``condition()`` holds (fail after a generous deadline, saying what was seen)."""
    end = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(describe() if describe else "the watcher did not apply the edit")
        time.sleep(0.005)


def _module(workspace: Workspace, prefix: str, body: str) -> Any:
    name = workspace.name(prefix)
    workspace.write(f"{name}.py", body)
    return importlib.import_module(name)


def _edit(workspace: Workspace, module: Any, old: str, new: str) -> None:
    path = Path(module.__file__)
    workspace.write(path.name, path.read_text().replace(old, new))


@pytest.fixture
def stopping() -> Iterator[list[Watch]]:
    """Watches a test starts; each is stopped at the end even if the test fails."""
    watches: list[Watch] = []
    yield watches
    for watch in watches:
        watch.stop()


@pytest.mark.parametrize("poll", [False, True], ids=["events", "poll"])
def test_watch_applies_an_edit_while_the_program_runs(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], poll: bool
) -> None:
    """Inside `with hotswap.watch():` an edit reaches the running program without any call
    from it, a line on stderr says so, and leaving the block stops the watcher."""
    module = _module(workspace, "wm", 'def f():\n    return "old"\n')
    with hotswap.watch(poll=poll) as watch:
        _edit(workspace, module, '"old"', '"new"')
        _until(lambda: module.f() == "new")
    assert not watch.running
    assert f"hotswap: reloaded {module.__name__}: patched f" in capsys.readouterr().err


def test_at_checkpoint_applies_only_in_checkpoint(
    workspace: Workspace, stopping: list[Watch]
) -> None:
    """With at_checkpoint the watcher only notes the change; hotswap.checkpoint() applies it in
    the calling thread and returns the report; a second checkpoint has nothing to do."""
    module = _module(workspace, "wm", 'def f():\n    return "old"\n')
    reports: list[hotswap.Report] = []
    watch = hotswap.watch(at_checkpoint=True, poll=True, on_report=reports.append)
    stopping.append(watch)
    _edit(workspace, module, '"old"', '"new"')
    _until(lambda: watch.pending)
    assert module.f() == "old"
    report = hotswap.checkpoint()
    assert report is not None and report.reloaded == [module.__name__]
    assert module.f() == "new"
    assert reports == [report]
    assert hotswap.checkpoint() is None


def test_checkpoint_without_a_watcher_does_nothing() -> None:
    """hotswap.checkpoint() in a program no watcher runs in returns None at once."""
    assert hotswap.checkpoint() is None


@pytest.mark.slow
def test_include_and_exclude_patterns(workspace: Workspace, stopping: list[Watch]) -> None:
    """exclude takes glob patterns and module names; an excluded module is never reloaded,
    the others are."""
    kept = _module(workspace, "wa", 'def f():\n    return "old"\n')
    left = _module(workspace, "wb", 'def f():\n    return "old"\n')
    watch = hotswap.watch(
        at_checkpoint=True, poll=True, exclude=[left.__name__[:5] + "*"], on_report=print
    )
    stopping.append(watch)
    _edit(workspace, left, '"old"', '"new"')
    _edit(workspace, kept, '"old"', '"new"')
    _until(lambda: watch.pending)
    report = hotswap.checkpoint()
    assert report is not None and report.reloaded == [kept.__name__]
    assert (kept.f(), left.f()) == ("new", "old")


def test_include_limits_reloading_to_those_modules(
    workspace: Workspace, stopping: list[Watch]
) -> None:
    """include names the only modules reloaded (a name covers its submodules)."""
    package = workspace.name("wp")
    workspace.write(f"{package}/__init__.py", "")
    workspace.write(f"{package}/sub.py", 'def f():\n    return "old"\n')
    sub = importlib.import_module(f"{package}.sub")
    other = _module(workspace, "wo", 'def f():\n    return "old"\n')
    watch = hotswap.watch(at_checkpoint=True, poll=True, include=[package], on_report=print)
    stopping.append(watch)
    _edit(workspace, other, '"old"', '"new"')
    workspace.write(f"{package}/sub.py", 'def f():\n    return "new"\n')
    _until(lambda: watch.pending)
    report = hotswap.checkpoint()
    assert report is not None and report.reloaded == [sub.__name__]
    assert (sub.f(), other.f()) == ("new", "old")


def test_a_running_function_is_named_once(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], stopping: list[Watch]
) -> None:
    """A function running in a thread keeps its code until it returns; the watcher says so
    once (short calls caught in flight are not named), and the functions it calls change at
    their next call."""
    module = _module(
        workspace,
        "wr",
        """\
        def step():
            return "old"

        def spin(stop, box):
            while not stop.is_set():
                box[0] = step()
        """,
    )
    stop = threading.Event()
    box = [""]
    thread = threading.Thread(target=module.spin, args=(stop, box), name="spinner")
    thread.start()
    edits = [
        (('"old"', '"new1"'), ("box[0] = step()", "box[0] = str(step())")),
        (('"new1"', '"new2"'), ("box[0] = str(step())", "box[0] = f'{step()}'")),
    ]
    err = ""

    def said(text: str) -> bool:
        nonlocal err
        err += capsys.readouterr().err
        return text in err

    try:
        watch = hotswap.watch(at_checkpoint=True, poll=True)
        stopping.append(watch)
        for n, (result, body) in enumerate(edits, start=1):
            _edit(workspace, module, *result)
            _edit(workspace, module, *body)
            _until(lambda: watch.pending)
            hotswap.checkpoint()
            _until(lambda n=n: box[0] == f"new{n}")  # type: ignore[misc]
            _until(lambda: said("spin() is running"))
            time.sleep(2 * RUNNING_GRACE)  # a second note would have been printed by now
    finally:
        stop.set()
        thread.join()
    said("")
    assert err.count("is running") == 1, err
    assert "hotswap: spin() is running in spinner and keeps its old code until it returns" in err


def test_watcher_follows_modules_imported_later(
    workspace: Workspace, tmp_path: Path, stopping: list[Watch]
) -> None:
    """A module imported after the watcher started, from a directory it did not watch yet,
    is watched too (the set of directories follows the program's imports)."""
    watch = hotswap.watch(on_report=lambda report: None)
    stopping.append(watch)
    later = tmp_path / "later"
    later.mkdir()
    sys.path.insert(0, str(later))
    name = workspace.name("wl")
    (later / f"{name}.py").write_text('def f():\n    return "old"\n')
    workspace.bump(later / f"{name}.py")
    module = importlib.import_module(name)
    _until(lambda: str(later) in watch.directories())
    (later / f"{name}.py").write_text('def f():\n    return "new"\n')
    workspace.bump(later / f"{name}.py")
    _until(lambda: module.f() == "new")


def test_stop_ends_the_thread_and_can_be_repeated(stopping: list[Watch]) -> None:
    """stop() ends the watcher thread (promptly: it is what a finished program calls) and a
    second stop() is harmless."""
    watch = hotswap.watch()
    assert watch.running
    watch.stop()
    watch.stop()
    assert not watch.running
    assert watch._thread is not None and not watch._thread.is_alive()


def test_poll_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """HOTSWAP_POLL=1 (or any value but 0/false/no/off) selects polling."""
    for value, expected in (("1", True), ("yes", True), ("0", False), ("off", False)):
        monkeypatch.setenv("HOTSWAP_POLL", value)
        assert poll_from_environment() is expected
    monkeypatch.delenv("HOTSWAP_POLL")
    assert poll_from_environment() is False


HAMMERED = """\
class Shape:
    def pair(self):
        tag = "v{k}"
        return (tag, "v{k}")

    def scaled(self, n={k}):
        return ({k}, n)

    def shape(self, {params}):
        return ({k}, {last})

    @property
    def prop(self):
        return ({k}, {k})

    @classmethod
    def make(cls):
        return cls()


def free(x, y={k}):
    return ({k}, y)
"""


def _hammered(k: int) -> str:
    params = "a={k}" if k % 2 else "a={k}, b={k}"
    last = "a" if k % 2 else "b"
    return HAMMERED.replace("{params}", params).replace("{last}", last).format(k=k)


@pytest.mark.slow
def test_thread_hammer(workspace: Workspace, stopping: list[Watch]) -> None:
    """Threads calling methods, properties, classmethods and functions in a tight loop while
    the class is edited and reloaded repeatedly by the watcher thread: no call fails, each
    call is entirely old or entirely new code (its parts agree), and instances made before
    the first edit stay instances of the kept class. (Instances made *during* a reload are
    the subject of the next test.)"""
    name = workspace.name("wh")
    workspace.write(f"{name}.py", _hammered(0))
    reports: list[hotswap.Report] = []
    watch = Watch(poll=True, poll_ms=20, step_ms=10, on_report=reports.append).start()
    stopping.append(watch)
    module = importlib.import_module(name)  # as under the runner: imported while watched
    shape_class = module.Shape
    stop = threading.Event()
    errors: list[str] = []
    mixed: list[tuple[Any, ...]] = []
    latest: dict[int, int] = {}

    def hammer(index: int) -> None:
        old = module.Shape()
        while not stop.is_set():
            try:
                fresh = module.Shape.make()
                results = [old.pair(), fresh.pair(), old.scaled(), old.shape(), old.prop]
                results.append(module.free(1))
                for a, b in results:
                    if a != b:
                        mixed.append((a, b))
                if type(old) is not shape_class:
                    mixed.append(("identity", repr(type(old))))  # no reference to the class
                latest[index] = results[2][0]
            except Exception as exc:  # every failure is a finding: keep them all
                errors.append(repr(exc))

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        for k in range(1, 26):
            # Saved by rename: with four threads taking the GIL, an in-place save can sit
            # truncated for longer than the watcher waits for it to fill.
            workspace.replace(f"{name}.py", _hammered(k))
            _until(
                lambda k=k: all(latest.get(i) == k for i in range(4)),  # type: ignore[misc]
                lambda k=k: f"edit {k}: seen {latest}, reports {reports[-2:]}, {errors[:2]}",  # type: ignore[misc]
            )
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert mixed == []
    assert module.Shape is shape_class
    assert reports and all(report.ok for report in reports), reports


def test_failed_reload_keeps_writes_the_program_made_meanwhile(workspace: Workspace) -> None:
    """A reload that fails and rolls back while another thread advances a module global
    leaves that thread's write in place (the program's counter never goes back)."""
    module = _module(
        workspace,
        "wc",
        """\
        COUNT = 0

        def bump():
            global COUNT
            COUNT += 1
        """,
    )

    def meanwhile() -> None:  # the program's thread writes while the reload runs
        worker = threading.Thread(target=module.bump)
        worker.start()
        worker.join()

    module.meanwhile = meanwhile
    with hotswap.Reloader() as reloader:
        _edit(workspace, module, "COUNT = 0\n", "COUNT = 0\nmeanwhile()\nraise RuntimeError\n")
        report = reloader.check()
    assert report.failed == [module.__name__]
    assert module.COUNT == 1


def test_the_class_name_holds_the_kept_class_throughout_a_reload(workspace: Workspace) -> None:
    """While a reload patches a class, another thread reading the module's name for it gets
    the kept class, never the temporary one the new source made (observed at each in-place
    code update through the interpreter's audit events)."""
    module = _module(workspace, "wk", "class Shape:\n    def f(self):\n        return 1\n")
    kept = module.Shape
    seen: list[bool] = []
    active = [True]

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if active[0] and event == "object.__setattr__" and args[1:2] == ("__code__",):
            seen.append(module.__dict__.get("Shape") is kept)

    sys.addaudithook(audit)  # cannot be removed: made inert below
    try:
        with hotswap.Reloader() as reloader:
            _edit(workspace, module, "return 1", "return 2")
            assert reloader.check().reloaded == [module.__name__]
    finally:
        active[0] = False
    assert module.Shape().f() == 2
    assert seen and all(seen), seen
