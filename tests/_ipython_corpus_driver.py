"""Run one corpus scenario's live side inside a real IPython shell, through an extension.

Usage: ``python _ipython_corpus_driver.py FRONTEND MODE SPEC.json`` where FRONTEND is
``hotswap`` (``%load_ext hotswap``) or ``ipython`` (IPython 9's own ``%load_ext autoreload``)
and MODE is what follows ``%autoreload`` (``2`` or ``3``; a scenario with the ``full``
strategy adds the trailing ``-``).

It is the shell counterpart of ``corpus/_driver.py live``: the same files, clock, probes,
snapshots and result lines (it reuses that driver's helpers and ``tests/_oracle.py``), but the
setup, the ``pre`` snippets and the checkpoints are real cells (``run_cell``), so the
extension's ``pre_run_cell``/``post_run_cell`` hooks do the work. After each save the
checkpoint is an empty statement cell, exactly what a user's next cell would trigger.

For ``hotswap`` the step's report is the Reloader's ``last_report`` (when the checkpoint made a
new one). IPython's extension has no report: it is rebuilt from what it prints with ``-p``
(``Reloading 'm'.``) and on failure (``[autoreload of m failed: <traceback>]``), the failure's
file and line being the last traceback entry inside the scenario's directory.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
import sys
import traceback
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

_HERE = Path(__file__).resolve().parent


def _corpus_driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_corpus_driver", _HERE / "corpus" / "_driver.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


D = _corpus_driver()  # also takes tests/ and tests/corpus/ off sys.path
import _oracle  # noqa: E402 - loaded by the corpus driver above, from tests/

_RELOADING = re.compile(r"^Reloading '([^']+)'\.$", re.MULTILINE)
_FAILED = re.compile(r"\[autoreload of (\S+) failed: ")
_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')


class Shell:
    """A fresh InteractiveShell driven cell by cell, with one of the two extensions."""

    def __init__(self, frontend: str, mode: str, work: Path) -> None:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        config.InteractiveShell.colors = "nocolor"
        self.ip = InteractiveShell.instance(config=config)
        self.frontend, self.mode, self.work = frontend, mode, work

    @property
    def ns(self) -> dict[str, Any]:
        return self.ip.user_ns  # type: ignore[no-any-return]

    def cell(self, source: str) -> tuple[str | None, str, str]:
        """Run one cell: (formatted exception or None, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            result = self.ip.run_cell(source, store_history=True)
        exc = result.error_before_exec or result.error_in_exec
        error = None
        if exc is not None:
            error = "".join(traceback.format_exception(exc)) + err.getvalue() + out.getvalue()
        return error, out.getvalue(), err.getvalue()

    def load(self) -> None:
        dash = "-" if self.strategy == "full" else ""
        if self.frontend == "hotswap":
            lines = ["%load_ext hotswap", f"%autoreload {self.mode}{dash}"]
        else:
            lines = ["%load_ext autoreload", f"%autoreload -p {self.mode}{dash}"]
        for line in lines:
            error, _, _ = self.cell(line)
            assert error is None, error

    strategy = "incremental"

    # -- one checkpoint ------------------------------------------------------------------------

    def checkpoint(self) -> tuple[dict[str, Any], list[str]]:
        """Run the cell after a save; the report record and the modules waiting for a fix."""
        if self.frontend == "hotswap":
            magics = self.ip.magics_manager.registry["HotswapMagics"]
            before = magics.reloader.last_report
            error, out, err = self.cell("pass")
            assert error is None, error
            if "hotswap: internal error" in err:
                raise RuntimeError(err)  # check() raised: the extension printed it and went on
            report = magics.reloader.last_report
            if report is before:
                from hotswap import Report

                report = Report()
            return _oracle.report_record(report), sorted(magics.reloader.failures)
        error, out, err = self.cell("pass")
        assert error is None, error
        return self._ipython_report(out, err), self._ipython_failures()

    def _ipython_report(self, out: str, err: str) -> dict[str, Any]:
        reloaded = _RELOADING.findall(out + err)
        errors = []
        failed: list[str] = []
        pieces = _FAILED.split(err)
        # split() gives [before, name1, text1, name2, text2, ...]
        for name, text in zip(pieces[1::2], pieces[2::2], strict=True):
            failed.append(name)
            inside = [
                (path, int(line))
                for path, line in _FILE_LINE.findall(text)
                if Path(path).resolve().is_relative_to(self.work.resolve())
            ]
            path, line = inside[-1] if inside else ("", None)
            message = text.strip().splitlines()[-1] if text.strip() else ""
            errors.append({"module": name, "path": path, "line": line, "message": message})
        ok_names = [n for n in reloaded if n not in failed]
        return {
            "ok": not errors,
            "reloaded": ok_names,
            "failed": failed,
            "errors": errors,
            "warnings": [],
            "changes": [[n, "<module>", "rerun"] for n in ok_names],
            "text": (out + err).strip(),
        }

    def _ipython_failures(self) -> list[str]:
        magics = self.ip.magics_manager.registry["AutoreloadMagics"]
        paths = {str(Path(p).resolve()) for p in magics._reloader.failed}
        names = []
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if isinstance(file, str) and str(Path(file).resolve()) in paths:
                names.append(name)
        return sorted(names)


def run(frontend: str, mode: str, spec: dict[str, Any]) -> None:
    work = Path(spec["workdir"])
    clock = _oracle.Clock()
    _oracle.write_files(work, spec["before"], clock.tick())
    sys.path.insert(0, str(work))
    shell = Shell(frontend, mode, work)
    shell.strategy = spec["strategy"]
    error, _, _ = shell.cell(D.PRELUDE)
    assert error is None, error
    if spec["reloader"] == "before":
        shell.load()
    setup_error, _, _ = shell.cell(spec["setup"])
    if spec["reloader"] != "before":
        shell.load()
    D.emit({"kind": "setup", "error": setup_error, "watched": []})
    for index, step in enumerate(spec["steps"]):
        record: dict[str, Any] = {"kind": "step", "index": index}
        record["pre_error"] = shell.cell(step["pre"])[0] if step["pre"] else None
        snapshot = None
        if not step["ok"]:
            record["probes_before"] = {e: _oracle.probe(e, shell.ns) for e in step["probes"]}
            module = D._module_at(work / step["error_path"])
            snapshot = D.Snapshot(module) if module is not None else None
            record["snapshot_module"] = None if module is None else module.__name__
        _oracle.write_files(work, step["files"], clock.tick())
        for rel in step["delete"]:
            (work / rel).unlink()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                record["report"], record["failures"] = shell.checkpoint()
            except BaseException:
                record["check_error"] = traceback.format_exc()
                record["failures"] = []
        record["python_warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
        record["probes"] = {e: _oracle.probe(e, shell.ns) for e in step["probes"]}
        record["expect"] = {e: _oracle.probe(e, shell.ns) for e in step["expect"]}
        if snapshot is not None:
            record["rollback"] = snapshot.diff()
        D.emit(record)


def main(argv: list[str]) -> None:
    frontend, mode, spec_path = argv
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    run(frontend, mode, spec)
    D.emit({"kind": "done"})


if __name__ == "__main__":
    main(sys.argv[1:])
