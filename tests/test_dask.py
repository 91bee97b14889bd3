"""``hotswap.dask`` on a real ``distributed.LocalCluster`` with two process workers.

Each test writes its own module (a unique name) under the test's workspace, which the workers
get on their ``sys.path``; tasks are pinned to workers by address. Synchronisation is by
futures and ``distributed.Event``, never by sleeping.
"""

from __future__ import annotations

import contextlib
import gc
import operator
import os
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Workspace

pytestmark = pytest.mark.slow  # a real LocalCluster per test

distributed = pytest.importorskip(
    "distributed", reason="hotswap.dask needs distributed, which is not installed here"
)
import hotswap  # noqa: E402
import hotswap.dask  # noqa: E402
from hotswap.dask import ClusterReport, Link  # noqa: E402

V1 = """\
CACHE = []


class Model:
    def predict(self):
        return "v1"


def f(x=0):
    CACHE.append(x)
    return "v1", len(CACHE)


def ident():
    return id(f), id(Model), id(CACHE)


def plugins(dask_worker):
    return sorted(dask_worker.plugins)
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    # ``dashboard_address=None`` still starts the scheduler's HTTP server (metrics, health) on
    # port 8787: a second cluster at the same time (the other xdist worker's) would warn, and
    # leak the socket of its failed bind (distributed 2026.8). Port 0 for that server only.
    cluster = distributed.LocalCluster(
        processes=True,
        n_workers=2,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    try:
        yield cluster
    finally:
        try:
            _close(cluster)
        finally:
            # What else of distributed's the module left unclosed (a client, a comm: their
            # ``__del__`` warns) is finalised now, in this teardown, and not by the next full
            # collection, which may come in a later test (hotswap's background reader runs one
            # after a large import, ``warm_up``): pytest reports such a warning in whichever
            # test is running. (The cluster itself is still held by pytest: ``_close`` checks.)
            gc.collect()


def _close(cluster: Any) -> None:
    """Close ``cluster``; when its close fails, close the rest anyway and raise the failure
    here, once. (A cluster left half-open warns "unclosed cluster" from its ``__del__`` in
    whichever later test the collector finalises it, as a ResourceWarning that the suite's
    ``filterwarnings = error`` turns into that test's failure.)"""
    try:
        cluster.close(timeout=60)
    except BaseException:
        # ``Cluster._close`` awaits the task that follows the scheduler's worker-status stream;
        # when that task died (the KeyError explained at ``_wait_for_workers``), the close
        # raises it there and stops half-way: the cluster stays "closing" and
        # ``SpecCluster.close`` skips stopping its event loop. Forget the dead task and run the
        # base close again (the cluster-info task, the scheduler RPC, status "closed"); the
        # workers and the scheduler were closed before that await.
        cluster._watch_worker_status_task = None
        with contextlib.suppress(Exception):
            cluster.sync(distributed.deploy.Cluster._close, cluster)
        raise
    finally:
        cluster._loop_runner.stop()  # idempotent: ``SpecCluster.close`` did it if it returned
        assert cluster.status.name == "closed", f"the cluster is left {cluster.status.name}"


@pytest.fixture(scope="module")
def client(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster) as client:
        yield client


class Tree:
    """The test's module directory, on the client's and the workers' ``sys.path``."""

    def __init__(self, workspace: Workspace, client: Any) -> None:
        self.workspace = workspace
        self.client = client

    @property
    def workers(self) -> list[str]:
        return sorted(self.client.run(os.getpid))

    def write(self, name: str, text: str) -> Path:
        return self.workspace.write(f"{name}.py", text)

    def run_on(self, address: str, fn: Any, *args: Any) -> Any:
        future = self.client.submit(fn, *args, workers=[address], pure=False)
        return future.result(timeout=60)

    def everywhere(self, fn: Any, *args: Any) -> list[Any]:
        return [self.run_on(a, fn, *args) for a in self.workers]


@pytest.fixture
def tree(workspace: Workspace, client: Any, cluster: Any) -> Iterator[Tree]:
    root = str(workspace.root)
    on_workers(client, f"import sys; sys.path.insert(0, {root!r})")
    try:
        yield Tree(workspace, client)
    finally:
        on_workers(client, f"import sys; sys.path.remove({root!r})")
        if len(client.run(os.getpid)) != 2:
            cluster.scale(2)
            _wait_for_workers(client, 2, exactly=True)  # scale-down retires asynchronously
        _wait_for_cluster_view(client, cluster)


def on_workers(client: Any, code: str, workers: list[str] | None = None) -> None:
    """Run statements on workers. (A bound method such as ``sys.path.insert`` would be
    pickled with a copy of its list: it must be looked up there.)"""
    client.run(exec, code, {}, workers=workers)


def _wait_for_workers(client: Any, n: int, exactly: bool = False) -> None:
    """Wait until the scheduler has ``n`` running workers (at least ``n``, unless
    ``exactly``: then ``n`` workers in all), asking the scheduler itself.

    Not ``client.wait_for_workers``: given a cluster object, it calls
    ``Cluster.wait_for_workers``, which replaces the cluster's ``scheduler_info`` with
    ``identity()`` snapshots fetched over an RPC. That dict is otherwise kept by the
    scheduler's worker-status stream ("add" and "remove" messages, in order, batched every
    5 ms): a snapshot taken just after the scheduler dropped a worker (a scale-down) can
    arrive before the stream's "remove" of it, which then finds no such worker.
    ``SpecCluster._update_worker_status`` raises KeyError (dask/distributed#5407), the task
    that follows the stream dies, the cluster's view of its workers stops following the
    scheduler (restarted workers are never added to it), and the cluster's close raises that
    KeyError at the end of the module."""
    deadline = time.monotonic() + 60
    while True:
        workers = list(client.scheduler_info()["workers"].values())
        running = sum(1 for w in workers if w.get("status") == "running")
        if (running == len(workers) == n) if exactly else running >= n:
            return
        assert time.monotonic() < deadline, f"the cluster did not reach {n} workers"
        client.sync(_sleep_briefly)


def _wait_for_cluster_view(client: Any, cluster: Any) -> None:
    """Wait until the cluster's own view of its workers (kept by the status stream) is the
    scheduler's. After a restart or a scale its "remove" and "add" messages may still be on
    the way; a test that ended there would hand the next test (or the cluster's close) a view
    that the scheduler no longer has. A stream that stopped fails here, in the test after
    which it stopped, with its own error."""
    deadline = time.monotonic() + 60
    while set(cluster.scheduler_info["workers"]) != set(client.scheduler_info()["workers"]):
        task = cluster._watch_worker_status_task
        if task is not None and task.done():
            task.result()  # the stream's task died: its exception says why
        assert time.monotonic() < deadline, (
            f"the cluster's view of its workers {sorted(cluster.scheduler_info['workers'])} "
            f"did not catch up with the scheduler's {sorted(client.scheduler_info()['workers'])}"
        )
        client.sync(_sleep_briefly)


async def _sleep_briefly() -> None:
    import asyncio

    await asyncio.sleep(0.05)  # polling a view of the cluster, not synchronising with a worker


@pytest.fixture
def attach(client: Any) -> Iterator[Any]:
    links: list[Link] = []

    def make(mode: str = "auto", on_failure: str = "report") -> Link:
        link = hotswap.dask.attach(client, mode=mode, on_failure=on_failure)
        links.append(link)
        return link

    yield make
    for link in links:
        link.detach()


def _import(name: str) -> Any:
    import importlib

    return importlib.import_module(name)


# -- push --------------------------------------------------------------------------------------


def test_push_keeps_identity_and_worker_state(tree: Tree, attach: Any) -> None:
    """After a save and a push, every worker runs the new code through the same function and
    class objects; what the workers hold (a module-level cache, a model instance kept as a
    task result) is still there and answers with the new code."""
    name = hotswap_name()
    tree.write(name, V1)
    mod = _import(name)
    link = attach("push")
    workers = tree.workers
    assert tree.everywhere(mod.f) == [("v1", 1), ("v1", 1)]
    ids = tree.client.run(mod.ident)
    model = tree.client.submit(mod.Model, workers=[workers[0]], pure=False)
    assert tree.client.submit(operator.methodcaller("predict"), model).result() == "v1"

    tree.write(name, V1.replace('"v1"', '"v2"'))
    report = link.push()

    assert isinstance(report, ClusterReport) and report.ok, str(report)
    assert str(report).startswith(f"reloaded {name} on the client and 2/2 workers: patched")
    assert set(report.workers) == set(workers) and all(r.ok for r in report.workers.values())
    assert mod.f() == ("v2", 1)
    assert tree.everywhere(mod.f) == [("v2", 2), ("v2", 2)]
    assert tree.client.run(mod.ident) == ids
    assert tree.client.submit(operator.methodcaller("predict"), model).result() == "v2"
    versions = {a: v[name] for a, v in link.status().items()}
    assert set(versions) == set(workers) and len(set(versions.values())) == 1
    assert "<table" in report._repr_html_() and name in report._repr_html_()


RUNNER = """\
from distributed import Event


def step():
    return "v1"


def runner(tag):
    first = step()
    Event(tag + "-started").set()
    assert Event(tag + "-go").wait(60)
    return first, step()
"""


def test_running_task_switches_at_its_next_call(tree: Tree, attach: Any) -> None:
    """A task running while the push applies keeps its frame; its next call of the edited
    function runs the new code."""
    name = hotswap_name()
    tree.write(name, RUNNER)
    mod = _import(name)
    link = attach("push")
    tag = name
    future = tree.client.submit(mod.runner, tag, workers=[tree.workers[0]], pure=False)
    assert distributed.Event(tag + "-started").wait(60)
    tree.write(name, RUNNER.replace('return "v1"', 'return "v2"'))
    report = link.push()
    distributed.Event(tag + "-go").set()
    assert report.ok, str(report)
    assert future.result(timeout=60) == ("v1", "v2")


BROKEN_ON_WORKERS = """
import multiprocessing

if multiprocessing.current_process().name != "MainProcess":
    raise RuntimeError("only on workers")
"""


def test_broken_push_leaves_every_worker_on_the_previous_version(
    tree: Tree, attach: Any
) -> None:
    """A text that the client applies but that fails on the workers leaves every worker on the
    previous version, says so with the worker's error, file and line, and is retried by the
    next push (which succeeds once the file is fixed)."""
    name = hotswap_name()
    path = tree.write(name, V1)
    mod = _import(name)
    link = attach("push")
    assert tree.everywhere(mod.f) == [("v1", 1), ("v1", 1)]
    tree.write(name, V1.replace('"v1"', '"v2"') + BROKEN_ON_WORKERS)

    report = link.push()

    assert not report.ok and report.client.ok and mod.f() == ("v2", 1)
    assert all(not r.ok for r in report.workers.values())
    (line,) = [x for x in report.lines() if "failed" in x]
    assert line.startswith(f"reloading {name} failed on 2/2 workers; kept the previous version:")
    assert "only on workers" in line and f"{path}:" in line
    assert tree.everywhere(mod.f) == [("v1", 2), ("v1", 2)]
    assert not link.push().ok  # retried, and still failing

    tree.write(name, V1.replace('"v1"', '"v3"'))
    again = link.push()
    assert again.ok, str(again)
    assert tree.everywhere(mod.f) == [("v3", 3), ("v3", 3)]


def test_push_reaches_workers_with_their_own_stale_copy(
    tree: Tree, attach: Any, tmp_path: Path
) -> None:
    """A worker that imports the module from its own (older) copy of the tree runs the
    client's text after a push, and does not go back to its copy when that file is looked at
    again (touched), though it checks its files at each task start (mode auto)."""
    name = hotswap_name()
    tree.write(name, V1)
    own = tmp_path / "worker-copy"
    own.mkdir()
    stale = own / f"{name}.py"
    stale.write_text(V1.replace('"v1"', '"stale"'))
    first, second = tree.workers
    on_workers(tree.client, f"import sys; sys.path.insert(0, {str(own)!r})", [second])
    try:
        mod = _import(name)
        link = attach("auto")
        assert tree.run_on(first, mod.f) == ("v1", 1)
        assert tree.run_on(second, mod.f) == ("stale", 1)

        tree.write(name, V1.replace('"v1"', '"v2"'))
        report = link.push()

        assert report.ok, str(report)
        assert tree.run_on(first, mod.f) == ("v2", 2)
        assert tree.run_on(second, mod.f) == ("v2", 2)
        tree.workspace.bump(stale)
        assert tree.run_on(second, mod.f) == ("v2", 3)
        versions = link.status()
        assert versions[first][name] == versions[second][name]
    finally:
        on_workers(tree.client, f"import sys; sys.path.remove({str(own)!r})", [second])


def test_skewed_worker_is_reported_and_resynced(tree: Tree, attach: Any, tmp_path: Path) -> None:
    """A worker found at neither the previous pushed version nor the new one (here its own
    copy of the file was edited there, after a push) is named as skewed, and the push brings
    it to the new version like the others."""
    name = hotswap_name()
    tree.write(name, V1)
    own = tmp_path / "worker-copy"
    own.mkdir()
    copy = own / f"{name}.py"
    copy.write_text(V1)
    second = tree.workers[1]
    on_workers(tree.client, f"import sys; sys.path.insert(0, {str(own)!r})", [second])
    try:
        mod = _import(name)
        link = attach("auto")
        assert tree.everywhere(mod.f) == [("v1", 1), ("v1", 1)]
        tree.write(name, V1.replace('"v1"', '"v2"'))
        assert link.push().ok
        copy.write_text(V1.replace('"v1"', '"elsewhere"'))
        tree.workspace.bump(copy)
        assert tree.run_on(second, mod.f) == ("elsewhere", 2)  # a real edit of its own file

        tree.write(name, V1.replace('"v1"', '"v3"'))
        report = link.push()

        assert report.ok, str(report)
        assert f"{name} on {second}: was at neither the previous nor the pushed version" in str(
            report
        )
        assert tree.everywhere(mod.f) == [("v3", 2), ("v3", 3)]
    finally:
        on_workers(tree.client, f"import sys; sys.path.remove({str(own)!r})", [second])


def test_late_joiner_starts_at_the_pushed_version(tree: Tree, attach: Any, cluster: Any) -> None:
    """A worker that joins after a push runs the pushed version from its first import, even
    when the file it would import says something else by then."""
    name = hotswap_name()
    tree.write(name, V1)
    mod = _import(name)
    link = attach("push")
    tree.write(name, V1.replace('"v1"', '"v2"'))
    assert link.push().ok
    tree.write(name, V1.replace('"v1"', '"v3"') + "\nraise RuntimeError('half-done')\n")
    before = set(tree.workers)

    cluster.scale(3)
    _wait_for_workers(tree.client, 3)

    (joined,) = set(tree.workers) - before
    assert tree.run_on(joined, mod.f) == ("v2", 1)
    assert link.status()[joined][name] == link.status()[sorted(before)[0]][name]


def test_local_checkpoint_that_reloads_pushes(tree: Tree, attach: Any) -> None:
    """Once attached, any checkpoint in the session that reloads a module (here a plain
    ``Reloader.check()``, as IPython's before each cell) pushes it without asking."""
    name = hotswap_name()
    tree.write(name, V1)
    mod = _import(name)
    link = attach("push")
    with hotswap.Reloader() as reloader:
        tree.write(name, V1.replace('"v1"', '"v2"'))
        assert reloader.check().reloaded == [name]
    assert link.last_report is not None and link.last_report.ok
    assert tree.everywhere(mod.f) == [("v2", 1), ("v2", 1)]


# -- pull --------------------------------------------------------------------------------------


def test_pull_mode_follows_saves_with_no_client_action(tree: Tree, attach: Any) -> None:
    """In mode pull, workers that see the client's files check them at each task start: a
    save reaches the next task with nothing done on the client."""
    name = hotswap_name()
    tree.write(name, V1)
    mod = _import(name)
    attach("pull")
    assert tree.everywhere(mod.f) == [("v1", 1), ("v1", 1)]
    tree.write(name, V1.replace('"v1"', '"v2"'))
    assert tree.everywhere(mod.f) == [("v2", 2), ("v2", 2)]


# -- on_failure ----------------------------------------------------------------------------------

FAILS_WHERE_ASKED = """
import os

if os.environ.get("HOTSWAP_TEST_FAIL") == __name__:
    raise RuntimeError("fails on this worker")
"""


def test_revert_puts_every_worker_back(tree: Tree, attach: Any) -> None:
    """With on_failure="revert", a push that fails on one worker is taken back on the
    workers that applied it: every worker runs the previous version, and the report says so."""
    name = hotswap_name()
    tree.write(name, V1)
    mod = _import(name)
    link = attach("push", on_failure="revert")
    first, second = tree.workers
    assert tree.everywhere(mod.f) == [("v1", 1), ("v1", 1)]
    on_workers(tree.client, f"import os; os.environ['HOTSWAP_TEST_FAIL'] = {name!r}", [first])
    try:
        tree.write(name, V1.replace('"v1"', '"v2"') + FAILS_WHERE_ASKED)
        report = link.push()
    finally:
        on_workers(tree.client, "import os; os.environ.pop('HOTSWAP_TEST_FAIL', None)")
    assert not report.ok and set(report.reverted) == {first, second}
    assert any("reverted to the previous version" in line for line in report.lines())
    assert tree.run_on(first, mod.f) == ("v1", 2)
    assert tree.run_on(second, mod.f) == ("v1", 2)


HOLDS_STATE = """
assert not CACHE, "this worker holds state the new version refuses"
"""


def test_restart_brings_failed_workers_back_at_the_new_version(
    tree: Tree, attach: Any
) -> None:
    """With on_failure="restart", workers where the new version cannot apply over their state
    are restarted; they come back running the pushed version."""
    name = hotswap_name()
    tree.write(name, V1)
    mod = _import(name)
    link = attach("push", on_failure="restart")
    assert tree.everywhere(mod.f) == [("v1", 1), ("v1", 1)]
    tree.write(name, V1.replace('"v1"', '"v2"') + HOLDS_STATE)

    report = link.push()

    assert report.ok, str(report)
    assert len(report.restarted) == 2
    assert any(line.startswith(f"restarted 2/2 workers for {name}") for line in report.lines())
    assert tree.everywhere(mod.f) == [("v2", 1), ("v2", 1)]


# -- detach --------------------------------------------------------------------------------------


def test_detach_leaves_workers_on_the_code_they_run(tree: Tree, attach: Any) -> None:
    """After detach, workers keep the pushed version, the plugin is gone, and later edits
    stay on the client."""
    name = hotswap_name()
    tree.write(name, V1)
    mod = _import(name)
    link = attach("pull")
    assert tree.everywhere(mod.f) == [("v1", 1), ("v1", 1)]
    tree.write(name, V1.replace('"v1"', '"v2"'))
    assert link.push().ok
    link.detach()
    assert all("hotswap" not in p for p in tree.client.run(mod.plugins).values())
    with hotswap.Reloader() as reloader:
        tree.write(name, V1.replace('"v1"', '"v3"'))
        assert reloader.check().reloaded == [name]
    assert tree.everywhere(mod.f) == [("v2", 2), ("v2", 2)]
    with pytest.raises(hotswap.HotswapError, match="detached"):
        link.push()


# -- by value ------------------------------------------------------------------------------------


def test_function_sent_by_value_is_patched(workspace: Workspace, client: Any, attach: Any) -> None:
    """A function that reached a worker by value (cloudpickle, for a module the workers do
    not have) and is held there gets the new code of its definition."""
    import cloudpickle

    name = hotswap_name()
    workspace.write(f"{name}.py", "def f():\n    return 'v1'\n")
    mod = _import(name)
    cloudpickle.register_pickle_by_value(mod)
    try:
        link = attach("push")
        (first, *_) = sorted(client.run(os.getpid))
        (held,) = client.scatter([mod.f], workers=[first])
        assert client.submit(operator.call, held, pure=False).result(timeout=60) == "v1"
        workspace.write(f"{name}.py", "def f():\n    return 'v2'\n")
        report = link.push()
        assert report.ok, str(report)
        assert client.submit(operator.call, held, pure=False).result(timeout=60) == "v2"
    finally:
        cloudpickle.unregister_pickle_by_value(mod)


# -- IPython -------------------------------------------------------------------------------------


def test_magic_attaches_pushes_and_detaches(
    tree: Tree, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%hotswap cluster attach client`` in a real shell: a cell after a save pushes it
    (its checkpoint reloaded something), ``status`` lists the module, ``detach`` stops."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    if InteractiveShell.initialized():
        shell = InteractiveShell.instance()
    else:
        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        config.InteractiveShell.colors = "nocolor"
        shell = InteractiveShell.instance(config=config)
    before = set(shell.user_ns)
    name = hotswap_name()
    tree.write(name, V1)

    def cell(source: str) -> tuple[str, str]:
        result = shell.run_cell(textwrap.dedent(source))
        out = capsys.readouterr()
        assert result.success, out.err
        return out.out, out.err

    try:
        cell("%load_ext hotswap")
        shell.user_ns["client"] = client
        out, _ = cell("%hotswap cluster attach client --mode push")
        assert out.startswith("hotswap: attached to client (2 workers, mode push")
        cell(f"import {name}")
        tree.write(name, V1.replace('"v1"', '"v2"'))
        _, err = cell("1")
        assert f"reloaded {name} on the client and 2/2 workers" in err
        assert tree.everywhere(_import(name).f) == [("v2", 1), ("v2", 1)]
        out, _ = cell("%hotswap cluster status")
        assert out.count(name) == 2
        out, _ = cell("%hotswap cluster push")
        assert out.strip() == "nothing changed"
        out, _ = cell("%hotswap cluster detach")
        assert out.startswith("hotswap: detached")
        bad = shell.run_cell("%hotswap cluster push")
        assert not bad.success or "not attached" in capsys.readouterr().err
    finally:
        shell.run_cell("%unload_ext hotswap")
        for key in set(shell.user_ns) - before:
            del shell.user_ns[key]
        capsys.readouterr()


def test_attaching_again_detaches_the_earlier_link(client: Any, attach: Any) -> None:
    """A client has one link: attaching it again detaches the earlier one."""
    first = attach("push")
    second = attach("pull")
    with pytest.raises(hotswap.HotswapError, match="detached"):
        first.push()
    assert not second.push().client


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "expected a subcommand"),
        ("start", "expected a subcommand"),
        ("attach", "expected the name of a Client"),
        ("attach a b", "expected the name of a Client"),
        ("attach c --mode sideways", "--mode is one of auto, pull, push, not 'sideways'"),
        ("attach c --on-failure", "--on-failure needs a value"),
        ("attach c --loud", "unknown option --loud"),
        ("status now", "takes no argument"),
    ],
)
def test_cluster_magic_lines_that_do_not_parse(line: str, message: str) -> None:
    """A wrong ``%hotswap cluster`` line is one usage error naming what is wrong."""
    from hotswap._front.magics import MagicArgumentError, parse_cluster

    with pytest.raises(MagicArgumentError, match=message):
        parse_cluster(line)


def test_cluster_magic_lines_that_parse() -> None:
    from hotswap._front.magics import ClusterArgs, parse_cluster

    assert parse_cluster("attach c") == ClusterArgs("attach", "c", "auto", "report")
    assert parse_cluster("attach c --mode=push --on-failure restart") == ClusterArgs(
        "attach", "c", "push", "restart"
    )
    assert parse_cluster(" detach ") == ClusterArgs("detach")


def hotswap_name() -> str:
    import uuid

    return f"hsd_{uuid.uuid4().hex[:10]}"
