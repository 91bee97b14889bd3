"""``make checkouts``: a branch checkout of a real project, in one live session, against a
fresh interpreter.

For each pair of releases of a pure-Python project (wheels from PyPI, cached under
``build/bench-cache/``, never committed; or two directories given with ``--old``/``--new``):

1. a live interpreter (this file, run as a child with ``live``) starts ``hotswap.Reloader()``,
   imports the package and every submodule that imports, and lets hotswap settle;
2. every ``.py`` file that differs in the newer release is written over the old one (files it
   lacks are deleted), all with one new mtime, as ``git checkout`` does; one ``check()`` runs;
3. a fresh interpreter imports the same modules from the newer release (the oracle).

Each module's names are compared between the two, through the fingerprints of the real-projects
benchmark (``_realwork.fingerprints``: a function's code, constants, names and first line; a
class's members; simple values by ``repr``; other values by type). Both sides run with
``PYTHONHASHSEED=0``. The report gives, per pair, the files changed, the modules loaded, the time
of the checkpoint, its errors and warnings, and every module that differs from the fresh
interpreter, with the names that differ (and, for a class, the members).

    python benchmarks/checkouts.py [dist==OLD..NEW[:package] ...]
    python benchmarks/checkouts.py --old DIR --new DIR --package NAME

Exit status 1 when a module differs, or the checkpoint failed where the fresh import worked.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / "build" / "bench-cache"

# Consecutive releases of projects with different shapes: class-heavy (attrs, jinja2), decorator
# and overload heavy (click), large (networkx, pygments, docutils), dataclass and typing heavy
# (packaging, rich). Each pair was a real upgrade users made.
PAIRS = [
    "attrs==23.2.0..24.1.0:attr",
    "click==8.1.7..8.1.8",
    "jinja2==3.1.4..3.1.5",
    "packaging==23.2..24.0",
    "pyparsing==3.1.1..3.1.2",
    "rich==14.0.0..14.1.0",
    "markdown==3.5.2..3.6",
    "pygments==2.17.2..2.18.0",
    "docutils==0.20.1..0.21.2",
]


def wheel(dist: str, version: str) -> Path:
    """The cached wheel of ``dist==version``, downloaded first if need be."""
    wanted = (dist.lower().replace("-", "_"), version)
    for _attempt in range(2):
        for path in sorted(CACHE.glob("*.whl")):
            name, _, rest = path.name.partition("-")
            if (name.lower(), rest.partition("-")[0]) == wanted:  # (``Markdown-3.5.2-...``)
                return path
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
             "-d", str(CACHE), f"{dist}=={version}"],
            check=False, capture_output=True,
        )
    raise SystemExit(f"checkouts: no wheel for {dist}=={version} (pip download failed)")


def extract(whl: Path, package: str, dest: Path) -> None:
    """The package's files from a wheel, without its tests."""
    with zipfile.ZipFile(whl) as archive:
        for name in archive.namelist():
            parts = name.split("/")
            if parts[0] == package and "tests" not in parts and "test" not in parts:
                archive.extract(name, dest)


