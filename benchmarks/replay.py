"""``make replay``: replay real projects' commits in one live interpreter, against fresh ones.

For each repository given (a path to a git work tree or bare git directory, read at run time;
nothing of it is copied into hotswap), the newest ``--commits`` first-parent commits that touch
the package sources are replayed, oldest first:

1. the first commit's files are written to a temporary checkout; a live interpreter
   (``_replay_live.py``) imports every module of the package, holds every function and class
   they define, and runs the project's tests in-process;
2. for each next commit, the changed files (sources, tests, anything) are written into that
   checkout with mtimes a second apart, the live interpreter runs its checkpoint
   (``hotswap.Reloader().check()``; or IPython's ``%autoreload 2`` machinery; or nothing) and
   runs the tests again;
3. a fresh ``python -m pytest`` runs the same commit in a second checkout (the oracle).

Every test's outcome (passed, failed, error, skipped, xfailed, xpassed) is compared between the
live interpreter and the oracle. The report gives, per project and variant, the agreement
(tests with the same outcome / tests compared, summed over steps) and every divergence, with the
live side's failure message and the checkpoint's errors and warnings at that step.

    python benchmarks/replay.py PATH [PATH ...] [--commits 12] [--variants hotswap,none]
        [--json out.json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _replay_repo as repo

HERE = Path(__file__).resolve().parent
LIVE = HERE / "_replay_live.py"
VARIANTS = ("hotswap", "autoreload", "none")
# Tests that take seconds each and exercise no reloadable code path the others miss; left out
# so that ``make replay`` fits its budget (keyed by the first package's name).
PROJECT_ARGS = {
    "more_itertools": ["-k", "not test_primes and not test_roundtrip and not oncurrent"],
}
COMMON_ARGS = ["-p", "no:cacheprovider", "-q", "--continue-on-collection-errors"]


def _env(project: repo.Project, root: Path, site: Path, log: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root / project.path_entry), str(site), str(HERE)])
    env.pop("PYTEST_ADDOPTS", None)
    env["PYTHONHASHSEED"] = "0"
    if log is not None:
        env["REPLAY_LOG"] = str(log)
    return env


def start_oracle(
    project: repo.Project, root: Path, site: Path, out: Path, tests: list[str] | None = None
) -> subprocess.Popen[bytes]:
    """A fresh ``python -m pytest`` at the commit checked out in ``root`` (all the tests, or the
    node ids ``tests``), started in the background: it runs while the live interpreters take
    the same step."""
    env = _env(project, root, site)
    env["REPLAY_OUTCOMES"] = str(out)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    args = [*COMMON_ARGS, *project.pytest_args, "-p", "_replay_outcomes"]
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *(tests or [project.tests]), *args],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def oracle_outcomes(proc: subprocess.Popen[bytes], out: Path) -> dict[str, list[str]]:
    proc.wait()
    if not out.exists():
        return {"<session>": ["error", "the oracle wrote no outcomes", ""]}
    return dict(json.loads(out.read_text()))


def compare(live: dict[str, list[str]], fresh: dict[str, list[str]]) -> list[dict[str, Any]]:
    diverged = []
    for nodeid in sorted(set(live) | set(fresh)):
        a = live.get(nodeid, ["absent", "", ""])
        b = fresh.get(nodeid, ["absent", "", ""])
        if a[0] != b[0]:
            diverged.append(
                {
                    "test": nodeid,
                    "live": a[0],
                    "fresh": b[0],
                    "message": a[1] or b[1],
                    "where": a[2] or b[2],
                }
            )
    return diverged


def recheck(
    project: repo.Project,
    root: Path,
    site: Path,
    out: Path,
    step: dict[str, Any],
    sessions: dict[str, LiveSession],
) -> None:
    """Run the diverging tests again, in a second fresh interpreter and in the live one. A test
    that gives the other side's outcome on its second run is nondeterministic (a
    timing-dependent pager test, say), not a reload divergence: it is marked ``flaky`` and
    counted apart."""
    diverged = [d for entry in step["variants"].values() for d in entry["diverged"]]
    nodeids = sorted({d["test"] for d in diverged if "::" in d["test"]})
    if not nodeids:
        return
    running = start_oracle(project, root, site, out, nodeids)
    live_again = {}
    for variant, entry in step["variants"].items():
        ids = sorted({d["test"] for d in entry["diverged"] if "::" in d["test"]})
        if ids and "died" not in entry:
            live_again[variant] = sessions[variant].rerun(ids)
    again = oracle_outcomes(running, out)
    for variant, entry in step["variants"].items():
        for d in entry["diverged"]:
            d["fresh_again"] = again.get(d["test"], ["absent"])[0]
            d["live_again"] = live_again.get(variant, {}).get(d["test"], ["absent"])[0]
            d["flaky"] = d["fresh_again"] == d["live"] or d["live_again"] == d["fresh"]


def real(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The divergences of a step that are not a flaky test."""
    return [d for d in entry["diverged"] if not d.get("flaky")]


