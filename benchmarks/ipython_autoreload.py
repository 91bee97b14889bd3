"""IPython's own autoreload tests, run with IPython's extension and with ``%load_ext hotswap``.

The test file is read at run time from an IPython repository given as a path (a work tree or a
git directory, e.g. one ``fetch`` made): ``tests/test_zzz_autoreload.py`` or, in older trees,
``IPython/extensions/tests/test_autoreload.py``. It is written to a temporary directory, never
committed, and run twice with pytest:

- ``ipython``: as it is (its ``FakeShell`` drives ``AutoreloadMagics``);
- ``hotswap``: a ``conftest.py`` replaces ``FakeShell`` with :class:`HotswapShell`, the same
  interface (``run_code``, ``magic_autoreload``, ``magic_aimport``, ``push``, ``ns``) on a real
  ``InteractiveShell`` with ``%load_ext hotswap``: a cell triggers the shell's real
  ``pre_run_cell``/``post_run_cell`` events around an ``exec`` of the code, as ``FakeShell`` does.

Every test whose outcome differs is listed with its message: each is a hotswap bug or a
documented difference (docs/replay.md lists them with the reason).

    python benchmarks/ipython_autoreload.py /path/to/ipython [--rev HEAD] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import _replay_repo as repo

HERE = Path(__file__).resolve().parent
CANDIDATES = ("tests/test_zzz_autoreload.py", "IPython/extensions/tests/test_autoreload.py")

CONFTEST = '''
"""Swap the upstream FakeShell for one driving ``%load_ext hotswap`` (written by
benchmarks/ipython_autoreload.py)."""

import contextlib
import inspect
import os

import pytest
from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult, InteractiveShell
from traitlets.config import Config

_BASE = None


def _shell():
    global _BASE
    if not InteractiveShell.initialized():
        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        config.InteractiveShell.colors = "nocolor"
        InteractiveShell.instance(config=config)
    ip = InteractiveShell.instance()
    if _BASE is None:
        _BASE = set(ip.user_ns)
    return ip


def _info(code):
    accepted = inspect.signature(ExecutionInfo).parameters
    values = dict(raw_cell=code, transformed_cell=code, store_history=False, silent=False,
                  shell_futures=False, cell_id=None, cell_meta=None)
    return ExecutionInfo(**{k: v for k, v in values.items() if k in accepted})


class HotswapShell:
    """FakeShell's interface on a real InteractiveShell with ``%load_ext hotswap``."""

    def __init__(self):
        ip = _shell()
        if "HotswapMagics" in ip.magics_manager.registry:
            ip.run_line_magic("unload_ext", "hotswap")
        for name in set(ip.user_ns) - _BASE:
            del ip.user_ns[name]
        ip.user_ns["In"] = []
        ip.run_line_magic("load_ext", "hotswap")
        self.ip = ip
        self.ns = self.user_ns = ip.user_ns
        self.user_ns_hidden = ip.user_ns_hidden
        self.events = ip.events

    def run_code(self, code):
        info = _info(code)
        self.events.trigger("pre_run_cell", info)
        exec(code, self.user_ns)
        self.events.trigger("post_run_cell", ExecutionResult(info))

    def push(self, items):
        self.ns.update(items)

    def magic_autoreload(self, parameter):
        self.ip.run_line_magic("autoreload", parameter)

    def magic_aimport(self, parameter, stream=None):
        with contextlib.redirect_stdout(stream) if stream is not None else contextlib.nullcontext():
            self.ip.run_line_magic("aimport", parameter)


@pytest.fixture(autouse=True)
def _hotswap_shell(request, monkeypatch):
    if os.environ.get("AUTORELOAD_SHELL") == "hotswap" and hasattr(request.module, "FakeShell"):
        monkeypatch.setattr(request.module, "FakeShell", HotswapShell)
    yield
    if os.environ.get("AUTORELOAD_SHELL") == "hotswap" and InteractiveShell.initialized():
        ip = InteractiveShell.instance()
        if "HotswapMagics" in ip.magics_manager.registry:
            ip.run_line_magic("unload_ext", "hotswap")
