"""The plain REPL under a pseudo-terminal: ``hotswap.install()`` and ``python -m hotswap``.

Each test drives the interpreter running these tests (so the suite on 3.11/3.12 drives the
classic REPL and the suite on 3.13 the new one; ``PYTHON_BASIC_REPL=1`` adds the classic REPL of
3.13). The 3.13 REPL redraws the line as it is typed, so the tests never match what was typed:
each statement prints a token the test expects (``"R" + "1"`` prints ``R1``, while the echo
shows the two halves apart). Files are edited while the prompt is already showing, and the
reload must happen when the next statement runs.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Workspace

pytestmark = pytest.mark.slow  # the REPL under a pty

pexpect = pytest.importorskip("pexpect")

KINDS = ["default"] + (["basic"] if sys.version_info >= (3, 13) else [])

MODULE = """\
class C:
    def val(self):
        return 1


def f():
    return "one"


def unique_completion_target():
    return 0
"""


class Repl:
    """One interactive interpreter under a pty, with everything it printed kept in ``seen``."""

    def __init__(self, args: list[str], cwd: Path, kind: str, extra_env: dict[str, str]) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP", "PYTHONINSPECT")}
        env.update(TERM="xterm", NO_COLOR="1", PYTHONPATH=str(cwd), **extra_env)
        if kind == "basic":
            env["PYTHON_BASIC_REPL"] = "1"
        self.child = pexpect.spawn(
            sys.executable,
            args,
            cwd=str(cwd),
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 240),
        )
        self.seen = ""
        self._count = 0
        self.expect(r">>> ")

    def expect(self, pattern: str) -> str:
        """Wait for ``pattern`` (a regex); return what came before it (and it)."""
        self.child.expect(pattern)
        chunk = self.child.before + self.child.after
        self.seen += chunk
        return chunk

    def run(self, statement: str) -> str:
        """Run one statement that prints its results after a token; return the printed line."""
        self._count += 1
        token = f"R{self._count}"
        self.child.sendline(f"print('R' + '{self._count}', {statement})")
        self.expect(rf"{token} ([^\r\n]*)\r?\n")
        return str(self.child.match.group(1))

    def do(self, statement: str) -> str:
        """Run a statement whose own output does not matter; return everything it printed."""
        self._count += 1
        self.child.sendline(f"{statement}; print('D' + '{self._count}')")
        return self.expect(rf"D{self._count}\r?\n")

    def close(self) -> None:
        if self.child.isalive():
            self.child.sendline("raise SystemExit(0)")
            self.child.expect(pexpect.EOF)
        self.child.close()


@pytest.fixture
def spawn(workspace: Workspace) -> Iterator[object]:
    started: list[Repl] = []

    def start(args: list[str], kind: str, **env: str) -> Repl:
        repl = Repl(args, workspace.root, kind, env)
        started.append(repl)
        return repl

    yield start
    for repl in started:
        repl.close()


def _edit(workspace: Workspace, relpath: str, old: str, new: str) -> None:
    path = workspace.root / relpath
    workspace.write(relpath, path.read_text().replace(old, new))


_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z@]|[=>])")


def _lines(text: str, marker: str) -> list[str]:
    """The lines of the terminal output that contain ``marker``, without terminal escapes."""
    plain = _ESCAPE.sub("", text)
    return [line.strip() for line in re.split(r"[\r\n]+", plain) if marker in line]


def _reload_lines(text: str) -> list[str]:
    return _lines(text, "hotswap: reloaded")


def _scenario(repl: Repl, workspace: Workspace, name: str) -> None:
    """Import, hold a from-import and an instance, edit, run the next statement."""
    assert repl.run(f"__import__('{name}').f()") == "one"
    repl.do(f"import {name}; from {name} import f, C; c = C()")
    assert repl.run("f(), c.val()") == "one 1"
    _edit(workspace, f"{name}.py", '"one"', '"two"')
    _edit(workspace, f"{name}.py", "return 1", "return 2")
    line = repl.run(f"f(), c.val(), isinstance(c, C), type(c) is {name}.C, C is {name}.C")
    assert line == "two 2 True True True"
    reloads = _reload_lines(repl.seen)
    assert reloads == [f"hotswap: reloaded {name}: patched C.val, f"], repl.seen


@pytest.mark.parametrize("kind", KINDS)
def test_install_in_running_repl_reloads_before_the_next_statement(
    spawn: object, workspace: Workspace, kind: str
) -> None:
    """`import hotswap; hotswap.install()` typed in `python`: the statement typed after an edit
    runs the new code, the from-imported function and the old instance follow, one line says
    what was reloaded. install() says in one line that reloading is on and how to turn it off;
    calling it again says nothing."""
    name = workspace.name("mq")
    workspace.write(f"{name}.py", MODULE)
    repl = spawn([], kind)  # type: ignore[operator]
    out = repl.do("import hotswap; hotswap.install()")
    assert "Reloader" not in out
    assert _lines(out, "hotswap:") == [
        "hotswap: on; edited modules reload before each statement "
        "(hotswap.uninstall() turns it off)"
    ]
    assert not _lines(repl.do("hotswap.install()"), "hotswap:")
    _scenario(repl, workspace, name)


@pytest.mark.parametrize("kind", KINDS)
def test_python_m_hotswap_is_the_interpreters_repl_with_hotswap_on(
    spawn: object, workspace: Workspace, kind: str
) -> None:
    """`python -m hotswap` prints the interpreter's banner, runs its REPL in a fresh __main__
    (argv [''], path[0] ''), reloads before statements, and children do not inherit the
    inspect flag it used to get there."""
    name = workspace.name("mq")
    workspace.write(f"{name}.py", MODULE)
    repl = spawn(["-m", "hotswap"], kind)  # type: ignore[operator]
    assert f"Python {sys.version.split()[0]}" in repl.seen
    assert "hotswap: on" in repl.seen
    assert repl.run("__name__, sys.argv if 'sys' in dir() else 'no-sys'") == "__main__ no-sys"
    repl.do("import sys, os, subprocess")
    assert repl.run("sys.argv, repr(sys.path[0]), os.environ.get('PYTHONINSPECT')") == (
        "[''] '' None"
    )
    assert repl.run("sorted(k for k in globals() if k.startswith('__'))") == (
        "['__annotations__', '__builtins__', '__doc__', '__loader__', '__name__', "
        "'__package__', '__spec__']"
    )
    _scenario(repl, workspace, name)


def test_pythonstartup_install(spawn: object, workspace: Workspace) -> None:
    """`PYTHONSTARTUP` holding `import hotswap; hotswap.install()` turns reloading on for a
    plain `python` session."""
    name = workspace.name("mq")
    workspace.write(f"{name}.py", MODULE)
    startup = workspace.write("startup_hs.py", "import hotswap\nhotswap.install()\n")
    repl = spawn([], "default", PYTHONSTARTUP=str(startup))  # type: ignore[operator]
    _scenario(repl, workspace, name)


@pytest.mark.parametrize("kind", KINDS)
def test_tab_completion_does_not_check(spawn: object, workspace: Workspace, kind: str) -> None:
    """Completing a name with Tab after an edit reloads nothing; pressing Enter does."""
    name = workspace.name("mq")
    workspace.write(f"{name}.py", MODULE)
    repl = spawn(["-m", "hotswap"], kind)  # type: ignore[operator]
    repl.do(f"import {name}")
    _edit(workspace, f"{name}.py", '"one"', '"two"')
    repl.child.send(f"{name}.unique_compl\t")
    repl.expect("etion_target")  # the completion was drawn: the completer has run
    assert not _reload_lines(repl.seen)
    repl.child.send("\x15")  # Ctrl-U: discard the line
    assert repl.run(f"{name}.f()") == "two"
    assert _reload_lines(repl.seen) == [f"hotswap: reloaded {name}: patched f"]


@pytest.mark.parametrize("kind", KINDS)
def test_failed_reload_is_reported_once_with_file_and_line(
    spawn: object, workspace: Workspace, kind: str
) -> None:
    """A syntax error in the saved file prints one line naming the file and line, once; the old
    code keeps running; fixing the file reloads it."""
    name = workspace.name("mq")
    path = workspace.write(f"{name}.py", MODULE)
    repl = spawn(["-m", "hotswap"], kind)  # type: ignore[operator]
    repl.do(f"from {name} import f")
    _edit(workspace, f"{name}.py", 'return "one"', 'return "one" +')
    assert repl.run("f()") == "one"
    failures = _lines(repl.seen, "failed;")
    assert failures == [f"hotswap: reloading {name} failed; kept the previous version"]
    assert _lines(repl.seen, "File ") == [f'File "{path}", line 7']
    assert _lines(repl.seen, "SyntaxError")
    assert repl.run("f()") == "one"
    assert len(_lines(repl.seen, "failed;")) == 1
    _edit(workspace, f"{name}.py", 'return "one" +', 'return "fixed"')
    assert repl.run("f()") == "fixed"


def test_dash_i_runs_the_script_then_the_repl(spawn: object, workspace: Workspace) -> None:
    """`python -m hotswap -i script.py arg` runs the script as `python -i` does (argv, its
    globals in the session, __file__ dropped afterwards), then reloads before statements."""
    name = workspace.name("mq")
    workspace.write(f"{name}.py", MODULE)
    script = workspace.write(
        "script_hs.py",
        f"""\
        import sys
        from {name} import f, C
        c = C()
        print("script ran with", sys.argv[1:])
        """,
    )
    repl = spawn(["-m", "hotswap", "-i", str(script), "arg"], "default")  # type: ignore[operator]
    assert "script ran with ['arg']" in repl.seen
    assert repl.run("sys.argv[0] == " + repr(str(script)) + ", '__file__' in globals()") == (
        "True False"
    )
    _edit(workspace, f"{name}.py", '"one"', '"two"')
    _edit(workspace, f"{name}.py", "return 1", "return 2")
    assert repl.run(f"f(), c.val(), type(c) is __import__('{name}').C") == "two 2 True"


def test_dash_i_script_edits_patch_its_functions(spawn: object, workspace: Workspace) -> None:
    """After `python -m hotswap -i script.py`, saving the script patches its functions and
    classes in the session (as `run` does): the next statement calls the new code, while the
    script's other top-level statements do not run again."""
    script = workspace.write(
        "tool_hs.py",
        """\
        RUNS = globals().get("RUNS", 0) + 1
        def greet():
            return "hello"
        class Tool:
            def name(self):
                return "old"
        t = Tool()
        """,
    )
    repl = spawn(["-m", "hotswap", "-i", str(script)], "default")  # type: ignore[operator]
    assert repl.run("greet(), t.name(), RUNS") == "hello old 1"
    _edit(workspace, "tool_hs.py", '"hello"', '"bye"')
    _edit(workspace, "tool_hs.py", '"old"', '"new"')
    assert repl.run("greet(), t.name(), RUNS, type(t) is Tool") == "bye new 1 True"
    assert _reload_lines(repl.seen) == ["hotswap: reloaded __main__: patched greet, Tool.name"]


