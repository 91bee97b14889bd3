"""``python -m hotswap run``: a real program in a subprocess, its files edited while it runs.

What the program sees must be what plain ``python`` gives it (``sys.argv``, ``__main__``, exit
status, tracebacks, Ctrl-C): those tests run the same program both ways and compare. The reload
tests wait for the program's output to change, bounded only by a generous timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from _running import TIMEOUT, Running
from conftest import Workspace

pytestmark = pytest.mark.slow  # every test runs a script in a subprocess


def _edit(workspace: Workspace, path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    workspace.write(path.name, text.replace(old, new))


LOOP = """\
import os
import sys
import time

import {helper} as helper

counter = 0
while not os.path.exists(sys.argv[1]):
    print(counter, os.getpid(), helper.value(), flush=True)
    counter += 1
    time.sleep(0.02)
print("done", counter, flush=True)
sys.exit(int(sys.argv[2]))
"""


def _loop_program(workspace: Workspace) -> tuple[Path, Path, Path]:
    helper = workspace.name("helper")
    helper_path = workspace.write(f"{helper}.py", 'def value():\n    return "old"\n')
    script = workspace.write("loop_app.py", LOOP.format(helper=helper))
    return script, helper_path, workspace.root / "stop-file"


@pytest.mark.parametrize("how", ["events", "--poll", "HOTSWAP_POLL=1"])
def test_loop_runs_the_edited_function_same_process_counter_kept(
    start: Callable[..., Running], workspace: Workspace, how: str
) -> None:
    """A loop printing a function's result shows the new result after the edit, in the same
    process with a counter that never resets; the script's exit status comes back."""
    script, helper, stop = _loop_program(workspace)
    options = ["--poll"] if how == "--poll" else []
    env = {"HOTSWAP_POLL": "1"} if how == "HOTSWAP_POLL=1" else {}
    program = start(*options, str(script), str(stop), "3", env=env)
    program.wait("out", lambda line: line.endswith(" old"))
    _edit(workspace, helper, '"old"', '"new"')
    program.wait("out", lambda line: line.endswith(" new"))
    stop.touch()
    assert program.finish() == 3
    rows = [line.split() for line in program.out if not line.startswith("done")]
    assert {row[1] for row in rows} == {str(program.proc.pid)}
    assert [int(row[0]) for row in rows] == list(range(len(rows)))
    assert program.out[-1] == f"done {len(rows)}"
    assert any(f"hotswap: reloaded {helper.stem}: patched value" in ln for ln in program.err)
    assert not any("failed" in line for line in program.err), program.err


