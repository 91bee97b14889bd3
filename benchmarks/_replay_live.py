"""The live side of the commit replay: one interpreter that lives through every commit.

Started by ``replay.py`` in a project's checkout with one *variant*:

- ``hotswap``: a ``hotswap.Reloader()`` made before the project is imported; ``check()`` at
  every step;
- ``autoreload``: IPython's ``ModuleReloader`` as ``%autoreload 2`` drives it (``check()`` at
  every step, every module);
- ``none``: nothing reloads (shows which tests notice a stale interpreter at all).

It imports every module of the packages, holds a reference to every function and class they
define (as a session holds ``from m import f``), runs the tests in-process with ``pytest.main``,
then waits for the orchestrator. For each step (files already written by the orchestrator) it
runs the checkpoint and the tests again, and writes one JSON result per step.

The test modules are collected fresh each step: every module whose file is in the checkout but
outside the packages (test modules, ``conftest``, test helpers) is dropped from ``sys.modules``
before a run. The subject is the package under reload; pytest's assertion rewriting of test
modules is its own import hook, which a reload by any tool would bypass.

Protocol: commands arrive one JSON object a line on stdin (``{"step": k, "out": path}``, or
with ``"only": [node ids]`` to run those tests again without a checkpoint); the reply ``done``
goes to the original stdout; pytest's output goes to ``$REPLAY_LOG``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
import time
import traceback
import types
from pathlib import Path
from typing import Any

import _replay_outcomes


def _module_names(root: Path, packages: list[str]) -> list[str]:
    names = []
    for package in packages:
        base = (root / package).parent
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(base).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


def _inside(path: str | None, dirs: list[Path]) -> bool:
    if not path:
        return False
    return any(Path(path).resolve().is_relative_to(d) for d in dirs)


class Live:
    def __init__(self, args: argparse.Namespace) -> None:
        self.root = Path.cwd().resolve()
        self.packages = [(self.root / p).resolve() for p in args.packages]
        self.names = _module_names(self.root, args.packages)
        self.variant = args.variant
        self.pytest_args = [args.tests, *json.loads(args.pytest_args)]
        self.held: dict[tuple[str, str], Any] = {}
        self.reloader: Any = None
        self.import_errors: dict[str, str] = {}
        if self.variant == "hotswap":
            import hotswap

            self.reloader = hotswap.Reloader()
        elif self.variant == "autoreload":
            from IPython.extensions.autoreload import ModuleReloader

            self.reloader = ModuleReloader()
            self.reloader.enabled = True
            self.reloader.check_all = True

    def import_all(self) -> None:
        for name in self.names:
            try:
                importlib.import_module(name)
            except BaseException as exc:  # a module for another platform, an optional dependency
                self.import_errors[name] = f"{type(exc).__name__}: {exc}"
        for name in self.names:
            module = sys.modules.get(name)
            if module is None:
                continue
            for attr, value in vars(module).items():
                if isinstance(value, type | types.FunctionType) and value.__module__ == name:
                    self.held[(name, attr)] = value
        if self.variant == "autoreload":
            self.reloader.check()  # its first check records the mtimes it compares against

    def checkpoint(self) -> dict[str, Any]:
        start = time.perf_counter()
        info: dict[str, Any] = {}
        if self.variant == "hotswap":
            try:
                report = self.reloader.check()
            except BaseException as exc:
                info["raised"] = "".join(traceback.format_exception_only(exc)).strip()
            else:
                info["reloaded"] = list(report.reloaded)
                info["errors"] = [str(p) for p in report.errors]
                info["warnings"] = [str(p) for p in report.warnings]
        elif self.variant == "autoreload":
            try:
                self.reloader.check()
            except BaseException as exc:
                info["raised"] = "".join(traceback.format_exception_only(exc)).strip()
            info["errors"] = sorted(self.reloader.failed)
        info["seconds"] = round(time.perf_counter() - start, 4)
        info["identity"] = self.identity()
        return info

    def identity(self) -> dict[str, Any]:
        """Held functions and classes whose name the module still binds to the same kind of
        object: how many are still the very object the module binds (contract point 2)."""
        kept, lost = 0, []
        for (name, attr), old in self.held.items():
            module = sys.modules.get(name)
            # The module's own binding: a name served by a module ``__getattr__`` (click keeps
            # renamed functions reachable that way, with a deprecation) is another object.
            new = vars(module).get(attr) if module is not None else None
            if new is None or inspect.isclass(new) != inspect.isclass(old):
                continue
            if not isinstance(new, type | types.FunctionType) or new.__module__ != name:
                continue
            if new is old:
                kept += 1
            else:
                lost.append(f"{name}.{attr}")
        return {"kept": kept, "lost": lost}

    def run_tests(self, only: list[str] | None = None) -> dict[str, list[str]]:
        dirs = self.packages
        for name, module in list(sys.modules.items()):
            path = getattr(module, "__file__", None)
            if _inside(path, [self.root]) and not _inside(path, dirs):
                del sys.modules[name]
        import pytest

        collector = _replay_outcomes.Outcomes()
        args = self.pytest_args if not only else [*only, *self.pytest_args[1:]]
        pytest.main(args, plugins=[collector])
        return collector.results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=("hotswap", "autoreload", "none"), required=True)
    parser.add_argument("--packages", nargs="+", required=True)
    parser.add_argument("--tests", required=True)
    parser.add_argument("--pytest-args", default="[]")
    args = parser.parse_args()
    reply = os.fdopen(os.dup(1), "w")
    log = os.open(os.environ["REPLAY_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    live = Live(args)
    for line in sys.stdin:
        command = json.loads(line)
        result: dict[str, Any] = {"step": command["step"]}
        if "only" in command:  # run these tests again, no checkpoint: is a divergence stable?
            result["outcomes"] = live.run_tests(command["only"])
            Path(command["out"]).write_text(json.dumps(result))
            reply.write("done\n")
            reply.flush()
            continue
        if command["step"] == 0:
            live.import_all()
            result["import_errors"] = live.import_errors
            result["held"] = len(live.held)
        else:
            result["checkpoint"] = live.checkpoint()
        start = time.perf_counter()
        result["outcomes"] = live.run_tests()
        result["test_seconds"] = round(time.perf_counter() - start, 2)
        Path(command["out"]).write_text(json.dumps(result))
        reply.write("done\n")
        reply.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
