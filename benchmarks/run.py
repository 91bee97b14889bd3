"""``make bench``: hotswap against IPython's ``%autoreload 2`` (and ``--full``), side by side.

Every number comes from a fresh subprocess (``_worker.py``) running a real IPython
``InteractiveShell`` with one tool loaded, on synthetic modules generated for this run in a
temporary directory. The table shows medians and the ratio IPython / hotswap (how many times
less hotswap costs), then the four targets of the speed issue with their verdicts. See
docs/benchmarks.md for what each number means.

    python benchmarks/run.py              # the full run (a few minutes)
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --smoke      # tiny sizes, for tests: checks the code, not speed
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _projects
import _synth
import _table
import dask_cluster
import loops
import web

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_worker.py"
LONG = ("root", "new_root", "modules", "candidates", "changed", "expected", "target")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write all numbers as JSON here")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (tests)")
    parser.add_argument(
        "--only",
        choices=("percell", "latency", "memory", "startup", "real", "web", "loops", "dask"),
        action="append",
        help="run only these groups (repeatable)",
    )
    parser.add_argument(
        "--project",
        action="append",
        help="real projects: only these (repeatable; sympy, rich, more-itertools)",
    )
    parser.add_argument("--rounds", type=int, help="fresh processes per tool and measurement")
    args = parser.parse_args(argv)
    sizes = Sizes.smoke() if args.smoke else Sizes.full()
    sizes.projects = args.project
    if args.rounds:
        sizes.rounds = sizes.checkout_rounds = sizes.real_rounds = args.rounds
    groups = args.only or [
        "percell", "latency", "memory", "startup", "real", "web", "loops", "dask"
    ]
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="hotswap-bench-") as tmp:
        runner = Runner(Path(tmp), sizes)
        results: dict[str, Any] = {"environment": environment(), "sizes": sizes.__dict__}
        for group in groups:
            if group == "web":  # servers against their own reloaders, not against IPython
                results[group] = web.run(saves=2 if args.smoke else 5)
            elif group == "loops":  # running loops on Python 3.12+ (issue 17)
                results[group] = loops.run(smoke=args.smoke)
            elif group == "dask":  # a save reaching a cluster's workers (hotswap.dask)
                results[group] = dask_cluster.run(
                    saves=2 if args.smoke else 5, sizes=(2,) if args.smoke else (2, 4)
                )
            else:
                results[group] = getattr(runner, group)()
    results["seconds"] = round(time.time() - started, 1)
    results["targets"] = _table.targets(results)
    print(_table.render(results))
    if "web" in results:
        print("\n" + web.render(results["web"]))
    if "loops" in results:
        print("\n" + loops.render(results["loops"]))
    if "dask" in results:
        print("\n" + dask_cluster.render(results["dask"]))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    failed = [t for t in results.get("targets", []) if not t["met"]]
    return 1 if failed and not args.smoke else 0


class Sizes:
    """How big and how many: the issue's sizes, or tiny ones for the smoke test."""

    def __init__(self, **values: Any) -> None:
        self.counts: list[int] = values["counts"]
        self.functions: list[int] = values["functions"]
        self.edits: int = values["edits"]
        self.cycles: int = values["cycles"]
        self.warmup: int = values["warmup"]
        self.load_counts: list[int] = values["load_counts"]
        self.import_runs: int = values["import_runs"]
        self.budget: float = values["budget"]
        self.ten: int = values["ten"]
        self.rounds: int = values["rounds"]
        self.smoke: bool = values.get("smoke", False)
        self.real_edits: int = values["real_edits"]  # saves per process: the first and later
        self.checkout_rounds: int = values["checkout_rounds"]
        self.scale: list[int] = values["scale"]
        self.standin: int = values.get("standin", 0)
        self.projects: list[str] | None = None
        self.real_rounds: int = values["real_rounds"]
        self.checkout_timeout: int = values["checkout_timeout"]

    @classmethod
    def full(cls) -> Sizes:
        return cls(
            counts=[100, 1000, 5000, 20000],
            functions=[10, 100, 1000],
            edits=15,
            cycles=500,
            warmup=21,
            load_counts=[5000, 20000],
            import_runs=7,
            budget=1.0,
            ten=10,
            rounds=3,
            real_edits=5,
            checkout_rounds=2,
            scale=[100, 1500, 10000],
            real_rounds=2,
            checkout_timeout=300,
        )

    @classmethod
    def smoke(cls) -> Sizes:
        return cls(
            counts=[20],
            functions=[10],
            edits=2,
            cycles=4,
            warmup=3,
            load_counts=[20],
            import_runs=1,
            budget=0.02,
            ten=2,
            rounds=1,
            smoke=True,
            real_edits=2,
            checkout_rounds=1,
            scale=[30, 60],
            real_rounds=1,
            checkout_timeout=300,
            standin=60,
        )