def test_syntax_error_keeps_the_old_code_running(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """A syntax error in the edit leaves the program running on the old code, with one error
    line naming the file and line on stderr; fixing the file applies the fix."""
    script, helper, stop = _loop_program(workspace)
    program = start(str(script), str(stop), "0")
    program.wait("out", lambda line: line.endswith(" old"))
    _edit(workspace, helper, 'return "old"', 'return "old" +')
    error = program.wait("err", lambda line: "failed" in line)
    assert error == f"hotswap: reloading {helper.stem} failed; kept the previous version"
    assert program.wait("err", lambda line: True) == f'  File "{helper}", line 2'
    program.wait("err", lambda line: "SyntaxError" in line)
    seen = len(program.out)
    for _ in range(3):  # still running, still the old code
        assert program.wait("out", lambda line: True).endswith(" old")
    _edit(workspace, helper, 'return "old" +', 'return "fixed"')
    program.wait("out", lambda line: line.endswith(" fixed"))
    stop.touch()
    assert program.finish() == 0
    assert all(not line.endswith(" fixed") for line in program.out[:seen])
    assert len([line for line in program.err if "failed" in line]) == 1


def test_at_checkpoint_applies_only_at_checkpoints(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """With --at-checkpoint, changes apply only inside hotswap.checkpoint(): two calls made
    between checkpoints always agree, and the edit still arrives."""
    helper = workspace.name("helper")
    helper_path = workspace.write(f"{helper}.py", 'def value():\n    return "old"\n')
    stop = workspace.root / "stop-file"
    script = workspace.write(
        "cp_app.py",
        f"""\
        import os, sys, time
        import hotswap
        import {helper} as helper

        while not os.path.exists(sys.argv[1]):
            first = helper.value()
            time.sleep(0.01)
            print(first, helper.value(), flush=True)
            hotswap.checkpoint()
        """,
    )
    program = start("--at-checkpoint", str(script), str(stop))
    program.wait("out", lambda line: line == "old old")
    _edit(workspace, helper_path, '"old"', '"new"')
    program.wait("out", lambda line: line.startswith("new"))
    stop.touch()
    assert program.finish() == 0
    assert all(len(set(line.split())) == 1 for line in program.out), program.out


def test_a_running_function_keeps_its_code_and_is_named_once(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """Editing a function that is running now (the program's loop) changes the functions it
    calls at their next call; the running one keeps its code, and hotswap says so once."""
    helper = workspace.name("helper")
    helper_path = workspace.write(
        f"{helper}.py",
        """\
        import os, time

        def step():
            return "old"

        def spin(stop):
            while not os.path.exists(stop):
                print(step(), flush=True)
                time.sleep(0.02)
        """,
    )
    stop = workspace.root / "stop-file"
    script = workspace.write("spin_app.py", f"import sys, {helper}\n{helper}.spin(sys.argv[1])\n")
    program = start(str(script), str(stop))
    program.wait("out", lambda line: line == "old")
    _edit(workspace, helper_path, 'return "old"', 'return "new"')
    _edit(workspace, helper_path, "time.sleep(0.02)", "time.sleep(0.03)")
    program.wait("out", lambda line: line == "new")
    note = program.wait("err", lambda line: "is running" in line)
    assert note.startswith("hotswap: spin() is running in MainThread and keeps its old code")
    _edit(workspace, helper_path, "time.sleep(0.03)", "time.sleep(0.04)")
    program.wait("err", lambda line: "reloaded" in line and "spin" in line)
    stop.touch()
    assert program.finish() == 0
    assert len([line for line in program.err if "is running" in line]) == 1


def test_editing_the_running_top_level_does_not_rerun_it(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """Saving an edit of the script's running loop never runs its top level again: the program
    goes on with the same counter, and one line (per saved version) says that line changed and
    does not run."""
    script, helper, stop = _loop_program(workspace)
    program = start(str(script), str(stop), "0")
    program.wait("out", lambda line: line.endswith(" old"))
    # (not the loop itself: a changed top-level ``while`` loop switches, see test_restartable)
    _edit(workspace, script, 'print("done", counter', 'print("done", counter, "!"')
    notice = program.wait("err", lambda line: "top-level code changed" in line)
    assert notice.startswith(f"hotswap: {script}:12: top-level code changed; it does not run")
    _edit(workspace, helper, '"old"', '"new"')
    program.wait("out", lambda line: line.endswith(" new"))
    stop.touch()
    assert program.finish() == 0
    rows = [line.split() for line in program.out if not line.startswith("done")]
    assert [int(row[0]) for row in rows] == list(range(len(rows)))
    assert len([line for line in program.err if "top-level code changed" in line]) == 1
    assert program.out[-1] == f"done {len(rows)}"  # the old top level went on
    assert not any("failed" in line for line in program.err), program.err


def test_exclude_main_leaves_the_script_alone(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """--exclude __main__: the script is not reloaded; a save of it is said once, and edits of
    the modules it imports still apply."""
    script, helper, stop = _loop_program(workspace)
    program = start("--exclude", "__main__", str(script), str(stop), "0")
    program.wait("out", lambda line: line.endswith(" old"))
    _edit(workspace, script, "time.sleep(0.02)", "time.sleep(0.03)")
    notice = program.wait("err", lambda line: "not reloaded" in line)
    assert notice.startswith(f"hotswap: {script} changed; the running script itself is not")
    _edit(workspace, helper, '"old"', '"new"')
    program.wait("out", lambda line: line.endswith(" new"))
    stop.touch()
    assert program.finish() == 0
    assert len([line for line in program.err if "not reloaded" in line]) == 1


def test_a_handler_of_the_script_is_patched_in_place(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """A function of the script that the running top level reaches through a registry follows
    edits in place (the registry still holds the same object)."""
    stop = workspace.root / "stop-file"
    script = workspace.write(
        "handler_app.py",
        """\
        import os, sys, time

        HANDLERS = {}

        def handler():
            return "old"

        HANDLERS["main"] = handler

        while not os.path.exists(sys.argv[1]):
            print(HANDLERS["main"](), HANDLERS["main"] is handler, flush=True)
            time.sleep(0.02)
        """,
    )
    program = start(str(script), str(stop))
    program.wait("out", lambda line: line == "old True")
    _edit(workspace, script, 'return "old"', 'return "new"')
    said = program.wait("err", lambda line: line.startswith("hotswap:"))
    assert said == "hotswap: reloaded __main__: patched handler", said
    program.wait("out", lambda line: line == "new True")
    stop.touch()
    assert program.finish() == 0
    assert not any("failed" in line for line in program.err), program.err


def test_a_function_of_the_script_is_patched_in_place(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """The script's own functions follow edits: main()'s loop calls the new value(); main()
    itself, edited while it runs, keeps its code (said once) and is not started again."""
    stop = workspace.root / "stop-file"
    script = workspace.write(
        "own_app.py",
        """\
        import os, sys, time

        def value():
            return "old"

        def main():
            print("started", flush=True)
            while not os.path.exists(sys.argv[1]):
                print(value(), flush=True)
                time.sleep(0.02)

        main()
        """,
    )
    program = start(str(script), str(stop))
    program.wait("out", lambda line: line == "old")
    _edit(workspace, script, 'return "old"', 'return "new"')
    said = program.wait("err", lambda line: line.startswith("hotswap:"))
    assert said == "hotswap: reloaded __main__: patched value", said
    program.wait("out", lambda line: line == "new")
    _edit(workspace, script, "time.sleep(0.02)", "time.sleep(0.03)")
    note = program.wait("err", lambda line: "is running" in line)
    assert note.startswith("hotswap: main() is running in MainThread and keeps its old code")
    stop.touch()
    assert program.finish() == 0
    assert program.out.count("started") == 1
    assert not any("failed" in line for line in program.err), program.err


# -- the program's view: exactly plain python's -------------------------------------------------


# The ``hotswap`` console script pip installed next to the interpreter (an editable install).
CONSOLE_SCRIPT = Path(sys.executable).with_name("hotswap")


def _both(
    workspace: Workspace, *args: str, console_script: bool = False
) -> tuple[subprocess.CompletedProcess[str], ...]:
    """``python args`` and ``python -m hotswap run args`` (or ``hotswap run args``)."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(workspace.root)}
    env.pop("HOTSWAP_POLL", None)
    python_m = [sys.executable, "-m", "hotswap", "run"]
    ours = [str(CONSOLE_SCRIPT), "run"] if console_script else python_m
    results = []
    for command in ([sys.executable], ours):
        results.append(
            subprocess.run(
                [*command, *args],
                cwd=str(workspace.root),
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        )
    return tuple(results)


SHOW = """\
import sys
names = sorted(k for k in globals() if k.startswith("__"))
print(sys.argv, __name__, __file__, sys.path[0], __package__, __spec__ and __spec__.name)
print(names, type(__loader__).__name__, sys.modules["__main__"] is sys.modules[__name__])
sys.exit(int(sys.argv[-1]))
"""


def test_script_sees_what_python_gives_it(workspace: Workspace) -> None:
    """argv, __name__, __file__, sys.path[0], the __main__ globals and the exit status are
    those of `python script.py args`."""
    script = workspace.write("show_app.py", SHOW)
    plain, ours = _both(workspace, str(script), "--flag", "x", "4")
    assert plain.returncode == ours.returncode == 4
    assert ours.stdout == plain.stdout
    assert ours.stderr == plain.stderr == ""


def test_module_sees_what_python_dash_m_gives_it(workspace: Workspace) -> None:
    """`run -m pkg.mod args` gives the module what `python -m pkg.mod args` does."""
    package = workspace.name("pkg")
    workspace.write(f"{package}/__init__.py", "")
    workspace.write(f"{package}/show.py", SHOW)
    plain, ours = _both(workspace, "-m", f"{package}.show", "-v", "5")
    assert plain.returncode == ours.returncode == 5
    assert ours.stdout == plain.stdout
    assert ours.stderr == plain.stderr == ""


@pytest.mark.parametrize(
    "body",
    [
        "def f():\n    raise ValueError('boom')\n\nf()\n",
        "import sys\nsys.exit('bye')\n",
        "x = (\n",
        "raise KeyboardInterrupt\n",
    ],
    ids=["exception", "exit-message", "syntax-error", "keyboard-interrupt"],
)
@pytest.mark.parametrize("how", ["python -m hotswap", "console script"])
def test_endings_are_those_of_python(workspace: Workspace, body: str, how: str) -> None:
    """An exception, a message exit, a syntax error and an unhandled KeyboardInterrupt print
    the same stderr (no hotswap frames, also under the `hotswap` console script) and end with
    the same status as under `python`."""
    script = workspace.write("end_app.py", body)
    plain, ours = _both(workspace, str(script), console_script=how == "console script")
    assert ours.returncode == plain.returncode != 0
    assert ours.stderr == plain.stderr
    assert ours.stdout == plain.stdout


def test_missing_script_fails_like_python(workspace: Workspace) -> None:
    """A script that does not exist: status 2 and python's message."""
    plain, ours = _both(workspace, str(workspace.root / "missing.py"))
    assert ours.returncode == plain.returncode == 2
    assert ours.stderr == plain.stderr


def test_ctrl_c_stops_the_program(start: Callable[..., Running], workspace: Workspace) -> None:
    """SIGINT (Ctrl-C) stops the program, not only the watcher: it ends as `python` would,
    by the signal, with the traceback starting in the script."""
    script, _helper, stop = _loop_program(workspace)
    program = start(str(script), str(stop), "0")
    program.wait("out", lambda line: line.endswith(" old"))
    program.proc.send_signal(signal.SIGINT)
    assert program.finish() == -signal.SIGINT
    assert program.err[-1] == "KeyboardInterrupt"
    trace = "\n".join(program.err)
    assert f'File "{script}"' in trace
    assert "hotswap" not in trace


def test_run_needs_a_target() -> None:
    """`run` without a script or module is a usage error (status 2)."""
    from hotswap._front.cli import main

    assert main(["run"]) == 2
    assert main(["run", "-m"]) == 2


def test_verbose_start_line_counts_files_in_english(workspace: Workspace) -> None:
    """`run -v` on a script that imports none of the user's modules says `watching 1 file`."""
    script = workspace.write("alone_app.py", "print('ran')\n")
    done = subprocess.run(
        [sys.executable, "-m", "hotswap", "run", "-v", str(script)],
        cwd=str(workspace.root), capture_output=True, text=True, timeout=TIMEOUT, check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0 and done.stdout == "ran\n"
    assert "hotswap: watching 1 file (" in done.stderr, done.stderr


# -- a save caught while it is being written (issue 13, family 3) -----------------------------

HALF = 'def value():\n    return "new"\n\ndef other(:'


def test_a_save_caught_half_written_waits_for_the_rest(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """The watcher sees the first chunk of an in-place save (cut inside a statement): it keeps
    the old code running, says so once, and applies the file when the rest is written."""
    script, helper, stop = _loop_program(workspace)
    program = start(str(script), str(stop), "0")
    program.wait("out", lambda line: line.endswith(" old"))
    workspace.write(helper.name, HALF)
    said = program.wait("err", lambda line: "still being written" in line)
    assert "file ends in the middle of a statement" in said
    assert program.wait("out", lambda line: True).endswith(" old")
    workspace.write(helper.name, HALF.replace("other(:", "other():\n    return 0\n"))
    program.wait("out", lambda line: line.endswith(" new"))
    stop.touch()
    assert program.finish() == 0
    assert len([line for line in program.err if "still being written" in line]) == 1
    assert not any("failed" in line for line in program.err), program.err


def test_a_file_left_half_written_is_applied_at_the_next_look(
    start: Callable[..., Running], workspace: Workspace
) -> None:
    """A file really saved cut off (no further event comes): the watcher looks again by itself
    and applies it, which reports the syntax error once; the old code keeps running."""
    script, helper, stop = _loop_program(workspace)
    program = start(str(script), str(stop), "0")
    program.wait("out", lambda line: line.endswith(" old"))
    workspace.write(helper.name, HALF)
    program.wait("err", lambda line: "still being written" in line)
    error = program.wait("err", lambda line: "failed" in line)
    assert error == f"hotswap: reloading {helper.stem} failed; kept the previous version"
    assert program.wait("err", lambda line: True) == f'  File "{helper}", line 4'
    assert program.wait("out", lambda line: True).endswith(" old")
    stop.touch()
    assert program.finish() == 0
