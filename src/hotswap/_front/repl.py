"""The plain REPL: ``hotswap.install()`` and ``python -m hotswap [-i script.py]``.

The checkpoint is an audit hook on the ``exec`` event. Every version of the interpreter's REPL
raises that event with the compiled statement right before running it, and only then:

* 3.11, 3.12 (and 3.13 with ``PYTHON_BASIC_REPL``): the C loop (``PyRun_InteractiveLoop``)
  compiles each input with the file name ``<stdin>`` (``<stdin>-N`` on 3.13) and raises
  ``exec`` in ``run_mod`` just before evaluating it. Its ``compile`` event comes earlier,
  before the line is read (while the prompt is showing), so it is not used.
* 3.13's new REPL (``_pyrepl``) compiles each top-level statement of an input separately as
  ``<python-input-N>`` and runs it with ``exec()``, which raises the event per statement. While
  the person types it compiles ``<stdin>`` fragments to decide whether the input is complete
  (``compile`` events only).
* ``code.interact()`` consoles run ``<console>`` code through ``exec()``.

Tab completion evaluates ``<string>`` code (``rlcompleter``) and imports nothing of the user's,
so filtering on those file names means the check runs exactly once per statement the person
executes, never while they type or complete. Audit hooks cannot be removed: ``uninstall()``
closes the reloader and leaves the hook inert (one comparison per audit event).

``python -m hotswap`` hands over to the interpreter's *own* REPL rather than imitating it: it
prepares a fresh ``__main__`` (or runs the script for ``-i``), installs hotswap and sets
``PYTHONINSPECT``, which the interpreter reads when the ``-m`` module returns and which makes it
enter interactive mode exactly as ``python -i`` does (the new REPL on 3.13, readline completion
through ``sys.__interactivehook__`` everywhere). The variable is removed again as the REPL
starts, so programs started from the session do not inherit it.
"""

from __future__ import annotations

import os
import sys
import traceback
import types
from typing import Any

from hotswap._checkpoint.reloader import Reloader
from hotswap._detect.tracker import TRACKER
from hotswap._errors import HotswapError
from hotswap._front.program import (
    Program,
    StartError,
    execute,
    exit_status,
    fresh_main,
    prepare,
    reraise_trimmed,
    show_exception,
)
from hotswap._front.render import DIM, Show, note, print_report

_REPL_FILES = ("<stdin>", "<console>")
# 3.13 names each input: ``<python-input-N>`` (new REPL), ``<stdin>-N`` (PYTHON_BASIC_REPL).
_REPL_PREFIXES = ("<python-input-", "<stdin>-")


class _Session:
    """The reloader of the REPL and how its reports are shown."""

    def __init__(self, reloader: Reloader, show: Show) -> None:
        self.reloader = reloader
        self.show = show
        self.busy = False

    def before_statement(self, code: types.CodeType) -> None:
        if self.busy:  # an exec inside the check itself
            return
        self.busy = True
        try:
            try:
                report = self.reloader.check()
            except Exception:
                note(
                    [
                        "hotswap: internal error while checking for changes (a bug in hotswap; "
                        "please report it with this traceback):",
                        traceback.format_exc().rstrip(),
                    ]
                )
                return
            print_report(report, self.show)
            source = imports_of(code)
            if source:
                self.reloader.observe(source)
        finally:
            self.busy = False


_SESSION: _Session | None = None
# What turning it on says (to stderr, once), in the REPL as in ``python -m hotswap``.
ON = "hotswap: on; edited modules reload before each statement (hotswap.uninstall() turns it off)"
_HOOKED = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    # Called for every audited operation in the process: return at once unless it matters.
    if event != "exec" or _SESSION is None:
        return
    code = args[0] if args else None
    if isinstance(code, types.CodeType):
        name = code.co_filename
        if name in _REPL_FILES or name.startswith(_REPL_PREFIXES):
            _SESSION.before_statement(code)