class Runner:
    def __init__(self, tmp: Path, sizes: Sizes) -> None:
        self.tmp = tmp
        self.sizes = sizes
        self.trees: dict[int, Path] = {}
        self.env = dict(os.environ, IPYTHONDIR=str(tmp / "ipython"))
        self.env.pop("HOTSWAP_WATCH", None)
        # Start-up is measured as users meet it: with compiled bytecode cached, as after any
        # first import (an environment that forbids writing it would time the compiler).
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import hotswap.ipython, hotswap._front.watch, hotswap._front.repl",
            ],
            env=self.env,
            check=False,
        )
        self._serial = 0

    def tree(self, count: int) -> Path:
        """A directory of ``count`` small modules, written once per run."""
        if count not in self.trees:
            root = self.tmp / f"tree{count}"
            _synth.many_modules(root, count)
            self.trees[count] = root
        return self.trees[count]

    def scratch(self) -> Path:
        self._serial += 1
        path = self.tmp / f"scratch{self._serial}"
        path.mkdir()
        return path

    def run(self, spec: dict[str, Any]) -> dict[str, Any]:
        env = dict(self.env)
        if spec.get("tool") == "hotswap-stat":
            env["HOTSWAP_WATCH"] = "stat"
        label = " ".join(f"{k}={v}" for k, v in spec.items() if k not in LONG)
        print(f"  {label} ...", file=sys.stderr, flush=True)
        argument = json.dumps(spec)
        if len(argument) > 50_000:  # module lists: past what one argument may hold
            self._serial += 1
            path = self.tmp / f"spec{self._serial}.json"
            path.write_text(argument, encoding="utf-8")
            argument = "@" + str(path)
        try:
            done = subprocess.run(
                [sys.executable, str(WORKER), argument],
                capture_output=True,
                text=True,
                env=env,
                timeout=spec.get("timeout", 1800),
                cwd=str(self.tmp),
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {spec.get('timeout', 1800)} s"}
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
        result: dict[str, Any] = json.loads(lines[-1])
        return result

    # -- the four groups ---------------------------------------------------------------------

    def percell(self) -> list[dict[str, Any]]:
        rows = []
        for count in self.sizes.counts:
            root = str(self.tree(count))
            row: dict[str, Any] = {"count": count}
            runs: dict[str, list[dict[str, Any]]] = {}
            # The stat fallback and IPython both stat every file: the kernel's cost dominates,
            # and it drifts with whatever else the machine does. They run in alternation, a
            # fresh process each time, so that neither gets a quieter moment than the other.
            order = ["hotswap"] + ["hotswap-stat", "ipython"] * self.sizes.rounds
            for tool in order:
                spec = {"kind": "percell", "tool": tool, "count": count, "root": root}
                spec["budget"] = self.sizes.budget
                runs.setdefault(tool, []).append(self.run(spec))
            for tool, results in runs.items():
                row[tool] = combined(results, "us", ("cpu_us",))
            rows.append(row)
        return rows

    def latency(self) -> list[dict[str, Any]]:
        rows = []
        cases: list[tuple[int, int, str]] = [
            (f, 1, edit) for f in self.sizes.functions for edit in ("body", "insert")
        ]
        cases.append((100, self.sizes.ten, "body"))
        for functions, modules, edit in cases:
            row: dict[str, Any] = {"functions": functions, "modules": modules, "edit": edit}
            runs: dict[str, list[dict[str, Any]]] = {}
            # Each tool in fresh processes at several moments, in alternation (see percell).
            for tool in ("hotswap", "ipython", "ipython-full") * self.sizes.rounds:
                spec = {
                    "kind": "latency",
                    "tool": tool,
                    "functions": functions,
                    "modules": modules,
                    "edit": edit,
                    "edits": self.sizes.edits,
                    "root": str(self.scratch()),
                }
                runs.setdefault(tool, []).append(self.run(spec))
            for tool, results in runs.items():
                row[tool] = combined(results, "ms", ("first_ms", "cpu_ms"))
            rows.append(row)
        return rows

    def memory(self) -> dict[str, Any]:
        out: dict[str, Any] = {"cycles": self.sizes.cycles}
        for key, tool, outputs in (
            ("hotswap", "hotswap", "keep"),
            ("hotswap-own", "hotswap", "drop"),
            ("ipython", "ipython", "keep"),
            ("ipython-full", "ipython-full", "keep"),
        ):
            spec = {
                "kind": "memory",
                "tool": tool,
                "cycles": self.sizes.cycles,
                "warmup": self.sizes.warmup,
                "outputs": outputs,
                "root": str(self.scratch()),
            }
            out[key] = self.run(spec)
        return out

    def startup(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for tool in ("hotswap", "ipython"):
            runs = [self.run({"kind": "import", "tool": tool}) for _ in self._times()]
            good = [r["ms"] for r in runs if "ms" in r]
            out[f"import_{tool}"] = (
                {"ms": statistics.median(good), "samples_ms": good} if good else runs[0]
            )
        loads = []
        for count in self.sizes.load_counts:
            root = str(self.tree(count))
            row: dict[str, Any] = {"count": count}
            runs: dict[str, list[dict[str, Any]]] = {}
            # One sample per process: several processes, in alternation, and their median.
            for tool in ("hotswap", "ipython") * self.sizes.rounds:
                spec = {"kind": "load", "tool": tool, "count": count, "root": root}
                runs.setdefault(tool, []).append(self.run(spec))
            for tool, results in runs.items():
                row[tool] = combined(results, None, ("ms", "cpu_ms", "first_cell_ms"))
            loads.append(row)
        out["load"] = loads
        return out

    def real(self) -> dict[str, Any]:
        return _projects.RealProjects(self).run()

    def _times(self) -> Iterator[int]:
        return iter(range(self.sizes.import_runs))


def combined(
    results: list[dict[str, Any]], value: str | None, medians: tuple[str, ...]
) -> dict[str, Any]:
    """Runs of one tool, taken in alternation with the other tools, as one result.

    ``value``: the median over the samples of every run (``samples_<value>``, pooled); for the
    latency, each session's first edit stays among them, as in one run. ``medians``: the
    median over the runs of each of these numbers (one per run). A failed run is left out.
    """
    needed = (f"samples_{value}",) if value else medians
    good = [r for r in results if all(k in r for k in needed)]
    if not good:
        return results[0]
    out = dict(good[-1])
    if value:
        samples = [s for r in good for s in r[f"samples_{value}"]]
        out[f"samples_{value}"] = samples
        out[value] = statistics.median(samples)
    for key in medians:
        out[key] = statistics.median(r[key] for r in good)
        if not value:
            out[f"samples_{key}"] = [r[key] for r in good]
    out["runs"] = len(good)
    if "verified" in out:
        out["verified"] = all(r.get("verified") for r in good)
    return out


def environment() -> dict[str, Any]:
    try:
        import IPython

        ipython = IPython.__version__
    except ImportError:  # pragma: no cover - the dev extra installs it
        ipython = "missing"
    return {
        "python": platform.python_version(),
        "ipython": ipython,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


if __name__ == "__main__":
    sys.exit(main())
