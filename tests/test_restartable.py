"""``@hotswap.restartable``: a call that is running when its function is edited switches to the
new code at its next loop back-edge (Python 3.12+; on 3.11 the decorator degrades to next-call).

In-process tests save the edit from inside the running loop (a hook the loop calls at a chosen
iteration writes the file and runs the checkpoint), so the switch happens at a known back-edge
and each test is bounded by its loop's own end. Runner tests edit a script's loop under
``python -m hotswap run`` and wait for its lines.
"""

from __future__ import annotations

import importlib
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import hotswap
from _running import TIMEOUT, Running
from conftest import Workspace

needs_monitoring = pytest.mark.skipif(
    sys.version_info < (3, 12), reason="sys.monitoring (Python 3.12+)"
)


class Editor:
    """Loads a module and, when the running loop calls :meth:`hook`, saves the next version
    of it and applies it (the checkpoint a watcher would run)."""

    def __init__(self, workspace: Workspace, text: str, *versions: tuple[str, str]) -> None:
        self.workspace = workspace
        self.name = workspace.name("rs")
        self.path = workspace.write(f"{self.name}.py", text)
        self.module: Any = importlib.import_module(self.name)
        self.reloader = hotswap.Reloader()
        self.versions = list(versions)
        self.reports: list[hotswap.Report] = []

    def hook(self) -> None:
        old, new = self.versions.pop(0)
        text = self.path.read_text()
        assert old in text
        self.workspace.replace(self.path.name, text.replace(old, new))
        report = self.reloader.check()
        assert report.ok, report
        self.reports.append(report)

    def close(self) -> None:
        self.reloader.close()


@pytest.fixture
def editors() -> Iterator[list[Editor]]:
    made: list[Editor] = []
    yield made
    for editor in made:
        editor.close()


WHILE = """\
import hotswap

@hotswap.restartable
def main(hook, log):
    log.append("setup")
    n = 0
    total = 0
    while n < 6:
        n += 1
        total += n
        log.append(("old", n, total))
        if n == 2:
            hook()
    log.append(("end", n, total))
    return total
"""


@needs_monitoring
def test_a_running_while_loop_switches_at_its_next_iteration(
    workspace: Workspace, editors: list[Editor], capsys: pytest.CaptureFixture[str]
) -> None:
    """Editing the body of a `while` loop that is running: the very next iteration runs the
    new body, with the loop's locals kept; what came before the loop does not run again, and
    one line says where the call restarted and how many locals it kept."""
    editor = Editor(workspace, WHILE, ('("old", n, total)', '("new", n, total * 10)'))
    editors.append(editor)
    log: list[Any] = []
    assert editor.module.main(editor.hook, log) == 21
    assert log == [
        "setup",
        ("old", 1, 1),
        ("old", 2, 3),
        ("new", 3, 60),
        ("new", 4, 100),
        ("new", 5, 150),
        ("new", 6, 210),
        ("end", 6, 21),
    ]
    err = capsys.readouterr().err
    assert "hotswap: restarted main() at line 8 with 4 locals kept" in err
    assert err.count("restarted") == 1
    assert "keeps its old code" not in err


FOR = """\
import hotswap

@hotswap.restartable
def main(hook, items, log):
    seen = []
    for item in items:
        seen.append(item)
        log.append(("old", item))
        if item == "b":
            hook()
    return seen
"""


@needs_monitoring
def test_a_running_for_loop_goes_on_with_its_next_item(
    workspace: Workspace, editors: list[Editor]
) -> None:
    """Editing a `for` loop's body while it runs: the loop goes on with its next item (none is
    repeated or skipped, even from a one-pass iterator), in the new body."""
    editor = Editor(workspace, FOR, ('("old", item)', '("new", item.upper())'))
    editors.append(editor)
    log: list[Any] = []
    seen = editor.module.main(editor.hook, iter("abcd"), log)
    assert seen == ["a", "b", "c", "d"]
    assert log == [("old", "a"), ("old", "b"), ("new", "C"), ("new", "D")]


@needs_monitoring
def test_a_for_loop_switches_in_a_module_with_its_own_iter(
    workspace: Workspace, editors: list[Editor]
) -> None:
    """A module that defines a function named ``iter`` (shadowing the builtin): the ``for``
    loop still goes on with its next item after the switch, not from its first again."""
    source = FOR.replace("import hotswap\n", "import hotswap\n\ndef iter(x):\n    return x\n")
    editor = Editor(workspace, source, ('("old", item)', '("new", item.upper())'))
    editors.append(editor)
    log: list[Any] = []
    seen = editor.module.main(editor.hook, ["a", "b", "c", "d"], log)
    assert seen == ["a", "b", "c", "d"]
    assert log == [("old", "a"), ("old", "b"), ("new", "C"), ("new", "D")]