def test_dash_i_shows_the_scripts_exception_then_the_repl(
    spawn: object, workspace: Workspace
) -> None:
    """An exception in the `-i` script is printed (as `python -i` does, without hotswap's own
    frames) and the REPL starts anyway, with `sys.last_value` set."""
    script = workspace.write("boom_hs.py", "x = 41\nraise ValueError('boom')\n")
    repl = spawn(["-m", "hotswap", "-i", str(script)], "default")  # type: ignore[operator]
    assert "ValueError: boom" in repl.seen
    assert "hotswap" not in repl.seen.split("ValueError: boom")[0].split("Traceback")[-1]
    assert repl.run("x + 1, repr(__import__('sys').last_value)") == "42 ValueError('boom')"


def test_uninstall_stops_reloading(spawn: object, workspace: Workspace) -> None:
    """After `hotswap.uninstall()`, edits are no longer picked up and nothing is printed."""
    name = workspace.name("mq")
    workspace.write(f"{name}.py", MODULE)
    repl = spawn([], "default")  # type: ignore[operator]
    repl.do(f"import hotswap; hotswap.install(); from {name} import f")
    repl.do("hotswap.uninstall()")
    _edit(workspace, f"{name}.py", '"one"', '"two"')
    assert repl.run("f()") == "one"
    assert not _reload_lines(repl.seen)


