"""The real-projects group of ``make bench``: large pure-Python projects from PyPI as user code.

Wheels are downloaded once with ``pip download --no-deps`` into ``build/bench-cache/`` (never
committed). Each run extracts a project's package (without its ``tests`` directories) into the
run's temporary directory, runs :func:`_realwork.probe` there once (which modules import, the
edit targets; the import also writes ``__pycache__``, as a user's project has), and then gives
every measurement that edits files its own copy of that tree, bytecode included. Libraries the
projects need (sympy needs mpmath) are installed into the benchmark's environment from the
same cache, so that they are libraries to both tools, not user code.

With ``--smoke`` (and whenever the cache is missing and cannot be filled) a generated project
(:mod:`_shapes`) stands in, so the code runs without network.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import _shapes

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "bench-cache"
PIP = [sys.executable, "-m", "pip"]

# name, PyPI distribution, version, package, [module, class] to edit (None: the longest class),
# version to check out (a branch switch), libraries it needs
PROJECTS: list[dict[str, Any]] = [
    {
        "name": "sympy",
        "dist": "sympy",
        "version": "1.13.3",
        "package": "sympy",
        "klass": ["sympy.core.expr", "Expr"],
        "helper": ["sympy.utilities.misc", "filldedent"],
        "checkout": "1.14.0",
        "needs": ["mpmath==1.3.0"],
    },
    {"name": "rich", "dist": "rich", "version": "14.0.0", "package": "rich", "klass": None},
    {
        "name": "more-itertools",
        "dist": "more-itertools",
        "version": "10.7.0",
        "package": "more_itertools",
        "klass": None,
    },
]
EDITS = (
    ("method", "body", "one method body in the largest class"),
    ("method", "insert", "the same, plus a line inserted near the top of the file"),
    # The same edits as the first row, each cell run half a second after its save, as a person
    # switching from the editor runs it (hotswap prepares a first reload in that moment).
    ("method", "paced", "one method body, the cell 0.5 s after the save"),
    ("helper", "body", "a helper function imported by name"),
    ("constant", "body", "a constant imported by name"),
)


PAUSE = 0.5  # seconds between a save and its cell in the "paced" row


def wheel(dist: str, version: str, offline: bool) -> Path | None:
    """The cached wheel of ``dist==version``, downloaded first if needed and allowed."""
    pattern = f"{dist.replace('-', '_')}-{version}-*.whl"
    found = sorted(CACHE.glob(pattern))
    if found or offline:
        return found[0] if found else None
    CACHE.mkdir(parents=True, exist_ok=True)
    dist_pin = f"{dist}=={version}"
    print(f"  downloading {dist}=={version} into {CACHE} ...", file=sys.stderr, flush=True)
    subprocess.run(
        [*PIP, "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(CACHE), dist_pin],
        check=False,
    )
    found = sorted(CACHE.glob(pattern))
    return found[0] if found else None


def ensure_library(requirement: str, offline: bool) -> bool:
    """Install a library a project needs into this environment (site-packages: a library to
    both tools), from the cache. False if it is missing and cannot be had."""
    dist, _, version = requirement.partition("==")
    module = dist.replace("-", "_")
    probe = [sys.executable, "-c", f"import {module}"]
    if subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return True
    found = wheel(dist, version, offline)
    if found is None:
        return False
    print(f"  installing {found.name} (a library the project needs)", file=sys.stderr)
    subprocess.run([*PIP, "install", "-q", "--no-deps", str(found)], check=False)
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def extract(archive: Path, dest: Path, package: str) -> Path:
    """The package's files from the wheel, without test directories, under ``dest``, dated as
    in the wheel: a project on disk was not written the moment it is imported (hotswap does
    not trust cached bytecode of a file written less than two seconds ago, see _capture)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = info.filename.split("/")
            if parts[0] != package or "tests" in parts or info.is_dir():
                continue
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            stamp = int(time.mktime((*info.date_time, 0, 0, -1))) * 1_000_000_000
            os.utime(target, ns=(stamp, stamp))
    return dest


def candidates(root: Path, package: str) -> list[str]:
    """Every module of the package a user could import (no tests, no ``__main__``)."""
    out = []
    for directory, subdirs, files in os.walk(root / package):
        subdirs[:] = sorted(d for d in subdirs if d not in ("tests", "__pycache__"))
        if "__init__.py" not in files:
            subdirs[:] = []
            continue
        base = os.path.relpath(directory, root).replace(os.sep, ".")
        out.append(base)
        out += [
            f"{base}.{f[:-3]}"
            for f in sorted(files)
            if f.endswith(".py")
            and f not in ("__init__.py", "__main__.py", "conftest.py")
            and not f.startswith("test_")
        ]
    return out


