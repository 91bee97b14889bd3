"""Running a script or a module as ``__main__`` the way ``python`` does, for ``run`` and ``-i``.

``python script.py args`` and ``python -m pkg.mod args`` set up a ``__main__`` module, ``sys.argv``
and ``sys.path[0]`` in a particular way; :func:`prepare` repeats that exactly (checked against the
interpreter: ``__file__`` absolute, ``sys.path[0]`` the script's resolved directory or the
current directory for ``-m``, ``__spec__``/``__package__``/``__cached__`` as ``runpy`` sets them)
and :func:`execute` runs the code and turns its end into what ``python`` would do: the
``SystemExit`` code, or the exception re-raised so that the interpreter prints it and chooses
the exit status itself (1, or death by ``SIGINT`` for an unhandled ``KeyboardInterrupt``). The
traceback is trimmed of hotswap's own frames first, so it reads as under plain ``python``.

Unlike ``runpy``, :func:`prepare` returns the module and its code *before* running it, so the
runner starts its watcher first (the program's imports are captured as they happen).

The runner (:mod:`hotswap._front.runner`) and the REPL's ``-i`` use it.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hotswap._errors import HotswapError

Traceback = types.TracebackType | None
_HOTSWAP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class StartError(HotswapError):
    """The program cannot start (no such file or module); ``python`` would print ``message``."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Program:
    """What to run: a script path or a module name (``-m``), with its arguments."""

    target: str
    args: list[str] = field(default_factory=list)
    is_module: bool = False


@dataclass
class Prepared:
    """A ``__main__`` module ready to run: ``path`` is its ``.py`` file, when it has one."""

    module: types.ModuleType
    code: types.CodeType | None
    path: str | None
    run_path: str | None = None  # a directory or zip file: left to ``runpy.run_path``


def fresh_main() -> types.ModuleType:
    """A ``__main__`` module as the interpreter creates it before running anything."""
    module = types.ModuleType("__main__")
    module.__dict__.update(
        __builtins__=builtins,
        __loader__=importlib.machinery.BuiltinImporter,
        __spec__=None,
        __package__=None,
        __annotations__={},
    )
    return module


Read = Callable[[types.ModuleType, str], "str | None"]


def prepare(program: Program, read: Read | None = None) -> Prepared:
    """Make ``program``'s ``__main__`` current (``sys.modules``, ``sys.argv``, ``sys.path[0]``).

    ``read(module, path)`` may return the source text to compile for a ``.py`` file (the
    runner registers the script with the tracker there, so that the baseline and the executed
    text are one); by default the file is read. Raises :class:`StartError` where ``python``
    would refuse to start, and ``SyntaxError`` where it would print one.
    """
    if program.is_module:
        return _prepare_module(program, read)
    return _prepare_script(program, read)


def _prepare_script(program: Program, read: Read | None) -> Prepared:
    given = program.target
    path = os.path.abspath(given)
    if not os.path.exists(path):
        raise StartError(
            f"{sys.executable}: can't open file {path!r}: [Errno 2] No such file or directory", 2
        )
    module = fresh_main()
    _set_path0(os.path.dirname(os.path.realpath(path)))
    sys.argv[:] = [given, *program.args]
    if os.path.isdir(path) or (not path.endswith(".py") and _is_zip(path)):
        sys.modules["__main__"] = module
        return Prepared(module, None, None, run_path=path)
    module.__dict__.update(
        __file__=path,
        __cached__=None,
        __loader__=importlib.machinery.SourceFileLoader("__main__", path),
    )
    sys.modules["__main__"] = module
    text = read(module, path) if read is not None and path.endswith(".py") else None
    if text is None:
        with open(path, "rb") as handle:
            code = compile(handle.read(), path, "exec", dont_inherit=True)
    else:
        code = compile(text, path, "exec", dont_inherit=True)
    return Prepared(module, code, path if path.endswith(".py") else None)