NESTED = """\
import hotswap

@hotswap.restartable
def main(hook, log):
    for epoch in range(3):
        for batch in range(3):
            log.append(("old", epoch, batch))
            if (epoch, batch) == (1, 0):
                hook()
        log.append(("epoch done", epoch))
    return log
"""


@needs_monitoring
def test_an_inner_loop_switches_and_the_outer_loop_goes_on(
    workspace: Workspace, editors: list[Editor]
) -> None:
    """A switch in an inner loop finishes the outer loop's current iteration in the new code
    (what follows the inner loop runs once) and the outer loop goes on with its next item."""
    editor = Editor(workspace, NESTED, ('("old", epoch, batch)', '("new", epoch, batch)'))
    editors.append(editor)
    log: list[Any] = []
    editor.module.main(editor.hook, log)
    assert log == [
        ("old", 0, 0), ("old", 0, 1), ("old", 0, 2), ("epoch done", 0),
        ("old", 1, 0), ("new", 1, 1), ("new", 1, 2), ("epoch done", 1),
        ("new", 2, 0), ("new", 2, 1), ("new", 2, 2), ("epoch done", 2),
    ]  # fmt: skip


LEFT = """\
import contextlib
import hotswap

@hotswap.restartable
def main(hook, log):
    n = 0
    try:
        with contextlib.ExitStack() as stack:
            stack.callback(log.append, "exit")
            while n < 4:
                n += 1
                log.append(("old", n))
                if n == 2:
                    hook()
    finally:
        log.append("finally")
    return n
"""


@needs_monitoring
def test_blocks_left_by_the_switch_run_their_finally_and_exit(
    workspace: Workspace, editors: list[Editor]
) -> None:
    """The old frame is left at the switch: a `with` block around the loop runs `__exit__`
    and a `try` runs `finally` then; the new code goes on inside the `try` again (its
    `finally` runs at the end too) and outside the `with` (its resource is released)."""
    editor = Editor(workspace, LEFT, ('("old", n)', '("new", n)'))
    editors.append(editor)
    log: list[Any] = []
    assert editor.module.main(editor.hook, log) == 4
    assert log == [("old", 1), ("old", 2), "exit", "finally", ("new", 3), ("new", 4), "finally"]


METHOD = """\
import hotswap

class Game:
    def __init__(self):
        self.__frames = 0

    @hotswap.restartable
    def run(self, hook, log):
        while self.__frames < 4:
            self.__frames += 1
            log.append(("old", self.__frames))
            if self.__frames == 2:
                hook()
        return self.__frames
"""


@needs_monitoring
def test_a_method_switches_with_its_private_names_kept(
    workspace: Workspace, editors: list[Editor], capsys: pytest.CaptureFixture[str]
) -> None:
    """A restartable method switches like a function: ``self`` is kept, and private names
    (``self.__frames``) still mean the class's attribute in the new code."""
    editor = Editor(workspace, METHOD, ('("old", self.__frames)', '("new", self.__frames)'))
    editors.append(editor)
    log: list[Any] = []
    game = editor.module.Game()
    assert game.run(editor.hook, log) == 4
    assert log == [("old", 1), ("old", 2), ("new", 3), ("new", 4)]
    assert "hotswap: restarted run() at line 9 with 3 locals kept" in capsys.readouterr().err


TESTED = """\
import hotswap

@hotswap.restartable
def main(hook, tests, log):
    n = 0
    while tests.append(n) or n < 5:
        n += 1
        log.append(("old", n))
        if n == 2:
            hook()
        if n == 3:
            continue
    return n
"""


@needs_monitoring
def test_a_while_condition_is_tested_once_per_iteration_across_the_switch(
    workspace: Workspace, editors: list[Editor]
) -> None:
    """A `while` condition with a side effect runs exactly once per iteration, before and
    after the switch: the frame may be left after the condition was found true, and the new
    code then starts with the body."""
    editor = Editor(workspace, TESTED, ('("old", n)', '("new", n)'), ('("new", n)', '("3rd", n)'))
    editors.append(editor)
    log: list[Any] = []
    tests: list[int] = []
    assert editor.module.main(editor.hook, tests, log) == 5
    assert tests == [0, 1, 2, 3, 4, 5]
    assert log == [("old", 1), ("old", 2), ("new", 3), ("new", 4), ("new", 5)]