def changed_files(old: Path, new: Path) -> list[str]:
    """The ``.py`` files a checkout from ``old`` to ``new`` writes or deletes (relative)."""
    paths = set()
    for tree in (old, new):
        for directory, subdirs, files in os.walk(tree):
            subdirs[:] = [d for d in subdirs if d != "__pycache__"]
            rel = os.path.relpath(directory, tree)
            paths.update(os.path.normpath(os.path.join(rel, f)) for f in files if f.endswith(".py"))
    out = []
    for rel in sorted(paths):
        a, b = old / rel, new / rel
        if not (a.exists() and b.exists() and filecmp.cmp(a, b, shallow=False)):
            out.append(rel)
    return out


class RealProjects:
    """The measurements of the group, run through ``runner`` (``run.Runner``)."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.sizes = runner.sizes
        self.base = runner.tmp / "real"
        self.base.mkdir(exist_ok=True)

    def run(self) -> dict[str, Any]:
        out: dict[str, Any] = {"projects": [], "scale": []}
        for project in self.projects():
            out["projects"].append(self.project(project))
        out["scale"] = self.scale()
        return out

    def projects(self) -> list[dict[str, Any]]:
        """The downloaded projects, or the generated stand-in (smoke, or no cache/network)."""
        if not self.sizes.smoke:
            ready = []
            wanted = self.sizes.projects
            for spec in PROJECTS:
                if wanted and spec["name"] not in wanted:
                    continue
                archive = wheel(spec["dist"], spec["version"], offline=False)
                needs = all(ensure_library(r, offline=False) for r in spec.get("needs", []))
                if archive is None or not needs:
                    print(f"  {spec['name']}: not available, skipped", file=sys.stderr)
                    continue
                ready.append(dict(spec, archive=archive))
            if not wanted or "generated" in wanted:
                # every module changed by its checkout, all of them loaded
                ready.append({"name": "generated", "package": "generated", "generated": 120})
            return ready
        return [{"name": "stand-in", "package": "standin", "generated": self.sizes.standin}]

    # -- one project ---------------------------------------------------------------------------

    def master(self, spec: dict[str, Any], version: str | None = None) -> Path:
        """The project's tree for this run (extracted or generated once)."""
        tag = f"{spec['name']}-{version or spec.get('version', 'v0')}"
        dest = self.base / tag
        if not dest.exists():
            dest.mkdir()
            if "generated" in spec:
                variant = 0 if version is None else 1
                _shapes.project(dest, spec["package"], spec["generated"], variant)
            else:
                archive = spec["archive"]
                if version is not None:
                    archive = wheel(spec["dist"], version, offline=False)
                    if archive is None:
                        raise FileNotFoundError(f"{spec['dist']}=={version}")
                extract(archive, dest, spec["package"])
        return dest

    def copy(self, master: Path) -> Path:
        """A fresh copy of a tree (with its ``__pycache__``, mtimes kept) for one process."""
        dest = self.runner.scratch()
        shutil.copytree(master, dest, dirs_exist_ok=True)
        return dest

    def probe(self, spec: dict[str, Any], master: Path) -> dict[str, Any]:
        names = candidates(master, spec["package"])
        request: dict[str, Any] = {"kind": "real_probe", "root": str(master), "candidates": names}
        if "generated" in spec:
            request["analyse"] = False
        else:
            request["package"] = spec["package"]
            request["klass"] = spec.get("klass")
            request["helper"] = spec.get("helper")
        found = self.runner.run(request)
        if "generated" in spec and "error" not in found:
            found.update(_shapes.targets(spec["package"], spec["generated"]))
        return found

    def project(self, spec: dict[str, Any]) -> dict[str, Any]:
        master = self.master(spec)
        found = self.probe(spec, master)
        row: dict[str, Any] = {"name": spec["name"], "version": spec.get("version", "generated")}
        if "error" in found:
            row["error"] = found["error"]
            return row
        modules = found["modules"]
        row.update(
            modules=len(modules),
            failed_imports=found.get("failed", []),
            targets={k: _brief(found.get(k)) for k in ("method", "helper", "constant")},
        )
        self.runner.run(
            {
                "kind": "real_load",
                "tool": "none",
                "root": str(master),
                "modules": modules,
                "budget": 0.05,
            }
        )  # bytecode warm, files cached
        tools = ("none", "hotswap", "ipython")

        def load(tool: str, **extra: Any) -> Any:
            spec = {"kind": "real_load", "tool": tool, "root": str(master), "modules": modules}
            return self.runner.run({**spec, **extra})

        loads = self.alternate(tools, lambda tool: load(tool, budget=self.sizes.budget))
        # The import alone, more times: one import moves by a fifth from run to run on a
        # shared machine, so two samples cannot tell a 10% cost (see ``summarize_load``).
        imports = self.alternate(
            tools, lambda tool: load(tool, import_only=True), rounds=self.sizes.import_runs
        )
        row["load"] = summarize_load(loads, imports)
        row["edits"] = []
        for what, edit, label in EDITS:
            target = found.get(what)
            entry: dict[str, Any] = {"what": what, "edit": edit, "label": label}
            if target is None:
                entry["error"] = "no such target in this project"
            else:
                entry["target"] = _brief(target)
                runs = self.edit_runs(master, modules, target, what, edit)
                entry.update(summarize_edits(runs), runs=runs)
            row["edits"].append(entry)
        if spec.get("checkout") or "generated" in spec:
            row["checkout"] = self.checkout(spec, master, modules)
        return row

    def alternate(self, tools: tuple[str, ...], make: Any, rounds: int | None = None) -> Any:
        """Each tool in fresh processes, in turns, ``rounds`` times; results per tool. A tool
        whose process timed out is not run again (it would time out again)."""
        runs: dict[str, list[dict[str, Any]]] = {}
        for _ in range(rounds or self.sizes.real_rounds):
            for tool in tools:
                done = runs.setdefault(tool, [])
                if not any("timed out" in r.get("error", "") for r in done):
                    done.append(make(tool))
        return runs

    def edit_runs(
        self, master: Path, modules: list[str], target: dict[str, Any], what: str, edit: str
    ) -> dict[str, Any]:
        def make(tool: str) -> dict[str, Any]:
            root = self.copy(master)
            try:
                return self.runner.run(
                    {
                        "kind": "real_edit",
                        "tool": tool,
                        "root": str(root),
                        "modules": modules,
                        "target": target,
                        "what": what,
                        "insert": edit == "insert",
                        "pause": PAUSE if edit == "paced" else 0.0,
                        "edits": self.sizes.real_edits,
                        "timeout": self.sizes.checkout_timeout,
                    }
                )
            finally:
                shutil.rmtree(root, ignore_errors=True)

        return self.alternate(("hotswap", "ipython"), make)

    def checkout(self, spec: dict[str, Any], master: Path, modules: list[str]) -> dict[str, Any]:
        new = self.master(spec, spec.get("checkout", "v1"))
        changed = changed_files(master, new)
        oracle = {"kind": "real_oracle", "root": str(new), "modules": modules}
        expected, again = self.runner.run(oracle), self.runner.run(oracle)
        out: dict[str, Any] = {
            "to": spec.get("checkout", "variant 1"),
            "files": len(changed),
        }
        for fresh in (expected, again):
            if "error" in fresh:
                out["error"] = "fresh import of the new tree failed: " + fresh["error"]
                return out
        # Compared: what two fresh runs agree on (see ``settled``).
        agreed, out["undecided"] = settled(expected["fingerprints"], again["fingerprints"])
        path = self.base / f"{spec['name']}-expected.json"
        path.write_text(json.dumps({"agreed": agreed, "undecided": out["undecided"]}), "utf-8")
        out["oracle_failed_imports"] = expected["failed"]

        def make(tool: str) -> dict[str, Any]:
            root = self.copy(master)
            try:
                return self.runner.run(
                    {
                        "kind": "real_checkout",
                        "tool": tool,
                        "root": str(root),
                        "new_root": str(new),
                        "modules": modules,
                        "changed": changed,
                        "expected": str(path),
                        "timeout": self.sizes.checkout_timeout,
                    }
                )
            finally:
                shutil.rmtree(root, ignore_errors=True)

        runs = self.alternate(("hotswap", "ipython"), make, self.sizes.checkout_rounds)
        out.update(summarize_checkout(runs), runs=runs)
        return out

    # -- cost vs size ----------------------------------------------------------------------------

    def scale(self) -> list[dict[str, Any]]:
        rows = []
        for count in self.sizes.scale:
            spec = {"name": f"scaled{count}", "package": f"scaled{count}", "generated": count}
            master = self.master(spec)
            found = self.probe(spec, master)
            row: dict[str, Any] = {"count": count}
            if "error" in found:
                row["error"] = found["error"]
            else:
                row["modules"] = len(found["modules"])
                row["target"] = _brief(found["scaled"])
                row.update(
                    summarize_edits(
                        self.edit_runs(master, found["modules"], found["scaled"], "helper", False)
                    )
                )
            rows.append(row)
        return rows


