"""Running a script or a module as ``__main__`` the way ``python`` does, for ``run`` and ``-i``.

``python script.py args`` and ``python -m pkg.mod args`` set up a ``__main__`` module, ``sys.argv``
and ``sys.path[0]`` in a particular way; :func:`prepare` repeats that exactly (checked against the
interpreter: ``__file__`` absolute, ``sys.path[0]`` the script's resolved directory or the
current directory for ``-m``, ``__spec__``/``__package__``/``__cached__`` as ``runpy`` sets them)
and :func:`execute` runs the code and turns its end into what ``python`` would do: the
``SystemExit`` code, or the exception re-raised so that the interpreter prints it and chooses
the exit status itself (1, or death by ``SIGINT`` for an unhandled ``KeyboardInterrupt``). The
traceback is trimmed of hotswap's own frames first, so it reads as under plain ``python``.

Unlike ``runpy``, :func:`prepare` returns the module and its code *before* running it: the
runner registers the script with the tracker in between (the baseline is exactly the text that
is compiled) and arms :class:`TopLevelGuard`.

The guard exists because the engine re-runs a module's changed top-level statements, and those
that call changed functions. For the script that is wrong while it runs: its top level is the
program (``while True: ...``, ``main()``) and running it again from the watcher would start the
program a second time. The guard is an audit hook on ``exec``: when a reload is about to run a
top-level statement of the script that is not a definition (``def``, ``class``, ``import``) and
that the program has not finished running (the statement its ``<module>`` frame is in, or a
later one), it raises :class:`NotRerun`, so the engine rolls that reload back completely and
reports it. An engine option that *skips* such statements instead is what this stands in for.
"""

from __future__ import annotations

import ast
import builtins
import importlib.machinery
import importlib.util
import os
import sys
import threading
import types
from dataclasses import dataclass, field
from typing import Any

from hotswap._errors import HotswapError

Traceback = types.TracebackType | None
# Statements a reload may always run in the script: they define, they do not do.
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
_HOTSWAP_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class StartError(HotswapError):
    """The program cannot start (no such file or module); ``python`` would print ``message``."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotRerun(HotswapError):
    """Raised by :class:`TopLevelGuard` into a reload that would re-run the running top level."""


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


def prepare(program: Program, read: Any = None) -> Prepared:
    """Make ``program``'s ``__main__`` current (``sys.modules``, ``sys.argv``, ``sys.path[0]``).

    ``read(module, path)`` returns the source text to compile (the runner passes the tracker's
    registration, so that the baseline and the executed text are one); by default the file is
    read. Raises :class:`StartError` where ``python`` would refuse to start, and ``SyntaxError``
    where it would print one.
    """
    if program.is_module:
        return _prepare_module(program, read)
    return _prepare_script(program, read)


def _prepare_script(program: Program, read: Any) -> Prepared:
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
    text = read(module, path) if read is not None else None
    if text is None:
        with open(path, "rb") as handle:
            data = handle.read()
        code = compile(data, path, "exec", dont_inherit=True)
    else:
        code = compile(text, path, "exec", dont_inherit=True)
    return Prepared(module, code, path if path.endswith(".py") else None)


def _prepare_module(program: Program, read: Any) -> Prepared:
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
    """``tb`` without its leading hotswap and ``runpy`` frames: what plain ``python`` shows."""
    while tb is not None and _is_ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return tb


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
            tb = trimmed(tb)
        return previous(kind, value, tb)

    sys.excepthook = hook
    raise exc


# -- the guard ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Statement:
    first: int
    last: int
    key: str
    definition: bool


def _statements(text: str) -> list[_Statement]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    out = []
    for node in tree.body:
        first = node.lineno
        decorators = getattr(node, "decorator_list", None)
        if decorators:
            first = min(first, *(d.lineno for d in decorators))
        definition = isinstance(node, (*_DEFINITIONS, ast.Pass)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        )
        out.append(_Statement(first, node.end_lineno or node.lineno, ast.dump(node), definition))
    return out


@dataclass
class Blocked:
    """One top-level statement the guard kept a reload from running."""

    line: int
    changed: bool  # False: the program's own statement, asked to re-run by dataflow


class TopLevelGuard:
    """Keeps reloads from re-running the script's top level while the program runs it.

    ``text`` is the source the program runs; ``code`` its module code object (the program's own
    run is let through by identity). Installed once per process (audit hooks cannot be removed);
    :meth:`disarm` makes it inert.
    """

    def __init__(self, path: str, text: str, code: types.CodeType) -> None:
        self.path = path
        self.code = code
        self.running = _statements(text)
        self.armed = True
        self.blocked: list[Blocked] = []
        self._cache: tuple[str, list[_Statement]] | None = None
        self._lock = threading.Lock()
        sys.addaudithook(self._audit)

    def disarm(self) -> None:
        self.armed = False

    def take_blocked(self) -> list[Blocked]:
        with self._lock:
            out, self.blocked = self.blocked, []
        return out

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "exec" or not self.armed:
            return
        code = args[0] if args else None
        if (
            not isinstance(code, types.CodeType)
            or code is self.code
            or code.co_filename != self.path
            or code.co_name != "<module>"
        ):
            return
        lines = [line for _, _, line in code.co_lines() if line]
        if not lines:
            return
        self._check(min(lines))

    def _check(self, line: int) -> None:
        new = self._new_statements()
        index = next((i for i, s in enumerate(new) if s.first <= line <= s.last), None)
        if index is None or new[index].definition:
            return
        boundary = self._boundary(new)
        if boundary is not None and index < boundary:
            return  # the program finished this statement: re-running it is a module's reload
        stmt = new[index]
        changed = stmt.key not in {s.key for s in self.running}
        with self._lock:
            self.blocked.append(Blocked(line, changed))
        raise NotRerun(
            f"line {line} is top-level code of the running script "
            f"({'changed' if changed else 'it uses something that changed'}); "
            "hotswap does not run it again while the program runs"
        )

    def _new_statements(self) -> list[_Statement]:
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
            text = importlib.util.decode_source(data)
        except (OSError, SyntaxError, UnicodeDecodeError):
            return []
        if self._cache is None or self._cache[0] != text:
            self._cache = (text, _statements(text))
        return self._cache[1]

    def _boundary(self, new: list[_Statement]) -> int | None:
        """Index in ``new`` of the statement the program's top level is running (None: done)."""
        line = self._running_line()
        if line is None:
            return None
        position = next((i for i, s in enumerate(self.running) if s.first <= line <= s.last), None)
        if position is None:
            return None
        key = self.running[position].key
        for i, stmt in enumerate(new):
            if stmt.key == key:
                return i
        return position  # the running statement itself was edited: assume it kept its place

    def _running_line(self) -> int | None:
        for frame in sys._current_frames().values():
            current: types.FrameType | None = frame
            while current is not None:
                if current.f_code is self.code:
                    return current.f_lineno
                current = current.f_back
        return None


