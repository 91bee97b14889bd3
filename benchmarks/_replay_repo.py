"""A project's git history as the commit replay needs it: which commits, which files, which layout.

The replay reads a repository (a bare git directory such as one ``fetch`` made, or a work tree)
at run time and never copies its code into hotswap: files are written from git's object store
into temporary directories with ``git cat-file --batch``. ``git archive`` is not used because it
honours ``export-ignore`` (some projects leave their tests out of archives).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# Directories at the top of a flat-layout project that are never its package.
NOT_PACKAGES = {"tests", "test", "docs", "doc", "examples", "bench", "benchmarks", "tools"}


@dataclass
class Project:
    """One repository: where its git data is, its package directories, tests and pytest args."""

    name: str
    git_dir: Path
    rev: str
    packages: list[str]  # package directories relative to the root, e.g. "src/attr"
    tests: str
    dist: str  # distribution name, for the installed-metadata stub
    pytest_args: list[str] = field(default_factory=list)

    @property
    def path_entry(self) -> str:
        """The directory that goes on ``sys.path`` (``src`` for a src layout)."""
        return str(Path(self.packages[0]).parent)


def git(git_dir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def resolve_git_dir(path: Path) -> Path:
    out = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--git-dir"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (path / out).resolve()


def detect(
    path: Path, rev: str = "HEAD", extra_args: dict[str, list[str]] | None = None
) -> Project:
    """Find the packages (``src/*`` or top-level directories with ``__init__.py``) at ``rev``."""
    git_dir = resolve_git_dir(path)
    files = git(git_dir, "ls-tree", "-r", "--name-only", rev).splitlines()
    inits = [f for f in files if f.endswith("/__init__.py")]
    packages = sorted(
        {f.rsplit("/", 1)[0] for f in inits if f.count("/") == 2 and f.startswith("src/")}
    ) or sorted(
        {
            f.split("/")[0]
            for f in inits
            if f.count("/") == 1 and f.split("/")[0] not in NOT_PACKAGES
        }
    )
    if not packages:
        raise SystemExit(f"replay: no package directory found in {path} at {rev}")
    pyproject = git(git_dir, "show", f"{rev}:pyproject.toml") if "pyproject.toml" in files else ""
    found = re.search(r'^\[project\][^\[]*?^name\s*=\s*"([^"]+)"', pyproject, re.M | re.S)
    dist = found.group(1) if found else Path(packages[0]).name
    name = path.resolve().name
    if name in ("repo", ".git"):  # fetch's mirrors: /work/.mirror/owner+name/repo
        name = path.resolve().parent.name.split("+")[-1]
    args = (extra_args or {}).get(Path(packages[0]).name, [])
    return Project(name, git_dir, rev, packages, "tests", dist, list(args))


def commits(project: Project, count: int) -> list[str]:
    """The newest ``count + 1`` first-parent commits that touch package sources, oldest first."""
    out = git(
        project.git_dir,
        "rev-list",
        "--first-parent",
        "-n",
        str(count + 1),
        project.rev,
        "--",
        *project.packages,
    )
    return list(reversed(out.split()))


def _blobs(git_dir: Path, specs: list[str]) -> list[bytes]:
    """The contents of ``rev:path`` objects, read through one ``git cat-file --batch``."""
    if not specs:
        return []
    proc = subprocess.run(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
        input="".join(s + "\n" for s in specs).encode(),
        check=True,
        capture_output=True,
    )
    data, pos, out = proc.stdout, 0, []
    for _ in specs:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        size = int(header[2])
        out.append(data[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1
    return out


def write_tree(project: Project, rev: str, root: Path, stamp: float) -> None:
    """Write every regular file of ``rev`` under ``root``, with mtimes set to ``stamp`` (the
    steps' stamps come after it: a reloader that compares mtimes, as IPython's does, must see
    every later write as newer)."""
    listing = git(project.git_dir, "ls-tree", "-r", "-z", rev).split("\0")
    paths = [
        entry.split("\t", 1)[1]
        for entry in listing
        if entry and entry.split()[0] in ("100644", "100755")
    ]
    for path, blob in zip(
        paths, _blobs(project.git_dir, [f"{rev}:{p}" for p in paths]), strict=True
    ):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
        os.utime(target, (stamp, stamp))


def changes(project: Project, old: str, new: str) -> tuple[dict[str, bytes], list[str]]:
    """Files written (path -> new bytes) and deleted going from ``old`` to ``new``."""
    out = git(project.git_dir, "diff", "--name-status", "--no-renames", "-z", old, new)
    fields = [f for f in out.split("\0") if f]
    written, deleted = [], []
    for status, path in zip(fields[::2], fields[1::2], strict=True):
        (deleted if status == "D" else written).append(path)
    blobs = _blobs(project.git_dir, [f"{new}:{p}" for p in written])
    return dict(zip(written, blobs, strict=True)), deleted


def apply(root: Path, written: dict[str, bytes], deleted: list[str], stamp: float) -> None:
    """Write a commit's changes as a checkout does, with mtimes set to ``stamp``.

    The stamp moves forward by whole seconds each step: Python validates bytecode caches by
    whole-second mtime, and a test run between two steps may have written them.
    """
    for path in deleted:
        (root / path).unlink(missing_ok=True)
    for path, blob in written.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
        os.utime(target, (stamp, stamp))


def metadata_stub(root: Path, dist: str) -> Path:
    """A ``site`` directory holding ``<dist>.dist-info``: tests that read the installed version
    (``importlib.metadata.version("click")``) find one, the same on both sides."""
    site = root / "_replay_site"
    info = site / f"{dist.replace('-', '_')}-0.0.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.0.0\n")
    return site