def install(*, quiet: bool = False, verbose: bool = False) -> None:
    """Reload edited modules before every statement typed at the REPL from now on.

    Works in the running ``python`` REPL (type it, or put it in ``PYTHONSTARTUP``), in
    ``python -i`` and in ``code.interact()`` consoles. Each reload prints one line to stderr
    (``quiet``: only failures and warnings; ``verbose``: one more line per changed object).
    Turning it on says so in one line on stderr when a person is at the terminal (stdin is a
    tty) and ``quiet`` is not set. Calling it again changes only the output options.
    """
    interactive = sys.stdin is not None and sys.stdin.isatty()
    _install(quiet=quiet, verbose=verbose, announce=interactive and not quiet)


def _install(*, quiet: bool, verbose: bool, announce: bool) -> None:
    global _SESSION, _HOOKED
    if _SESSION is not None:
        _SESSION.show = Show(quiet=quiet, verbose=verbose)
        return
    main = sys.modules.get("__main__")
    namespace = getattr(main, "__dict__", None)
    reloader = Reloader(namespace=namespace if isinstance(namespace, dict) else None)
    if not _HOOKED:
        try:
            sys.addaudithook(_audit)
        except Exception:
            reloader.close()
            raise
        _HOOKED = True
    _SESSION = _Session(reloader, Show(quiet=quiet, verbose=verbose))
    if announce:
        note([ON], DIM)


def uninstall() -> None:
    """Stop reloading before statements and remove hotswap's import hook (if installed)."""
    global _SESSION
    session, _SESSION = _SESSION, None
    if session is not None:
        session.reloader.close()


def installed() -> Reloader | None:
    """The reloader of the REPL session, if :func:`install` is in effect."""
    return _SESSION.reloader if _SESSION is not None else None


def imports_of(code: types.CodeType) -> str:
    """``from m import a as b`` lines for the absolute from-imports a statement runs.

    Rebuilt from the bytecode, because the classic REPL keeps no source of what was typed;
    :meth:`Reloader.observe` uses them to keep aliases in the session namespace in step.
    """
    if not code.co_names:
        return ""
    import dis  # only for statements that name something; keeps ``import hotswap`` light

    instructions = list(dis.get_instructions(code))
    lines = []
    for index, ins in enumerate(instructions):
        if ins.opname != "IMPORT_NAME" or index < 2:
            continue
        level = instructions[index - 2]
        if level.opname != "LOAD_CONST" or level.argval != 0 or not ins.argval:
            continue
        names = []
        follow = index + 1
        while follow < len(instructions):
            op = instructions[follow]
            if op.opname == "IMPORT_FROM" and follow + 1 < len(instructions):
                store = instructions[follow + 1]
                if store.opname in ("STORE_NAME", "STORE_GLOBAL"):
                    names.append(
                        op.argval if op.argval == store.argval else f"{op.argval} as {store.argval}"
                    )
                follow += 2
                continue
            if op.opname == "IMPORT_STAR" or "IMPORT_STAR" in op.argrepr:
                names.append("*")
            break
        if names:
            lines.append(f"from {ins.argval} import {', '.join(names)}")
    return "\n".join(lines)


# -- python -m hotswap [-i ...] ------------------------------------------------------------------


def interact(
    program: Program | None,
    argv: list[str] | None,
    *,
    quiet: bool = False,
    verbose: bool = False,
) -> int:
    """``python -m hotswap`` (``program`` None) or ``-i``: run, then the interpreter's REPL.

    Only ``python -m hotswap`` can hand over to the interpreter's REPL (the interpreter enters
    it when the ``-m`` module returns). Started any other way, the command line (``argv``
    None) is run again as ``python -m hotswap``; a caller passing ``argv`` gets an error.
    """
    if not _started_with_m():
        if argv is not None:
            raise HotswapError("the interactive session starts only as `python -m hotswap`")
        os.execv(sys.executable, [sys.executable, "-m", "hotswap", *sys.argv[1:]])
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if program is None:
        module = fresh_main()
        sys.modules["__main__"] = module
        sys.argv[:] = [""]
        if sys.path:
            sys.path[0] = ""
        _install(quiet=quiet, verbose=verbose, announce=False)
        if interactive:
            _banner()
            _run_startup(module)
    else:
        status = _run_first(program, quiet=quiet, verbose=verbose)
        if status is not None:
            return status
        module = sys.modules["__main__"]
    if not interactive:
        return _run_stdin(module)
    note([ON], DIM)
    _hand_over()
    return 0