TWICE = """\
import hotswap

@hotswap.restartable
def main(hook, log):
    n = 0
    while n < 6:
        n += 1
        log.append(("v1", n))
        if n in (2, 4):
            hook()
    return n
"""


@needs_monitoring
def test_a_switched_call_switches_again_at_the_next_edit(
    workspace: Workspace, editors: list[Editor], capsys: pytest.CaptureFixture[str]
) -> None:
    """A call that switched once follows a second edit the same way (one line each)."""
    editor = Editor(workspace, TWICE, ('("v1", n)', '("v2", n)'), ('("v2", n)', '("v3", n)'))
    editors.append(editor)
    log: list[Any] = []
    assert editor.module.main(editor.hook, log) == 6
    assert log == [("v1", 1), ("v1", 2), ("v2", 3), ("v2", 4), ("v3", 5), ("v3", 6)]
    assert capsys.readouterr().err.count("hotswap: restarted main() at line 6") == 2


GONE = """\
import hotswap

@hotswap.restartable
def main(hook, log):
    n = 0
    while n < 3:
        n += 1
        log.append(("old", n))
        if n == 1:
            hook()
    return n
"""


@needs_monitoring
def test_a_loop_that_is_gone_from_the_new_code_keeps_the_old_code(
    workspace: Workspace, editors: list[Editor], capsys: pytest.CaptureFixture[str]
) -> None:
    """When the edit removed the running loop, there is nowhere to switch to: the call goes on
    with its old code to its end (as an undecorated one would), and the next call runs the new."""
    new_body = "    n = 0\n    log.append(('new', n))\n    return n\n"
    old_body = GONE.split("    n = 0\n", 1)[1]
    editor = Editor(workspace, GONE, ("    n = 0\n" + old_body, new_body))
    editors.append(editor)
    log: list[Any] = []
    assert editor.module.main(editor.hook, log) == 3
    assert log == [("old", 1), ("old", 2), ("old", 3)]
    assert editor.module.main(editor.hook, log) == 0
    err = capsys.readouterr().err
    assert "restarted" not in err
    assert err.count("hotswap: main() keeps its old code until it returns") == 1


THREADS = """\
import hotswap

@hotswap.restartable
def main(hook, log):
    n = 0
    while n < 4:
        n += 1
        log.append(("old", n))
        if n == 2:
            hook()
    return n

@hotswap.restartable
def other(started, release, log):
    n = 0
    while not release.is_set() or n < 3:
        n += 1
        log.append(n)
        if n == 1:
            started.set()
        release.wait(0.01 if not release.is_set() else 0)
    return n
"""


@needs_monitoring
def test_threads_other_than_the_switched_one_are_untouched(
    workspace: Workspace, editors: list[Editor], capsys: pytest.CaptureFixture[str]
) -> None:
    """While one call switches, a call of another (unedited) restartable function running in
    another thread goes on undisturbed: no switch, every iteration counted once."""
    editor = Editor(workspace, THREADS, ('("old", n)', '("new", n)'))
    editors.append(editor)
    started, release = threading.Event(), threading.Event()
    counts: list[int] = []
    results: list[int] = []
    thread = threading.Thread(
        target=lambda: results.append(editor.module.other(started, release, counts))
    )
    thread.start()
    try:
        assert started.wait(TIMEOUT)
        log: list[Any] = []
        assert editor.module.main(editor.hook, log) == 4
    finally:
        release.set()
        thread.join(TIMEOUT)
    assert log == [("old", 1), ("old", 2), ("new", 3), ("new", 4)]
    assert results == [len(counts)]
    assert counts == list(range(1, len(counts) + 1))
    assert capsys.readouterr().err.count("restarted") == 1