# -- summaries: what the table and the targets read --------------------------------------------


def settled(first: dict[str, dict[str, str]], second: dict[str, dict[str, str]]) -> tuple[
    dict[str, dict[str, str]], list[str]
]:
    """Two fresh runs' fingerprints: the names both have alike, and those that differ between
    them (a fresh run does not decide them: ``Dummy._base_dummy_index = randint(...)``), which
    a session cannot be held to."""
    out: dict[str, dict[str, str]] = {}
    loose: list[str] = []
    for module, values in first.items():
        other = second.get(module, {})
        out[module] = {}
        for key, value in values.items():
            if other.get(key) == value:
                out[module][key] = value
            else:
                loose.append(f"{module}.{key}")
    return out, loose


def stats(values: list[float]) -> dict[str, float] | None:
    """Median, min and max, or None when there are no values."""
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _good(runs: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [r for r in runs if key in r]


def _errors(runs: list[dict[str, Any]]) -> list[str]:
    return [r["error"] for r in runs if "error" in r]


def summarize_load(
    runs: dict[str, list[dict[str, Any]]], imports: dict[str, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """Each tool's import times (of both kinds of run) and per-cell costs (of the full runs).

    ``import_x``: the import's cost over no reloader's, as the median over rounds of each
    round's ratio (the tools ran one after the other in a round, so a machine that slows down
    for a minute moves both sides of a ratio, and no ratio of medians mixes moments)."""
    imports = imports or {}
    out = {}
    for tool, results in runs.items():
        good = _good(results, "import_ms")
        timed = good + _good(imports.get(tool, []), "import_ms")
        out[tool] = {
            "import_ms": stats([r["import_ms"] for r in timed]),
            "import_x": stats(_paired(runs, imports, tool)),
            "held_kib": stats([r["held_kib"] for r in good if r.get("held_kib") is not None]),
            "callbacks_us": stats([r["callbacks_us"] for r in good if "callbacks_us" in r]),
            "cell_us": stats([r["us"] for r in good if "us" in r]),
            "import_cell_us": stats([r["import_us"] for r in good if "import_us" in r]),
            "run_cell_us": stats([r["run_cell_us"] for r in good]),
            "gc_objects": stats([r["gc_objects"] for r in good]),
            "errors": _errors(results),
        }
    return out


def _paired(
    runs: dict[str, list[dict[str, Any]]], imports: dict[str, list[dict[str, Any]]], tool: str
) -> list[float]:
    """``tool``'s import time over no reloader's, round by round (a failed run: no ratio)."""
    if tool == "none":
        return []
    ratios = []
    for source in (runs, imports):
        for mine, base in zip(source.get(tool, []), source.get("none", []), strict=False):
            if "import_ms" in mine and base.get("import_ms"):
                ratios.append(mine["import_ms"] / base["import_ms"])
    return ratios


def summarize_edits(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """First saves (one per process) and later saves (pooled over the processes)."""
    out = {}
    for tool, results in runs.items():
        good = _good(results, "samples_ms")
        problems = [p for r in good for p in r.get("problems", [])]
        out[tool] = {
            "first_ms": stats([r["samples_ms"][0] for r in good]),
            "later_ms": stats([s for r in good for s in r["samples_ms"][1:]]),
            "verified": bool(good) and all(r["verified"] for r in good),
            "problems": problems[:5],
            "errors": _errors(results),
            "importers": good[0]["importers"] if good else None,
        }
    return out


def summarize_checkout(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out = {}
    for tool, results in runs.items():
        good = _good(results, "ms")
        worst = max(good, key=lambda r: r["mismatched"], default={})
        out[tool] = {
            "ms": stats([r["ms"] for r in good]),
            "verified": bool(good) and all(r["verified"] for r in good),
            "mismatched": worst.get("mismatched"),
            "compared": worst.get("compared"),
            "mismatches": worst.get("mismatches", []),
            "loaded_files": worst.get("loaded_files"),
            "errors": _errors(results),
        }
    return out


def _brief(target: dict[str, Any] | None) -> dict[str, Any] | None:
    """A target as the JSON output shows it (the count of importers, not their names)."""
    if target is None:
        return None
    out = {k: v for k, v in target.items() if k != "importers"}
    if "importers" in target:
        out["importers"] = len(target["importers"])
    return out