def _prepare_module(program: Program, read: Read | None) -> Prepared:
    name = program.target
    spec = _find(name)
    if spec.submodule_search_locations is not None:
        if name == "__main__" or name.endswith(".__main__"):
            raise StartError(f"{sys.executable}: Cannot use package as __main__ module", 1)
        main_name = f"{name}.__main__"
        try:
            inner = _find(main_name)
        except StartError:
            raise StartError(
                f"{sys.executable}: No module named {main_name}; "
                f"'{name}' is a package and cannot be directly executed",
                1,
            ) from None
        spec = inner
    loader = spec.loader
    if isinstance(loader, importlib.machinery.SourceFileLoader) and spec.origin:
        # The tracker's import hook wraps the loaders of user modules; ``__main__`` is not
        # tracked, and the program must see the loader ``python -m`` gives it.
        loader = importlib.machinery.SourceFileLoader(spec.name, spec.origin)
        spec.loader = loader
    if loader is None or not hasattr(loader, "get_code"):
        raise StartError(f"{sys.executable}: No code object available for {spec.name}", 1)
    module = fresh_main()
    origin = spec.origin if spec.has_location else None
    module.__dict__.update(
        __spec__=spec,
        __loader__=loader,
        __package__=spec.parent,
        __file__=origin,
        __cached__=spec.cached,
    )
    if origin is None:
        del module.__dict__["__file__"]
    _set_path0(os.getcwd())
    sys.argv[:] = [origin or name, *program.args]
    sys.modules["__main__"] = module
    path = os.path.abspath(origin) if origin and origin.endswith(".py") else None
    text = read(module, path) if read is not None and path is not None else None
    if text is not None and path is not None:
        code = compile(text, path, "exec", dont_inherit=True)
    else:
        code = loader.get_code(spec.name)
        if code is None:
            raise StartError(f"{sys.executable}: No code object available for {spec.name}", 1)
    return Prepared(module, code, path)


def _find(name: str) -> importlib.machinery.ModuleSpec:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError) as exc:
        raise StartError(
            f"{sys.executable}: Error while finding module specification for {name!r} "
            f"({type(exc).__name__}: {exc})",
            1,
        ) from None
    if spec is None:
        raise StartError(f"{sys.executable}: No module named {name}", 1)
    return spec


def _set_path0(directory: str) -> None:
    if sys.path:
        sys.path[0] = directory
    else:
        sys.path.insert(0, directory)


def _is_zip(path: str) -> bool:
    import zipfile

    return zipfile.is_zipfile(path)


def execute(prepared: Prepared) -> None:
    """Run the prepared ``__main__``; exceptions (``SystemExit`` included) propagate."""
    if prepared.run_path is not None:
        import runpy

        runpy.run_path(prepared.run_path, run_name="__main__")
        return
    assert prepared.code is not None
    exec(prepared.code, prepared.module.__dict__)


def exit_status(code: object) -> int:
    """The status ``SystemExit(code)`` gives the process; a non-int is printed, as Python does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        sys.stderr.write(f"{code}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    return 1


def trimmed(tb: types.TracebackType | None) -> types.TracebackType | None:
    """``tb`` without its leading hotswap and ``runpy`` frames: what plain ``python`` shows.

    Started as the ``hotswap`` console script, the first frame is the small file pip wrote
    (``from hotswap._front.cli import main; sys.exit(main())``): it goes too.
    """
    if tb is not None and _is_console_script(tb.tb_frame):
        tb = tb.tb_next
    while tb is not None and _is_ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return tb


def _is_console_script(frame: types.FrameType) -> bool:
    entry = frame.f_globals.get("main")
    return (
        frame.f_code.co_name == "<module>"
        and frame.f_globals.get("__name__") == "__main__"
        and getattr(entry, "__module__", None) == "hotswap._front.cli"
    )


def _is_ours(filename: str) -> bool:
    return (
        filename.startswith(_HOTSWAP_DIR)
        or filename in ("<frozen runpy>",)
        or (os.path.basename(filename) == "runpy.py")
    )


def show_exception(exc: BaseException) -> None:
    """Print ``exc`` as ``python -i`` does: through ``sys.excepthook``, setting ``sys.last_*``."""
    tb = trimmed(exc.__traceback__)
    exc = exc.with_traceback(tb)
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
    if sys.version_info >= (3, 12):
        sys.last_exc = exc
    sys.excepthook(type(exc), exc, tb)


def reraise_trimmed(exc: BaseException) -> None:
    """Arrange for the interpreter to print ``exc`` without hotswap frames (once), then raise it.

    The interpreter itself prints an exception that leaves the program and picks the exit
    status (1; ``SIGINT`` for ``KeyboardInterrupt``). The hook in place now (the program may
    have set its own) is wrapped for this one exception and restored after.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: Traceback) -> Any:
        sys.excepthook = previous
        if value is exc:
            # The default hook prints ``value.__traceback__`` (its ``tb`` argument only when the
            # exception has none), so the trimmed chain goes on the exception itself.
            tb = trimmed(tb)
            value.with_traceback(tb)
        return previous(kind, value, tb)

    sys.excepthook = hook
    raise exc