# -- python -m hotswap run ---------------------------------------------------------------------


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

    An exception that ends the program is re-raised (trimmed of hotswap's frames when printed),
    so the interpreter reports it and picks the status exactly as for plain ``python``.
    """
    from hotswap._detect import TRACKER
    from hotswap._reloader import Reloader
    from hotswap._watch import Patterns, Watch

    reloader = Reloader()  # first: the program's own imports are captured as they happen
    watch_main = not Patterns(options.include, options.exclude).excludes("__main__")
    baseline: dict[str, str] = {}

    def register(module: types.ModuleType, path: str | None) -> str | None:
        if not watch_main or path is None:
            return None
        text = TRACKER.register("__main__", module, path).text
        if text is not None:
            baseline["text"] = text
        return text

    try:
        prepared = prepare(program, register)
    except StartError as exc:
        reloader.close()
        sys.stderr.write(f"{exc}\n")
        return exc.status
    except SyntaxError as exc:
        reloader.close()
        TRACKER.forget("__main__")
        show_exception(exc)
        return 1
    guard = None
    if "text" in baseline and prepared.path is not None and prepared.code is not None:
        reloader.include("__main__")
        guard = TopLevelGuard(prepared.path, baseline["text"], prepared.code)
    else:
        TRACKER.forget("__main__")
    presenter = _Presenter(guard, prepared.path, baseline.get("text"))
    watcher = Watch(
        reloader,
        poll=options.poll,
        at_checkpoint=options.at_checkpoint,
        quiet=options.quiet,
        verbose=options.verbose,
        include=options.include,
        exclude=options.exclude,
        on_report=presenter,
    )
    presenter.watch = watcher
    watcher.start()
    if options.verbose:
        how = "polling" if watcher.poll else "file system events"
        count = len(watcher.files())
        sys.stderr.write(f"hotswap: watching {count} files ({how})\n")
    try:
        execute(prepared)
    except SystemExit as exc:
        return exit_status(exc.code)
    except BaseException as exc:
        reraise_trimmed(exc)
    finally:
        _finish(watcher, guard, reloader, registered=guard is not None)
    return 0


def _finish(watch: Any, guard: TopLevelGuard | None, reloader: Any, registered: bool) -> None:
    """The program's top level ended: stop watching, unless its other threads go on."""
    me = threading.current_thread()
    if any(t is not me and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return  # the interpreter waits for them; the watcher (a daemon) keeps serving them
    watch.stop()
    reloader.close()
    if guard is not None:
        guard.disarm()
    if registered:
        from hotswap._detect import TRACKER

        TRACKER.forget("__main__")


class _Presenter:
    """Shows the runner's reports; explains what the guard kept from running."""

    def __init__(self, guard: TopLevelGuard | None, path: str | None, text: str | None) -> None:
        self.guard = guard
        self.path = path
        self.applied = text  # the script text the program's definitions now follow
        self.watch: Any = None
        self._said: set[int] = set()

    def __call__(self, report: Any) -> None:
        from hotswap._console import note, print_report
        from hotswap._report import Report

        shown = report
        if self.guard is not None:
            blocked = self.guard.take_blocked()
            current = self._script_text()
            if "__main__" in report.reloaded:
                self.applied = current
            elif blocked and "__main__" in report.failed and current == self.applied:
                # Only a dataflow re-run of the program's own running statement was refused
                # (it calls or reads something another module changed): nothing of the script
                # changed, and what changed elsewhere applied. Say so once, not as a failure.
                shown = Report(
                    reloaded=list(report.reloaded),
                    failed=[n for n in report.failed if n != "__main__"],
                    changes=list(report.changes),
                    warnings=list(report.warnings),
                    errors=[p for p in report.errors if p.module != "__main__"],
                )
                lines = []
                for item in blocked:
                    if item.line not in self._said:
                        self._said.add(item.line)
                        lines.append(
                            f"hotswap: {self.path}:{item.line} is running; it is not run again "
                            "and picks up changed functions at their next call"
                        )
                note(lines)
        if self.watch is not None:
            print_report(shown, self.watch.show)
            self.watch.say_running(report)

    def _script_text(self) -> str | None:
        if self.path is None:
            return None
        try:
            with open(self.path, "rb") as handle:
                return importlib.util.decode_source(handle.read())
        except (OSError, SyntaxError, UnicodeDecodeError):
            return None
