"""``python -m hotswap run``: a program run as ``python`` would run it, with a watcher applying
saves while it runs (:func:`run_program`); the program itself is set up and run by
:mod:`hotswap._front.program`.

The script is registered with the tracker in between, as ``__main__``, so that its baseline is
exactly the text that is compiled, and it is reloaded with *definitions only*
(``Reloader.apply_definitions_only``): its functions and classes follow edits in place, while
its other top-level statements never run again. Its top level *is* the program (``while True``,
``main()``), and the engine would otherwise re-run a changed statement, and every statement
that calls a changed function, starting the program a second time in the watcher thread. The
watcher says once per saved version which top-level lines changed and do not run.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
import threading
import types
from dataclasses import dataclass, field
from typing import Any

from hotswap._front.program import (
    Program,
    StartError,
    execute,
    exit_status,
    prepare,
    reraise_trimmed,
    show_exception,
)
from hotswap._front.render import YELLOW, note

# Statements a reload may always run in the script: they define, they do not do.
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


@dataclass
class RunOptions:
    """The options of ``run`` (see ``python -m hotswap run --help``)."""

    poll: bool | None = None
    at_checkpoint: bool = False
    quiet: bool = False
    verbose: bool = False
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


def run_program(program: Program, options: RunOptions) -> int:
    """Run ``program`` as ``python`` would, with a watcher applying reloads; the exit status.

    The script (or ``-m`` module) is watched as ``__main__`` with definitions only (see the
    module docstring), unless ``--exclude __main__`` leaves it alone. An exception that ends
    the program is re-raised (trimmed of hotswap's frames when printed), so the interpreter
    reports it and picks the status exactly as for plain ``python``.
    """
    from hotswap._checkpoint.reloader import Reloader
    from hotswap._detect.tracker import TRACKER
    from hotswap._front.watch import Watch
    from hotswap._front.watched import Patterns

    reloader = Reloader()  # first: the program's own imports are captured as they happen
    watch_main = not Patterns(options.include, options.exclude).excludes("__main__")
    registered: list[str] = []
    texts: list[str] = []

    def register(module: types.ModuleType, path: str) -> str | None:
        # The tracker's baseline for the script is exactly the text that is compiled.
        if not watch_main:
            return None
        text = TRACKER.register("__main__", module, path).text
        if text is not None:
            registered.append(path)
            texts.append(text)
        return text

    try:
        prepared = prepare(program, register)
    except StartError as exc:
        reloader.close()
        sys.stderr.write(f"{exc}\n")
        return exc.status
    except SyntaxError as exc:
        reloader.close()
        if registered:
            TRACKER.forget("__main__")
        show_exception(exc)
        return 1
    loops = None
    if registered:
        from hotswap._front.toplevel import script_loops

        reloader.include("__main__")
        reloader.apply_definitions_only("__main__")
        # Its top-level ``while`` loops switch to their new body (3.12+): see _toplevel.
        loops = script_loops(prepared.module, texts[0], prepared.code)
    watcher = Watch(
        reloader,
        poll=options.poll,
        at_checkpoint=options.at_checkpoint,
        quiet=options.quiet,
        verbose=options.verbose,
        include=options.include,
        exclude=options.exclude,
        on_change=(
            ScriptNotes(prepared.path, bool(registered), loops is not None)
            if prepared.path
            else None
        ),
        also=[prepared.path] if prepared.path else [],
    )
    watcher.start()
    hint = server_reloader_hint(program)
    if hint is not None:
        note([hint], YELLOW)
    if options.verbose:
        how = "polling" if watcher.poll else "file system events"
        count = len(watcher.files())
        sys.stderr.write(f"hotswap: watching {count} file{'' if count == 1 else 's'} ({how})\n")
    try:
        if loops is not None and prepared.code is not None:
            loops.execute(prepared.code)
        else:
            execute(prepared)
    except SystemExit as exc:
        return exit_status(exc.code)
    except BaseException as exc:
        reraise_trimmed(exc)
    finally:
        if loops is not None:
            loops.close()
        _finish(watcher, reloader, bool(registered))
    return 0


def server_reloader_hint(program: Program) -> str | None:
    """One line for a server started with its own reloader on: it restarts the whole process on
    every save (losing the state hotswap keeps), and both would react to each save."""
    args = program.args
    target = program.target if program.is_module else os.path.basename(program.target)
    if target == "uvicorn" and "--reload" in args:
        return "hotswap: uvicorn's --reload restarts the server on every save; drop it"
    if target == "flask" and "run" in args and "--no-reload" not in args and (
        "--reload" in args or "--debug" in args
    ):
        return "hotswap: flask's reloader restarts the server on every save; add --no-reload"
    if target == "manage.py" and "runserver" in args and "--noreload" not in args:
        return "hotswap: runserver's reloader restarts the server on every save; add --noreload"
    return None


class ScriptNotes:
    """Says, once per saved version of the running script, what of the save does not apply.

    Reloaded with definitions only, its changed top-level code (not ``def``/``class``/
    ``import``) does not run while the program runs; left alone (``--exclude __main__``), none
    of it is reloaded. Called by the watcher whenever files changed.
    """

    def __init__(self, path: str, reloads: bool, switches: bool = False) -> None:
        self.path = path
        self.reloads = reloads
        self.switches = switches  # a changed top-level ``while`` loop switches (3.12+)
        self.seen = _content(path)

    def __call__(self) -> None:
        content = _content(self.path)
        if content is None or content == self.seen:
            return
        before, self.seen = self.seen, content
        if not self.reloads:
            message = "the running script itself is not reloaded (the modules it imports are)"
            note([f"hotswap: {self.path} changed; {message}"], YELLOW)
            return
        line = changed_top_level(before, content, skip=ast.While if self.switches else None)
        if line is not None:
            note(
                [
                    f"hotswap: {self.path}:{line}: top-level code changed; it does not run "
                    "again while the program runs (functions and classes follow edits)"
                ],
                YELLOW,
            )


def changed_top_level(
    before: bytes | None, after: bytes, skip: type[ast.stmt] | None = None
) -> int | None:
    """The first line of a top-level statement of ``after`` that is not a definition or import
    (or a ``skip``) and is not in ``before`` (None: there is none, or a version does not
    parse)."""
    try:
        old = ast.parse(importlib.util.decode_source(before)) if before is not None else None
        new = ast.parse(importlib.util.decode_source(after))
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return None
    seen: dict[str, int] = {}
    for node in old.body if old is not None else []:
        key = ast.dump(node)
        seen[key] = seen.get(key, 0) + 1
    for node in new.body:
        key = ast.dump(node)
        if seen.get(key, 0) > 0:
            seen[key] -= 1
        elif not isinstance(node, _DEFINITIONS) and not (skip and isinstance(node, skip)):
            return node.lineno
    return None


def _content(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _finish(watch: Any, reloader: Any, registered: bool) -> None:
    """The program's top level ended: stop watching, unless its other threads go on."""
    me = threading.current_thread()
    if any(t is not me and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return  # the interpreter waits for them; the watcher (a daemon) keeps serving them
    watch.stop()
    reloader.close()
    if registered:
        from hotswap._detect.tracker import TRACKER

        TRACKER.forget("__main__")