class LiveSession:
    """The live interpreter for one project and variant, driven step by step."""

    def __init__(self, project: repo.Project, variant: str, root: Path, site: Path, work: Path):
        self.work = work
        self.log = work / f"live-{variant}.log"
        args = [*COMMON_ARGS, *project.pytest_args]
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(LIVE),
                "--variant",
                variant,
                "--tests",
                project.tests,
                "--packages",
                *project.packages,
                "--pytest-args",
                json.dumps(args),
            ],
            cwd=root,
            env=_env(project, root, site, self.log),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.variant = variant

    def send(self, k: int) -> None:
        """Tell the live interpreter that step ``k``'s files are written (it answers later)."""
        out = self.work / f"live-{self.variant}-{k}.json"
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps({"step": k, "out": str(out)}) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def receive(self, k: int) -> dict[str, Any]:
        out = self.work / f"live-{self.variant}-{k}.json"
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "done":
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            return {"step": k, "died": tail, "outcomes": {}}
        return dict(json.loads(out.read_text()))

    def rerun(self, nodeids: list[str]) -> dict[str, list[str]]:
        """The outcomes of ``nodeids`` run again in the live interpreter, no checkpoint."""
        out = self.work / f"live-{self.variant}-again.json"
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"step": -1, "only": nodeids, "out": str(out)}) + "\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "done":
            return {}
        return dict(json.loads(out.read_text())["outcomes"])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def replay(project: repo.Project, count: int, variants: list[str], work: Path) -> dict[str, Any]:
    shas = repo.commits(project, count)
    site = repo.metadata_stub(work, project.dist)
    fresh_root = work / "fresh"
    roots = {v: work / f"live-{v}" for v in variants}
    stamp = time.time() - 10 * len(shas)
    for root in [fresh_root, *roots.values()]:
        repo.write_tree(project, shas[0], root, stamp)
    sessions = {v: LiveSession(project, v, roots[v], site, work) for v in variants}
    result: dict[str, Any] = {
        "project": project.name,
        "packages": project.packages,
        "commits": shas,
        "steps": [],
    }
    for k, sha in enumerate(shas):
        start = time.perf_counter()
        if k:
            written, deleted = repo.changes(project, shas[k - 1], sha)
            stamp += 2
            for root in [fresh_root, *roots.values()]:
                repo.apply(root, written, deleted, stamp)
        else:
            written, deleted = {}, []
        fresh_out = work / f"fresh-{k}.json"
        running = start_oracle(project, fresh_root, site, fresh_out)
        for session in sessions.values():
            session.send(k)
        lives = {variant: session.receive(k) for variant, session in sessions.items()}
        fresh = oracle_outcomes(running, fresh_out)
        step: dict[str, Any] = {
            "commit": sha,
            "subject": repo.git(project.git_dir, "log", "-1", "--format=%s", sha).strip(),
            "files": sorted(written) + [f"-{p}" for p in deleted],
            "tests": len(fresh),
            "variants": {},
        }
        for variant, live in lives.items():
            entry = {key: value for key, value in live.items() if key != "outcomes"}
            entry["diverged"] = compare(live["outcomes"], fresh) if "died" not in live else []
            entry["compared"] = len(set(live["outcomes"]) | set(fresh))
            step["variants"][variant] = entry
        recheck(project, fresh_root, site, work / f"fresh-{k}-again.json", step, sessions)
        step["seconds"] = round(time.perf_counter() - start, 1)
        result["steps"].append(step)
        _progress(project, k, len(shas), step)
    for session in sessions.values():
        session.close()
    return result


def _progress(project: repo.Project, k: int, total: int, step: dict[str, Any]) -> None:
    parts = []
    for variant, entry in step["variants"].items():
        if "died" in entry:
            parts.append(f"{variant}: DIED")
        else:
            flaky = len(entry["diverged"]) - len(real(entry))
            parts.append(f"{variant}: {len(real(entry))} diverged, {flaky} flaky")
    print(
        f"  {project.name} {k}/{total - 1} {step['commit'][:9]} {step['tests']} tests "
        f"({step['seconds']} s): " + ", ".join(parts),
        file=sys.stderr,
        flush=True,
    )