'''


# The third run, ``hotswap-adapted``, rewrites what the upstream tests assert about IPython's own
# wording and exception types into hotswap's documented forms (README, docs/ipython.md), so that
# the behaviour behind each assertion is still checked: (upstream text, replacement, why).
ADAPTATIONS = (
    (
        '("[autoreload of %s failed:" % mod_name), channel="stderr"',
        '("hotswap: reloading %s failed" % mod_name), channel="stderr"',
        "a failed reload prints one block: 'hotswap: reloading m failed; kept the previous ...'",
    ),
    (
        "with pytest.raises(ImportError):\n            autoreload_fixture.shell.magic_aimport(",
        "with pytest.raises(Exception):\n            autoreload_fixture.shell.magic_aimport(",
        "%aimport of a module that does not exist is a UsageError, not an ImportError",
    ),
    (
        "Reloading '{mod_name}'.",
        "reloaded {mod_name}",
        "a reload prints 'hotswap: reloaded m: patched f', not \"Reloading 'm'.\"",
    ),
    (
        'logging.getLogger("autoreload")',
        'logging.getLogger("hotswap")',
        "-l/--log sends reports to the 'hotswap' logger",
    ),
)


def adapt(text: str) -> str:
    for old, new, _why in ADAPTATIONS:
        text = text.replace(old, new)
    return text


def run(test_dir: Path, shell: str, out: Path) -> dict[str, list[str]]:
    env = dict(os.environ)
    env["AUTORELOAD_SHELL"] = shell.split("-")[0]
    test = (
        "test_autoreload_adapted.py" if shell.endswith("adapted") else "test_autoreload_upstream.py"
    )
    env["REPLAY_OUTCOMES"] = str(out)
    env["PYTHONPATH"] = str(HERE)
    env.pop("PYTEST_ADDOPTS", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "_replay_outcomes",
            "-p",
            "no:randomly",
            "-W",
            "ignore::DeprecationWarning",
            test,
        ],
        cwd=test_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return dict(json.loads(out.read_text())) if out.exists() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ipython", type=Path, help="an IPython work tree or git directory")
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    git_dir = repo.resolve_git_dir(args.ipython)
    files = repo.git(git_dir, "ls-tree", "-r", "--name-only", args.rev).splitlines()
    source = next((f for f in CANDIDATES if f in files), None)
    if source is None:
        raise SystemExit(f"no autoreload test file in {args.ipython} at {args.rev}")
    text = repo.git(git_dir, "show", f"{args.rev}:{source}")
    with tempfile.TemporaryDirectory(prefix="hotswap-autoreload-") as tmp:
        test_dir = Path(tmp)
        (test_dir / "test_autoreload_upstream.py").write_text(text)
        (test_dir / "test_autoreload_adapted.py").write_text(adapt(text))
        (test_dir / "conftest.py").write_text(CONFTEST)
        outcomes = {
            shell: run(test_dir, shell, test_dir / f"{shell}.json")
            for shell in ("ipython", "hotswap", "hotswap-adapted")
        }
    print(f"{source} at {args.rev}")
    for shell, found in outcomes.items():
        passed = sum(1 for v in found.values() if v[0] == "passed")
        print(f"  {shell}: {passed} passed of {len(found)}")
    rows = []
    ipy = outcomes["ipython"]
    for shell in ("hotswap", "hotswap-adapted"):
        hot = {k.split("::")[-1]: v for k, v in outcomes[shell].items()}
        for test, a in sorted((k.split("::")[-1], v) for k, v in ipy.items()):
            b = hot.get(test, ["absent", ""])
            if a[0] != b[0]:
                rows.append(
                    {
                        "run": shell,
                        "test": test,
                        "ipython": a[0],
                        "hotswap": b[0],
                        "message": b[1] or a[1],
                        "where": b[2] if len(b) > 2 else "",
                    }
                )
    print(f"  differences ({len(rows)}):")
    for row in rows:
        print(
            f"  [{row['run']}] {row['test']}: ipython {row['ipython']}, hotswap "
            f"{row['hotswap']}: {row['message'][:200]} {row['where']}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"outcomes": outcomes, "differ": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
