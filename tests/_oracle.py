"""Run a user's session in a process of its own and collect probes: what the drivers share.

Several tests run user code in an interpreter of its own: hotswap's *live* side, which saves
edits and reloads, and a fresh *oracle*, which imports the files as they stand after a save.
Both answer the same *probes* (expressions) and the test compares them. The drivers that do it
(``tests/corpus/_driver.py``, ``tests/_fuzz_driver.py``, ``tests/_ipython_corpus_driver.py``,
``tests/_interrupt_driver.py``, ``tests/_safety_driver.py``) and ``tests/test_editors.py`` share
this module: strictly later mtimes (:class:`Clock`), writing files, a fresh ``__main__``
session, running a snippet, evaluating probes (``repr`` of the value, or ``!TypeName`` when it
raises), a report as JSON, one result line on the real stdout, and forgetting the modules of a
step's directory.

Run as a script it is the oracle for one set of files (:func:`fresh_probes` runs it)::

    python _oracle.py ROOT SETUP PROBES_JSON

It imports the files under ROOT by running SETUP in a fresh session and prints the probes'
values as one JSON list. Standard library only, and hotswap is never imported here: the oracle
side must not load it.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import sys
import time
import traceback
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


class Clock:
    """Strictly increasing mtimes, each at least 2 s after the previous one (never within one
    timestamp tick of a coarse file system)."""

    def __init__(self) -> None:
        self.now = time.time_ns()

    def tick(self) -> int:
        self.now = max(self.now + 2_000_000_000, time.time_ns())
        return self.now


def write_files(
    root: Path, files: Mapping[str, str], mtime: int | None, encoding: str = "utf-8"
) -> None:
    """Write ``files`` (relative paths) under ``root``, each with ``mtime`` when one is given.

    The fuzzer passes ``encoding="latin-1"``: its files arrive as latin-1 strings, lossless for
    any bytes (undecodable sources included)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
        if mtime is not None:
            os.utime(path, ns=(mtime, mtime))


def new_session(prelude: str = "") -> dict[str, Any]:
    """A fresh ``__main__`` module, as a REPL or IPython gives the user, and its namespace."""
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    if prelude:
        exec(prelude, main.__dict__)
    return main.__dict__


def run_code(code: str, ns: dict[str, Any]) -> str | None:
    """Run a snippet in the session; the formatted traceback if it raised, else None."""
    if not code:
        return None
    try:
        exec(compile(code, "<session>", "exec"), ns)
    except BaseException:
        return traceback.format_exc()
    return None


def probe(expr: str, ns: dict[str, Any]) -> str:
    """``repr`` of the value, or ``!TypeName`` when evaluating (or ``repr``) raises."""
    try:
        value = eval(compile(expr, "<probe>", "eval"), ns)
    except BaseException as exc:
        return "!" + type(exc).__name__
    try:
        return repr(value)
    except BaseException as exc:
        return "!repr:" + type(exc).__name__


def probe_all(exprs: Iterable[str], ns: dict[str, Any]) -> dict[str, str]:
    """Every probe's value, by expression."""
    return {expr: probe(expr, ns) for expr in exprs}


def report_record(report: Any, changes: bool = True) -> dict[str, Any]:
    """A :class:`hotswap.Report` as JSON: what each side's runner judges."""

    def problem(p: Any) -> dict[str, Any]:
        return {"module": p.module, "path": p.path, "line": p.line, "message": p.message}

    record = {
        "ok": report.ok,
        "reloaded": list(report.reloaded),
        "failed": list(report.failed),
        "errors": [problem(p) for p in report.errors],
        "warnings": [problem(p) for p in report.warnings],
    }
    if changes:
        record["changes"] = [[c.module, c.qualname, c.action] for c in report.changes]
    record["text"] = str(report)
    return record


def emit(record: dict[str, Any], prefix: str) -> None:
    """One result line, ``prefix`` then JSON, on the real stdout, on a line of its own (output
    the user's modules print cannot be mistaken for a result)."""
    out = sys.__stdout__
    assert out is not None
    out.write("\n" + prefix + json.dumps(record) + "\n")
    out.flush()


def forget_modules_under(root: Path) -> None:
    """Drop from ``sys.modules`` every module loaded from ``root``, so that the next step's
    files are imported afresh."""
    prefix = os.path.realpath(root) + os.sep
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and os.path.realpath(file).startswith(prefix):
            del sys.modules[name]


def leave_sys_path(directory: str | Path) -> None:
    """Take ``directory`` off ``sys.path``: running a driver by path puts its own directory
    first, and the user's modules must not find the test files under their short names."""
    here = str(Path(directory).resolve())
    sys.path[:] = [p for p in sys.path if p and str(Path(p).resolve()) != here]


def child_environ(**extra: str) -> dict[str, str]:
    """``os.environ`` for a child process, plus ``extra``; safe to call from any thread.

    pytest sets and deletes ``PYTEST_CURRENT_TEST`` in ``os.environ`` on the main thread around
    each test phase, while the corpus starts the processes of scenarios ahead on worker threads.
    ``dict(os.environ)`` (and ``{**os.environ}``) lists the keys, then reads each one: a key
    deleted in between raised ``KeyError`` in a clean-clone run, and the scenario's other
    process was left running. One copy of the underlying dict is a single C call, which no
    other thread interrupts (the GIL), so it sees the environment as it stood at one instant."""
    raw = dict(os.environ._data)
    env = {os.environ.decodekey(k): os.environ.decodevalue(v) for k, v in raw.items()}
    env.update(extra)
    return env


def end_server(proc: Any) -> None:
    """End a server process that serves requests read from its stdin (the fuzz sides, the
    corpus's fork server): close its input, wait for it to return, kill it after 10 s."""
    import subprocess  # here: the drivers' own processes stay as small as they were

    if proc.poll() is None:
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fresh_probes(root: Path, setup: str, probes: Iterable[str], timeout: float = 60) -> list[str]:
    """The probes' values in a fresh interpreter that imports the files under ``root`` by
    running ``setup`` (this file run as a script); raises if the setup fails."""
    import subprocess  # here: the drivers' own processes stay as small as they were
    import tempfile

    # Bytecode cached by the test process is not fresh: a save that keeps the file's size and
    # mtime (``cp -p``) leaves a .pyc that CPython's timestamp check takes as current. The
    # oracle reads and writes its bytecode under a prefix of its own.
    with tempfile.TemporaryDirectory() as cache:
        proc = subprocess.run(
            [sys.executable, str(_HERE / "_oracle.py"), str(root), setup, json.dumps(list(probes))],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=child_environ(PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=cache),
        )
    if proc.returncode != 0:
        raise AssertionError(f"the oracle's setup failed:\n{proc.stderr}")
    return list(json.loads(proc.stdout.splitlines()[-1]))


def main(argv: list[str]) -> int:
    root, setup, probes = argv
    leave_sys_path(_HERE)
    sys.path.insert(0, root)
    ns = new_session()
    error = run_code(setup, ns)
    if error is not None:
        sys.stderr.write(error)
        return 1
    sys.stdout.write("\n" + json.dumps([probe(p, ns) for p in json.loads(probes)]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