def _started_with_m() -> bool:
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == "hotswap.__main__"


def _run_first(program: Program, *, quiet: bool, verbose: bool) -> int | None:
    """``-i``: run the program as ``python -i`` does; a status means "do not start the REPL"."""
    _install(quiet=quiet, verbose=verbose, announce=False)  # first: its imports are captured
    assert _SESSION is not None
    reloader = _SESSION.reloader

    def register(module: types.ModuleType, path: str) -> str | None:
        # As under ``run``: the script is watched as ``__main__`` with definitions only, its
        # baseline exactly the text compiled, so saving it patches its functions and classes.
        text = TRACKER.register("__main__", module, path).text
        if text is not None:
            reloader.include("__main__")
            reloader.apply_definitions_only("__main__")
        return text

    try:
        prepared = prepare(program, register)
    except StartError as exc:
        note([str(exc)])
        return exc.status
    except SyntaxError as exc:
        prepared = None
        show_exception(exc)
    module = sys.modules["__main__"]
    if _SESSION is not None:  # the session namespace is the script's __main__ from now on
        _SESSION.reloader.namespace = module.__dict__
    if prepared is not None:
        try:
            execute(prepared)
        except BaseException as exc:  # python -i shows even SystemExit, then goes interactive
            show_exception(exc)
    if not program.is_module:
        # The interpreter drops __file__ after running a script file (pyrun_simple_file).
        module.__dict__.pop("__file__", None)
        module.__dict__.pop("__cached__", None)
    return None


def _banner() -> None:
    # The interpreter's own header (pymain_header), which it prints to stderr.
    note(
        [
            f"Python {sys.version} on {sys.platform}",
            'Type "help", "copyright", "credits" or "license" for more information.',
        ]
    )


def _run_startup(module: types.ModuleType) -> None:
    """``PYTHONSTARTUP``, which the interpreter runs only for a bare interactive ``python``."""
    path = os.environ.get("PYTHONSTARTUP")
    if not path or sys.flags.ignore_environment:
        return
    try:
        with open(path, "rb") as handle:
            source = handle.read()
    except OSError as exc:
        note(["Could not open PYTHONSTARTUP", f"{type(exc).__name__}: {exc}"])
        return
    namespace = module.__dict__
    namespace["__file__"] = path
    try:
        exec(compile(source, path, "exec", dont_inherit=True), namespace)
    except BaseException as exc:
        show_exception(exc)
    finally:
        namespace.pop("__file__", None)


def _run_stdin(module: types.ModuleType) -> int:
    """No terminal: like ``python < file``, the program is read from stdin and run."""
    source = sys.stdin.read() if sys.stdin is not None else ""
    try:
        code = compile(source, "<stdin>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        show_exception(exc)
        return 1
    try:
        exec(code, module.__dict__)
    except SystemExit as exc:
        return exit_status(exc.code)
    except BaseException as exc:
        reraise_trimmed(exc)
    return 0


def _hand_over() -> None:
    """Make the interpreter enter its REPL when ``python -m hotswap`` returns."""
    os.environ["PYTHONINSPECT"] = "1"
    previous = getattr(sys, "__interactivehook__", None)

    def hook() -> None:
        os.environ.pop("PYTHONINSPECT", None)  # children of the session must not inherit it
        if previous is not None:
            sys.__interactivehook__ = previous
            previous()
        else:
            del sys.__interactivehook__

    sys.__interactivehook__ = hook