def side(mode: str, root: Path, package: str, names: list[str] | None = None) -> dict[str, Any]:
    """The command and environment of a live or fresh child on ``root``."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(HERE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's project has cached bytecode
    args = [sys.executable, __file__, "--child", mode, str(root), package]
    if names is not None:
        args.append(json.dumps(names))
    return {"args": args, "env": env}


def compare(pair: str, old: Path, new: Path, package: str, dump: Path | None = None) -> bool:
    """Run one checkout; print its report; whether the live session agreed with a fresh run.
    With ``dump``, both sides' records are written there as JSON (``live.json``, ``fresh.json``)
    to look at what differs member by member."""
    work = Path(tempfile.mkdtemp(prefix="hotswap-checkout-"))
    try:
        live_root = work / "live"
        shutil.copytree(old, live_root)
        spec = side("live", live_root, package)
        child = subprocess.Popen(
            spec["args"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=spec["env"],
        )
        assert child.stdout is not None and child.stdin is not None
        ready = child.stdout.readline()
        if not ready.startswith("@@ready"):
            print(f"{pair}: the live side did not start:\n{ready}{child.communicate()[1][-3000:]}")
            return False
        changed = _swap(old, new, live_root)
        out, err = child.communicate("go\n", timeout=3600)
        live = _record(out, err)
        spec = side("fresh", new, package, live["modules"])
        done = subprocess.run(spec["args"], capture_output=True, text=True, env=spec["env"],
                              timeout=1200, check=False)
        fresh = _record(done.stdout, done.stderr)
        if dump is not None:
            dump.mkdir(parents=True, exist_ok=True)
            for label, record in (("live", live), ("fresh", fresh)):
                (dump / f"{label}.json").write_text(json.dumps(record, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{pair}: {changed} files changed, {len(live['modules'])} modules loaded, "
        f"checkpoint {live['seconds']:.2f} s, {live['reloaded']} reloaded"
    )
    for error in live["errors"]:
        print(f"  error: {error[:500]}")
    for warning in live["warnings"]:
        print(f"  warning: {warning[:300]}")
    differing = 0
    for name, values in fresh["fingerprints"].items():
        mine = live["fingerprints"].get(name)
        if mine is None:
            continue
        bad = sorted(
            k
            for k in set(values) | set(mine)
            if values.get(k) != mine.get(k)
            and not _deleted(mine.get(k), fresh["modules"])
            and not _same_members(fresh, live, f"{name}:{k}")
        )
        if not bad:
            continue
        differing += 1
        first = bad[0]
        print(
            f"  differs: {name}: {', '.join(bad[:6])}; {first}: fresh "
            f"{values.get(first, 'missing')!r}, live {mine.get(first, 'missing')!r}"
        )
        for key in bad[:3]:
            member = f"{name}:{key}"
            theirs, ours = fresh["members"].get(member), live["members"].get(member)
            if theirs and ours:
                members = sorted(m for m in set(theirs) | set(ours) if theirs.get(m) != ours.get(m))
                print(f"    {key}: members {', '.join(members[:8])}")
    print(f"  modules differing: {differing}")
    return differing == 0 and not live["errors"]


# Class attributes that running code keeps rewriting: a counter, the last call's argument, a
# random draw at import. A live session that ran more code (the checkpoint re-runs statements)
# holds other values, by design (state survives a reload), and two fresh imports may differ
# too: they are not compared.
STATE = {
    # ``Dummy._count += 1`` per Dummy made; ``_base_dummy_index`` drawn from ``random.Random()``
    # (seeded from the OS) in the class body.
    "sympy.core.symbol:Dummy": {"_count", "_base_dummy_index"},
    # ``Quantity.__new__`` sets ``cls._is_prefixed`` at every call: the last Quantity made wins.
    "sympy.physics.units.quantities:Quantity": {"_is_prefixed"},
}
# Classes whose instance-valued members are a cache: sympy's ``S.Zero`` is set on
# ``SingletonRegistry`` at its first access; a singleton class statement that runs again
# registers its class anew, which takes the member off until the next access installs the same
# instance (``tests/corpus/checkouts.py``: the instance keeps its identity).
CACHES = {"sympy.core.singleton:SingletonRegistry"}


def _same_members(fresh: dict[str, Any], live: dict[str, Any], key: str) -> bool:
    """Whether a class's members agree once paths are normalised (its own fingerprint is a hash
    taken before: a path in a class attribute differs between the two trees), leaving out
    ``STATE``."""
    theirs, ours = fresh["members"].get(key), live["members"].get(key)
    if theirs is None or ours is None:
        return False
    skip = STATE.get(key, set())
    cache = key in CACHES

    def compared(members: dict[str, str]) -> dict[str, str]:
        return {
            k: v
            for k, v in members.items()
            if k not in skip and not (cache and v.startswith("a "))
        }

    return compared(theirs) == compared(ours)


def _deleted(value: str | None, fresh_modules: list[str]) -> bool:
    """Whether ``value`` is a submodule whose file the checkout deleted: hotswap keeps a deleted
    module (and says so); the fresh interpreter could not import it."""
    return value is not None and value.startswith("module ") and value[7:] not in fresh_modules


def _swap(old: Path, new: Path, live: Path) -> int:
    """Write the new release's files over the live tree (one mtime, as a checkout does)."""
    stamp = time.time_ns() + 2_000_000_000
    changed = 0
    for path in sorted(new.rglob("*.py")):
        target = live / path.relative_to(new)
        if target.exists() and filecmp.cmp(path, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        os.utime(target, ns=(stamp, stamp))
        changed += 1
    for path in sorted(old.rglob("*.py")):
        if not (new / path.relative_to(old)).exists():
            (live / path.relative_to(old)).unlink(missing_ok=True)
            changed += 1
    return changed


def _record(out: str, err: str) -> dict[str, Any]:
    lines = [line for line in out.splitlines() if line.startswith("@@{")]
    if not lines:
        raise SystemExit(f"checkouts: a side printed no result:\n{out[-2000:]}\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1][2:])
    return result


# -- the child: one interpreter, live (hotswap on) or fresh -------------------------------------


def child(mode: str, root: str, package: str, names_json: str | None) -> None:
    import contextlib
    import importlib
    import io
    import pkgutil
    import warnings

    from _realwork import class_members, fingerprints

    reloader = None
    if mode == "live":
        import hotswap

        reloader = hotswap.Reloader()
    sys.path.insert(0, root)
    loaded: list[str] = []
    sink = io.StringIO()
    quiet = contextlib.ExitStack()
    quiet.enter_context(contextlib.redirect_stdout(sink))
    quiet.enter_context(contextlib.redirect_stderr(sink))
    with warnings.catch_warnings(), quiet:
        warnings.simplefilter("ignore")
        if names_json is None:
            top = importlib.import_module(package)
            found = pkgutil.walk_packages(getattr(top, "__path__", []), package + ".")
            names = [package, *(i.name for i in found if not i.name.endswith("__main__"))]
        else:
            names = json.loads(names_json)
        for name in names:
            try:
                importlib.import_module(name)
            except BaseException:  # a module of a project may raise anything when imported
                continue
            loaded.append(name)
    # The order modules first ran in (``sys.modules`` keeps insertion order), for the fresh side
    # to import them in: ``walk_packages`` imports every package before the loop above imports
    # its modules, and a module may read what an earlier one left (sympy's ``conftest`` sets
    # ``sys._running_pytest``, which decides what ``sympy.testing.pytest`` defines).
    imported = set(loaded)
    loaded = [n for n in sys.modules if n in imported]
    out: dict[str, Any] = {"modules": loaded, "errors": [], "warnings": [], "reloaded": 0}
    if reloader is not None:
        from hotswap._detect.tracker import TRACKER

        reloader.check()
        TRACKER.baselines_read(600)
        print("@@ready", flush=True)
        sys.stdin.readline()
        start = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            report = reloader.check()
        out["seconds"] = time.perf_counter() - start
        out["errors"] = [str(e) for e in report.errors]
        out["warnings"] = [str(w) for w in report.warnings]
        out["reloaded"] = len(report.reloaded)
        # Modules the new release added and the checkpoint imported (``from .extra import``).
        prefix = package + "."
        loaded += sorted(
            n for n in sys.modules if n.startswith(prefix) and n not in loaded
        )
        out["modules"] = loaded
    out["fingerprints"] = fingerprints(loaded, root)
    members: dict[str, dict[str, str]] = {}
    for name in loaded:
        module = sys.modules.get(name)
        for key, value in list(vars(module).items()) if module is not None else []:
            if isinstance(value, type) and value.__module__ == name:
                members[f"{name}:{key}"] = class_members(value, name)
    out["members"] = members
    # Paths computed from ``__file__`` (a template next to the module) name the tree each side
    # ran from: the same place to the comparison.
    print("@@" + json.dumps(out).replace(json.dumps(root)[1:-1], "<tree>"), flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        child(argv[1], argv[2], argv[3], argv[4] if len(argv) > 4 else None)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", nargs="*", help="dist==OLD..NEW[:package] (default: a list)")
    parser.add_argument("--old", type=Path, help="a directory holding the package's old release")
    parser.add_argument("--new", type=Path, help="a directory holding its new release")
    parser.add_argument("--package", help="the package's import name (with --old/--new)")
    parser.add_argument("--dump", type=Path, help="write each side's record here (one pair)")
    args = parser.parse_args(argv)
    if args.old or args.new:
        if not (args.old and args.new and args.package):
            parser.error("--old, --new and --package go together")
        return 0 if compare(args.package, args.old, args.new, args.package, args.dump) else 1
    agreed = True
    with tempfile.TemporaryDirectory(prefix="hotswap-releases-") as scratch:
        for pair in args.pairs or PAIRS:
            spec, _, package = pair.partition(":")
            dist, _, versions = spec.partition("==")
            old_version, _, new_version = versions.partition("..")
            package = package or dist.replace("-", "_")
            trees = []
            for version in (old_version, new_version):
                tree = Path(scratch) / f"{dist}-{version}"
                extract(wheel(dist, version), package, tree)
                trees.append(tree)
            agreed = compare(pair, trees[0], trees[1], package, args.dump) and agreed
    return 0 if agreed else 1


if __name__ == "__main__":
    sys.exit(main())