def test_imports_of_rebuilds_from_imports_from_bytecode() -> None:
    """The classic REPL keeps no source: the from-imports a statement runs are read back from
    its bytecode (aliases and star imports included; relative ones cannot occur at a prompt)."""
    from hotswap._front.repl import imports_of

    code = compile(
        textwrap.dedent(
            """\
            from os import path as p, sep
            from json import *
            import sys
            x = 1
            """
        ),
        "<stdin>",
        "exec",
    )
    assert imports_of(code) == "from os import path as p, sep\nfrom json import *"
    assert imports_of(compile("x = 1", "<stdin>", "single")) == ""


def test_a_save_caught_half_written_waits_for_the_next_statement(
    spawn: object, workspace: Workspace
) -> None:
    """A statement typed between the two chunks of an in-place save runs on the old code, and
    one line says the file looks half-written; the statement after the save completed runs
    the new code."""
    name = workspace.name("mq")
    workspace.write(f"{name}.py", MODULE)
    repl = spawn(["-m", "hotswap"], "default")  # type: ignore[operator]
    repl.do(f"import {name}; from {name} import f")
    cut = MODULE.replace('"one"', '"two"')
    workspace.write(f"{name}.py", cut[: cut.index("def unique") + 10])  # ends inside a def
    assert repl.run("f()") == "one"
    said = _lines(repl.seen, "still being written")
    assert len(said) == 1 and "file ends in the middle of a statement" in said[0], repl.seen
    workspace.write(f"{name}.py", cut)
    assert repl.run("f()") == "two"
    assert _reload_lines(repl.seen) == [f"hotswap: reloaded {name}: patched f"]
    assert len(_lines(repl.seen, "still being written")) == 1