@needs_monitoring
def test_generators_fall_back_to_next_call_with_a_warning() -> None:
    """A generator cannot be re-entered at a loop: the decorator says so once and returns
    the function as it is."""

    def numbers() -> Iterator[int]:
        yield from range(3)

    with pytest.warns(hotswap.HotswapWarning, match="numbers is a generator"):
        assert hotswap.restartable(numbers) is numbers


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the 3.11 fallback")
def test_on_python_3_11_the_decorator_degrades_to_next_call(
    workspace: Workspace, editors: list[Editor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without sys.monitoring (3.11) the decorator warns once and returns the function as it
    is: the running call keeps its code, the next call runs the new code."""
    from hotswap._front import restart as _restart

    monkeypatch.setattr(_restart, "_SAID_311", [False])
    with pytest.warns(hotswap.HotswapWarning, match="needs Python 3.12") as said:
        editor = Editor(workspace, WHILE, ('("old", n, total)', '("new", n, total)'))
    assert len(said) == 1
    editors.append(editor)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hotswap.restartable(len) is len  # said once only
    log: list[Any] = []
    editor.module.main(editor.hook, log)
    kinds = ["setup", "old", "old", "old", "old", "old", "old", "end"]
    assert [entry if isinstance(entry, str) else entry[0] for entry in log] == kinds
    log.clear()
    editor.module.main(lambda: None, log)
    assert [entry[0] for entry in log[1:-1]] == ["new"] * 6


# -- under the runner ------------------------------------------------------------------------


SCRIPT = """\
import os
import sys
import time

import hotswap


@hotswap.restartable
def main(stop):
    started = time.monotonic()
    count = 0
    for tick in iter(int, 1):
        count += 1
        print("old", tick, count, flush=True)
        if os.path.exists(stop):
            break
        time.sleep(0.02)
    return count


print("done", main(sys.argv[1]), flush=True)
"""


def _edit(workspace: Workspace, path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    workspace.replace(path.name, text.replace(old, new))


@needs_monitoring
def test_under_the_runner_a_running_loop_switches_to_its_new_body(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """``hotswap run`` on a script whose restartable ``main()`` loops: saving an edit of the
    loop body switches the running call at its next iteration, with its count going on, and
    one line says so."""
    script = workspace.write("app.py", SCRIPT)
    stop = workspace.root / "stop-file"
    program = start(str(script), str(stop))
    program.wait("out", lambda line: line.startswith("old"))
    _edit(workspace, script, 'print("old", tick', 'print("new", tick')
    program.wait("out", lambda line: line.startswith("new"))
    line = program.wait("err", lambda line: "restarted" in line)
    assert line == "hotswap: restarted main() at line 12 with 4 locals kept"
    stop.touch()
    assert program.finish() == 0
    counts = [int(row.split()[2]) for row in program.out if not row.startswith("done")]
    assert counts == list(range(1, len(counts) + 1))
    assert program.out[-1] == f"done {len(counts)}"
    assert not any("keeps its old code" in line for line in program.err), program.err


TOP = """\
import os
import sys
import time

print("start", flush=True)
count = 0
while not os.path.exists(sys.argv[1]):
    count += 1
    print("old", count, flush=True)
    time.sleep(0.02)
print("end", count, flush=True)
"""


@needs_monitoring
def test_under_the_runner_a_top_level_while_loop_switches_to_its_new_body(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """A script's top-level `while` loop under ``hotswap run``: saving an edit of its body
    switches it at its next iteration; the script's globals (its state) go on, what came
    before the loop does not run again, and one line says so."""
    script = workspace.write("top.py", TOP)
    stop = workspace.root / "stop-file"
    program = start(str(script), str(stop))
    program.wait("out", lambda line: line.startswith("old"))
    _edit(workspace, script, 'print("old", count', 'print("new", count')
    program.wait("out", lambda line: line.startswith("new"))
    line = program.wait("err", lambda line: "restarted" in line)
    assert line == "hotswap: restarted the top-level loop at line 7"
    stop.touch()
    assert program.finish() == 0
    assert program.out[0] == "start"
    counts = [int(row.split()[1]) for row in program.out[1:]]
    assert counts[:-1] == list(range(1, len(counts)))
    assert program.out[-1] == f"end {counts[-2]}"
    assert not any("top-level code changed" in line for line in program.err), program.err


@pytest.mark.slow
@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the 3.11 fallback")
def test_on_python_3_11_a_top_level_loop_keeps_its_body_and_says_so(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """Without sys.monitoring the script's running top-level loop keeps its old body, and one
    line says that the changed top-level code does not run while the program runs."""
    script = workspace.write("top.py", TOP)
    stop = workspace.root / "stop-file"
    program = start(str(script), str(stop))
    program.wait("out", lambda line: line.startswith("old"))
    _edit(workspace, script, 'print("old", count', 'print("new", count')
    program.wait("err", lambda line: "top-level code changed" in line)
    seen = len(program.out)
    program.wait("out", lambda line: len(program.out) > seen + 2)
    stop.touch()
    assert program.finish() == 0
    assert not any(line.startswith("new") for line in program.out)