def summary(results: list[dict[str, Any]]) -> str:
    """Agreement per project and variant, then every divergence with its step's context.

    Agreement counts test outcomes after a reload (step 0, the first import, is not one) that
    equal the oracle's; flaky tests (see :func:`recheck`) are counted apart, as agreeing."""
    lines = [
        "| project | steps | variant | outcomes compared | agree | flaky | agreement | time |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    details: list[str] = []
    for result in results:
        variants = list(result["steps"][0]["variants"]) if result["steps"] else []
        for variant in variants:
            compared = agree = flaky = 0
            for step in result["steps"][1:]:
                entry = step["variants"][variant]
                compared += entry["compared"]
                agree += entry["compared"] - len(real(entry))
                flaky += len(entry["diverged"]) - len(real(entry))
            share = f"{100 * agree / compared:.2f}%" if compared else "-"
            lines.append(
                f"| {result['project']} | {len(result['commits']) - 1} | {variant} | "
                f"{compared} | {agree} | {flaky} | {share} | {result.get('seconds', '?')} s |"
            )
        for k, step in enumerate(result["steps"]):
            for variant, entry in step["variants"].items():
                details.extend(_step_details(result["project"], k, step, variant, entry))
    return "\n".join(
        lines + (["", "Divergences and checkpoint notes:", *details] if details else [])
    )


def _step_details(
    project: str, k: int, step: dict[str, Any], variant: str, entry: dict[str, Any]
) -> list[str]:
    check = entry.get("checkpoint", {})
    notes = [*check.get("errors", []), *check.get("warnings", [])]
    if check.get("raised"):
        notes.append("check() raised: " + check["raised"])
    if "died" in entry:
        notes.append("the live interpreter died: " + entry["died"][-300:])
    lost = check.get("identity", {}).get("lost", [])
    if not entry["diverged"] and not (variant == "hotswap" and (notes or lost)):
        return []
    out = [
        f"\n{project} step {k} {step['commit'][:10]} ({variant}) {step['subject'][:60]!r}: "
        f"{len(real(entry))} diverged, {len(entry['diverged']) - len(real(entry))} flaky",
        "  files: " + ", ".join(step["files"][:12]) + (" ..." if len(step["files"]) > 12 else ""),
    ]
    out.extend("  checkpoint: " + n.splitlines()[0][:200] for n in notes)
    if lost:
        out.append(f"  identity not kept ({len(lost)}): " + ", ".join(lost[:8]))
    for d in entry["diverged"][:15]:
        flag = " [flaky: a second run gave the other side's outcome]" if d.get("flaky") else ""
        out.append(
            f"  {d['test']}: live {d['live']}, fresh {d['fresh']}{flag}: "
            f"{d['message'][:160]} {d['where']}"
        )
    if len(entry["diverged"]) > 15:
        out.append(f"  ... and {len(entry['diverged']) - 15} more")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path, help="git work trees or git directories")
    parser.add_argument("--commits", type=int, default=12, help="steps per project (default 12)")
    parser.add_argument("--rev", default="HEAD", help="the newest commit to replay")
    parser.add_argument(
        "--variants", default="hotswap", help="comma-separated: " + ",".join(VARIANTS)
    )
    parser.add_argument("--json", metavar="PATH", help="write every step's result here")
    parser.add_argument("--keep", metavar="DIR", type=Path, help="work here and keep the files")
    args = parser.parse_args(argv)
    variants = [v for v in args.variants.split(",") if v]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    results = []
    with tempfile.TemporaryDirectory(prefix="hotswap-replay-") as tmp:
        base = args.keep or Path(tmp)
        for path in args.repos:
            project = repo.detect(path, args.rev, PROJECT_ARGS)
            work = base / project.name
            work.mkdir(parents=True, exist_ok=True)
            print(f"replay: {project.name} ({', '.join(project.packages)})", file=sys.stderr)
            start = time.perf_counter()
            result = replay(project, args.commits, variants, work)
            result["seconds"] = round(time.perf_counter() - start, 1)
            results.append(result)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(summary(results))
    diverged = any(
        real(entry) or "died" in entry
        for result in results
        for step in result["steps"]
        for variant, entry in step["variants"].items()
        if variant == "hotswap"
    )
    return 1 if diverged else 0


if __name__ == "__main__":
    sys.exit(main())
